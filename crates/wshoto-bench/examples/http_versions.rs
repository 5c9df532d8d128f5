//! HTTP/2 against HTTP/1.1 over TLS, for our client: the same client settings but
//! `http1_only`, called in interleaved rounds (the order alternating) against one HTTPS mock.
//! Reports, per protocol, the median wall-clock time of a sequential call and of a task in a
//! batch (16 in flight), and the CPU time the process spent per call (all its threads, from
//! `/proc/self/task/*/schedstat`).
//!
//! With the mock in this process (the default) the CPU figures include the mock's side. To
//! count the client alone, run the mock as another process and point this one at it:
//!
//! ```text
//! cargo run --release -p wshoto-cli -- mock serve --tls --synthetic --addr 127.0.0.1:18443
//! WSHOTO_BASE_URL=https://127.0.0.1:18443 WSHOTO_CA_CERT=/tmp/wshoto-mock-ca-….pem \
//!   WSHOTO_ACCESS_TOKEN=mock-… cargo run --release -p wshoto-bench --example http_versions
//! ```
//!
//! `http_versions http2 N` (or `http1_only N`) makes only N sequential calls with that one.

#[path = "../benches/support/cpu.rs"]
mod cpu;

use std::process::ExitCode;
use std::time::Instant;

use cpu::cpu_nanos;
use futures_util::StreamExt;
use wshoto_http::{BatchOptions, Client, Credentials, Order};
use wshoto_mock::{MockConfig, MockServer};

const PROTOCOLS: [&str; 2] = ["http2", "http1_only"];
const SEQUENTIAL_ROUNDS: usize = 200;
const CALLS_PER_SAMPLE: u32 = 10;
const BATCH_ROUNDS: usize = 6;
const BATCH: i64 = 5_000;
/// Made-up tasks (the mock's `--synthetic` ids).
const BATCH_FIRST_ID: i64 = 1_000_001;

