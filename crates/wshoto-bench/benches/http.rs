//! Fetching tasks over HTTP from the mock on loopback, side by side with what a user would write
//! instead, in the same run:
//!
//! - `ours`: `wshoto_http::Client` (fixed token, no rate limit), the typed task;
//! - `hyper_raw`: hyper-util's pooled client, the same POST, `serde_json::Value` of the body;
//! - `reqwest`: a `reqwest::Client` (no TLS features), the same POST, `serde_json::Value`;
//! - `hyper_same_task` (sequential only, a probe rather than a competitor): hyper's HTTP/1
//!   connection driven inside the calling future instead of a spawned connection task, one kept-
//!   alive connection, `serde_json::Value` of the body: what a transport without the task hop
//!   of hyper-util's pooled client (which ours and reqwest both use) could reach.
//!
//! `sequential`: task 54, one call at a time over keep-alive (100 samples of 10 calls: single
//! calls on loopback are too noisy to compare). `batch`: 10 000 made-up tasks, 16 in
//! flight (ours through `mass_task_detail_stream`, the others with `buffer_unordered(16)`). The mock serves
//! made-up tasks from the same process and runtime, so it costs every competitor the same.
//!
//! Run: `cargo bench -p wshoto-bench --bench http`.

#[path = "support/clients.rs"]
mod clients;

use clients::{hyper_call, reqwest_call, same_task_call, setup};
use futures_util::StreamExt;
use wshoto_http::{BatchOptions, Order};

/// Counts the allocations of each call on the calling thread (divan counts that thread only: the
/// runtime's workers, where the mock and hyper's connection tasks run, are not counted).
#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const BATCH: i64 = 10_000;
/// Made-up tasks only (the fixtures' ids include deliberately odd bodies).
const FIRST_ID: i64 = 1_000_001;
const CONCURRENCY: usize = 16;

mod sequential {
    use super::*;

    #[divan::bench(sample_count = 100, sample_size = 10)]
    fn ours(bencher: divan::Bencher) {
        let setup = setup();
        bencher.bench(|| {
            setup
                .runtime
                .block_on(setup.ours.mass_task_detail(54))
                .expect("task")
        });
    }

    #[divan::bench(sample_count = 100, sample_size = 10)]
    fn hyper_raw(bencher: divan::Bencher) {
        let setup = setup();
        bencher.bench(|| setup.runtime.block_on(hyper_call(setup, 54)));
    }

    #[divan::bench(sample_count = 100, sample_size = 10)]
    fn reqwest(bencher: divan::Bencher) {
        let setup = setup();
        bencher.bench(|| setup.runtime.block_on(reqwest_call(setup, 54)));
    }

    #[divan::bench(sample_count = 100, sample_size = 10)]
    fn hyper_same_task(bencher: divan::Bencher) {
        let setup = setup();
        let mut slot = None;
        bencher.bench_local(|| setup.runtime.block_on(same_task_call(setup, &mut slot, 54)));
    }
}

mod batch {
    use super::*;

    fn items() -> divan::counter::ItemsCount {
        divan::counter::ItemsCount::new(BATCH as usize)
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn ours(bencher: divan::Bencher) {
        let setup = setup();
        bencher.counter(items()).bench(|| {
            setup.runtime.block_on(async {
                let options = BatchOptions::new()
                    .concurrency(CONCURRENCY)
                    .order(Order::Completed);
                setup
                    .ours
                    .mass_task_detail_stream(FIRST_ID..FIRST_ID + BATCH, options)
                    .filter(|(_, result)| std::future::ready(result.is_ok()))
                    .count()
                    .await
            })
        });
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn hyper_raw(bencher: divan::Bencher) {
        let setup = setup();
        bencher.counter(items()).bench(|| {
            setup.runtime.block_on(
                futures_util::stream::iter(FIRST_ID..FIRST_ID + BATCH)
                    .map(|id| hyper_call(setup, id))
                    .buffer_unordered(CONCURRENCY)
                    .count(),
            )
        });
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn reqwest(bencher: divan::Bencher) {
        let setup = setup();
        bencher.counter(items()).bench(|| {
            setup.runtime.block_on(
                futures_util::stream::iter(FIRST_ID..FIRST_ID + BATCH)
                    .map(|id| reqwest_call(setup, id))
                    .buffer_unordered(CONCURRENCY)
                    .count(),
            )
        });
    }
}
