//! The access-token lifecycle: fetch, cache, early refresh, single flight, rejection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use wshoto_http::{AccessToken, BoxFuture, Credentials, Error, TokenProvider};
use wshoto_mock::{CODE_TOKEN_INVALID, CODE_TOKEN_REVOKED, Fault, MockConfig, Route};

use crate::support::{builder, client, fast_retries, mock, mock_with};

#[tokio::test]
async fn a_fetched_token_is_cached() {
    let mock = mock().await;
    let client = client(&mock);
    for id in [54, 202, 203, 204] {
        client.mass_task_detail(id).await.expect("task");
    }
    assert_eq!(mock.stats().token_requests, 1);
    assert_eq!(mock.stats().api_requests, 4);
}

/// A mock whose tokens live 4 s.
async fn four_second_tokens() -> wshoto_mock::MockServer {
    mock_with(MockConfig {
        token_ttl: Duration::from_secs(4),
        ..MockConfig::default()
    })
    .await
}

/// A client that refreshes those tokens 2 s before they expire: fresh for 2 s, then refreshed.
fn refreshing_at_half_life(mock: &wshoto_mock::MockServer) -> wshoto_http::ClientBuilder {
    builder(mock).token_refresh_margin(Duration::from_secs(2))
}

#[tokio::test]
async fn a_token_is_refreshed_ahead_of_its_expiry() {
    let mock = four_second_tokens().await;
    let client = refreshing_at_half_life(&mock).build().expect("client");
    client.mass_task_detail(54).await.expect("first");
    client.mass_task_detail(54).await.expect("cached");
    assert_eq!(mock.stats().token_requests, 1);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    client.mass_task_detail(54).await.expect("after the margin");
    let stats = mock.stats();
    assert_eq!(stats.token_requests, 2, "refreshed early: {stats:?}");
    assert_eq!(
        stats.tokens_rejected, 0,
        "never used an expired token: {stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_refresh_runs_in_the_background_while_callers_use_the_cached_token() {
    let mock = four_second_tokens().await;
    let client = refreshing_at_half_life(&mock).build().expect("client");
    client.mass_task_detail(54).await.expect("first");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    // The refresh will take 1.5 s; the call does not wait for it.
    mock.faults()
        .push(Route::Token, Fault::Delay(Duration::from_millis(1_500)));
    let started = std::time::Instant::now();
    client
        .mass_task_detail(54)
        .await
        .expect("with the cached token");
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "waited for the refresh: {:?}",
        started.elapsed()
    );
    // The refresh runs in a task of its own: its request may reach the mock just after.
    let started_refresh = async {
        while mock.stats().token_requests < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(1), started_refresh)
        .await
        .expect("the refresh was started");
    // Once it lands, the new token is used; nothing was ever rejected.
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    client
        .mass_task_detail(54)
        .await
        .expect("with the new token");
    let stats = mock.stats();
    assert_eq!(
        (stats.token_requests, stats.tokens_rejected),
        (2, 0),
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_keeps_the_old_token_until_it_really_expires() {
    let mock = four_second_tokens().await;
    let client = refreshing_at_half_life(&mock)
        .retry_policy(fast_retries(1))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("first");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    mock.faults().always(
        Route::Token,
        Fault::ApiError {
            code: 50000,
            msg: "系统繁忙".into(),
        },
    );
    client
        .mass_task_detail(54)
        .await
        .expect("old token, refresh started");
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .mass_task_detail(54)
        .await
        .expect("old token kept after the failed refresh");
    let stats = mock.stats();
    assert_eq!(
        stats.token_requests, 2,
        "one failed refresh, retried later: {stats:?}"
    );
    assert_eq!(stats.tokens_rejected, 0);
    // Past its real expiry the old token is not used: the call needs a fetch, which fails.
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    let error = client
        .mass_task_detail(54)
        .await
        .expect_err("no usable token");
    assert_eq!(error.api_code(), Some(50000), "{error}");
    assert_eq!(
        mock.stats().tokens_rejected,
        0,
        "an expired token was never sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_first_caller_does_not_strand_the_others() {
    let mock = mock().await;
    mock.faults()
        .push(Route::Token, Fault::Delay(Duration::from_millis(300)));
    let client = client(&mock);
    let first = tokio::time::timeout(Duration::from_millis(50), client.mass_task_detail(54)).await;
    assert!(
        first.is_err(),
        "the first caller gave up while its fetch ran"
    );
    let task = client
        .mass_task_detail(54)
        .await
        .expect("the same fetch serves the next");
    assert_eq!(task.task_id, 54);
    assert_eq!(mock.stats().token_requests, 1);
}

#[tokio::test]
async fn an_absurd_expires_in_is_bounded_not_a_crash() {
    let mock = mock_with(MockConfig {
        token_ttl: Duration::from_secs(u64::MAX),
        ..MockConfig::default()
    })
    .await;
    let client = client(&mock);
    client.mass_task_detail(54).await.expect("first");
    client.mass_task_detail(54).await.expect("cached");
    assert_eq!(mock.stats().token_requests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_callers_cause_one_token_request() {
    let mock = mock().await;
    // Slow the token endpoint so that every caller arrives while the fetch is in flight.
    mock.faults()
        .push(Route::Token, Fault::Delay(Duration::from_millis(300)));
    let client = client(&mock);
    let calls = (0..64).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.mass_task_detail(54).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.expect("joined").expect("task");
    }
    let stats = mock.stats();
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.api_requests, 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_reaches_every_waiter_without_a_stampede() {
    let mock = mock().await;
    let unavailable = Fault::Status {
        status: 503,
        retry_after: None,
    };
    // The first answer is slow, so that every caller joins the flight; both attempts fail.
    mock.faults().push(
        Route::Token,
        Fault::DelayThen(Duration::from_millis(300), Box::new(unavailable.clone())),
    );
    mock.faults().always(Route::Token, unavailable);
    let client = builder(&mock)
        .retry_policy(fast_retries(2))
        .build()
        .expect("client");
    let calls: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.mass_task_detail(54).await })
        })
        .collect();
    for call in calls {
        let error = call.await.expect("joined").expect_err("no token");
        assert!(matches!(error, Error::Token(_)), "{error}");
        assert!(
            error
                .to_string()
                .starts_with("cannot obtain an access token"),
            "{error}"
        );
    }
    let stats = mock.stats();
    // One flight, with its own two attempts; the 64 waiters add none.
    assert_eq!(stats.token_requests, 2, "no stampede: {stats:?}");
    assert_eq!(stats.api_requests, 0);
}

#[tokio::test]
async fn wrong_app_credentials_are_a_token_error_with_the_api_code() {
    let mock = mock().await;
    let client = wshoto_http::Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::app(mock.app_id(), "wrong-secret"))
        .build()
        .expect("client");
    let error = client.mass_task_detail(54).await.expect_err("refused");
    assert_eq!(error.api_code(), Some(wshoto_mock::CODE_BAD_CREDENTIALS));
    assert_eq!(mock.stats().token_requests, 1, "not retried");
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_retried_once() {
    let mock = mock().await;
    let client = client(&mock);
    client.mass_task_detail(54).await.expect("first");
    mock.revoke_tokens();
    let task = client.mass_task_detail(54).await.expect("recovers");
    assert_eq!(task.task_id, 54);
    let stats = mock.stats();
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    assert_eq!(stats.api_requests, 3, "first, rejected, retried: {stats:?}");
    assert_eq!(stats.tokens_rejected, 1);
}

#[tokio::test]
async fn a_second_rejection_is_returned_without_a_loop() {
    let mock = mock().await;
    mock.faults().always(
        Route::Api,
        Fault::ApiError {
            code: CODE_TOKEN_INVALID,
            msg: "access_token无效".into(),
        },
    );
    let error = client(&mock)
        .mass_task_detail(54)
        .await
        .expect_err("rejected twice");
    assert_eq!(error.api_code(), Some(CODE_TOKEN_INVALID));
    let stats = mock.stats();
    assert_eq!(stats.api_requests, 2, "one retry, no loop: {stats:?}");
    assert_eq!(stats.token_requests, 2, "one refresh: {stats:?}");
}

#[tokio::test]
async fn a_fixed_token_is_used_as_is_and_its_rejection_returned() {
    let mock = mock().await;
    let token = mock.issue_token();
    let client = wshoto_http::Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::token(token))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("works");
    mock.revoke_tokens();
    let error = client.mass_task_detail(54).await.expect_err("revoked");
    assert_eq!(error.api_code(), Some(CODE_TOKEN_REVOKED));
    let stats = mock.stats();
    assert_eq!(
        (stats.token_requests, stats.api_requests),
        (0, 2),
        "{stats:?}"
    );
}

