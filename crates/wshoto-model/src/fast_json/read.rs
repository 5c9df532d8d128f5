//! Byte-level reading shared by both modes: the scan to the next special byte of a string,
//! integers, literals and `\u` escapes. Every function refuses (returns `None` or
//! [`Declined`]) what it does not read exactly as serde_json does.

use super::Declined;

/// Whether `byte` ends a run of plain string content: `"`, `\` or a control character.
fn is_special(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || byte < 0x20
}

/// The index of the first `"`, `\` or control character at or after `from`, or `bytes.len()`.
///
/// Eight bytes at a time (Mycroft's zero-byte test): a flag can be wrong only above a true
/// match in the same word, so the lowest flag is always right.
#[inline]
pub(super) fn find_special(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let mut at = from;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut chunk = [0; 8];
        chunk.copy_from_slice(word);
        let chars = u64::from_le_bytes(chunk);
        let control = chars.wrapping_sub(ONES * 0x20) & !chars;
        let quote = chars ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = chars ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < bytes.len() && !is_special(bytes[at]) {
        at += 1;
    }
    at
}

/// A JSON integer as serde_json hands it to a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Integer {
    Unsigned(u64),
    Negative(i64),
}

/// Reads an integer at `at`; returns it and the index after it. Refused: a fraction or an
/// exponent, a leading zero, `-0`, and magnitudes serde_json would turn into an `f64`.
pub(super) fn integer(bytes: &[u8], at: usize) -> Result<(Integer, usize), Declined> {
    let negative = bytes.get(at) == Some(&b'-');
    let mut end = at + usize::from(negative);
    let mut value: u64 = match bytes.get(end) {
        Some(b'0') => 0,
        Some(&digit @ b'1'..=b'9') => u64::from(digit - b'0'),
        _ => return Err(Declined),
    };
    end += 1;
    if value == 0 {
        if bytes.get(end).is_some_and(u8::is_ascii_digit) {
            return Err(Declined);
        }
    } else {
        while let Some(&digit @ b'0'..=b'9') = bytes.get(end) {
            value = value
                .checked_mul(10)
                .and_then(|value| value.checked_add(u64::from(digit - b'0')))
                .ok_or(Declined)?;
            end += 1;
        }
    }
    if matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
        return Err(Declined);
    }
    if !negative {
        return Ok((Integer::Unsigned(value), end));
    }
    // serde_json gives an `f64` for `-0` and below `i64::MIN`.
    if value == 0 || value > 1 << 63 {
        return Err(Declined);
    }
    // `value` is at most 2^63: as an i64 it wraps to `i64::MIN` exactly when it is 2^63.
    #[allow(clippy::cast_possible_wrap)]
    Ok((Integer::Negative((value as i64).wrapping_neg()), end))
}

/// The index after `word` when it is at `at`.
pub(super) fn literal(bytes: &[u8], at: usize, word: &[u8]) -> Result<usize, Declined> {
    match bytes.get(at..at + word.len()) {
        Some(found) if found == word => Ok(at + word.len()),
        _ => Err(Declined),
    }
}

/// Four hex digits at `at`, as a UTF-16 code unit.
pub(super) fn hex4(bytes: &[u8], at: usize) -> Result<u16, Declined> {
    let digits = bytes.get(at..at + 4).ok_or(Declined)?;
    let mut unit = 0u16;
    for &digit in digits {
        let value = match digit {
            b'0'..=b'9' => digit - b'0',
            b'a'..=b'f' => digit - b'a' + 10,
            b'A'..=b'F' => digit - b'A' + 10,
            _ => return Err(Declined),
        };
        unit = unit << 4 | u16::from(value);
    }
    Ok(unit)
}

/// The character of a `\u` escape whose four digits are at `at`, and the index after it. A
/// high surrogate must be followed by `low_prefix` (`\u`, or `\\u` inside the embedded
/// document) and a low surrogate; any lone surrogate is refused (serde_json refuses it too, and
/// the general path then replaces it).
pub(super) fn unicode_escape(
    bytes: &[u8],
    at: usize,
    low_prefix: &[u8],
) -> Result<(char, usize), Declined> {
    let unit = hex4(bytes, at)?;
    let after = at + 4;
    if !(0xD800..0xE000).contains(&unit) {
        return Ok((char::from_u32(u32::from(unit)).ok_or(Declined)?, after));
    }
    if unit >= 0xDC00 {
        return Err(Declined);
    }
    let low_at = literal(bytes, after, low_prefix)?;
    let low = hex4(bytes, low_at)?;
    if !(0xDC00..0xE000).contains(&low) {
        return Err(Declined);
    }
    let code = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
    Ok((char::from_u32(code).ok_or(Declined)?, low_at + 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_stops_at_the_first_special_byte_wherever_it_falls() {
        for special in [b'"', b'\\', 0x00, 0x1f] {
            for len in 0..40 {
                for position in 0..=len {
                    let mut bytes = vec![b'a'; len];
                    // Bytes that look like specials to a sloppy test: 0x20, 0x7f, 0xff, 0x5b.
                    for (index, byte) in bytes.iter_mut().enumerate() {
                        *byte = [b'a', 0x20, 0x7f, 0xff, 0x5b, 0xe4][index % 6];
                    }
                    if position < len {
                        bytes[position] = special;
                    }
                    assert_eq!(find_special(&bytes, 0), position, "{bytes:?}");
                }
            }
        }
        assert_eq!(find_special(b"\"ab\"", 1), 3);
    }

    #[test]
    fn integers_are_read_as_serde_json_gives_them_or_refused() {
        let read = |text: &str| integer(text.as_bytes(), 0).map(|(value, _)| value);
        assert_eq!(read("0,"), Ok(Integer::Unsigned(0)));
        assert_eq!(
            read("18446744073709551615"),
            Ok(Integer::Unsigned(u64::MAX))
        );
        assert_eq!(
            read("-9223372036854775808"),
            Ok(Integer::Negative(i64::MIN))
        );
        assert_eq!(read("-7}"), Ok(Integer::Negative(-7)));
        for refused in [
            "18446744073709551616",
            "-9223372036854775809",
            "-0",
            "01",
            "1.5",
            "1e3",
            "2E1",
            "-",
            "+1",
            "",
        ] {
            assert_eq!(read(refused), Err(Declined), "{refused}");
        }
    }

    #[test]
    fn unicode_escapes_join_surrogate_pairs_and_refuse_lone_ones() {
        assert_eq!(unicode_escape(b"4e2d", 0, b"\\u"), Ok(('中', 4)));
        assert_eq!(
            unicode_escape(b"D83D\\uDE00", 0, b"\\u"),
            Ok(('\u{1F600}', 10))
        );
        assert_eq!(
            unicode_escape(b"d83d\\\\ude00", 0, b"\\\\u"),
            Ok(('\u{1F600}', 11))
        );
        for lone in [&b"D83D"[..], b"DE00", b"D83Dx", b"D83D\\u0041", b"12G4"] {
            assert_eq!(unicode_escape(lone, 0, b"\\u"), Err(Declined));
        }
    }
}
