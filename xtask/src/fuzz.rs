//! `cargo xtask fuzz [--seconds N | --runs N] [TARGET…]`: the libFuzzer targets of `fuzz/`,
//! seeded from `fixtures/`, for a bounded time or number of runs each.
//!
//! cargo-fuzz wants a nightly compiler for its `-Z` flags (sanitizer, coverage); on the stable
//! toolchain `RUSTC_BOOTSTRAP=1` unlocks them for this build only. cargo-fuzz is installed from
//! crates.io when missing. A crash fails the command and leaves its input in
//! `fuzz/artifacts/TARGET/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

const TARGETS: [&str; 2] = ["decode", "range_info"];
/// The filter types, in the order of `FilterType::KNOWN` (the range_info target's first byte
/// picks one).
const FILTER_TYPES: [&str; 11] = [
    "AllCustomer",
    "AllCustomerGroup",
    "CorpSend2Customer",
    "StaffSend2Customer",
    "CorpSend2CustomerGroup",
    "StaffSend2CustomerGroup",
    "CorpSend2Moment",
    "StaffSend2Moment",
    "OpenSend2Customer",
    "OpenSend2CustomerGroup",
    "CrowdPack",
];

/// Parses the arguments and runs each target.
pub fn run(args: &[&str]) -> Result<String, String> {
    let mut bound = "-max_total_time=30".to_owned();
    let mut targets = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--seconds" => bound = format!("-max_total_time={}", number(rest.next())?),
            "--runs" => bound = format!("-runs={}", number(rest.next())?),
            target if TARGETS.contains(&target) => targets.push(target),
            other => return Err(format!("fuzz: unknown argument {other:?}")),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    ensure_cargo_fuzz()?;
    let fuzz_dir = workspace_root().join("fuzz");
    seed(&fuzz_dir)?;
    let mut summary = Vec::new();
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        let status = Command::new(cargo())
            .current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .args(["--", &bound, "-print_final_stats=1"])
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target {target} failed (a crash is kept in fuzz/artifacts/{target}/)"
            ));
        }
        summary.push(format!("{target}: no crash ({bound})"));
    }
    Ok(summary.join("\n"))
}

fn number(arg: Option<&&str>) -> Result<u64, String> {
    arg.and_then(|a| a.parse().ok())
        .ok_or_else(|| "fuzz: --seconds and --runs take a whole number".to_owned())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = Command::new(cargo())
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    println!("installing cargo-fuzz from crates.io");
    let installed = Command::new(cargo())
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if installed.success() {
        Ok(())
    } else {
        Err("cargo install cargo-fuzz failed".into())
    }
}

/// Seeds each target's corpus from `fixtures/` (kept between runs; what the fuzzer finds is
/// added to it).
fn seed(fuzz_dir: &Path) -> Result<(), String> {
    let fixtures = workspace_root().join("fixtures");
    let decode = fuzz_dir.join("corpus/decode");
    let range = fuzz_dir.join("corpus/range_info");
    for dir in [&decode, &range] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let entries =
        std::fs::read_dir(&fixtures).map_err(|e| format!("{}: {e}", fixtures.display()))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(name) = path.file_name().map(PathBuf::from) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        write_seed(&decode.join(&name), &bytes)?;
        if let Some(seed) = range_seed(&bytes) {
            write_seed(&range.join(&name), &seed)?;
        }
    }
    Ok(())
}

fn write_seed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The range_info target's input for a fixture: a byte choosing the filter type, then the
/// `range_info` document.
fn range_seed(envelope: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(envelope);
    let value: serde_json::Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    let data = value.get("data")?;
    let task = data.get("records").and_then(|r| r.get(0)).unwrap_or(data);
    let info = task.get("filter_range_info")?;
    let document = match info.get("range_info")? {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => return None,
        other => other.to_string(),
    };
    let selector = info
        .get("filter_type")
        .and_then(serde_json::Value::as_str)
        .and_then(|t| FILTER_TYPES.iter().position(|known| *known == t))
        .unwrap_or(0);
    let mut seed = vec![u8::try_from(selector).ok()?];
    seed.extend_from_slice(document.as_bytes());
    Some(seed)
}
