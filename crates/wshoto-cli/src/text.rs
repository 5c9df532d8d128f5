//! Untrusted text on its way to a terminal or an error line: one line, no control characters,
//! cut short.

/// The most characters of untrusted text quoted in a message.
const EXCERPT_CHARS: usize = 80;

/// `text` on one line, control and bidirectional-override characters shown as `\u{..}`
/// escapes, cut to a short excerpt with `…`.
pub fn excerpt(text: &str) -> String {
    cut(text, EXCERPT_CHARS)
}

/// `text` on one line, with control characters escaped, cut at `max_chars` with `…`.
pub fn cut(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
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
    }
}
