//! The batch stream and the client-wide rate limit, against the mock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use wshoto_http::{BatchOptions, Error, Order, RetryPolicy};
use wshoto_mock::{CODE_TASK_NOT_FOUND, Fault, MockConfig, Route};

use crate::support::{builder, client, eventually, fast_retries, mock, mock_with};

/// A mock that makes up tasks 1..=1_000_000; other ids are not found.
async fn synthetic_mock() -> wshoto_mock::MockServer {
    mock_with(MockConfig {
        synthetic: Some(1..=1_000_000),
        ..MockConfig::default()
    })
    .await
}

/// 3 000 ids: good ones, unknown ones (negative) and repeated ones, with random faults of every
/// kind, some retried into success, some not.
fn mixed_ids() -> Vec<i64> {
    (1..=3_000)
        .map(|i| if i % 10 == 0 { -i } else { i })
        .chain([5, 5, -10])
        .collect()
}

fn add_mixed_faults(mock: &wshoto_mock::MockServer) {
    let faults = mock.faults();
    faults.sometimes(
        Route::Api,
        0.03,
        Fault::Status {
            status: 503,
            retry_after: None,
        },
    );
    faults.sometimes(Route::Api, 0.02, Fault::Reset);
    faults.sometimes(Route::Api, 0.02, Fault::TruncatedBody);
    faults.sometimes(Route::Api, 0.02, Fault::NonJsonBody);
    faults.sometimes(
        Route::Api,
        0.02,
        Fault::ApiError {
            code: 50000,
            msg: "系统繁忙".into(),
        },
    );
}

