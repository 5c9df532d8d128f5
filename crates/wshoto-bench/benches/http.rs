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

use std::sync::OnceLock;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use wshoto_http::{BatchOptions, Client, Credentials, Order};
use wshoto_mock::{MockConfig, MockServer};

fn main() {
    divan::main();
}

const BATCH: i64 = 10_000;
/// Made-up tasks only (the fixtures' ids include deliberately odd bodies).
const FIRST_ID: i64 = 1_000_001;
const CONCURRENCY: usize = 16;
const PATH: &str = "/openapi/mass_send/corp/get_mass_task_detail";

struct Setup {
    runtime: tokio::runtime::Runtime,
    mock: MockServer,
    token: String,
    ours: Client,
    hyper: HyperClient<HttpConnector, Full<Bytes>>,
    reqwest: reqwest::Client,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (mock, ours) = runtime.block_on(async {
            let mock = MockServer::start_with(MockConfig {
                synthetic: Some(1..=i64::MAX),
                record_requests: false,
                ..MockConfig::default()
            })
            .await
            .expect("mock");
            let ours = Client::builder()
                .base_url(mock.url())
                .credentials(Credentials::token(mock.issue_token()))
                .build()
                .expect("client");
            (mock, ours)
        });
        let token = mock.issue_token();
        let hyper = HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
        let reqwest = reqwest::Client::new();
        Setup {
            runtime,
            mock,
            token,
            ours,
            hyper,
            reqwest,
        }
    })
}

/// One kept-alive HTTP/1 connection whose driver is polled by the call itself.
struct SameTask {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    connection: hyper::client::conn::http1::Connection<
        hyper_util::rt::TokioIo<tokio::net::TcpStream>,
        Full<Bytes>,
    >,
}

async fn same_task_connection(setup: &Setup) -> SameTask {
    let address = setup.mock.url().trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    SameTask { sender, connection }
}

async fn same_task_call(setup: &Setup, slot: &mut Option<SameTask>, task_id: i64) -> Value {
    let mut conn = match slot.take() {
        Some(conn) => conn,
        None => same_task_connection(setup).await,
    };
    let request = http::Request::post(format!("{PATH}?access_token={}", setup.token))
        .header(http::header::HOST, "127.0.0.1")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(format!("{{\"task_id\":{task_id}}}"))))
        .expect("request");
    let exchange = async {
        let response = conn.sender.send_request(request).await.expect("response");
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
    };
    let body = {
        let exchange = std::pin::pin!(exchange);
        match futures_util::future::select(exchange, &mut conn.connection).await {
            futures_util::future::Either::Left((body, _)) => body,
            futures_util::future::Either::Right((closed, _)) => panic!("closed: {closed:?}"),
        }
    };
    *slot = Some(conn);
    serde_json::from_slice(&body).expect("json")
}

fn url(setup: &Setup) -> String {
    format!("{}{PATH}?access_token={}", setup.mock.url(), setup.token)
}

async fn hyper_call(setup: &Setup, task_id: i64) -> Value {
    let request = http::Request::post(url(setup))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(format!("{{\"task_id\":{task_id}}}"))))
        .expect("request");
    let response = setup.hyper.request(request).await.expect("response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{status} {e}: {:?}", String::from_utf8_lossy(&body)))
}

async fn reqwest_call(setup: &Setup, task_id: i64) -> Value {
    let response = setup
        .reqwest
        .post(url(setup))
        .header("content-type", "application/json")
        .body(format!("{{\"task_id\":{task_id}}}"))
        .send()
        .await
        .expect("response");
    serde_json::from_slice(&response.bytes().await.expect("body")).expect("json")
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
