//! Keeping secrets out of everything the server sends back.
//!
//! A server may echo what it received — in a gateway page, an API `msg`, a wrong-typed field —
//! and so hand our app secret or access token back to us, to be printed in an error or a log
//! line. Two nets catch it:
//!
//! - **By value.** The client knows its secrets (the app secret, every token it has used): each
//!   is replaced wherever it appears, each of its characters as is, percent-encoded (either hex
//!   case) or JSON-escaped (`\u003d`, `\/`) in any mixture, whatever field it came in.
//! - **By key.** The value after `access_token` or `app_secret` and `=`, `%3D`, `\u003d` or
//!   `":"` is replaced too, for secrets the client does not know (a token from another client).
//!
//! Every error the client returns or logs passes through [`Secrets::scrub_error`].

use std::borrow::Cow;
use std::sync::RwLock;

use crate::error::Error;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not searched for (they would match ordinary text).
const MIN_SECRET_LEN: usize = 4;
/// Tokens remembered at most (a provider may rotate them); the app secret is always kept.
const MAX_TOKENS: usize = 32;

/// Names whose values are secrets.
const SECRET_KEYS: [&str; 2] = ["access_token", "app_secret"];
/// What may stand between such a name and its value.
const SEPARATORS: [&str; 5] = ["=", "%3d", "\\u003d", "\":\"", "\": \""];

/// The secrets one client holds.
#[derive(Debug, Default)]
pub(crate) struct Secrets {
    /// The app secret, kept for the client's life.
    pinned: RwLock<Vec<String>>,
    /// Tokens, most recent last.
    tokens: RwLock<Vec<String>>,
}

impl Secrets {
    /// Remembers the app secret.
    pub(crate) fn pin(&self, secret: &str) {
        if secret.chars().count() >= MIN_SECRET_LEN {
            write(&self.pinned).push(secret.to_owned());
        }
    }

    /// Remembers a token the client is about to use (a no-op when already known).
    pub(crate) fn add_token(&self, token: &str) {
        if token.chars().count() < MIN_SECRET_LEN || read(&self.tokens).iter().any(|t| t == token) {
            return;
        }
        let mut tokens = write(&self.tokens);
        if tokens.len() >= MAX_TOKENS {
            tokens.remove(0);
        }
        tokens.push(token.to_owned());
    }