/// Counts how often each id came back, and checks each result belongs to its id.
fn tally(items: &[(i64, Result<wshoto_model::MassTaskDetail, Error>)]) -> HashMap<i64, usize> {
    let mut seen = HashMap::new();
    for (id, result) in items {
        *seen.entry(*id).or_insert(0) += 1;
        if let Ok(task) = result {
            assert_eq!(task.task_id, *id);
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_id_comes_back_exactly_once_whatever_fails_in_either_order() {
    let mock = synthetic_mock().await;
    add_mixed_faults(&mock);
    let client = builder(&mock)
        .retry_policy(fast_retries(2))
        .build()
        .expect("client");
    let ids = mixed_ids();
    let mut expected: HashMap<i64, usize> = HashMap::new();
    for id in &ids {
        *expected.entry(*id).or_insert(0) += 1;
    }
    for order in [Order::Input, Order::Completed] {
        let options = BatchOptions::new().concurrency(16).order(order);
        let items: Vec<_> = client
            .mass_task_detail_stream(ids.clone(), options)
            .collect()
            .await;
        assert_eq!(items.len(), ids.len(), "{order:?}");
        assert_eq!(tally(&items), expected, "{order:?}: one item per id asked");
        if order == Order::Input {
            let returned: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
            assert_eq!(returned, ids, "input order kept");
        }
        let failed = items.iter().filter(|(id, r)| *id > 0 && r.is_err()).count();
        assert!(failed > 0, "{order:?}: some faults are not retried away");
        let not_found = items
            .iter()
            .filter(|(_, r)| {
                r.as_ref().err().and_then(Error::api_code) == Some(CODE_TASK_NOT_FOUND)
            })
            .count();
        assert!(not_found > 250, "{order:?}: unknown ids: {not_found}");
        assert!(
            items.iter().all(|(id, r)| *id > 0 || r.is_err()),
            "unknown ids never succeed"
        );
    }
}

/// A client that already holds its token (so the next API request is the next one sent).
async fn warm_client(mock: &wshoto_mock::MockServer) -> wshoto_http::Client {
    let client = client(mock);
    client.mass_task_detail(1).await.expect("warm-up");
    client
}

/// Ids 1..=last, with a pause after 1 so that its request is the first to reach the mock.
fn one_then_the_rest(last: i64) -> impl futures_util::Stream<Item = i64> + Send + 'static {
    use futures_util::stream;
    stream::iter([1]).chain(
        stream::once(tokio::time::sleep(Duration::from_millis(200)))
            .flat_map(move |()| stream::iter(2..=last)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_slides_past_a_slow_task_without_waiting_for_rounds() {
    let mock = synthetic_mock().await;
    let client = warm_client(&mock).await;
    // Task 1's request hangs for 1.5 s; the other 199 are quick.
    mock.faults()
        .push(Route::Api, Fault::Delay(Duration::from_millis(1_500)));
    let started = Instant::now();
    let mut stream = client.mass_task_detail_stream_from(
        one_then_the_rest(100),
        BatchOptions::new().concurrency(4).order(Order::Completed),
    );
    let mut order = Vec::new();
    while let Some((id, result)) = stream.next().await {
        result.expect("task");
        order.push(id);
    }
    assert_eq!(order.len(), 100);
    // The slow task came last: the other three workers went on through all the others.
    assert_eq!(order.last(), Some(&1), "{order:?}");
    assert!(started.elapsed() >= Duration::from_millis(1_500));
    let stats = mock.stats();
    assert!(stats.api_in_flight_peak <= 4, "{stats:?}");
    assert_eq!(stats.api_requests, 101, "100 and the warm-up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_input_order_a_slow_head_holds_back_at_most_the_window() {
    let mock = synthetic_mock().await;
    let client = warm_client(&mock).await;
    mock.faults()
        .push(Route::Api, Fault::Delay(Duration::from_millis(800)));
    let mut stream = client.mass_task_detail_stream_from(
        one_then_the_rest(100),
        BatchOptions::new()
            .concurrency(4)
            .order(Order::Input)
            .reorder_window(20),
    );
    let (first, _) = stream.next().await.expect("an item");
    assert_eq!(first, 1);
    // While task 1 hung, the other workers fetched up to the window and stopped there.
    let requests = mock.stats().api_requests - 1;
    assert!(
        (20..=24).contains(&requests),
        "window of 20 (plus the in-flight refill as the head yields): {requests}"
    );
    let rest: Vec<i64> = stream.map(|(id, _)| id).collect().await;
    assert_eq!(rest, (2..=100).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_never_exceed_the_concurrency() {
    let mock = synthetic_mock().await;
    mock.faults()
        .always(Route::Api, Fault::Delay(Duration::from_millis(20)));
    let items: Vec<_> = client(&mock)
        .mass_task_detail_stream(1..=120, BatchOptions::new().concurrency(6))
        .collect()
        .await;
    assert!(items.iter().all(|(_, r)| r.is_ok()));
    let stats = mock.stats();
    assert!(
        (2..=6).contains(&stats.api_in_flight_peak),
        "overlapping but bounded: {stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_are_pulled_lazily_from_an_endless_source() {
    let mock = synthetic_mock().await;
    let client = client(&mock);
    // An endless iterator: only what the window needs is ever pulled.
    let first: Vec<i64> = client
        .mass_task_detail_stream(1.., BatchOptions::new().concurrency(3))
        .take(10)
        .map(|(id, _)| id)
        .collect()
        .await;
    assert_eq!(first, (1..=10).collect::<Vec<_>>());
    let from_stream: Vec<i64> = client
        .mass_task_detail_stream_from(futures_util::stream::iter([7, 8, 9]), BatchOptions::new())
        .map(|(id, _)| id)
        .collect()
        .await;
    assert_eq!(from_stream, [7, 8, 9]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    let mock = synthetic_mock().await;
    let client = client(&mock);
    // Fetch the token first, so that every hanging request below is an API one.
    client.mass_task_detail(1).await.expect("task 1");
    mock.faults()
        .always(Route::Api, Fault::Delay(Duration::from_secs(30)));
    let mut stream = client.mass_task_detail_stream(1..=100, BatchOptions::new().concurrency(5));
    let pending = tokio::time::timeout(Duration::from_millis(300), stream.next()).await;
    assert!(pending.is_err(), "every answer hangs");
    assert_eq!(stream.in_flight(), 5);
    drop(stream);
    // The mock sees the five requests go away (its gauge counts cancelled handlers out).
    eventually("in-flight requests were cancelled", || {
        mock.stats().api_in_flight == 0
    })
    .await;
    let stats = mock.stats();
    assert_eq!(
        stats.api_requests, 6,
        "no request after the drop: {stats:?}"
    );
    assert_eq!(stats.api_in_flight_peak, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_for_every_clone_and_call_together() {
    let mock = synthetic_mock().await;
    let (rate, burst) = (40.0, 4);
    let client = builder(&mock)
        .rate_limit(rate, burst)
        .build()
        .expect("client");
    let clone = client.clone();
    let batch = client.mass_task_detail_stream(1..=50, BatchOptions::new().concurrency(16));
    let other_batch = clone.mass_task_detail_stream(51..=80, BatchOptions::new().concurrency(16));
    let singles = async {
        for id in 81..=90 {
            clone.mass_task_detail(id).await.expect("task");
        }
    };
    let started = Instant::now();
    let (a, b, ()) = tokio::join!(
        batch.collect::<Vec<_>>(),
        other_batch.collect::<Vec<_>>(),
        singles
    );
    assert!(a.iter().chain(&b).all(|(_, r)| r.is_ok()));
    // 91 requests (one of them the token's) at 40/s after a burst of 4.
    assert!(started.elapsed() >= Duration::from_millis(2_000));
    for window_ms in [250, 500, 1_000] {
        let window = Duration::from_millis(window_ms);
        let most = mock.busiest(window);
        let allowed = burst as f64 + rate * window.as_secs_f64();
        assert!(
            most as f64 <= allowed,
            "{most} requests within {window:?}; the limit allows {allowed}"
        );
    }
    assert_eq!(mock.stats().api_requests, 90);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_slows_the_whole_client_down() {
    let mock = synthetic_mock().await;
    let client = builder(&mock).rate_limit(100.0, 2).build().expect("client");
    client.mass_task_detail(1).await.expect("task");
    let state = client.rate_limit_state().expect("a rate is set");
    assert_eq!(state.current_per_second, 100.0);
    mock.faults().push(
        Route::Api,
        Fault::Status {
            status: 429,
            retry_after: None,
        },
    );
    client
        .mass_task_detail(2)
        .await
        .expect("retried into success");
    let state = client.clone().rate_limit_state().expect("a rate is set");
    assert_eq!(state.current_per_second, 50.0, "halved for every clone");
    assert_eq!(state.configured_per_second, 100.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listed_too_frequent_api_codes_slow_down_and_are_retried() {
    let mock = synthetic_mock().await;
    let client = builder(&mock)
        .rate_limit(30.0, 1)
        .rate_limited_api_codes([45009])
        .build()
        .expect("client");
    mock.faults().push(
        Route::Api,
        Fault::ApiError {
            code: 45009,
            msg: "接口调用太频繁".into(),
        },
    );
    let task = client.mass_task_detail(3).await.expect("retried");
    assert_eq!(task.task_id, 3);
    let state = client.rate_limit_state().expect("a rate is set");
    assert_eq!(state.current_per_second, 15.0);
    assert_eq!(mock.stats().api_requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_pauses_other_calls_too() {
    let mock = synthetic_mock().await;
    let client = builder(&mock)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    client.mass_task_detail(1).await.expect("token and task");
    mock.faults().push(
        Route::Api,
        Fault::Status {
            status: 503,
            retry_after: Some(1),
        },
    );
    let error = client.mass_task_detail(2).await.expect_err("no retries");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    // Another call, through a clone, waits out the server's Retry-After before it is sent.
    let started = Instant::now();
    client.clone().mass_task_detail(3).await.expect("task");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn rate_limits_are_validated() {
    let mock = mock().await;
    for (rate, burst) in [
        (0.0, 1),
        (-1.0, 1),
        (f64::NAN, 1),
        (f64::INFINITY, 1),
        (5.0, 0),
    ] {
        let error = builder(&mock)
            .rate_limit(rate, burst)
            .build()
            .expect_err("invalid");
        assert!(
            error.to_string().contains("rate_limit"),
            "{rate}/{burst}: {error}"
        );
    }
}
