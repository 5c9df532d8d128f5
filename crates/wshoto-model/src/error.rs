//! Decode errors that name the JSON path of the problem.

use std::fmt;

use serde::Deserialize;

/// A problem in a JSON document, located by its path from the envelope's root
/// (`data.filter_range_info.range_info.chat_list[0].status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPathError {
    /// Where: dotted field names and `[index]`; empty for the document's root.
    pub path: String,
    /// What: the parser's one-line message.
    pub message: String,
}

impl JsonPathError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same error with its texts (path and message) passed through `f`, for a caller that
    /// must scrub or escape what came from the input.
    pub fn map_text(self, mut f: impl FnMut(&str) -> String) -> Self {
        Self {
            path: f(&self.path),
            message: f(&self.message),
        }
    }

    /// The same error one level deeper: `prefix` goes in front of the path.
    pub(crate) fn under(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }
}

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonPathError {}

/// Why a response could not be turned into a task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input was empty or only white space.
    #[error("empty input: expected a JSON response envelope {{\"code\", \"msg\", \"data\"}}")]
    Empty,
    /// The API answered with a non-zero `code`.
    #[error("API error {code}: {msg}")]
    Api {
        /// `code` (出错返回码).
        code: i64,
        /// `msg` (返回码描述), on one line and cut short: for messages.
        msg: String,
        /// `msg` exactly as received (empty when absent): for logs that keep the server's words.
        raw_msg: String,
    },
    /// The input is not JSON, or a value has the wrong type; the path says where.
    #[error("{0}")]
    Json(JsonPathError),
    /// [`crate::decode_strict`] only: `range_info` did not fit the schema of its `filter_type`.
    #[error("{0}")]
    Range(JsonPathError),
}

impl DecodeError {
    /// The JSON path of the problem, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Json(e) | Self::Range(e) => Some(&e.path),
            _ => None,
        }
    }

    /// The API error code, for [`DecodeError::Api`].
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The same error with every text that came from the input (the API `msg`, a path, a
    /// parser message quoting a value) passed through `f`.
    pub fn map_text(self, mut f: impl FnMut(&str) -> String) -> Self {
        match self {
            Self::Empty => Self::Empty,
            Self::Api { code, msg, raw_msg } => Self::Api {
                code,
                msg: f(&msg),
                raw_msg: f(&raw_msg),
            },
            Self::Json(e) => Self::Json(e.map_text(f)),
            Self::Range(e) => Self::Range(e.map_text(f)),
        }
    }
}

/// Requires a JSON object where one is due: serde would otherwise read a struct from an array
/// by position. `what` names the object in the message.
pub(crate) fn expect_object(text: &str, path: &str, what: &str) -> Result<(), JsonPathError> {
    let trimmed = text.trim_start();
    let found = match trimmed.bytes().next() {
        Some(b'{') => return Ok(()),
        None => "nothing",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(b't' | b'f') if trimmed.starts_with("true") || trimmed.starts_with("false") => {
            "a boolean"
        }
        Some(b'n') if trimmed.starts_with("null") => "null",
        Some(b'<') => "text that is not JSON (it looks like an HTML page, such as a gateway error)",
        Some(_) => "text that is not JSON",
    };
    Err(JsonPathError::new(
        path,
        format!("expected {what}, found {found}"),
    ))
}

/// Joins two path fragments: `data` + `task_id`, `data` + `[0]`.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if rest.starts_with('[') => format!("{prefix}{rest}"),
        (false, false) => format!("{prefix}.{rest}"),
    }
}

/// Where a parsed text sits, so that the parser's line and column can be reported truthfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A part of the envelope starting at this line and column (1-based, columns in bytes).
    Envelope {
        /// Line of the text's first byte.
        line: usize,
        /// Column of the text's first byte.
        column: usize,
    },
    /// The document embedded in the `range_info` string: positions count inside the string.
    Embedded,
}

impl Origin {
    /// The origin of `part`, a slice of `whole`.
    pub(crate) fn of(whole: &[u8], part: &str) -> Self {
        let offset = (part.as_ptr() as usize)
            .checked_sub(whole.as_ptr() as usize)
            .filter(|offset| *offset <= whole.len())
            .unwrap_or(0);
        let before = &whole[..offset];
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        Self::Envelope {
            line: 1 + before.iter().filter(|b| **b == b'\n').count(),
            column: 1 + offset - line_start,
        }
    }
}

