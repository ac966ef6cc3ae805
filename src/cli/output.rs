//! Standard output for the commands: `-o -` means standard output, a reader that stops early
//! (`| head`) ends the command quietly with exit 0, and text bound for a terminal has its
//! control characters made visible (see `domain::text`) so stored text can never drive it.

use crate::domain::text;
use anyhow::Context as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `-o FILE` as a file to write, or `None` for standard output (no `-o`, or `-o -`).
pub fn file(output: Option<PathBuf>) -> Option<PathBuf> {
    output.filter(|p| p.as_os_str() != "-")
}

/// The command stopped because its reader went away: not an error.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// Writes `bytes` to standard output; a closed pipe is not an error.
pub fn print(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing to standard output")
        }
        _ => Ok(()),
    }
}

/// Standard output for a stream of text: on a terminal, every line goes through
/// `text::shown_lines` (whole lines, so no character is split); elsewhere bytes pass as they
/// are, so a script gets exactly what a file would hold.
pub fn text_stdout() -> Box<dyn Write> {
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        Box::new(Shown::new(std::io::BufWriter::new(stdout)))
    } else {
        Box::new(std::io::BufWriter::new(stdout))
    }
}

/// A writer that makes control characters visible, line by line. Only the current line is
/// held in memory.
pub struct Shown<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Shown<W> {
    pub fn new(inner: W) -> Self {
        Shown {
            inner,
            line: Vec::new(),
        }
    }

    fn emit(&mut self) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.line);
        // A CSV line end is CRLF or LF; the CR is the line end, not a control to show.
        let (body, end) = match text.strip_suffix("\r\n") {
            Some(b) => (b, "\n"),
            None => match text.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (text.as_ref(), ""),
            },
        };
        self.inner.write_all(text::shown_lines(body).as_bytes())?;
        self.inner.write_all(end.as_bytes())?;
        self.line.clear();
        Ok(())
    }
}

impl<W: Write> Write for Shown<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(part);
            if part.ends_with(b"\n") {
                self.emit()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Shown<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_lines_stay() {
        let mut out = Vec::new();
        {
            let mut w = Shown::new(&mut out);
            w.write_all(b"code,name\r\nC1,Acme\x1b]0;pw").unwrap();
            w.write_all(b"ned\x07\nC2,\xe4\xb8\x8a\xe6").unwrap();
            w.write_all("\u{b5}7\u{202e}x".as_bytes()).unwrap();
            w.flush().unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{202e}'));
        assert!(
            text.starts_with("code,name\nC1,Acme␛]0;pwned␇\nC2,上"),
            "{text}"
        );
    }

    #[test]
    fn a_dash_is_standard_output() {
        assert_eq!(file(Some("-".into())), None);
        assert_eq!(file(None), None);
        assert_eq!(file(Some("./-".into())), Some(PathBuf::from("./-")));
    }

    #[test]
    fn broken_pipes_are_found_under_context() {
        let e = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing CSV");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("disk full")));
    }
}
