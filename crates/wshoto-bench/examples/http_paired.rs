//! The sequential HTTP comparison with the clients interleaved: each round times ten calls of
//! every client in turn (the order rotating from round to round), so that all of them see the
//! same state of a shared, noisy machine. Divan's `sequential` benches run one client after
//! another, and this machine drifts between a fast and a slow mode by tens of percent over
//! seconds; the ratio of two clients measured in the same rounds does not.
//!
//! ```text
//! cargo run --release -p wshoto-bench --example http_paired -- [ROUNDS] [CLIENT]
//! ```
//!
//! Prints, per client, the median and the fastest per-call time and the median over rounds of
//! its time divided by ours (above 1: ours is faster), the deciles of its rounds, then each
//! client's speed-up over reqwest in the same rounds (reqwest's time divided by its), then the
//! CPU time of a call (every thread of this process, in rounds of 500 calls per client; lines
//! `NAME cpu …`). The calls are made twice: each sample's ten in one `block_on` on the main
//! thread (as `#[tokio::main]` code does), then in a task spawned on the runtime (as a service or
//! a spawned job does; lines `task …`). Then rounds of one batch of 10 000 tasks per client (16
//! in flight), interleaved the same way, reported the same way. With `CLIENT` (`ours`,
//! `hyper_raw`, `reqwest` or `hyper_same_task`) it only makes `ROUNDS` calls of that one,
//! printing each 500 calls' mean time (the fast and slow modes show over time), with
//! `task_CLIENT` the same from a task on the runtime, and with `batch_CLIENT` (`batch_ours`,
//! `batch_hyper_raw`, `batch_reqwest`) `ROUNDS` batches: steady targets for `strace -f -c`,
//! callgrind or perf.
//!
//! The mock runs on the clients' runtime unless `WSHOTO_BENCH_MOCK` says otherwise:
//! `own-runtime` (this process, a runtime of its own), `process` (this program started again as
//! the mock alone, ended with it), or the base URL of a mock started by hand (`wshoto mock serve
//! --synthetic`, its token in `WSHOTO_ACCESS_TOKEN`). With the mock in another process the CPU
//! lines are the clients' own.

#[path = "../benches/support/clients.rs"]
mod clients;
#[path = "../benches/support/cpu.rs"]
mod cpu;

