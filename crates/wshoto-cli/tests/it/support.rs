//! Running the binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The workspace's fixtures folder.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/{name}.json"))
}

/// Runs `wshoto` with `args`, feeding `stdin`.
pub fn wshoto(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wshoto"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .env_remove("WSHOTO_APP_ID")
        .env_remove("WSHOTO_APP_SECRET")
        .spawn()
        .expect("wshoto starts");
    if let Some(mut input) = child.stdin.take() {
        // The binary may exit before reading everything; that is its business.
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().expect("wshoto finishes")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the process failed with `code` and one line on standard error, with no panic.
pub fn assert_one_line_failure(output: &Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}
