//! The entry points: a whole response envelope to a task.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{
    DecodeError, JsonPathError, Origin, expect_object, from_slice_with_path, from_str_with_path,
};
use crate::lenient;
use crate::range::{RANGE_INFO_PATH, RangeInfo};
use crate::task::MassTaskDetail;

/// The longest API `msg` kept in an error, in characters.
const MAX_MSG_CHARS: usize = 300;

/// `{"code", "msg", "data"}` with `data` not yet decoded, so that `code` is read first whatever
/// shape `data` has.
#[derive(Deserialize)]
#[serde(expecting = "a response envelope object {\"code\", \"msg\", \"data\"}")]
struct WireEnvelope<'a> {
    #[serde(deserialize_with = "lenient::int")]
    code: i64,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    msg: Option<String>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

/// `data` in the page form the response table describes (`total`, `records`).
#[derive(Deserialize)]
struct WirePage<'a> {
    #[serde(default, deserialize_with = "lenient::opt_int")]
    total: Option<i64>,
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
}

/// `data` in its page form (`total`, `records`), every record kept: see [`decode_page`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TaskPage {
    /// `total`, as the API sent it.
    pub total: Option<i64>,
    /// Every record, in order.
    pub records: Vec<MassTaskDetail>,
}

/// Decodes a response whose `data` is a page (`{"total", "records": [task…]}`, as the document's
/// response table describes it) keeping `total` and every record. A plain task object is a page
/// of one (with no `total`). [`decode`] yields only the first record of a page.
pub fn decode_page(bytes: &[u8]) -> Result<TaskPage, DecodeError> {
    with_lone_surrogates_replaced(bytes, |bytes| {
        let bytes = without_bom(bytes);
        let text = read_task_data(bytes)?.get();
        expect_object(text, "data", "a mass-send task object or page")
            .map_err(DecodeError::Json)?;
        let origin = Origin::of(bytes, text);
        if let Ok(page) = from_str_with_path::<WirePage<'_>>(text, "data", origin) {
            let records = page
                .records
                .iter()
                .enumerate()
                .map(|(i, record)| {
                    let path = format!("data.records[{i}]");
                    expect_object(record.get(), &path, "a mass-send task object")?;
                    decode_task(record.get(), &path, Origin::of(bytes, record.get()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(DecodeError::Json)?;
            return Ok(TaskPage {
                total: page.total,
                records,
            });
        }
        let task = decode_task(text, "data", origin).map_err(DecodeError::Json)?;
        Ok(TaskPage {
            total: None,
            records: vec![task],
        })
    })
}

/// How many records a page holds, and its `total` as sent.
pub type PageExtent = (usize, Option<i64>);

/// Whether a page of this extent holds more than the one task [`decode`] returns: more than one
/// record, or a `total` above one. What a caller that shows or returns only the first warns of.
pub fn page_holds_more((records, total): PageExtent) -> bool {
    records > 1 || total.is_some_and(|total| total > 1)
}

/// How many records a response's `data` page holds (of which [`decode`] returns the first), and
/// its `total`: for a caller that warns that the rest was not shown. `None` for a plain task
/// or input that does not parse.
pub fn page_extent(bytes: &[u8]) -> Option<PageExtent> {
    let bytes = without_bom(bytes);
    let data = read_envelope(bytes).ok()??;
    let page: WirePage<'_> = serde_json::from_str(data.get()).ok()?;
    Some((page.records.len(), page.total))
}

/// [`decode`] and [`page_extent`] in one pass over the usual response: the task, and when `data`
/// is a page, how many records it holds and its `total` (a tool that shows the task warns that
/// the rest was not shown).
pub fn decode_with_page_extent(
    bytes: &[u8],
) -> Result<(MassTaskDetail, Option<PageExtent>), DecodeError> {
    // The fast path takes only a task object without `records`, which is no page.
    let mut slot = None;
    crate::fast_path::decode_into::<true>(without_bom(bytes), &mut slot);
    if let Some(task) = slot {
        return Ok((task, None));
    }
    // `decode` would try the fast path again; where it would take the input, the general path
    // gives the same task.
    let task = decode_general_tolerant(bytes)?;
    Ok((task, page_extent(bytes)))
}

/// Decodes a response envelope into the task it carries.
///
/// A non-zero `code` is [`DecodeError::Api`] whatever `data` holds. A `range_info` that does not
/// fit its `filter_type`'s schema does not fail the call: it becomes [`RangeInfo::Invalid`]. Use
/// [`decode_strict`] to make that an error.
pub fn decode(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    // The usual response first, its task moved once into the result (through the general
    // path's layers it would be copied at each).
    let mut slot = None;
    crate::fast_path::decode_into::<false>(without_bom(bytes), &mut slot);
    match slot {
        Some(task) => Ok(task),
        None => retried_with_lone_surrogates_replaced(
            decode_general(without_bom(bytes)),
            bytes,
            decode_exact,
        ),
    }
}

/// Runs `decode` on `bytes`; when it fails and the input holds lone surrogate escapes
/// (`"\ud800"`), runs it again with those read as U+FFFD.
fn with_lone_surrogates_replaced<T>(
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    retried_with_lone_surrogates_replaced(decode(bytes), bytes, decode)
}

/// The second half of [`with_lone_surrogates_replaced`]: `first` is what `bytes` gave.
fn retried_with_lone_surrogates_replaced<T>(
    first: Result<T, DecodeError>,
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    match first {
        Err(DecodeError::Json(error)) => match crate::surrogates::replace_lone_surrogates(bytes) {
            Some(fixed) => decode(&fixed),
            None => Err(DecodeError::Json(error)),
        },
        other => other,
    }
}

fn decode_exact(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    let bytes = without_bom(bytes);
    if let Some(task) = crate::fast_path::decode::<false>(bytes) {
        return Ok(task);
    }
    decode_general(bytes)
}

/// [`decode`] without its single-pass fast path: what the fuzz target compares it with.
#[cfg(fuzzing)]
pub fn decode_without_fast_path(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    decode_general_tolerant(bytes)
}

/// [`decode`] by the general path only (byte-order mark and lone surrogates handled as there).
pub(crate) fn decode_general_tolerant(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    with_lone_surrogates_replaced(bytes, |bytes| decode_general(without_bom(bytes)))
}

/// The two-stage decode (envelope with `data` raw, then `data`): every input, every error.
fn decode_general(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    decode_data(bytes, read_task_data(bytes)?.get()).map_err(DecodeError::Json)
}

/// The envelope's `data`, which must be there (not absent, not `null`) when `code` is 0.
fn read_task_data(bytes: &[u8]) -> Result<&RawValue, DecodeError> {
    read_envelope(bytes)?
        .filter(|data| data.get() != "null")
        .ok_or_else(|| {
            DecodeError::Json(JsonPathError::new(
                "data",
                "missing: code is 0 but there is no task object",
            ))
        })
}

/// Decodes the envelope of any endpoint of the API (same `{code, msg, data}` shape): a non-zero
/// `code` is [`DecodeError::Api`]; otherwise `data` (or `null` when absent) is read as `T`, with
/// errors located by JSON path.
pub fn decode_envelope<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    with_lone_surrogates_replaced(bytes, |bytes| {
        let bytes = without_bom(bytes);
        let data = read_envelope(bytes)?;
        let text = data.map_or("null", RawValue::get);
        from_str_with_path(text, "data", Origin::of(bytes, text)).map_err(DecodeError::Json)
    })
}

/// Checks the envelope and returns its `data`, raw. Reads `code` first.
fn read_envelope(bytes: &[u8]) -> Result<Option<&RawValue>, DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    // What the document starts with, after any white space (of any length).
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 64)];
    expect_object(
        &String::from_utf8_lossy(head),
        "",
        "a JSON response envelope object {\"code\", \"msg\", \"data\"}",
    )
    .map_err(DecodeError::Json)?;
    let envelope: WireEnvelope<'_> = from_slice_with_path(bytes, "").map_err(DecodeError::Json)?;
    if envelope.code != 0 {
        let raw_msg = envelope.msg.unwrap_or_default();
        return Err(DecodeError::Api {
            code: envelope.code,
            msg: one_line(&raw_msg),
            raw_msg,
        });
    }
    Ok(envelope.data)
}

