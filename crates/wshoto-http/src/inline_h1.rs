//! HTTP/1.1 connections driven inside the calling future: the transport for `http://` base URLs
//! and for [`ClientBuilder::http1_only`](crate::ClientBuilder::http1_only).
//!
//! hyper-util's pooled client spawns a task per connection; every request then hops to that
//! task and every response hops back, two thread wake-ups a call (see docs/performance.md). Here
//! a call takes an idle connection (or opens one), and polls the connection itself together with
//! its exchange until the whole body is read, then puts it back. A connection belongs to one call
//! at a time, so a call that is dropped (a timeout, a cancelled batch) drops its connection with
//! it and nothing is left half-read.
//!
//! - A connection is checked as it is taken: polled once, a connection the server closed shows
//!   as finished and is dropped, as is one that is not ready for a request.
//! - A request that a reused connection could not even start (closed under it) is sent again on
//!   another connection; one that was sent is the retry policy's business.
//! - Idle connections are closed after the idle timeout by a small reaper task (one per pool,
//!   started when the first connection goes idle; it ends with the pool), and on checkout.
//! - At most `max_idle` connections wait idle; more are closed as they come back.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{HeaderValue, Request, Response, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_rustls::MaybeHttpsStream;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::{BoxError, Error};
use crate::wake_in_place::WakeInPlace;

type RequestBody = Full<Bytes>;
/// What the connectors give: TCP, maybe inside TLS (maybe through a proxy's tunnel).
pub(crate) type Stream = MaybeHttpsStream<TokioIo<TcpStream>>;
/// Opens a new connection to the base URL's origin.
pub(crate) type Connect =
    Box<dyn Fn() -> BoxFuture<'static, Result<Stream, BoxError>> + Send + Sync>;

/// The pool of HTTP/1.1 connections to one origin. Cheap to clone (shared).
#[derive(Clone)]
pub(crate) struct InlinePool {
    shared: Arc<Shared>,
}

struct Shared {
    connect: Connect,
    /// The `Host` header of every request (the origin's host, and its port unless the default).
    host: HeaderValue,
    idle_timeout: Duration,
    max_idle: usize,
    state: Mutex<IdleState>,
}

#[derive(Default)]
struct IdleState {
    /// Most recently used last.
    connections: Vec<Idle>,
    reaper: Option<JoinHandle<()>>,
}

struct Idle {
    connection: Connection,
    since: Instant,
}

/// One HTTP/1.1 connection: the handle requests are sent through, and the connection itself,
/// which someone must poll for anything to move (`None` once it has finished). The connection
/// (TLS state and buffers: kilobytes) is boxed, so that moving it in and out of the pool and
/// through a call's future copies a pointer.
struct Connection {
    sender: http1::SendRequest<RequestBody>,
    driver: Option<Driver>,
    /// The waker the connection is polled under (see `wake_in_place`).
    wake: WakeInPlace,
}

type Driver = Pin<Box<http1::Connection<Stream, RequestBody>>>;

/// Why an exchange failed: before the response head (hyper's error, or the connector's), or in
/// reading the response (the caller's own error).
pub(crate) enum Failure {
    /// The connection could not be opened.
    Connect(BoxError),
    /// The request or the response head failed on an open connection.
    Send(hyper::Error),
    /// Reading the response failed.
    Read(Error),
}

