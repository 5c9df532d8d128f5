//! Inputs built to break a decoder: none may panic or overflow the stack, and each gets a
//! one-line error that names where it went wrong.

use wshoto_model::{DecodeError, RangeInfo, decode, decode_strict};

/// Levels of nesting in the deep inputs.
const DEPTH: usize = 200_000;

fn nested(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 2);
    s.extend(std::iter::repeat_n('[', depth));
    s.extend(std::iter::repeat_n(']', depth));
    s
}

/// Inputs too large or too odd to keep as fixture files, with their snapshot names.
pub fn generated_hostile_inputs() -> Vec<(String, Vec<u8>)> {
    let deep = nested(DEPTH);
    let deep_objects = "{\"a\":".repeat(DEPTH) + "1" + &"}".repeat(DEPTH);
    vec![
        ("error_hostile_deep_envelope".into(), deep.clone().into_bytes()),
        (
            "error_hostile_deep_data".into(),
            format!(r#"{{"code":0,"msg":"ok","data":{deep}}}"#).into_bytes(),
        ),
        (
            "hostile_deep_unknown_field_in_task".into(),
            format!(r#"{{"code":0,"data":{{"task_id":1,"material_infos":[{deep_objects}]}}}}"#)
                .into_bytes(),
        ),
        (
            "error_hostile_deep_data_behind_api_error".into(),
            format!(r#"{{"data":{deep},"code":10010,"msg":"token expired"}}"#).into_bytes(),
        ),
        (
            "hostile_deep_range_info_string".into(),
            format!(
                r#"{{"code":0,"data":{{"task_id":1,"filter_range_info":{{"filter_type":"CorpSend2Customer","range_info":"{deep}"}}}}}}"#
            )
            .into_bytes(),
        ),
        (
            "hostile_deep_value_in_range".into(),
            format!(
                r#"{{"code":0,"data":{{"task_id":1,"filter_range_info":{{"filter_type":"CrowdPack","range_info":{{"tenant_id":{deep}}}}}}}}}"#
            )
            .into_bytes(),
        ),
        (
            "error_hostile_unterminated_string".into(),
            br#"{"code":0,"data":{"task_id":1,"task_name":"abc"#.to_vec(),
        ),
        ("error_hostile_nul_bytes".into(), vec![0u8; 64]),
        (
            "hostile_lone_surrogate".into(),
            br#"{"code":0,"data":{"task_id":1,"content":"\ud800"}}"#.to_vec(),
        ),
        (
            "hostile_lone_surrogate_in_range_info".into(),
            br#"{"code":0,"data":{"task_id":1,"filter_range_info":{"filter_type":"CorpSend2Customer","range_info":"{\"remark_key_words\":[\"a\\udc00b\"]}"}}}"#.to_vec(),
        ),
        (
            "error_hostile_lone_surrogate_in_msg".into(),
            br#"{"code":40001,"msg":"bad \ud800 credentials","data":null}"#.to_vec(),
        ),
        (
            "error_hostile_huge_wrong_typed_field".into(),
            format!(
                r#"{{"code":0,"data":{{"task_id":1,"task_status":"{}"}}}}"#,
                "Y".repeat(4 << 20)
            )
            .into_bytes(),
        ),
        (
            "error_hostile_huge_exponent".into(),
            br#"{"code":0,"data":{"task_id":1e999999}}"#.to_vec(),
        ),
        (
            "error_hostile_negative_beyond_i64".into(),
            br#"{"code":0,"data":{"task_id":-9223372036854775809}}"#.to_vec(),
        ),
    ]
}

#[test]
fn hostile_inputs_never_panic_and_errors_are_one_line() {
    for (name, bytes) in generated_hostile_inputs() {
        let result = std::panic::catch_unwind(|| decode(&bytes));
        let result = result.unwrap_or_else(|_| panic!("{name}: decode panicked"));
        match (name.starts_with("error_"), result) {
            (true, Err(error)) => {
                let line = error.to_string();
                assert!(!line.contains('\n'), "{name}: multi-line error {line:?}");
                assert!(line.len() < 400, "{name}: overlong error {line:?}");
            }
            (false, Ok(_)) => {}
            (expect_error, other) => panic!("{name}: expected error={expect_error}, got {other:?}"),
        }
    }
}

#[test]
fn lone_surrogates_read_as_replacement_characters_and_never_hide_an_api_error() {
    let inputs = generated_hostile_inputs();
    let input = |wanted: &str| {
        inputs
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, bytes)| bytes.clone())
            .expect("case exists")
    };
    let task = decode(&input("hostile_lone_surrogate")).expect("decodes");
    assert_eq!(task.content.as_deref(), Some("\u{fffd}"));
    let task = decode(&input("hostile_lone_surrogate_in_range_info")).expect("decodes");
    let range = task.filter_range_info.expect("range").range;
    let RangeInfo::CorpSend2Customer(customer) = range else {
        panic!("the range decodes: {range:?}")
    };
    assert_eq!(customer.remark_key_words, Some(vec!["a\u{fffd}b".into()]));
    let error = decode(&input("error_hostile_lone_surrogate_in_msg")).expect_err("API error");
    assert_eq!(error.api_code(), Some(40001), "{error}");
    assert_eq!(
        error.to_string(),
        "API error 40001: bad \u{fffd} credentials"
    );
}

#[test]
fn a_megabyte_wrong_typed_field_gives_a_short_error() {
    let inputs = generated_hostile_inputs();
    let (_, bytes) = inputs
        .iter()
        .find(|(name, _)| name == "error_hostile_huge_wrong_typed_field")
        .expect("case exists");
    let line = decode(bytes).expect_err("wrong type").to_string();
    assert!(
        line.len() < 200,
        "{} bytes: {}",
        line.len(),
        &line[..200.min(line.len())]
    );
    assert!(line.starts_with("data.task_status: "), "{line}");
}

#[test]
fn deep_range_document_keeps_the_task_and_reports_the_range() {
    let (_, bytes) = generated_hostile_inputs()
        .into_iter()
        .find(|(name, _)| name == "hostile_deep_range_info_string")
        .expect("case exists");
    let task = decode(&bytes).expect("the task still decodes");
    let range = &task.filter_range_info.expect("range").range;
    let RangeInfo::Invalid(invalid) = range else {
        panic!("expected an invalid range, got {range:?}")
    };
    assert!(
        invalid
            .error
            .path
            .starts_with("data.filter_range_info.range_info"),
        "{}",
        invalid.error
    );
    assert!(matches!(decode_strict(&bytes), Err(DecodeError::Range(_))));
    // Rendering the invalid range for display must not recurse either.
    assert!(wshoto_model::to_display_json(&decode(&bytes).expect("decodes")).is_ok());
}

#[test]
fn an_api_error_is_reported_even_when_data_is_hostile() {
    let (_, bytes) = generated_hostile_inputs()
        .into_iter()
        .find(|(name, _)| name == "error_hostile_deep_data_behind_api_error")
        .expect("case exists");
    assert_eq!(
        decode(&bytes),
        Err(DecodeError::Api {
            code: 10010,
            msg: "token expired".into(),
            raw_msg: "token expired".into()
        })
    );
}

#[test]
fn every_prefix_of_a_real_response_fails_cleanly() {
    let full = crate::support::fixture("task_54_corp_send2customer");
    let end = full.trim_ascii_end().len();
    for cut in 0..end {
        let prefix = &full[..cut];
        let outcome = std::panic::catch_unwind(|| decode(prefix));
        let result = outcome.unwrap_or_else(|_| panic!("panicked on a prefix of {cut} bytes"));
        assert!(result.is_err(), "a prefix of {cut} bytes decoded");
    }
}

#[test]
fn nesting_beyond_the_recursion_limit_is_an_error_not_a_crash() {
    let (_, bytes) = generated_hostile_inputs()
        .into_iter()
        .find(|(name, _)| name == "hostile_deep_value_in_range")
        .expect("case exists");
    let error = decode_strict(&bytes).expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
    assert_eq!(
        error.path(),
        Some("data.filter_range_info.range_info.tenant_id[0]×126")
    );
}

mod generated {
    use proptest::prelude::*;

    use super::decode;

    fn real_response() -> Vec<u8> {
        crate::support::fixture("task_54_corp_send2customer")
    }

    /// An error is one line, whatever the input.
    fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
        let outcome = std::panic::catch_unwind(|| decode(bytes));
        prop_assert!(outcome.is_ok(), "decode panicked");
        if let Ok(Err(error)) = outcome {
            let line = error.to_string();
            prop_assert!(!line.contains('\n'), "multi-line error {:?}", line);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            check(&bytes)?;
        }

        #[test]
        fn a_mangled_real_response_never_panics(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)
        ) {
            let mut bytes = real_response();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            check(&bytes)?;
        }
    }
}

/// White space before the envelope is JSON's, whatever its length: the general path once looked
/// for the opening brace in the first 64 bytes only (a fuzz find: the fast path disagreed).
#[test]
fn white_space_of_any_length_may_precede_the_envelope() {
    // `data` before `code` is read by the general path, as is every `decode_page`.
    let envelope = br#"{"data":{"task_id":215},"code":0,"msg":"ok"}"#;
    for padding in ["\n".repeat(100), " \t\r\n".repeat(40)] {
        let mut bytes = padding.into_bytes();
        bytes.extend_from_slice(envelope);
        assert_eq!(decode(&bytes).map(|t| t.task_id), Ok(215));
        let page = wshoto_model::decode_page(&bytes).expect("a page of one");
        assert_eq!(page.records.len(), 1);
    }
    let mut late = "\n".repeat(100).into_bytes();
    late.extend_from_slice(b"[1]");
    let error = decode(&late)
        .expect_err("an array is no envelope")
        .to_string();
    assert!(error.contains("found an array"), "{error}");
}
