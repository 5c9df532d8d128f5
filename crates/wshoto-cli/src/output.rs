//! Writing results to standard output.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::exit::Failure;

/// Prints a JSON value, pretty, with `redact` applied to the text, followed by a newline.
pub fn print_json_redacted(
    value: &serde_json::Value,
    redact: impl Fn(&str) -> std::borrow::Cow<'_, str>,
) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::input(format!("cannot render the task as JSON: {e}")))?;
    let text = redact(&text);
    print_text(&format!("{}\n", crate::text::escape_json_text(&text)))
}

/// Prints a value as pretty JSON followed by a newline, written while it is serialized (no text
/// the size of the output is built first), with characters a terminal may act on escaped (the
/// value is unchanged). A closed pipe is not an error.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    // Buffered on both sides, so that the escaping sees large pieces, not serde's many small ones.
    let safe = TerminalSafe::new(BufWriter::with_capacity(64 * 1024, io::stdout().lock()));
    let mut out = BufWriter::with_capacity(64 * 1024, safe);
    if let Err(e) = serde_json::to_writer_pretty(&mut out, value) {
        return match e.io_error_kind() {
            Some(kind) => written(Err(io::Error::new(kind, e))),
            None => Err(Failure::input(format!(
                "cannot render the task as JSON: {e}"
            ))),
        };
    }
    written(
        out.write_all(b"\n")
            .and_then(|()| out.into_inner().map_err(io::IntoInnerError::into_error))
            .and_then(|mut safe| safe.finish()),
    )
}

/// Prints text as is. A closed pipe is not an error.
pub fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// The outcome of writing to standard output: a closed pipe (the reader went away) is not an
/// error.
fn written(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::io(format!("cannot write output: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// Passes JSON text through, with [`crate::text::escape_json_text`] applied on the way: text
/// without a byte that can begin a risky character goes straight through; a character cut
/// between two writes waits for its end.
struct TerminalSafe<W: Write> {
    inner: W,
    /// The start of a character whose end has not been written yet.
    pending: Vec<u8>,
}

impl<W: Write> TerminalSafe<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes what is pending (only a cut character, which serde never leaves) and flushes.
    fn finish(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.pending)?;
        self.pending.clear();
        self.inner.flush()
    }
}

/// A byte that can begin a character `escape_json_text` escapes: a control other than the
/// layout's, DEL, or the lead byte of U+0080–U+009F (C1) and U+2000–U+2FFF (bidi, separators).
fn may_begin_risky(byte: u8) -> bool {
    (byte < 0x20 && !matches!(byte, b'\n' | b'\r' | b'\t')) || matches!(byte, 0x7f | 0xc2 | 0xe2)
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // No early exit, so that the check runs over whole words.
        let risky = buf
            .iter()
            .fold(false, |risky, &byte| risky | may_begin_risky(byte));
        if self.pending.is_empty() && !risky {
            return self.inner.write_all(buf);
        }
        self.pending.extend_from_slice(buf);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // A character cut at the end: keep it for the next write.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Not UTF-8 (serde never writes that): passed on unchanged.
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(complete);
        match std::str::from_utf8(&self.pending) {
            Ok(text) => self
                .inner
                .write_all(crate::text::escape_json_text(text).as_bytes())?,
            Err(_) => self.inner.write_all(&self.pending)?,
        }
        self.pending = rest;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written in pieces of every size, the text comes out as `escape_json_text` of the whole.
    #[test]
    fn terminal_safe_json_matches_the_whole_text_escaped_whatever_the_pieces() {
        let value = serde_json::json!({
            "name": "a\u{202e}b\u{9b}c\u{7f}\u{2028}d…“中文”\u{1b}[2J",
            "list": ["\u{2066}x\u{2069}", "plain", "é"]
        });
        let text = serde_json::to_string_pretty(&value).expect("json");
        let expected = crate::text::escape_json_text(&text).into_owned();
        assert_ne!(expected, text, "the sample holds risky characters");
        for piece in 1..=7 {
            let mut out = TerminalSafe::new(Vec::new());
            for chunk in text.as_bytes().chunks(piece) {
                out.write_all(chunk).expect("writes");
            }
            out.finish().expect("finishes");
            assert_eq!(
                String::from_utf8(out.inner).expect("utf-8"),
                expected,
                "{piece}"
            );
        }
    }
}