/// Deserializes a whole JSON document, trailing characters included, reporting the path of any
/// error under `prefix` and its position relative to `origin`.
pub(crate) fn from_str_with_path<'de, T>(
    text: &'de str,
    prefix: &str,
    origin: Origin,
) -> Result<T, JsonPathError>
where
    T: Deserialize<'de>,
{
    // The fast path parses without tracking; only a failure is parsed again to find its path.
    match read_whole(serde_json::Deserializer::from_str(text)) {
        Ok(value) => Ok(value),
        Err(_) => Err(locate_error::<T, _>(
            serde_json::Deserializer::from_str(text),
            prefix,
            origin,
        )),
    }
}

/// Deserializes a whole JSON document from bytes, as [`from_str_with_path`] does.
pub(crate) fn from_slice_with_path<'de, T>(
    bytes: &'de [u8],
    prefix: &str,
) -> Result<T, JsonPathError>
where
    T: Deserialize<'de>,
{
    let origin = Origin::Envelope { line: 1, column: 1 };
    match read_whole(serde_json::Deserializer::from_slice(bytes)) {
        Ok(value) => Ok(value),
        Err(_) => Err(locate_error::<T, _>(
            serde_json::Deserializer::from_slice(bytes),
            prefix,
            origin,
        )),
    }
}

/// Deserializes a value and checks that only white space follows it.
fn read_whole<'de, R, T>(mut de: serde_json::Deserializer<R>) -> Result<T, serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    T: Deserialize<'de>,
{
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Parses again, tracking the path, to report where the document fails.
fn locate_error<'de, T, R>(
    mut de: serde_json::Deserializer<R>,
    prefix: &str,
    origin: Origin,
) -> JsonPathError
where
    R: serde_json::de::Read<'de>,
    T: Deserialize<'de>,
{
    let mut track = serde_path_to_error::Track::new();
    let result = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    match result.map(|_| de.end()) {
        Err(e) => locate(&e, &track.path().to_string(), prefix, origin),
        Ok(Err(trailing)) => locate(&trailing, "", prefix, origin),
        // Deterministic parsing fails the same way twice; this is only a fallback.
        Ok(Ok(())) => JsonPathError::new(prefix, "the document failed to decode"),
    }
}

fn locate(error: &serde_json::Error, path: &str, prefix: &str, origin: Origin) -> JsonPathError {
    let path = if path == "." { "" } else { path };
    JsonPathError::new(
        escape_controls(&cut_middle(
            &join_path(prefix, &collapse_repeats(path)),
            MAX_PATH_CHARS,
        )),
        describe(error, origin),
    )
}

/// Control characters (which object keys in the input may hold) written as escapes, so that a
/// path stays on one line.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The longest path in an error; map keys come from the input and may be of any length.
const MAX_PATH_CHARS: usize = 160;
/// The most characters of a value the parser quotes in its message.
const MAX_QUOTED_CHARS: usize = 40;
/// The longest parser message kept, in bytes.
const MAX_MESSAGE_BYTES: usize = 400;

/// The start of a value from the input, for a message: at most [`MAX_QUOTED_CHARS`]
/// characters, then `…`.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `text` cut in the middle with `…` when longer than `max` characters.
fn cut_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max / 2).collect();
    let tail: String = text.chars().skip(count - max / 2).collect();
    format!("{head}…{tail}")
}

/// The parser's message with each quoted value (between `"` or backticks, `\"` escapes
/// inside) cut to a short excerpt: a wrong-typed field of megabytes must not make a megabyte
/// error. The whole message is capped too, whatever its quoting.
fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut quoted: Option<(char, usize)> = None;
    let mut escaped = false;
    for c in message.chars() {
        if out.len() >= MAX_MESSAGE_BYTES {
            out.push('…');
            break;
        }
        let was_escaped = std::mem::take(&mut escaped);
        match quoted {
            Some((close, _)) if c == close && !was_escaped => {
                quoted = None;
                out.push(c);
            }
            Some((close, count)) => {
                escaped = c == '\\' && !was_escaped;
                if count < MAX_QUOTED_CHARS {
                    out.push(c);
                } else if count == MAX_QUOTED_CHARS {
                    out.push('…');
                }
                quoted = Some((close, count + 1));
            }
            None => {
                if c == '"' || c == '`' {
                    quoted = Some((c, 0));
                }
                out.push(c);
            }
        }
    }
    out
}

/// Runs of one segment longer than this are written once with a count.
const MAX_REPEATS: usize = 3;

