//! The read-only web desk (`orderdesk serve`): the other departments read the same file in a
//! browser while the clerk keeps working in the terminal. Pages are rendered on the server
//! from minijinja templates; every page needs a login; the database is read through a small
//! pool of read connections (WAL), so the terminal's writes are never held up.

mod auth;
mod cache;
mod http;
mod lists;
mod login;
mod pages;
mod pool;
mod render;
mod views;

use crate::store::today::ResponseWindows;
use crate::store::Store;
use anyhow::Context as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub struct Options {
    pub listen: SocketAddr,
    pub tls: Option<Tls>,
    pub windows: ResponseWindows,
    /// What the report's figures are held against (`[targets]` of config.toml).
    pub targets: crate::domain::report::quality::Targets,
}

/// Read connections: enough for the two cores to stay busy while a few requests wait on
/// the disk; more would only queue inside SQLite. Requests beyond them wait their turn
/// without holding a thread.
const READERS: usize = 4;

/// What every request shares.
pub(crate) struct Desk {
    pub pool: Arc<pool::Pool>,
    /// Orders pages and roles kept while the data stays the same.
    pub cache: cache::Cache,
    /// The one connection that writes: logins and logouts into the audit log.
    pub writer: Mutex<Store>,
    pub sessions: auth::Sessions,
    pub limiter: auth::Limiter,
    /// Cookies carry `Secure` when served over TLS.
    pub secure: bool,
    pub windows: ResponseWindows,
    pub targets: crate::domain::report::quality::Targets,
    pub templates: render::Templates,
    /// A hash to check unknown names against, so they take as long as known ones.
    pub decoy_hash: String,
}

/// Serves until Ctrl-C or SIGTERM; requests under way are finished first.
pub fn run(store: Store, options: Options) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(READERS + 4)
        .enable_all()
        .build()
        .context("starting the web server")?;
    runtime.block_on(serve(store, options))
}

async fn serve(store: Store, options: Options) -> anyhow::Result<()> {
    let mut readers = Vec::with_capacity(READERS);
    for _ in 0..READERS {
        let conn = store
            .reader()
            .context("the web desk needs a database file, not memory")??;
        tune_reader(&conn).context("preparing a read connection")?;
        readers.push(conn);
    }
    let watch = store
        .reader()
        .context("the web desk needs a database file, not memory")??;
    let decoy_hash =
        crate::domain::account::hash_password("decoy password").map_err(|e| anyhow::anyhow!(e))?;
    let desk = Arc::new(Desk {
        pool: Arc::new(pool::Pool::new(readers)),
        cache: cache::Cache::new(cache::Watch::new(watch)),
        writer: Mutex::new(store),
        sessions: auth::Sessions::default(),
        limiter: auth::Limiter::default(),
        secure: options.tls.is_some(),
        windows: options.windows,
        targets: options.targets,
        templates: render::Templates::new()?,
        decoy_hash,
    });
    let app = pages::router(desk).into_make_service_with_connect_info::<SocketAddr>();
    let listener = std::net::TcpListener::bind(options.listen)
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    listener
        .set_nonblocking(true)
        .context("preparing the listening socket")?;
    let bound = listener
        .local_addr()
        .context("reading the listening address")?;
    let handle = axum_server::Handle::new();
    on_signal(handle.clone())?;
    match options.tls {
        Some(tls) => {
            // rustls is built with ring only (aws-lc-rs would need cmake and minutes of C
            // compiling on every machine); ring lacks only the post-quantum key exchange.
            // Installing it twice is harmless.
            #[allow(deprecated)]
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .with_context(|| {
                    format!(
                        "reading the TLS certificate {} and key {}",
                        tls.cert.display(),
                        tls.key.display()
                    )
                })?;
            eprintln!("web desk on https://{bound} (Ctrl-C stops it)");
            axum_server::from_tcp_rustls(listener, config)
                .context("starting the web server")?
                .handle(handle)
                .serve(app)
                .await
                .context("serving")?;
        }
        None => {
            eprintln!("web desk on http://{bound} (Ctrl-C stops it)");
            axum_server::from_tcp(listener)
                .context("starting the web server")?
                .handle(handle)
                .serve(app)
                .await
                .context("serving")?;
        }
    }
    eprintln!("web desk stopped");
    Ok(())
}

/// Statements kept prepared per read connection: an order's page alone runs a few dozen
/// different ones, and preparing them anew each time cost more than running them.
const STATEMENTS: usize = 128;
/// Each reader's own page cache, in KiB.
const READER_CACHE_KIB: i64 = 16 * 1024;
/// How much of an unencrypted file a reader maps into memory instead of copying it page by
/// page (SQLCipher never maps an encrypted one). Mapped pages are the system's file cache,
/// shared and given back under pressure, not the server's own memory.
const READER_MMAP_BYTES: i64 = 1 << 30;

fn tune_reader(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{READER_CACHE_KIB}; PRAGMA mmap_size = {READER_MMAP_BYTES};"
    ))
}

/// Ctrl-C or SIGTERM: stop taking connections, give the open ones a few seconds. The
/// handlers are in place when this returns, before the address is announced, so a signal
/// sent right after the announcement is never the default (abrupt) one.
#[cfg(unix)]
fn on_signal(handle: axum_server::Handle<SocketAddr>) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        handle.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    Ok(())
}

#[cfg(not(unix))]
fn on_signal(handle: axum_server::Handle<SocketAddr>) -> anyhow::Result<()> {
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        handle.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    Ok(())
}
