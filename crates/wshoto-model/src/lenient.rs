//! Tolerant field deserializers: integers sent as numbers or decimal strings, and nulls where a
//! value is optional.
//!
//! Integers never pass through `f64`: a JSON number is taken as `i64`/`u64` by `serde_json`, and a
//! decimal string is parsed with [`str::parse::<i64>`], so every `i64` is exact.

use std::fmt;

use compact_str::{CompactString, ToCompactString as _};
use serde::Deserialize as _;
use serde::de::{self, Deserializer, Visitor};

/// The `Option` side of a visitor whose value is an `Option`: `null` (and unit) is `None`, and
/// anything else is read again by `$read` with the same visitor.
macro_rules! null_is_none {
    ($read:ident) => {
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.$read(self)
        }
    };
}

/// Visitor accepting a JSON integer or a decimal string, exact over the whole `i64` range.
struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer (a JSON number or a decimal string) within the i64 range")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format_args!("integer {v} is beyond the i64 range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // serde_json hands us an f64 for numbers written with a fraction or exponent (`3.0`,
        // `2.5`, `1e3`) and for integers beyond u64. A whole number within ±2^53 is exact in an
        // f64 and is accepted; printing a larger one would show digits that were never sent.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if v.fract() == 0.0 && v.abs() <= EXACT {
            // Whole and within the range where an f64 holds every integer: the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            return Ok(v as i64);
        }
        if v.is_finite() && v.fract() != 0.0 && v.abs() < 1e15 {
            Err(E::custom(format_args!(
                "expected an integer, found the number {v}"
            )))
        } else {
            Err(E::custom(
                "expected an integer within the i64 range, found a number beyond it",
            ))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        parse_decimal(v).ok_or_else(|| {
            E::custom(format_args!(
                "expected an integer within the i64 range, found the string {:?}",
                crate::error::excerpt(v)
            ))
        })
    }
}

/// Parses an optionally signed decimal integer; surrounding spaces are allowed.
pub(crate) fn parse_decimal(text: &str) -> Option<i64> {
    let (negative, digits) = match text.trim().as_bytes() {
        [b'-', digits @ ..] => (true, digits),
        [b'+', digits @ ..] => (false, digits),
        digits => (false, digits),
    };
    if digits.is_empty() {
        return None;
    }
    // Summed below zero, in one pass: `i64::MIN` has no positive counterpart.
    let mut value: i64 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(digit))?;
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// Same as [`IntVisitor`], but `null` is `None`.
struct OptIntVisitor;

impl<'de> Visitor<'de> for OptIntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        IntVisitor.expecting(f)?;
        f.write_str(", or null")
    }

    null_is_none!(deserialize_any);

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        IntVisitor.visit_u64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        IntVisitor.visit_f64(v).map(Some)
    }

    /// An empty string is read as absent: some back ends write `""` for a missing number.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            IntVisitor.visit_str(v).map(Some)
        }
    }
}

/// A required integer: JSON number or decimal string.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// An optional integer: JSON number, decimal string, `null` or absent (with `#[serde(default)]`).
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptIntVisitor)
}

/// An optional list of integers, each a JSON number or a decimal string.
pub(crate) fn opt_int_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Item(#[serde(deserialize_with = "int")] i64);
    let items: Option<Vec<Item>> = serde::Deserialize::deserialize(d)?;
    Ok(items.map(|items| items.into_iter().map(|Item(v)| v).collect()))
}

/// An optional boolean: `true`/`false`, `0`/`1`, `"true"`/`"false"`; `null` is `None`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct BoolVisitor;
    impl<'de> Visitor<'de> for BoolVisitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean (true/false, 0/1) or null")
        }
        null_is_none!(deserialize_any);
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_option(BoolVisitor)
}