    /// `text` with every known secret (in any encoding), and every value after a secret key,
    /// replaced.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        {
            let pinned = read(&self.pinned);
            let tokens = read(&self.tokens);
            for secret in pinned.iter().chain(tokens.iter()) {
                if let Some(scrubbed) = replace_encoded(&out, secret) {
                    out = Cow::Owned(scrubbed);
                }
            }
        }
        if let Some(scrubbed) = self.scrub_cut_tail(&out) {
            out = Cow::Owned(scrubbed);
        }
        match scrub_keys(&out) {
            Cow::Borrowed(_) => out,
            Cow::Owned(scrubbed) => Cow::Owned(scrubbed),
        }
    }

    /// A text cut short elsewhere (ending in `…`) may end with the start of a secret: that start
    /// is replaced. `None` when there is nothing to replace.
    fn scrub_cut_tail(&self, text: &str) -> Option<String> {
        let before = text.strip_suffix('…')?;
        let pinned = read(&self.pinned);
        let tokens = read(&self.tokens);
        for secret in pinned.iter().chain(tokens.iter()) {
            // Where a partial match could start: within the longest encoding of the secret.
            let window = before.len().saturating_sub(secret.len() * 12);
            for (start, _) in before.char_indices().filter(|(i, _)| *i >= window) {
                if let Match::Partial(matched) = match_at(&before[start..], secret)
                    && matched >= MIN_SECRET_LEN
                {
                    return Some(format!("{}{REDACTED}…", &before[..start]));
                }
            }
        }
        None
    }

    /// The start of a body as one short line for an error message: scrubbed first, then
    /// flattened (control characters become spaces) and cut to 120 characters.
    pub(crate) fn snippet(&self, body: &[u8]) -> String {
        const MAX_CHARS: usize = 120;
        // Enough of the body that a secret straddling the cut is still seen whole.
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_CHARS * 4 + 1024)]);
        let text = self.scrub(&text);
        let flat: String = text
            .chars()
            .map(|c| {
                if c.is_control() || is_bidi_control(c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let trimmed = flat.split_whitespace().collect::<Vec<_>>().join(" ");
        match trimmed.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) => format!("{}…", &trimmed[..cut]),
            None => trimmed,
        }
    }

    /// The error with every text the server sent scrubbed.
    pub(crate) fn scrub_error(&self, error: Error) -> Error {
        let scrub = |text: String| match self.scrub(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(scrubbed) => scrubbed,
        };
        match error {
            Error::Api {
                code,
                msg,
                raw_msg,
                status,
            } => Error::Api {
                code,
                msg: scrub(msg),
                raw_msg: scrub(raw_msg),
                status,
            },
            Error::Status {
                status,
                snippet,
                retry_after,
            } => Error::Status {
                status,
                snippet: scrub(snippet),
                retry_after,
            },
            Error::NotJson { status, snippet } => Error::NotJson {
                status,
                snippet: scrub(snippet),
            },
            Error::Redirect { status, location } => Error::Redirect {
                status,
                location: scrub(location),
            },
            Error::Decode(decode) => Error::Decode(decode.map_text(|t| scrub(t.to_owned()))),
            other => other,
        }
    }
}

/// How far a secret matched at a position.
#[derive(Debug, PartialEq, Eq)]
enum Match {
    /// The whole secret, ending at this byte offset.
    Whole(usize),
    /// The text ended after this many characters of the secret.
    Partial(usize),
    /// No match.
    None,
}

/// Whether `text` starts with `secret`, each character written as is, percent-encoded (either
/// hex case, byte by byte), as a JSON `\uXXXX` escape (either case), or as a JSON short escape
/// (`\/`, `\"`, `\\`): any mixture, as servers and gateways echo them.
fn match_at(text: &str, secret: &str) -> Match {
    let bytes = text.as_bytes();
    let mut at = 0;
    for (matched, c) in secret.chars().enumerate() {
        if at >= bytes.len() {
            return Match::Partial(matched);
        }
        let mut utf8 = [0; 4];
        let raw = c.encode_utf8(&mut utf8).as_bytes();
        let rest = &bytes[at..];
        if rest.starts_with(raw) {
            at += raw.len();
        } else if let Some(len) = percent_match(rest, raw) {
            at += len;
        } else if let Some(len) = json_escape_match(rest, c) {
            at += len;
        } else {
            // Text that ends inside an escape is a partial match too.
            let is_escape_start = matches!(rest.first(), Some(b'%' | b'\\'));
            return if is_escape_start && rest.len() < 6 {
                Match::Partial(matched)
            } else {
                Match::None
            };
        }
    }
    Match::Whole(at)
}

/// `%XX` for each byte of `raw`, either hex case: the length matched.
fn percent_match(text: &[u8], raw: &[u8]) -> Option<usize> {
    let mut at = 0;
    for byte in raw {
        let escape = text.get(at..at + 3)?;
        let hex = std::str::from_utf8(&escape[1..]).ok()?;
        if escape[0] != b'%' || u8::from_str_radix(hex, 16).ok()? != *byte {
            return None;
        }
        at += 3;
    }
    Some(at)
}

