//! TLS, plain-HTTP refusal, the proxy, and redaction of secrets.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wshoto_http::{Client, Credentials, Error, TransportKind};
use wshoto_mock::{ConnectProxy, Fault, MockConfig, MockServer, Route};

use crate::support::{builder, fast_retries, mock_with};

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    for url in [
        "http://open.wshoto.com",
        "http://10.0.0.8:8080",
        "http://[::2]:80",
    ] {
        let error = Client::builder()
            .base_url(url)
            .credentials(Credentials::token("t"))
            .build()
            .expect_err(url);
        assert!(matches!(error, Error::Config(_)), "{url}: {error}");
        assert!(error.to_string().contains("refusing plain http"), "{error}");
    }
    for url in [
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://[::1]:9",
        "https://open.wshoto.com",
    ] {
        Client::builder()
            .base_url(url)
            .credentials(Credentials::token("t"))
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    Client::builder()
        .base_url("http://10.0.0.8:8080")
        .credentials(Credentials::token("t"))
        .danger_allow_insecure_http(true)
        .build()
        .expect("explicit opt-in");
}

#[tokio::test]
async fn invalid_settings_are_typed_build_errors() {
    let missing = Client::builder().build().expect_err("no credentials");
    assert!(
        missing.to_string().contains("credentials are required"),
        "{missing}"
    );
    let cases: Vec<(&str, wshoto_http::ClientBuilder)> = vec![
        ("not a url", Client::builder().base_url("::nope::")),
        ("ftp", Client::builder().base_url("ftp://example.com")),
        (
            "zero timeout",
            Client::builder().attempt_timeout(Duration::ZERO),
        ),
        (
            "bad pem",
            Client::builder().add_root_certificate_pem(b"not a pem".to_vec()),
        ),
        (
            "socks proxy",
            Client::builder().proxy("socks5://127.0.0.1:1080"),
        ),
        (
            "zero attempts",
            Client::builder().retry_policy(wshoto_http::RetryPolicy {
                max_attempts: 0,
                ..Default::default()
            }),
        ),
        ("bad user agent", Client::builder().user_agent("bad\nagent")),
    ];
    for (name, builder) in cases {
        let error = builder
            .credentials(Credentials::token("t"))
            .build()
            .expect_err(name);
        assert!(matches!(error, Error::Config(_)), "{name}: {error}");
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_and_not_retried() {
    let mock = mock_with(MockConfig {
        tls: true,
        ..MockConfig::default()
    })
    .await;
    let client = Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::token(mock.issue_token()))
        .retry_policy(fast_retries(4))
        .build()
        .expect("client without the mock's CA");
    let error = client.mass_task_detail(54).await.expect_err("untrusted");
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Tls,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(mock.stats().api_requests, 0);
    assert_eq!(mock.stats().connections, 1, "one handshake, no retry");
}

#[tokio::test]
async fn requests_go_through_an_http_connect_proxy() {
    let mock = mock_with(MockConfig {
        tls: true,
        ..MockConfig::default()
    })
    .await;
    let proxy = ConnectProxy::start().await.expect("proxy");
    let client = builder(&mock).proxy(proxy.url()).build().expect("client");
    assert_eq!(
        client
            .mass_task_detail(54)
            .await
            .expect("through the proxy")
            .task_id,
        54
    );
    assert!(proxy.tunnels() >= 1, "the proxy tunnelled the connection");
    assert_eq!(proxy.tunnels(), mock.stats().connections);
}

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

#[test]
fn secrets_never_appear_in_logs_debug_or_errors() {
    // A process-wide subscriber: a thread-scoped one can miss events when other tests register
    // the same callsites concurrently. It also captures what the other tests log meanwhile,
    // which must not leak either.
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    let mut formatted = Vec::new();
    let mut tokens = Vec::new();
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mock = MockServer::start_with(MockConfig {
                app_secret: SECRET.to_owned(),
                ..MockConfig::default()
            })
            .await
            .expect("mock");
            let builder = builder(&mock);
            formatted.push(format!("{builder:?}"));
            let client = builder.build().expect("client");
            formatted.push(format!("{client:?}"));
            client.mass_task_detail(54).await.expect("ok");
            // A rejected token, a refresh, a retryable fault and a final failure, all logged.
            mock.revoke_tokens();
            mock.faults().push(
                Route::Api,
                Fault::Status {
                    status: 503,
                    retry_after: None,
                },
            );
            client.mass_task_detail(54).await.expect("recovers");
            mock.faults().always(
                Route::Api,
                Fault::ApiError {
                    code: 10001,
                    msg: "invalid".into(),
                },
            );
            let error = client.mass_task_detail(54).await.expect_err("fails");
            formatted.push(format!("{error} {error:?}"));
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                formatted.push(format!("{cause} {cause:?}"));
                source = cause.source();
            }
            // Every token the mock issued is a secret too.
            tokens.push(mock.issue_token());
            let fixed = Credentials::token(tokens[0].clone());
            formatted.push(format!("{fixed:?}"));
            let app = Credentials::app("appid", SECRET);
            formatted.push(format!("{app:?}"));
            let bad_builder = Client::builder()
                .base_url(format!("{}/", mock.url()))
                .credentials(Credentials::app(mock.app_id(), SECRET))
                .proxy("http://user:proxy-password@127.0.0.1:1")
                .retry_policy(fast_retries(1));
            formatted.push(format!("{bad_builder:?}"));
            let bad = bad_builder.build().expect("client");
            formatted.push(format!("{bad:?}"));
            let error = bad.mass_task_detail(54).await.expect_err("proxy down");
            formatted.push(format!("{error} {error:?}"));
        });
    }
    let logs = String::from_utf8(capture.0.lock().expect("capture").clone()).expect("utf-8");
    assert!(logs.contains("wshoto.call"), "spans were captured: {logs}");
    assert!(logs.contains("retrying"), "the retry was logged");
    assert!(
        logs.contains("task_id=54") && logs.contains("attempt="),
        "span fields: {logs}"
    );
    assert!(
        logs.contains("path=/openapi/mass_send/corp/get_mass_task_detail"),
        "{logs}"
    );
    let everything = format!("{logs}\n{}", formatted.join("\n"));
    assert!(
        !everything.contains(SECRET),
        "the app secret leaked:\n{everything}"
    );
    assert!(
        !everything.contains("access_token="),
        "a token-bearing URL leaked:\n{everything}"
    );
    assert!(
        !everything.contains("proxy-password"),
        "the proxy password leaked:\n{everything}"
    );
    for token in &tokens {
        assert!(
            !everything.contains(token.as_str()),
            "a token leaked:\n{everything}"
        );
    }
    // Every token the mock issues is `mock-` and 32 hex digits.
    let leaked = everything.match_indices("mock-").any(|(at, _)| {
        let rest = &everything[at + 5..];
        rest.len() >= 32 && rest[..32].bytes().all(|b| b.is_ascii_hexdigit())
    });
    assert!(!leaked, "an issued token leaked:\n{everything}");
    assert!(everything.contains("[REDACTED]"));
}

#[tokio::test]
async fn a_gateway_page_echoing_the_url_does_not_leak_the_token_into_errors() {
    let mock = crate::support::mock().await;
    let token = mock.issue_token();
    for status in [200, 400] {
        mock.faults()
            .push(Route::Api, Fault::EchoRequestLine { status });
        let client = Client::builder()
            .base_url(mock.url())
            .credentials(Credentials::token(token.clone()))
            .retry_policy(wshoto_http::RetryPolicy::none())
            .build()
            .expect("client");
        let error = client.mass_task_detail(54).await.expect_err("gateway page");
        let shown = format!(
            "{error} | {error:?} | {}",
            wshoto_http::display_chain(&error)
        );
        assert!(
            shown.contains("access_token=[REDACTED]"),
            "the page was echoed: {shown}"
        );
        assert!(!shown.contains(&token), "the token leaked: {shown}");
    }
}
