//! TLS, plain-HTTP refusal, the proxy, and redaction of secrets.

use std::time::Duration;

use wshoto_http::{Client, Credentials, Error, TransportKind};
use wshoto_mock::{ConnectProxy, Fault, Route};

use crate::support::{builder, fast_retries, tls_mock, token_builder};

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
            Client::builder().retry_policy(wshoto_http::RetryPolicy::default().max_attempts(0)),
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
    let mock = tls_mock().await;
    let client = token_builder(&mock)
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
    let mock = tls_mock().await;
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
