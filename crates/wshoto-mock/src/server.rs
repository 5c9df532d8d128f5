//! The mock server: accept loop, routes and token bookkeeping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::body::MockBody;
use crate::faults::{Fault, FaultPlan, Route, lock};
use crate::fixtures::Fixtures;
use crate::responses::{
    envelope_error, html, json, oversized, query_pairs, raw_json, response, status_page, truncate,
    without_length,
};
use crate::tls::{self, TlsSetupError};

/// Path of the token endpoint.
pub const TOKEN_PATH: &str = "/openapi/access_token";
/// Path of the task detail endpoint.
pub const DETAIL_PATH: &str = "/openapi/mass_send/corp/get_mass_task_detail";
/// Path of the per-staff execution endpoint (a sibling the mock answers with an empty page).
pub const EXECUTE_DETAIL_PATH: &str = "/openapi/mass_send/corp/get_mass_task_execute_detail";

/// Code for a token the mock never issued (or no token).
pub const CODE_TOKEN_INVALID: i64 = 10001;
/// Code for a revoked token.
pub const CODE_TOKEN_REVOKED: i64 = 10010;
/// Code for an expired token.
pub const CODE_TOKEN_EXPIRED: i64 = 10011;
/// Code for wrong app credentials.
pub const CODE_BAD_CREDENTIALS: i64 = 40001;
/// Code for a task id with no fixture.
pub const CODE_TASK_NOT_FOUND: i64 = 60001;
/// Code for a request body without a usable `task_id`.
pub const CODE_BAD_REQUEST: i64 = 40000;

/// How to start a mock.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where to listen; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Serve HTTPS with a certificate made at start (see [`MockServer::ca_pem`]).
    pub tls: bool,
    /// The `appid` the token endpoint accepts.
    pub app_id: String,
    /// The `app_secret` the token endpoint accepts.
    pub app_secret: String,
    /// `expires_in` of issued tokens. Default 7200 s.
    pub token_ttl: Duration,
    /// The tasks served.
    pub fixtures: Fixtures,
    /// Ids in this range that have no fixture are answered with a task generated from the id
    /// (see [`crate::synthetic_task`]), for large exports and benchmarks; ids outside it get the
    /// not-found error. Default `None`.
    pub synthetic: Option<RangeInclusive<i64>>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            app_id: "mock-app-id".to_owned(),
            app_secret: "mock-app-secret".to_owned(),
            token_ttl: Duration::from_secs(7200),
            fixtures: Fixtures::embedded(),
            synthetic: None,
        }
    }
}

/// Why the mock could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
}

/// Request counters, for assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Requests to the token endpoint.
    pub token_requests: u64,
    /// Requests to the API endpoints.
    pub api_requests: u64,
    /// Tokens issued.
    pub tokens_issued: u64,
    /// API requests refused for their token.
    pub tokens_rejected: u64,
    /// Connections accepted.
    pub connections: u64,
    /// Connections open now (a client closing an idle connection counts it out).
    pub connections_open: u64,
    /// Requests that arrived over HTTP/2.
    pub http2_requests: u64,
    /// API requests being answered now (a request the client gave up on counts until the mock
    /// notices).
    pub api_in_flight: u64,
    /// The most API requests being answered at the same time.
    pub api_in_flight_peak: u64,
}

#[derive(Debug, Default)]
struct Counters {
    token_requests: AtomicU64,
    api_requests: AtomicU64,
    tokens_issued: AtomicU64,
    tokens_rejected: AtomicU64,
    connections: AtomicU64,
    connections_open: AtomicU64,
    http2_requests: AtomicU64,
    api_in_flight: AtomicU64,
    api_in_flight_peak: AtomicU64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    Valid { expires: Instant },
    Revoked,
}

#[derive(Debug)]
struct State {
    config: MockConfig,
    tokens: std::sync::Mutex<HashMap<String, TokenState>>,
    faults: FaultPlan,
    counters: Counters,
    /// When each request (token or API) arrived, in order.
    arrivals: std::sync::Mutex<Vec<Instant>>,
    /// API requests per task id.
    requests_per_task: std::sync::Mutex<HashMap<i64, u64>>,
}

