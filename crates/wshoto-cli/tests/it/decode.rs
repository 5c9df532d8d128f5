//! The `wshoto decode` contract.

use serde_json::Value;

use crate::support::{assert_one_line_failure, fixture_path, stderr, wshoto};

fn decode_fixture(name: &str, extra: &[&str]) -> std::process::Output {
    let path = fixture_path(name);
    let path = path.to_str().expect("utf-8 path");
    let mut args = vec!["decode"];
    args.extend_from_slice(extra);
    args.push(path);
    wshoto(&args, b"")
}

fn stdout_json(output: &std::process::Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

#[test]
fn every_fixture_follows_the_contract() {
    let dir = fixture_path("x").parent().expect("dir").to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    for name in names {
        let output = decode_fixture(&name, &[]);
        if name.starts_with("error_api") {
            assert_one_line_failure(&output, 3);
        } else if name.starts_with("error_") {
            assert_one_line_failure(&output, 1);
        } else {
            let json = stdout_json(&output);
            let bytes = std::fs::read(fixture_path(&name)).expect("fixture");
            let task = wshoto_model::decode(&bytes).expect("decodes");
            let expected = wshoto_model::to_display_json(&task).expect("json");
            // Through text, as the output went: a number re-read from its shortest form can
            // differ in its last bit from the one it was printed from (an integer beyond 64 bits).
            let expected: serde_json::Value =
                serde_json::from_str(&expected.to_string()).expect("json text");
            assert_eq!(json, expected, "{name}");
            let warned = !stderr(&output).is_empty();
            // A range that does not fit its type, or a page of several tasks, is said so.
            let several = wshoto_model::page_extent(&bytes).is_some_and(|(n, _)| n > 1);
            assert_eq!(
                warned,
                name.starts_with("broken_range") || several,
                "{name}: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn the_range_is_printed_as_a_normalized_object() {
    let json = stdout_json(&decode_fixture("doc_staff_send2customer", &[]));
    let range = &json["filter_range_info"]["range_info"];
    assert!(range.is_object(), "{range}");
    assert!(range.get("locations").is_some() && range.get("location").is_none());
    assert_eq!(range["add_user_range"]["dept_ids"][0], 70);

    let json = stdout_json(&decode_fixture("chat_status_integer", &[]));
    let statuses: Vec<&str> = json["filter_range_info"]["range_info"]["chat_list"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["status"].as_str().expect("status is a string"))
        .collect();
    assert_eq!(statuses, ["0", "0100", "0101", "0203", "0202", "0201"]);

    for all in [
        "all_customer_empty",
        "all_customer_null",
        "all_customer_group_object",
    ] {
        let json = stdout_json(&decode_fixture(all, &[]));
        assert_eq!(
            json["filter_range_info"]["range_info"],
            Value::Null,
            "{all}"
        );
    }

    let json = stdout_json(&decode_fixture("unknown_filter_type", &[]));
    assert_eq!(json["filter_range_info"]["filter_type"], "VipSend2Everyone");
    assert_eq!(json["filter_range_info"]["range_info"]["vip_level"][1], 4);
}

#[test]
fn integers_print_exactly() {
    let output = decode_fixture("string_longs", &[]);
    let text = String::from_utf8(output.stdout.clone()).expect("utf-8");
    assert!(text.contains("\"task_id\": 9223372036854775807"), "{text}");
    assert!(text.contains("9007199254740993"), "{text}");
    let output = decode_fixture("crowd_pack_big_ids", &[]);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.contains("\"id\": 9223372036854775806"), "{text}");
}

#[test]
fn unknown_enum_values_print_raw() {
    let json = stdout_json(&decode_fixture("unknown_enum_values", &[]));
    assert_eq!(json["type"], 99);
    assert_eq!(json["task_status"], 9);
    assert_eq!(json["filter_range_info"]["range_info"]["sex"], "OTHER");
    assert_eq!(
        json["filter_range_info"]["range_info"]["include_tags"]["operator"],
        99
    );
}

#[test]
fn a_broken_range_warns_or_fails_in_strict_mode() {
    let output = decode_fixture("broken_range_chat_status", &[]);
    let json = stdout_json(&output);
    let raw = json["filter_range_info"]["range_info"]
        .as_str()
        .expect("raw string");
    assert!(raw.contains("\"status\":{\"code\":1}"), "{raw}");
    let warning = stderr(&output);
    assert_eq!(warning.lines().count(), 1);
    assert!(warning.contains("data.filter_range_info.range_info.chat_list[0].status"));

    let strict = decode_fixture("broken_range_chat_status", &["--strict"]);
    let err = assert_one_line_failure(&strict, 1);
    assert!(
        err.contains("data.filter_range_info.range_info.chat_list[0].status"),
        "{err}"
    );
    // Strict mode accepts what is sound.
    assert_eq!(
        decode_fixture("doc_crowd_pack", &["--strict"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn standard_input_is_read_with_dash_or_no_file() {
    let body = br#"{"code":0,"msg":"ok","data":{"task_id":"42","type":"13"}}"#;
    for args in [&["decode", "-"][..], &["decode"][..]] {
        let output = wshoto(args, body);
        let json = stdout_json(&output);
        assert_eq!(json["task_id"], 42);
        assert_eq!(json["type"], 13);
    }
}

#[test]
fn bad_input_is_one_line_naming_what_was_wrong() {
    let err = assert_one_line_failure(&wshoto(&["decode"], b""), 1);
    assert!(err.contains("empty input"), "{err}");
    let err = assert_one_line_failure(&wshoto(&["decode"], b"<html>502</html>"), 1);
    assert!(err.contains("not JSON"), "{err}");
    let err = assert_one_line_failure(
        &wshoto(&["decode"], br#"{"code":0,"data":{"task_id":[]}}"#),
        1,
    );
    assert!(err.contains("data.task_id"), "{err}");
    let err = assert_one_line_failure(
        &wshoto(&["decode"], br#"{"code":10001,"msg":"bad\ntoken"}"#),
        3,
    );
    assert!(err.contains("10001"), "{err}");
    let err = assert_one_line_failure(&wshoto(&["decode", "/no/such/file.json"], b""), 4);
    assert!(err.contains("/no/such/file.json"), "{err}");
    let deep = "[".repeat(200_000);
    assert_one_line_failure(&wshoto(&["decode"], deep.as_bytes()), 1);
}

#[test]
fn a_page_of_several_records_is_said_to_be_one() {
    let path = fixture_path("page_two_records");
    let output = wshoto(&["decode", path.to_str().expect("path")], b"");
    assert_eq!(output.status.code(), Some(0));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("warning: data is a page of 2 records (total 5); only the first is printed"),
        "{err}"
    );
    let single = fixture_path("page_form");
    let quiet = wshoto(&["decode", single.to_str().expect("path")], b"");
    assert!(quiet.stderr.is_empty(), "a page of one needs no warning");
}

#[test]
fn the_schema_names_every_field_decode_prints() {
    let output = wshoto(&["schema"], b"");
    assert_eq!(output.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&output.stdout).expect("the schema is JSON");
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org")),
        "{schema}"
    );
    let properties = |value: &Value| -> Vec<String> {
        value["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let task_fields = properties(&schema);
    assert_eq!(task_fields.len(), 24, "{task_fields:?}");
    let defs = &schema["$defs"];
    let filter_fields = properties(&defs["FilterRangeInfo"]);
    let range_fields: Vec<String> = [
        "CustomerRange",
        "GroupRange",
        "MomentRange",
        "OpenCustomerRange",
        "OpenGroupRange",
        "CrowdPackRange",
    ]
    .iter()
    .flat_map(|name| properties(&defs[*name]))
    .collect();
    assert!(range_fields.contains(&"locations".to_owned()));
    assert!(
        !range_fields.contains(&"regions_key".to_owned()),
        "not shown, not in the schema"
    );
    // Every field `wshoto decode` prints for every fixture is in the schema.
    let dir = fixture_path("x").parent().expect("dir").to_path_buf();
    for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
        let bytes = std::fs::read(entry.path()).expect("fixture");
        let Ok(task) = wshoto_model::decode(&bytes) else {
            continue;
        };
        let shown = wshoto_model::to_display_json(&task).expect("display");
        let name = entry.path().display().to_string();
        for key in shown.as_object().expect("object").keys() {
            assert!(task_fields.contains(key), "{name}: {key} not in the schema");
        }
        let info = &shown["filter_range_info"];
        for key in info
            .as_object()
            .map(|o| o.keys().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            assert!(
                filter_fields.contains(key),
                "{name}: filter_range_info.{key}"
            );
        }
        let known = task
            .filter_range_info
            .as_ref()
            .is_some_and(|i| i.range.filter_type().is_some_and(|t| t.is_known()))
            && task
                .filter_range_info
                .as_ref()
                .is_some_and(|i| i.range.error().is_none());
        if let (true, Some(range)) = (known, info["range_info"].as_object()) {
            for key in range.keys() {
                assert!(range_fields.contains(key), "{name}: range_info.{key}");
            }
        }
    }
}
