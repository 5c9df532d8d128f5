//! The client's error type.

use std::sync::Arc;
use std::time::Duration;

/// A boxed error from the transport layers (hyper, rustls, I/O).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt (request and body) took longer than the per-attempt timeout.
    Attempt,
    /// The whole call, retries included, took longer than the total timeout.
    Total,
}

/// What failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The TCP connection (or the proxy tunnel) could not be opened.
    Connect,
    /// The TLS handshake failed (for instance an untrusted certificate).
    Tls,
    /// The connection broke while the request or response was under way.
    Reset,
    /// The proxy refused the tunnel: it wants credentials (HTTP 407).
    ProxyAuth,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Tls => "TLS",
            Self::Reset => "connection reset",
            Self::ProxyAuth => {
                "the proxy requires authentication (407): put user:password in the proxy URL"
            }
        })
    }
}

/// Everything a call can fail with. `Display` is one short line; the cause is in `source()`.
/// Neither ever holds the access token or the app secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A deadline passed.
    #[error("{}", timeout_message(*kind, *attempts, *after))]
    Timeout {
        /// Which deadline.
        kind: TimeoutKind,
        /// Attempts made (started) by then.
        attempts: u32,
        /// The deadline.
        after: Duration,
    },
    /// The connection failed below HTTP.
    #[error("transport error ({kind})")]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The server answered with a non-success HTTP status.
    #[error("HTTP {status}: {snippet}")]
    Status {
        /// The status code.
        status: u16,
        /// The start of the body, on one line.
        snippet: String,
        /// The `Retry-After` delay, when the server sent one in seconds.
        retry_after: Option<Duration>,
    },
    /// The server answered 2xx with a body that is not a JSON object (a gateway page).
    #[error("HTTP {status} with a body that is not JSON: {snippet}")]
    NotJson {
        /// The status code.
        status: u16,
        /// The start of the body, on one line.
        snippet: String,
    },
    /// The server answered with a redirect, which the client does not follow (a wrong base URL,
    /// or a login page in front of the API).
    #[error("HTTP {status}: a redirect to {location}, not followed; check the base URL")]
    Redirect {
        /// The status code (301, 302, 307, 308…).
        status: u16,
        /// The `Location` header, cut short.
        location: String,
    },
    /// The body came compressed in an encoding the client did not ask for and cannot read.
    #[error("unsupported content encoding {encoding}")]
    ContentEncoding {
        /// The `Content-Encoding` header, cut short.
        encoding: String,
    },
    /// The response body is larger than the configured cap.
    #[error("response body larger than the {limit}-byte cap")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The API answered with a non-zero `code`.
    #[error("API error {code}: {msg}")]
    Api {
        /// `code`.
        code: i64,
        /// `msg`, on one line and cut short (scrubbed of secrets).
        msg: String,
        /// `msg` exactly as the server sent it (scrubbed of secrets; it may be long or hold
        /// control characters: escape it before showing it).
        raw_msg: String,
        /// The HTTP status of the answer (the API's errors usually come with 200).
        status: u16,
    },
    /// The response could not be decoded; the cause (in `source()`) names the JSON path.
    #[error("cannot decode the response")]
    Decode(#[source] wshoto_model::DecodeError),
    /// No access token could be obtained; the cause is in `source()`.
    #[error("cannot obtain an access token")]
    Token(#[source] Arc<Error>),
    /// The call was cancelled before it finished (the runtime is shutting down).
    #[error("the call was cancelled")]
    Cancelled,
}

fn timeout_message(kind: TimeoutKind, attempts: u32, after: Duration) -> String {
    let plural = if attempts == 1 { "" } else { "s" };
    match kind {
        TimeoutKind::Attempt => format!("attempt timed out after {after:?}"),
        TimeoutKind::Total => {
            format!("timed out after {after:?} ({attempts} attempt{plural})")
        }
    }
}

impl Error {
    /// Whether the failure is transient by nature: connect failures, resets, attempt timeouts,
    /// HTTP 429/500/502/503/504 and non-JSON gateway bodies. API error codes are not (the
    /// client's retry policy may still list some as transient).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { kind, .. } => *kind == TimeoutKind::Attempt,
            Self::Transport { kind, .. } => {
                matches!(kind, TransportKind::Connect | TransportKind::Reset)
            }
            Self::Status { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            Self::NotJson { .. } => true,
            Self::Token(inner) => inner.is_retryable(),
            Self::Config(_)
            | Self::Redirect { .. }
            | Self::ContentEncoding { .. }
            | Self::BodyTooLarge { .. }
            | Self::Api { .. }
            | Self::Decode(_)
            | Self::Cancelled => false,
        }
    }

    /// The API error code, for [`Error::Api`] (also inside a token failure).
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            Self::Token(inner) => inner.api_code(),
            _ => None,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn from_decode(error: wshoto_model::DecodeError, status: u16) -> Self {
        match error {
            wshoto_model::DecodeError::Api { code, msg, raw_msg } => Self::Api {
                code,
                msg,
                raw_msg,
                status,
            },
            other => Self::Decode(other),
        }
    }

    /// An API error, for tests and token providers.
    pub fn api(code: i64, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        Self::Api {
            code,
            raw_msg: msg.clone(),
            msg,
            status: 200,
        }
    }
}

/// The error and its causes on one line, `outer: cause: root cause`, skipping a cause whose text
/// its parent already shows.
pub fn display_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds_follow_the_policy_table() {
        let status = |status| Error::Status {
            status,
            snippet: String::new(),
            retry_after: None,
        };
        for code in [429, 500, 502, 503, 504] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 501, 505] {
            assert!(!status(code).is_retryable(), "{code}");
        }
        let api = Error::api(10001, "x");
        assert!(!api.is_retryable());
        assert_eq!(api.api_code(), Some(10001));
        assert_eq!(Error::Token(Arc::new(api)).api_code(), Some(10001));
        assert!(!Error::BodyTooLarge { limit: 1 }.is_retryable());
        assert!(
            Error::Timeout {
                kind: TimeoutKind::Attempt,
                attempts: 1,
                after: Duration::from_secs(1)
            }
            .is_retryable()
        );
        assert!(
            !Error::Timeout {
                kind: TimeoutKind::Total,
                attempts: 3,
                after: Duration::from_secs(1)
            }
            .is_retryable()
        );
    }

    #[test]
    fn chains_read_as_one_line_without_repeats() {
        let api = Error::api(40001, "appid或app_secret错误");
        let token = Error::Token(Arc::new(api));
        assert_eq!(token.to_string(), "cannot obtain an access token");
        assert_eq!(
            display_chain(&token),
            "cannot obtain an access token: API error 40001: appid或app_secret错误"
        );
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let transport = Error::Transport {
            kind: TransportKind::Connect,
            source: Box::new(io),
        };
        assert_eq!(
            display_chain(&transport),
            "transport error (connect): refused"
        );
    }

    #[test]
    fn timeouts_say_how_many_attempts() {
        let e = Error::Timeout {
            kind: TimeoutKind::Total,
            attempts: 3,
            after: Duration::from_secs(2),
        };
        assert_eq!(e.to_string(), "timed out after 2s (3 attempts)");
    }
}
