//! Calls that succeed, over HTTP and HTTPS.

use serde::Deserialize;
use wshoto_mock::EXECUTE_DETAIL_PATH;
use wshoto_model::{FilterType, TaskType};

use crate::support::{answer_task_54, builder, client, mock, read_request, tls_mock};

#[tokio::test]
async fn fetches_a_task_over_http() {
    let mock = mock().await;
    let task = client(&mock).mass_task_detail(54).await.expect("task 54");
    assert_eq!(task.task_id, 54);
    assert_eq!(task.task_type, Some(TaskType::CorpToCustomers));
    assert_eq!(
        task.filter_range_info.and_then(|f| f.filter_type()),
        Some(FilterType::CorpSend2Customer)
    );
    let stats = mock.stats();
    assert_eq!((stats.token_requests, stats.api_requests), (1, 1));
}

#[tokio::test]
async fn fetches_a_task_over_https_with_a_custom_ca_and_http2() {
    let mock = tls_mock().await;
    assert!(mock.url().starts_with("https://127.0.0.1:"));
    let client = client(&mock);
    let task = client
        .mass_task_detail(i64::MAX)
        .await
        .expect("string_longs task");
    assert_eq!(task.task_id, i64::MAX);
    let stats = mock.stats();
    assert_eq!(
        stats.http2_requests,
        stats.token_requests + stats.api_requests
    );
    assert!(stats.http2_requests >= 2, "{stats:?}");
}

#[tokio::test]
async fn http1_only_speaks_http1_to_a_server_that_offers_http2() {
    let mock = tls_mock().await;
    let client = builder(&mock).http1_only(true).build().expect("client");
    for id in [54, 202] {
        let task = client.mass_task_detail(id).await.expect("task");
        assert_eq!(task.task_id, id);
    }
    let stats = mock.stats();
    assert_eq!((stats.token_requests, stats.api_requests), (1, 2));
    assert_eq!(stats.http2_requests, 0, "{stats:?}");
    assert_eq!(stats.connections, 1, "kept alive: {stats:?}");
    assert!(
        format!("{client:?}").contains("http1_only: true"),
        "{client:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_connection_pool_and_token() {
    // Over HTTP/2 every request of one pool shares a single connection, so a second pool
    // would show up as a second connection.
    let mock = tls_mock().await;
    let client = client(&mock);
    client.mass_task_detail(54).await.expect("first");
    let calls: Vec<_> = [202, 203, 204, 205]
        .into_iter()
        .map(|id| {
            let clone = client.clone();
            tokio::spawn(async move { clone.mass_task_detail(id).await })
        })
        .collect();
    for call in calls {
        call.await.expect("joined").expect("task");
    }
    let stats = mock.stats();
    assert_eq!(
        stats.token_requests, 1,
        "one token for the clones: {stats:?}"
    );
    assert_eq!(stats.connections, 1, "one shared connection: {stats:?}");
    assert_eq!(stats.http2_requests, 6, "{stats:?}");
}

#[tokio::test]
async fn the_generic_call_reaches_sibling_endpoints() {
    #[derive(Debug, Deserialize)]
    struct Page {
        total: i64,
        records: Vec<serde_json::Value>,
        task_id: i64,
    }
    let mock = mock().await;
    let page: Page = client(&mock)
        .call(
            EXECUTE_DETAIL_PATH,
            &serde_json::json!({"task_id": "54", "current_index": 1, "page_size": 100}),
        )
        .await
        .expect("page");
    assert_eq!((page.total, page.records.len(), page.task_id), (0, 0, 54));
}

#[tokio::test]
async fn an_unknown_task_is_the_api_error() {
    let mock = mock().await;
    let error = client(&mock)
        .mass_task_detail(999_999)
        .await
        .expect_err("no such task");
    assert_eq!(error.api_code(), Some(wshoto_mock::CODE_TASK_NOT_FOUND));
    assert_eq!(mock.stats().api_requests, 1, "an API error is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_are_fetched_in_order_with_bounded_concurrency() {
    let mock = mock().await;
    // Slow answers, so that the fetches overlap.
    mock.faults().always(
        wshoto_mock::Route::Api,
        wshoto_mock::Fault::Delay(std::time::Duration::from_millis(40)),
    );
    let ids: Vec<i64> = (200..232).chain([54, 999_999]).collect();
    let results = client(&mock).mass_task_details(ids.clone(), 6).await;
    let returned: Vec<i64> = results.iter().map(|(id, _)| *id).collect();
    assert_eq!(returned, ids, "input order kept");
    for (id, result) in &results {
        match result {
            Ok(task) => assert_eq!(task.task_id, *id),
            Err(error) => assert_eq!(
                error.api_code(),
                Some(wshoto_mock::CODE_TASK_NOT_FOUND),
                "task {id}: {error}"
            ),
        }
    }
    let fetched = results.iter().filter(|(_, r)| r.is_ok()).count();
    assert!(fetched >= 30, "{fetched}: {results:?}");
    assert!(
        results.last().is_some_and(|(_, r)| r.is_err()),
        "999999 does not exist"
    );
    let stats = mock.stats();
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.api_requests, ids.len() as u64);
    assert!(
        (2..=6).contains(&stats.api_in_flight_peak),
        "overlapping but bounded: {stats:?}"
    );
}

#[tokio::test]
async fn api_errors_carry_the_http_status_and_the_raw_msg() {
    let mock = mock().await;
    mock.faults().push(
        wshoto_mock::Route::Api,
        wshoto_mock::Fault::Body {
            status: 200,
            body: r#"{"code":50003,"msg":"line one\nline two","data":null}"#.into(),
        },
    );
    let error = client(&mock)
        .mass_task_detail(54)
        .await
        .expect_err("API error");
    let wshoto_http::Error::Api {
        code,
        msg,
        raw_msg,
        status,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*code, *status), (50003, 200));
    assert_eq!(msg, "line one line two");
    assert_eq!(raw_msg, "line one\nline two");
}

