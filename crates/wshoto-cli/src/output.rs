//! Writing results to standard output.

use std::io::Write;

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

/// Prints a JSON value, pretty, followed by a newline, with characters a terminal may act on
/// escaped (the value is unchanged). A closed pipe is not an error.
pub fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    print_json_redacted(value, |text: &str| std::borrow::Cow::Borrowed(text))
}

/// Prints text as is. A closed pipe is not an error.
pub fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::io(format!("cannot write output: {e}"))),
        Ok(()) => Ok(()),
    }
}
