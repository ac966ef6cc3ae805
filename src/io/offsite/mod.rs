//! Off-site backups (`backup --to URL`, `offsite = "URL"` in config, `restore URL`): a
//! checked local backup copied to S3-compatible storage (`s3://bucket/prefix`, which also
//! covers Aliyun OSS and Tencent COS) or a WebDAV folder (`webdav://host[:port]/path`,
//! `webdavs://` over TLS), where the 30 newest are kept; and a remote backup fetched back into
//! a local file for `restore`.
//!
//! Credentials never come from config or the URL: S3 takes the standard AWS variables,
//! WebDAV `ORDERDESK_WEBDAV_USER` and `ORDERDESK_WEBDAV_PASSWORD` (or what the command line
//! asked). An object appears under its final name only when it is whole: an S3 upload (one
//! PUT, or a multipart upload for a large file) is committed by the server at its end, and is
//! aborted on failure; a WebDAV upload (one request: WebDAV has no multipart upload) goes to a
//! hidden `.NAME.partial` that is moved to NAME once complete, and removed when it fails (or,
//! when the server was gone, by the next upload).

use crate::i18n::tf;
use crate::store::backup;
use crate::store::cipher::Passphrase;
use opendal::{services, ErrorKind, Operator};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

pub const WEBDAV_USER: &str = "ORDERDESK_WEBDAV_USER";
pub const WEBDAV_PASSWORD: &str = "ORDERDESK_WEBDAV_PASSWORD";

/// Bytes per read, write and multipart part: memory stays bounded for any size of file.
const CHUNK: usize = 8 << 20;

/// How long a silent server is waited for before the copy counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// A WebDAV login, kept in memory only.
pub struct Login {
    pub user: String,
    pub password: Passphrase,
}

