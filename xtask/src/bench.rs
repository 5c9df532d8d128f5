//! `cargo xtask bench`: runs the side-by-side benchmarks of `crates/wshoto-bench` (decode and
//! HTTP, divan) and the interleaved HTTP comparison (`examples/http_paired.rs`), once as it is,
//! once with every thread on one CPU (`taskset -c 0`) and once with the mock in another process,
//! and writes their medians and ratios,
//! with the machine and the date, into `docs/performance.md` between its `bench` markers. The raw
//! output of each is kept in `target/xtask-bench/`.

use std::collections::BTreeMap;
use std::process::Command;

use crate::{machine, today, workspace_root};

const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";

/// Medians in nanoseconds, by (group, name).
type Medians = BTreeMap<(String, String), f64>;

/// Rounds of the interleaved sequential comparison (`examples/http_paired.rs`).
const PAIRED_ROUNDS: &str = "400";

/// Runs both benchmarks and the interleaved HTTP comparison, and writes the section.
pub fn run() -> Result<String, String> {
    let decode = run_bench("decode")?;
    let http = run_bench("http")?;
    let paired = run_cargo(
        "http_paired",
        &[
            "run",
            "--quiet",
            "--release",
            "-p",
            "wshoto-bench",
            "--example",
            "http_paired",
            "--",
            PAIRED_ROUNDS,
        ],
    )?;
    let pinned = run_on_one_cpu()?;
    let elsewhere = run_command_with(
        "http_paired_mock_process",
        &[("WSHOTO_BENCH_MOCK", "process")],
        &paired_example(),
        &[PAIRED_ROUNDS],
    )?;
    let runs = PairedRuns {
        shared: parse_paired(&paired),
        one_cpu: pinned.as_deref().map(parse_paired),
        mock_elsewhere: Some(parse_paired(&elsewhere)),
    };
    let section = render(&parse(&decode), &parse(&http), &runs);
    let doc = workspace_root().join("docs/performance.md");
    let text = std::fs::read_to_string(&doc).map_err(|e| format!("{}: {e}", doc.display()))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!("{} has no {START} … {END} markers", doc.display()));
    };
    let updated = format!("{}{START}\n{section}{}", &text[..start], &text[end..]);
    std::fs::write(&doc, updated).map_err(|e| format!("{}: {e}", doc.display()))?;
    Ok(format!("benchmark figures written to {}", doc.display()))
}

/// The same interleaved comparison with every thread on one CPU (`taskset -c 0`): the clients'
/// own cost, without the machine's cross-CPU wake-ups (docs/performance.md explains why that
/// matters here). `None` where `taskset` is missing or there is a single CPU anyway.
fn run_on_one_cpu() -> Result<Option<String>, String> {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let has_taskset = Command::new("taskset").arg("-V").output().is_ok();
    if cpus < 2 || !has_taskset {
        println!("(no one-CPU run: {cpus} CPU(s), taskset found: {has_taskset})");
        return Ok(None);
    }
    run_command(
        "http_paired_one_cpu",
        "taskset",
        &["-c", "0", &paired_example(), PAIRED_ROUNDS],
    )
    .map(Some)
}

/// The interleaved comparison's program, as the first run (`cargo run`) built it.
fn paired_example() -> String {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), std::path::PathBuf::from);
    target
        .join("release/examples/http_paired")
        .to_string_lossy()
        .into_owned()
}

fn run_bench(name: &str) -> Result<String, String> {
    run_cargo(
        name,
        &["bench", "--quiet", "-p", "wshoto-bench", "--bench", name],
    )
}

/// Runs `cargo ARGS`, keeps its output as `target/xtask-bench/NAME.txt`, and returns it.
fn run_cargo(name: &str, args: &[&str]) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run_command(name, &cargo, args)
}

