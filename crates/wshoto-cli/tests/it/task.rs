//! `wshoto task get` and `wshoto mock serve`, end to end over loopback.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{LiveMock, assert_one_line_failure, fixture_path, stderr, wshoto};

fn stdout(output: &std::process::Output) -> String {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

#[test]
fn the_readme_command_shows_task_54_from_the_embedded_mock() {
    let text = stdout(&wshoto(&["--mock", "task", "get", "54"], b""));
    for expected in [
        "Task 54 · 中秋节会员关怀",
        "Type       company to customers (sender: company, audience: customers)",
        "Status     in progress",
        "Send time  2024-08-15 09:30:00 (UTC+8)",
        "Staff      2 / 3 sent",
        "Targets    105 / 120 reached",
        "Materials  2",
        "#730001 中秋礼券 (type 2, group buying, normal)",
        "Audience   company to customers (CorpSend2Customer)",
        "customers of: staff: zhangsan, lisi; departments: 2, 15",
        "exclude tags (any of the tags): 已成交 [deleted or missing]",
        "regions: 湖北省,武汉市,江夏区",
        "sex: female",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_page_of_several_tasks_is_said_to_be_one_and_an_empty_page_fails() {
    // Task 245's fixture is a page of two records (245 and 246) with total 5.
    let output = wshoto(&["--mock", "task", "get", "245"], b"");
    assert!(stdout(&output).contains("Task 245 · page record 245"));
    assert_eq!(
        stderr(&output).trim(),
        "warning: data is a page of 2 records (total 5); only the first is printed \
         (wshoto_model::decode_page reads them all)"
    );
    let single = wshoto(&["--mock", "task", "get", "54"], b"");
    assert!(single.stderr.is_empty(), "{}", stderr(&single));

    let mut fixtures = wshoto_mock::Fixtures::embedded();
    fixtures.insert(
        7,
        std::fs::read(fixture_path("error_page_empty")).expect("fixture"),
    );
    let mock = LiveMock::with(wshoto_mock::MockConfig {
        fixtures,
        ..wshoto_mock::MockConfig::default()
    });
    let output = mock
        .wshoto(&["task", "get", "7"])
        .output()
        .expect("wshoto runs");
    let err = assert_one_line_failure(&output, 1);
    assert!(
        err.contains("cannot decode the response: data.records: the page holds no task"),
        "{err}"
    );
}

#[test]
fn labels_can_be_chinese() {
    let text = stdout(&wshoto(
        &["--mock", "task", "get", "54", "--lang", "zh"],
        b"",
    ));
    for expected in [
        "任务 54",
        "群发类型   企业群发客户 (发送方: 企业, 接收方: 客户)",
        "任务状态   进行中",
        "性别: 女",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn json_output_is_the_same_as_decode() {
    // 248 keeps numbers beyond f64 and a lone surrogate escape: both show them as strings.
    for task_id in ["54", "202", "222", "248", "9223372036854775807"] {
        let fetched: Value = serde_json::from_str(&stdout(&wshoto(
            &["--mock", "task", "get", task_id, "--json"],
            b"",
        )))
        .expect("json");
        let fixture = match task_id {
            "54" => "task_54_corp_send2customer",
            "202" => "crowd_pack_big_ids",
            "222" => "broken_range_chat_status",
            "248" => "raw_number_beyond_f64",
            _ => "string_longs",
        };
        let path = fixture_path(fixture);
        let decoded: Value = serde_json::from_str(&stdout(&wshoto(
            &["decode", path.to_str().expect("path")],
            b"",
        )))
        .expect("json");
        assert_eq!(fetched, decoded, "task {task_id}");
    }
}

#[test]
fn every_audience_kind_is_put_in_words() {
    let cases = [
        (
            "202",
            "crowd packs: 人群包A #54579846213, 人群包B #9007199254740993 [deleted]",
        ),
        ("219", "assigned: u1 → c1, c2"),
        ("209", "Audience   all customers (AllCustomer)"),
        (
            "212",
            "unknown filter type VipSend2Everyone: {\"vip_level\"",
        ),
        (
            "222",
            "range_info could not be decoded: data.filter_range_info.range_info.chat_list[0].status",
        ),
        ("205", "group names: VIP群"),
        ("220", "posted by: staff tags: 店长"),
        (
            "203",
            "group chats: 正常群 [normal], 错误群 [wrong group id]",
        ),
        ("206", "no further filter"),
    ];
    for (task_id, expected) in cases {
        let text = stdout(&wshoto(&["--mock", "task", "get", task_id], b""));
        assert!(
            text.contains(expected),
            "task {task_id}: missing {expected:?} in:\n{text}"
        );
    }
}

#[test]
fn errors_say_what_to_do() {
    let err = assert_one_line_failure(&wshoto(&["task", "get", "54"], b""), 2);
    assert!(
        err.contains("WSHOTO_ACCESS_TOKEN") && err.contains("--mock"),
        "{err}"
    );
    let err = assert_one_line_failure(&wshoto(&["--mock", "task", "get", "999999"], b""), 3);
    assert!(err.contains("API error 60001"), "{err}");
    let err = assert_one_line_failure(
        &wshoto(
            &["--mock", "task", "get", "54", "--token", "not-a-token"],
            b"",
        ),
        3,
    );
    assert!(
        err.contains("10001") && err.contains("check the credentials"),
        "{err}"
    );
    let err = assert_one_line_failure(
        &wshoto(
            &[
                "task",
                "get",
                "54",
                "--base-url",
                "http://example.com",
                "--token",
                "t",
            ],
            b"",
        ),
        2,
    );
    assert!(err.contains("refusing plain http"), "{err}");
}

#[test]
fn a_silent_server_times_out_after_the_given_time() {
    // Accepts connections (the kernel's backlog) but never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let output = wshoto(
        &[
            "task",
            "get",
            "54",
            "--base-url",
            &url,
            "--token",
            "t",
            "--timeout",
            "0.6",
        ],
        b"",
    );
    let err = assert_one_line_failure(&output, 4);
    assert!(err.contains("timed out after 600ms"), "{err}");
    assert!(err.contains("attempt"), "{err}");
    drop(listener);
}

/// A `wshoto mock serve` child, killed on drop.
struct Served {
    child: std::process::Child,
    url: String,
    token: String,
    ca: Option<String>,
}

impl Served {
    /// `wshoto task get TASK_ID` against this server with its token, plus `extra` arguments.
    fn get(&self, task_id: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "task",
            "get",
            task_id,
            "--base-url",
            &self.url,
            "--token",
            &self.token,
        ];
        args.extend_from_slice(extra);
        wshoto(&args, b"")
    }
}

impl Served {
    /// Interrupts the server as Ctrl-C would, and waits for it to end.
    fn interrupt(mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGINT sent");
        self.child.wait().expect("mock serve ends")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["mock", "serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mock serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut served = Served {
        child,
        url: String::new(),
        token: String::new(),
        ca: None,
    };
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(url) = line.strip_prefix("wshoto mock listening on ") {
            served.url = url.to_owned();
        } else if let Some(token) = line.trim().strip_prefix("access token:") {
            served.token = token.trim().to_owned();
        } else if let Some(ca) = line.trim().strip_prefix("CA to trust:") {
            served.ca = ca.trim().split(' ').next().map(str::to_owned);
        } else if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(
        !served.url.is_empty() && !served.token.is_empty(),
        "mock serve printed its URL and a token"
    );
    served
}

#[test]
fn mock_serve_prints_a_url_and_token_that_work() {
    let served = serve(&[]);
    assert!(served.url.starts_with("http://127.0.0.1:"));
    let text = stdout(&served.get("54", &[]));
    assert!(text.contains("Task 54"), "{text}");
}

#[test]
fn mock_serve_over_tls_works_with_its_ca() {
    let served = serve(&["--tls"]);
    assert!(served.url.starts_with("https://127.0.0.1:"));
    let ca = served.ca.clone().expect("the CA file is printed");
    let text = stdout(&served.get("204", &["--ca-cert", &ca]));
    assert!(text.contains("Task 204"), "{text}");
    // Without the CA the certificate is not trusted.
    let output = served.get("204", &[]);
    let err = assert_one_line_failure(&output, 4);
    assert!(err.contains("TLS"), "{err}");
    // The CA is made for this run only: its file goes with the server.
    assert!(std::path::Path::new(&ca).exists(), "{ca}");
    assert!(
        served.interrupt().success(),
        "Ctrl-C ends the server cleanly"
    );
    assert!(!std::path::Path::new(&ca).exists(), "{ca} left behind");
}

#[test]
fn http1_only_keeps_to_http1_over_tls() {
    let served = serve(&["--tls"]);
    let ca = served.ca.clone().expect("the CA file is printed");
    // `-vv` logs each response head with its HTTP version.
    let version_of = |extra: &[&str]| {
        let mut args = vec!["-vv", "--ca-cert", &ca];
        args.extend_from_slice(extra);
        let output = served.get("204", &args);
        assert!(stdout(&output).contains("Task 204"));
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        ["HTTP/1.1", "HTTP/2.0"]
            .into_iter()
            .filter(|version| log.contains(&format!("version={version}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(version_of(&[]), ["HTTP/2.0"]);
    assert_eq!(version_of(&["--http1-only"]), ["HTTP/1.1"]);
}

#[test]
fn app_credentials_come_from_the_environment() {
    let served = serve(&[]);
    let output = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["task", "get", "54", "--base-url", &served.url])
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "mock-app-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .output()
        .expect("runs");
    assert!(stdout(&output).contains("Task 54"));
    let wrong = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["task", "get", "54", "--base-url", &served.url])
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "wrong-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&wrong, 3);
    assert!(err.contains("WSHOTO_APP_SECRET"), "{err}");
    assert!(
        !err.contains("wrong-secret"),
        "the secret is not echoed: {err}"
    );
}

#[test]
fn verbose_logs_never_show_secrets() {
    let served = serve(&[]);
    let output = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["-vvv", "task", "get", "54", "--base-url", &served.url])
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "mock-app-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .output()
        .expect("runs");
    let logs = stderr(&output);
    assert!(
        logs.contains("wshoto.call"),
        "trace logs were written: {logs}"
    );
    assert!(!logs.contains("mock-app-secret"), "{logs}");
    assert!(!logs.contains("access_token="), "{logs}");
}

#[test]
fn completions_are_printed_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef wshoto"),
        ("fish", "complete -c wshoto"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = wshoto(&["completions", shell], b"");
        let script = String::from_utf8(output.stdout).expect("utf-8");
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(script.contains(marker), "{shell}: {marker}");
        assert!(
            script.contains("export") && script.contains("resume"),
            "{shell}"
        );
    }
    // The bash script is valid bash.
    let bash = wshoto(&["completions", "bash"], b"");
    let dir = crate::support::scratch_dir("completions");
    let path = dir.join("wshoto.bash");
    std::fs::write(&path, &bash.stdout).expect("write");
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash");
    assert!(checked.success());
}

/// A server whose reader went away keeps serving: `mock serve` with its standard output closed
/// before it prints anything (as a script that reads only the first line may leave it) still
/// answers, instead of dying on the broken pipe.
#[test]
fn mock_serve_keeps_serving_when_its_output_is_closed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["mock", "serve", "--addr", &addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("mock serve starts");
    drop(child.stdout.take());
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the mock never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let alive = child.try_wait().expect("status").is_none();
    let output = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["task", "get", "54", "--base-url", &format!("http://{addr}")])
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "mock-app-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .env_remove("WSHOTO_PROFILE")
        .env("WSHOTO_CONFIG", crate::support::NO_CONFIG)
        .output()
        .expect("wshoto runs");
    let _ = child.kill();
    let _ = child.wait();
    assert!(alive, "mock serve died when its output was closed");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