impl Login {
    /// From `ORDERDESK_WEBDAV_USER` and `ORDERDESK_WEBDAV_PASSWORD`, when both are set.
    pub fn from_env() -> Option<Login> {
        let user = std::env::var(WEBDAV_USER).ok().filter(|u| !u.is_empty())?;
        let password = std::env::var(WEBDAV_PASSWORD).ok()?;
        Some(Login {
            user,
            password: Passphrase::new(password),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OffsiteError {
    /// Not an address this program can use; the message says which ones are.
    #[error("{0}")]
    Address(String),
    /// No credentials where they must come from; the message names the variables.
    #[error("{0}")]
    Credentials(String),
    /// The server refused the login.
    #[error("{0}")]
    Refused(String),
    /// Anything else: the server, the network or a local file.
    #[error("{0}")]
    Failed(String),
}

pub type Result<T> = std::result::Result<T, OffsiteError>;

mod address;
pub use address::{is_remote, Location, Remote};

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The object's name in the remote folder.
    pub name: String,
    /// Older backups removed there to keep [`backup::KEEP`].
    pub removed: usize,
    /// Backups of this database there now.
    pub kept: usize,
}

/// Copies the local backup `file` (a checked backup of the database named `stem`) into the
/// remote folder under its own name, checks its size there, then keeps the `keep` newest
/// backups of `stem` there and removes the rest.
pub fn upload(
    remote: &Remote,
    login: Option<&Login>,
    file: &Path,
    stem: &str,
    keep: usize,
) -> Result<Uploaded> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| failed(remote, "upload", "no file name"))?;
    let size = std::fs::metadata(file).map_err(|e| local(file, e))?.len();
    let op = operator(remote, login)?;
    block_on(remote, async {
        match &remote.location {
            // A PUT or a multipart upload is committed by the server only when whole.
            Location::S3 { .. } => put(remote, &op, file, &name).await?,
            Location::Webdav { .. } => {
                let partial = format!(".{name}.partial");
                if let Err(e) = put_whole(remote, &op, file, &partial).await {
                    let _ = op.delete(&partial).await;
                    return Err(e);
                }
                op.rename(&partial, &name)
                    .await
                    .map_err(|e| remote_err(remote, "upload", e))?;
            }
        }
        let there = op
            .stat(&name)
            .await
            .map_err(|e| remote_err(remote, "upload", e))?
            .content_length();
        if there != size {
            return Err(failed(
                remote,
                "upload",
                &format!("{there} bytes arrived of {size}"),
            ));
        }
        let names = list_names(remote, &op).await?;
        let mut ours: Vec<_> = names
            .iter()
            .filter_map(|n| Some((backup::parse_name(n, stem)?, n)))
            .collect();
        ours.sort();
        let excess = ours.len().saturating_sub(keep);
        for (_, old) in &ours[..excess] {
            op.delete(old)
                .await
                .map_err(|e| remote_err(remote, "prune", e))?;
        }
        // Temporary objects of uploads that died with their server.
        for stale in names
            .iter()
            .filter(|n| n.starts_with(&format!(".{stem}-")) && n.ends_with(".partial"))
        {
            let _ = op.delete(stale).await;
        }
        Ok(Uploaded {
            name: name.clone(),
            removed: excess,
            kept: ours.len() - excess,
        })
    })?
}

/// The names in the remote folder (not in its subfolders); none when it does not exist yet.
pub fn list(remote: &Remote, login: Option<&Login>) -> Result<Vec<String>> {
    let op = operator(remote, login)?;
    block_on(remote, list_names(remote, &op))?
}

/// Fetches the object the URL names, else the newest backup in its folder (of `stem` when
/// there are any, else of any database), into `to` (created readable by its owner only).
/// Returns the object's name.
pub fn fetch(remote: &Remote, login: Option<&Login>, stem: &str, to: &Path) -> Result<String> {
    let op = operator(remote, login)?;
    block_on(remote, async {
        let name = match &remote.object {
            Some(name) => name.clone(),
            None => newest(&list_names(remote, &op).await?, stem).ok_or_else(|| {
                OffsiteError::Failed(tf(
                    "offsite.no_backups",
                    &[("url", &remote.url), ("stem", &stem)],
                ))
            })?,
        };
        let size = op
            .stat(&name)
            .await
            .map_err(|e| remote_err(remote, "fetch", e))?
            .content_length();
        let reader = op
            .reader(&name)
            .await
            .map_err(|e| remote_err(remote, "fetch", e))?;
        let _ = std::fs::remove_file(to);
        crate::store::create_private_file(to).map_err(|e| OffsiteError::Failed(e.to_string()))?;
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(to)
            .map_err(|e| local(to, e))?;
        let mut at = 0u64;
        while at < size {
            let end = (at + CHUNK as u64).min(size);
            let part = reader
                .read(at..end)
                .await
                .map_err(|e| remote_err(remote, "fetch", e))?;
            if part.is_empty() {
                return Err(failed(remote, "fetch", "the object ended early"));
            }
            at += part.len() as u64;
            for bytes in part {
                out.write_all(&bytes).map_err(|e| local(to, e))?;
            }
        }
        out.sync_all().map_err(|e| local(to, e))?;
        Ok(name)
    })?
}

/// The newest backup among `names`: of `stem` when there is one, else of any database.
fn newest(names: &[String], stem: &str) -> Option<String> {
    let pick = |parse: &dyn Fn(&str) -> Option<(chrono::NaiveDateTime, u32)>| {
        names
            .iter()
            .filter_map(|n| Some((parse(n)?, n.clone())))
            .max()
            .map(|(_, n)| n)
    };
    pick(&|n| backup::parse_name(n, stem)).or_else(|| pick(&any_backup))
}

/// The time and sequence in the name of a backup of any database (`STEM-YYYYMMDD-HHMMSS.db`).
fn any_backup(name: &str) -> Option<(chrono::NaiveDateTime, u32)> {
    if name.starts_with('.') {
        return None;
    }
    name.match_indices('-')
        .find_map(|(i, _)| backup::parse_name(name, &name[..i]))
}

async fn list_names(remote: &Remote, op: &Operator) -> Result<Vec<String>> {
    match op.list("/").await {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter(|e| e.metadata().is_file())
            .map(|e| e.name().to_string())
            .collect()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(remote_err(remote, "list", e)),
    }
}

/// Streams `file` to `name` a chunk at a time; on any failure the upload is aborted, so no
/// part of it is left under `name`.
async fn put(remote: &Remote, op: &Operator, file: &Path, name: &str) -> Result<()> {
    let mut source = std::fs::File::open(file).map_err(|e| local(file, e))?;
    let mut writer = op
        .writer_with(name)
        .chunk(CHUNK)
        .await
        .map_err(|e| remote_err(remote, "upload", e))?;
    let result = async {
        loop {
            let mut buf = vec![0u8; CHUNK];
            let n = read_full(&mut source, &mut buf).map_err(|e| local(file, e))?;
            if n == 0 {
                break;
            }
            buf.truncate(n);
            writer
                .write(buf)
                .await
                .map_err(|e| remote_err(remote, "upload", e))?;
        }
        writer
            .close()
            .await
            .map_err(|e| remote_err(remote, "upload", e))
    }
    .await;
    if result.is_err() {
        let _ = writer.abort().await;
    }
    result.map(drop)
}

/// Sends `file` to `name` in one request, as WebDAV takes it. The file is mapped rather than
/// read, so its pages are the page cache's (dropped under memory pressure), not the heap's.
async fn put_whole(remote: &Remote, op: &Operator, file: &Path, name: &str) -> Result<()> {
    let f = std::fs::File::open(file).map_err(|e| local(file, e))?;
    // SAFETY: the file is a finished backup of this program's own (written under a temporary
    // name, checked, synced, then renamed into the backup folder); nothing writes to or
    // truncates it afterwards. Removing it (pruning) leaves the mapping valid.
    let map = unsafe { memmap2::Mmap::map(&f) }.map_err(|e| local(file, e))?;
    let body = opendal::Buffer::from(bytes::Bytes::from_owner(map));
    op.write(name, body)
        .await
        .map(drop)
        .map_err(|e| remote_err(remote, "upload", e))
}

/// Reads until `buf` is full or the file ends; how many bytes.
fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn operator(remote: &Remote, login: Option<&Login>) -> Result<Operator> {
    // reqwest is built without a TLS provider of its own; this process uses ring throughout
    // (see `web::run`: ring lacks only the post-quantum key exchange). Installing it twice is
    // harmless.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .build()
        .map_err(|e| failed(remote, "connect", &e.to_string()))?;
    let op = match &remote.location {
        Location::S3 { bucket, prefix } => {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            let (Some(key), Some(secret)) =
                (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
            else {
                return Err(OffsiteError::Credentials(tf(
                    "offsite.s3_keys",
                    &[("url", &remote.url)],
                )));
            };
            let region = var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| "us-east-1".to_string());
            // Only the variables named in the README: no profile files, and no instance
            // metadata service (which would be a request to an address off this machine).
            let mut b = services::S3::default()
                .bucket(bucket)
                .root(&format!("/{prefix}"))
                .region(&region)
                .access_key_id(&key)
                .secret_access_key(&secret)
                .disable_config_load()
                .disable_ec2_metadata();
            if let Some(endpoint) = var("AWS_ENDPOINT_URL") {
                b = b.endpoint(endpoint.trim_end_matches('/'));
            }
            if let Some(token) = var("AWS_SESSION_TOKEN") {
                b = b.session_token(&token);
            }
            Operator::new(b)
        }
        Location::Webdav { endpoint, root } => {
            let login = login.ok_or_else(|| {
                OffsiteError::Credentials(tf("offsite.webdav_login", &[("url", &remote.url)]))
            })?;
            Operator::new(
                services::Webdav::default()
                    .endpoint(endpoint)
                    .root(root)
                    .username(&login.user)
                    .password(&login.password),
            )
        }
    }
    .map_err(|e| remote_err(remote, "connect", e))?;
    let transport = opendal::HttpTransporter::new(
        opendal_http_transport_reqwest::ReqwestTransport::new(client),
    );
    let context = op.context().with_http_transport(transport);
    Ok(op.with_context(context))
}

/// Runs `work` to its end on a runtime of its own (the callers are plain threads).
fn block_on<F: std::future::Future>(remote: &Remote, work: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(remote, "connect", &e.to_string()))?;
    Ok(runtime.block_on(work))
}