/// A running mock. Dropping it stops the server and closes its connections.
#[derive(Debug)]
pub struct MockServer {
    url: String,
    addr: SocketAddr,
    ca_pem: Option<String>,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Starts a mock with the default configuration (plain HTTP, embedded fixtures).
    pub async fn start() -> Result<Self, MockError> {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a mock. Must be called inside a tokio runtime.
    pub async fn start_with(config: MockConfig) -> Result<Self, MockError> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| MockError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: config.addr,
            source,
        })?;
        let tls = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let host = match addr {
            SocketAddr::V4(v4) => v4.ip().to_string(),
            SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        };
        let url = format!("{scheme}://{host}:{}", addr.port());
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.server_config));
        let state = Arc::new(State {
            config,
            tokens: std::sync::Mutex::default(),
            faults: FaultPlan::default(),
            counters: Counters::default(),
            arrivals: std::sync::Mutex::default(),
            requests_per_task: std::sync::Mutex::default(),
        });
        let (shutdown, stop) = oneshot::channel();
        tokio::spawn(accept_loop(listener, acceptor, Arc::clone(&state), stop));
        tracing::debug!(%url, "wshoto mock listening");
        Ok(Self {
            url,
            addr,
            ca_pem,
            state,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL, such as `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// With TLS, the PEM of the CA that signed the server certificate: trust it in the client.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The `appid` the token endpoint accepts.
    pub fn app_id(&self) -> &str {
        &self.state.config.app_id
    }

    /// The `app_secret` the token endpoint accepts.
    pub fn app_secret(&self) -> &str {
        &self.state.config.app_secret
    }

    /// The planned faults; push to them to make the next requests misbehave.
    pub fn faults(&self) -> &FaultPlan {
        &self.state.faults
    }

    /// Issues a token directly (as if fetched), for clients configured with a fixed token.
    pub fn issue_token(&self) -> String {
        self.state.issue_token()
    }

    /// API requests received for each task id (every attempt counts), for checking retry
    /// bounds.
    pub fn requests_per_task(&self) -> HashMap<i64, u64> {
        lock(&self.state.requests_per_task).clone()
    }

    /// Every token issued so far (for tests that check none of them leaked).
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).keys().cloned().collect()
    }

    /// Revokes every token issued so far: requests using them get code 10010.
    pub fn revoke_tokens(&self) {
        self.state.revoke_all();
    }

    /// The request counters so far.
    pub fn stats(&self) -> Stats {
        let c = &self.state.counters;
        Stats {
            token_requests: c.token_requests.load(Ordering::SeqCst),
            api_requests: c.api_requests.load(Ordering::SeqCst),
            tokens_issued: c.tokens_issued.load(Ordering::SeqCst),
            tokens_rejected: c.tokens_rejected.load(Ordering::SeqCst),
            connections: c.connections.load(Ordering::SeqCst),
            connections_open: c.connections_open.load(Ordering::SeqCst),
            http2_requests: c.http2_requests.load(Ordering::SeqCst),
            api_in_flight: c.api_in_flight.load(Ordering::SeqCst),
            api_in_flight_peak: c.api_in_flight_peak.load(Ordering::SeqCst),
        }
    }
}

impl MockServer {
    /// The most requests (token and API together) that arrived within any span of `window`:
    /// what a client's rate limit must keep under `burst + rate × window`.
    pub fn busiest(&self, window: Duration) -> u64 {
        let arrivals = lock(&self.state.arrivals);
        let mut busiest = 0;
        let mut first = 0;
        for (last, at) in arrivals.iter().enumerate() {
            while at.duration_since(arrivals[first]) >= window {
                first += 1;
            }
            busiest = busiest.max(last - first + 1);
        }
        busiest as u64
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) {
    // Dropping the set when the loop ends aborts every open connection.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                state.counters.connections.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    state.counters.connections_open.fetch_add(1, Ordering::SeqCst);
                    let counters = Arc::clone(&state);
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(tls) = acceptor.accept(stream).await {
                                serve_connection(TokioIo::new(tls), state).await;
                            }
                        }
                        None => serve_connection(TokioIo::new(stream), state).await,
                    }
                    counters.counters.connections_open.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection<I>(io: I, state: Arc<State>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { state.handle(request).await }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

/// The `task_id` of a request body (a number or a decimal string).
fn task_id_of(body: &[u8]) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get("task_id")? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// One API request being answered: counted in the in-flight gauge from `enter` until dropped,
/// whether the handler finishes or is cancelled (the client went away).
struct InFlight<'a> {
    counters: &'a Counters,
}

impl<'a> InFlight<'a> {
    fn enter(counters: &'a Counters) -> Self {
        let now = counters.api_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counters.api_in_flight_peak.fetch_max(now, Ordering::SeqCst);
        Self { counters }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.counters.api_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The error a handler returns to make hyper drop the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection reset on purpose by the mock")]
struct ResetOnPurpose;

impl State {
    fn issue_token(&self) -> String {
        let token = format!("mock-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let now = Instant::now();
        let expires = now
            .checked_add(self.config.token_ttl)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        lock(&self.tokens).insert(token.clone(), TokenState::Valid { expires });
        self.counters.tokens_issued.fetch_add(1, Ordering::SeqCst);
        token
    }

    fn revoke_all(&self) {
        for state in lock(&self.tokens).values_mut() {
            *state = TokenState::Revoked;
        }
    }

    /// `None` when the token is good; otherwise the code and message to refuse it with.
    fn check_token(&self, token: Option<&str>) -> Option<(i64, &'static str)> {
        let tokens = lock(&self.tokens);
        match token.and_then(|t| tokens.get(t)) {
            Some(TokenState::Valid { expires }) if *expires > Instant::now() => None,
            Some(TokenState::Valid { .. }) => Some((CODE_TOKEN_EXPIRED, "access_token已过期")),
            Some(TokenState::Revoked) => Some((CODE_TOKEN_REVOKED, "access_token已失效")),
            None => Some((CODE_TOKEN_INVALID, "access_token无效")),
        }
    }

    async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<MockBody>, ResetOnPurpose> {
        lock(&self.arrivals).push(Instant::now());
        // Held while the request is answered; dropped too when hyper cancels the handler.
        let _gauge = (request.uri().path() != TOKEN_PATH).then(|| InFlight::enter(&self.counters));
        Arc::clone(&self).answer(request).await
    }

    async fn answer(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<MockBody>, ResetOnPurpose> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, 1 << 20).collect().await {
            Ok(collected) => Some(collected.to_bytes()),
            Err(_) => None,
        };
        let request = Request::from_parts(parts, body);
        let path = request.uri().path().to_owned();
        if request.version() == http::Version::HTTP_2 {
            self.counters.http2_requests.fetch_add(1, Ordering::SeqCst);
        }
        let route = if path == TOKEN_PATH {
            self.counters.token_requests.fetch_add(1, Ordering::SeqCst);
            Route::Token
        } else {
            self.counters.api_requests.fetch_add(1, Ordering::SeqCst);
            if let Some(task_id) = request.body().as_deref().and_then(task_id_of) {
                *lock(&self.requests_per_task).entry(task_id).or_insert(0) += 1;
            }
            Route::Api
        };
        let mut fault = self.faults.next(route);
        if let Some(fault) = &fault {
            tracing::debug!(fault = fault.name(), %path, "mock injects a fault");
        }
        if let Some(Fault::DelayThen(delay, then)) = fault {
            tokio::time::sleep(delay).await;
            fault = Some(*then);
        }
        let normal = match fault {
            None => None,
            Some(Fault::DelayThen(..)) => None,
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                None
            }
            Some(Fault::RevokeTokens) => {
                self.revoke_all();
                None
            }
            Some(Fault::Reset) => return Err(ResetOnPurpose),
            Some(Fault::Status {
                status,
                retry_after,
            }) => Some(status_page(status, retry_after)),
            Some(Fault::NonJsonBody) => Some(html(
                StatusCode::OK,
                "<html><body><h1>Welcome to nginx!</h1></body></html>",
            )),
            Some(Fault::ApiError { code, msg }) => Some(envelope_error(code, &msg)),
            Some(Fault::EchoRequestLine { status }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let page = format!(
                    "<html><body>{code}: {} {}</body></html>",
                    request.method(),
                    request.uri()
                );
                Some(response(code, "text/html", page))
            }
            Some(Fault::OversizedBody(size)) => Some(oversized(size)),
            Some(Fault::Body { status, body }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                Some(response(code, "application/json;charset=UTF-8", body))
            }
            Some(Fault::Redirect { status, location }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
                let mut moved = response(code, "text/html", "<html>Moved</html>");
                if let Ok(value) = http::HeaderValue::from_str(&location) {
                    moved.headers_mut().insert(http::header::LOCATION, value);
                }
                Some(moved)
            }
            Some(Fault::SlowBody(delay)) => {
                let full = self.route(route, request).await;
                return Ok(crate::responses::slow_body(full, delay));
            }
            Some(Fault::ContentEncoding(encoding)) => {
                let mut compressed = response(
                    StatusCode::OK,
                    "application/json",
                    Bytes::from_static(b"\x1f\x8b\x08\x00garbled"),
                );
                if let Ok(value) = http::HeaderValue::from_str(&encoding) {
                    compressed
                        .headers_mut()
                        .insert(http::header::CONTENT_ENCODING, value);
                }
                Some(compressed)
            }
            Some(Fault::OversizedUnsizedBody(size)) => Some(without_length(oversized(size))),
            Some(Fault::TruncatedBody) => {
                let full = self.route(route, request).await;
                return Ok(truncate(full));
            }
        };
        match normal {
            Some(response) => Ok(response),
            None => Ok(self.route(route, request).await),
        }
    }

    async fn route(&self, route: Route, request: Request<Option<Bytes>>) -> Response<MockBody> {
        match (route, request.method()) {
            (Route::Token, &Method::GET) => self.token_endpoint(request.uri().query()),
            (Route::Api, &Method::POST) => self.api_endpoint(request).await,
            _ => html(
                StatusCode::NOT_FOUND,
                "<html><body>404 Not Found</body></html>",
            ),
        }
    }

    fn token_endpoint(&self, query: Option<&str>) -> Response<MockBody> {
        let params = query_pairs(query.unwrap_or_default());
        let app_id = params.get("appid").map(String::as_str);
        let secret = params.get("app_secret").map(String::as_str);
        if app_id != Some(self.config.app_id.as_str())
            || secret != Some(self.config.app_secret.as_str())
        {
            return envelope_error(CODE_BAD_CREDENTIALS, "appid或app_secret错误");
        }
        let token = self.issue_token();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        json(&serde_json::json!({
            "code": 0,
            "msg": "ok",
            "data": {
                "access_token": token,
                "expires_in": self.config.token_ttl.as_secs(),
                "create_at": created,
            }
        }))
    }

    async fn api_endpoint(&self, request: Request<Option<Bytes>>) -> Response<MockBody> {
        let path = request.uri().path().to_owned();
        let params = query_pairs(request.uri().query().unwrap_or_default());
        if let Some((code, msg)) = self.check_token(params.get("access_token").map(String::as_str))
        {
            self.counters.tokens_rejected.fetch_add(1, Ordering::SeqCst);
            return envelope_error(code, msg);
        }
        let Some(body) = request.into_body() else {
            return envelope_error(CODE_BAD_REQUEST, "请求体无法读取");
        };
        let Some(task_id) = task_id_of(&body) else {
            return envelope_error(CODE_BAD_REQUEST, "task_id不能为空");
        };
        match path.as_str() {
            DETAIL_PATH => match self.config.fixtures.get(task_id) {
                Some(body) => raw_json(body.clone()),
                None if self
                    .config
                    .synthetic
                    .as_ref()
                    .is_some_and(|ids| ids.contains(&task_id)) =>
                {
                    raw_json(crate::synthetic::synthetic_task(task_id))
                }
                None => envelope_error(CODE_TASK_NOT_FOUND, "群发任务不存在"),
            },
            EXECUTE_DETAIL_PATH => json(&serde_json::json!({
                "code": 0,
                "msg": "请求成功",
                "data": { "total": 0, "records": [], "task_id": task_id }
            })),
            _ => html(
                StatusCode::NOT_FOUND,
                "<html><body>404 Not Found</body></html>",
            ),
        }
    }
}