/// Like [`decode`], but a `range_info` that does not fit its schema is [`DecodeError::Range`].
pub fn decode_strict(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    let task = decode(bytes)?;
    match task.filter_range_info.as_ref().map(|info| &info.range) {
        Some(RangeInfo::Invalid(invalid)) => Err(DecodeError::Range(invalid.error.clone())),
        _ => Ok(task),
    }
}

/// Decodes the `data` object: a task, or a page whose first record is the task.
fn decode_data(envelope: &[u8], data: &str) -> Result<MassTaskDetail, JsonPathError> {
    expect_object(data, "data", "a mass-send task object")?;
    let origin = Origin::of(envelope, data);
    match decode_task(data, "data", origin) {
        Ok(task) => Ok(task),
        Err(task_error) => match from_str_with_path::<WirePage<'_>>(data, "data", origin) {
            Ok(page) => match page.records.first() {
                Some(first) => {
                    expect_object(first.get(), "data.records[0]", "a mass-send task object")?;
                    decode_task(
                        first.get(),
                        "data.records[0]",
                        Origin::of(envelope, first.get()),
                    )
                }
                None => Err(JsonPathError::new("data.records", "the page holds no task")),
            },
            Err(_) => Err(task_error),
        },
    }
}

/// Decodes one task object at `path`, and places range errors under it.
fn decode_task(text: &str, path: &str, origin: Origin) -> Result<MassTaskDetail, JsonPathError> {
    let mut task: MassTaskDetail = from_str_with_path(text, path, origin)?;
    if let Some(RangeInfo::Invalid(invalid)) =
        task.filter_range_info.as_mut().map(|info| &mut info.range)
    {
        debug_assert!(invalid.error.path.starts_with(RANGE_INFO_PATH));
        invalid.error = invalid.error.clone().under(path);
    }
    Ok(task)
}