/// Where the clients connect.
struct Target {
    base_url: String,
    ca_pem: Vec<u8>,
    token: String,
    /// The mock, when it runs in this process.
    mock: Option<MockServer>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("http_versions: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let target = runtime.block_on(target())?;
    let clients = runtime.block_on(async {
        PROTOCOLS
            .iter()
            .map(|protocol| {
                Client::builder()
                    .base_url(target.base_url.clone())
                    .add_root_certificate_pem(target.ca_pem.clone())
                    .credentials(Credentials::token(target.token.clone()))
                    .http1_only(*protocol == "http1_only")
                    .build()
                    .map_err(|e| format!("client: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    // `http_versions PROTOCOL CALLS`: only that many sequential calls with one protocol, a
    // steady target for `strace -c` or callgrind.
    let mut args = std::env::args().skip(1);
    if let Some(protocol) = args.next() {
        let which = PROTOCOLS
            .iter()
            .position(|p| *p == protocol)
            .ok_or_else(|| format!("usage: http_versions [{} CALLS]", PROTOCOLS.join("|")))?;
        let calls: u32 = args
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| "CALLS: a number of calls".to_owned())?;
        for _ in 0..calls {
            runtime
                .block_on(clients[which].mass_task_detail(54))
                .map_err(|e| format!("task 54: {e}"))?;
        }
        return Ok(());
    }
    for client in &clients {
        for _ in 0..100 {
            runtime
                .block_on(client.mass_task_detail(54))
                .map_err(|e| format!("warm-up: {e}"))?;
        }
    }

    let mut sequential = Samples::default();
    for round in 0..SEQUENTIAL_ROUNDS {
        for turn in 0..PROTOCOLS.len() {
            let which = (round + turn) % PROTOCOLS.len();
            let (started, cpu) = (Instant::now(), cpu_nanos());
            for _ in 0..CALLS_PER_SAMPLE {
                runtime
                    .block_on(clients[which].mass_task_detail(54))
                    .map_err(|e| format!("task 54: {e}"))?;
            }
            sequential.add(which, started, cpu, u64::from(CALLS_PER_SAMPLE));
        }
    }
    let mut batch = Samples::default();
    for round in 0..BATCH_ROUNDS {
        for turn in 0..PROTOCOLS.len() {
            let which = (round + turn) % PROTOCOLS.len();
            let (started, cpu) = (Instant::now(), cpu_nanos());
            let fetched = runtime.block_on(
                clients[which]
                    .mass_task_detail_stream(
                        BATCH_FIRST_ID..BATCH_FIRST_ID + BATCH,
                        BatchOptions::new().concurrency(16).order(Order::Completed),
                    )
                    .filter(|(_, result)| std::future::ready(result.is_ok()))
                    .count(),
            );
            if fetched != BATCH as usize {
                return Err(format!("{}: {fetched} of {BATCH} tasks", PROTOCOLS[which]));
            }
            batch.add(which, started, cpu, BATCH as u64);
        }
    }

    let whose = if target.mock.is_some() {
        "the client's and the mock's (in this process)"
    } else {
        "the client's alone (the mock is another process)"
    };
    println!(
        "{SEQUENTIAL_ROUNDS} rounds of {CALLS_PER_SAMPLE} sequential calls and {BATCH_ROUNDS} of a \
         {BATCH}-task batch per protocol; CPU: {whose}"
    );
    for (which, protocol) in PROTOCOLS.iter().enumerate() {
        println!(
            "{protocol:10} sequential {:7.2} µs/call (CPU {:6.2} µs)   batch {:6.2} µs/task (CPU \
             {:6.2} µs)",
            sequential.median_micros(which),
            sequential.cpu_micros_per_call(which),
            batch.median_micros(which),
            batch.cpu_micros_per_call(which),
        );
    }
    if let Some(mock) = &target.mock {
        let stats = mock.stats();
        println!(
            "mock: {} API requests, {} over HTTP/2, {} connections",
            stats.api_requests, stats.http2_requests, stats.connections
        );
    }
    Ok(())
}

async fn target() -> Result<Target, String> {
    if let Ok(base_url) = std::env::var("WSHOTO_BASE_URL") {
        let ca_path = std::env::var("WSHOTO_CA_CERT")
            .map_err(|_| "WSHOTO_BASE_URL needs WSHOTO_CA_CERT".to_owned())?;
        let ca_pem = std::fs::read(&ca_path).map_err(|e| format!("{ca_path}: {e}"))?;
        let token = std::env::var("WSHOTO_ACCESS_TOKEN")
            .map_err(|_| "WSHOTO_BASE_URL needs WSHOTO_ACCESS_TOKEN".to_owned())?;
        return Ok(Target {
            base_url,
            ca_pem,
            token,
            mock: None,
        });
    }
    let mock = MockServer::start_with(MockConfig {
        tls: true,
        synthetic: Some(1..=i64::MAX),
        record_requests: false,
        ..MockConfig::default()
    })
    .await
    .map_err(|e| format!("mock: {e}"))?;
    Ok(Target {
        base_url: mock.url().to_owned(),
        ca_pem: mock.ca_pem().unwrap_or_default().as_bytes().to_vec(),
        token: mock.issue_token(),
        mock: Some(mock),
    })
}

/// Per protocol: wall-clock per call of each sample, and CPU and calls summed.
#[derive(Default)]
struct Samples {
    per_call_nanos: [Vec<f64>; 2],
    cpu_nanos: [u64; 2],
    calls: [u64; 2],
}

impl Samples {
    fn add(&mut self, which: usize, started: Instant, cpu_before: u64, calls: u64) {
        let wall = started.elapsed().as_nanos() as f64;
        self.per_call_nanos[which].push(wall / calls as f64);
        self.cpu_nanos[which] += cpu_nanos().saturating_sub(cpu_before);
        self.calls[which] += calls;
    }

    fn median_micros(&self, which: usize) -> f64 {
        let mut sorted = self.per_call_nanos[which].clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN) / 1e3
    }

    fn cpu_micros_per_call(&self, which: usize) -> f64 {
        self.cpu_nanos[which] as f64 / self.calls[which].max(1) as f64 / 1e3
    }
}
