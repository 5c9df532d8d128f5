//! `filter_range_info` read in one pass, for the single-pass decode (`crate::fast_path`).
//!
//! The general reading captures `range_info` raw, unescapes it into a `String` and parses that.
//! Here, when `filter_type` came before `range_info` (as the API sends it) and is documented,
//! `range_info` is asked for under `fast_json::RANGE_DOCUMENT`: the fast path's reader offers an
//! object document to be read in place from the string's escaped text by the type's schema, and,
//! if that fails, the string's text, which takes the general reading (`decode_range_text`, so an
//! invalid range is kept as invalid). Any other `range_info` string comes as its text (copied
//! only if the range keeps it); `null` is no range. An inline range object, a repeated key or any
//! error is an error here, and the fast path then gives the whole response to the general
//! decoder, so results and errors are the general reading's.
//!
//! Which reading [`FilterRangeInfo`]'s `Deserialize` uses is set per thread by [`with_enabled`],
//! because the task's derived `Deserialize` gives no other way to pass it down.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::{FilterRangeInfo, RangeInfo, SchemaSource, decode_range_text, decode_schema};
use crate::enums::FilterType;
use crate::lenient::{self, Text};
use crate::object_keys::{Predicted, object_keys};

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread reads ranges in one pass now.
pub(super) fn enabled() -> bool {
    ENABLED.with(Cell::get)
}

/// Runs `f` with ranges read in one pass on this thread; the previous setting is restored after,
/// also when `f` unwinds.
pub(crate) fn with_enabled<T>(f: impl FnOnce() -> T) -> T {
    crate::scoped_flag::with_set(&ENABLED, f)
}

