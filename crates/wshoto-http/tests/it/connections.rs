//! The HTTP/1.1 connections of a client (plain `http://` here): kept alive and reused, no more
//! of them than calls in flight, replaced when the server closed one, never reused half-read.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use wshoto_http::{BatchOptions, Client, Credentials, Error, TimeoutKind};
use wshoto_mock::{Fault, Route};

use crate::support::{
    answer_task_54, builder, eventually, fast_retries, mock, read_request, token_builder,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_calls_share_one_kept_alive_connection() {
    let mock = mock().await;
    let client = builder(&mock).build().expect("client");
    for id in [54, 202, 203, 54, 204] {
        client.mass_task_detail(id).await.expect("task");
    }
    let stats = mock.stats();
    // The token request and the five calls, one after another on the same connection.
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.connections, 1, "{stats:?}");
    assert_eq!(stats.connections_open, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_opens_no_more_connections_than_calls_in_flight() {
    let mock = mock().await;
    let client = token_builder(&mock).build().expect("client");
    let ids: Vec<i64> = [54, 202, 203, 204].into_iter().cycle().take(400).collect();
    let items = client.mass_task_details(ids, 8).await;
    assert_eq!(items.len(), 400);
    assert!(items.iter().all(|(_, result)| result.is_ok()));
    let stats = mock.stats();
    assert!(stats.connections <= 8, "{stats:?}");
    assert!(stats.api_in_flight_peak <= 8, "{stats:?}");
    // And a stream of more calls reuses them.
    let more = BatchOptions::new().concurrency(4);
    let fetched = {
        use futures_util::StreamExt;
        client
            .mass_task_detail_stream(vec![54; 100], more)
            .filter(|(_, result)| std::future::ready(result.is_ok()))
            .count()
            .await
    };
    assert_eq!(fetched, 100);
    assert_eq!(mock.stats().connections, stats.connections, "none opened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closed_while_idle_is_replaced_without_an_attempt() {
    // A server that answers one request per connection and then closes it, without saying so
    // (no `Connection: close`), as servers and proxies do with idle keep-alive connections.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(tokio::sync::Notify::new());
    let server = {
        let (accepted, closed) = (accepted.clone(), closed.clone());
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.expect("accept");
                accepted.fetch_add(1, Ordering::SeqCst);
                read_request(&mut socket, b"}").await;
                answer_task_54(&mut socket, false).await;
                // Closed once the client has put the connection back in its pool.
                tokio::time::sleep(Duration::from_millis(100)).await;
                drop(socket);
                closed.notify_one();
            }
        })
    };
    // One attempt a call: a request sent on the dead connection would fail the call.
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .credentials(Credentials::token("t"))
        .retry_policy(fast_retries(1))
        .build()
        .expect("client");
    for call in 1..=3 {
        let task = client.mass_task_detail(54).await;
        assert_eq!(task.expect("task").task_id, 54, "call {call}");
        closed.notified().await;
        // Let the close reach the client's socket.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_call_leaves_no_half_read_connection_behind() {
    let mock = mock().await;
    let client = builder(&mock)
        .attempt_timeout(Duration::from_millis(150))
        .retry_policy(fast_retries(1))
        .build()
        .expect("client");
    client.mass_task_detail(202).await.expect("first");
    mock.faults()
        .push(Route::Api, Fault::Delay(Duration::from_millis(600)));
    let timed_out = client.mass_task_detail(54).await;
    assert!(
        matches!(
            timed_out,
            Err(Error::Timeout {
                kind: TimeoutKind::Attempt,
                ..
            })
        ),
        "{timed_out:?}"
    );
    // The next call does not read the late answer meant for the call that gave up: task 203 is
    // task 203, on a new connection.
    let task = client.mass_task_detail(203).await.expect("task");
    assert_eq!(task.task_id, 203);
    assert_eq!(mock.stats().connections, 2, "{:?}", mock.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_idle_connections_allowed_each_call_opens_and_closes_its_own() {
    let mock = mock().await;
    let client = token_builder(&mock)
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    for id in [54, 202, 203] {
        client.mass_task_detail(id).await.expect("task");
    }
    assert_eq!(mock.stats().connections, 3, "{:?}", mock.stats());
    eventually("each connection closed after its call", || {
        mock.stats().connections_open == 0
    })
    .await;
}

#[test]
fn a_call_future_stays_small() {
    // Every move of a call's future copies it (`block_on`, `spawn`, a combinator): the inline
    // transport's connection and exchange are boxed so that it stays a few kilobytes (before
    // that it was 14.8 KB, and 6.5 KB with the connection alone boxed).
    let client = Client::builder()
        .base_url("http://127.0.0.1:1")
        .credentials(Credentials::token("t"))
        .build()
        .expect("client");
    let call = client.mass_task_detail(54);
    let size = std::mem::size_of_val(&call);
    assert!(size <= 4608, "{size} bytes");
}

/// Counts the wake-ups of a task that come while it is being polled: tokio treats a task woken
/// as it runs as one that yields (requeued, another worker woken to steal it).
struct WakesWhilePolled {
    polling: std::sync::atomic::AtomicBool,
    during_poll: AtomicUsize,
    task: std::sync::Mutex<Option<std::task::Waker>>,
}

impl std::task::Wake for WakesWhilePolled {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.polling.load(Ordering::SeqCst) {
            self.during_poll.fetch_add(1, Ordering::SeqCst);
        }
        let task = self.task.lock().expect("lock").clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_not_woken_by_its_own_hand_offs() {
    // The connection is polled inside the call, so hyper's hand-offs (the request into the
    // connection's channel, the response and body back) wake the calling task itself; answered
    // in the same poll, they never reach the task (each would cost a trip through the scheduler
    // and, on a runtime, another worker woken).
    let mock = mock().await;
    let client = token_builder(&mock).build().expect("client");
    let spy = Arc::new(WakesWhilePolled {
        polling: false.into(),
        during_poll: AtomicUsize::new(0),
        task: std::sync::Mutex::new(None),
    });
    let waker = std::task::Waker::from(Arc::clone(&spy));
    let ids = [54, 202, 203, 54, 204, 54];
    for id in ids {
        let mut call = std::pin::pin!(client.mass_task_detail(id));
        let task = std::future::poll_fn(|cx| {
            *spy.task.lock().expect("lock") = Some(cx.waker().clone());
            spy.polling.store(true, Ordering::SeqCst);
            let polled = call
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker));
            spy.polling.store(false, Ordering::SeqCst);
            polled
        })
        .await;
        assert_eq!(task.expect("task").task_id, id);
    }
    // Each call's hand-offs woke it three times or more (20 in these six calls) before they were
    // answered in place; what may remain is a genuine wake-up from another thread that happens
    // to land during a poll.
    let during_poll = spy.during_poll.load(Ordering::SeqCst);
    assert!(
        during_poll < ids.len(),
        "{during_poll} wake-ups while polled"
    );
    assert_eq!(mock.stats().connections, 1);
}
