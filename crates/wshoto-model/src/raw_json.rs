//! Any JSON value, kept exactly as received: for fields whose type the document gets wrong or
//! leaves out (`auth`; `start_time`/`end_time`, typed "object" in one schema and strings in the
//! others).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A JSON value as received: its exact text is kept and written back. Equal when the text is.
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The value's JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
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

    /// A value from its JSON text; `None` when the text is not JSON.
    pub fn from_json(text: &str) -> Option<Self> {
        RawValue::from_string(text.to_owned()).ok().map(Self)
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
        Self(serde_json::value::to_raw_value(value).unwrap_or_default())
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
/// range of an f64, such as `1E999`, or a lone surrogate escape, at any depth) serialized as a string of its exact text, on
/// this thread; the previous setting is restored after, also when `f` unwinds. For the shown
/// form ([`crate::Shown`]): tools that read JSON numbers as f64 would make such a number
/// infinite or fail on it. The wire form keeps the text verbatim.
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
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(Self)
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
}