/// The request as it goes on the wire: each of the client's headers once, the POST body typed
/// as JSON, the path with the token percent-encoded. A bare listener answers, so nothing but the
/// bytes the client wrote is seen.
#[tokio::test]
async fn a_request_carries_each_of_its_headers_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let request = read_request(&mut socket, b"{\"task_id\":54}").await;
        assert!(
            request.ends_with(b"{\"task_id\":54}"),
            "the request ended early: {request:?}"
        );
        answer_task_54(&mut socket, true).await;
        String::from_utf8(request).expect("text")
    });
    let client = wshoto_http::Client::builder()
        .base_url(format!("http://{address}"))
        .credentials(wshoto_http::Credentials::token("a+b/c"))
        .user_agent("wshoto-test/1")
        .build()
        .expect("client");
    let task = client.mass_task_detail(54).await.expect("task 54");
    assert_eq!(task.task_id, 54);
    let request = server.await.expect("server");
    let (head, body) = request.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    assert_eq!(
        lines.next(),
        Some("POST /openapi/mass_send/corp/get_mass_task_detail?access_token=a%2Bb%2Fc HTTP/1.1")
    );
    let mut headers: Vec<String> = lines.map(str::to_ascii_lowercase).collect();
    headers.sort();
    assert_eq!(
        headers,
        [
            "accept-encoding: identity".to_owned(),
            "accept: application/json".to_owned(),
            "content-length: 14".to_owned(),
            "content-type: application/json".to_owned(),
            format!("host: {address}"),
            "user-agent: wshoto-test/1".to_owned(),
        ]
    );
    assert_eq!(body, "{\"task_id\":54}");
}

/// The task-detail response whose `data` is a page (`fixtures/page_two_records.json`: task 245
/// and 246, `total` 5), as the mock serves it for task 245.
const PAGE_OF_TWO: i64 = 245;

#[tokio::test]
async fn the_page_call_keeps_every_record_and_the_total() {
    let mock = mock().await;
    let client = client(&mock);
    let page = client
        .mass_task_detail_page(PAGE_OF_TWO)
        .await
        .expect("the page");
    assert_eq!(page.total, Some(5));
    let ids: Vec<i64> = page.records.iter().map(|task| task.task_id).collect();
    assert_eq!(ids, [245, 246]);
    // A plain task object is a page of one, without a total.
    let single = client.mass_task_detail_page(54).await.expect("task 54");
    assert_eq!(single.total, None);
    assert_eq!(single.records.len(), 1);
    assert_eq!(single.records[0].task_id, 54);
}

#[tokio::test]
async fn the_single_task_call_warns_that_a_page_held_more() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let mock = mock().await;
    let client = client(&mock);
    let task = client.mass_task_detail(54).await.expect("task 54");
    assert_eq!(task.task_id, 54);
    assert!(!logs.text().contains("page"), "{}", logs.text());
    let first = client
        .mass_task_detail(PAGE_OF_TWO)
        .await
        .expect("the first record");
    assert_eq!(first.task_id, 245);
    let text = logs.text();
    assert!(
        text.contains("WARN")
            && text.contains("data is a page; only its first record is returned")
            && text.contains("records=2")
            && text.contains("total=5"),
        "{text}"
    );
}

/// What a `tracing` subscriber writes, kept in memory.
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("logs")).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
