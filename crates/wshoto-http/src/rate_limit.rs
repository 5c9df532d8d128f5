//! The client-wide rate limiter: a reserving token bucket (GCRA) that slows down on overload.
//!
//! Every HTTP request the client makes (API calls, token fetches, each retry) first takes a slot
//! here, so all clones of one client and all their batches together stay under the limit.
//!
//! - **Limit.** At most `burst` requests at once, then `per_second`: over any window `t`, at most
//!   `burst + per_second × t` requests start. Each caller reserves its own instant, so waiters go
//!   in order and do not wake together.
//! - **Overload** (HTTP 429, a `Retry-After`, an API code listed as "too frequent") halves the
//!   current rate, at most once a second and never below a sixteenth of the configured rate; a
//!   `Retry-After` also pauses the whole client until it passes (capped at the retry policy's
//!   `max_retry_after`), even with no rate configured.
//! - **Recovery.** Each full two seconds without overload give back a tenth of the configured
//!   rate (from half the rate, ten seconds to full speed).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The most the current rate is cut: a sixteenth of the configured rate.
const FLOOR_DIVISOR: f64 = 16.0;
/// Overload signals closer together than this count as one (a burst of 429s is one event).
const SLOWDOWN_COOLDOWN: Duration = Duration::from_secs(1);
/// How long without overload earns one recovery step.
const RECOVERY_PERIOD: Duration = Duration::from_secs(2);
/// One recovery step, as a fraction of the configured rate.
const RECOVERY_FRACTION: f64 = 0.1;

/// What the limiter is doing now, for progress displays and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitState {
    /// The configured requests per second.
    pub configured_per_second: f64,
    /// The requests per second allowed now (lower than configured after an overload).
    pub current_per_second: f64,
    /// Requests that may start at once.
    pub burst: u32,
}

/// Why the client slows down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overload {
    /// HTTP 429.
    TooManyRequests,
    /// Any status with a `Retry-After`.
    RetryAfter,
    /// An API code listed as "too frequent".
    ApiCode(i64),
}

impl std::fmt::Display for Overload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManyRequests => f.write_str("HTTP 429"),
            Self::RetryAfter => f.write_str("Retry-After"),
            Self::ApiCode(code) => write!(f, "API code {code}"),
        }
    }
}

#[derive(Debug)]
struct Bucket {
    configured: f64,
    burst: u32,
    /// The rate in force now.
    current: f64,
    /// Theoretical arrival time of the next request (GCRA).
    next_arrival: Instant,
    /// The last slowdown, or the last recovery step.
    calm_since: Instant,
    last_slowdown: Option<Instant>,
}

#[derive(Debug)]
struct State {
    bucket: Option<Bucket>,
    /// No request starts before this (a server's `Retry-After`).
    paused_until: Option<Instant>,
}

/// The limiter shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    state: Mutex<State>,
    max_pause: Duration,
}

impl RateLimiter {
    /// A limiter of `per_second` with `burst`, or with `None` one that only honours pauses.
    /// `per_second` must be finite and positive, `burst` at least 1 (checked by the builder).
    pub(crate) fn new(limit: Option<(f64, u32)>, max_pause: Duration) -> Self {
        let now = Instant::now();
        let bucket = limit.map(|(per_second, burst)| Bucket {
            configured: per_second,
            burst: burst.max(1),
            current: per_second,
            next_arrival: now,
            calm_since: now,
            last_slowdown: None,
        });
        Self {
            state: Mutex::new(State {
                bucket,
                paused_until: None,
            }),
            max_pause,
        }
    }

    /// Waits for this request's slot.
    pub(crate) async fn acquire(&self) {
        let now = Instant::now();
        let (start, current) = self.reserve(now);
        if start > now {
            tracing::debug!(
                wait_ms = (start - now).as_millis() as u64,
                rate_per_second = current,
                "waiting for the client's rate limit"
            );
            tokio::time::sleep_until(start).await;
        }
    }

    /// Reserves the next slot: the instant this request may start, and the rate in force.
    fn reserve(&self, now: Instant) -> (Instant, Option<f64>) {
        let mut state = lock(&self.state);
        let earliest = state.paused_until.filter(|p| *p > now).unwrap_or(now);
        let Some(bucket) = state.bucket.as_mut() else {
            return (earliest, None);
        };
        bucket.recover(now);
        let interval = Duration::from_secs_f64(1.0 / bucket.current);
        let tolerance = interval.saturating_mul(bucket.burst - 1);
        let arrival = bucket.next_arrival.max(earliest);
        bucket.next_arrival = arrival + interval;
        let start = arrival
            .checked_sub(tolerance)
            .map_or(earliest, |s| s.max(earliest));
        (start, Some(bucket.current))
    }

    /// The server says we go too fast: slow the whole client down (and pause it for
    /// `retry_after`).
    pub(crate) fn overloaded(&self, reason: Overload, retry_after: Option<Duration>) {
        let now = Instant::now();
        let mut state = lock(&self.state);
        if let Some(after) = retry_after {
            let until = now + after.min(self.max_pause);
            if state.paused_until.is_none_or(|p| p < until) {
                state.paused_until = Some(until);
                tracing::warn!(
                    %reason,
                    pause_ms = after.min(self.max_pause).as_millis() as u64,
                    "the server asked us to wait: pausing every request of this client"
                );
            }
        }
        let Some(bucket) = state.bucket.as_mut() else {
            return;
        };
        bucket.recover(now);
        if bucket
            .last_slowdown
            .is_some_and(|last| now.duration_since(last) < SLOWDOWN_COOLDOWN)
        {
            return;
        }
        let floor = bucket.configured / FLOOR_DIVISOR;
        let before = bucket.current;
        bucket.current = (before / 2.0).max(floor);
        bucket.last_slowdown = Some(now);
        bucket.calm_since = now;
        tracing::warn!(
            %reason,
            from_per_second = before,
            to_per_second = bucket.current,
            "the server is overloaded: slowing this client down"
        );
    }

