//! Project chores: `cargo xtask snapshots [--check]` and `cargo xtask bench-export`.
//!
//! `snapshots` regenerates the insta snapshots of every fixture (and removes those whose fixture
//! is gone); `snapshots --check` writes nothing and fails, naming each stale, missing or orphaned
//! snapshot. Neither needs `cargo-insta`: both drive the model crate's snapshot tests through
//! insta's `INSTA_UPDATE` variable.
//!
//! `bench` runs the side-by-side benchmarks of `crates/wshoto-bench` (decode against serde_json
//! and sonic-rs, the client against raw hyper-util and reqwest) and the interleaved sequential
//! comparison (`examples/http_paired.rs`), and writes medians and ratios into
//! `docs/performance.md`.
//!
//! `fuzz` runs the libFuzzer targets of `fuzz/` for a bounded time (see `xtask/src/fuzz.rs`).
//!
//! `bench-large` times `wshoto decode` of an ≈80 MB response against Python's `json` module and
//! writes time and peak memory into `docs/performance.md`.
//!
//! `bench-export` builds the release `wshoto`, serves made-up tasks with `wshoto mock serve
//! --synthetic`, exports 10 000 and 100 000 of them as JSON Lines and CSV, and writes throughput
//! and peak memory into `docs/performance.md`.

mod bench;
mod export_bench;
mod fuzz;
mod large_decode_bench;
mod machine;
mod snapshots;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask snapshots [--check] | bench | bench-export | bench-large | fuzz [--seconds N | --runs N] [decode | range_info]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["snapshots"] => snapshots::regenerate(),
        ["snapshots", "--check"] => snapshots::check(),
        ["bench"] => bench::run(),
        ["bench-export"] => export_bench::run(),
        ["bench-large"] => large_decode_bench::run(),
        ["fuzz", rest @ ..] => fuzz::run(rest),
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

/// Today's date, `yyyy-mm-dd`, for the figures a command writes.
fn today() -> String {
    std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "an unknown date".to_owned(), |d| d.trim().to_owned())
}

/// The workspace's root folder.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