use std::io::{BufRead, Read, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use clients::{
    BATCH, SameTask, Setup, hyper_batch, hyper_call, ours_batch, reqwest_batch, reqwest_call,
    same_task_call, setup, start_mock, two_workers, use_mock_elsewhere,
};
use cpu::cpu_nanos;

const CLIENTS: [&str; 4] = ["ours", "hyper_raw", "reqwest", "hyper_same_task"];
/// reqwest's index in [`CLIENTS`].
const REQWEST: usize = 2;
const CALLS_PER_SAMPLE: u32 = 10;
const WARM_UP_ROUNDS: usize = 20;
/// Rounds of the CPU comparison: [`BLOCK_CALLS`] calls of each client in turn, after one round
/// of warm-up. Blocks that long leave out what switching clients costs (caches, the runtime's
/// idle workers), which samples of ten calls would count.
const CPU_ROUNDS: usize = 8;
/// The batch clients (no probe: it holds a single connection).
const BATCH_CLIENTS: [&str; 3] = ["ours", "hyper_raw", "reqwest"];
/// Rounds of one batch per client, after one round of warm-up.
const BATCH_ROUNDS: usize = 10;
/// With `CLIENT` or `task_CLIENT`, the calls timed together: the fast and slow modes show over
/// time.
const BLOCK_CALLS: usize = 500;

/// The first argument with which this program serves the mock instead: the process that
/// `WSHOTO_BENCH_MOCK=process` starts.
const SERVE_MOCK: &str = "--serve-mock";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some(SERVE_MOCK) {
        return serve_mock();
    }
    let _mock_process = match std::env::var("WSHOTO_BENCH_MOCK").as_deref() {
        Ok("process") => match MockProcess::start() {
            Ok(process) => Some(process),
            Err(message) => {
                eprintln!("cannot start the mock process: {message}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let rounds = match args.next().map(|a| a.parse::<usize>()) {
        None => 300,
        Some(Ok(rounds)) if rounds > 0 => rounds,
        Some(_) => {
            eprintln!(
                "usage: http_paired [ROUNDS] [{}|task_{}|batch_{}]",
                CLIENTS.join("|"),
                CLIENTS.join("|task_"),
                BATCH_CLIENTS.join("|batch_")
            );
            return ExitCode::from(2);
        }
    };
    let only = match args.next() {
        None => None,
        Some(name) => match Only::parse(&name) {
            Some(only) => Some(only),
            None => {
                eprintln!(
                    "unknown client {name}: {}, task_ and one of them, or batch_ and one of {}",
                    CLIENTS.join(", "),
                    BATCH_CLIENTS.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    let setup = setup();
    let mut connection = None;
    match only {
        Some(Only::Sequential(client)) => {
            // A `block_on` a call: the steady target earlier callgrind and strace counts used.
            time_blocks(rounds, "block", || {
                for _ in 0..BLOCK_CALLS {
                    setup.runtime.block_on(call(setup, &mut connection, client));
                }
            });
            return ExitCode::SUCCESS;
        }
        Some(Only::InTask(client)) => {
            time_blocks(rounds, "task block", || {
                make_calls(
                    setup,
                    &mut connection,
                    client,
                    Caller::RuntimeTask,
                    BLOCK_CALLS,
                );
            });
            return ExitCode::SUCCESS;
        }
        Some(Only::Batch(client)) => {
            for _ in 0..rounds {
                std::hint::black_box(batch(setup, client));
            }
            return ExitCode::SUCCESS;
        }
        None => {}
    }
    println!("the mock: {}", setup.mock_placement);
    let wall_rounds = Rounds {
        rounds,
        warm_up: WARM_UP_ROUNDS,
        calls: CALLS_PER_SAMPLE as usize,
        count_cpu: false,
    };
    let cpu_rounds = Rounds {
        rounds: CPU_ROUNDS,
        warm_up: 1,
        calls: BLOCK_CALLS,
        count_cpu: true,
    };
    for (caller, prefix) in [(Caller::BlockOn, ""), (Caller::RuntimeTask, "task ")] {
        let samples = sequential_rounds(setup, wall_rounds, &mut connection, caller);
        match caller {
            Caller::BlockOn => println!(
                "{rounds} rounds of {CALLS_PER_SAMPLE} sequential calls of task 54 per client"
            ),
            Caller::RuntimeTask => println!(
                "the same, each sample's calls made in a task spawned on the runtime (lines \
                 `task …`)"
            ),
        }
        report_sequential(prefix, &samples);
        let samples = sequential_rounds(setup, cpu_rounds, &mut connection, caller);
        println!(
            "CPU time a call (every thread of this process), {CPU_ROUNDS} rounds of \
             {BLOCK_CALLS} calls per client"
        );
        for client in 0..CLIENTS.len() {
            report_cpu(prefix, &CLIENTS, "µs", &samples, client, Some(REQWEST));
        }
    }
    match batch_rounds(setup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the mock on a runtime of its own, prints its base URL and a token on one line, and
/// exits when its standard input closes (when the benchmark that started it ends).
fn serve_mock() -> ExitCode {
    let runtime = two_workers();
    let mock = start_mock(&runtime);
    println!("{} {}", mock.url(), mock.issue_token());
    let _ = std::io::stdout().flush();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}

/// The mock in another process: this program, run with [`SERVE_MOCK`].
struct MockProcess {
    child: Child,
}

impl MockProcess {
    /// Starts it and points [`setup`] at it.
    fn start() -> Result<Self, String> {
        let program = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(program)
            .arg(SERVE_MOCK)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        }
        let process = Self { child };
        let mut words = line.split_whitespace();
        let (Some(base_url), Some(token)) = (words.next(), words.next()) else {
            return Err(format!("it printed {line:?}, not its URL and token"));
        };
        use_mock_elsewhere(base_url.to_owned(), token.to_owned());
        Ok(process)
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        // Its standard input closed, the mock exits.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Where the calls of a sample are made from.
#[derive(Clone, Copy)]
enum Caller {
    /// One `Runtime::block_on` on the main thread for the sample's calls, as `#[tokio::main]`
    /// code does.
    BlockOn,
    /// A task spawned on the runtime for the sample's calls, as a service or a spawned job does.
    RuntimeTask,
}

/// Each client's samples, by round: wall-clock and, when counted, CPU time (every thread of this
/// process) per call or per batch.
struct Samples {
    wall: Vec<Vec<f64>>,
    cpu: Vec<Vec<f64>>,
    /// Whether CPU time is read around each sample (a few system calls a thread, outside the
    /// wall-clock timing).
    count_cpu: bool,
}

impl Samples {
    fn new(clients: usize, rounds: usize, count_cpu: bool) -> Self {
        Self {
            wall: vec![Vec::with_capacity(rounds); clients],
            cpu: vec![Vec::with_capacity(rounds); clients],
            count_cpu,
        }
    }

    /// Runs `sample` (of `per` calls or batches) and, unless `keep` is false, records its time
    /// (and CPU time, when counted) divided by `per`, scaled by `scale` (1e6: µs, 1e3: ms).
    fn time<T>(
        &mut self,
        client: usize,
        keep: bool,
        per: f64,
        scale: f64,
        sample: impl FnOnce() -> T,
    ) -> T {
        let cpu_before = self.count_cpu.then(cpu_nanos);
        let started = Instant::now();
        let output = sample();
        let wall = started.elapsed().as_secs_f64();
        let cpu = cpu_before.map(|before| cpu_nanos().saturating_sub(before) as f64 / 1e9);
        if keep {
            self.wall[client].push(wall * scale / per);
            if let Some(cpu) = cpu {
                self.cpu[client].push(cpu * scale / per);
            }
        }
        output
    }
}

/// How many rounds of how many calls per client.
#[derive(Clone, Copy)]
struct Rounds {
    rounds: usize,
    /// Rounds made first and not kept.
    warm_up: usize,
    /// Whether each sample's CPU time is read too.
    count_cpu: bool,
    calls: usize,
}

/// Rounds (after a warm-up) of `calls` calls of each client in turn, the order rotating; each
/// client's per-call times, by round.
fn sequential_rounds(
    setup: &'static Setup,
    shape: Rounds,
    connection: &mut Option<SameTask>,
    caller: Caller,
) -> Samples {
    let mut samples = Samples::new(CLIENTS.len(), shape.rounds, shape.count_cpu);
    for round in 0..shape.warm_up + shape.rounds {
        for turn in 0..CLIENTS.len() {
            let client = (round + turn) % CLIENTS.len();
            samples.time(
                client,
                round >= shape.warm_up,
                shape.calls as f64,
                1e6,
                || make_calls(setup, connection, client, caller, shape.calls),
            );
        }
    }
    samples
}

/// `count` sequential calls of `client`, made from `caller`: in one `block_on`, or in one task
/// spawned on the runtime (the probe's connection moved into it and back).
fn make_calls(
    setup: &'static Setup,
    connection: &mut Option<SameTask>,
    client: usize,
    caller: Caller,
    count: usize,
) {
    match caller {
        Caller::BlockOn => {
            setup.runtime.block_on(async {
                for _ in 0..count {
                    call(setup, connection, client).await;
                }
            });
        }
        Caller::RuntimeTask => {
            let mut moved = connection.take();
            let calls = async move {
                for _ in 0..count {
                    call(setup, &mut moved, client).await;
                }
                moved
            };
            *connection = setup
                .runtime
                .block_on(setup.runtime.spawn(calls))
                .expect("the calls' task");
        }
    }
}

/// Runs `block` (of [`BLOCK_CALLS`] calls) until `calls` calls are made, printing each block's
/// mean time a call after `label`.
fn time_blocks(calls: usize, label: &str, mut block: impl FnMut()) {
    for index in 0..calls.div_ceil(BLOCK_CALLS) {
        let started = Instant::now();
        block();
        let micros = started.elapsed().as_secs_f64() * 1e6 / BLOCK_CALLS as f64;
        println!("{label} {index}: {micros:.1} µs a call");
    }
}

/// Each client's line (its name after `prefix`), its deciles, its speed-up over reqwest in the
/// same rounds, and its CPU time.
fn report_sequential(prefix: &str, samples: &Samples) {
    let wall = &samples.wall;
    for (client, name) in CLIENTS.iter().enumerate() {
        report(&format!("{prefix}{name}"), "µs", &wall[client], &wall[0]);
    }
    // The spread: on this machine a client's rounds can fall into a fast and a slow mode, and a
    // median alone hides which one it sat in.
    for (client, name) in CLIENTS.iter().enumerate() {
        println!(
            "{:16} deciles (µs) {}",
            format!("{prefix}{name}"),
            deciles(&wall[client])
        );
    }
    // The same rounds against reqwest: how far each client, the probe included, is from the
    // target of issue 7 (ours ≥ 1.2× reqwest).
    for (client, name) in CLIENTS.iter().enumerate() {
        println!(
            "{:16} vs reqwest: reqwest's time / its (median) {:.3}",
            format!("{prefix}{name}"),
            median_ratio(&wall[REQWEST], &wall[client])
        );
    }
}

/// Rounds of one batch of [`BATCH`] tasks per client, the order rotating; prints each
/// client's median, fastest and median ratio to ours, as the sequential lines do, prefixed
/// `batch`, then its CPU time.
fn batch_rounds(setup: &Setup) -> Result<(), String> {
    let mut samples = Samples::new(BATCH_CLIENTS.len(), BATCH_ROUNDS, true);
    for round in 0..=BATCH_ROUNDS {
        for turn in 0..BATCH_CLIENTS.len() {
            let client = (round + turn) % BATCH_CLIENTS.len();
            let fetched = samples.time(client, round > 0, 1.0, 1e3, || batch(setup, client));
            if fetched != BATCH as usize {
                return Err(format!(
                    "{}: {fetched} of {BATCH} tasks fetched",
                    BATCH_CLIENTS[client]
                ));
            }
        }
    }
    println!("{BATCH_ROUNDS} rounds of one batch of {BATCH} tasks per client");
    for (client, name) in BATCH_CLIENTS.iter().enumerate() {
        report(
            &format!("batch {name}"),
            "ms",
            &samples.wall[client],
            &samples.wall[0],
        );
    }
    let reqwest = BATCH_CLIENTS.iter().position(|c| *c == "reqwest");
    for client in 0..BATCH_CLIENTS.len() {
        report_cpu("batch ", &BATCH_CLIENTS, "ms", &samples, client, reqwest);
    }
    Ok(())
}

/// One client's line: the median and the fastest of its samples (in `unit`), and the median
/// over rounds of its sample divided by ours.
fn report(name: &str, unit: &str, samples: &[f64], ours: &[f64]) {
    println!(
        "{name:16} median {:7.2} {unit}   fastest {:7.2} {unit}   its time / ours (median) {:.3}",
        median(samples),
        samples.iter().copied().fold(f64::INFINITY, f64::min),
        median_ratio(samples, ours)
    );
}

/// One client's CPU line (its name, from `names`, after `prefix`): the median CPU time of its
/// samples (every thread of this process: the mock's too unless it runs in another process),
/// the median over rounds of its CPU time divided by ours, and of reqwest's (the client at index
/// `reqwest`) divided by its.
fn report_cpu(
    prefix: &str,
    names: &[&str],
    unit: &str,
    samples: &Samples,
    client: usize,
    reqwest: Option<usize>,
) {
    let cpu = &samples.cpu;
    let mut line = format!(
        "{:16} cpu median {:7.2} {unit}   its CPU / ours (median) {:.3}",
        format!("{prefix}{}", names[client]),
        median(&cpu[client]),
        median_ratio(&cpu[client], &cpu[0])
    );
    if let Some(reqwest) = reqwest {
        line.push_str(&format!(
            "   reqwest's CPU / its (median) {:.3}",
            median_ratio(&cpu[reqwest], &cpu[client])
        ));
    }
    println!("{line}");
}

/// What to run alone, for `strace -c`, callgrind or perf.
enum Only {
    /// Calls of the client at this index of [`CLIENTS`].
    Sequential(usize),
    /// Calls of the client at this index of [`CLIENTS`], from a task spawned on the runtime.
    InTask(usize),
    /// Batches of the client at this index of [`BATCH_CLIENTS`].
    Batch(usize),
}

impl Only {
    /// `CLIENT` (sequential calls), `task_CLIENT` (the same from a runtime task) or
    /// `batch_CLIENT` (batches).
    fn parse(name: &str) -> Option<Self> {
        let sequential = |name: &str| CLIENTS.iter().position(|c| *c == name);
        if let Some(batch) = name.strip_prefix("batch_") {
            return BATCH_CLIENTS
                .iter()
                .position(|c| *c == batch)
                .map(Self::Batch);
        }
        match name.strip_prefix("task_") {
            Some(client) => sequential(client).map(Self::InTask),
            None => sequential(name).map(Self::Sequential),
        }
    }
}

/// One batch of [`BATCH`] tasks by `client` (an index into [`BATCH_CLIENTS`]); the tasks fetched.
fn batch(setup: &Setup, client: usize) -> usize {
    setup.runtime.block_on(async {
        match client {
            0 => ours_batch(setup).await,
            1 => hyper_batch(setup).await,
            _ => reqwest_batch(setup).await,
        }
    })
}

/// One call of task 54 by `client` (an index into [`CLIENTS`]).
async fn call(setup: &Setup, connection: &mut Option<SameTask>, client: usize) {
    match client {
        0 => {
            let task = setup.ours.mass_task_detail(54).await;
            std::hint::black_box(task.expect("task 54"));
        }
        1 => {
            std::hint::black_box(hyper_call(setup, 54).await);
        }
        2 => {
            std::hint::black_box(reqwest_call(setup, 54).await);
        }
        _ => {
            std::hint::black_box(same_task_call(setup, connection, 54).await);
        }
    }
}

/// The fastest, every tenth and the slowest of `values`, rounded, in one line.
fn deciles(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (0..=10)
        .map(|tenth| format!("{:.0}", sorted[(sorted.len() - 1) * tenth / 10]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The median over rounds of `numerator`'s sample divided by `denominator`'s.
fn median_ratio(numerator: &[f64], denominator: &[f64]) -> f64 {
    let ratios: Vec<f64> = numerator
        .iter()
        .zip(denominator)
        .map(|(n, d)| n / d)
        .collect();
    median(&ratios)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
