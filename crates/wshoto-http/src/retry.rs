//! When to try again: a pure decision, table-tested, and the loop that applies it.

use std::future::Future;
use std::time::Duration;

use std::sync::atomic::{AtomicU32, Ordering};

use tokio::time::Instant;

use crate::error::{Error, TimeoutKind};

/// How a call retries transient failures. Start from [`RetryPolicy::default`] (or
/// [`RetryPolicy::none`]) and change what you need:
/// `RetryPolicy::default().max_attempts(6).max_delay(Duration::from_secs(10))`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry). Default 4.
    pub max_attempts: u32,
    /// Backoff before the first retry, doubled each time. Default 200 ms.
    pub base_delay: Duration,
    /// The most any backoff may be. Default 5 s.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one stops retrying. Default 30 s.
    pub max_retry_after: Duration,
    /// API error codes to treat as transient (retried like a 503). Default: none.
    pub transient_api_codes: Vec<i64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            transient_api_codes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the attempts in all, the first included.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the backoff before the first retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the most any backoff may be.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest `Retry-After` honoured.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Sets the API codes treated as transient.
    pub fn transient_api_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.transient_api_codes = codes.into_iter().collect();
        self
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give up and return the error.
    Stop,
    /// Wait this long, then try again.
    RetryAfter(Duration),
}

/// Decides whether attempt number `attempt` (1-based, just failed with `error`) is followed by
/// another. `remaining` is the time left before the total deadline; `jitter` is a sample of
/// `[0, 1)`, passed in so the decision stays a pure function (anything else, NaN included, is
/// read as 1). Never panics.
///
/// Full-jitter exponential backoff: `jitter × min(max_delay, base_delay × 2^(attempt-1))`.
/// A `Retry-After` from the server replaces the backoff (if within `max_retry_after`).
pub fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    error: &Error,
    remaining: Duration,
    jitter: f64,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let transient_api = error.api_code().is_some_and(|code| {
        matches!(error, Error::Api { .. }) && policy.transient_api_codes.contains(&code)
    });
    if !error.is_retryable() && !transient_api {
        return Decision::Stop;
    }
    let delay = match error.retry_after() {
        Some(asked) if asked > policy.max_retry_after => return Decision::Stop,
        Some(asked) => asked,
        None => {
            let exponent = attempt.saturating_sub(1).min(31);
            let ceiling = policy
                .base_delay
                .saturating_mul(1u32 << exponent)
                .min(policy.max_delay);
            // A jitter outside [0, 1] (or NaN) from a caller's own source is read as 1.
            let jitter = if (0.0..=1.0).contains(&jitter) {
                jitter
            } else {
                1.0
            };
            ceiling.mul_f64(jitter)
        }
    };
    if delay >= remaining {
        return Decision::Stop;
    }
    Decision::RetryAfter(delay)
}