/// Runs `PROGRAM ARGS` in the workspace, keeps its output as `target/xtask-bench/NAME.txt`, and
/// returns it.
fn run_command(name: &str, program: &str, args: &[&str]) -> Result<String, String> {
    run_command_with(name, &[], program, args)
}

/// [`run_command`] with these environment variables set.
fn run_command_with(
    name: &str,
    env: &[(&str, &str)],
    program: &str,
    args: &[&str],
) -> Result<String, String> {
    let output = Command::new(program)
        .current_dir(workspace_root())
        .envs(env.iter().copied())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program} {}: {e}", args.join(" ")))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "`{program} {}` ({name}) failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let dir = workspace_root().join("target/xtask-bench");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), &text);
    print!("{text}");
    Ok(text)
}

/// Divan's tree: a line `├─ group` opens a group; a line `├─ name  FASTEST │ SLOWEST │ MEDIAN │ …`
/// is a benchmark: in the open group when indented under it, at the top (group `""`) otherwise.
fn parse(output: &str) -> Medians {
    let mut medians = Medians::new();
    let mut group = String::new();
    for line in output.lines() {
        let Some((indent, rest)) = line.split_once("─ ") else {
            continue;
        };
        let top_level = indent.chars().count() <= 1;
        let columns: Vec<&str> = rest.split('│').map(str::trim).collect();
        let mut head = columns[0].split_whitespace();
        let Some(name) = head.next() else { continue };
        let fastest: Vec<&str> = head.collect();
        if fastest.is_empty() {
            group = name.to_owned();
            continue;
        }
        let in_group = if top_level {
            String::new()
        } else {
            group.clone()
        };
        if let Some(median) = columns.get(2).and_then(|c| nanoseconds(c)) {
            medians.insert((in_group, name.to_owned()), median);
        }
    }
    medians
}

/// The interleaved comparisons (`examples/http_paired.rs`), sequential and batch, per client: its
/// median time in nanoseconds, the median over rounds of its time divided by ours, and (the
/// sequential ones) of reqwest's time divided by its. Lines: `NAME median 66.07 µs fastest
/// 52.37 µs its time / ours (median) 1.000`, then `NAME vs reqwest: reqwest's time / its
/// (median) 1.073`, then `batch NAME median 144.49 ms fastest 139.42 ms its time / ours
/// (median) 1.000`.
#[derive(Debug, Default)]
struct Paired {
    sequential: BTreeMap<String, PairedClient>,
    /// The same sequential rounds with the calls made in a task on the runtime (`task …`).
    in_task: BTreeMap<String, PairedClient>,
    batch: BTreeMap<String, PairedClient>,
    /// Rounds of each, from the lines `400 rounds of 10 sequential calls …` and `10 rounds of
    /// one batch …`.
    sequential_rounds: Option<u32>,
    batch_rounds: Option<u32>,
}

#[derive(Debug, Default, PartialEq)]
struct PairedClient {
    median: f64,
    time_over_ours: f64,
    reqwest_over_its: Option<f64>,
    /// From the line `NAME cpu median 37.65 µs its CPU / ours (median) 1.000 reqwest's CPU /
    /// its (median) 1.860`: its median CPU time in nanoseconds, and the median over rounds of
    /// its CPU time divided by ours.
    cpu: Option<f64>,
    cpu_over_ours: Option<f64>,
}

/// The runs of the interleaved comparison.
#[derive(Debug, Default)]
struct PairedRuns {
    /// The mock on the clients' runtime.
    shared: Paired,
    /// The same under `taskset -c 0`, where there is `taskset` and more than one CPU.
    one_cpu: Option<Paired>,
    /// The mock in another process (`WSHOTO_BENCH_MOCK=process`).
    mock_elsewhere: Option<Paired>,
}