/// `\uXXXX` (or a surrogate pair) for `c`, or a JSON short escape: the length matched.
fn json_escape_match(text: &[u8], c: char) -> Option<usize> {
    if text.first() != Some(&b'\\') {
        return None;
    }
    match (text.get(1), c) {
        (Some(b'/'), '/') | (Some(b'"'), '"') | (Some(b'\\'), '\\') => return Some(2),
        _ => {}
    }
    let mut units = [0; 2];
    let mut at = 0;
    for unit in c.encode_utf16(&mut units).iter() {
        let escape = text.get(at..at + 6)?;
        let hex = std::str::from_utf8(&escape[2..]).ok()?;
        if escape[..2] != *b"\\u" || u16::from_str_radix(hex, 16).ok()? != *unit {
            return None;
        }
        at += 6;
    }
    Some(at)
}

/// `text` with every encoded occurrence of `secret` replaced; `None` when there is none.
fn replace_encoded(text: &str, secret: &str) -> Option<String> {
    let first = secret.chars().next()?;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        let candidate = text.as_bytes()[at];
        // Quick rejection: a match starts with the first character, `%` or `\`.
        let may_start = candidate == b'%' || candidate == b'\\' || text[at..].starts_with(first);
        if may_start && let Match::Whole(len) = match_at(&text[at..], secret) {
            let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buffer.push_str(&text[copied..at]);
            buffer.push_str(REDACTED);
            at += len;
            copied = at;
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    let mut buffer = out?;
    buffer.push_str(&text[copied..]);
    Some(buffer)
}

/// Replaces the value after each secret key and separator (any case) with [`REDACTED`].
fn scrub_keys(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    if !SECRET_KEYS.iter().any(|k| lower.contains(k)) {
        return Cow::Borrowed(text);
    }
    // (start, end) of each value to hide, in `text` (ASCII lowering keeps byte offsets).
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let after_key = from + found + key.len();
            from = after_key;
            let Some(separator) = SEPARATORS
                .iter()
                .find(|s| lower[after_key..].starts_with(*s))
            else {
                continue;
            };
            let start = after_key + separator.len();
            let end = value_end(&lower, start);
            if end > start {
                spans.push((start, end));
            }
        }
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        if start < copied {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Where a secret value that starts at `start` ends: at a delimiter of URLs, HTML or JSON, or at
/// an encoded `&` (`%26`, `\u0026`).
fn value_end(lower: &str, start: usize) -> usize {
    let rest = &lower[start..];
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        if matches!(
            c,
            '&' | '"' | '\'' | '<' | '>' | '\\' | ',' | ';' | ')' | ']' | '}'
        ) || c.is_whitespace()
            || rest[i..].starts_with("%26")
        {
            end = i;
            break;
        }
    }
    start + end
}

/// Characters that reorder the text around them (U+202A–U+202E, U+2066–U+2069, marks).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        let secrets = Secrets::default();
        secrets.pin("s3cr3t/app+key=");
        secrets.add_token("tok-123=abc");
        secrets
    }

    #[test]
    fn known_secrets_are_scrubbed_in_every_form_they_come_back_in() {
        let secrets = secrets();
        for echoed in [
            "bad credentials: app_secret is s3cr3t/app+key= here",
            "GET /x?q=s3cr3t%2Fapp%2Bkey%3D",
            "get /x?q=s3cr3t%2fapp%2bkey%3d",
            "{\"echo\":\"s3cr3t\\/app+key=\"}",
            "{\"echo\":\"s3cr3t\\u002fapp\\u002bkey\\u003d\"}",
            "{\"echo\":\"s3cr3t\\u002Fapp\\u002Bkey\\u003D\"}",
            "token tok-123=abc echoed",
            "token tok%2D123%3Dabc echoed",
            "token tok-123\\u003dabc echoed",
            "mixed s3cr3t%2fapp\\u002bkey%3D and tok\\u002d123=abc",
        ] {
            let shown = secrets.scrub(echoed);
            for leak in [
                "s3cr3t",
                "tok-123",
                "tok%2D123",
                "app+key",
                "123\\u003dabc",
                "key%3D",
            ] {
                assert!(!shown.contains(leak), "{echoed} → {shown}");
            }
            assert!(shown.contains(REDACTED), "{echoed} → {shown}");
        }
        assert!(matches!(secrets.scrub("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn values_after_secret_keys_are_scrubbed_in_any_encoding() {
        let secrets = Secrets::default();
        for (echoed, expected) in [
            (
                "POST /openapi/x?access_token=other&b=1",
                "POST /openapi/x?access_token=[REDACTED]&b=1",
            ),
            (
                "GET /openapi/access_token?appid=a&APP_SECRET=s3cr3t</html>",
                "GET /openapi/access_token?appid=a&APP_SECRET=[REDACTED]</html>",
            ),
            (
                "%2Fopenapi%2Fx%3Faccess_token%3Dother%26b%3D1",
                "%2Fopenapi%2Fx%3Faccess_token%3D[REDACTED]%26b%3D1",
            ),
            (
                "{\"url\":\"/x?access_token\\u003dother\\u0026b=1\"}",
                "{\"url\":\"/x?access_token\\u003d[REDACTED]\\u0026b=1\"}",
            ),
            (
                "{\"access_token\":\"other\",\"expires_in\":7200}",
                "{\"access_token\":\"[REDACTED]\",\"expires_in\":7200}",
            ),
            ("access_token=", "access_token="),
            ("the access_token endpoint", "the access_token endpoint"),
        ] {
            assert_eq!(secrets.scrub(echoed), expected);
        }
    }

    #[test]
    fn short_secrets_are_not_searched_for_and_tokens_are_bounded() {
        let secrets = Secrets::default();
        secrets.pin("ab");
        assert_eq!(secrets.scrub("ab cd"), "ab cd");
        for i in 0..100 {
            secrets.add_token(&format!("token-number-{i:03}"));
        }
        assert_eq!(read(&secrets.tokens).len(), MAX_TOKENS);
        assert_eq!(secrets.scrub("token-number-099"), REDACTED);
    }

    #[test]
    fn snippets_are_one_short_scrubbed_line() {
        let secrets = secrets();
        assert_eq!(
            secrets.snippet(b"<html>\n<body>502   Bad Gateway</body>\n</html>"),
            "<html> <body>502 Bad Gateway</body> </html>"
        );
        let long = "x".repeat(1000);
        assert_eq!(secrets.snippet(long.as_bytes()).chars().count(), 121);
        assert!(secrets.snippet(&[0xff, 0xfe, b'a']).ends_with('a'));
        assert_eq!(
            secrets.snippet("a\u{202e}b\u{1b}[2Jc".as_bytes()),
            "a b [2Jc"
        );
        // A secret that straddles the cut is not shown in part.
        let page = format!("{}tok-123=abc and more text after it", "y".repeat(114));
        let shown = secrets.snippet(page.as_bytes());
        assert!(!shown.contains("tok-1"), "{shown}");
        // A text cut short elsewhere (an API msg) that ends in the start of a secret.
        assert_eq!(secrets.scrub("bad key s3cr3t/a…"), "bad key [REDACTED]…");
        assert_eq!(
            secrets.scrub("bad key s3c…"),
            "bad key s3c…",
            "too short to tell"
        );
    }

    #[test]
    fn errors_are_scrubbed_in_every_text_field() {
        let secrets = secrets();
        let api = secrets.scrub_error(Error::api(40001, "bad app_secret s3cr3t/app+key= given"));
        let Error::Api { raw_msg, .. } = &api else {
            panic!("{api:?}")
        };
        assert!(!raw_msg.contains("s3cr3t"), "{raw_msg}");
        assert!(!api.to_string().contains("s3cr3t"), "{api}");
        let status = secrets.scrub_error(Error::Status {
            status: 400,
            snippet: "tok-123=abc".into(),
            retry_after: None,
        });
        assert_eq!(status.to_string(), "HTTP 400: [REDACTED]");
    }
}
