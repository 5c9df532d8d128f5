//! Secrets never reach a log line, a `Debug`, an error or its causes: every call path logged at
//! TRACE (success, rejection and refresh, retries, echoed secrets, failures, a dead proxy), then
//! the capture scanned for the app secret and for every token the mock issued.
//!
//! A binary of its own: its process-wide subscriber sees only this test's events.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wshoto_http::{Client, Credentials, RetryPolicy};
use wshoto_mock::{Fault, MockConfig, MockServer, Route};

/// Collects everything tracing writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SECRET: &str = "S3cr3t-app-secret-0xCAFE";

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(2))
        .max_delay(Duration::from_millis(5))
}

/// Every way a user may print an error: `Display`, `Debug`, and each cause.
fn print_error(error: &wshoto_http::Error, out: &mut Vec<String>) {
    out.push(format!("{error} {error:?}"));
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        out.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
}

#[test]
fn secrets_never_appear_in_logs_debug_or_errors() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    let mut printed = Vec::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let issued = runtime.block_on(async {
        let mock = MockServer::start_with(MockConfig {
            app_secret: SECRET.to_owned(),
            ..MockConfig::default()
        })
        .await
        .expect("mock");
        let builder = Client::builder()
            .base_url(mock.url())
            .credentials(Credentials::app(mock.app_id(), SECRET))
            .retry_policy(fast());
        printed.push(format!("{builder:?}"));
        let client = builder.build().expect("client");
        printed.push(format!("{client:?}"));
        client.mass_task_detail(54).await.expect("ok");
        // A rejected token and its refresh, then a retried 503.
        mock.revoke_tokens();
        mock.faults().push(
            Route::Api,
            Fault::Status {
                status: 503,
                retry_after: None,
            },
        );
        client.mass_task_detail(54).await.expect("recovers");
        // Pages and messages that echo the token (retried, so logged as warnings too).
        for _ in 0..2 {
            mock.faults()
                .push(Route::Api, Fault::EchoRequestLine { status: 502 });
        }
        let _ = client.mass_task_detail(54).await;
        let token = mock.issued_tokens().pop().unwrap_or_default();
        mock.faults().push(
            Route::Api,
            Fault::ApiError {
                code: 40000,
                msg: format!("bad request: access_token={token} and {token}"),
            },
        );
        let error = client.mass_task_detail(54).await.expect_err("echoed");
        print_error(&error, &mut printed);
        // A token endpoint that echoes the app secret (after a revocation forces a fetch).
        mock.revoke_tokens();
        mock.faults().push(
            Route::Token,
            Fault::ApiError {
                code: 40001,
                msg: format!("bad credentials: /openapi/access_token?app_secret={SECRET}"),
            },
        );
        let error = client.mass_task_detail(54).await.expect_err("refused");
        print_error(&error, &mut printed);
        // A token the API keeps refusing.
        mock.faults().always(
            Route::Api,
            Fault::ApiError {
                code: 10001,
                msg: "invalid".into(),
            },
        );
        let error = client.mass_task_detail(54).await.expect_err("fails");
        print_error(&error, &mut printed);
        mock.faults().clear();
        // A fixed token, and a proxy that is down (its password in the URL).
        let fixed = mock.issue_token();
        let fixed_client = Client::builder()
            .base_url(mock.url())
            .credentials(Credentials::token(fixed.clone()))
            .build()
            .expect("client");
        fixed_client
            .mass_task_detail(54)
            .await
            .expect("fixed token");
        printed.push(format!("{fixed_client:?} {:?}", Credentials::token(fixed)));
        printed.push(format!("{:?}", Credentials::app("appid", SECRET)));
        let proxied = Client::builder()
            .base_url(mock.url())
            .credentials(Credentials::app(mock.app_id(), SECRET))
            .proxy("http://user:proxy-password@127.0.0.1:1")
            .retry_policy(fast());
        printed.push(format!("{proxied:?}"));
        let proxied = proxied.build().expect("client");
        printed.push(format!("{proxied:?}"));
        let error = proxied.mass_task_detail(54).await.expect_err("proxy down");
        print_error(&error, &mut printed);
        mock.issued_tokens()
    });
    drop(runtime);
    let logs = String::from_utf8(capture.0.lock().expect("capture").clone()).expect("utf-8");
    assert!(logs.contains("wshoto.call"), "spans were captured: {logs}");
    assert!(logs.contains("retrying"), "retries were logged");
    assert!(
        logs.contains("task_id=54") && logs.contains("attempt="),
        "{logs}"
    );
    let everything = format!("{logs}\n{}", printed.join("\n"));
    assert!(
        !everything.contains(SECRET),
        "the app secret leaked:\n{everything}"
    );
    assert!(
        !everything.contains("proxy-password"),
        "the proxy password leaked"
    );
    assert!(issued.len() >= 4, "tokens issued: {}", issued.len());
    for token in &issued {
        assert!(
            !everything.contains(token.as_str()),
            "token {token} leaked:\n{everything}"
        );
    }
    // Wherever a token-bearing URL was echoed, its value is redacted.
    for (at, _) in everything.match_indices("access_token=") {
        let after = &everything[at + "access_token=".len()..];
        assert!(
            after.starts_with("[REDACTED]"),
            "unredacted: {}",
            &after[..40.min(after.len())]
        );
    }
    assert!(everything.contains("[REDACTED]"));
}