fn parse_paired(output: &str) -> Paired {
    let mut paired = Paired::default();
    for line in output.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [rounds, "rounds", "of", "one", "batch", ..] => {
                paired.batch_rounds = rounds.parse().ok()
            }
            [rounds, "rounds", "of", _, "sequential", ..] => {
                paired.sequential_rounds = rounds.parse().ok();
            }
            _ => {}
        }
        let Some(ratio) = words.last().and_then(|r| r.parse::<f64>().ok()) else {
            continue;
        };
        let (clients, words) = match words.as_slice() {
            ["batch", rest @ ..] => (&mut paired.batch, rest),
            ["task", rest @ ..] => (&mut paired.in_task, rest),
            all => (&mut paired.sequential, all),
        };
        match words {
            [name, "median", value, unit, ..] => {
                if let Some(median) = nanoseconds(&format!("{value} {unit}")) {
                    let client = clients.entry((*name).to_owned()).or_default();
                    client.median = median;
                    client.time_over_ours = ratio;
                }
            }
            [
                name,
                "cpu",
                "median",
                value,
                unit,
                "its",
                "CPU",
                "/",
                "ours",
                "(median)",
                over,
                ..,
            ] => {
                let client = clients.entry((*name).to_owned()).or_default();
                client.cpu = nanoseconds(&format!("{value} {unit}"));
                client.cpu_over_ours = over.parse().ok();
            }
            [name, "vs", "reqwest:", ..] => {
                clients
                    .entry((*name).to_owned())
                    .or_default()
                    .reqwest_over_its = Some(ratio);
            }
            _ => {}
        }
    }
    paired
}