/// Visitor for an identifier: a string, or a JSON integer kept as its decimal text (some back ends
/// send numeric ids where the document says string).
struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = CompactString;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id (a string or an integer)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CompactString, E> {
        Ok(CompactString::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<CompactString, E> {
        Ok(CompactString::from(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CompactString, E> {
        Ok(v.to_compact_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CompactString, E> {
        Ok(v.to_compact_string())
    }
}

/// One id, for lists and maps of ids.
#[derive(serde::Deserialize)]
struct Id(#[serde(deserialize_with = "id")] CompactString);

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<CompactString, D::Error> {
    d.deserialize_any(IdVisitor)
}

/// An optional id: a string or an integer (as its decimal text); `null` is `None`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CompactString>, D::Error> {
    d.deserialize_option(OptIdVisitor)
}

/// An optional text field: a string; `null` is `None`. What serde derives for an
/// `Option<CompactString>`, with the text made where it ends up (see [`OptIdVisitor`]).
pub(crate) fn opt_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CompactString>, D::Error> {
    d.deserialize_option(OptStrVisitor)
}

struct OptStrVisitor;

impl<'de> Visitor<'de> for OptStrVisitor {
    type Value = Option<CompactString>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    null_is_none!(deserialize_str);

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }
}

/// [`IdVisitor`] giving the `Option` itself: the id is made where it ends up, rather than
/// wrapped on its way out (each wrapping of an `Option<CompactString>` is a copy of it, and
/// copies of a value just written stall the CPU's store forwarding).
struct OptIdVisitor;

impl<'de> Visitor<'de> for OptIdVisitor {
    type Value = Option<CompactString>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        IdVisitor.expecting(f)
    }

    null_is_none!(deserialize_any);

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_compact_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_compact_string()))
    }
}

/// An optional list of ids, each a string or an integer.
pub(crate) fn opt_id_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<CompactString>>, D::Error> {
    let items: Option<Vec<Id>> = serde::Deserialize::deserialize(d)?;
    Ok(items.map(|items| items.into_iter().map(|Id(text)| text).collect()))
}

/// An optional map from a staff id to a list of ids, each a string or an integer.
pub(crate) fn opt_id_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::collections::BTreeMap<CompactString, Vec<CompactString>>>, D::Error> {
    let map: Option<std::collections::BTreeMap<CompactString, Vec<Id>>> =
        serde::Deserialize::deserialize(d)?;
    Ok(map.map(|map| {
        map.into_iter()
            .map(|(staff, ids)| (staff, ids.into_iter().map(|Id(text)| text).collect()))
            .collect()
    }))
}

/// An optional text: a string as is; any other JSON value as its compact JSON text; `null` is
/// `None`. For fields such as `msg`, whose type must never hide what surrounds it.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    })
}

/// An optional list that the document types as an object: a JSON array, or a single object
/// (read as a list of one); `null` is `None`.
pub(crate) fn opt_one_or_many<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    struct OneOrMany<T>(std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of objects, a single object, or null")
        }
        null_is_none!(deserialize_any);
        fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Some)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|one| Some(vec![one]))
        }
    }
    d.deserialize_option(OneOrMany(std::marker::PhantomData))
}

