//! One HTTP exchange over rustls (ring), with an attempt timeout, a body-size cap, and the
//! classification of what came back: HTTP/1.1 connections driven in the call itself
//! ([`crate::inline_h1`]) for `http://` base URLs and `http1_only`, hyper-util's pooled client
//! (HTTP/2 when the server offers it) otherwise.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::time::Instant;

use crate::error::{BoxError, Error, TransportKind};
use crate::inline_h1::{self, Failure, InlinePool};
use crate::rate_limit::{Overload, RateLimiter};
use crate::redact::Secrets;
use crate::retry::{CallBudget, RetryPolicy};

type RequestBody = Full<Bytes>;

/// Where requests go: HTTP/1.1 connections driven in the call, or hyper-util's client (direct
/// or through an HTTP CONNECT proxy) where HTTP/2 may be spoken.
#[derive(Clone)]
enum Pool {
    Inline(InlinePool),
    Direct(HyperClient<HttpsConnector<HttpConnector>, RequestBody>),
    Proxied(HyperClient<HttpsConnector<Tunnel<HttpConnector>>, RequestBody>),
}

/// The base URL, split once: each request's URI is put together from its parts and the
/// request's path and query, rather than formatted and parsed whole.
#[derive(Clone)]
pub(crate) struct BaseUrl {
    text: String,
    scheme: Scheme,
    authority: Authority,
    /// The base's own path (`""`, or `/prefix` without a trailing slash), before every request's.
    path: String,
}

impl BaseUrl {
    /// `text` (without a trailing slash) split into its parts; `None` if it is no absolute URL
    /// or has a query.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let parts = text.parse::<Uri>().ok()?.into_parts();
        let path_and_query = parts.path_and_query;
        if path_and_query
            .as_ref()
            .is_some_and(|pq| pq.query().is_some())
        {
            return None;
        }
        let path = path_and_query.as_ref().map_or("", PathAndQuery::path);
        Some(Self {
            text: text.to_owned(),
            scheme: parts.scheme?,
            authority: parts.authority?,
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL as configured.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The URI of `path_and_query` (which starts with `/`) under this base.
    fn join(&self, path_and_query: &str) -> Option<Uri> {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(self.join_path(path_and_query)?);
        Uri::from_parts(parts).ok()
    }

    /// The same in origin form (the path and query alone), as an HTTP/1.1 request line has it.
    fn join_origin_form(&self, path_and_query: &str) -> Option<Uri> {
        let mut parts = http::uri::Parts::default();
        parts.path_and_query = Some(self.join_path(path_and_query)?);
        Uri::from_parts(parts).ok()
    }

    fn join_path(&self, path_and_query: &str) -> Option<PathAndQuery> {
        let mut joined = String::with_capacity(self.path.len() + path_and_query.len());
        joined.push_str(&self.path);
        joined.push_str(path_and_query);
        PathAndQuery::from_maybe_shared(Bytes::from(joined)).ok()
    }

    /// The origin (scheme and authority) that connections are opened to.
    fn origin(&self) -> Option<Uri> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query("/")
            .build()
            .ok()
    }

    /// Whether requests go in the clear (`http://`).
    fn is_plain_http(&self) -> bool {
        self.scheme == Scheme::HTTP
    }
}

/// TLS (rustls) around `inner`'s connections to `https://` URLs, offering HTTP/2 and HTTP/1.1
/// by ALPN, or HTTP/1.1 alone.
fn https_connector<H>(settings: &TransportSettings, inner: H) -> HttpsConnector<H> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(settings.tls.clone())
        .https_or_http()
        .enable_http1();
    if settings.http1_only {
        builder.wrap_connector(inner)
    } else {
        builder.enable_http2().wrap_connector(inner)
    }
}

/// The origin connections are opened to, and the `Host` header of every request, for the
/// inline HTTP/1.1 pool.
fn inline_origin(base_url: &BaseUrl) -> Option<(Uri, HeaderValue)> {
    let origin = base_url.origin()?;
    let host = inline_h1::host_header(&origin)?;
    Some((origin, host))
}

/// What the transport needs to be built.
pub(crate) struct TransportSettings {
    pub(crate) base_url: BaseUrl,
    pub(crate) tls: rustls::ClientConfig,
    pub(crate) proxy: Option<ProxySettings>,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) user_agent: HeaderValue,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    /// Offer only HTTP/1.1 by ALPN.
    pub(crate) http1_only: bool,
    pub(crate) retry: RetryPolicy,
    /// Requests per second and burst, when limited.
    pub(crate) rate_limit: Option<(f64, u32)>,
}

