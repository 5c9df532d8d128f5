//! Faults the mock can inject, per request (a queue) or on every request until cleared.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

/// Which endpoint a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET /openapi/access_token`.
    Token,
    /// `POST /openapi/mass_send/corp/get_mass_task_detail` (and the sibling API endpoints).
    Api,
}

/// One injected misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally (or not at all, if the client gave up).
    Delay(Duration),
    /// Wait this long, then apply the other fault.
    DelayThen(Duration, Box<Fault>),
    /// Answer with this HTTP status and an HTML body; `retry_after` sets `Retry-After` seconds.
    Status {
        /// The status code (429, 500, 502, 503, 504, 404…).
        status: u16,
        /// `Retry-After` in seconds.
        retry_after: Option<u64>,
    },
    /// Drop the connection without answering (HTTP/2: reset the stream).
    Reset,
    /// Announce the whole body, send half of it, then drop the connection.
    TruncatedBody,
    /// Answer `200 OK` with an HTML page, as a misbehaving gateway does.
    NonJsonBody,
    /// Answer with this status and an HTML page that echoes the request line, query string
    /// included, as some gateways' error pages do.
    EchoRequestLine {
        /// The status code.
        status: u16,
    },
    /// Answer with this API error envelope.
    ApiError {
        /// `code`.
        code: i64,
        /// `msg`.
        msg: String,
    },
    /// Revoke every token issued so far, then answer normally (so the request's token is
    /// rejected).
    RevokeTokens,
    /// Answer `200 OK` with a JSON body of this many bytes (for body-size caps).
    OversizedBody(usize),
    /// The same without a `Content-Length` (chunked), so the cap must count what arrives.
    OversizedUnsizedBody(usize),
    /// Answer with exactly this status and body (as JSON), for bodies no other fault makes.
    Body {
        /// The status code.
        status: u16,
        /// The body, sent as is.
        body: String,
    },
    /// Answer with a redirect to `location`.
    Redirect {
        /// 301, 302, 307 or 308.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// Send the status and headers at once, then wait this long before the body (a body slower
    /// than the client's attempt timeout).
    SlowBody(Duration),
    /// Answer normally, but say the body is in this `Content-Encoding` (and send bytes that are
    /// not JSON, as a compressed body would be).
    ContentEncoding(String),
}

impl Fault {
    /// The fault's name, for logs (its payload may hold anything a test put there).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Delay(_) => "Delay",
            Self::DelayThen(..) => "DelayThen",
            Self::Status { .. } => "Status",
            Self::Reset => "Reset",
            Self::TruncatedBody => "TruncatedBody",
            Self::NonJsonBody => "NonJsonBody",
            Self::EchoRequestLine { .. } => "EchoRequestLine",
            Self::ApiError { .. } => "ApiError",
            Self::RevokeTokens => "RevokeTokens",
            Self::OversizedBody(_) => "OversizedBody",
            Self::OversizedUnsizedBody(_) => "OversizedUnsizedBody",
            Self::Body { .. } => "Body",
            Self::Redirect { .. } => "Redirect",
            Self::SlowBody(_) => "SlowBody",
            Self::ContentEncoding(_) => "ContentEncoding",
        }
    }
}

/// The planned faults of one route.
#[derive(Debug, Default)]
struct RoutePlan {
    queue: VecDeque<Fault>,
    sometimes: Vec<(f64, Fault)>,
    always: Option<Fault>,
}

/// Faults to inject, shared by every connection of a mock.
#[derive(Debug, Default)]
pub struct FaultPlan {
    token: Mutex<RoutePlan>,
    api: Mutex<RoutePlan>,
}

impl FaultPlan {
    fn route(&self, route: Route) -> &Mutex<RoutePlan> {
        match route {
            Route::Token => &self.token,
            Route::Api => &self.api,
        }
    }

    /// The next request on `route` gets `fault` (after any queued before it).
    pub fn push(&self, route: Route, fault: Fault) {
        lock(self.route(route)).queue.push_back(fault);
    }

    /// The next `times` requests on `route` get `fault`.
    pub fn push_times(&self, route: Route, fault: Fault, times: usize) {
        let mut plan = lock(self.route(route));
        plan.queue.extend(std::iter::repeat_n(fault, times));
    }

    /// Each request on `route` (once the queue is empty) gets `fault` with this probability
    /// (0 to 1), drawn afresh every time, until [`Self::clear`]. Several such faults are tried in
    /// the order added; the first drawn applies. For soaks and mixed-failure batches.
    pub fn sometimes(&self, route: Route, probability: f64, fault: Fault) {
        lock(self.route(route))
            .sometimes
            .push((probability.clamp(0.0, 1.0), fault));
    }

    /// Every request on `route` gets `fault` (once the queue is empty) until [`Self::clear`].
    pub fn always(&self, route: Route, fault: Fault) {
        lock(self.route(route)).always = Some(fault);
    }

    /// Removes every planned fault.
    pub fn clear(&self) {
        for route in [Route::Token, Route::Api] {
            let mut plan = lock(self.route(route));
            plan.queue.clear();
            plan.sometimes.clear();
            plan.always = None;
        }
    }

    /// The fault for the request arriving now on `route`, if any.
    pub(crate) fn next(&self, route: Route) -> Option<Fault> {
        let mut plan = lock(self.route(route));
        if let Some(fault) = plan.queue.pop_front() {
            return Some(fault);
        }
        plan.sometimes
            .iter()
            .find(|(probability, _)| fastrand::f64() < *probability)
            .map(|(_, fault)| fault.clone())
            .or_else(|| plan.always.clone())
    }
}

/// Locks, recovering from a poisoned mutex (a panicking test must not wedge the mock).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
