//! Named profiles for people who serve many companies: a TOML file in the platform's config
//! directory, one `[profiles.NAME]` table per company.
//!
//! ```toml
//! default = "acme"
//!
//! [profiles.acme]
//! app_id = "ww-acme"
//! app_secret_command = "pass show wshoto/acme"   # or: app_secret = "..."
//! base_url = "https://open.wshoto.com"
//! ca_cert = "/etc/ssl/acme-proxy.pem"
//! proxy = "http://proxy.acme.internal:3128"
//! http1_only = true
//! rate = 20
//! ```
//!
//! Precedence, for each setting: a command-line flag, then the environment, then the profile.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::Failure;

/// The variable naming the profile to use (`--profile` wins).
pub const ENV_PROFILE: &str = "WSHOTO_PROFILE";
/// The variable naming the config file (instead of the platform's config directory).
pub const ENV_CONFIG: &str = "WSHOTO_CONFIG";

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when none is named.
    pub default: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One company's settings.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `appid`.
    pub app_id: Option<String>,
    /// `app_secret` itself (the file should then be readable by you alone).
    pub app_secret: Option<String>,
    /// A command whose standard output is the app secret (a password manager).
    pub app_secret_command: Option<String>,
    /// The API's base URL.
    pub base_url: Option<String>,
    /// A PEM file of extra root certificates.
    pub ca_cert: Option<PathBuf>,
    /// An HTTP CONNECT proxy.
    pub proxy: Option<String>,
    /// Offer only HTTP/1.1 over TLS (as `--http1-only`).
    pub http1_only: Option<bool>,
    /// Requests per second for `task export`.
    pub rate: Option<f64>,
}

/// Never shows the secret.
impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("app_id", &self.app_id)
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("app_secret_command", &self.app_secret_command)
            .field("base_url", &self.base_url)
            .field("ca_cert", &self.ca_cert)
            .field("proxy", &self.proxy)
            .field("http1_only", &self.http1_only)
            .field("rate", &self.rate)
            .finish()
    }
}

/// Where the config file is: `WSHOTO_CONFIG`, else `wshoto/config.toml` in the platform's config
/// directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support` on
/// macOS, `%APPDATA%` on Windows).
pub fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV_CONFIG).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    config_dir().map(|dir| dir.join("wshoto").join("config.toml"))
}

fn config_dir() -> Option<PathBuf> {
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return std::env::var_os("APPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos") {
        return home().map(|h| h.join("Library/Application Support"));
    }
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))
}

/// Reads the config file; a missing file is an empty config.
pub fn load(path: &Path) -> Result<Config, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let config: Config = toml::from_str(&text).map_err(|e| {
        let message = e.message().replace('\n', " ");
        Failure::usage(format!(
            "{}: {}",
            path.display(),
            crate::text::excerpt(&message)
        ))
    })?;
    warn_if_readable_by_others(path, &config);
    Ok(config)
}