/// An HTTP CONNECT proxy: its address, and the `Proxy-Authorization` made from the URL's
/// credentials. `Debug` shows only the address.
#[derive(Clone)]
pub(crate) struct ProxySettings {
    pub(crate) uri: Uri,
    pub(crate) authorization: Option<HeaderValue>,
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = if self.authorization.is_some() {
            "[REDACTED]@"
        } else {
            ""
        };
        write!(
            f,
            "http://{credentials}{}",
            self.uri.authority().map_or("", |a| a.host())
        )?;
        match self.uri.port_u16() {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// The shared transport: cheap to clone, one connection pool.
#[derive(Clone)]
pub(crate) struct Transport {
    pool: Pool,
    /// The headers every request carries, made once and cloned into each request (cheaper than
    /// inserting them one by one).
    request_headers: Arc<HeaderMap>,
    settings: Arc<TransportSettings>,
    limiter: Arc<RateLimiter>,
    secrets: Arc<Secrets>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Transport")
            .field("base_url", &s.base_url.as_str())
            .field("proxy", &s.proxy)
            .field("connect_timeout", &s.connect_timeout)
            .field("attempt_timeout", &s.attempt_timeout)
            .field("total_timeout", &s.total_timeout)
            .field("max_body_bytes", &s.max_body_bytes)
            .field("http1_only", &s.http1_only)
            .field("retry", &s.retry)
            .field("rate_limit", &s.rate_limit)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(settings: TransportSettings, secrets: Arc<Secrets>) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.connect_timeout));
        let mut builder = HyperClient::builder(TokioExecutor::new());
        // The timer lets the pool close idle connections in the background, not only when one is
        // next checked out.
        builder
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host);
        let tunnel = settings.proxy.as_ref().map(|proxy| {
            let tunnel = Tunnel::new(proxy.uri.clone(), http.clone());
            match &proxy.authorization {
                Some(authorization) => tunnel.with_auth(authorization.clone()),
                None => tunnel,
            }
        });
        let inline = settings.http1_only || settings.base_url.is_plain_http();
        let pool = match (tunnel, inline_origin(&settings.base_url).filter(|_| inline)) {
            (tunnel, Some((origin, host))) => {
                let connect = match tunnel {
                    None => inline_h1::connect_with(https_connector(&settings, http), origin),
                    Some(tunnel) => {
                        inline_h1::connect_with(https_connector(&settings, tunnel), origin)
                    }
                };
                Pool::Inline(InlinePool::new(
                    connect,
                    host,
                    settings.pool_idle_timeout,
                    settings.pool_max_idle_per_host,
                ))
            }
            (None, None) => Pool::Direct(builder.build(https_connector(&settings, http))),
            (Some(tunnel), None) => {
                Pool::Proxied(builder.build(https_connector(&settings, tunnel)))
            }
        };
        let limiter = Arc::new(RateLimiter::new(
            settings.rate_limit,
            settings.retry.max_retry_after,
        ));
        let mut request_headers = HeaderMap::with_capacity(4);
        request_headers.insert(header::USER_AGENT, settings.user_agent.clone());
        request_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        // Compressed bodies are not read: ask for none.
        request_headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        Self {
            pool,
            request_headers: Arc::new(request_headers),
            settings: Arc::new(settings),
            limiter,
            secrets,
        }
    }

    /// The secrets every error is scrubbed of.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The client-wide rate limiter.
    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.settings.retry
    }

    pub(crate) fn total_timeout(&self) -> Duration {
        self.settings.total_timeout
    }

    /// One attempt: a slot of the rate limit, then the request and the whole body (capped)
    /// within the attempt timeout, all within the call's deadline (`budget`). Returns the body
    /// of a 2xx answer that looks like a JSON object. A 429 or a `Retry-After` slows the whole
    /// client down.
    pub(crate) async fn send_once(
        &self,
        budget: &CallBudget,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<(u16, Bytes), Error> {
        budget
            .bound(async {
                self.limiter.acquire().await;
                Ok(())
            })
            .await?;
        let result = budget
            .bound_attempt(
                self.settings.attempt_timeout,
                self.exchange(method, path_and_query, body),
            )
            .await;
        if let Err(Error::Status {
            status,
            retry_after,
            ..
        }) = &result
        {
            match (status, retry_after) {
                (429, _) => self
                    .limiter
                    .overloaded(Overload::TooManyRequests, *retry_after),
                (_, Some(after)) => self.limiter.overloaded(Overload::RetryAfter, Some(*after)),
                _ => {}
            }
        }
        result
    }

    async fn exchange(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<(u16, Bytes), Error> {
        let base_url = &self.settings.base_url;
        let uri = match &self.pool {
            Pool::Inline(_) => base_url.join_origin_form(path_and_query),
            Pool::Direct(_) | Pool::Proxied(_) => base_url.join(path_and_query),
        }
        .ok_or_else(|| Error::Config("the request URL is not valid".to_owned()))?;
        let has_body = body.is_some();
        let mut request = Request::new(Full::new(body.unwrap_or_default()));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        *headers = HeaderMap::clone(&self.request_headers);
        if has_body {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let started = Instant::now();
        let read = |response| self.read_response(response, started);
        match &self.pool {
            // Boxed: the exchange holds the connection's futures and the response's, a few
            // kilobytes that every move of the caller's future would otherwise copy (hyper-util's
            // client boxes its response future the same way).
            Pool::Inline(pool) => Box::pin(pool.exchange(request, read))
                .await
                .map_err(|failure| match failure {
                    Failure::Connect(source) => transport_error(source, true),
                    Failure::Send(error) => transport_error(Box::new(error), false),
                    Failure::Read(error) => error,
                }),
            Pool::Direct(client) => {
                read(client.request(request).await.map_err(pooled_error)?).await
            }
            Pool::Proxied(client) => {
                read(client.request(request).await.map_err(pooled_error)?).await
            }
        }
    }

    /// The response checked (redirect, encoding, announced size), and its body read (capped)
    /// and classified.
    async fn read_response(
        &self,
        response: Response<Incoming>,
        started: Instant,
    ) -> Result<(u16, Bytes), Error> {
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        tracing::debug!(
            status = status.as_u16(),
            version = ?response.version(),
            latency_ms = started.elapsed().as_millis() as u64,
            "response head"
        );
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_else(|| "nowhere (no Location header)".to_owned());
            return Err(Error::Redirect {
                status: status.as_u16(),
                location: self.secrets.snippet(location.as_bytes()),
            });
        }
        if let Some(encoding) = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .filter(|v| !v.as_bytes().trim_ascii().eq_ignore_ascii_case(b"identity"))
        {
            return Err(Error::ContentEncoding {
                encoding: self.secrets.snippet(encoding.as_bytes()),
            });
        }
        let limit = self.settings.max_body_bytes;
        let announced = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|len| len > limit as u64) {
            return Err(Error::BodyTooLarge { limit });
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    Error::BodyTooLarge { limit }
                } else {
                    Error::Transport {
                        kind: TransportKind::Reset,
                        source: e,
                    }
                }
            })?
            .to_bytes();
        classify(&self.secrets, status, retry_after, body).map(|body| (status.as_u16(), body))
    }

    /// A GET with the retry policy, within the total timeout: for the token endpoint.
    pub(crate) async fn get_with_retries(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<(u16, Bytes), Error> {
        let path_and_query = format!("{path}?{}", encode_query(query));
        let budget = CallBudget::new(self.settings.total_timeout);
        budget
            .retry(&self.settings.retry, || {
                self.send_once(&budget, Method::GET, &path_and_query, None)
            })
            .await
    }
}

