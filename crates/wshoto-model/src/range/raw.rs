//! `range_info` exactly as it was received.

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// `range_info` as received, kept so that it serializes back unchanged.
#[derive(Debug, Clone)]
pub enum RawRange {
    /// A JSON string (the documented form); this holds the string's content.
    Text(String),
    /// Any other JSON value, such as an inline object from some gateways, as its exact JSON text.
    Json(Box<RawValue>),
}

impl RawRange {
    /// Classifies a raw `range_info` value: a JSON string is unescaped into [`RawRange::Text`].
    pub(crate) fn from_raw_value(value: Box<RawValue>) -> Result<Self, serde_json::Error> {
        if value.get().starts_with('"') {
            serde_json::from_str(value.get()).map(Self::Text)
        } else {
            Ok(Self::Json(value))
        }
    }

    /// The JSON document to decode: the string's content, or the inline value's text.
    pub fn document(&self) -> Option<&str> {
        Some(match self {
            Self::Text(text) => text,
            Self::Json(value) => value.get(),
        })
    }

    /// The value as received: a JSON string stays a string.
    pub fn as_received(&self) -> Value {
        match self {
            Self::Text(text) => Value::String(text.clone()),
            Self::Json(value) => parse_or_string(value.get()),
        }
    }

    /// The JSON the value carries: a string holding JSON is parsed, other strings stay strings.
    pub fn parsed_or_received(&self) -> Value {
        match self {
            Self::Text(text) => parse_or_string(text),
            Self::Json(value) => parse_or_string(value.get()),
        }
    }
}

/// Parses JSON text; text that does not parse (or nests too deep) stays a string.
fn parse_or_string(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Strings compare by content; inline JSON compares by value, so that white space and key order
/// (which a re-encoding may change) do not count.
impl PartialEq for RawRange {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => a == b,
            (Self::Json(a), Self::Json(b)) => {
                a.get() == b.get()
                    || matches!(
                        (serde_json::from_str::<Value>(a.get()), serde_json::from_str::<Value>(b.get())),
                        (Ok(x), Ok(y)) if x == y
                    )
            }
            _ => false,
        }
    }
}

impl Eq for RawRange {}

impl Serialize for RawRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => s.serialize_str(text),
            Self::Json(value) => value.serialize(s),
        }
    }
}
