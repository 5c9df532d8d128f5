//! The binary against a hostile server on loopback: what it sends is untrusted text.

use wshoto_mock::{Fault, Fixtures, MockConfig, Route};

use crate::support::{LiveMock, assert_one_line_failure, scratch_dir, stderr, wshoto};

const SECRET: &str = "Very-Secret-app-key-42";

/// A mock serving `body` as task 7, and the mock's app secret set to [`SECRET`].
fn serving(body: &str) -> LiveMock {
    let mut fixtures = Fixtures::empty();
    fixtures.insert(7, body.to_owned());
    LiveMock::with(MockConfig {
        fixtures,
        app_secret: SECRET.to_owned(),
        ..MockConfig::default()
    })
}

fn task_named(name: &str) -> String {
    serde_json::json!({"code": 0, "msg": "ok", "data": {"task_id": 7, "task_name": name}})
        .to_string()
}

/// Bytes that drive a terminal: set the title, clear the screen, reverse the text, ring.
const CONTROLS: [char; 4] = ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'];

fn assert_no_controls(text: &str) {
    for c in CONTROLS {
        assert!(!text.contains(c), "raw {c:?} in {text:?}");
    }
}

#[test]
fn a_task_name_cannot_drive_the_terminal() {
    let name = "x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}desrever\u{9b}31m";
    let mock = serving(&task_named(name));
    let output = mock.wshoto(&["task", "get", "7"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert_no_controls(&text);
    assert!(
        text.starts_with("Task 7 · x\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}desrever\\u{9b}31m\n"),
        "{text}"
    );
    // JSON output keeps the value exactly, escaped the JSON way.
    let json = mock
        .wshoto(&["task", "get", "7", "--json"])
        .output()
        .expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(value["task_name"], name);
    assert_no_controls(&String::from_utf8_lossy(&json.stdout));
}

#[test]
fn an_api_message_cannot_drive_the_terminal_or_flood_it() {
    let mock = serving(&task_named("ok"));
    let msg = format!("bad\u{1b}[2J\u{202e} {}", "Z".repeat(3 << 20));
    mock.server
        .faults()
        .push(Route::Api, Fault::ApiError { code: 50000, msg });
    let output = mock.wshoto(&["task", "get", "7"]).output().expect("runs");
    let err = assert_one_line_failure(&output, 3);
    assert_no_controls(&err);
    assert!(err.len() < 1_200, "{} bytes", err.len());
    // The model flattens control characters to spaces; the CLI escapes what is left.
    assert!(
        err.starts_with("error: API error 50000: bad [2J\\u{202e} ZZZ"),
        "{err}"
    );
}

#[test]
fn a_megabyte_wrong_typed_field_gives_a_short_error_everywhere() {
    let body = format!(
        r#"{{"code":0,"msg":"ok","data":{{"task_id":7,"task_status":"{}"}}}}"#,
        "Y".repeat(3 << 20)
    );
    let mock = serving(&body);
    let output = mock.wshoto(&["task", "get", "7"]).output().expect("runs");
    let err = assert_one_line_failure(&output, 1);
    assert!(err.len() < 400 && err.contains("data.task_status"), "{err}");
    let dir = scratch_dir("huge-field");
    let file = dir.join("response.json");
    std::fs::write(&file, &body).expect("write");
    let decoded = wshoto(&["decode", file.to_str().expect("path")], b"");
    let err = assert_one_line_failure(&decoded, 1);
    assert!(err.len() < 400, "{err}");
    let out = dir.join("tasks.jsonl");
    let export = mock
        .wshoto(&["task", "export", "7", "--rate", "0", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(export.status.code(), Some(5), "{}", stderr(&export));
    let failures =
        std::fs::read_to_string(dir.join("tasks.jsonl.failures.jsonl")).expect("failures");
    assert!(failures.len() < 600, "{} bytes", failures.len());
}

#[test]
fn a_lone_surrogate_in_msg_does_not_hide_the_api_error() {
    let mock = serving(&task_named("ok"));
    mock.server.faults().push(
        Route::Api,
        Fault::Body {
            status: 200,
            body: r#"{"code":40003,"msg":"bad \ud800 id","data":null}"#.into(),
        },
    );
    let output = mock.wshoto(&["task", "get", "7"]).output().expect("runs");
    let err = assert_one_line_failure(&output, 3);
    assert_eq!(err.trim_end(), "error: API error 40003: bad \u{fffd} id");
}

#[test]
fn an_empty_token_variable_is_unset_not_an_empty_token() {
    let mock = serving(&task_named("fine"));
    let output = mock
        .wshoto(&["task", "get", "7"])
        .env("WSHOTO_ACCESS_TOKEN", "")
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "app credentials used: {}",
        stderr(&output)
    );
    let output = mock
        .wshoto(&["task", "get", "7", "--token", " "])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        mock.server.stats().tokens_rejected,
        0,
        "no empty token was sent"
    );
}

#[test]
fn credentials_in_the_base_url_are_refused_without_showing_them() {
    let output = wshoto(
        &[
            "task",
            "get",
            "7",
            "--base-url",
            "http://user:Pa55w0rd@127.0.0.1:9",
            "--token",
            "t",
        ],
        b"",
    );
    let err = assert_one_line_failure(&output, 2);
    assert!(
        err.contains("must not carry credentials") && !err.contains("Pa55w0rd"),
        "{err}"
    );
}

#[test]
fn secrets_echoed_by_the_server_never_reach_the_output() {
    let mock = serving(&task_named("ok"));
    // The token endpoint echoes the app secret.
    mock.server.faults().push(
        Route::Token,
        Fault::ApiError {
            code: 40001,
            msg: format!("bad credentials: /openapi/access_token?appid=x&app_secret={SECRET}"),
        },
    );
    let output = mock.wshoto(&["task", "get", "7"]).output().expect("runs");
    let err = assert_one_line_failure(&output, 3);
    assert!(!err.contains(SECRET) && err.contains("[REDACTED]"), "{err}");
    // A task whose fields echo the app secret, plainly and percent-encoded.
    let echoing = serving(
        &serde_json::json!({"code": 0, "msg": "ok", "data": {"task_id": 7,
            "task_name": format!("task for {SECRET}"),
            "content": "url?key=Very%2DSecret%2Dapp%2Dkey%2D42"}})
        .to_string(),
    );
    let dir = scratch_dir("echoed-secret");
    for args in [vec!["task", "get", "7"], vec!["task", "get", "7", "--json"]] {
        let output = echoing.wshoto(&args).output().expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        assert!(
            !all.contains("Very") && all.contains("[REDACTED]"),
            "{args:?}: {all}"
        );
    }
    for format in ["jsonl", "csv"] {
        let out = dir.join(format!("tasks.{format}"));
        let export = echoing
            .wshoto(&["task", "export", "7", "--rate", "0", "-o"])
            .arg(&out)
            .output()
            .expect("runs");
        assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
        let written = std::fs::read_to_string(&out).expect("output");
        assert!(
            !written.contains("Very") && written.contains("[REDACTED]"),
            "{written}"
        );
    }
}
