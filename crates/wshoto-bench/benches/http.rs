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
//! made-up tasks from the same process and runtime, so it costs every competitor the same
//! (`WSHOTO_BENCH_MOCK=own-runtime`, or a mock's base URL with `WSHOTO_ACCESS_TOKEN`, puts it on a
//! runtime of its own or in another process; see `examples/http_paired.rs`).
//!
//! Run: `cargo bench -p wshoto-bench --bench http`.

#[path = "support/clients.rs"]
mod clients;

use clients::{
    BATCH, hyper_batch, hyper_call, ours_batch, reqwest_batch, reqwest_call, same_task_call, setup,
};

/// Counts the allocations of each call on the calling thread (divan counts that thread only: the
/// runtime's workers, where the mock and hyper's connection tasks run, are not counted).
#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

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
        bencher
            .counter(items())
            .bench(|| setup.runtime.block_on(ours_batch(setup)));
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn hyper_raw(bencher: divan::Bencher) {
        let setup = setup();
        bencher
            .counter(items())
            .bench(|| setup.runtime.block_on(hyper_batch(setup)));
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn reqwest(bencher: divan::Bencher) {
        let setup = setup();
        bencher
            .counter(items())
            .bench(|| setup.runtime.block_on(reqwest_batch(setup)));
    }
}
