//! The clients the HTTP benchmarks compare, and the mock they call: shared by `benches/http.rs`
//! (divan, one client after another) and `examples/http_paired.rs` (the clients interleaved
//! round by round). See `benches/http.rs` for what each client is.

use std::sync::OnceLock;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::runtime::Runtime;
use wshoto_http::{BatchOptions, Client, Credentials, MASS_TASK_DETAIL_PATH, Order};
use wshoto_mock::{MockConfig, MockServer};

pub(crate) struct Setup {
    /// The clients' runtime: two workers, as `#[tokio::main]` gives on this machine.
    pub(crate) runtime: Runtime,
    /// The mock's base URL.
    pub(crate) base_url: String,
    /// Where the mock runs, in words.
    #[allow(dead_code)] // Printed by `http_paired` only.
    pub(crate) mock_placement: &'static str,
    pub(crate) token: String,
    pub(crate) ours: Client,
    pub(crate) hyper: HyperClient<HttpConnector, Full<Bytes>>,
    pub(crate) reqwest: reqwest::Client,
    /// The mock, and its own runtime when it has one (kept alive with the setup).
    _mock: Option<(MockServer, Option<Runtime>)>,
}

/// Where the mock runs, from `WSHOTO_BENCH_MOCK`.
enum MockPlacement {
    /// Unset or `shared`: on the clients' runtime (the tables of `docs/performance.md` but the
    /// "another process" rows).
    Shared,
    /// `own-runtime`: in this process, on a runtime of its own, so that the server's work and
    /// wake-ups are not the clients' workers'.
    OwnRuntime,
    /// A mock in another process: `process` (`http_paired` starts one, [`use_mock_elsewhere`]),
    /// or its base URL (`wshoto mock serve --synthetic`), whose token `WSHOTO_ACCESS_TOKEN`
    /// gives.
    Elsewhere { base_url: String, token: String },
}

impl MockPlacement {
    fn describe(&self) -> &'static str {
        match self {
            Self::Shared => "on the clients' runtime",
            Self::OwnRuntime => "in this process, on a runtime of its own",
            Self::Elsewhere { .. } => "in another process",
        }
    }
}

/// The mock in another process that `http_paired` started: its base URL and token.
static ELSEWHERE: OnceLock<(String, String)> = OnceLock::new();

/// Makes [`setup`] call the mock at `base_url` with `token` (call it before `setup`).
#[allow(dead_code)] // `benches/http.rs` starts no mock process.
pub(crate) fn use_mock_elsewhere(base_url: String, token: String) {
    let _ = ELSEWHERE.set((base_url, token));
}

fn mock_placement() -> MockPlacement {
    if let Some((base_url, token)) = ELSEWHERE.get() {
        return MockPlacement::Elsewhere {
            base_url: base_url.clone(),
            token: token.clone(),
        };
    }
    match std::env::var("WSHOTO_BENCH_MOCK").as_deref() {
        Err(_) | Ok("shared") => MockPlacement::Shared,
        Ok("own-runtime") => MockPlacement::OwnRuntime,
        Ok("process") => panic!("WSHOTO_BENCH_MOCK=process: only `http_paired` starts a mock"),
        Ok(base_url) => MockPlacement::Elsewhere {
            base_url: base_url.to_owned(),
            token: std::env::var("WSHOTO_ACCESS_TOKEN")
                .expect("WSHOTO_ACCESS_TOKEN: the token of the mock at WSHOTO_BENCH_MOCK"),
        },
    }
}

pub(crate) fn two_workers() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Starts the mock (made-up tasks for the batch) on `runtime`.
pub(crate) fn start_mock(runtime: &Runtime) -> MockServer {
    runtime
        .block_on(MockServer::start_with(MockConfig {
            synthetic: Some(1..=i64::MAX),
            record_requests: false,
            ..MockConfig::default()
        }))
        .expect("mock")
}