/// A non-2xx status is [`Error::Status`]; a 2xx body that is not a JSON object is
/// [`Error::NotJson`] (a gateway page).
fn classify(
    secrets: &Secrets,
    status: StatusCode,
    retry_after: Option<Duration>,
    body: Bytes,
) -> Result<Bytes, Error> {
    if !status.is_success() {
        return Err(Error::Status {
            status: status.as_u16(),
            snippet: secrets.snippet(&body),
            retry_after,
        });
    }
    // A UTF-8 byte-order mark (some gateways add one) does not make a body non-JSON.
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(Error::NotJson {
            status: status.as_u16(),
            snippet: secrets.snippet(&body),
        });
    }
    Ok(body)
}

/// [`transport_error`] of hyper-util's client's error.
fn pooled_error(error: hyper_util::client::legacy::Error) -> Error {
    let connect = error.is_connect();
    transport_error(Box::new(error), connect)
}

/// Names what failed below HTTP: a rustls error anywhere in the chain is TLS; a failure to
/// open the connection (`connect`) is connect; anything else broke an open connection.
fn transport_error(error: BoxError, connect: bool) -> Error {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
    let (mut tls, mut proxy_auth) = (false, false);
    while let Some(current) = cause {
        if current.downcast_ref::<rustls::Error>().is_some() {
            tls = true;
            break;
        }
        // hyper-util's tunnel error is private; its text is the only sign of a 407.
        if current.to_string() == "tunnel error: proxy authorization required" {
            proxy_auth = true;
            break;
        }
        // `io::Error::source` skips the error it wraps; look at that one itself.
        cause = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    let kind = match (tls, proxy_auth, connect) {
        (true, _, _) => TransportKind::Tls,
        (_, true, _) => TransportKind::ProxyAuth,
        (false, false, true) => TransportKind::Connect,
        (false, false, false) => TransportKind::Reset,
    };
    Error::Transport {
        kind,
        source: error,
    }
}

/// `a=1&b=2`, percent-encoding everything but unreserved characters.
pub(crate) fn encode_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_percent_encoded(&mut out, text);
    out
}

