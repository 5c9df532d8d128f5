//! Untrusted text on its way to a terminal or an error line: one line, no control characters,
//! cut short.

/// The most characters of untrusted text quoted in a message.
const EXCERPT_CHARS: usize = 80;

/// `text` on one line, control and bidirectional-override characters shown as `\u{..}`
/// escapes, cut to a short excerpt with `…`.
pub fn excerpt(text: &str) -> String {
    cut(text, EXCERPT_CHARS)
}

/// The most characters of an error line.
pub const MAX_ERROR_CHARS: usize = 1000;

/// `text` with control and bidirectional-override characters shown as `\u{..}` escapes, so
/// that it cannot move the cursor, clear the screen, retitle the terminal or reverse the text.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        std::borrow::Cow::Owned(cut(text, usize::MAX))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// [`escape`] applied to each line of `text`, the line breaks kept.
pub fn escape_lines(text: &str) -> String {
    let mut out: String = text
        .lines()
        .map(|line| escape(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `text` on one line, with control characters escaped, cut at `max_chars` with `…`.
pub fn cut(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text with the characters serde leaves raw but a terminal may act on (DEL, the C1
/// controls, bidirectional overrides, line and paragraph separators) written as `\uXXXX`
/// escapes. Such characters only occur inside JSON strings, so the value is unchanged.
pub fn escape_json_text(json: &str) -> std::borrow::Cow<'_, str> {
    // Pretty JSON's own layout (new lines, indentation) is not at risk.
    let risky = |c: char| {
        !matches!(c, '\n' | '\r' | '\t') && (is_unsafe(c) || matches!(c, '\u{2028}' | '\u{2029}'))
    };
    if !json.chars().any(risky) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            let mut units = [0; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Characters that move the cursor, change the terminal, or reorder the text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_single_lines_without_terminal_controls() {
        assert_eq!(excerpt("plain 中文"), "plain 中文");
        assert_eq!(
            excerpt("a\nb\u{1b}[2J\u{202e}c"),
            "a\\u{a}b\\u{1b}[2J\\u{202e}c"
        );
        let long = "y".repeat(10_000);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
        assert!(excerpt(&long).ends_with('…'));
        assert_eq!(escape("任务 ok"), "任务 ok");
        assert_eq!(escape("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape(&long).chars().count(), 10_000, "escape does not cut");
    }

    #[test]
    fn lines_are_escaped_one_by_one() {
        assert_eq!(escape_lines("a\nb\u{1b}c\n"), "a\nb\\u{1b}c\n");
        assert_eq!(escape_lines("x"), "x");
    }

    #[test]
    fn json_text_keeps_its_value_without_raw_terminal_controls() {
        let value = serde_json::json!({"name": "a\u{202e}b\u{9b}c\u{7f}\u{2028}", "ok": "中文"});
        let pretty = serde_json::to_string_pretty(&value).expect("json");
        let escaped = escape_json_text(&pretty);
        assert!(
            !escaped.chars().any(|c| c.is_control() && c != '\n'),
            "{escaped}"
        );
        assert!(escaped.contains("\\u202e") && escaped.contains("中文"));
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, value);
        assert!(matches!(
            escape_json_text("{\"a\": 1}\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