impl InlinePool {
    /// A pool opening its connections with `connect`; every request carries `host`.
    pub(crate) fn new(
        connect: Connect,
        host: HeaderValue,
        idle_timeout: Duration,
        max_idle: usize,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                connect,
                host,
                idle_timeout,
                max_idle,
                state: Mutex::new(IdleState::default()),
            }),
        }
    }

    /// Sends `request` (its URI in origin form: path and query) on a connection of the pool and
    /// runs `read` on the response, polling the connection all along; the connection goes back
    /// to the pool when `read` succeeds.
    pub(crate) async fn exchange<T, Read, ReadFuture>(
        &self,
        mut request: Request<RequestBody>,
        read: Read,
    ) -> Result<T, Failure>
    where
        Read: FnOnce(Response<Incoming>) -> ReadFuture,
        ReadFuture: Future<Output = Result<T, Error>>,
    {
        request
            .headers_mut()
            .insert(http::header::HOST, self.shared.host.clone());
        let (mut connection, response) = loop {
            let (mut connection, reused) = match self.checkout().await {
                Some(connection) => (connection, true),
                // Boxed: opening a connection (TLS state, handshake) takes kilobytes of future,
                // and is rare; the call's own future stays small.
                None => (Box::pin(self.connect()).await?, false),
            };
            let sender = &mut connection.sender;
            let sent = connection
                .wake
                .in_place(|| sender.try_send_request(request));
            match drive(&mut connection, sent).await {
                Ok(response) => break (connection, response),
                Err(mut error) => match error.take_message() {
                    // Not even started on a reused connection (closed under us): another one.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(Failure::Send(error.into_error())),
                },
            }
        };
        let result = drive(&mut connection, read(response)).await;
        if result.is_ok() {
            self.put_back(connection);
        }
        result.map_err(Failure::Read)
    }

    /// The most recently used idle connection that is still open and ready, if any; the
    /// expired, closed and unready ones met on the way are dropped.
    async fn checkout(&self) -> Option<Connection> {
        loop {
            let idle = self.shared.lock().connections.pop()?;
            if idle.since.elapsed() >= self.shared.idle_timeout {
                continue;
            }
            let mut connection = idle.connection;
            if is_ready(&mut connection).await {
                return Some(connection);
            }
        }
    }

    /// Opens a connection, polled under its own waker from the start (the socket keeps the
    /// waker of its connect for writing until a write has to wait).
    async fn connect(&self) -> Result<Connection, Failure> {
        let wake = WakeInPlace::new();
        let mut opening = pin!(async {
            let stream = (self.shared.connect)().await.map_err(Failure::Connect)?;
            http1::Builder::new()
                .handshake(stream)
                .await
                .map_err(Failure::Send)
        });
        let (sender, driver) = poll_fn(|cx| wake.poll(cx, |cx| opening.as_mut().poll(cx))).await?;
        Ok(Connection {
            sender,
            driver: Some(Box::pin(driver)),
            wake,
        })
    }

    fn put_back(&self, connection: Connection) {
        if connection.driver.is_none() || self.shared.max_idle == 0 {
            return;
        }
        let mut state = self.shared.lock();
        if state.connections.len() >= self.shared.max_idle {
            return;
        }
        state.connections.push(Idle {
            connection,
            since: Instant::now(),
        });
        if state.reaper.as_ref().is_none_or(JoinHandle::is_finished) {
            state.reaper = start_reaper(&self.shared);
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, IdleState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drops the connections idle for the idle timeout or longer.
    fn close_expired(&self) {
        let expired: Vec<Idle> = {
            let mut state = self.lock();
            let (expired, kept) = std::mem::take(&mut state.connections)
                .into_iter()
                .partition(|idle| idle.since.elapsed() >= self.idle_timeout);
            state.connections = kept;
            expired
        };
        drop(expired);
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(reaper) = self.lock().reaper.take() {
            reaper.abort();
        }
    }
}

/// A task that closes expired idle connections every half idle timeout, for as long as the pool
/// lives; `None` outside a tokio runtime.
fn start_reaper(shared: &Arc<Shared>) -> Option<JoinHandle<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let pool: Weak<Shared> = Arc::downgrade(shared);
    let period = (shared.idle_timeout / 2).max(Duration::from_millis(10));
    Some(runtime.spawn(async move {
        loop {
            tokio::time::sleep(period).await;
            match pool.upgrade() {
                Some(shared) => shared.close_expired(),
                None => return,
            }
        }
    }))
}

/// Polls the connection once (reading what the server sent while it was idle: a close shows
/// as the connection finishing) and asks whether it takes a request now.
async fn is_ready(connection: &mut Connection) -> bool {
    let Connection {
        sender,
        driver,
        wake,
    } = connection;
    poll_fn(|cx| {
        wake.poll(cx, |cx| {
            let Some(running) = driver.as_mut() else {
                return Poll::Ready(false);
            };
            if running.as_mut().poll(cx).is_ready() {
                *driver = None;
                return Poll::Ready(false);
            }
            Poll::Ready(matches!(sender.poll_ready(cx), Poll::Ready(Ok(()))))
        })
    })
    .await
}

/// Runs `work` while polling the connection's driver, so that the bytes `work` waits for move,
/// both under the connection's waker (a hand-off between them is answered in the same poll). If
/// the connection finishes first it is dropped (`driver` becomes `None`), which ends whatever
/// `work` still waits for, and `work` is run to its end alone.
async fn drive<F: Future>(connection: &mut Connection, work: F) -> F::Output {
    let mut work = pin!(work);
    let Connection { driver, wake, .. } = connection;
    let done = poll_fn(|cx| {
        wake.poll(cx, |cx| {
            if let Poll::Ready(output) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            match driver.as_mut().map(|running| running.as_mut().poll(cx)) {
                Some(Poll::Ready(_finished)) => Poll::Ready(None),
                _ => Poll::Pending,
            }
        })
    })
    .await;
    match done {
        Some(output) => output,
        None => {
            *driver = None;
            work.await
        }
    }
}

/// A [`Connect`] that opens connections to `origin` with `connector` (hyper-rustls' connector,
/// around a plain TCP connector or a proxy's tunnel).
pub(crate) fn connect_with<C>(connector: C, origin: Uri) -> Connect
where
    C: tower_service::Service<Uri, Response = Stream, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    C::Future: Send + 'static,
{
    Box::new(move || {
        let mut connector = connector.clone();
        let origin = origin.clone();
        Box::pin(async move {
            poll_fn(|cx| connector.poll_ready(cx)).await?;
            connector.call(origin).await
        })
    })
}

/// The `Host` header for `uri`'s origin: its host, and its port unless it is the scheme's
/// default.
pub(crate) fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    let text = match uri.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    HeaderValue::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_names_the_port_unless_it_is_the_default() {
        let host = |uri: &str| {
            host_header(&uri.parse().expect("uri"))
                .map(|value| value.to_str().expect("text").to_owned())
        };
        assert_eq!(
            host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host("http://example.com:80").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host("https://example.com:443").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host("https://example.com:80").as_deref(),
            Some("example.com:80")
        );
        assert_eq!(host("https://[::1]:8443").as_deref(), Some("[::1]:8443"));
        assert_eq!(host("/relative"), None);
    }
}
