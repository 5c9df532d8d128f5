//! Any bytes through `wshoto_model::decode`: no panic, the same answer with and without its
//! single-pass fast path, the same as `decode_with_page_extent`, a one-line error, and whatever
//! decodes re-encodes into an envelope that decodes to the same task.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // The single-pass fast path never changes the answer.
    assert_eq!(
        wshoto_model::decode(bytes),
        wshoto_model::decode_without_fast_path(bytes),
        "the fast path and the general one disagree"
    );
    // Reading the page extent in the same pass changes nothing either.
    assert_eq!(
        wshoto_model::decode_with_page_extent(bytes),
        wshoto_model::decode(bytes).map(|task| (task, wshoto_model::page_extent(bytes))),
        "decode_with_page_extent disagrees with decode and page_extent"
    );
    match wshoto_model::decode(bytes) {
        Ok(task) => {
            // Written out directly: a `Value` would re-read raw JSON kept in the task (an
            // inline range, `auth`) and change integers too large for 64 bits.
            let data = serde_json::to_string(&task).expect("a decoded task encodes");
            let encoded = format!(r#"{{"code":0,"msg":"ok","data":{data}}}"#);
            let again = wshoto_model::decode(encoded.as_bytes()).expect("an encoded task decodes");
            assert_eq!(again, task, "decode(encode(task)) != task");
            // What `wshoto decode` prints must render too, streamed and as a value.
            serde_json::to_vec(&wshoto_model::Shown(&task)).expect("Shown renders");
            wshoto_model::to_display_json(&task).expect("to_display_json renders");
        }
        Err(error) => {
            let line = error.to_string();
            assert!(!line.contains('\n'), "a multi-line error: {line:?}");
            assert!(line.len() <= 2_000, "an overlong error: {} bytes", line.len());
        }
    }
    let _ = wshoto_model::decode_strict(bytes);
});
