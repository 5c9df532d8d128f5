//! `cargo xtask snapshots [--check]`.

use std::path::PathBuf;
use std::process::Command;

use crate::workspace_root;

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
pub fn check() -> Result<String, String> {
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
pub fn regenerate() -> Result<String, String> {
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
