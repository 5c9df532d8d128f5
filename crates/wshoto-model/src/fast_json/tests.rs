//! The reader against serde_json: what it reads, it reads as serde_json does; what it declines,
//! it declines without a panic.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::thread::LocalKey;

use proptest::prelude::*;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Declined, Deserializer, RANGE_DOCUMENT};
use crate::raw_json::RawJson;

thread_local! {
    /// Range documents read in place on this thread.
    pub(super) static IN_PLACE: Cell<usize> = const { Cell::new(0) };
    /// Object keys taken as predicted on this thread.
    pub(super) static PREDICTED: Cell<usize> = const { Cell::new(0) };
}

/// How much `counter` grew while `f` ran.
fn counted(counter: &'static LocalKey<Cell<usize>>, f: impl FnOnce()) -> usize {
    let before = counter.with(Cell::get);
    f();
    counter.with(Cell::get) - before
}

/// How many range documents `f` read in place.
pub(crate) fn read_in_place(f: impl FnOnce()) -> usize {
    counted(&IN_PLACE, f)
}

/// How many object keys `f` read were taken as predicted (see `PREDICTED_KEY`).
pub(crate) fn keys_taken_as_predicted(f: impl FnOnce()) -> usize {
    counted(&PREDICTED, f)
}

/// `T` read from a whole plain document.
fn plain<T: DeserializeOwned>(text: &str) -> Result<T, Declined> {
    let mut de = Deserializer::new(text);
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// How the range protocol answered: the document read in place, or the string's text.
#[derive(Debug, PartialEq)]
enum Read<T> {
    InPlace(T),
    Text(String),
}

/// Reads a JSON string (`outer`, its quotes included) through the range protocol, as
/// `range_info`'s reader does: in place as `T`, else as text.
fn embedded<T: DeserializeOwned>(outer: &str) -> Result<Read<T>, Declined> {
    struct Probe<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for Probe<T> {
        type Value = Read<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a range document")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read<T>, A::Error> {
            let key: String = map.next_key()?.ok_or_else(|| de::Error::custom("no key"))?;
            assert_eq!(key, RANGE_DOCUMENT);
            match map.next_value::<T>() {
                Ok(value) => Ok(Read::InPlace(value)),
                Err(_) => map.next_value().map(Read::Text),
            }
        }
    }
    let mut de = Deserializer::new(outer);
    let read =
        de::Deserializer::deserialize_newtype_struct(&mut de, RANGE_DOCUMENT, Probe(PhantomData))?;
    de.end()?;
    Ok(read)
}

