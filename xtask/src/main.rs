//! Project chores: `cargo xtask snapshots [--check]`.
//!
//! `snapshots` regenerates the insta snapshots of every fixture (and removes those whose fixture
//! is gone); `snapshots --check` writes nothing and fails, naming each stale, missing or orphaned
//! snapshot. Neither needs `cargo-insta`: both drive the model crate's snapshot tests through
//! insta's `INSTA_UPDATE` variable.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask snapshots [--check]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["snapshots"] => regenerate(),
        ["snapshots", "--check"] => check(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn snapshot_dir() -> PathBuf {
    workspace_root().join("crates/wshoto-model/tests/it/snapshots")
}

/// Runs the snapshot tests with the given `INSTA_UPDATE` mode.
fn run_snapshot_tests(update_mode: &str) -> Result<bool, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "test",
            "--quiet",
            "--package",
            "wshoto-model",
            "--test",
            "it",
            "snapshots::",
        ])
        .env("INSTA_UPDATE", update_mode)
        .env("INSTA_FORCE_PASS", "0")
        .env_remove("INSTA_OUTPUT")
        .status()
        .map_err(|e| format!("could not run cargo test: {e}"))?;
    Ok(status.success())
}

fn snapshot_files() -> Result<Vec<PathBuf>, String> {
    let dir = snapshot_dir();
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "snap"))
        .collect();
    files.sort();
    Ok(files)
}

/// `--check`: nothing is written; any stale, missing or orphaned snapshot fails.
fn check() -> Result<String, String> {
    let stray: Vec<PathBuf> = std::fs::read_dir(snapshot_dir())
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
                .collect()
        })
        .unwrap_or_default();
    if !stray.is_empty() {
        return Err(format!("unreviewed snapshot files present: {stray:?}"));
    }
    if run_snapshot_tests("no")? {
        Ok(format!("snapshots: {} up to date", snapshot_files()?.len()))
    } else {
        Err("snapshots are stale, missing or orphaned (named above); \
             run `cargo xtask snapshots`, review the diff, and commit"
            .to_owned())
    }
}

/// Regenerates every snapshot from scratch, so that snapshots of removed fixtures go too. On
/// failure the previous snapshots are put back.
fn regenerate() -> Result<String, String> {
    let dir = snapshot_dir();
    let backup = workspace_root().join("target/xtask-snapshots-backup");
    let _ = std::fs::remove_dir_all(&backup);
    if dir.exists() {
        std::fs::create_dir_all(backup.parent().unwrap_or(&backup))
            .map_err(|e| format!("{}: {e}", backup.display()))?;
        std::fs::rename(&dir, &backup).map_err(|e| format!("moving {}: {e}", dir.display()))?;
    }
    if run_snapshot_tests("always")? && run_snapshot_tests("no")? {
        let _ = std::fs::remove_dir_all(&backup);
        Ok(format!(
            "snapshots: {} written to {}; review them with `git diff` before committing",
            snapshot_files()?.len(),
            dir.display()
        ))
    } else {
        let _ = std::fs::remove_dir_all(&dir);
        if backup.exists() {
            std::fs::rename(&backup, &dir).map_err(|e| format!("restoring snapshots: {e}"))?;
        }
        Err("the snapshot tests failed; the previous snapshots were restored".to_owned())
    }
}
