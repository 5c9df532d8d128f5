//! `wshoto task export`: JSON Lines and CSV, a failures file, progress, resume, Ctrl-C.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use wshoto_mock::{Fault, Route};

use crate::support::{
    LiveMock, assert_one_line_failure, fixture_path, scratch_dir, stderr, wshoto,
};

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect()
}

fn ids_of(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .map(|r| r["task_id"].as_i64().expect("task_id"))
        .collect()
}

fn read_lines(path: &Path) -> Vec<Value> {
    lines(&std::fs::read(path).unwrap_or_default())
}

/// A failure that still wrote its output: one `error:` line on stderr, the given exit code.
fn assert_failure_keeps_output(output: &Output, code: i32) -> String {
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
    assert!(
        stderr(&output).starts_with("exported 3, failed 0, skipped 0 in "),
        "{}",
        stderr(&output)
    );
    let rows = lines(&output.stdout);
    assert_eq!(ids_of(&rows), [204, 54, 9_223_372_036_854_775_807_i64]);
    // Each line is what `wshoto decode` prints for the same task.
    let path = fixture_path("task_54_corp_send2customer");
    let decoded = wshoto(&["decode", path.to_str().expect("path")], b"");
    let decoded: Value = serde_json::from_slice(&decoded.stdout).expect("json");
    assert_eq!(rows[1], decoded);
}

#[test]
fn failures_go_to_the_failures_file_never_into_the_data() {
    let dir = scratch_dir("failures");
    let out = dir.join("tasks.jsonl");
    let output = wshoto(
        &[
            "--mock",
            "task",
            "export",
            "54",
            "999999",
            "202",
            "-o",
            out.to_str().expect("path"),
        ],
        b"",
    );
    let err = assert_failure_keeps_output(&output, 5);
    let failures = dir.join("tasks.jsonl.failures.jsonl");
    assert!(
        err.contains("1 of 3 tasks failed")
            && err.contains(failures.to_str().expect("path"))
            && err.contains("exported 2, failed 1, skipped 0"),
        "{err}"
    );
    assert_eq!(
        ids_of(&read_lines(&out)),
        [54, 202],
        "no error rows in the data"
    );
    let failed = read_lines(&failures);
    assert_eq!(
        failed,
        [serde_json::json!({
            "task_id": 999_999,
            "kind": "api",
            "api_code": 60001,
            "message": "API error 60001: 群发任务不存在"
        })]
    );
    // Writing to standard output, the failures file is in the current folder.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wshoto"));
    let to_stdout = command
        .args(["--mock", "task", "export", "999999", "--failures"])
        .arg(dir.join("mine.jsonl"))
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_eq!(to_stdout.status.code(), Some(5));
    assert!(to_stdout.stdout.is_empty());
    assert_eq!(read_lines(&dir.join("mine.jsonl")).len(), 1);
    let default = std::process::Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["--mock", "task", "export", "999998"])
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_eq!(default.status.code(), Some(5));
    assert_eq!(
        read_lines(&dir.join("wshoto-export.failures.jsonl"))[0]["task_id"],
        999_998
    );
}