/// A JSON string of `text` whose non-ASCII characters (and `/`, if asked) are `\u` escapes, as
/// some serializers write.
fn ascii_string(text: &str, escape_slash: bool) -> String {
    let mut out = String::from('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if escape_slash => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z\"\\\\/\u{1}\n\u{7f}中😀 ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_\"\\\\/中\u{2}]{0,8}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever serde_json writes, compact or pretty, is read back the same.
    #[test]
    fn plain_documents_read_as_serde_json_reads_them(value in json_value()) {
        for text in [
            serde_json::to_string(&value).expect("writes"),
            serde_json::to_string_pretty(&value).expect("writes"),
        ] {
            prop_assert_eq!(plain::<Value>(&text), Ok(value.clone()), "{}", text);
        }
    }

    /// An object document inside a JSON string, however the string escapes it, is read in
    /// place to what serde_json reads from the unescaped text.
    #[test]
    fn embedded_documents_read_in_place_as_serde_json_reads_them(value in json_value()) {
        let document = Value::Object([("v".to_owned(), value)].into_iter().collect());
        for text in [
            serde_json::to_string(&document).expect("writes"),
            serde_json::to_string_pretty(&document).expect("writes"),
        ] {
            for outer in [
                serde_json::to_string(&text).expect("writes"),
                ascii_string(&text, false),
                ascii_string(&text, true),
            ] {
                prop_assert_eq!(
                    embedded::<Value>(&outer),
                    Ok(Read::InPlace(document.clone())),
                    "{}",
                    outer
                );
            }
        }
    }

    /// Raw values keep the exact text serde_json keeps, in both modes.
    #[test]
    fn raw_values_keep_serde_json_s_text(value in json_value()) {
        for text in [
            serde_json::to_string(&value).expect("writes"),
            serde_json::to_string_pretty(&value).expect("writes"),
        ] {
            let expected: Box<RawValue> = serde_json::from_str(&text).expect("reads");
            let read = plain::<RawJson>(&text).map(|raw| raw.get().to_owned());
            prop_assert_eq!(read.as_deref(), Ok(expected.get()));
            let document = format!("{{\"raw\": {text} }}");
            let outer = serde_json::to_string(&document).expect("writes");
            let read = embedded::<Holder>(&outer);
            let expected = serde_json::from_str::<Holder>(&document).expect("reads");
            prop_assert_eq!(read, Ok(Read::InPlace(expected)));
        }
    }

    /// Any bytes: no panic, and what is read agrees with serde_json.
    #[test]
    fn any_text_is_read_as_serde_json_reads_it_or_declined(text in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,40}") {
        if let Ok(value) = plain::<Value>(&text) {
            prop_assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(value));
        }
        let outer = format!("\"{text}\"");
        if let Ok(Read::InPlace(value)) = embedded::<Value>(&outer) {
            let unescaped: String = serde_json::from_str(&outer).expect("read in place, so a string");
            prop_assert_eq!(serde_json::from_str::<Value>(&unescaped).ok(), Some(value));
        }
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct Holder {
    raw: RawJson,
}

#[test]
fn what_serde_json_would_not_read_exactly_is_declined() {
    for text in [
        "1.5",
        "1e3",
        "-0",
        "18446744073709551616",
        "-9223372036854775809",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "[1 2]",
        "\"a\u{1}\"",
        "\"\\x\"",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\ud800\\u0041\"",
        "nul",
        "tru",
        "{\"a\":1}}",
        "",
        "[",
    ] {
        assert_eq!(plain::<Value>(text), Err(Declined), "{text}");
    }
    let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
    assert_eq!(plain::<Value>(&deep), Err(Declined));
    let shallow = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(plain::<Value>(&shallow).is_ok());
}

/// Indentation is skipped up to eight spaces at a time after a line break: every width, other
/// white space after it, and the end of the input inside the eight bytes.
#[test]
fn white_space_after_a_line_break_is_skipped_whatever_follows() {
    let expected: Value = serde_json::from_str(r#"{"a":[1,"b",{}],"c":null}"#).expect("valid");
    for width in 0..20 {
        for tail in ["", "\t", "\r\n", "\n  ", " \n"] {
            let gap = format!("\n{}{tail}", " ".repeat(width));
            let text = [
                "{", r#""a""#, ":", "[1", ",", r#""b""#, ",{", "}]", ",", r#""c""#, ":", "null",
                "}", "",
            ]
            .join(&gap);
            assert_eq!(plain::<Value>(&text), Ok(expected.clone()), "{text:?}");
            let broken = format!("{}x", text.trim_end());
            assert_eq!(plain::<Value>(&broken), Err(Declined), "{broken:?}");
        }
    }
}

#[test]
fn strings_with_escapes_read_as_serde_json_reads_them() {
    for text in [
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u4e2d\u6587 \uD83D\uDE00 \u0000""#,
        r#""plain 中文 😀""#,
    ] {
        let expected: Value = serde_json::from_str(text).expect("valid");
        assert_eq!(plain::<Value>(text), Ok(expected), "{text}");
    }
}

#[test]
fn embedded_documents_follow_the_outer_and_inner_escapes() {
    let read = |outer: &str| embedded::<Value>(outer);
    let object = |text: &str| {
        Ok(Read::InPlace(
            serde_json::from_str::<Value>(text).expect("valid"),
        ))
    };
    // The inner string's own escapes: `\\n`, `\\\"`, `\\\\`, `\\u4e2d`, `\\\/`, pairs.
    assert_eq!(
        read(r#""{\"a\":\"x\\n\\\"\\\\\\u4e2d\\\/\\ud83d\\ude00\"}""#),
        object(r#"{"a":"x\n\"\\中/😀"}"#)
    );
    // Outer escapes of content characters and white space.
    assert_eq!(
        read(r#""{\n\t\"a\" : \"\u4e2d\/\", \r\"b\":[1, -2]\n}""#),
        object(r#"{"a":"中/","b":[1,-2]}"#)
    );
    // Not an object: read as text.
    for (outer, text) in [(r#""""#, ""), (r#""[]""#, "[]"), (r#"" null ""#, " null ")] {
        assert_eq!(read(outer), Ok(Read::Text(text.to_owned())), "{outer}");
    }
    // In place fails (then the text is read): a control character inside the inner string,
    // a quote or backslash escaped by the outer string where the document's syntax is, a
    // trailing value.
    for outer in [
        r#""{\"a\":\"x\ny\"}""#,
        r#""{\u0022a\":1}""#,
        r#""{\"a\":\"\u005c\"\"}""#,
        r#""{\"a\":1} 2""#,
        r#""{\"a\":1.5}""#,
    ] {
        let text: String = serde_json::from_str(outer).expect("a JSON string");
        assert_eq!(read(outer), Ok(Read::Text(text)), "{outer}");
    }
    // The string itself is broken: nothing is read.
    for outer in [
        r#""{\"a\":1}"#,
        r#""{\"a\":\"\ud800\"}""#,
        "\"{\\\"a\\\":\u{1}1}\"",
    ] {
        assert_eq!(read(outer), Err(Declined), "{outer}");
    }
}

#[test]
fn a_range_document_that_is_not_a_string_is_visited_as_itself() {
    #[derive(Debug, PartialEq)]
    struct Seen(&'static str);
    struct Probe;
    impl<'de> Visitor<'de> for Probe {
        type Value = Seen;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("anything")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Seen, E> {
            Ok(Seen("null"))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
            let key: Option<String> = map.next_key()?;
            assert_eq!(key.as_deref(), Some("inline"));
            map.next_value::<de::IgnoredAny>()?;
            Ok(Seen("object"))
        }
    }
    for (text, seen) in [("null", "null"), (r#"{"inline":1}"#, "object")] {
        let mut de = Deserializer::new(text);
        let read = de::Deserializer::deserialize_newtype_struct(&mut de, RANGE_DOCUMENT, Probe);
        assert_eq!(read, Ok(Seen(seen)));
    }
}
