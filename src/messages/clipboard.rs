//! Copying a draft: the desktop's clipboard tool when there is one, else the terminal's own
//! clipboard escape (OSC 52), which also reaches the clerk's machine over SSH and tmux.

use base64::Engine;
use std::io::Write;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// By a clipboard program, e.g. `wl-copy`.
    Program(&'static str),
    /// By the OSC 52 escape sent to the terminal.
    Terminal,
}

/// Clipboard programs worth trying here, most specific first.
fn programs() -> Vec<(&'static str, &'static [&'static str])> {
    let mut out: Vec<(&'static str, &'static [&'static str])> = Vec::new();
    if cfg!(target_os = "macos") {
        out.push(("pbcopy", &[]));
    }
    if std::env::var_os("WAYLAND_DISPLAY").is_some() {
        out.push(("wl-copy", &[]));
    }
    if std::env::var_os("DISPLAY").is_some() {
        out.push(("xclip", &["-selection", "clipboard"]));
        out.push(("xsel", &["--clipboard", "--input"]));
    }
    out
}

fn run(program: &str, args: &[&str], text: &str) -> bool {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    child.wait().is_ok_and(|s| s.success()) && written
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Puts `text` on the clipboard.
pub fn copy(text: &str) -> std::io::Result<Copied> {
    for (program, args) in programs() {
        if run(program, args, text) {
            return Ok(Copied::Program(program));
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    Ok(Copied::Terminal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        let seq = osc52("订单 SO-1");
        assert!(seq.starts_with("\x1b]52;c;") && seq.ends_with('\x07'));
        let payload = &seq["\x1b]52;c;".len()..seq.len() - 1];
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "订单 SO-1");
    }
}
