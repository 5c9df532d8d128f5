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
use wshoto_http::{BatchOptions, Client, Credentials, MASS_TASK_DETAIL_PATH, Order};
use wshoto_mock::{MockConfig, MockServer};

pub(crate) struct Setup {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) mock: MockServer,
    pub(crate) token: String,
    pub(crate) ours: Client,
    pub(crate) hyper: HyperClient<HttpConnector, Full<Bytes>>,
    pub(crate) reqwest: reqwest::Client,
}

pub(crate) fn setup() -> &'static Setup {
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
pub(crate) struct SameTask {
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
        setup.mock.url(),
        setup.token
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
