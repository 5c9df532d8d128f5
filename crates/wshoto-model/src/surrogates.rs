//! Lone UTF-16 surrogate escapes (`"\ud800"`), which some servers send and serde_json rejects:
//! replaced with `\ufffd` (U+FFFD) so that the rest of the document still decodes. Used only
//! after a decode has failed, so the success path pays nothing.

/// `json` with each `\uD800`–`\uDFFF` escape that is not half of a valid pair replaced by
/// `\ufffd`; `None` when there is none (then the failure had another cause).
pub(crate) fn replace_lone_surrogates(json: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < json.len() {
        if json[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(json, i) else {
            // `\\`, `\"`, `\n`…: skip the escaped character too.
            i += 2;
            continue;
        };
        match unit {
            0xD800..=0xDBFF => {
                if escape_at(json, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) {
                    i += 12;
                    continue;
                }
            }
            0xDC00..=0xDFFF => {}
            _ => {
                i += 6;
                continue;
            }
        }
        let buffer = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
        buffer.extend_from_slice(&json[copied..i]);
        buffer.extend_from_slice(br"\ufffd");
        i += 6;
        copied = i;
    }
    let mut buffer = out?;
    buffer.extend_from_slice(&json[copied..]);
    Some(buffer)
}

/// The code unit of a `\uXXXX` escape starting at `at`.
fn escape_at(json: &[u8], at: usize) -> Option<u16> {
    let escape = json.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u16::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(json: &str) -> Option<String> {
        replace_lone_surrogates(json.as_bytes()).map(|b| String::from_utf8(b).expect("utf-8"))
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        assert_eq!(
            fixed(r#"{"a":"x\ud800y"}"#).as_deref(),
            Some(r#"{"a":"x\ufffdy"}"#)
        );
        assert_eq!(fixed(r#"["\udc00"]"#).as_deref(), Some(r#"["\ufffd"]"#));
        assert_eq!(
            fixed(r#"["\ud800\ud800\ude00"]"#).as_deref(),
            Some(r#"["\ufffd\ud800\ude00"]"#)
        );
        assert_eq!(fixed(r#"["\ud83d\ude00 ok"]"#), None, "a valid pair");
        assert_eq!(
            fixed(r#"["\\ud800"]"#),
            None,
            "an escaped backslash, then text"
        );
        assert_eq!(fixed(r#"["\u00e9\n"]"#), None);
        assert_eq!(fixed(r#"["\ud8"]"#), None, "not an escape");
        let value: serde_json::Value =
            serde_json::from_str(&fixed(r#"{"a":"x\ud800"}"#).expect("fixed")).expect("valid");
        assert_eq!(value["a"], "x\u{fffd}");
    }
}
