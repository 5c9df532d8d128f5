//! Retries: each retryable fault recovers within the attempt budget; each non-retryable one
//! fails at once with the right error; timeouts and the body cap.

use std::time::{Duration, Instant};

use wshoto_http::{Error, TimeoutKind, TransportKind};
use wshoto_mock::{Fault, Route};

use crate::support::{builder, client, fast_retries, mock, token_builder};

fn status(status: u16) -> Fault {
    Fault::Status {
        status,
        retry_after: None,
    }
}

#[tokio::test]
async fn each_retryable_fault_recovers_within_the_budget() {
    let cases = [
        ("429", status(429)),
        ("500", status(500)),
        ("502", status(502)),
        ("503", status(503)),
        ("504", status(504)),
        ("reset", Fault::Reset),
        ("truncated body", Fault::TruncatedBody),
        ("non-JSON gateway body", Fault::NonJsonBody),
    ];
    for (name, fault) in cases {
        let mock = mock().await;
        mock.faults().push_times(Route::Api, fault, 3);
        let task = client(&mock).mass_task_detail(54).await;
        assert_eq!(task.map(|t| t.task_id).ok(), Some(54), "{name}");
        assert_eq!(
            mock.stats().api_requests,
            4,
            "{name}: three failures, then success"
        );
    }
}

#[tokio::test]
async fn a_fault_beyond_the_budget_returns_the_last_error() {
    let mock = mock().await;
    mock.faults().always(Route::Api, status(503));
    let error = client(&mock)
        .mass_task_detail(54)
        .await
        .expect_err("gives up");
    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error}"
    );
    assert!(error.is_retryable());
    assert_eq!(
        mock.stats().api_requests,
        4,
        "max_attempts bounds the attempts"
    );
}

#[tokio::test]
async fn each_non_retryable_fault_fails_at_once() {
    type Expectation = fn(&Error) -> bool;
    let cases: Vec<(&str, Fault, Expectation)> = vec![
        ("404", status(404), |e| {
            matches!(e, Error::Status { status: 404, .. })
        }),
        ("400", status(400), |e| {
            matches!(e, Error::Status { status: 400, .. })
        }),
        ("403", status(403), |e| {
            matches!(e, Error::Status { status: 403, .. })
        }),
        (
            "API error",
            Fault::ApiError {
                code: 50001,
                msg: "系统繁忙".into(),
            },
            |e| e.api_code() == Some(50001),
        ),
        ("body too large", Fault::OversizedBody(64 * 1024), |e| {
            matches!(e, Error::BodyTooLarge { limit: 16384 })
        }),
        (
            "body too large, no Content-Length",
            Fault::OversizedUnsizedBody(64 * 1024),
            |e| matches!(e, Error::BodyTooLarge { limit: 16384 }),
        ),
    ];
    for (name, fault, expected) in cases {
        let mock = mock().await;
        mock.faults().push(Route::Api, fault);
        let client = builder(&mock)
            .max_body_bytes(16 * 1024)
            .build()
            .expect("client");
        let error = client.mass_task_detail(54).await.expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        assert!(!error.is_retryable(), "{name}");
        assert_eq!(mock.stats().api_requests, 1, "{name}: not retried");
    }
}

#[tokio::test]
async fn transient_api_codes_can_be_listed() {
    let mock = mock().await;
    mock.faults().push(
        Route::Api,
        Fault::ApiError {
            code: 50001,
            msg: "busy".into(),
        },
    );
    let policy = fast_retries(3).transient_api_codes([50001]);
    let client = builder(&mock).retry_policy(policy).build().expect("client");
    assert_eq!(
        client.mass_task_detail(54).await.expect("retried").task_id,
        54
    );
    assert_eq!(mock.stats().api_requests, 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let mock = mock().await;
    mock.faults().push(
        Route::Api,
        Fault::Status {
            status: 429,
            retry_after: Some(1),
        },
    );
    let started = Instant::now();
    client(&mock)
        .mass_task_detail(54)
        .await
        .expect("after waiting");
    // The fast test policy would retry within 20 ms; the server asked for a second.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.stats().api_requests, 2);
}

#[tokio::test]
async fn an_attempt_that_takes_too_long_times_out_and_is_retried() {
    let mock = mock().await;
    mock.faults()
        .push(Route::Api, Fault::Delay(Duration::from_secs(5)));
    let client = builder(&mock)
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    assert_eq!(
        client
            .mass_task_detail(54)
            .await
            .expect("second attempt")
            .task_id,
        54
    );
    assert_eq!(mock.stats().api_requests, 2);

    let mock = crate::support::mock().await;
    mock.faults()
        .push(Route::Api, Fault::Delay(Duration::from_secs(5)));
    let client = builder(&mock)
        .attempt_timeout(Duration::from_millis(300))
        .retry_policy(wshoto_http::RetryPolicy::none())
        .build()
        .expect("client");
    let error = client.mass_task_detail(54).await.expect_err("times out");
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Attempt,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_total_deadline_bounds_everything() {
    let mock = mock().await;
    mock.faults()
        .always(Route::Api, Fault::Delay(Duration::from_secs(5)));
    let client = builder(&mock)
        .attempt_timeout(Duration::from_millis(200))
        .total_timeout(Duration::from_millis(700))
        .retry_policy(fast_retries(100))
        .build()
        .expect("client");
    let error = client.mass_task_detail(54).await.expect_err("deadline");
    match &error {
        Error::Timeout {
            kind: TimeoutKind::Total,
            attempts,
            ..
        } => assert!((2..=4).contains(attempts), "{attempts} attempts"),
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("attempts"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_retried_then_returned() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let client = wshoto_http::Client::builder()
        .base_url(url)
        .credentials(wshoto_http::Credentials::token("t"))
        .retry_policy(fast_retries(3))
        .build()
        .expect("client");
    let error = client
        .mass_task_detail(54)
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        std::error::Error::source(&error).is_some(),
        "detail in source()"
    );
}

/// A token provider whose token never comes.
#[derive(Debug)]
struct NeverAToken;

impl wshoto_http::TokenProvider for NeverAToken {
    fn token(&self) -> wshoto_http::BoxFuture<'_, Result<wshoto_http::AccessToken, Error>> {
        Box::pin(std::future::pending())
    }

    fn invalidate(&self, _token: &wshoto_http::AccessToken) -> bool {
        false
    }
}

#[tokio::test]
async fn the_total_deadline_bounds_waiting_for_a_token() {
    let mock = mock().await;
    let client = builder(&mock)
        .credentials(wshoto_http::Credentials::provider(NeverAToken))
        .total_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = tokio::time::timeout(Duration::from_secs(5), client.mass_task_detail(54))
        .await
        .expect("the call ends by its own deadline")
        .expect_err("no token");
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Total,
                attempts: 0,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(mock.stats().api_requests, 0);
}

#[tokio::test]
async fn the_total_deadline_bounds_waiting_for_the_rate_limit() {
    let mock = mock().await;
    // One request every ten seconds: the second call's slot is far beyond its deadline.
    let client = token_builder(&mock)
        .rate_limit(0.1, 1)
        .total_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("the burst's call");
    let started = Instant::now();
    let error = client
        .mass_task_detail(202)
        .await
        .expect_err("no slot in time");
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Total,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.stats().api_requests, 1);
}
