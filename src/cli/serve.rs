//! `orderdesk serve`: the read-only web desk. A non-loopback address needs TLS, or an
//! explicit `--insecure-lan` that prints a warning.

use super::open_existing;
use crate::config::Config;
use crate::web::{self, Options, Tls};
use anyhow::bail;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); needed with --tls-key for a non-loopback address
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (passwords and data cross the network unencrypted)
    #[arg(long)]
    pub insecure_lan: bool,
    /// Why the desk is shared (kept in the audit log; else asked on an encrypted database)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn serve(db: PathBuf, config: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(Tls { cert, key }),
        _ => None,
    };
    if tls.is_none() && !args.listen.ip().is_loopback() {
        if !args.insecure_lan {
            bail!(
                "{} is reachable from other machines: give --tls-cert FILE --tls-key FILE, \
                 or --insecure-lan to send passwords and data unencrypted on a trusted network",
                args.listen
            );
        }
        eprintln!(
            "WARNING: serving plain HTTP on {}: passwords and data cross the network unencrypted",
            args.listen
        );
    }
    // The passphrase of an encrypted desk is asked once, here.
    let mut store = open_existing(db)?;
    if let Some(reason) = super::authorise::authorise(&store, "authorise.what_serve", args.reason)?
    {
        super::authorise::record(&mut store, "serve", &args.listen.to_string(), &reason)?;
    }
    let options = Options {
        listen: args.listen,
        tls,
        windows: config.complaint_windows.windows(),
        targets: config.targets,
    };
    web::run(store, options)?;
    Ok(ExitCode::SUCCESS)
}
