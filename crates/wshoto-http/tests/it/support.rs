//! Starting a mock and a client that talks to it.

use std::time::Duration;

use wshoto_http::{Client, ClientBuilder, Credentials, RetryPolicy};
use wshoto_mock::{MockConfig, MockServer};

/// A retry policy with short backoff, so that tests run fast.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

/// A plain-HTTP mock with the embedded fixtures.
pub async fn mock() -> MockServer {
    MockServer::start().await.expect("mock starts")
}

/// A mock started with `config`.
pub async fn mock_with(config: MockConfig) -> MockServer {
    MockServer::start_with(config).await.expect("mock starts")
}

/// A mock serving HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with a certificate of its own CA.
pub async fn tls_mock() -> MockServer {
    mock_with(MockConfig {
        tls: true,
        ..MockConfig::default()
    })
    .await
}

/// A builder aimed at `mock`, with its app credentials and fast retries.
pub fn builder(mock: &MockServer) -> ClientBuilder {
    let mut builder = Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::app(mock.app_id(), mock.app_secret()))
        .retry_policy(fast_retries(4))
        .attempt_timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(20));
    if let Some(ca) = mock.ca_pem() {
        builder = builder.add_root_certificate_pem(ca.as_bytes().to_vec());
    }
    builder
}

/// A builder aimed at `mock` with a fixed token it issued, and nothing else set (no extra CA,
/// the default retries).
pub fn token_builder(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::token(mock.issue_token()))
}

/// A client for `mock` with app credentials.
pub fn client(mock: &MockServer) -> Client {
    builder(mock).build().expect("client builds")
}

/// Waits until `condition` holds, looking every 10 ms for at most 5 s; panics with `what` if it
/// never does.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let wait = async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), wait)
        .await
        .is_err()
    {
        panic!("{what}");
    }
}

/// For tests that play the server by hand: the bytes of a request read off `socket` until they
/// end with `ending`, or until the client closes the connection.
pub async fn read_request(socket: &mut tokio::net::TcpStream, ending: &[u8]) -> Vec<u8> {
    use tokio::io::AsyncReadExt;

    let mut request = Vec::new();
    let mut buffer = [0; 4096];
    while !request.ends_with(ending) {
        let read = socket.read(&mut buffer).await.expect("read");
        if read == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..read]);
    }
    request
}

/// For tests that play the server by hand: a `200 OK` with task 54's smallest envelope, and
/// `Connection: close` when `close` is set.
pub async fn answer_task_54(socket: &mut tokio::net::TcpStream, close: bool) {
    use tokio::io::AsyncWriteExt;

    let body = br#"{"code":0,"msg":"ok","data":{"task_id":54}}"#;
    let connection = if close { "connection: close\r\n" } else { "" };
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{connection}\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("write");
    socket.write_all(body).await.expect("write");
}
