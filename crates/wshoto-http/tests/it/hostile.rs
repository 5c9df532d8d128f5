//! A hostile or misconfigured server: echoed secrets, redirects, compressed bodies, a proxy that
//! wants credentials, credentials in the base URL.

use std::time::Duration;

use wshoto_http::{Client, Credentials, Error, RetryPolicy, TransportKind};
use wshoto_mock::{ConnectProxy, Fault, MockConfig, Route};

use crate::support::{builder, eventually, fast_retries, mock, mock_with};

const SECRET: &str = "S3cr3t/app+secret=0xCAFE";

/// A builder aimed at `mock` with `token` as a fixed token.
fn fixed_token(mock: &wshoto_mock::MockServer, token: &str) -> wshoto_http::ClientBuilder {
    Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::token(token))
}

/// The error and its causes, every way a user may print them.
fn shown(error: &Error) -> String {
    format!(
        "{error} | {error:?} | {}",
        wshoto_http::display_chain(error)
    )
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_app_secret_does_not_leak_it() {
    let mock = mock_with(MockConfig {
        app_secret: SECRET.to_owned(),
        ..MockConfig::default()
    })
    .await;
    let encoded = "S3cr3t%2Fapp%2Bsecret%3D0xCAFE";
    for msg in [
        format!("bad credentials in /openapi/access_token?appid=x&app_secret={SECRET}"),
        format!("bad credentials in /openapi/access_token%3Fappid%3Dx%26app_secret%3D{encoded}"),
        format!("the secret {SECRET} is wrong"),
    ] {
        mock.faults().push(
            Route::Token,
            Fault::ApiError {
                code: 40001,
                msg: msg.clone(),
            },
        );
        let client = builder(&mock)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        let error = client.mass_task_detail(54).await.expect_err("refused");
        assert_eq!(error.api_code(), Some(40001));
        let text = shown(&error);
        assert!(
            !text.contains("S3cr3t") && !text.contains("0xCAFE"),
            "{msg} → {text}"
        );
        assert!(text.contains("[REDACTED]"), "{text}");
    }
}

#[tokio::test]
async fn an_api_echoing_the_token_in_any_encoding_does_not_leak_it() {
    let mock = mock().await;
    let token = mock.issue_token();
    let client = fixed_token(&mock, &token)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let faults = [
        Fault::ApiError {
            code: 10002,
            msg: format!("denied for access_token={token}"),
        },
        Fault::ApiError {
            code: 10002,
            msg: format!("denied for {token}"),
        },
        // A gateway page with the URL percent-encoded.
        Fault::Body {
            status: 400,
            body: format!("<html>bad request %2Fopenapi%3Faccess_token%3D{token}</html>"),
        },
        // A JSON body that escapes `=` (as Gson does).
        Fault::Body {
            status: 200,
            body: format!(r#"{{"code":40000,"msg":"bad url /x?access_token\u003d{token}"}}"#),
        },
        // The same, the token's every character escaped.
        Fault::Body {
            status: 200,
            body: format!(
                r#"{{"code":40000,"msg":"echo {}"}}"#,
                token
                    .chars()
                    .map(|c| format!("\\u{:04x}", c as u32))
                    .collect::<String>()
            ),
        },
    ];
    for fault in faults {
        mock.faults().push(Route::Api, fault.clone());
        let error = client.mass_task_detail(54).await.expect_err("refused");
        let text = shown(&error);
        assert!(!text.contains(&token), "{fault:?} → {text}");
        assert!(
            !text.contains(&token[5..20]),
            "a part of it: {fault:?} → {text}"
        );
        assert!(text.contains("[REDACTED]"), "{fault:?} → {text}");
    }
}

#[tokio::test]
async fn task_data_can_be_redacted_before_it_is_shown() {
    let mock = mock().await;
    let token = mock.issue_token();
    let client = fixed_token(&mock, &token).build().expect("client");
    let echoed = format!("task named after {token}");
    assert_eq!(client.redact(&echoed), "task named after [REDACTED]");
    assert_eq!(client.redact("nothing secret"), "nothing secret");
}

#[tokio::test]
async fn credentials_in_the_base_url_are_refused_without_echoing_them() {
    for url in [
        "http://user:pa55word@127.0.0.1:9",
        "https://user@open.wshoto.com",
        "https://:pa55word@open.wshoto.com/x",
    ] {
        let error = Client::builder()
            .base_url(url)
            .credentials(Credentials::token("token"))
            .build()
            .expect_err(url);
        assert!(matches!(error, Error::Config(_)), "{url}: {error}");
        let text = shown(&error);
        assert!(text.contains("must not carry credentials"), "{text}");
        assert!(
            !text.contains("pa55word") && !text.contains("user@"),
            "{text}"
        );
    }
    // An `@` after the host is not user-info.
    Client::builder()
        .base_url("https://open.wshoto.com/a@b")
        .credentials(Credentials::token("token"))
        .build()
        .expect("a path may hold @");
}

#[tokio::test]
async fn an_empty_token_is_a_configuration_error() {
    for token in ["", "  "] {
        let error = Client::builder()
            .credentials(Credentials::token(token))
            .build()
            .expect_err("empty");
        assert!(
            error.to_string().contains("the access token is empty"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_compressed_body_is_named_and_not_retried() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(fast_retries(4))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("warm");
    mock.faults()
        .push(Route::Api, Fault::ContentEncoding("gzip".into()));
    let error = client.mass_task_detail(54).await.expect_err("gzip");
    assert_eq!(error.to_string(), "unsupported content encoding gzip");
    assert!(!error.is_retryable());
    assert_eq!(mock.stats().api_requests, 2, "not retried");
}

#[tokio::test]
async fn a_redirect_says_where_to_and_is_not_followed() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(fast_retries(4))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("warm");
    for status in [301, 302, 307, 308] {
        mock.faults().push(
            Route::Api,
            Fault::Redirect {
                status,
                location: "https://login.example.com/sso?next=%2F".into(),
            },
        );
        let error = client.mass_task_detail(54).await.expect_err("redirect");
        assert_eq!(
            error.to_string(),
            format!(
                "HTTP {status}: a redirect to https://login.example.com/sso?next=%2F, not \
                 followed; check the base URL"
            )
        );
    }
    assert_eq!(mock.stats().api_requests, 5, "none followed or retried");
}

#[tokio::test]
async fn a_proxy_asking_for_credentials_is_not_retried() {
    let mock = mock().await;
    let proxy = ConnectProxy::start_requiring_auth().await.expect("proxy");
    let client = builder(&mock)
        .proxy(proxy.url())
        .retry_policy(fast_retries(4))
        .build()
        .expect("client");
    let error = client.mass_task_detail(54).await.expect_err("407");
    let Error::Token(inner) = &error else {
        panic!("the token fetch goes first: {error:?}")
    };
    assert!(
        matches!(
            inner.as_ref(),
            Error::Transport {
                kind: TransportKind::ProxyAuth,
                ..
            }
        ),
        "{inner:?}"
    );
    assert!(
        wshoto_http::display_chain(&error).contains("the proxy requires authentication (407)"),
        "{}",
        wshoto_http::display_chain(&error)
    );
    assert_eq!(proxy.requests(), 1, "asked once, not four times");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_in_the_background() {
    let mock = mock().await;
    let client = builder(&mock)
        .pool_idle_timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    client.mass_task_detail(54).await.expect("task");
    assert_eq!(mock.stats().connections_open, 1);
    // No call is made: the pool's timer closes the idle connection on its own.
    eventually("the idle connection was closed without a new call", || {
        mock.stats().connections_open == 0
    })
    .await;
}
