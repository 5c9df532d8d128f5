//! Any text as the `range_info` document of any filter type, inside a task: the task always
//! decodes (a document that does not fit is kept as `Invalid`), the fast path's in-place reading
//! of the document gives what the general path gives, nothing panics, and the decoded task
//! re-encodes into one that decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wshoto_model::FilterType;

fuzz_target!(|input: &[u8]| {
    let Some((selector, document)) = input.split_first() else {
        return;
    };
    let known = FilterType::KNOWN;
    let filter_type = known[usize::from(*selector) % known.len()].code();
    let document = String::from_utf8_lossy(document);
    let envelope = serde_json::json!({
        "code": 0,
        "data": {
            "task_id": 1,
            "filter_range_info": {"filter_type": filter_type, "range_info": document},
        },
    });
    let bytes = serde_json::to_vec(&envelope).expect("bytes");
    let task = wshoto_model::decode(&bytes).expect("a range never fails its task");
    assert_eq!(
        Ok(&task),
        wshoto_model::decode_without_fast_path(&bytes).as_ref(),
        "the in-place reading and the general one disagree"
    );
    let _ = wshoto_model::to_display_json(&task);
    // Written out directly: a `Value` would re-read raw JSON kept in the task.
    let encoded = format!(
        r#"{{"code":0,"data":{}}}"#,
        serde_json::to_string(&task).expect("encodes")
    );
    let again = wshoto_model::decode(encoded.as_bytes()).expect("a re-encoded task decodes");
    assert_eq!(again, task, "decode(encode(task)) != task");
});
