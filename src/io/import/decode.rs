//! Text files as Excel and WPS save them: UTF-8 with or without a BOM, UTF-16 with a BOM
//! ("Unicode text", usually tab-separated) and GB18030/GBK (what Chinese Excel writes as
//! "CSV"). The encoding is told from the BOM, else from the first bytes (`chardetng`), or
//! forced; the bytes are then decoded to UTF-8 as they stream, and the first byte that is not
//! text in that encoding stops the reading.

use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030, UTF_16LE, UTF_8};
use std::io::{self, Read};

/// The encodings an import reads, as `--encoding` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextEncoding {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "utf-16")]
    Utf16,
    #[value(name = "gb18030")]
    Gb18030,
    #[value(name = "gbk")]
    Gbk,
}

/// How many bytes are looked at to tell the encoding.
pub const SNIFF: usize = 64 * 1024;

/// The name the summary line gives an encoding.
pub fn name(encoding: &'static Encoding) -> &'static str {
    if encoding == UTF_8 {
        "UTF-8"
    } else if encoding == UTF_16LE || encoding == encoding_rs::UTF_16BE {
        "UTF-16"
    } else if encoding == encoding_rs::GBK {
        "GBK"
    } else {
        "GB18030"
    }
}

/// The encoding of a file that starts with `head` (the whole file when it is shorter than
/// `SNIFF`), or `None` when it is none of those read.
pub fn detect(head: &[u8], forced: Option<TextEncoding>) -> Option<&'static Encoding> {
    let bom = Encoding::for_bom(head).map(|(e, _)| e);
    match forced {
        Some(TextEncoding::Utf8) => return Some(UTF_8),
        Some(TextEncoding::Utf16) => {
            return Some(bom.filter(|e| *e != UTF_8).unwrap_or(UTF_16LE));
        }
        // GBK is a subset of GB18030, and encoding_rs decodes both the same way.
        Some(TextEncoding::Gb18030) => return Some(GB18030),
        Some(TextEncoding::Gbk) => return Some(encoding_rs::GBK),
        None => {}
    }
    if bom.is_some() {
        return bom;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Some(UTF_8),
        // A sample cut in the middle of a character is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() >= SNIFF => return Some(UTF_8),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, head.len() < SNIFF);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    (guess == encoding_rs::GBK || guess == GB18030).then_some(GB18030)
}

/// Where decoding failed: the byte offset in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not text in the file's encoding at byte {byte}")]
pub struct Undecodable {
    pub byte: u64,
}

/// Reads `inner` in its encoding and gives UTF-8 bytes, the BOM left out.
pub struct Decode<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    done: bool,
    output: Box<[u8]>,
    out_pos: usize,
    out_len: usize,
    /// Bytes of the file decoded so far.
    consumed: u64,
    /// Where the first byte that is not text was.
    bad: Option<u64>,
}

impl<R: Read> Decode<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Decode<R> {
        Decode {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 32 * 1024].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            eof: false,
            done: false,
            output: vec![0; 64 * 1024].into_boxed_slice(),
            out_pos: 0,
            out_len: 0,
            consumed: 0,
            bad: None,
        }
    }
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = buf.len().min(self.out_len - self.out_pos);
                buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if let Some(byte) = self.bad {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Undecodable { byte },
                ));
            }
            if self.done {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.eof {
                self.in_len = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_pos..self.in_len],
                &mut self.output,
                self.eof,
            );
            self.in_pos += read;
            self.consumed += read as u64;
            self.out_pos = 0;
            self.out_len = written;
            match result {
                DecoderResult::InputEmpty if self.eof => self.done = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, _) => {
                    // Whatever was decoded before the bad bytes is given first.
                    self.done = true;
                    self.bad = Some(self.consumed.saturating_sub(u64::from(bad)));
                }
            }
            if self.out_len == 0 {
                if let Some(byte) = self.bad {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        Undecodable { byte },
                    ));
                }
            }
        }
    }
}
