//! Time values: epoch-second timestamps and `yyyy-MM-dd HH:mm:ss` strings in Beijing time.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

use crate::raw_json::RawJson;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// The wire format of `add_time_range` times.
pub const BEIJING_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Beijing time, UTC+08:00: the zone the API's date-time strings are in (they carry none).
pub const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+08:00 is a valid offset"),
};

/// Reads an epoch-second timestamp. `None` when it is outside what a date-time can hold.
///
/// The task detail document does not state the unit of `send_time`, `end_time` and
/// `create_time`; every sibling endpoint documents epoch seconds (时间戳,精度:秒), so seconds are
/// assumed. The raw integer stays available on the task.
pub fn from_epoch_seconds(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

/// A date-time string that is not `yyyy-MM-dd HH:mm:ss`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{:?} is not a date-time of the form yyyy-MM-dd HH:mm:ss",
    crate::error::excerpt(text)
)]
pub struct TimeParseError {
    /// The text as received.
    pub text: String,
}

/// Parses `yyyy-MM-dd HH:mm:ss` as Beijing time.
pub fn parse_beijing(text: &str) -> Result<DateTime<FixedOffset>, TimeParseError> {
    NaiveDateTime::parse_from_str(text.trim(), BEIJING_FORMAT)
        .ok()
        .and_then(|naive| naive.and_local_timezone(BEIJING).single())
        .ok_or_else(|| TimeParseError {
            text: text.to_owned(),
        })
}

/// `add_time_range` (添加时间范围): when the targeted customers were added. The API sends
/// `yyyy-MM-dd HH:mm:ss` strings, though one schema types them "object": any JSON value is
/// kept as received, so an odd one does not make the whole range invalid.
/// [`TimeRange::start`] and [`TimeRange::end`] parse them as Beijing time.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeRange {
    /// Start, `yyyy-MM-dd HH:mm:ss` (开始时间).
    pub start_time: Option<RawJson>,
    /// End, `yyyy-MM-dd HH:mm:ss` (结束时间).
    pub end_time: Option<RawJson>,
}

impl TimeRange {
    /// A range of two date-time strings.
    pub fn new(start: &str, end: &str) -> Self {
        Self {
            start_time: Some(RawJson::text(start)),
            end_time: Some(RawJson::text(end)),
        }
    }

    /// The start as a Beijing date-time; `Ok(None)` when absent or empty.
    pub fn start(&self) -> Result<Option<DateTime<FixedOffset>>, TimeParseError> {
        parse_optional(self.start_time.as_ref())
    }

    /// The end as a Beijing date-time; `Ok(None)` when absent or empty.
    pub fn end(&self) -> Result<Option<DateTime<FixedOffset>>, TimeParseError> {
        parse_optional(self.end_time.as_ref())
    }
}

fn parse_optional(
    value: Option<&RawJson>,
) -> Result<Option<DateTime<FixedOffset>>, TimeParseError> {
    let Some(value) = value else {
        return Ok(None);
    };
    match value.as_text() {
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => parse_beijing(&text).map(Some),
        None => Err(TimeParseError {
            text: value.get().to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_strings_parse_with_the_plus_eight_offset() {
        let range = TimeRange::new("2024-08-15 09:30:00", "");
        let start = range.start().expect("parses").expect("present");
        assert_eq!(start.to_rfc3339(), "2024-08-15T09:30:00+08:00");
        assert_eq!(start.timestamp(), 1_723_685_400);
        assert_eq!(range.end(), Ok(None));
    }

    #[test]
    fn placeholder_strings_are_a_parse_error_naming_the_text() {
        let range = TimeRange {
            start_time: Some(RawJson::text("test_4c0647f811f9")),
            end_time: RawJson::from_json("{\"t\":1}"),
        };
        let err = range.start().expect_err("placeholder");
        assert_eq!(
            err.to_string(),
            "\"test_4c0647f811f9\" is not a date-time of the form yyyy-MM-dd HH:mm:ss"
        );
        let err = range.end().expect_err("an object");
        assert_eq!(
            err.to_string(),
            "\"{\\\"t\\\":1}\" is not a date-time of the form yyyy-MM-dd HH:mm:ss"
        );
    }

    #[test]
    fn epoch_seconds_convert_and_absurd_values_do_not_panic() {
        let at = from_epoch_seconds(1_654_841_208).expect("in range");
        assert_eq!(at.to_rfc3339(), "2022-06-10T06:06:48+00:00");
        assert_eq!(from_epoch_seconds(i64::MAX), None);
        assert_eq!(from_epoch_seconds(i64::MIN), None);
    }
}