/// A file that holds an app secret should be readable by its owner alone.
fn warn_if_readable_by_others(path: &Path, config: &Config) {
    let holds_secret = config.profiles.values().any(|p| p.app_secret.is_some());
    if holds_secret && readable_by_others(path) {
        eprintln!(
            "warning: {} holds an app secret and others can read it; run: chmod 600 {}",
            path.display(),
            path.display()
        );
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

impl Config {
    /// The profile named by `name` (a flag or `WSHOTO_PROFILE`), else the default one, with the
    /// name it was found under; `None` when neither is set. Naming a profile the file does not
    /// have is an error.
    pub fn select<'a>(
        &'a self,
        name: Option<&'a str>,
        path: &Path,
    ) -> Result<Option<(&'a str, &'a Profile)>, Failure> {
        let Some(name) = name.or(self.default.as_deref()) else {
            return Ok(None);
        };
        self.profiles
            .get(name)
            .map(|p| Some((name, p)))
            .ok_or_else(|| {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                Failure::usage(format!(
                    "no profile {:?} in {} (profiles: {})",
                    crate::text::excerpt(name),
                    path.display(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }
}

impl Profile {
    /// The app secret: as written, or printed by `app_secret_command`.
    pub fn secret(&self, name: &str) -> Result<Option<String>, Failure> {
        if let Some(secret) = &self.app_secret {
            return Ok(Some(secret.clone()));
        }
        let Some(command) = &self.app_secret_command else {
            return Ok(None);
        };
        let output = shell(command).output().map_err(|e| {
            Failure::usage(format!(
                "profile {name}: cannot run app_secret_command: {e}"
            ))
        })?;
        if !output.status.success() {
            // Its output is not shown: it may hold the secret.
            return Err(Failure::usage(format!(
                "profile {name}: app_secret_command failed ({})",
                output.status
            )));
        }
        let secret = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if secret.is_empty() {
            return Err(Failure::usage(format!(
                "profile {name}: app_secret_command printed nothing"
            )));
        }
        Ok(Some(secret))
    }
}

fn shell(command: &str) -> std::process::Command {
    let mut shell = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.arg("/C");
        c
    } else {
        let mut c = std::process::Command::new("sh");
        c.arg("-c");
        c
    };
    shell.arg(command).stdin(std::process::Stdio::null());
    shell
}

/// `wshoto profile list`: one name a line, the default marked.
pub fn list(config: &Config) -> String {
    let mut out = String::new();
    for name in config.profiles.keys() {
        let mark = if config.default.as_deref() == Some(name) {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(out, "{name}{mark}");
    }
    out
}

/// `wshoto profile show`: the settings, secrets as `[REDACTED]`.
pub fn show(name: &str, profile: &Profile) -> String {
    let mut out = format!("[profiles.{name}]\n");
    let mut line = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "{key} = {value}");
        }
    };
    line("app_id", profile.app_id.as_ref().map(|v| format!("{v:?}")));
    line(
        "app_secret",
        profile.app_secret.as_ref().map(|_| "[REDACTED]".to_owned()),
    );
    line(
        "app_secret_command",
        profile
            .app_secret_command
            .as_ref()
            .map(|v| format!("{v:?}")),
    );
    line(
        "base_url",
        profile.base_url.as_ref().map(|v| format!("{v:?}")),
    );
    line(
        "ca_cert",
        profile
            .ca_cert
            .as_ref()
            .map(|v| format!("{:?}", v.display().to_string())),
    );
    line(
        "proxy",
        profile
            .proxy
            .as_ref()
            .map(|v| format!("{:?}", redact_proxy(v))),
    );
    line("http1_only", profile.http1_only.map(|v| v.to_string()));
    line("rate", profile.rate.map(|v| v.to_string()));
    crate::text::escape_lines(&out)
}

/// A proxy URL with its password hidden.
fn redact_proxy(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| {
        let (credentials, host) = rest.rsplit_once('@')?;
        let user = credentials.split(':').next().unwrap_or_default();
        Some(format!("{scheme}://{user}:[REDACTED]@{host}"))
    }) {
        Some(redacted) => redacted,
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Config {
        toml::from_str(text).expect("valid")
    }

    #[test]
    fn profiles_are_chosen_by_name_then_default() {
        let config =
            parse("default = \"b\"\n[profiles.a]\napp_id = \"A\"\n[profiles.b]\napp_id = \"B\"\n");
        let path = Path::new("config.toml");
        let pick = |name| {
            config
                .select(name, path)
                .expect("ok")
                .map(|(name, p)| (name.to_owned(), p.app_id.clone()))
        };
        assert_eq!(
            pick(Some("a")),
            Some(("a".to_owned(), Some("A".to_owned())))
        );
        assert_eq!(pick(None), Some(("b".to_owned(), Some("B".to_owned()))));
        let missing = config.select(Some("zzz"), path).expect_err("unknown");
        assert!(missing.message.contains("no profile \"zzz\"") && missing.message.contains("a, b"));
        assert!(
            Config::default()
                .select(None, path)
                .expect("none")
                .is_none()
        );
        assert_eq!(list(&config), "a\nb (default)\n");
    }

    #[test]
    fn secrets_never_show_and_come_from_a_command() {
        let config = parse(
            "[profiles.a]\napp_id = \"A\"\napp_secret = \"s3cr3t\"\nproxy = \"http://u:pw@h:1\"\n\
             [profiles.b]\napp_secret_command = \"printf ' from-command \\\\n'\"\n\
             [profiles.c]\napp_secret_command = \"echo s3cr3t; exit 3\"\n",
        );
        let a = &config.profiles["a"];
        let shown = show("a", a);
        assert!(
            shown.contains("app_secret = [REDACTED]") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert!(
            shown.contains("http://u:[REDACTED]@h:1") && !shown.contains("pw"),
            "{shown}"
        );
        assert!(!format!("{a:?}").contains("s3cr3t"));
        assert_eq!(a.secret("a").expect("ok").as_deref(), Some("s3cr3t"));
        let b = config.profiles["b"].secret("b").expect("runs");
        assert_eq!(b.as_deref(), Some("from-command"));
        let c = config.profiles["c"].secret("c").expect_err("fails");
        assert!(c.message.contains("app_secret_command failed") && !c.message.contains("s3cr3t"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("[profiles.a]\napp_sekret = \"x\"\n").is_err());
    }
}