/// A JSON string, borrowed from the input when it holds no escape (serde's `Cow<str>` always
/// copies): object keys and codes that are only compared.
pub(crate) struct Text<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> Text<'de> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(text)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_int")]
        n: Option<i64>,
    }

    fn probe(json: &str) -> Result<Option<i64>, String> {
        serde_json::from_str::<Probe>(json)
            .map(|p| p.n)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn integers_are_exact_over_the_whole_i64_range() {
        assert_eq!(probe(r#"{"n": 9223372036854775807}"#), Ok(Some(i64::MAX)));
        assert_eq!(probe(r#"{"n": -9223372036854775808}"#), Ok(Some(i64::MIN)));
        assert_eq!(probe(r#"{"n": "9223372036854775807"}"#), Ok(Some(i64::MAX)));
        assert_eq!(
            probe(r#"{"n": "-9223372036854775808"}"#),
            Ok(Some(i64::MIN))
        );
        // 2^53 + 1 is where f64 would first round.
        assert_eq!(
            probe(r#"{"n": 9007199254740993}"#),
            Ok(Some(9_007_199_254_740_993))
        );
        assert_eq!(
            probe(r#"{"n": "9007199254740993"}"#),
            Ok(Some(9_007_199_254_740_993))
        );
    }

    #[test]
    fn null_absent_and_empty_strings_are_none() {
        assert_eq!(probe(r#"{"n": null}"#), Ok(None));
        assert_eq!(probe(r#"{}"#), Ok(None));
        assert_eq!(probe(r#"{"n": ""}"#), Ok(None));
        assert_eq!(probe(r#"{"n": "  "}"#), Ok(None));
    }

    #[test]
    fn out_of_range_and_fractions_are_errors() {
        let too_big = probe(r#"{"n": 9223372036854775808}"#).expect_err("rejected");
        assert!(too_big.contains("beyond the i64 range"), "{too_big}");
        let huge = probe(r#"{"n": 123456789012345678901234567890}"#).expect_err("rejected");
        assert!(huge.contains("found a number beyond it"), "{huge}");
        assert_eq!(
            probe(r#"{"n": 3.0}"#),
            Ok(Some(3)),
            "a whole number written as a float"
        );
        assert_eq!(probe(r#"{"n": 1e3}"#), Ok(Some(1000)));
        assert_eq!(
            probe(r#"{"n": -9007199254740992.0}"#),
            Ok(Some(-9_007_199_254_740_992))
        );
        let inexact = probe(r#"{"n": 9007199254740994.0}"#).expect_err("rejected");
        assert!(inexact.contains("found a number beyond it"), "{inexact}");
        let frac = probe(r#"{"n": 1.5}"#).expect_err("rejected");
        assert!(
            frac.contains("expected an integer, found the number 1.5"),
            "{frac}"
        );
        let text = probe(r#"{"n": "12a"}"#).expect_err("rejected");
        assert!(text.contains("found the string \"12a\""), "{text}");
        assert!(probe(r#"{"n": "9223372036854775808"}"#).is_err());
        assert!(probe(r#"{"n": [1]}"#).is_err());
    }

    #[derive(serde::Deserialize, Debug)]
    struct IdProbe {
        #[serde(default, deserialize_with = "opt_id")]
        id: Option<CompactString>,
    }

    #[test]
    fn ids_are_strings_or_integers_never_floats() {
        let read = |json: &str| serde_json::from_str::<IdProbe>(json).map(|p| p.id);
        assert_eq!(read(r#"{"id": "et01"}"#).ok(), Some(Some("et01".into())));
        assert_eq!(read(r#"{"id": 420115}"#).ok(), Some(Some("420115".into())));
        assert_eq!(
            read(r#"{"id": 18446744073709551615}"#).ok(),
            Some(Some("18446744073709551615".into()))
        );
        assert_eq!(read(r#"{"id": null}"#).ok(), Some(None));
        assert!(read(r#"{"id": 1.5}"#).is_err());
        assert!(read(r#"{"id": true}"#).is_err());
        assert!(read(r#"{"id": {}}"#).is_err());
    }

    #[test]
    fn parse_decimal_rejects_non_digits() {
        assert_eq!(parse_decimal(" 42 "), Some(42));
        assert_eq!(parse_decimal("+7"), Some(7));
        assert_eq!(parse_decimal("-"), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal("0x10"), None);
    }

    #[test]
    fn parse_decimal_is_exact_to_both_ends_of_i64() {
        assert_eq!(parse_decimal("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_decimal("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_decimal("9223372036854775808"), None);
        assert_eq!(parse_decimal("-9223372036854775809"), None);
        assert_eq!(parse_decimal("99999999999999999999999"), None);
        assert_eq!(parse_decimal("-0"), Some(0));
        assert_eq!(parse_decimal("0042"), Some(42));
        assert_eq!(parse_decimal("\u{3000}7\t"), Some(7));
        for bad in ["", "+", "--1", "+-1", "1 2", "١٢", "1.0"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }
}
