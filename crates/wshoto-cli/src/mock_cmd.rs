//! `wshoto mock serve`: run the mock until interrupted.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use wshoto_mock::{Fixtures, MockConfig, MockServer};

use crate::exit::Failure;

/// Starts the mock on `addr`, prints how to reach it, and waits for Ctrl-C.
pub async fn serve(
    addr: SocketAddr,
    tls: bool,
    fixtures: Option<PathBuf>,
    synthetic: Option<String>,
) -> Result<(), Failure> {
    let synthetic = synthetic.map(|spec| parse_range(&spec)).transpose()?;
    let fixtures = match fixtures {
        Some(dir) => Fixtures::from_dir(&dir).map_err(|e| {
            Failure::io(format!("cannot read fixtures from {}: {e}", dir.display()))
        })?,
        None => Fixtures::embedded(),
    };
    let count = fixtures.task_ids().count();
    let mock = MockServer::start_with(MockConfig {
        addr,
        tls,
        fixtures,
        synthetic: synthetic.clone(),
        ..MockConfig::default()
    })
    .await
    .map_err(|e| Failure::io(e.to_string()))?;
    // Printed once; a reader that went away (a closed pipe) does not stop the server.
    let mut banner = format!("wshoto mock listening on {}\n", mock.url());
    banner.push_str(&format!("  tasks served:  {count} (try task id 54)\n"));
    if let Some(ids) = &synthetic {
        banner.push_str(&format!(
            "  made-up tasks: ids {}-{} without a fixture\n",
            ids.start(),
            ids.end()
        ));
    }
    banner.push_str(&format!("  app id:        {}\n", mock.app_id()));
    banner.push_str(&format!("  app secret:    {}\n", mock.app_secret()));
    banner.push_str(&format!("  access token:  {}\n", mock.issue_token()));
    // The CA is made afresh for each run, so its file goes when the run ends.
    let mut ca_file = None;
    if let Some(pem) = mock.ca_pem() {
        let dir = std::env::temp_dir();
        let path = write_new_file(&dir, "wshoto-mock-ca", pem.as_bytes())
            .map_err(|e| Failure::io(format!("cannot write the CA in {}: {e}", dir.display())))?;
        banner.push_str(&format!(
            "  CA to trust:   {} (--ca-cert)\n",
            path.display()
        ));
        ca_file = Some(path);
    }
    banner.push_str("Press Ctrl-C to stop.\n");
    let waited = match crate::output::print_text(&banner) {
        Ok(()) => tokio::signal::ctrl_c()
            .await
            .map_err(|e| Failure::io(format!("cannot wait for Ctrl-C: {e}"))),
        Err(failure) => Err(failure),
    };
    if let Some(path) = ca_file
        && let Err(e) = std::fs::remove_file(&path)
    {
        eprintln!("warning: cannot remove the CA file {}: {e}", path.display());
    }
    waited
}

/// `FIRST-LAST` for `--synthetic`.
fn parse_range(spec: &str) -> Result<std::ops::RangeInclusive<i64>, Failure> {
    let bad = || Failure::usage(format!("--synthetic: {spec:?} is not a range FIRST-LAST"));
    let at = spec
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '-')
        .map(|(i, _)| i)
        .ok_or_else(bad)?;
    let first: i64 = spec[..at].trim().parse().map_err(|_| bad())?;
    let last: i64 = spec[at + 1..].trim().parse().map_err(|_| bad())?;
    if first > last {
        return Err(bad());
    }
    Ok(first..=last)
}

/// Writes `content` to a new file `PREFIX-RANDOM.pem` in `dir`: created exclusively (an existing
/// file or a planted symbolic link is never opened, let alone overwritten), with an unguessable
/// name.
fn write_new_file(dir: &Path, prefix: &str, content: &[u8]) -> std::io::Result<PathBuf> {
    use std::hash::BuildHasher;
    use std::io::Write;
    let mut last_error = None;
    for attempt in 0u64..16 {
        let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
        let path = dir.join(format!("{prefix}-{random:016x}.pem"));
        match create_new(&path) {
            Ok(mut file) => {
                file.write_all(content)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free file name")))
}

/// Creates `path`, failing if anything (a symbolic link included) is already there.
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_file_is_new_and_a_planted_link_is_never_followed() {
        let dir = std::env::temp_dir().join(format!("wshoto-ca-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "precious").expect("victim");
        let planted = dir.join("planted.pem");
        std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
        let refused = create_new(&planted).expect_err("a link is already there");
        assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        let first = write_new_file(&dir, "ca", b"PEM").expect("written");
        let second = write_new_file(&dir, "ca", b"PEM").expect("written");
        assert_ne!(first, second, "unpredictable names");
        assert_eq!(std::fs::read(&first).expect("read"), b"PEM");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn synthetic_ranges_parse() {
        assert_eq!(parse_range("1-100").expect("range"), 1..=100);
        assert!(parse_range("5-1").is_err() && parse_range("x").is_err());
    }
}
