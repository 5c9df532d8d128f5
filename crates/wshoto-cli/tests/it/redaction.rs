//! Every subcommand at `-vvv`, with a fixed token and with app credentials, on success, retry,
//! rejection and failure: neither the app secret nor any token issued shows on standard error,
//! on standard output, or in a failures file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use wshoto_mock::{Fault, MockConfig, Route};

use crate::support::{LiveMock, scratch_dir};

const SECRET: &str = "Cli-Secret-0123456789";

/// Runs `command` and returns standard output and error together.
fn everything(mut command: Command) -> String {
    let output = command.output().expect("runs");
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_clean(text: &str, secrets: &[String], context: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{context}: {secret} leaked:\n{text}"
        );
    }
    for (at, _) in text.match_indices("access_token=") {
        let after = &text[at + "access_token=".len()..];
        assert!(
            after.starts_with("[REDACTED]"),
            "{context}: {}",
            &after[..30.min(after.len())]
        );
    }
}

#[test]
fn no_subcommand_shows_a_secret_at_any_verbosity_on_any_path() {
    let mock = LiveMock::with(MockConfig {
        app_secret: SECRET.to_owned(),
        ..MockConfig::default()
    });
    let fixed = mock.server.issue_token();
    let dir = scratch_dir("redaction");
    let mut outputs = Vec::new();
    // (path, how to set it up)
    let paths: [(&str, &dyn Fn()); 4] = [
        ("success", &|| {}),
        ("retry", &|| {
            mock.server.faults().push(
                Route::Api,
                Fault::Status {
                    status: 503,
                    retry_after: None,
                },
            );
            mock.server
                .faults()
                .push(Route::Api, Fault::EchoRequestLine { status: 502 });
        }),
        ("rejection", &|| mock.server.revoke_tokens()),
        ("failure", &|| {
            mock.server.faults().push_times(
                Route::Api,
                Fault::ApiError {
                    code: 40000,
                    msg: "no access_token=xyz here".into(),
                },
                8,
            );
        }),
    ];
    for (path, set_up) in paths {
        for credentials in ["app", "token"] {
            for subcommand in ["get", "export"] {
                set_up();
                let mut command = mock.wshoto(&["-vvv", "task", subcommand, "54"]);
                if subcommand == "export" {
                    let out = dir.join(format!("{path}-{credentials}.jsonl"));
                    command.arg("-o").arg(&out).args(["--rate", "0"]);
                }
                if credentials == "token" {
                    command.env("WSHOTO_ACCESS_TOKEN", &fixed);
                }
                let text = everything(command);
                assert!(text.contains("wshoto.call"), "{path}: traced:\n{text}");
                outputs.push((format!("{path}/{credentials}/{subcommand}"), text));
            }
        }
    }
    for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        outputs.push((entry.path().display().to_string(), text));
    }
    // `decode` with the credentials in its environment.
    let mut decode = mock.wshoto(&["-vvv", "decode", "-"]);
    decode
        .stdin(Stdio::null())
        .env("WSHOTO_ACCESS_TOKEN", &fixed);
    outputs.push(("decode".into(), everything(decode)));
    let mut secrets = mock.server.issued_tokens();
    secrets.push(SECRET.to_owned());
    assert!(secrets.len() >= 3, "tokens issued: {secrets:?}");
    for (context, text) in &outputs {
        assert_clean(text, &secrets, context);
    }
}

#[test]
fn mock_serve_logs_no_token_it_receives() {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["-vvv", "mock", "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut banner = BufReader::new(serve.stdout.take().expect("stdout"));
    let mut first = String::new();
    banner.read_line(&mut first).expect("banner");
    let url = first.trim().rsplit(' ').next().expect("url").to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(["task", "get", "54", "--json", "--base-url", &url])
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "mock-app-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let _ = Command::new("kill")
        .args(["-INT", &serve.id().to_string()])
        .status();
    let finished = serve.wait_with_output().expect("exits");
    let logs = String::from_utf8_lossy(&finished.stderr);
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "{logs}");
    assert!(!logs.contains("mock-app-secret"), "{logs}");
    assert_clean(&logs, &[], "mock serve");
    // Tokens look like `mock-` and 32 hex digits: none in the logs.
    let leaked = logs.match_indices("mock-").any(|(at, _)| {
        let rest = &logs[at + 5..];
        rest.len() >= 32 && rest[..32].bytes().all(|b| b.is_ascii_hexdigit())
    });
    assert!(!leaked, "{logs}");
}