/// `7.43 µs` → 7430.
fn nanoseconds(text: &str) -> Option<f64> {
    let mut parts = text.split_whitespace();
    let value: f64 = parts.next()?.parse().ok()?;
    let scale = match parts.next()? {
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(value * scale)
}

fn show(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.2} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

fn render(decode: &Medians, http: &Medians, runs: &PairedRuns) -> String {
    let paired = &runs.shared;
    let mut out = format!(
        "Written by `cargo xtask bench` on {} — {}; medians of one run each.\n\n",
        today(),
        machine::summary()
    );
    out.push_str(&decode_table(decode, ""));
    out.push_str(
        "\nThe same, each result dropped inside the timing (what a program that reads a task and \
         lets it go pays):\n\n",
    );
    out.push_str(&decode_table(decode, "_and_drop"));
    let engine = |name: &str| decode.get(&("engine".to_owned(), name.to_owned())).copied();
    let parts = [
        ("the 545 KB range document, typed", "range"),
        ("task 54 without its range, typed", "task"),
        ("task 54's range_info string, unescaped", "unescape"),
    ];
    let mut rows = String::new();
    for (what, part) in parts {
        if let (Some(serde), Some(sonic)) = (
            engine(&format!("{part}_serde_json")),
            engine(&format!("{part}_sonic_rs")),
        ) {
            rows.push_str(&format!(
                "| {what} | {} | {} | {:.2} |\n",
                show(serde),
                show(sonic),
                serde / sonic
            ));
        }
    }
    if !rows.is_empty() {
        out.push_str(
            "\n| engine of the same typed decode | serde_json | sonic-rs | sonic-rs vs serde_json (×) |\n\
             |---|---|---|---|\n",
        );
        out.push_str(&rows);
    }
    if let Some(median) = decode.get(&(String::new(), "every_fixture".to_owned())) {
        let (documents, bytes) = fixture_corpus();
        out.push_str(&format!(
            "\nEvery fixture in turn ({documents} documents, {bytes} bytes, errors included): \
             {} for the corpus, {:.0} MB/s, {:.0} documents/s.\n",
            show(*median),
            bytes as f64 / median * 1e3,
            documents as f64 / median * 1e9
        ));
    }
    out.push_str(
        "\n| HTTP | ours | hyper_raw | reqwest | ours vs hyper_raw (×) | ours vs reqwest (×) |\n\
         |---|---|---|---|---|---|\n",
    );
    for group in ["sequential", "batch"] {
        let get = |name: &str| http.get(&(group.to_owned(), name.to_owned())).copied();
        if let (Some(ours), Some(hyper), Some(reqwest)) =
            (get("ours"), get("hyper_raw"), get("reqwest"))
        {
            out.push_str(&ratio_row(group, ours, hyper, reqwest));
        }
    }
    let each_run = std::iter::once((paired, ""))
        .chain(runs.one_cpu.as_ref().map(|p| (p, ", one CPU")))
        .chain(
            runs.mock_elsewhere
                .as_ref()
                .map(|p| (p, ", the mock in another process")),
        );
    for (what, clients, rounds) in each_run.flat_map(|(paired, cpus)| {
        [
            (
                format!("sequential{cpus}"),
                &paired.sequential,
                paired.sequential_rounds,
            ),
            (
                format!("sequential in a runtime task{cpus}"),
                &paired.in_task,
                paired.sequential_rounds,
            ),
            (format!("batch{cpus}"), &paired.batch, paired.batch_rounds),
        ]
    }) {
        if let (Some(ours), Some(hyper), Some(reqwest)) = (
            clients.get("ours"),
            clients.get("hyper_raw"),
            clients.get("reqwest"),
        ) {
            out.push_str(&format!(
                "| {what}, interleaved ({} rounds; ratios: median of the rounds' ratios) | {} | {} \
                 | {} | {:.2} | {:.2} |\n",
                rounds.map_or_else(|| "?".to_owned(), |r| r.to_string()),
                show(ours.median),
                show(hyper.median),
                show(reqwest.median),
                hyper.time_over_ours,
                reqwest.time_over_ours
            ));
        }
    }
    if let Some(probe) = paired.sequential.get("hyper_same_task")
        && let Some(over_reqwest) = probe.reqwest_over_its
    {
        out.push_str(&format!(
            "\nThe probe `hyper_same_task` (hyper's HTTP/1 connection driven in the calling task: \
             no pool, no connection task) in the same rounds: {}, {over_reqwest:.2}× reqwest.\n",
            show(probe.median)
        ));
    }
    out.push_str(
        "\nThe sequential rows make each sample's ten calls in one `block_on` on the main thread \
         (as `#[tokio::main]` code does); the \"in a runtime task\" rows make them in a task \
         spawned on the runtime (as a service or a spawned job does).\n",
    );
    if runs.one_cpu.is_some() {
        out.push_str(
            "\nThe \"one CPU\" rows run the same comparison under `taskset -c 0`: every thread \
             (the clients, the runtime's workers, the mock) on one CPU, which takes this \
             machine's cross-CPU wake-ups out of a call's time.\n",
        );
    }
    if let Some(elsewhere) = &runs.mock_elsewhere {
        out.push_str(
            "\nThe \"mock in another process\" rows run it with the mock in a process of its own \
             (`WSHOTO_BENCH_MOCK=process`), as a server is: its work and its wake-ups are not \
             the clients' runtime's. There the CPU time of the benchmark's process is the \
             client's own (medians of rounds of 500 calls, or of one batch, per client; ratios: \
             medians of the rounds' ratios):\n\n",
        );
        out.push_str(&cpu_table(elsewhere));
    }
    out.push_str("\nRatios above 1 mean ours is faster.\n");
    out
}

/// The CPU time of each client (sequential calls from the main thread and from a runtime task,
/// and batches) and how many times ours each is.
fn cpu_table(paired: &Paired) -> String {
    let mut out = String::from(
        "| CPU time | ours | hyper_raw | reqwest | ours vs hyper_raw (×) | ours vs reqwest (×) |\n\
         |---|---|---|---|---|---|\n",
    );
    for (what, clients) in [
        ("a sequential call", &paired.sequential),
        ("a sequential call in a runtime task", &paired.in_task),
        ("a batch", &paired.batch),
    ] {
        let cpu = |name: &str| {
            clients
                .get(name)
                .and_then(|c| Some((c.cpu?, c.cpu_over_ours?)))
        };
        if let (Some((ours, _)), Some((hyper, hyper_over)), Some((reqwest, reqwest_over))) =
            (cpu("ours"), cpu("hyper_raw"), cpu("reqwest"))
        {
            out.push_str(&format!(
                "| {what} | {} | {} | {} | {hyper_over:.2} | {reqwest_over:.2} |\n",
                show(ours),
                show(hyper),
                show(reqwest)
            ));
        }
    }
    out
}

/// The side-by-side decode table of the benchmarks named `typed{suffix}`, `serde_value{suffix}`
/// and `sonic_value{suffix}`.
fn decode_table(decode: &Medians, suffix: &str) -> String {
    let mut out = String::from(
        "| document | typed | serde_value | sonic_value | typed vs serde (×) | typed vs sonic (×) |\n\
         |---|---|---|---|---|---|\n",
    );
    let typed = format!("typed{suffix}");
    let documents: Vec<&String> = decode
        .keys()
        .filter(|(group, _)| *group == typed)
        .map(|(_, name)| name)
        .collect();
    for document in documents {
        let get = |engine: &str| {
            decode
                .get(&(format!("{engine}{suffix}"), document.clone()))
                .copied()
        };
        if let (Some(typed), Some(serde), Some(sonic)) =
            (get("typed"), get("serde_value"), get("sonic_value"))
        {
            out.push_str(&ratio_row(&format!("`{document}`"), typed, serde, sonic));
        }
    }
    out
}

/// A table row: `label`, our median and two others', then how many times ours each is.
fn ratio_row(label: &str, ours: f64, first: f64, second: f64) -> String {
    format!(
        "| {label} | {} | {} | {} | {:.2} | {:.2} |\n",
        show(ours),
        show(first),
        show(second),
        first / ours,
        second / ours
    )
}

/// How many fixtures there are, and their bytes (what `every_fixture` decodes).
fn fixture_corpus() -> (usize, u64) {
    let dir = workspace_root().join("fixtures");
    let sizes: Vec<u64> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        .filter_map(|entry| entry.metadata().ok().map(|m| m.len()))
        .collect();
    (sizes.len(), sizes.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divan_trees_are_read_into_medians() {
        let output = "\
decode                            fastest       │ slowest       │ median        │ mean
├─ engine                                       │               │               │
│  ╰─ range_sonic_rs              799.3 µs      │ 892.2 µs      │ 817.1 µs      │ 821.5 µs
├─ every_fixture                  401.2 µs      │ 520.1 µs      │ 410.5 µs      │ 415 µs
├─ serde_value                                  │               │               │
│  ├─ task_54                     7.892 µs      │ 45.98 µs      │ 8.588 µs      │ 9.177 µs
│  │                              359 MB/s      │ 68.38 MB/s    │ 343.9 MB/s    │
╰─ typed                                        │               │               │
   ╰─ task_54                     6.021 µs      │ 30.87 µs      │ 6.221 µs      │ 6.53 µs
";
        let medians = parse(output);
        assert_eq!(medians[&("serde_value".into(), "task_54".into())], 8588.0);
        assert_eq!(medians[&("typed".into(), "task_54".into())], 6221.0);
        assert_eq!(medians[&(String::new(), "every_fixture".into())], 410_500.0);
        assert_eq!(
            medians[&("engine".into(), "range_sonic_rs".into())],
            817_100.0
        );
        assert_eq!(medians.len(), 4);
        assert_eq!(nanoseconds("1.69 ms"), Some(1_690_000.0));
        assert_eq!(show(1_690_000.0), "1.69 ms");
    }

    #[test]
    fn the_interleaved_comparison_is_read_per_client() {
        let output = "\
400 rounds of 10 sequential calls of task 54 per client
ours             median   66.07 µs   fastest   52.37 µs   its time / ours (median) 1.000
hyper_raw        median   63.50 µs   fastest   46.94 µs   its time / ours (median) 0.953
reqwest          median   70.95 µs   fastest   57.95 µs   its time / ours (median) 1.073
hyper_same_task  median   47.10 µs   fastest   35.54 µs   its time / ours (median) 0.713
ours             deciles (µs) 26 35 36 37 38 64 73 75 77 79 301
hyper_raw        deciles (µs) 47 56 58 60 62 63 64 66 68 70 445
ours             vs reqwest: reqwest's time / its (median) 1.073
hyper_same_task  vs reqwest: reqwest's time / its (median) 1.491
CPU time a call (every thread of this process), 8 rounds of 500 calls per client
ours             cpu median   37.65 µs   its CPU / ours (median) 1.000   reqwest's CPU / its (median) 1.860
hyper_raw        cpu median   61.32 µs   its CPU / ours (median) 1.625   reqwest's CPU / its (median) 1.124
reqwest          cpu median   69.54 µs   its CPU / ours (median) 1.860   reqwest's CPU / its (median) 1.000
the same, each sample's calls made in a task spawned on the runtime (lines `task …`)
task ours        median   47.85 µs   fastest   33.80 µs   its time / ours (median) 1.000
task hyper_raw   median   49.29 µs   fastest   41.71 µs   its time / ours (median) 1.036
task reqwest     median   59.23 µs   fastest   52.10 µs   its time / ours (median) 1.244
task ours        deciles (µs) 34 43 44 46 47 48 49 50 51 53 144
task ours        vs reqwest: reqwest's time / its (median) 1.244
10 rounds of one batch of 10000 tasks per client
batch ours       median  144.49 ms   fastest  139.42 ms   its time / ours (median) 1.000
batch hyper_raw  median  164.95 ms   fastest  160.54 ms   its time / ours (median) 1.151
batch reqwest    median  202.95 ms   fastest  191.64 ms   its time / ours (median) 1.405
batch ours       cpu median  136.47 ms   its CPU / ours (median) 1.000   reqwest's CPU / its (median) 1.852
batch hyper_raw  cpu median  193.45 ms   its CPU / ours (median) 1.387   reqwest's CPU / its (median) 1.332
batch reqwest    cpu median  252.81 ms   its CPU / ours (median) 1.852   reqwest's CPU / its (median) 1.000
";
        let paired = parse_paired(output);
        let clients = &paired.sequential;
        assert_eq!(clients.len(), 4);
        assert_eq!(
            clients["ours"],
            PairedClient {
                median: 66_070.0,
                time_over_ours: 1.0,
                reqwest_over_its: Some(1.073),
                cpu: Some(37_650.0),
                cpu_over_ours: Some(1.0),
            }
        );
        assert_eq!(clients["reqwest"].cpu_over_ours, Some(1.86));
        assert_eq!(clients["hyper_same_task"].cpu, None);
        assert_eq!(paired.in_task["ours"].cpu, None);
        assert_eq!(paired.batch["hyper_raw"].cpu, Some(193_450_000.0));
        assert_eq!(clients["reqwest"].median, 70_950.0);
        assert_eq!(clients["reqwest"].time_over_ours, 1.073);
        assert_eq!(clients["hyper_raw"].reqwest_over_its, None);
        assert_eq!(paired.in_task.len(), 3);
        assert_eq!(paired.in_task["ours"].median, 47_850.0);
        assert_eq!(paired.in_task["ours"].reqwest_over_its, Some(1.244));
        assert_eq!(paired.in_task["reqwest"].time_over_ours, 1.244);
        assert_eq!(paired.batch["ours"].median, 144_490_000.0);
        assert_eq!(paired.batch["reqwest"].time_over_ours, 1.405);
        assert_eq!(paired.batch.len(), 3);
        let shared_only = PairedRuns {
            shared: paired,
            ..PairedRuns::default()
        };
        let section = render(&Medians::new(), &Medians::new(), &shared_only);
        assert!(!section.contains("one CPU"), "{section}");
        assert!(!section.contains("another process"), "{section}");
        assert!(
            section.contains(
                "| sequential, interleaved (400 rounds; ratios: median of the rounds' ratios) \
                 | 66.07 µs | 63.50 µs | 70.95 µs | 0.95 | 1.07 |"
            ),
            "{section}"
        );
        assert!(
            section.contains(
                "| batch, interleaved (10 rounds; ratios: median of the rounds' ratios) \
                 | 144.49 ms | 164.95 ms | 202.95 ms | 1.15 | 1.41 |"
            ),
            "{section}"
        );
        assert!(
            section.contains(
                "| sequential in a runtime task, interleaved (400 rounds; ratios: median of the \
                 rounds' ratios) | 47.85 µs | 49.29 µs | 59.23 µs | 1.04 | 1.24 |"
            ),
            "{section}"
        );
        assert!(
            section.contains("in the same rounds: 47.10 µs, 1.49× reqwest."),
            "{section}"
        );
        // A run on one CPU and one with the mock in another process add their own rows after
        // the first run's, the latter a table of CPU times too.
        let all = PairedRuns {
            one_cpu: Some(parse_paired(output)),
            mock_elsewhere: Some(parse_paired(output)),
            ..shared_only
        };
        let section = render(&Medians::new(), &Medians::new(), &all);
        let two_cpus = section
            .find("| sequential, interleaved")
            .expect("the first run's row");
        let one_cpu = section
            .find(
                "| sequential, one CPU, interleaved (400 rounds; ratios: median of the rounds' \
                 ratios) | 66.07 µs | 63.50 µs | 70.95 µs | 0.95 | 1.07 |",
            )
            .expect("the one-CPU row");
        assert!(two_cpus < one_cpu, "{section}");
        assert!(
            section.contains("| batch, one CPU, interleaved (10 rounds;"),
            "{section}"
        );
        assert!(section.contains("under `taskset -c 0`"), "{section}");
        let elsewhere = section
            .find(
                "| sequential, the mock in another process, interleaved (400 rounds; ratios: \
                 median of the rounds' ratios) | 66.07 µs |",
            )
            .expect("the row of the run with the mock in another process");
        assert!(one_cpu < elsewhere, "{section}");
        assert!(
            section
                .contains("| a sequential call | 37.65 µs | 61.32 µs | 69.54 µs | 1.62 | 1.86 |"),
            "{section}"
        );
        assert!(
            section.contains("| a batch | 136.47 ms | 193.45 ms | 252.81 ms | 1.39 | 1.85 |"),
            "{section}"
        );
        // No CPU lines for calls in a task in this output: no row.
        assert!(
            !section.contains("| a sequential call in a runtime task |"),
            "{section}"
        );
    }

    #[test]
    fn each_decode_table_reads_its_own_benchmarks() {
        let mut medians = Medians::new();
        for (engine, ns) in [
            ("typed", 2_000.0),
            ("serde_value", 8_000.0),
            ("sonic_value", 4_000.0),
            ("typed_and_drop", 2_500.0),
            ("serde_value_and_drop", 12_500.0),
            ("sonic_value_and_drop", 5_000.0),
        ] {
            medians.insert((engine.into(), "task_54".into()), ns);
        }
        assert!(
            decode_table(&medians, "")
                .contains("| `task_54` | 2.00 µs | 8.00 µs | 4.00 µs | 4.00 | 2.00 |")
        );
        assert!(
            decode_table(&medians, "_and_drop")
                .contains("| `task_54` | 2.50 µs | 12.50 µs | 5.00 µs | 5.00 | 2.00 |")
        );
        assert_eq!(decode_table(&medians, "_missing").lines().count(), 2);
    }
}