#[test]
fn ids_come_from_arguments_ranges_files_and_standard_input_each_fetched_once() {
    let mock = LiveMock::synthetic();
    let dir = scratch_dir("ids");
    let ids = dir.join("ids.txt");
    std::fs::write(&ids, "# nightly\n7\n\n30  # again\n12\n").expect("ids");
    let output = mock
        .wshoto(&[
            "task", "export", "5", "7", "--ids", "1-10,30", "--ids", "3-4",
        ])
        .args(["--ids-file", ids.to_str().expect("path"), "--rate", "0"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected: Vec<i64> = [5, 7, 1, 2, 3, 4, 6, 8, 9, 10, 30, 12].to_vec();
    assert_eq!(ids_of(&lines(&output.stdout)), expected);
    assert_eq!(mock.server.stats().api_requests, expected.len() as u64);

    let from_stdin = wshoto(
        &["--mock", "task", "export", "--ids-file", "-"],
        b"205\n206\n205\n",
    );
    assert_eq!(ids_of(&lines(&from_stdin.stdout)), [205, 206]);
}

#[test]
fn bad_ids_and_flags_are_usage_errors() {
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
    for (args, expected) in [
        (&["--ids", "9-1"][..], "runs backwards"),
        (&["--ids", "1-x"][..], "not a task id or a range"),
        (&["1", "--resume"][..], "--resume needs --output"),
        (&["1", "--columns", "task_id"][..], "for --format csv"),
        (
            &["1", "--format", "csv", "--columns", "nope"][..],
            "no column \"nope\"",
        ),
        (&["1", "--rate=-3"][..], "--rate"),
        (&["1", "--concurrency", "0"][..], "--concurrency"),
    ] {
        let mut all = vec!["--mock", "task", "export"];
        all.extend_from_slice(args);
        let err = assert_one_line_failure(&wshoto(&all, b""), 2);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn csv_has_a_header_chosen_columns_beijing_times_and_an_excel_bom() {
    let dir = scratch_dir("csv");
    let out = dir.join("tasks.csv");
    let output = wshoto(
        &[
            "--mock",
            "task",
            "export",
            "54",
            "204",
            "-o",
            out.to_str().expect("path"),
            "--excel",
            "--lang",
            "zh",
            "--columns",
            "task_id,task_name,send_time,send_time_epoch,type,type_label,success_target_qty,filter_type",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).expect("csv");
    assert_eq!(
        text,
        "\u{feff}task_id,task_name,send_time,send_time_epoch,type,type_label,success_target_qty,filter_type\n\
         54,中秋节会员关怀,2024-08-15 09:30:00,1723685400,10,企业群发客户,105,CorpSend2Customer\n\
         204,fixture task 204,2024-08-15 09:30:00,1723685400,13,个人群发客户,105,StaffSend2Customer\n"
    );
    // Every column by default, the format taken from the extension.
    let all = wshoto(
        &[
            "--mock",
            "task",
            "export",
            "54",
            "-o",
            out.to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    let text = std::fs::read_to_string(&out).expect("csv");
    let header = text.lines().next().expect("header");
    assert!(
        header.starts_with("task_id,task_name,type,type_label,task_status,"),
        "{header}"
    );
    assert_eq!(header.split(',').count(), 29);
    assert!(!text.starts_with('\u{feff}'), "no BOM without --excel");
}

/// 10 000 ids: good ones, unknown ones and injected faults of every kind.
#[test]
fn ten_thousand_mixed_ids_each_end_up_exactly_once_in_output_or_failures() {
    let mock = LiveMock::synthetic();
    let faults = mock.server.faults();
    faults.sometimes(
        Route::Api,
        0.02,
        Fault::Status {
            status: 503,
            retry_after: None,
        },
    );
    faults.sometimes(Route::Api, 0.01, Fault::Reset);
    faults.sometimes(Route::Api, 0.01, Fault::TruncatedBody);
    faults.sometimes(Route::Api, 0.01, Fault::NonJsonBody);
    faults.sometimes(
        Route::Api,
        0.01,
        Fault::ApiError {
            code: 50000,
            msg: "系统繁忙".into(),
        },
    );
    let dir = scratch_dir("ten-thousand");
    let out = dir.join("tasks.jsonl");
    // Ids 1..=9 500 exist; 1 000 001..=1 000 500 do not (past the made-up range).
    let output = mock
        .wshoto(&["task", "export", "--ids", "1-9500,1000001-1000500", "-o"])
        .arg(&out)
        .args([
            "--rate",
            "0",
            "--concurrency",
            "16",
            "--order",
            "completed",
            "--quiet",
        ])
        .output()
        .expect("runs");
    let err = assert_failure_keeps_output(&output, 5);
    let exported = ids_of(&read_lines(&out));
    let failed = read_lines(&dir.join("tasks.jsonl.failures.jsonl"));
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for id in exported.iter().copied().chain(ids_of(&failed)) {
        *seen.entry(id).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 10_000, "every id accounted for");
    assert!(seen.values().all(|n| *n == 1), "none twice");
    assert!(
        (1..=9_500)
            .chain(1_000_001..=1_000_500)
            .all(|id| seen.contains_key(&id))
    );
    assert!(
        exported.iter().all(|id| *id <= 9_500),
        "unknown ids never exported"
    );
    let not_found = failed.iter().filter(|f| f["api_code"] == 60001).count();
    assert!(not_found >= 490, "{not_found}");
    assert!(
        failed
            .iter()
            .any(|f| f["kind"] == "api" && f["api_code"] == 50000)
    );
    assert!(
        err.contains(&format!("{} of 10000 tasks failed", failed.len())),
        "{err}"
    );
}

/// Starts an export, waits until it has written `lines` lines, and interrupts it with SIGINT.
fn interrupt_after(mut command: std::process::Command, out: &Path, lines: usize) -> Output {
    let child = command.spawn().expect("starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while read_lines_loose(out) < lines {
        assert!(Instant::now() < deadline, "the export never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait_with_output().expect("exits")
}

fn read_lines_loose(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn ctrl_c_leaves_a_resumable_export_that_resume_completes_without_duplicates() {
    let mock = LiveMock::synthetic();
    let dir = scratch_dir("resume");
    let out = dir.join("tasks.jsonl");
    let export = |extra: &[&str]| {
        let mut command = mock.wshoto(&["task", "export", "--ids", "1-2000", "-o"]);
        command.arg(&out).args(extra);
        command
    };
    let interrupted = interrupt_after(export(&["--rate", "300"]), &out, 100);
    let err = assert_failure_keeps_output(&interrupted, 130);
    assert!(
        err.contains("interrupted: exported ") && err.contains("--resume"),
        "{err}"
    );
    let first = ids_of(&read_lines(&out));
    assert!(first.len() >= 100 && first.len() < 2000, "{}", first.len());
    let requests_before = mock.server.stats().api_requests;
    // A crash would leave half a line: resume drops it.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"task_id\":19"))
        .expect("append");

    let resumed = export(&["--rate", "0", "--resume"]).output().expect("runs");
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let err = stderr(&resumed);
    assert!(
        err.contains(&format!("resume: {} tasks already in", first.len()))
            && err.contains("dropped a partial last record (13 bytes)")
            && err.contains(&format!("skipped {}", first.len())),
        "{err}"
    );
    let all = ids_of(&read_lines(&out));
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "no duplicates");
    assert_eq!(sorted, (1..=2000).collect::<Vec<_>>(), "complete");
    assert_eq!(
        mock.server.stats().api_requests - requests_before,
        2000 - first.len() as u64,
        "nothing fetched twice"
    );
}

#[test]
fn a_csv_export_resumes_without_a_second_header_or_bom() {
    let mock = LiveMock::synthetic();
    let dir = scratch_dir("resume-csv");
    let out = dir.join("tasks.csv");
    let first = mock
        .wshoto(&["task", "export", "--ids", "1-30", "--excel", "-o"])
        .arg(&out)
        .args(["--rate", "0", "--columns", "task_id,task_name"])
        .output()
        .expect("runs");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let again = mock
        .wshoto(&[
            "task", "export", "--ids", "1-50", "--excel", "--resume", "-o",
        ])
        .arg(&out)
        .args(["--rate", "0", "--columns", "task_id,task_name"])
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = std::fs::read_to_string(&out).expect("csv");
    assert_eq!(text.matches("task_id,task_name").count(), 1, "{text}");
    assert_eq!(text.matches('\u{feff}').count(), 1);
    assert_eq!(text.lines().count(), 51);
    let different = mock
        .wshoto(&["task", "export", "--ids", "1-60", "--resume", "-o"])
        .arg(&out)
        .args(["--columns", "task_id"])
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&different, 1);
    assert!(err.contains("same --columns"), "{err}");
}

#[test]
fn requests_per_second_stay_under_the_rate_plus_the_burst() {
    let mock = LiveMock::synthetic();
    let output = mock
        .wshoto(&["task", "export", "--ids", "1-120", "--rate", "40"])
        .args(["--concurrency", "16", "--quiet"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "--quiet: {}", stderr(&output));
    for window_ms in [250_u64, 500, 1_000] {
        let window = Duration::from_millis(window_ms);
        let most = mock.server.busiest(window);
        let allowed = 1.0 + 40.0 * window.as_secs_f64();
        assert!(
            most as f64 <= allowed,
            "{most} within {window:?}, allowed {allowed}"
        );
    }
}

#[test]
fn requests_in_flight_never_exceed_the_concurrency() {
    let mock = LiveMock::synthetic();
    mock.server
        .faults()
        .always(Route::Api, Fault::Delay(Duration::from_millis(30)));
    let output = mock
        .wshoto(&[
            "task",
            "export",
            "--ids",
            "1-60",
            "--rate",
            "0",
            "--concurrency",
            "3",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stats = mock.server.stats();
    assert!((2..=3).contains(&stats.api_in_flight_peak), "{stats:?}");
}

#[test]
fn a_429_slows_the_export_down_and_says_so_in_the_log() {
    let mock = LiveMock::synthetic();
    mock.server.faults().push(
        Route::Api,
        Fault::Status {
            status: 429,
            retry_after: None,
        },
    );
    let output = mock
        .wshoto(&["-v", "task", "export", "--ids", "1-5", "--rate", "50"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains("slowing this client down") && log.contains("to_per_second=25"),
        "{log}"
    );
}

#[test]
fn progress_is_a_plain_line_every_few_seconds_when_stderr_is_not_a_terminal() {
    let mock = LiveMock::synthetic();
    let output = mock
        .wshoto(&["task", "export", "--ids", "1-40", "--rate", "20"])
        .args(["--progress-every", "0.3"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let progress: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(progress.len() >= 3, "{err}");
    assert!(
        progress[0].contains("/40 (") && progress[0].contains("failed"),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("exported 40, failed 0"))
    );
}

#[test]
fn an_unwritable_or_full_output_is_a_one_line_io_error() {
    let err = assert_one_line_failure(
        &wshoto(
            &[
                "--mock",
                "task",
                "export",
                "54",
                "-o",
                "/nonexistent/dir/tasks.jsonl",
            ],
            b"",
        ),
        4,
    );
    assert!(
        err.contains("cannot open /nonexistent/dir/tasks.jsonl"),
        "{err}"
    );
    if Path::new("/dev/full").exists() {
        let full = wshoto(
            &[
                "--mock",
                "task",
                "export",
                "54",
                "204",
                "-o",
                "/dev/full",
                "--failures",
                "/dev/null",
            ],
            b"",
        );
        let err = assert_one_line_failure(&full, 4);
        assert!(err.contains("No space left on device"), "{err}");
    }
}

#[test]
fn a_closed_standard_output_ends_the_export_quietly() {
    let mock = LiveMock::synthetic();
    let mut child = mock
        .wshoto(&["task", "export", "--ids", "1-100000", "--rate", "0"])
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    assert!(first.starts_with("{\"task_id\":1,"), "{first}");
    // The reader goes away (as `| head -1` does).
    let started = Instant::now();
    let status = child.wait().expect("exits");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "quiet: {err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn wrong_credentials_stop_the_export_at_once_instead_of_failing_every_id() {
    let mock = LiveMock::synthetic();
    let dir = scratch_dir("credentials");
    let out = dir.join("tasks.jsonl");
    let output = mock
        .wshoto(&["task", "export", "--ids", "1-5000", "--rate", "0", "-o"])
        .arg(&out)
        .env("WSHOTO_APP_SECRET", "wrong")
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&output, 3);
    assert!(
        err.contains("API error 40001") && err.contains("--resume") && !err.contains("wrong"),
        "{err}"
    );
    assert!(read_lines(&out).is_empty());
    assert!(!dir.join("tasks.jsonl.failures.jsonl").exists());
    assert!(
        mock.server.stats().token_requests < 50,
        "{:?}",
        mock.server.stats()
    );
}