/// The instant `after` from now; a duration too large to add (a "never time out" setting) gives a
/// deadline a year away instead of overflowing.
pub(crate) fn deadline_after(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

/// The total deadline of one call, and the attempts started within it.
pub(crate) struct CallBudget {
    total: Duration,
    deadline: Instant,
    attempts: AtomicU32,
}

impl CallBudget {
    /// A budget of `total` from now.
    pub(crate) fn new(total: Duration) -> Self {
        Self {
            total,
            deadline: deadline_after(total),
            attempts: AtomicU32::new(0),
        }
    }

    /// Counts one more attempt and returns its number (1-based, across the whole call).
    pub(crate) fn start_attempt(&self) -> u32 {
        self.attempts.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Runs `wait` (a token, a rate-limit slot) within the deadline; when it passes,
    /// [`Error::Timeout`] of kind `Total` with the number of attempts started. A wait that is
    /// over at its first poll registers no timer (tokio's `Timeout` polls it first), so a call
    /// whose token and rate-limit slot are at hand arms one timer: its exchange's.
    pub(crate) async fn bound<T>(
        &self,
        wait: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        match tokio::time::timeout_at(self.deadline, wait).await {
            Ok(result) => result,
            Err(_) => Err(self.total_timeout()),
        }
    }

    /// Runs one attempt's `exchange` within `attempt_timeout` and the deadline, on one timer:
    /// the earlier of the two, and a timeout of that kind.
    pub(crate) async fn bound_attempt<T>(
        &self,
        attempt_timeout: Duration,
        exchange: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let attempt_deadline = Instant::now()
            .checked_add(attempt_timeout)
            .filter(|attempt_deadline| *attempt_deadline < self.deadline);
        let deadline = attempt_deadline.unwrap_or(self.deadline);
        match tokio::time::timeout_at(deadline, exchange).await {
            Ok(result) => result,
            Err(_) if attempt_deadline.is_some() => Err(Error::Timeout {
                kind: TimeoutKind::Attempt,
                attempts: 1,
                after: attempt_timeout,
            }),
            Err(_) => Err(self.total_timeout()),
        }
    }

    fn total_timeout(&self) -> Error {
        Error::Timeout {
            kind: TimeoutKind::Total,
            attempts: self.attempts.load(Ordering::Relaxed),
            after: self.total,
        }
    }

    /// Runs `attempt` until it succeeds or [`decide`] stops, counting each attempt here. The
    /// attempts bound their own waits by the deadline ([`Self::bound`], [`Self::bound_attempt`]);
    /// this loop stops retrying when the next backoff would not end before it.
    pub(crate) async fn retry<T, F, Fut>(
        &self,
        policy: &RetryPolicy,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut number = 0;
        loop {
            number += 1;
            let total_number = self.start_attempt();
            tracing::Span::current().record("attempt", total_number);
            let error = match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            match decide(policy, number, &error, remaining, fastrand::f64()) {
                Decision::Stop => return Err(error),
                Decision::RetryAfter(delay) => {
                    tracing::warn!(attempt = total_number, ?delay, %error, "retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{TimeoutKind, TransportKind};

    fn status(code: u16, retry_after: Option<u64>) -> Error {
        Error::Status {
            status: code,
            snippet: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn transport(kind: TransportKind) -> Error {
        Error::Transport {
            kind,
            source: "boom".into(),
        }
    }

    const PLENTY: Duration = Duration::from_secs(3600);

    #[test]
    fn the_decision_table() {
        let policy = RetryPolicy::default();
        let ms = Duration::from_millis;
        let api = |code| Error::api(code, "");
        let cases: Vec<(&str, u32, Error, Duration, f64, Decision)> = vec![
            (
                "503 first",
                1,
                status(503, None),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "503 second",
                2,
                status(503, None),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(400)),
            ),
            (
                "503 third half jitter",
                3,
                status(503, None),
                PLENTY,
                0.5,
                Decision::RetryAfter(ms(400)),
            ),
            (
                "zero jitter",
                1,
                status(500, None),
                PLENTY,
                0.0,
                Decision::RetryAfter(ms(0)),
            ),
            (
                "last attempt",
                4,
                status(503, None),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "429 retry-after",
                1,
                status(429, Some(3)),
                PLENTY,
                0.1,
                Decision::RetryAfter(ms(3000)),
            ),
            (
                "retry-after too long",
                1,
                status(429, Some(31)),
                PLENTY,
                0.1,
                Decision::Stop,
            ),
            (
                "502",
                1,
                status(502, None),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "504",
                1,
                status(504, None),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "404 never",
                1,
                status(404, None),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "400 never",
                1,
                status(400, None),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "connect",
                1,
                transport(TransportKind::Connect),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "reset",
                1,
                transport(TransportKind::Reset),
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "jitter NaN",
                2,
                status(503, None),
                PLENTY,
                f64::NAN,
                Decision::RetryAfter(ms(400)),
            ),
            (
                "jitter negative",
                2,
                status(503, None),
                PLENTY,
                -3.0,
                Decision::RetryAfter(ms(400)),
            ),
            (
                "jitter infinite",
                2,
                status(503, None),
                PLENTY,
                f64::INFINITY,
                Decision::RetryAfter(ms(400)),
            ),
            (
                "proxy auth never",
                1,
                transport(TransportKind::ProxyAuth),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "redirect never",
                1,
                Error::Redirect {
                    status: 301,
                    location: "https://elsewhere".into(),
                },
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "content encoding never",
                1,
                Error::ContentEncoding {
                    encoding: "gzip".into(),
                },
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "tls never",
                1,
                transport(TransportKind::Tls),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "attempt timeout",
                1,
                Error::Timeout {
                    kind: TimeoutKind::Attempt,
                    attempts: 1,
                    after: ms(10),
                },
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            (
                "gateway html",
                1,
                Error::NotJson {
                    status: 200,
                    snippet: String::new(),
                },
                PLENTY,
                1.0,
                Decision::RetryAfter(ms(200)),
            ),
            ("api error never", 1, api(500), PLENTY, 1.0, Decision::Stop),
            (
                "token code never",
                1,
                api(10001),
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "body too large never",
                1,
                Error::BodyTooLarge { limit: 1 },
                PLENTY,
                1.0,
                Decision::Stop,
            ),
            (
                "deadline too close",
                1,
                status(503, None),
                ms(100),
                1.0,
                Decision::Stop,
            ),
            (
                "retry-after past deadline",
                1,
                status(503, Some(2)),
                ms(1500),
                1.0,
                Decision::Stop,
            ),
        ];
        for (name, attempt, error, remaining, jitter, expected) in cases {
            assert_eq!(
                decide(&policy, attempt, &error, remaining, jitter),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn backoff_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 40,
            ..RetryPolicy::default()
        };
        assert_eq!(
            decide(&policy, 30, &status(503, None), PLENTY, 1.0),
            Decision::RetryAfter(Duration::from_secs(5))
        );
    }

    #[test]
    fn listed_api_codes_are_transient() {
        let policy = RetryPolicy {
            transient_api_codes: vec![50001],
            ..RetryPolicy::default()
        };
        let busy = Error::api(50001, "busy");
        assert_eq!(
            decide(&policy, 1, &busy, PLENTY, 1.0),
            Decision::RetryAfter(Duration::from_millis(200))
        );
        let other = Error::api(50002, "no");
        assert_eq!(decide(&policy, 1, &other, PLENTY, 1.0), Decision::Stop);
    }

    #[test]
    fn huge_deadlines_do_not_overflow() {
        let far = deadline_after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(364 * 24 * 3600));
    }

    #[test]
    fn no_retry_policy_stops_at_once() {
        assert_eq!(
            decide(&RetryPolicy::none(), 1, &status(503, None), PLENTY, 1.0),
            Decision::Stop
        );
    }
}
