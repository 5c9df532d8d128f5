//! The single-pass decode of the usual response: `code` first (0), then `data` as a task object.
//!
//! The general decoder reads the envelope with `data` captured raw, so that a non-zero `code`
//! wins whatever `data` holds, then parses `data` again: the whole document is scanned twice.
//! When `code` comes before `data`, as the API sends it, `data` can be decoded as a task while
//! the envelope is read. Anything else — `data` before `code`, a non-zero `code`, a page, a
//! repeated key, any error — gives up here, and the general decoder runs from the start, so
//! its errors, paths and tolerances are the only ones a caller ever sees.
//!
//! `range_info` is read in one pass too (see `range::text_ranges`).

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::object_keys::{Predicted, object_keys};
use crate::range::RangeInfo;
use crate::task::MassTaskDetail;

/// The task, when the response is the usual single-pass case; `None` to take the general path.
///
/// With `NO_PAGE`, a task object that also holds `records` (which may be a page) is left to the
/// general path too, so that the caller knows `data` was no page; [`decode`](crate::decode) does
/// not need that (the general path would return the same task), so it skips the check.
pub(crate) fn decode<const NO_PAGE: bool>(bytes: &[u8]) -> Option<MassTaskDetail> {
    let mut task = None;
    decode_into::<NO_PAGE>(bytes, &mut task);
    task
}

/// [`decode`] into the caller's `slot` (left `None` to take the general path). The task is
/// written where it is read and moved only by the caller, not returned through every layer of
/// the reading: it is large (about 500 bytes), and each layer would copy it.
pub(crate) fn decode_into<const NO_PAGE: bool>(bytes: &[u8], slot: &mut Option<MassTaskDetail>) {
    // The general path refuses invalid UTF-8 anywhere in `data` (its raw capture must be text),
    // even inside a field it ignores; skipping a field does not check it, so check it all first.
    let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
        return;
    };
    let read = crate::range::text_ranges::with_enabled(|| {
        let mut de = crate::fast_json::Deserializer::new(text);
        let visitor = EnvelopeVisitor::<NO_PAGE> { task: &mut *slot };
        (&mut de).deserialize_map(visitor).is_ok() && de.end().is_ok()
    });
    if !read {
        *slot = None;
    }
    // As the general path does: an invalid range's error is placed under the task's path.
    if let Some(RangeInfo::Invalid(invalid)) = slot
        .as_mut()
        .and_then(|task| task.filter_range_info.as_mut())
        .map(|info| &mut info.range)
    {
        invalid.error = invalid.error.clone().under("data");
    }
}

object_keys! {
    /// The envelope's keys.
    EnvelopeKey { Code = "code", Msg = "msg", Data = "data" }
}

/// Reads the envelope into `task`; an error means "take the general path", and so does a
/// `task` left empty.
struct EnvelopeVisitor<'a, const NO_PAGE: bool> {
    task: &'a mut Option<MassTaskDetail>,
}

impl<'de, const NO_PAGE: bool> Visitor<'de> for EnvelopeVisitor<'_, NO_PAGE> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a response envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let general_path = || de::Error::custom("the general path decides");
        let mut code_seen = false;
        let mut msg_seen = false;
        let mut keys = Predicted::<EnvelopeKey>::first();
        while let Some(key) = keys.next_key(&mut map)? {
            match key {
                EnvelopeKey::Code if !code_seen => {
                    let code = map.next_value_seed(crate::fast_task::Int)?;
                    if code != 0 {
                        return Err(general_path());
                    }
                    code_seen = true;
                }
                EnvelopeKey::Data if code_seen && self.task.is_none() => {
                    map.next_value_seed(TaskObject::<NO_PAGE> {
                        task: &mut *self.task,
                    })?;
                }
                // The general path reads `msg` as any JSON value, and every value this reader
                // yields is one; skipped here without being kept.
                EnvelopeKey::Msg if !msg_seen => {
                    map.next_value::<IgnoredAny>()?;
                    msg_seen = true;
                }
                // `data` before `code`, or a key given twice: the general path decides.
                EnvelopeKey::Code | EnvelopeKey::Data | EnvelopeKey::Msg => {
                    return Err(general_path());
                }
                EnvelopeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `data` as a task, from a JSON object only (serde would also read a struct from an array by
/// position, which the general path refuses), written into `task`.
struct TaskObject<'a, const NO_PAGE: bool> {
    task: &'a mut Option<MassTaskDetail>,
}

impl<'de, const NO_PAGE: bool> de::DeserializeSeed<'de> for TaskObject<'_, NO_PAGE> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, const NO_PAGE: bool> Visitor<'de> for TaskObject<'_, NO_PAGE> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mass-send task object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let task = self.task.insert(MassTaskDetail::default());
        crate::fast_task::read_task::<A, NO_PAGE>(map, task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_usual_shape_takes_the_fast_path() {
        let usual = br#"{"code":0,"msg":"ok","data":{"task_id":54,"type":10}}"#;
        assert_eq!(decode::<false>(usual).map(|t| t.task_id), Some(54));
        assert_eq!(decode::<true>(usual).map(|t| t.task_id), Some(54));
        for unusual in [
            // `data` before `code`: the general path reads `code` first.
            &br#"{"data":{"task_id":54},"code":0}"#[..],
            br#"{"code":40001,"msg":"no","data":{"task_id":54}}"#,
            // An array is not a task, though serde would read one by position.
            br#"{"code":0,"data":[54,"name"]}"#,
            br#"{"code":0,"data":{"total":1,"records":[{"task_id":54}]}}"#,
            br#"{"code":0,"code":0,"data":{"task_id":54}}"#,
            br#"{"code":0,"msg":"a","msg":"b","data":{"task_id":54}}"#,
            // The general path refuses this `msg` (out of range for a JSON value).
            br#"{"code":0,"msg":1e999,"data":{"task_id":54}}"#,
            br#"{"code":0,"data":{"task_id":54}} trailing"#,
            br#"{"code":0,"data":null}"#,
            br#"{"code":0}"#,
        ] {
            let shown = String::from_utf8_lossy(unusual);
            assert!(decode::<false>(unusual).is_none(), "{shown}");
            assert!(decode::<true>(unusual).is_none(), "{shown}");
        }
        // A task that also holds `records` may be a page: the page-aware reading leaves it.
        let hybrid = br#"{"code":0,"data":{"task_id":54,"records":[{"task_id":55}]}}"#;
        assert_eq!(decode::<false>(hybrid).map(|t| t.task_id), Some(54));
        assert!(decode::<true>(hybrid).is_none());
        // Keys written with escapes are read unescaped, `records` among them.
        let escaped = br#"{"code":0,"data":{"task_id":54,"records":[]}}"#;
        assert_eq!(decode::<false>(escaped).map(|t| t.task_id), Some(54));
        assert!(decode::<true>(escaped).is_none());
        let escaped_task = br#"{"code":0,"data":{"task_id":54}}"#;
        assert_eq!(decode::<true>(escaped_task).map(|t| t.task_id), Some(54));
    }
}
