//! Off-site addresses: `s3://bucket/folder`, `webdav://host[:port]/folder` and
//! `webdavs://…`, with an object's name at the end for `restore`; never with credentials.

use super::{OffsiteError, Result};
use crate::i18n::tf;

/// Where off-site backups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    S3 {
        bucket: String,
        /// The folder inside the bucket, without slashes at either end ("" for the top).
        prefix: String,
    },
    Webdav {
        /// `http://host:port` or `https://host:port`.
        endpoint: String,
        /// The folder on the server, `/` at both ends.
        root: String,
    },
}

/// An off-site address: the folder of the backups, and an object in it when the URL names
/// one (`…/orderdesk-20261201-080000.db`, for `restore`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub location: Location,
    pub object: Option<String>,
    /// The URL as given, for messages (it never holds credentials).
    pub url: String,
}

/// `s3://`, `webdav://` or `webdavs://`: meant for this module rather than a local folder.
pub fn is_remote(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    ["s3://", "webdav://", "webdavs://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

impl Remote {
    /// Parses an off-site address; one with a user name or password in it is refused (they
    /// would end up in config files and shell histories).
    pub fn parse(text: &str) -> Result<Remote> {
        let shown = crate::domain::text::shown(text.trim()).into_owned();
        let bad = || OffsiteError::Address(tf("offsite.bad_url", &[("url", &shown)]));
        let url = url::Url::parse(text.trim()).map_err(|_| bad())?;
        if !url.username().is_empty() || url.password().is_some() {
            // Named without what it must not hold, so the password goes no further.
            let mut bare = url.clone();
            let _ = bare.set_username("");
            let _ = bare.set_password(None);
            let bare = crate::domain::text::shown(bare.as_str()).into_owned();
            return Err(OffsiteError::Address(tf(
                "offsite.url_credentials",
                &[("url", &bare)],
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad());
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| {
                s.filter(|p| !p.is_empty())
                    .map(|p| {
                        percent_decode(p)
                            .filter(|p| p != "." && p != "..")
                            .ok_or_else(bad)
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let (folder, object) = match segments.split_last() {
            Some((last, rest)) if last.ends_with(".db") => (rest.to_vec(), Some(last.clone())),
            _ => (segments, None),
        };
        let location = match url.scheme() {
            "s3" => {
                if url.port().is_some() {
                    return Err(bad());
                }
                Location::S3 {
                    bucket: host.to_string(),
                    prefix: folder.join("/"),
                }
            }
            scheme @ ("webdav" | "webdavs") => {
                let http = if scheme == "webdavs" { "https" } else { "http" };
                let endpoint = match url.port() {
                    Some(port) => format!("{http}://{host}:{port}"),
                    None => format!("{http}://{host}"),
                };
                let root = if folder.is_empty() {
                    "/".to_string()
                } else {
                    format!("/{}/", folder.join("/"))
                };
                Location::Webdav { endpoint, root }
            }
            _ => return Err(bad()),
        };
        Ok(Remote {
            location,
            object,
            url: shown,
        })
    }

    pub fn is_webdav(&self) -> bool {
        matches!(self.location, Location::Webdav { .. })
    }
}

/// A path segment as text: percent escapes decoded, and no control character in it.
fn percent_decode(segment: &str) -> Option<String> {
    let text = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    crate::domain::text::is_clean(&text, crate::domain::text::Lines::One).then_some(text)
}