/// [`percent_encode`] onto the end of `out`: runs of unreserved characters in one piece.
pub(crate) fn push_percent_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = text;
    while let Some(reserved) =
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        out.push_str(&rest[..reserved]);
        let character = rest[reserved..].chars().next().unwrap_or_default();
        let mut utf8 = [0; 4];
        for &byte in character.encode_utf8(&mut utf8).as_bytes() {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
        rest = &rest[reserved + character.len_utf8()..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(
            encode_query(&[("appid", "a b"), ("app_secret", "x+y/z")]),
            "appid=a%20b&app_secret=x%2By%2Fz"
        );
        assert_eq!(percent_encode("中"), "%E4%B8%AD");
    }

    #[test]
    fn percent_encoding_escapes_each_byte_of_every_reserved_character() {
        // The straightforward encoder, byte by byte, that `push_percent_encoded` must match.
        let reference = |text: &str| {
            text.bytes()
                .map(|byte| {
                    if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                        char::from(byte).to_string()
                    } else {
                        format!("%{byte:02X}")
                    }
                })
                .collect::<String>()
        };
        for text in [
            "",
            "abcXYZ019-_.~",
            "a b+c/d=e&f?g#h%i",
            "中文 token😀",
            "=",
            "~~",
            "末",
            "ACCESS_TOKEN.v2+/=",
        ] {
            assert_eq!(percent_encode(text), reference(text), "{text:?}");
            let mut appended = String::from("?access_token=");
            push_percent_encoded(&mut appended, text);
            assert_eq!(appended, format!("?access_token={}", reference(text)));
        }
    }

    #[test]
    fn request_urls_are_joined_to_the_base_and_its_path() {
        let join = |base: &str, path: &str| {
            BaseUrl::parse(base)
                .and_then(|base| base.join(path))
                .map(|uri| uri.to_string())
        };
        assert_eq!(
            join("http://127.0.0.1:8080", "/openapi/x?access_token=a%2Bb").as_deref(),
            Some("http://127.0.0.1:8080/openapi/x?access_token=a%2Bb")
        );
        assert_eq!(
            join("https://gw.example.com/wshoto", "/openapi/x?a=1").as_deref(),
            Some("https://gw.example.com/wshoto/openapi/x?a=1")
        );
        assert_eq!(
            join("https://gw.example.com/", "/p").as_deref(),
            Some("https://gw.example.com/p")
        );
        assert_eq!(join("https://gw.example.com?x=1", "/p"), None);
        assert_eq!(join("/relative", "/p"), None);
        assert_eq!(join("https://gw.example.com", "/p q"), None);
        let base = BaseUrl::parse("https://gw.example.com/wshoto").expect("parses");
        assert_eq!(base.as_str(), "https://gw.example.com/wshoto");
        // The origin form of an HTTP/1.1 request line, and the origin connections go to.
        let origin_form = |path| base.join_origin_form(path).map(|uri| uri.to_string());
        assert_eq!(
            origin_form("/openapi/x?a=1").as_deref(),
            Some("/wshoto/openapi/x?a=1")
        );
        assert_eq!(origin_form("/p q"), None);
        assert_eq!(
            base.origin().map(|uri| uri.to_string()).as_deref(),
            Some("https://gw.example.com/")
        );
        assert!(!base.is_plain_http());
        assert!(BaseUrl::parse("http://127.0.0.1:1").is_some_and(|base| base.is_plain_http()));
    }

    #[test]
    fn bodies_are_classified() {
        let secrets = Secrets::default();
        let classify = |status, retry_after, body| classify(&secrets, status, retry_after, body);
        let ok = classify(StatusCode::OK, None, Bytes::from_static(b" {\"code\":0}"));
        assert!(ok.is_ok());
        let bom = classify(StatusCode::OK, None, Bytes::from_static(b"\xEF\xBB\xBF{}"));
        assert!(bom.is_ok());
        let html = classify(
            StatusCode::OK,
            None,
            Bytes::from_static(b"<html>502</html>"),
        );
        assert!(matches!(html, Err(Error::NotJson { status: 200, .. })));
        let unavailable = classify(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(Duration::from_secs(2)),
            Bytes::from_static(b"busy"),
        );
        match unavailable {
            Err(Error::Status {
                status,
                snippet,
                retry_after,
            }) => {
                assert_eq!(
                    (status, snippet.as_str(), retry_after),
                    (503, "busy", Some(Duration::from_secs(2)))
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
