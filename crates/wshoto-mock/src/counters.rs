//! The mock's request counters and in-flight gauge, for assertions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) token_requests: AtomicU64,
    pub(crate) api_requests: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
    pub(crate) tokens_rejected: AtomicU64,
    pub(crate) connections: AtomicU64,
    pub(crate) connections_open: AtomicU64,
    pub(crate) http2_requests: AtomicU64,
    pub(crate) api_in_flight: AtomicU64,
    pub(crate) api_in_flight_peak: AtomicU64,
}

impl Counters {
    /// The counters now.
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            token_requests: self.token_requests.load(Ordering::SeqCst),
            api_requests: self.api_requests.load(Ordering::SeqCst),
            tokens_issued: self.tokens_issued.load(Ordering::SeqCst),
            tokens_rejected: self.tokens_rejected.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
            connections_open: self.connections_open.load(Ordering::SeqCst),
            http2_requests: self.http2_requests.load(Ordering::SeqCst),
            api_in_flight: self.api_in_flight.load(Ordering::SeqCst),
            api_in_flight_peak: self.api_in_flight_peak.load(Ordering::SeqCst),
        }
    }
}

/// One API request being answered: counted in the in-flight gauge from `enter` until dropped,
/// whether the handler finishes or is cancelled (the client went away).
pub(crate) struct InFlight<'a> {
    counters: &'a Counters,
}

impl<'a> InFlight<'a> {
    pub(crate) fn enter(counters: &'a Counters) -> Self {
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

/// The most of `arrivals` (in order) within any span of `window`.
pub(crate) fn busiest(arrivals: &[Instant], window: Duration) -> u64 {
    let mut most = 0;
    let mut first = 0;
    for (last, at) in arrivals.iter().enumerate() {
        while at.duration_since(arrivals[first]) >= window {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_window_counts_arrivals_less_than_a_window_apart() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let arrivals = [at(0), at(100), at(900), at(1000), at(1050), at(2500)];
        assert_eq!(busiest(&arrivals, Duration::from_secs(1)), 4);
        assert_eq!(busiest(&arrivals, Duration::from_millis(100)), 2);
        assert_eq!(busiest(&[], Duration::from_secs(1)), 0);
    }
}
