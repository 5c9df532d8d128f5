//! `cargo xtask bench-export`: throughput and peak memory of `wshoto task export` at 10 000 and
//! 100 000 ids, against `wshoto mock serve --synthetic` on loopback, written into
//! `docs/performance.md` between its `export-bench` markers.
//!
//! Peak memory is the exporter's `VmHWM` (the kernel's high-water mark of its resident set),
//! read from `/proc/PID/status` every 2 ms while it runs: a mark that only grows, so the last
//! reading is the peak up to a few milliseconds before exit.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{machine, today, workspace_root};

const START: &str = "<!-- export-bench:start -->";
const END: &str = "<!-- export-bench:end -->";
const SIZES: [u64; 2] = [10_000, 100_000];
const CONCURRENCY: &str = "16";

/// One measured export.
struct Run {
    format: &'static str,
    ids: u64,
    elapsed: Duration,
    peak_kib: u64,
    bytes: u64,
}

/// Builds, serves, measures, and writes the section.
pub fn run() -> Result<String, String> {
    let root = workspace_root();
    let wshoto = build_release_cli()?;
    let mut mock = Mock::start(&wshoto)?;
    let scratch = root.join("target/xtask-export-bench");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let mut runs = Vec::new();
    for format in ["jsonl", "csv"] {
        for ids in SIZES {
            let run = export(&wshoto, &mock.url, &scratch, format, ids)?;
            println!(
                "{format} {ids}: {:.2}s, {:.0} tasks/s, peak {} KiB",
                run.elapsed.as_secs_f64(),
                ids as f64 / run.elapsed.as_secs_f64(),
                run.peak_kib
            );
            runs.push(run);
        }
    }
    mock.stop();
    let _ = std::fs::remove_dir_all(&scratch);
    let section = render(&runs);
    let doc = root.join("docs/performance.md");
    replace_section(&doc, &section)?;
    Ok(format!("export benchmark written to {}", doc.display()))
}

/// Builds the release `wshoto` and returns its path.
pub(crate) fn build_release_cli() -> Result<PathBuf, String> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let built = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--release", "--quiet", "-p", "wshoto-cli"])
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !built.success() {
        return Err("cargo build --release -p wshoto-cli failed".into());
    }
    Ok(root.join("target/release/wshoto"))
}

/// `wshoto mock serve --synthetic` on a free loopback port.
struct Mock {
    child: Child,
    url: String,
}

impl Mock {
    fn start(wshoto: &Path) -> Result<Self, String> {
        let mut child = Command::new(wshoto)
            .args(["mock", "serve", "--synthetic", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the mock: {e}"))?;
        let stdout = child.stdout.take().ok_or("the mock has no stdout")?;
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| format!("cannot read the mock's address: {e}"))?;
        let url = first
            .trim()
            .strip_prefix("wshoto mock listening on ")
            .ok_or_else(|| format!("unexpected first line from the mock: {first:?}"))?
            .to_owned();
        Ok(Self { child, url })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop();
    }
}

fn export(
    wshoto: &Path,
    url: &str,
    scratch: &Path,
    format: &'static str,
    ids: u64,
) -> Result<Run, String> {
    let output: PathBuf = scratch.join(format!("tasks-{ids}.{format}"));
    let started = Instant::now();
    let mut child = Command::new(wshoto)
        .args([
            "task",
            "export",
            "--ids",
            &format!("1-{ids}"),
            "--format",
            format,
        ])
        .args(["--rate", "0", "--concurrency", CONCURRENCY, "--quiet", "-o"])
        .arg(&output)
        .env("WSHOTO_BASE_URL", url)
        .env("WSHOTO_APP_ID", "mock-app-id")
        .env("WSHOTO_APP_SECRET", "mock-app-secret")
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the export: {e}"))?;
    let (status, peak_kib) =
        wait_with_peak(&mut child).map_err(|e| format!("waiting for the export: {e}"))?;
    let elapsed = started.elapsed();
    if !status.success() {
        return Err(format!("the {format} export of {ids} ids failed: {status}"));
    }
    let bytes = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
    Ok(Run {
        format,
        ids,
        elapsed,
        peak_kib,
        bytes,
    })
}

/// Waits for `child`, reading its peak resident set (KiB) every 2 ms while it runs.
pub(crate) fn wait_with_peak(child: &mut Child) -> std::io::Result<(ExitStatus, u64)> {
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    loop {
        if let Some(kib) = high_water_mark(&status_path) {
            peak_kib = peak_kib.max(kib);
        }
        match child.try_wait()? {
            Some(status) => return Ok((status, peak_kib)),
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// `VmHWM` of a running process, in KiB.
fn high_water_mark(status_path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(status_path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn render(runs: &[Run]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Measured by `cargo xtask bench-export` on {} — {}: `wshoto task export --ids \
         1-N --rate 0 --concurrency {CONCURRENCY} --quiet -o FILE` (release build) against \
         `wshoto mock serve --synthetic` on loopback, on the same machine.\n\n",
        today(),
        machine::summary()
    ));
    out.push_str(
        "| format | ids | time | tasks/s | output | peak RSS |\n|---|---|---|---|---|---|\n",
    );
    for run in runs {
        out.push_str(&format!(
            "| {} | {} | {:.2} s | {:.0} | {:.1} MB | {:.1} MiB |\n",
            run.format,
            run.ids,
            run.elapsed.as_secs_f64(),
            run.ids as f64 / run.elapsed.as_secs_f64(),
            run.bytes as f64 / 1e6,
            run.peak_kib as f64 / 1024.0
        ));
    }
    for format in ["jsonl", "csv"] {
        let peak = |ids| {
            runs.iter()
                .find(|r| r.format == format && r.ids == ids)
                .map_or(0.0, |r| r.peak_kib as f64)
        };
        let small = peak(SIZES[0]);
        if small > 0.0 {
            out.push_str(&format!(
                "\n{format}: peak RSS at {} ids is {:.2}× that at {} ids.",
                SIZES[1],
                peak(SIZES[1]) / small,
                SIZES[0]
            ));
        }
    }
    out.push('\n');
    out
}

/// Replaces what stands between the markers (adding them at the end when absent).
fn replace_section(doc: &Path, section: &str) -> Result<(), String> {
    replace_between(doc, (START, END), "Export", section)
}

/// Replaces what stands between `markers` in `doc` (adding them under a `## heading` at the end
/// when absent).
pub(crate) fn replace_between(
    doc: &Path,
    (start_marker, end_marker): (&str, &str),
    heading: &str,
    section: &str,
) -> Result<(), String> {
    let text = std::fs::read_to_string(doc).map_err(|e| format!("{}: {e}", doc.display()))?;
    let block = format!("{start_marker}\n{section}{end_marker}");
    let updated = match (text.find(start_marker), text.find(end_marker)) {
        (Some(start), Some(end)) if start < end => {
            format!(
                "{}{block}{}",
                &text[..start],
                &text[end + end_marker.len()..]
            )
        }
        _ => format!("{}\n## {heading}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(doc, updated).map_err(|e| format!("{}: {e}", doc.display()))
}