fn local(path: &Path, e: std::io::Error) -> OffsiteError {
    OffsiteError::Failed(format!("{}: {e}", path.display()))
}

fn failed(remote: &Remote, action: &str, detail: &str) -> OffsiteError {
    OffsiteError::Failed(tf(
        "offsite.failed",
        &[
            ("url", &remote.url),
            (
                "action",
                &crate::i18n::t(&format!("offsite.action_{action}")),
            ),
            ("detail", &detail),
        ],
    ))
}

/// One line for an error of the storage service: what was refused or failed, and the
/// server's own words.
fn remote_err(remote: &Remote, action: &str, e: opendal::Error) -> OffsiteError {
    let detail = detail(&e);
    // A WebDAV server's 401 comes through as an unexpected error; its response says which.
    let unauthorised = e.to_string().contains("status: 401");
    match e.kind() {
        _ if unauthorised => OffsiteError::Refused(tf(
            "offsite.refused",
            &[("url", &remote.url), ("detail", &detail)],
        )),
        ErrorKind::PermissionDenied => OffsiteError::Refused(tf(
            "offsite.refused",
            &[("url", &remote.url), ("detail", &detail)],
        )),
        ErrorKind::NotFound => OffsiteError::Failed(tf(
            "offsite.not_found",
            &[("url", &remote.url), ("detail", &detail)],
        )),
        _ => failed(remote, action, &detail),
    }
}

/// The error's message and its causes, on one line and short; an HTML error page by its
/// title.
fn detail(e: &opendal::Error) -> String {
    let mut text = readable(e.message());
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = one_line.chars().take(300).collect();
    crate::domain::text::shown(&cut).into_owned()
}

/// A server's error body as text: an HTML page's title (else its text without tags).
fn readable(message: &str) -> String {
    if !message.contains('<') {
        return message.to_string();
    }
    let lower = message.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        if start + 7 <= end {
            return message[start + 7..end].trim().to_string();
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in message.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