    /// The state now, when a rate is configured.
    pub(crate) fn state(&self) -> Option<RateLimitState> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        let bucket = state.bucket.as_mut()?;
        bucket.recover(now);
        Some(RateLimitState {
            configured_per_second: bucket.configured,
            current_per_second: bucket.current,
            burst: bucket.burst,
        })
    }
}

impl Bucket {
    /// Gives back a tenth of the configured rate for each full calm period since the last
    /// change.
    fn recover(&mut self, now: Instant) {
        if self.current >= self.configured {
            return;
        }
        let calm = now.saturating_duration_since(self.calm_since);
        let steps = (calm.as_secs_f64() / RECOVERY_PERIOD.as_secs_f64()).floor();
        if steps < 1.0 {
            return;
        }
        let before = self.current;
        self.current = (before + self.configured * RECOVERY_FRACTION * steps).min(self.configured);
        self.calm_since += RECOVERY_PERIOD.mul_f64(steps);
        if self.current >= self.configured {
            tracing::info!(rate_per_second = self.current, "rate limit fully recovered");
        } else {
            tracing::debug!(
                from_per_second = before,
                to_per_second = self.current,
                "rate limit recovering"
            );
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(30);

    /// Starts of `count` requests reserved at `now`, as offsets from it.
    fn offsets(limiter: &RateLimiter, now: Instant, count: usize) -> Vec<Duration> {
        (0..count)
            .map(|_| limiter.reserve(now).0.duration_since(now))
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_the_rate_spaces_requests() {
        let limiter = RateLimiter::new(Some((10.0, 3)), LONG);
        let now = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(
            offsets(&limiter, now, 6),
            [ms(0), ms(0), ms(0), ms(100), ms(200), ms(300)]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn over_any_window_at_most_burst_plus_rate_times_window_start() {
        let limiter = RateLimiter::new(Some((20.0, 5)), LONG);
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..200 {
            limiter.acquire().await;
            starts.push(Instant::now().duration_since(start));
        }
        let window = Duration::from_secs(1);
        for (i, first) in starts.iter().enumerate() {
            let within = starts[i..].iter().filter(|s| **s - *first < window).count();
            assert!(within <= 5 + 20, "{within} requests within 1 s");
        }
        // And the limiter does not hold back more than it must: 200 in about 195 × 50 ms.
        let last = *starts.last().expect("starts");
        assert!(last <= Duration::from_millis(9_751), "{last:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn overload_halves_the_rate_once_per_burst_of_signals_and_recovers_gradually() {
        let limiter = RateLimiter::new(Some((40.0, 1)), LONG);
        let current = |l: &RateLimiter| l.state().expect("configured").current_per_second;
        limiter.overloaded(Overload::TooManyRequests, None);
        limiter.overloaded(Overload::TooManyRequests, None);
        assert_eq!(
            current(&limiter),
            20.0,
            "two 429s in the same second: one halving"
        );
        tokio::time::advance(Duration::from_millis(1_100)).await;
        limiter.overloaded(Overload::ApiCode(45009), None);
        assert_eq!(current(&limiter), 10.0, "a second later: halved again");
        for _ in 0..10 {
            tokio::time::advance(Duration::from_millis(1_100)).await;
            limiter.overloaded(Overload::TooManyRequests, None);
        }
        assert_eq!(current(&limiter), 2.5, "never below a sixteenth");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(current(&limiter), 6.5, "two calm seconds give back a tenth");
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(current(&limiter), 40.0, "never above the configured rate");
    }

    #[tokio::test(start_paused = true)]
    async fn slower_rate_spaces_new_reservations_wider() {
        let limiter = RateLimiter::new(Some((10.0, 1)), LONG);
        let now = Instant::now();
        limiter.overloaded(Overload::TooManyRequests, None);
        let ms = Duration::from_millis;
        assert_eq!(offsets(&limiter, now, 3), [ms(0), ms(200), ms(400)]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_pauses_every_request_even_without_a_rate() {
        let limiter = RateLimiter::new(None, LONG);
        let now = Instant::now();
        assert_eq!(limiter.reserve(now).0, now);
        limiter.overloaded(Overload::RetryAfter, Some(Duration::from_secs(3)));
        assert_eq!(limiter.reserve(now).0, now + Duration::from_secs(3));
        assert_eq!(limiter.state(), None);
        // A hostile Retry-After is capped.
        limiter.overloaded(Overload::RetryAfter, Some(Duration::from_secs(86_400)));
        assert_eq!(limiter.reserve(now).0, now + LONG);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_pause_the_rate_resumes_from_its_end() {
        let limiter = RateLimiter::new(Some((10.0, 2)), LONG);
        let now = Instant::now();
        limiter.overloaded(Overload::RetryAfter, Some(Duration::from_secs(2)));
        let ms = Duration::from_millis;
        // Halved to 5/s; a burst of 2 at the end of the pause, then 200 ms apart.
        assert_eq!(
            offsets(&limiter, now, 4),
            [ms(2000), ms(2000), ms(2200), ms(2400)]
        );
    }
}