#[tokio::test]
async fn rejected_codes_are_configurable() {
    let mock = mock().await;
    mock.faults().push(
        Route::Api,
        Fault::ApiError {
            code: 42,
            msg: "custom token code".into(),
        },
    );
    let client = builder(&mock)
        .token_rejected_codes([42])
        .build()
        .expect("client");
    client
        .mass_task_detail(54)
        .await
        .expect("refreshed on code 42");
    assert_eq!(mock.stats().token_requests, 2);
}

/// A provider such as a central token service: counts what the client asks of it.
#[derive(Debug)]
struct CentralService {
    tokens: Vec<String>,
    handed_out: AtomicU32,
    invalidated: AtomicU32,
}

impl TokenProvider for CentralService {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        let index = self.handed_out.fetch_add(1, Ordering::SeqCst) as usize;
        let token = self.tokens[index.min(self.tokens.len() - 1)].clone();
        Box::pin(async move { Ok(AccessToken::new(token)) })
    }

    fn invalidate(&self, _token: &AccessToken) -> bool {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        true
    }
}

#[tokio::test]
async fn a_user_provider_is_asked_for_tokens_and_told_of_rejections() {
    let mock = mock().await;
    let provider = Arc::new(CentralService {
        tokens: vec!["stale-token".into(), mock.issue_token()],
        handed_out: AtomicU32::new(0),
        invalidated: AtomicU32::new(0),
    });
    let client = wshoto_http::Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::Provider(provider.clone()))
        .build()
        .expect("client");
    client
        .mass_task_detail(54)
        .await
        .expect("second token works");
    assert_eq!(provider.handed_out.load(Ordering::SeqCst), 2);
    assert_eq!(provider.invalidated.load(Ordering::SeqCst), 1);
}
