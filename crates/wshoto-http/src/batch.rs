//! Many tasks as a stream: a sliding window of requests over lazily pulled ids.
//!
//! One item per id pulled, none lost or repeated, whatever fails. At most `concurrency`
//! requests are in flight; in input order, at most `reorder_window` ids are started but not yet
//! yielded, so memory is bounded by the options, never by the number of ids. The requests run
//! inside the stream (no task is spawned per id); dropping the stream cancels them.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use wshoto_model::MassTaskDetail;

use crate::client::Client;
use crate::error::Error;

/// In which order a batch yields its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// The order the ids came in. A slow task holds back later results, but never more than
    /// [`BatchOptions::reorder_window`] ids; the other requests go on meanwhile.
    #[default]
    Input,
    /// Each result as soon as it is ready: the most throughput.
    Completed,
}

/// How a batch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchOptions {
    /// Requests in flight at most (at least 1). Default 8.
    pub concurrency: usize,
    /// The order of the results. Default [`Order::Input`].
    pub order: Order,
    /// With [`Order::Input`], how many ids may be started and not yet yielded (at least
    /// `concurrency`). Default 256.
    pub reorder_window: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            order: Order::Input,
            reorder_window: 256,
        }
    }
}

impl BatchOptions {
    /// The defaults: 8 in flight, input order, a window of 256.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most requests in flight.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Sets the order of the results.
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Sets the reorder window of [`Order::Input`].
    pub fn reorder_window(mut self, window: usize) -> Self {
        self.reorder_window = window;
        self
    }
}

/// One result of a batch: the task id asked for, and what came of it.
pub type BatchItem = (i64, Result<MassTaskDetail, Error>);

type Fetch = Pin<Box<dyn Future<Output = (u64, BatchItem)> + Send>>;

/// The stream returned by [`Client::mass_task_detail_stream`].
#[must_use = "a stream does nothing unless polled"]
pub struct TaskStream {
    client: Client,
    ids: Pin<Box<dyn Stream<Item = i64> + Send>>,
    ids_done: bool,
    in_flight: FuturesUnordered<Fetch>,
    concurrency: usize,
    order: Order,
    window: usize,
    /// Sequence number of the next id pulled.
    next_seq: u64,
    /// Sequence number of the next result to yield (input order).
    next_out: u64,
    /// Finished results waiting for their turn, indexed by `seq - next_out` (input order).
    waiting: VecDeque<Option<BatchItem>>,
}

impl std::fmt::Debug for TaskStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskStream")
            .field("in_flight", &self.in_flight.len())
            .field("concurrency", &self.concurrency)
            .field("order", &self.order)
            .field("window", &self.window)
            .field("started", &self.next_seq)
            .field("ids_done", &self.ids_done)
            .finish_non_exhaustive()
    }
}

