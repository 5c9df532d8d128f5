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
//! client's speed-up over reqwest in the same rounds (reqwest's time divided by its). The calls
//! are made twice: each sample's ten in one `block_on` on the main thread (as `#[tokio::main]`
//! code does), then in a task spawned on the runtime (as a service or a spawned job does; lines
//! `task …`). Then rounds of one batch of 10 000 tasks per client (16 in flight), interleaved the
//! same way, reported the same way. With `CLIENT` (`ours`, `hyper_raw`, `reqwest` or
//! `hyper_same_task`) it only makes `ROUNDS` calls of that one, printing each 500 calls' mean
//! time (the fast and slow modes show over time), with `task_CLIENT` the same from a task on
//! the runtime, and with `batch_CLIENT` (`batch_ours`,
//! `batch_hyper_raw`, `batch_reqwest`) `ROUNDS` batches: steady targets for `strace -f -c`,
//! callgrind or perf.

#[path = "../benches/support/clients.rs"]
mod clients;

use std::process::ExitCode;
use std::time::Instant;

use clients::{
    BATCH, SameTask, Setup, hyper_batch, hyper_call, ours_batch, reqwest_batch, reqwest_call,
    same_task_call, setup,
};

const CLIENTS: [&str; 4] = ["ours", "hyper_raw", "reqwest", "hyper_same_task"];
/// reqwest's index in [`CLIENTS`].
const REQWEST: usize = 2;
const CALLS_PER_SAMPLE: u32 = 10;
const WARM_UP_ROUNDS: usize = 20;
/// The batch clients (no probe: it holds a single connection).
const BATCH_CLIENTS: [&str; 3] = ["ours", "hyper_raw", "reqwest"];
/// Rounds of one batch per client, after one round of warm-up.
const BATCH_ROUNDS: usize = 10;
/// With `CLIENT` or `task_CLIENT`, the calls timed together: the fast and slow modes show over
/// time.
const BLOCK_CALLS: usize = 500;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
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
    let from_main = sequential_rounds(setup, rounds, &mut connection, Caller::BlockOn);
    println!("{rounds} rounds of {CALLS_PER_SAMPLE} sequential calls of task 54 per client");
    report_sequential("", &from_main);
    let in_task = sequential_rounds(setup, rounds, &mut connection, Caller::RuntimeTask);
    println!(
        "the same, each sample's calls made in a task spawned on the runtime (lines `task …`)"
    );
    report_sequential("task ", &in_task);
    match batch_rounds(setup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
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

/// `rounds` rounds (after a warm-up) of [`CALLS_PER_SAMPLE`] calls of each client in turn, the
/// order rotating; each client's per-call times, by round.
fn sequential_rounds(
    setup: &'static Setup,
    rounds: usize,
    connection: &mut Option<SameTask>,
    caller: Caller,
) -> Vec<Vec<f64>> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); CLIENTS.len()];
    for round in 0..WARM_UP_ROUNDS + rounds {
        for turn in 0..CLIENTS.len() {
            let client = (round + turn) % CLIENTS.len();
            let started = Instant::now();
            make_calls(setup, connection, client, caller, CALLS_PER_SAMPLE as usize);
            if round >= WARM_UP_ROUNDS {
                let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS_PER_SAMPLE);
                samples[client].push(micros);
            }
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

/// Each client's line (its name after `prefix`), its deciles, and its speed-up over reqwest in
/// the same rounds.
fn report_sequential(prefix: &str, samples: &[Vec<f64>]) {
    for (client, name) in CLIENTS.iter().enumerate() {
        report(
            &format!("{prefix}{name}"),
            "µs",
            &samples[client],
            &samples[0],
        );
    }
    // The spread: on this machine a client's rounds can fall into a fast and a slow mode, and a
    // median alone hides which one it sat in.
    for (client, name) in CLIENTS.iter().enumerate() {
        println!(
            "{:16} deciles (µs) {}",
            format!("{prefix}{name}"),
            deciles(&samples[client])
        );
    }
    // The same rounds against reqwest: how far each client, the probe included, is from the
    // target of issue 7 (ours ≥ 1.2× reqwest).
    for (client, name) in CLIENTS.iter().enumerate() {
        let reqwest_over_it: Vec<f64> = samples[REQWEST]
            .iter()
            .zip(&samples[client])
            .map(|(reqwest, theirs)| reqwest / theirs)
            .collect();
        println!(
            "{:16} vs reqwest: reqwest's time / its (median) {:.3}",
            format!("{prefix}{name}"),
            median(&reqwest_over_it)
        );
    }
}

/// Rounds of one batch of [`BATCH`] tasks per client, the order rotating; prints each
/// client's median, fastest and median ratio to ours, as the sequential lines do, prefixed
/// `batch`.
fn batch_rounds(setup: &Setup) -> Result<(), String> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(BATCH_ROUNDS); BATCH_CLIENTS.len()];
    for round in 0..=BATCH_ROUNDS {
        for turn in 0..BATCH_CLIENTS.len() {
            let client = (round + turn) % BATCH_CLIENTS.len();
            let started = Instant::now();
            let fetched = batch(setup, client);
            let millis = started.elapsed().as_secs_f64() * 1e3;
            if fetched != BATCH as usize {
                return Err(format!(
                    "{}: {fetched} of {BATCH} tasks fetched",
                    BATCH_CLIENTS[client]
                ));
            }
            if round > 0 {
                samples[client].push(millis);
            }
        }
    }
    println!("{BATCH_ROUNDS} rounds of one batch of {BATCH} tasks per client");
    for (client, name) in BATCH_CLIENTS.iter().enumerate() {
        report(
            &format!("batch {name}"),
            "ms",
            &samples[client],
            &samples[0],
        );
    }
    Ok(())
}

/// One client's line: the median and the fastest of its samples (in `unit`), and the median
/// over rounds of its sample divided by ours.
fn report(name: &str, unit: &str, samples: &[f64], ours: &[f64]) {
    let against_ours: Vec<f64> = samples
        .iter()
        .zip(ours)
        .map(|(theirs, ours)| theirs / ours)
        .collect();
    println!(
        "{name:16} median {:7.2} {unit}   fastest {:7.2} {unit}   its time / ours (median) {:.3}",
        median(samples),
        samples.iter().copied().fold(f64::INFINITY, f64::min),
        median(&against_ours)
    );
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

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
