//! The mock server: accept loop, routes and token bookkeeping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::counters::{Counters, Stats, busiest};
use crate::faults::{FaultPlan, lock};
use crate::fixtures::Fixtures;
use crate::tls::{self, TlsSetupError};
use crate::tokens::TokenStore;

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
    /// Keep each request's arrival time and a count per task id (for [`MockServer::busiest`] and
    /// [`MockServer::requests_per_task`]); off, the mock's memory does not grow with the number
    /// of requests (for soaks that measure the client's). Default `true`.
    pub record_requests: bool,
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
            record_requests: true,
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

/// What every connection of one mock shares.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: MockConfig,
    pub(crate) tokens: TokenStore,
    pub(crate) faults: FaultPlan,
    pub(crate) counters: Counters,
    /// When each request (token or API) arrived, in order.
    pub(crate) arrivals: std::sync::Mutex<Vec<Instant>>,
    /// API requests per task id.
    pub(crate) requests_per_task: std::sync::Mutex<HashMap<i64, u64>>,
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
            tokens: TokenStore::default(),
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
        self.state.tokens.issued()
    }

    /// Revokes every token issued so far: requests using them get code 10010.
    pub fn revoke_tokens(&self) {
        self.state.tokens.revoke_all();
    }

    /// The request counters so far.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// The most requests (token and API together) that arrived within any span of `window`:
    /// what a client's rate limit must keep under `burst + rate × window`.
    pub fn busiest(&self, window: Duration) -> u64 {
        busiest(&lock(&self.state.arrivals), window)
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