impl TaskStream {
    pub(crate) fn new(
        client: Client,
        ids: Pin<Box<dyn Stream<Item = i64> + Send>>,
        options: BatchOptions,
    ) -> Self {
        let concurrency = options.concurrency.max(1);
        Self {
            client,
            ids,
            ids_done: false,
            in_flight: FuturesUnordered::new(),
            concurrency,
            order: options.order,
            window: options.reorder_window.max(concurrency),
            next_seq: 0,
            next_out: 0,
            waiting: VecDeque::new(),
        }
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    fn may_start(&self) -> bool {
        if self.ids_done || self.in_flight.len() >= self.concurrency {
            return false;
        }
        match self.order {
            Order::Completed => true,
            Order::Input => self.next_seq - self.next_out < self.window as u64,
        }
    }

    /// Pulls ids and starts their requests while the limits allow.
    fn fill(&mut self, cx: &mut Context<'_>) {
        while self.may_start() {
            match self.ids.as_mut().poll_next(cx) {
                Poll::Ready(Some(id)) => {
                    let (client, seq) = (self.client.clone(), self.next_seq);
                    self.next_seq += 1;
                    if self.order == Order::Input {
                        self.waiting.push_back(None);
                    }
                    self.in_flight.push(Box::pin(async move {
                        (seq, (id, client.mass_task_detail(id).await))
                    }));
                }
                Poll::Ready(None) => self.ids_done = true,
                Poll::Pending => break,
            }
        }
    }

    fn pop_ready(&mut self) -> Option<BatchItem> {
        if !matches!(self.waiting.front(), Some(Some(_))) {
            return None;
        }
        self.next_out += 1;
        self.waiting.pop_front().flatten()
    }
}

impl Stream for TaskStream {
    type Item = BatchItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BatchItem>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.pop_ready() {
                return Poll::Ready(Some(item));
            }
            this.fill(cx);
            match this.in_flight.poll_next_unpin(cx) {
                Poll::Ready(Some((seq, item))) => match this.order {
                    Order::Completed => return Poll::Ready(Some(item)),
                    Order::Input => {
                        // `seq` was started after `next_out` and is not yet yielded.
                        let slot = (seq - this.next_out) as usize;
                        if let Some(place) = this.waiting.get_mut(slot) {
                            *place = Some(item);
                        }
                    }
                },
                // Nothing in flight: done, or waiting for the id source (which holds the waker).
                Poll::Ready(None) if this.ids_done => return Poll::Ready(None),
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let pending = self.in_flight.len() + self.waiting.iter().filter(|w| w.is_some()).count();
        if self.ids_done {
            (pending, Some(pending))
        } else {
            let (low, high) = self.ids.size_hint();
            (pending + low, high.map(|h| h + pending))
        }
    }
}

impl Client {
    /// Fetches the tasks of `task_ids` as a stream of `(task_id, result)`: one item per id,
    /// at most `options.concurrency` requests in flight, in input order or as completed
    /// ([`BatchOptions`]). Ids are pulled lazily, as the window moves; memory does not grow with
    /// their number. One task's failure does not stop the others. Dropping the stream cancels
    /// the requests in flight. Every request goes through the client's rate limit.
    ///
    /// ```no_run
    /// # async fn demo(client: wshoto_http::Client) {
    /// use futures_util::StreamExt;
    /// use wshoto_http::{BatchOptions, Order};
    /// let mut results = client.mass_task_detail_stream(
    ///     1..=10_000,
    ///     BatchOptions::new().concurrency(16).order(Order::Completed),
    /// );
    /// while let Some((task_id, result)) = results.next().await {
    ///     match result {
    ///         Ok(task) => println!("{task_id}: {:?}", task.task_name),
    ///         Err(error) => eprintln!("{task_id}: {error}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn mass_task_detail_stream<I>(&self, task_ids: I, options: BatchOptions) -> TaskStream
    where
        I: IntoIterator<Item = i64>,
        I::IntoIter: Send + 'static,
    {
        self.mass_task_detail_stream_from(futures_util::stream::iter(task_ids), options)
    }

    /// [`Self::mass_task_detail_stream`] over ids that arrive as a stream (a queue, a database
    /// cursor).
    pub fn mass_task_detail_stream_from<S>(&self, task_ids: S, options: BatchOptions) -> TaskStream
    where
        S: Stream<Item = i64> + Send + 'static,
    {
        TaskStream::new(self.clone(), Box::pin(task_ids), options)
    }

    /// Fetches many tasks, at most `concurrency` in flight, and returns every result in the order
    /// of `task_ids`: [`Self::mass_task_detail_stream`] collected. For a few hundred ids; stream
    /// larger batches.
    pub async fn mass_task_details<I>(&self, task_ids: I, concurrency: usize) -> Vec<BatchItem>
    where
        I: IntoIterator<Item = i64>,
        I::IntoIter: Send + 'static,
    {
        let options = BatchOptions::new()
            .concurrency(concurrency)
            .reorder_window(usize::MAX);
        self.mass_task_detail_stream(task_ids, options)
            .collect()
            .await
    }
}
