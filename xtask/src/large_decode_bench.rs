//! `cargo xtask bench-large`: `wshoto decode` of an ≈80 MB response (a `range_info` string
//! holding a million tag entries) against Python's `json` module doing the same two parses (the
//! envelope, then the `range_info` string), time and peak memory, written into
//! `docs/performance.md` between its `large-decode` markers.
//!
//! Each side runs three times, alternating; the table gives the median time and the highest peak
//! (`VmHWM`, read as `bench-export` reads it). `wshoto decode` also prints the task (to
//! `/dev/null`); Python only parses.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::export_bench::{build_release_cli, replace_between, wait_with_peak};
use crate::{machine, today, workspace_root};

const MARKERS: (&str, &str) = ("<!-- large-decode:start -->", "<!-- large-decode:end -->");
const TAGS: usize = 1_000_000;
const RUNS: usize = 3;

/// What Python is asked to do: the same two parses, nothing printed.
const PYTHON: &str = "import json, sys
with open(sys.argv[1], 'rb') as f:
    envelope = json.loads(f.read())
info = envelope['data']['filter_range_info']
info['range_info'] = json.loads(info['range_info'])
";

/// Generates the response, measures both sides, and writes the section.
pub fn run() -> Result<String, String> {
    let root = workspace_root();
    let wshoto = build_release_cli()?;
    let scratch = root.join("target/xtask-large-decode");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let response = scratch.join("large.json");
    let size = write_response(&response)?;
    let script = scratch.join("decode.py");
    std::fs::write(&script, PYTHON).map_err(|e| format!("{}: {e}", script.display()))?;
    let python = python_version()?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..RUNS {
        ours.push(measure(Command::new(&wshoto).arg("decode").arg(&response))?);
        theirs.push(measure(
            Command::new("python3").arg(&script).arg(&response),
        )?);
    }
    let (ours, theirs) = (summary(&ours), summary(&theirs));
    println!("wshoto decode: {ours:?}; python3: {theirs:?}");
    let section = render(size, &python, ours, theirs);
    let doc = root.join("docs/performance.md");
    replace_between(&doc, MARKERS, "Decoding an 80 MB response", &section)?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(format!("large-decode figures written to {}", doc.display()))
}

/// A CorpSend2Customer task whose `range_info` holds `TAGS` tag details; returns its size.
fn write_response(path: &Path) -> Result<u64, String> {
    let mut range = String::with_capacity(TAGS * 70);
    range.push_str(r#"{"include_tags":{"operator":1,"tag_detail_list":["#);
    for i in 0..TAGS {
        if i > 0 {
            range.push(',');
        }
        range.push_str(&format!(
            r#"{{"tag_id":"et{i:07}","tag_name":"标签{i}","tag_type":1,"auth":1}}"#
        ));
    }
    range.push_str("]}}");
    let encoded = serde_json::to_string(&range).map_err(|e| e.to_string())?;
    let response = format!(
        r#"{{"code":0,"msg":"ok","data":{{"task_id":9001,"task_name":"large","type":10,"task_status":2,"filter_range_info":{{"filter_type":"CorpSend2Customer","range_info":{encoded}}}}}}}"#
    );
    std::fs::write(path, &response).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(response.len() as u64)
}

fn python_version() -> Result<String, String> {
    let output = Command::new("python3")
        .arg("--version")
        .output()
        .map_err(|e| format!("python3 is needed for this comparison: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// One run: wall time and peak resident set, output discarded.
#[derive(Debug, Clone, Copy)]
struct Run {
    elapsed: Duration,
    peak_kib: u64,
}

fn measure(command: &mut Command) -> Result<Run, String> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let (status, peak_kib) =
        wait_with_peak(&mut child).map_err(|e| format!("waiting for {command:?}: {e}"))?;
    if !status.success() {
        return Err(format!("{command:?} failed: {status}"));
    }
    Ok(Run {
        elapsed: started.elapsed(),
        peak_kib,
    })
}

/// The median time and the highest peak of a side's runs.
fn summary(runs: &[Run]) -> Run {
    let mut times: Vec<Duration> = runs.iter().map(|r| r.elapsed).collect();
    times.sort();
    Run {
        elapsed: times.get(times.len() / 2).copied().unwrap_or_default(),
        peak_kib: runs.iter().map(|r| r.peak_kib).max().unwrap_or(0),
    }
}

fn render(size: u64, python: &str, ours: Run, theirs: Run) -> String {
    let mib = |kib: u64| kib as f64 / 1024.0;
    format!(
        "Measured by `cargo xtask bench-large` on {} — {}: a {:.1} MB response whose \
         `range_info` holds {TAGS} tag details; median of {RUNS} runs, highest peak RSS.\n\n\
         | | time | peak RSS |\n|---|---|---|\n\
         | `wshoto decode FILE > /dev/null` (release) | {:.2} s | {:.0} MiB |\n\
         | {python}: `json.loads` of the file, then of `range_info` | {:.2} s | {:.0} MiB |\n\
         | ours vs Python (×, above 1 is better) | {:.2} | {:.2} |\n\n",
        today(),
        machine::summary(),
        size as f64 / 1e6,
        ours.elapsed.as_secs_f64(),
        mib(ours.peak_kib),
        theirs.elapsed.as_secs_f64(),
        mib(theirs.peak_kib),
        theirs.elapsed.as_secs_f64() / ours.elapsed.as_secs_f64(),
        theirs.peak_kib as f64 / ours.peak_kib.max(1) as f64,
    )
}
