//! Running the binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A config file that does not exist: tests never read the developer's own profiles.
pub const NO_CONFIG: &str = "/nonexistent/wshoto-tests/config.toml";

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
        .env_remove("WSHOTO_PROFILE")
        .env("WSHOTO_CONFIG", NO_CONFIG)
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

/// A mock running in this test process (on its own runtime), that the `wshoto` binary reaches
/// over loopback; its faults and counters are the test's to set and read.
pub struct LiveMock {
    /// The server.
    pub server: wshoto_mock::MockServer,
    // Dropped after the server, which needs it to shut down.
    _runtime: tokio::runtime::Runtime,
}

impl LiveMock {
    /// A plain-HTTP mock that makes up tasks 1..=1 000 000 (other ids are not found).
    pub fn synthetic() -> Self {
        Self::with(wshoto_mock::MockConfig {
            synthetic: Some(1..=1_000_000),
            ..wshoto_mock::MockConfig::default()
        })
    }

    /// A mock started with `config`.
    pub fn with(config: wshoto_mock::MockConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(wshoto_mock::MockServer::start_with(config))
            .expect("mock starts");
        Self {
            server,
            _runtime: runtime,
        }
    }

    /// `wshoto` aimed at this mock (`WSHOTO_BASE_URL`) with its app credentials.
    pub fn wshoto(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wshoto"));
        command
            .args(args)
            .env("WSHOTO_BASE_URL", self.server.url())
            .env_remove("WSHOTO_PROFILE")
            .env("WSHOTO_CONFIG", NO_CONFIG)
            .env_remove("WSHOTO_ACCESS_TOKEN")
            .env("WSHOTO_APP_ID", self.server.app_id())
            .env("WSHOTO_APP_SECRET", self.server.app_secret())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }
}

/// A fresh scratch folder for one test, removed when dropped; kept (and named on standard
/// error) when the test is failing, to be looked at.
pub fn scratch_dir(name: &str) -> ScratchDir {
    let dir = std::env::temp_dir().join(format!("wshoto-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    ScratchDir(dir)
}

/// See [`scratch_dir`].
pub struct ScratchDir(PathBuf);

impl std::ops::Deref for ScratchDir {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for ScratchDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("scratch folder kept: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn a_scratch_folder_is_removed_when_its_test_is_done() {
    let dir = scratch_dir("removed");
    let path = dir.to_path_buf();
    std::fs::write(dir.join("file"), "x").expect("write");
    assert!(path.join("file").exists());
    drop(dir);
    assert!(!path.exists(), "{} left behind", path.display());
}
