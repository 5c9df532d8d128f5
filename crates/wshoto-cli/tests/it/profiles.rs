//! Profiles: a config file of named companies; flags win over the environment, which wins over
//! the profile.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::support::{LiveMock, ScratchDir, assert_one_line_failure, scratch_dir, stderr};

/// A config file in a scratch folder (removed with it), readable by its owner alone.
fn config(name: &str, text: &str) -> ConfigFile {
    let dir = scratch_dir(name);
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config");
    set_mode(&path, 0o600);
    ConfigFile { path, _dir: dir }
}

/// A config file's path, and the scratch folder it lives in.
struct ConfigFile {
    path: PathBuf,
    _dir: ScratchDir,
}

impl std::ops::Deref for ConfigFile {
    type Target = PathBuf;

    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

fn set_mode(path: &PathBuf, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// `wshoto` with only the config file (no credentials or base URL in the environment).
fn wshoto_with(config: &PathBuf, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wshoto"));
    command
        .args(args)
        .env("WSHOTO_CONFIG", config)
        .env_remove("WSHOTO_PROFILE")
        .env_remove("WSHOTO_BASE_URL")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .env_remove("WSHOTO_APP_ID")
        .env_remove("WSHOTO_APP_SECRET")
        .env_remove("WSHOTO_PROXY");
    command
}

fn profile_for(mock: &LiveMock, name: &str) -> String {
    format!(
        "[profiles.{name}]\napp_id = \"{}\"\napp_secret = \"{}\"\nbase_url = \"{}\"\n",
        mock.server.app_id(),
        mock.server.app_secret(),
        mock.server.url()
    )
}

#[test]
fn a_profile_supplies_credentials_and_url_and_flags_then_env_win_over_it() {
    let mock = LiveMock::synthetic();
    let path = config("precedence", &profile_for(&mock, "acme"));
    let get = |extra: &[&str]| {
        let mut args = vec!["task", "get", "7", "--profile", "acme"];
        args.extend_from_slice(extra);
        wshoto_with(&path, &args)
    };
    let ok = get(&[]).output().expect("runs");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("Task 7 · "));
    // The environment wins over the profile…
    let env_url = get(&[])
        .env("WSHOTO_BASE_URL", "http://127.0.0.1:9")
        .output()
        .expect("runs");
    assert_one_line_failure(&env_url, 4);
    let env_secret = get(&[])
        .env("WSHOTO_APP_SECRET", "wrong")
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&env_secret, 3);
    assert!(err.contains("40001"), "{err}");
    // …and a flag wins over the environment.
    let flag = get(&["--base-url", mock.server.url()])
        .env("WSHOTO_BASE_URL", "http://127.0.0.1:9")
        .output()
        .expect("runs");
    assert_eq!(flag.status.code(), Some(0), "{}", stderr(&flag));
}

#[test]
fn the_default_profile_or_wshoto_profile_picks_one() {
    let mock = LiveMock::synthetic();
    let text = format!(
        "default = \"good\"\n{}[profiles.bad]\napp_id = \"x\"\napp_secret = \"y\"\nbase_url = \"{}\"\n",
        profile_for(&mock, "good"),
        mock.server.url()
    );
    let path = config("default", &text);
    let by_default = wshoto_with(&path, &["task", "get", "7"])
        .output()
        .expect("runs");
    assert_eq!(by_default.status.code(), Some(0), "{}", stderr(&by_default));
    let by_env = wshoto_with(&path, &["task", "get", "7"])
        .env("WSHOTO_PROFILE", "bad")
        .output()
        .expect("runs");
    assert_one_line_failure(&by_env, 3);
    let unknown = wshoto_with(&path, &["task", "get", "7", "--profile", "nope"])
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&unknown, 2);
    assert!(
        err.contains("no profile \"nope\"") && err.contains("bad, good"),
        "{err}"
    );
}

#[test]
fn profiles_are_listed_and_shown_without_their_secrets() {
    let path = config(
        "show",
        "default = \"b\"\n[profiles.a]\napp_id = \"A\"\napp_secret = \"Sup3r-Secret\"\n\
         proxy = \"http://user:Pr0xy-Pass@proxy:3128\"\nrate = 20\n[profiles.b]\n\
         app_id = \"B\"\napp_secret_command = \"echo from-a-command\"\n",
    );
    let list = wshoto_with(&path, &["profile", "list"])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&list.stdout), "a\nb (default)\n");
    let show = wshoto_with(&path, &["profile", "show", "a"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&show.stdout);
    assert_eq!(
        text,
        "[profiles.a]\napp_id = \"A\"\napp_secret = [REDACTED]\n\
         proxy = \"http://user:[REDACTED]@proxy:3128\"\nrate = 20\n"
    );
    let default = wshoto_with(&path, &["profile", "show"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&default.stdout).starts_with("[profiles.b]"));
    assert!(stderr(&show).is_empty(), "owner-only: no warning");
}

#[test]
fn a_profile_can_keep_to_http1_over_tls() {
    let mock = LiveMock::with(wshoto_mock::MockConfig {
        tls: true,
        ..wshoto_mock::MockConfig::default()
    });
    let dir = scratch_dir("http1-profile");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, mock.server.ca_pem().expect("a TLS mock has a CA")).expect("CA");
    let profile = |name: &str, extra: &str| {
        format!(
            "{}ca_cert = \"{}\"\n{extra}",
            profile_for(&mock, name),
            ca.display()
        )
    };
    let text = profile("plain", "") + &profile("old_proxy", "http1_only = true\n");
    let path = config("http1", &text);
    let http2_requests_of = |name: &str| {
        let before = mock.server.stats();
        let output = wshoto_with(&path, &["task", "get", "54", "--profile", name])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let after = mock.server.stats();
        assert!(after.api_requests > before.api_requests);
        after.http2_requests - before.http2_requests
    };
    assert!(http2_requests_of("plain") > 0);
    assert_eq!(http2_requests_of("old_proxy"), 0);
    let show = wshoto_with(&path, &["profile", "show", "old_proxy"])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&show.stdout).contains("\nhttp1_only = true\n"),
        "{}",
        String::from_utf8_lossy(&show.stdout)
    );
}

#[test]
fn a_secret_holding_file_readable_by_others_draws_a_warning() {
    let path = config("mode", "[profiles.a]\napp_id = \"A\"\napp_secret = \"s\"\n");
    set_mode(&path, 0o644);
    let output = wshoto_with(&path, &["profile", "list"])
        .output()
        .expect("runs");
    let err = stderr(&output);
    assert!(
        err.contains("holds an app secret and others can read it; run: chmod 600"),
        "{err}"
    );
}

#[test]
fn an_app_secret_can_come_from_a_command_and_the_rate_from_the_profile() {
    let mock = LiveMock::synthetic();
    let text = format!(
        "[profiles.cmd]\napp_id = \"{}\"\napp_secret_command = \"printf '%s\\\\n' {}\"\n\
         base_url = \"{}\"\nrate = 4\n",
        mock.server.app_id(),
        mock.server.app_secret(),
        mock.server.url()
    );
    let path = config("command", &text);
    let output = wshoto_with(
        &path,
        &[
            "task",
            "export",
            "--ids",
            "1-6",
            "--profile",
            "cmd",
            "--quiet",
        ],
    )
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The profile's 4 a second (burst 1) held: 7 requests (one a token) within about 1.5 s.
    let most = mock.server.busiest(Duration::from_secs(1));
    assert!(most <= 5, "{most} requests within 1 s at 4/s");
}