/// Shortens a path through deep nesting: `a[0][0][0][0][0]` becomes `a[0]×5`.
fn collapse_repeats(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in path.char_indices() {
        if i > start && (c == '.' || c == '[') {
            segments.push(&path[start..i]);
            start = i;
        }
    }
    segments.push(&path[start..]);
    let mut out = String::with_capacity(path.len().min(256));
    let mut i = 0;
    while i < segments.len() {
        let run = segments[i..]
            .iter()
            .take_while(|s| **s == segments[i])
            .count();
        if run > MAX_REPEATS {
            out.push_str(&format!("{}×{run}", segments[i]));
        } else {
            for _ in 0..run {
                out.push_str(segments[i]);
            }
        }
        i += run;
    }
    out
}

/// The parser's message on one line, with its position in the envelope (or in the embedded
/// document, said as such).
fn describe(error: &serde_json::Error, origin: Origin) -> String {
    let full = error.to_string();
    let location = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&location).unwrap_or(&full);
    let message = shorten_quotes(&message.replace(['\n', '\r'], " "));
    let (line, column) = (error.line(), error.column());
    match origin {
        _ if line == 0 => message,
        Origin::Embedded => {
            format!("{message} (line {line} column {column} of the embedded document)")
        }
        Origin::Envelope {
            line: first_line,
            column: first_column,
        } => {
            let (line, column) = if line == 1 {
                (first_line, first_column + column - 1)
            } else {
                (first_line + line - 1, column)
            };
            format!("{message} at line {line} column {column}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_paths_are_collapsed_with_a_count() {
        assert_eq!(collapse_repeats("a[0][0][0][0][0].b"), "a[0]×5.b");
        assert_eq!(collapse_repeats("a[0][0][0]"), "a[0][0][0]");
        assert_eq!(collapse_repeats("x.a.a.a.a"), "x.a×4");
        assert_eq!(collapse_repeats(""), "");
        assert_eq!(
            collapse_repeats("chat_list[0].status"),
            "chat_list[0].status"
        );
    }

    #[test]
    fn quoted_values_and_long_paths_are_cut_short() {
        let long = "Y".repeat(4_000_000);
        let message = format!("invalid type: string \"{long}\", expected i64");
        let short = shorten_quotes(&message);
        assert_eq!(
            short,
            format!("invalid type: string \"{}…\", expected i64", "Y".repeat(40))
        );
        assert_eq!(
            shorten_quotes("unknown field `a`, expected `b`"),
            "unknown field `a`, expected `b`"
        );
        // Escaped quotes inside a quoted value do not end it.
        let tricky = format!(
            "found the string \"a\\\"b{}\" at line 1",
            "\\\"x".repeat(1000)
        );
        let short = shorten_quotes(&tricky);
        assert!(short.len() < 120, "{short}");
        assert!(short.ends_with("\" at line 1"), "{short}");
        // Whatever the quoting, the message is capped.
        let odd = format!("{}\"{}", "`".repeat(999), "z".repeat(9999));
        assert!(shorten_quotes(&odd).len() <= MAX_MESSAGE_BYTES + 4);
        let path = format!("data.{}", "k".repeat(1000));
        let cut = cut_middle(&path, MAX_PATH_CHARS);
        assert_eq!(cut.chars().count(), MAX_PATH_CHARS + 1);
        assert!(cut.starts_with("data.kkk") && cut.contains('…'));
    }

    #[test]
    fn keys_with_control_characters_keep_the_path_on_one_line() {
        assert_eq!(escape_controls("data.a\nb\u{1b}c"), "data.a\\nb\\u{1b}c");
        assert_eq!(escape_controls("data.task_id"), "data.task_id");
    }

    #[test]
    fn origins_count_lines_and_byte_columns() {
        let whole = "{\n  \"data\": {}}";
        let part = &whole[12..];
        assert_eq!(
            Origin::of(whole.as_bytes(), part),
            Origin::Envelope {
                line: 2,
                column: 11
            }
        );
        assert_eq!(
            Origin::of(whole.as_bytes(), whole),
            Origin::Envelope { line: 1, column: 1 }
        );
    }

    #[test]
    fn paths_join_with_dots_and_brackets() {
        assert_eq!(join_path("data", "task_id"), "data.task_id");
        assert_eq!(join_path("data", "[0]"), "data[0]");
        assert_eq!(join_path("", "code"), "code");
        assert_eq!(join_path("data", ""), "data");
    }
}
