//! `wshoto task export`: JSON Lines in the order given, failures as error lines.

use serde_json::Value;

use crate::support::{assert_one_line_failure, fixture_path, stderr, wshoto};

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect()
}

#[test]
fn tasks_are_written_one_per_line_in_the_order_given() {
    let output = wshoto(
        &[
            "--mock",
            "task",
            "export",
            "204",
            "54",
            "9223372036854775807",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output).trim(), "exported 3 tasks");
    let rows = lines(&output.stdout);
    let ids: Vec<&Value> = rows.iter().map(|r| &r["task_id"]).collect();
    assert_eq!(ids, [204, 54, 9_223_372_036_854_775_807_i64]);
    // Each line is what `wshoto decode` prints for the same task.
    let path = fixture_path("task_54_corp_send2customer");
    let decoded = wshoto(&["decode", path.to_str().expect("path")], b"");
    let decoded: Value = serde_json::from_slice(&decoded.stdout).expect("json");
    assert_eq!(rows[1], decoded);
}

#[test]
fn a_failed_task_is_an_error_line_and_the_others_go_on() {
    let output = wshoto(&["--mock", "task", "export", "54", "999999", "202"], b"");
    let err = assert_failure_keeps_output(&output, 5);
    assert!(err.contains("1 of 3 tasks failed"), "{err}");
    let rows = lines(&output.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["task_id"], 999_999);
    assert_eq!(rows[1]["api_code"], 60001);
    assert_eq!(rows[1]["error"], "API error 60001: 群发任务不存在");
    assert_eq!(rows[2]["task_id"], 202);
}

/// A failure that still wrote its lines: one `error:` line on stderr, the given exit code.
fn assert_failure_keeps_output(output: &std::process::Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    err
}

#[test]
fn ids_come_from_a_file_or_standard_input() {
    let dir = std::env::temp_dir().join(format!("wshoto-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ids = dir.join("ids.txt");
    std::fs::write(&ids, "# nightly\n54\n\n203  # staff to customers\n").expect("ids");
    let out = dir.join("out.jsonl");
    let output = wshoto(
        &[
            "--mock",
            "task",
            "export",
            "--ids-file",
            ids.to_str().expect("path"),
            "--output",
            out.to_str().expect("path"),
            "--concurrency",
            "1",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "written to the file instead");
    let rows = lines(&std::fs::read(&out).expect("output file"));
    assert_eq!(
        rows.iter()
            .map(|r| r["task_id"].clone())
            .collect::<Vec<_>>(),
        [54, 203]
    );

    let from_stdin = wshoto(
        &["--mock", "task", "export", "--ids-file", "-"],
        b"205\n206\n",
    );
    assert_eq!(
        lines(&from_stdin.stdout).len(),
        2,
        "{}",
        stderr(&from_stdin)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_ids_and_no_ids_are_usage_errors() {
    let err = assert_one_line_failure(
        &wshoto(
            &["--mock", "task", "export", "--ids-file", "-"],
            b"54\nfifty\n",
        ),
        2,
    );
    assert!(err.contains("line 2") && err.contains("\"fifty\""), "{err}");
    let err = assert_one_line_failure(&wshoto(&["--mock", "task", "export"], b""), 2);
    assert!(err.contains("no task ids"), "{err}");
}