/// The input without a leading UTF-8 byte-order mark (some gateways add one).
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The API's message on one line and of bounded length.
fn one_line(msg: &str) -> String {
    let flat: String = msg
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = flat.trim();
    match trimmed.char_indices().nth(MAX_MSG_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixture, and many variations of each, decodes the same through the fast path as
    /// through the general one (when the fast path takes it at all).
    #[test]
    fn the_fast_path_agrees_with_the_general_one() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let mut taken = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let original = std::fs::read(entry.path()).expect("fixture");
            let original = without_bom(&original).to_vec();
            let mut variants = vec![original.clone()];
            // Every prefix (truncations), and each byte replaced by a few others.
            for cut in (0..original.len()).step_by(7) {
                variants.push(original[..cut].to_vec());
            }
            for at in (0..original.len()).step_by(11) {
                for byte in [b'"', b'0', b'{', b']', b'\\', b' '] {
                    let mut changed = original.clone();
                    changed[at] = byte;
                    variants.push(changed);
                }
            }
            for bytes in variants {
                let page_aware = crate::fast_path::decode::<true>(&bytes);
                if let Some(fast) = crate::fast_path::decode::<false>(&bytes) {
                    taken += 1;
                    if let Some(page_aware) = page_aware {
                        assert_eq!(page_aware, fast);
                    }
                    assert_eq!(
                        decode_general(&bytes),
                        Ok(fast),
                        "{}: {}",
                        entry.path().display(),
                        String::from_utf8_lossy(&bytes)
                    );
                }
            }
        }
        assert!(taken > 1_000, "the fast path was exercised: {taken}");
    }

    /// The usual responses' range documents are read in place, not unescaped first; an invalid
    /// one is read from its text, still on the fast path.
    #[test]
    fn usual_range_documents_are_read_in_place() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        for name in [
            "task_54_corp_send2customer.json",
            "doc_staff_send2customer.json",
            "crowd_pack_big_ids.json",
        ] {
            let bytes = std::fs::read(format!("{dir}/{name}")).expect("fixture");
            let mut fast = None;
            let read = crate::fast_json::tests::read_in_place(|| {
                fast = crate::fast_path::decode::<false>(&bytes);
            });
            assert_eq!(read, 1, "{name}");
            assert_eq!(fast.map(Ok), Some(decode_general(&bytes)), "{name}");
        }
        let invalid = br#"{"code":0,"data":{"task_id":1,"filter_range_info":{"filter_type":"CorpSend2Customer","range_info":"{\"sex\":[]}"}}}"#;
        let mut fast = None;
        let read = crate::fast_json::tests::read_in_place(|| {
            fast = crate::fast_path::decode::<false>(invalid);
        });
        assert_eq!(read, 0);
        let range = fast
            .and_then(|task| task.filter_range_info)
            .map(|info| info.range);
        assert!(matches!(range, Some(RangeInfo::Invalid(_))), "{range:?}");
    }

    /// `range_info` strings as other serializers escape them — `\u` escapes of keys and values,
    /// `\/`, escapes inside the document's own strings, pretty printing with `\n` and `\t` — are
    /// read in place to what the general path reads; broken ones fall back to it unchanged.
    #[test]
    fn escaped_range_documents_agree_with_the_general_reading() {
        let in_place = [
            r#"{\"\u0073ex\":\"F\",\"age_range\":\"25\u007e35\"}"#,
            r#"{\"sex\":\"F\",\"age_range\":\"25\\u007e35\"}"#,
            r#"{\n\t\"remark_key_words\" : [ \"a\\\"b\", \"c\\\\d\", \"e\/f\", \"\u4e2d\" ],\r\n \"sex\":\"M\"\n}  "#,
            r#"{\"chat_list\":[{\"chat_id\":\"wr1\",\"chat_name\":\"\\ud83d\\ude00 \ud83d\ude00\",\"status\":0}]}"#,
            r#"{\"include_tags\":{\"operator\":1,\"tag_detail_list\":[{\"tag_id\":7,\"auth\":\"1\",\"strategy_id\":\"42\"}]}}"#,
            r#"{\"add_time_range\":{\"start_time\":\"2024-08-01 00:00:00\",\"end_time\":{\"a\":[1,\"x\\ny\"]}}}"#,
        ];
        let fallback = [
            r#"{\"sex\":\"F\"} trailing"#,
            r#"{\"sex\":\"F\",\"sex\":\"M\"}"#,
            r#"{\"age_range\":\"a\nb\"}"#,
            r#"{\"dept_ids\":[1.5]}"#,
            r#"{\u0022sex\":\"F\"}"#,
            r#"[]"#,
            r#""#,
        ];
        for (document, expect_in_place) in in_place
            .iter()
            .map(|d| (d, true))
            .chain(fallback.iter().map(|d| (d, false)))
        {
            let response = format!(
                r#"{{"code":0,"msg":"ok","data":{{"task_id":1,"filter_range_info":{{"filter_type":"CorpSend2Customer","range_info":"{document}"}}}}}}"#
            );
            let general = decode_general(response.as_bytes());
            assert!(general.is_ok(), "{document}: {general:?}");
            let mut fast = None;
            let read = crate::fast_json::tests::read_in_place(|| {
                fast = crate::fast_path::decode::<false>(response.as_bytes());
            });
            assert_eq!(fast.map(Ok), Some(general), "{document}");
            assert_eq!(read == 1, expect_in_place, "{document}");
        }
    }

    /// `decode_with_page_extent` is `decode` and `page_extent` together, on every fixture and on
    /// a task object that also holds `records`.
    #[test]
    fn decode_with_page_extent_is_decode_and_page_extent() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .expect("fixtures")
            .flatten()
            .map(|entry| std::fs::read(entry.path()).expect("fixture"))
            .collect();
        inputs.push(br#"{"code":0,"data":{"task_id":54,"records":[{"task_id":55},{}]}}"#.to_vec());
        let mut pages = 0;
        for bytes in &inputs {
            let together = decode_with_page_extent(bytes);
            let apart = decode(bytes).map(|task| (task, page_extent(bytes)));
            pages += usize::from(matches!(&apart, Ok((_, Some(_)))));
            assert_eq!(together, apart, "{}", String::from_utf8_lossy(bytes));
        }
        assert!(pages >= 2, "pages were among the inputs: {pages}");
    }

    /// The one-pass reading of `filter_range_info` (`range::text_ranges`) gives what the general
    /// reading gives, for every order and form of its keys, or leaves the response to it.
    #[test]
    fn ranges_read_in_one_pass_agree_with_the_general_reading() {
        let range = r#""{\"add_user_range\":{\"user_ids\":[\"u1\"]},\"sex\":\"MALE\"}""#;
        let invalid = r#""{\"add_user_range\":7}""#;
        let shapes = [
            format!(r#"{{"filter_type":"CorpSend2Customer","range_info":{range}}}"#),
            format!(r#"{{"range_info":{range},"filter_type":"CorpSend2Customer"}}"#),
            format!(r#"{{"range_info":{range}}}"#),
            format!(r#"{{"filter_type":null,"range_info":{range}}}"#),
            format!(r#"{{"filter_type":"Mystery","range_info":{range},"all_staff":1}}"#),
            format!(r#"{{"filter_type":"CorpSend2Customer","range_info":{invalid}}}"#),
            format!(r#"{{"range_info":{invalid},"filter_type":"CorpSend2Customer"}}"#),
            r#"{"filter_type":"CorpSend2Customer","range_info":null,"is_all_customer":"true"}"#
                .to_owned(),
            r#"{"filter_type":"AllCustomer","is_all_customer":true}"#.to_owned(),
            r#"{"filter_type":"CorpSend2Customer","range_info":{"sex":"MALE"}}"#.to_owned(),
            r#"{"filter_type":"CorpSend2Customer","range_info":[]}"#.to_owned(),
            r#"{"filter_type":"CorpSend2Customer","range_info":"","extra":[1,{"a":2}]}"#.to_owned(),
            format!(
                r#"{{"filter_type":"CorpSend2Customer","range_info":{range},"range_info":null}}"#
            ),
            r#"{"filter_type":"CrowdPack","filter_type":"CrowdPack"}"#.to_owned(),
            r#"{"all_staff":2,"filter_type":"CrowdPack"}"#.to_owned(),
            r#"{"filter\u005ftype":"CorpSend2Customer","range_info":"{\"sex\":\"\u0041LL\"}"}"#
                .to_owned(),
        ];
        let mut taken = 0;
        for shape in &shapes {
            let response = format!(
                r#"{{"code":0,"msg":"ok","data":{{"task_id":1,"filter_range_info":{shape}}}}}"#
            );
            let general = decode_general(response.as_bytes());
            match crate::fast_path::decode::<false>(response.as_bytes()) {
                Some(fast) => {
                    taken += 1;
                    assert_eq!(general, Ok(fast), "{shape}");
                }
                None => assert!(
                    general.is_err()
                        || shape.contains(r#""range_info":{"#)
                        || shape.contains(r#""range_info":["#)
                        || shape.matches("range_info").count() > 1
                        || shape.matches("filter_type").count() > 1,
                    "the fast path declined a usual shape: {shape}"
                ),
            }
        }
        assert_eq!(taken, 11, "the one-pass reading was exercised");
    }
}
