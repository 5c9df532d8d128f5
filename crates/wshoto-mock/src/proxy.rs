//! A minimal HTTP CONNECT proxy on loopback, for testing clients configured with a proxy.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// The longest CONNECT request head accepted.
const MAX_HEAD: usize = 8 * 1024;

/// A running CONNECT proxy. It tunnels only to loopback addresses. Dropping it stops it.
#[derive(Debug)]
pub struct ConnectProxy {
    url: String,
    tunnels: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl ConnectProxy {
    /// Starts the proxy on `127.0.0.1`, on a free port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(false).await
    }

    /// Starts a proxy that answers every CONNECT with `407 Proxy Authentication Required`.
    pub async fn start_requiring_auth() -> std::io::Result<Self> {
        Self::start_with(true).await
    }

    async fn start_with(refuse: bool) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let tunnels = Arc::new(AtomicU64::new(0));
        let requests = Arc::new(AtomicU64::new(0));
        let (shutdown, mut stop) = oneshot::channel::<()>();
        let counter = Arc::clone(&tunnels);
        let asked = Arc::clone(&requests);
        tokio::spawn(async move {
            let mut tasks = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            asked.fetch_add(1, Ordering::SeqCst);
                            if refuse {
                                tasks.spawn(refuse_auth(stream));
                            } else {
                                tasks.spawn(tunnel(stream, Arc::clone(&counter)));
                            }
                        }
                    }
                    Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                }
            }
        });
        Ok(Self {
            url,
            tunnels,
            requests,
            shutdown: Some(shutdown),
        })
    }

    /// The proxy's URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many tunnels were opened.
    pub fn tunnels(&self) -> u64 {
        self.tunnels.load(Ordering::SeqCst)
    }

    /// How many connections asked for a tunnel (opened or refused).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn refuse_auth(mut client: TcpStream) {
    if read_connect_target(&mut client).await.is_some() {
        let _ = client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  proxy-authenticate: Basic realm=\"mock\"\r\ncontent-length: 0\r\n\r\n",
            )
            .await;
    }
}

async fn tunnel(mut client: TcpStream, tunnels: Arc<AtomicU64>) {
    let Some(target) = read_connect_target(&mut client).await else {
        let _ = client
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let allowed = target.ip().is_loopback();
    let upstream = if allowed {
        TcpStream::connect(target).await.ok()
    } else {
        None
    };
    let Some(mut upstream) = upstream else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    tunnels.fetch_add(1, Ordering::SeqCst);
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// Reads `CONNECT host:port HTTP/1.1` and its headers; the target as a socket address.
async fn read_connect_target(client: &mut TcpStream) -> Option<SocketAddr> {
    let mut head = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || client.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = std::str::from_utf8(&head).ok()?;
    let mut words = head.lines().next()?.split_whitespace();
    if words.next()? != "CONNECT" {
        return None;
    }
    let authority = words.next()?;
    let authority = authority.replace("localhost", "127.0.0.1");
    authority.parse().ok()
}
