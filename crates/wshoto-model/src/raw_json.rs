//! Any JSON value, kept exactly as received: for fields whose type the document gets wrong or
//! leaves out (`auth`; `start_time`/`end_time`, typed "object" in one schema and strings in the
//! others).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use compact_str::CompactString;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A JSON value as received: its exact text is kept and written back. Equal when the text is.
///
/// Short texts (`1`, `"0"`, `"2024-08-01 00:00:00"`: up to 24 bytes) are held in place, without
/// an allocation of their own.
#[derive(Clone)]
pub struct RawJson(CompactString);

impl RawJson {
    /// The value's JSON text.
    pub fn get(&self) -> &str {
        self.0.as_str()
    }

    /// The content, when the value is a JSON string.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        if !self.get().starts_with('"') {
            return None;
        }
        serde_json::from_str::<Cow<'_, str>>(self.get()).ok()
    }

    /// The value, when it is a JSON integer (or a string holding one).
    pub fn as_i64(&self) -> Option<i64> {
        let text = self.as_text();
        let digits = text.as_deref().unwrap_or(self.get());
        crate::lenient::parse_decimal(digits)
    }

    /// A value from its JSON text (white space around it is dropped); `None` when the text is
    /// not JSON.
    pub fn from_json(text: &str) -> Option<Self> {
        let raw: &RawValue = serde_json::from_str(text).ok()?;
        Some(Self(CompactString::from(raw.get())))
    }

    /// A JSON string holding `text`.
    pub fn text(text: &str) -> Self {
        Self::of(text)
    }

    /// A JSON integer.
    pub fn integer(value: i64) -> Self {
        Self::of(&value)
    }

    /// Any serializable value (strings and integers cannot fail; `null` if it did).
    fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        Self(CompactString::from(
            serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()),
        ))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for RawJson {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawJson".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Any JSON value, as received (usually a string or an integer)"
        })
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

/// Shown as its JSON text: `1`, `"2024-08-01 00:00:00"`, `{"a":1}`.
impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_text() {
            Some(text) => f.write_str(&text),
            None => f.write_str(self.get()),
        }
    }
}

thread_local! {
    /// Set while [`shown_where_a_value_cannot_hold`] runs.
    static SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every `RawJson` that a `serde_json::Value` cannot hold (a number beyond the
/// range of an f64, such as `1E999`, or a lone surrogate escape, at any depth) serialized as a
/// string of its exact text, on this thread; the previous setting is restored after, also when
/// `f` unwinds. For the shown form ([`crate::Shown`]): tools that read JSON numbers as f64 would
/// make such a number infinite or fail on it. The wire form keeps the text verbatim.
pub(crate) fn shown_where_a_value_cannot_hold<T>(f: impl FnOnce() -> T) -> T {
    crate::scoped_flag::with_set(&SHOWN, f)
}

/// Whether a `serde_json::Value` holds this JSON text. What can fail is a number with an
/// exponent or of 300 characters or more (the largest f64 has 309 digits) and a string with a
/// lone surrogate escape (`"\ud800"`), so texts without `e`, `E` or `\` that are shorter are
/// not parsed.
fn a_value_holds(text: &str) -> bool {
    if text.len() < 300 && !text.bytes().any(|byte| matches!(byte, b'e' | b'E' | b'\\')) {
        return true;
    }
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if SHOWN.with(Cell::get) && !a_value_holds(self.get()) {
            return s.serialize_str(self.get());
        }
        // Written verbatim, exactly as serde_json's `RawValue` writes itself (its protocol: a
        // one-field struct under the token, which serde_json's serializer writes as the text).
        let mut raw = s.serialize_struct(RAW_VALUE, 1)?;
        raw.serialize_field(RAW_VALUE, self.get())?;
        raw.end()
    }
}

/// The name under which serde_json hands a value's exact text to `RawValue` (its
/// `deserialize_newtype_struct` protocol): a one-entry map whose value is the text. Read here so
/// that a short text is kept in place, not first boxed by `Box<RawValue>`.
pub(crate) const RAW_VALUE: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(RAW_VALUE, RawJsonVisitor)
    }
}

struct RawJsonVisitor;

impl<'de> Visitor<'de> for RawJsonVisitor {
    type Value = RawJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawJson, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        map.next_value::<CompactString>().map(RawJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_json_is_kept_as_received_and_read_where_it_can_be() {
        for text in [
            "1",
            "\"1\"",
            "true",
            "{\"a\":[1,2]}",
            "1.50",
            "\"2024-08-01 00:00:00\"",
        ] {
            let value: RawJson = serde_json::from_str(text).expect("any JSON");
            assert_eq!(serde_json::to_string(&value).expect("writes"), text);
            assert_eq!(format!("{value:?}"), text);
        }
        let one: RawJson = serde_json::from_str("\"1\"").expect("string");
        assert_eq!(one.as_i64(), Some(1));
        assert_eq!(one.as_text().as_deref(), Some("1"));
        assert_eq!(one.to_string(), "1");
        assert_eq!(RawJson::integer(7).get(), "7");
        assert_eq!(RawJson::text("a\"b").as_text().as_deref(), Some("a\"b"));
        let object: RawJson = serde_json::from_str("{\"t\":1}").expect("object");
        assert_eq!((object.as_text(), object.as_i64()), (None, None));
    }

    /// Short texts are held in place, longer ones on the heap; both read, compare and write back
    /// the same, through every way a value reaches it.
    #[test]
    fn short_texts_are_held_in_place_and_long_ones_boxed_the_same_way_out() {
        let at_limit = format!("\"{}\"", "a".repeat(22)); // 24 bytes
        let past_limit = format!("\"{}\"", "a".repeat(23));
        let chinese = "\"客户群客户群客户群\"".to_owned(); // 29 bytes
        for (text, inline) in [
            ("1".to_owned(), true),
            ("\"2024-08-01 00:00:00\"".to_owned(), true),
            (at_limit, true),
            (past_limit, false),
            (chinese, false),
            ("[1,2,{\"a\":\"b\"},\"中文\",null,true]".to_owned(), false),
        ] {
            let from_str: RawJson = serde_json::from_str(&text).expect("reads");
            let from_value: RawJson =
                serde_json::from_value(serde_json::from_str(&text).expect("a value"))
                    .expect("reads from a Value");
            let from_reader: RawJson =
                serde_json::from_reader(text.as_bytes()).expect("reads from a reader");
            let built = RawJson::from_json(&format!("  {text}\n")).expect("JSON");
            for raw in [&from_str, &from_reader, &built] {
                assert_eq!(raw.get(), text);
                assert_eq!(!raw.0.is_heap_allocated(), inline, "{text}");
                assert_eq!(serde_json::to_string(raw).expect("writes"), text);
            }
            // A `Value` re-renders what it read (its own spacing), the same JSON.
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(from_value.get()).ok(),
                serde_json::from_str::<serde_json::Value>(&text).ok()
            );
            assert_eq!(from_str, built);
        }
        assert!(RawJson::from_json("{").is_none());
        assert_eq!(
            RawJson::text(&"b".repeat(40)).as_text().as_deref(),
            Some(&*"b".repeat(40))
        );
        assert_eq!(
            std::mem::size_of::<Option<RawJson>>(),
            std::mem::size_of::<String>()
        );
    }
}