/// A mock started here, on `runtime` when that is its own: what [`Setup`] keeps of it, its base
/// URL and a token.
fn started(
    mock: MockServer,
    runtime: Option<Runtime>,
) -> (Option<(MockServer, Option<Runtime>)>, String, String) {
    let (base_url, token) = (mock.url().to_owned(), mock.issue_token());
    (Some((mock, runtime)), base_url, token)
}

pub(crate) fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = two_workers();
        let placement = mock_placement();
        let mock_placement = placement.describe();
        let (mock, base_url, token) = match placement {
            MockPlacement::Shared => started(start_mock(&runtime), None),
            MockPlacement::OwnRuntime => {
                let own = two_workers();
                started(start_mock(&own), Some(own))
            }
            MockPlacement::Elsewhere { base_url, token } => (None, base_url, token),
        };
        let ours = runtime.block_on(async {
            Client::builder()
                .base_url(base_url.as_str())
                .credentials(Credentials::token(token.clone()))
                .build()
                .expect("client")
        });
        let hyper = HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
        let reqwest = reqwest::Client::new();
        Setup {
            runtime,
            base_url,
            mock_placement,
            token,
            ours,
            hyper,
            reqwest,
            _mock: mock,
        }
    })
}

/// One kept-alive HTTP/1 connection whose driver is polled by the call itself.
pub(crate) struct SameTask {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    connection: hyper::client::conn::http1::Connection<
        hyper_util::rt::TokioIo<tokio::net::TcpStream>,
        Full<Bytes>,
    >,
}

async fn same_task_connection(setup: &Setup) -> SameTask {
    let address = setup.base_url.trim_start_matches("http://").to_owned();
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

pub(crate) async fn same_task_call(
    setup: &Setup,
    slot: &mut Option<SameTask>,
    task_id: i64,
) -> Value {
    let mut conn = match slot.take() {
        Some(conn) => conn,
        None => same_task_connection(setup).await,
    };
    let request = http::Request::post(format!(
        "{MASS_TASK_DETAIL_PATH}?access_token={}",
        setup.token
    ))
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
    format!(
        "{}{MASS_TASK_DETAIL_PATH}?access_token={}",
        setup.base_url, setup.token
    )
}

pub(crate) async fn hyper_call(setup: &Setup, task_id: i64) -> Value {
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

pub(crate) async fn reqwest_call(setup: &Setup, task_id: i64) -> Value {
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

/// Tasks in a batch.
pub(crate) const BATCH: i64 = 10_000;
/// Made-up tasks only (the fixtures' ids include deliberately odd bodies).
const BATCH_FIRST_ID: i64 = 1_000_001;
/// Calls in flight in a batch.
const CONCURRENCY: usize = 16;

/// A batch through ours: `mass_task_detail_stream`, in completion order; the tasks fetched.
pub(crate) async fn ours_batch(setup: &Setup) -> usize {
    let options = BatchOptions::new()
        .concurrency(CONCURRENCY)
        .order(Order::Completed);
    setup
        .ours
        .mass_task_detail_stream(BATCH_FIRST_ID..BATCH_FIRST_ID + BATCH, options)
        .filter(|(_, result)| std::future::ready(result.is_ok()))
        .count()
        .await
}

/// A batch through raw hyper-util, `buffer_unordered`; the tasks fetched.
pub(crate) async fn hyper_batch(setup: &Setup) -> usize {
    buffered_batch(|id| hyper_call(setup, id)).await
}

/// A batch through reqwest, `buffer_unordered`; the tasks fetched.
pub(crate) async fn reqwest_batch(setup: &Setup) -> usize {
    buffered_batch(|id| reqwest_call(setup, id)).await
}

/// The batch's ids through `call`, [`CONCURRENCY`] at a time in one task, as a user of a plain
/// HTTP client would write it; the calls made.
async fn buffered_batch<F: Future<Output = Value>>(call: impl FnMut(i64) -> F) -> usize {
    futures_util::stream::iter(BATCH_FIRST_ID..BATCH_FIRST_ID + BATCH)
        .map(call)
        .buffer_unordered(CONCURRENCY)
        .count()
        .await
}