/// A flag read as the general reading reads it.
#[derive(Deserialize)]
struct Flag(#[serde(deserialize_with = "lenient::opt_bool")] Option<bool>);

/// `range_info` as read here: decoded already, or its text (when `filter_type` came after it).
enum RangeField {
    Decoded(RangeInfo),
    Text(String),
    Null,
}

object_keys! {
    /// `filter_range_info`'s keys.
    FilterRangeKey {
        FilterType = "filter_type",
        IsAllCustomer = "is_all_customer",
        IsAllCustomerGroup = "is_all_customer_group",
        AllStaff = "all_staff",
        RangeInfo = "range_info",
    }
}

pub(super) struct FilterRangeVisitor;

impl<'de> Visitor<'de> for FilterRangeVisitor {
    type Value = FilterRangeInfo;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a filter_range_info object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FilterRangeInfo, A::Error> {
        let mut filter_type: Option<Option<Text<'de>>> = None;
        let mut is_all_customer: Option<Flag> = None;
        let mut is_all_customer_group: Option<Flag> = None;
        let mut all_staff: Option<Flag> = None;
        let mut range: Option<RangeField> = None;
        let mut keys = Predicted::<FilterRangeKey>::first();
        while let Some(key) = keys.next_key(&mut map)? {
            match key {
                FilterRangeKey::FilterType if filter_type.is_none() => {
                    filter_type = Some(map.next_value()?);
                }
                FilterRangeKey::IsAllCustomer if is_all_customer.is_none() => {
                    is_all_customer = Some(map.next_value()?);
                }
                FilterRangeKey::IsAllCustomerGroup if is_all_customer_group.is_none() => {
                    is_all_customer_group = Some(map.next_value()?);
                }
                FilterRangeKey::AllStaff if all_staff.is_none() => {
                    all_staff = Some(map.next_value()?);
                }
                FilterRangeKey::RangeInfo if range.is_none() => {
                    range = Some(
                        map.next_value_seed(RangeSeed::new(
                            filter_type
                                .as_ref()
                                .map(|code| code.as_ref().map(Text::as_str)),
                        ))?,
                    );
                }
                FilterRangeKey::FilterType
                | FilterRangeKey::IsAllCustomer
                | FilterRangeKey::IsAllCustomerGroup
                | FilterRangeKey::AllStaff
                | FilterRangeKey::RangeInfo => {
                    return Err(de::Error::custom(
                        "a key given twice: left to the general path",
                    ));
                }
                FilterRangeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let filter_type = || filter_type.flatten().map(Text::into_owned);
        let range = match range {
            Some(RangeField::Decoded(range)) => range,
            Some(RangeField::Text(text)) => decode_range_text(filter_type(), &text),
            Some(RangeField::Null) | None => super::decode_range(filter_type(), None),
        };
        Ok(FilterRangeInfo {
            is_all_customer: is_all_customer.and_then(|flag| flag.0),
            is_all_customer_group: is_all_customer_group.and_then(|flag| flag.0),
            all_staff: all_staff.and_then(|flag| flag.0),
            range,
        })
    }
}

/// Reads `range_info`: a JSON string, decoded at once when `filter_type` is known, or `null`.
struct RangeSeed<'a> {
    /// `filter_type`, when it came before `range_info` (`Some(None)`: it was `null`).
    filter_type: Option<Option<&'a str>>,
    /// The documented filter type the range was sent with, if any.
    known: Option<FilterType>,
}

impl<'a> RangeSeed<'a> {
    fn new(filter_type: Option<Option<&'a str>>) -> Self {
        let known = filter_type
            .flatten()
            .map(FilterType::from_code)
            .filter(FilterType::is_known);
        Self { filter_type, known }
    }
}

impl<'de> de::DeserializeSeed<'de> for RangeSeed<'_> {
    type Value = RangeField;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RangeField, D::Error> {
        // For a documented type, the fast path's reader offers the document to be read in
        // place (`visit_map` below); other deserializers visit the string as usual.
        if self.known.is_some() {
            d.deserialize_newtype_struct(crate::fast_json::RANGE_DOCUMENT, self)
        } else {
            d.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for RangeSeed<'_> {
    type Value = RangeField;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("range_info as a JSON string or null")
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<RangeField, D::Error> {
        d.deserialize_any(self)
    }

    /// The fast path's reader offering the document (`fast_json::RANGE_DOCUMENT`): read in place
    /// by the type's schema; when it does not fit, read the text as the general reading does
    /// (an inline object has no such key, and is refused).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RangeField, A::Error> {
        map.next_key::<DocumentKey>()?
            .ok_or_else(|| de::Error::custom("an inline range: left to the general path"))?;
        let known = self
            .known
            .clone()
            .ok_or_else(|| de::Error::custom("no documented filter_type"))?;
        match map.next_value_seed(InPlace(&known)) {
            Ok(range) => Ok(RangeField::Decoded(range)),
            Err(_) => map.next_value_seed(AsText(self)),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<RangeField, E> {
        Ok(match self.filter_type {
            Some(filter_type) => {
                RangeField::Decoded(decode_range_text(filter_type.map(str::to_owned), text))
            }
            None => RangeField::Text(text.to_owned()),
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<RangeField, E> {
        Ok(RangeField::Null)
    }
}

/// `range_info` read as a string, whatever the filter type.
struct AsText<'a>(RangeSeed<'a>);

impl<'de> de::DeserializeSeed<'de> for AsText<'_> {
    type Value = RangeField;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RangeField, D::Error> {
        d.deserialize_str(self.0)
    }
}

/// The key under which the fast path's reader offers a range document.
struct DocumentKey;

impl<'de> Deserialize<'de> for DocumentKey {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(key) = Text::deserialize(d)?;
        if key == crate::fast_json::RANGE_DOCUMENT {
            Ok(Self)
        } else {
            Err(de::Error::custom(
                "an inline range: left to the general path",
            ))
        }
    }
}

/// Reads a range document in place by the schema of `known`.
struct InPlace<'a>(&'a FilterType);

impl<'de> de::DeserializeSeed<'de> for InPlace<'_> {
    type Value = RangeInfo;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RangeInfo, D::Error> {
        decode_schema(self.0, Source(d, PhantomData))
            .unwrap_or_else(|| Err(de::Error::custom("an unknown filter_type")))
    }
}

/// A deserializer standing at a range document.
struct Source<'de, D>(D, PhantomData<&'de ()>);

impl<'de, D: de::Deserializer<'de>> SchemaSource for Source<'de, D> {
    type Error = D::Error;
    fn read<T: for<'any> Deserialize<'any> + Default>(self) -> Result<T, D::Error> {
        T::deserialize(self.0)
    }
}
