//! The client: one typed call for the task detail, a generic one for the sibling endpoints.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{Instrument, field};
use wshoto_model::{DecodeError, MassTaskDetail, TaskPage};

use crate::config::ClientBuilder;
use crate::credentials::TokenProvider;
use crate::error::Error;
use crate::rate_limit::{Overload, RateLimitState};
use crate::retry::CallBudget;
use crate::transport::{Transport, push_percent_encoded};

/// Path of the task detail endpoint.
pub const MASS_TASK_DETAIL_PATH: &str = "/openapi/mass_send/corp/get_mass_task_detail";

/// A Wshoto Open API client. Cheap to clone: clones share the connection pool and the token
/// cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    provider: Arc<dyn TokenProvider>,
    token_rejected_codes: Vec<i64>,
    rate_limited_codes: Vec<i64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.inner.transport)
            .field("provider", &self.inner.provider)
            .field("token_rejected_codes", &self.inner.token_rejected_codes)
            .field("rate_limited_codes", &self.inner.rate_limited_codes)
            .finish()
    }
}

#[derive(Serialize)]
struct TaskIdBody {
    task_id: i64,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn new(
        transport: Transport,
        provider: Arc<dyn TokenProvider>,
        token_rejected_codes: Vec<i64>,
        rate_limited_codes: Vec<i64>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                provider,
                token_rejected_codes,
                rate_limited_codes,
            }),
        }
    }

    /// `text` with the client's secrets (the app secret, the tokens it has used, and any value
    /// after `access_token`/`app_secret`), in any of the forms a server may echo them in,
    /// replaced by `[REDACTED]`. Errors are already scrubbed; use this on task data before it
    /// reaches a log or a terminal.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.inner.transport.secrets().scrub(text)
    }

    /// The rate limit in force now ([`ClientBuilder::rate_limit`]), lower than configured while
    /// the client is slowed down after an overload; `None` when no rate is set.
    pub fn rate_limit_state(&self) -> Option<RateLimitState> {
        self.inner.transport.limiter().state()
    }

    /// `POST /openapi/mass_send/corp/get_mass_task_detail`: the detail of one mass-send task.
    ///
    /// Where the response's `data` is a page (`total`, `records`, as the document's response
    /// table types it) this is its first record, and a page of more than one is logged as a
    /// warning; [`mass_task_detail_page`](Self::mass_task_detail_page) returns every record.
    pub async fn mass_task_detail(&self, task_id: i64) -> Result<MassTaskDetail, Error> {
        self.task_detail_call(task_id, first_record_of_page).await
    }

    /// The same call, every record of the response kept: `data` as a page (`total` as sent, and
    /// each record in order), or a plain task object as a page of one without `total`. An
    /// empty page is `Ok` with no records.
    pub async fn mass_task_detail_page(&self, task_id: i64) -> Result<TaskPage, Error> {
        self.task_detail_call(task_id, wshoto_model::decode_page)
            .await
    }

    async fn task_detail_call<T>(
        &self,
        task_id: i64,
        decode: fn(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<T, Error> {
        let body = serde_json::to_vec(&TaskIdBody { task_id })
            .map_err(|e| Error::Config(format!("cannot encode the request: {e}")))?;
        let span = call_span(MASS_TASK_DETAIL_PATH);
        span.record("task_id", task_id);
        self.call_decoded(MASS_TASK_DETAIL_PATH, Bytes::from(body), decode)
            .instrument(span)
            .await
    }

    /// Any endpoint with the same conventions (`POST path?access_token=` with a JSON body and a
    /// `{code, msg, data}` answer): `data` is decoded as `T`. For the sibling endpoints such as
    /// `/openapi/mass_send/corp/get_mass_task_execute_detail`.
    pub async fn call<B, T>(&self, path: &str, body: &B) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(Error::Config(format!(
                "path {path:?} must start with / and have no query"
            )));
        }
        let body = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot encode the request: {e}")))?;
        self.call_decoded(path, Bytes::from(body), wshoto_model::decode_envelope::<T>)
            .instrument(call_span(path))
            .await
    }

    /// Token, attempts with retries, and one token refresh on rejection, within the total
    /// timeout.
    async fn call_decoded<T>(
        &self,
        path: &str,
        body: Bytes,
        decode: fn(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<T, Error> {
        let transport = &self.inner.transport;
        let budget = CallBudget::new(transport.total_timeout());
        let call = async {
            let mut refreshed = false;
            loop {
                let token = budget
                    .bound(async {
                        self.inner
                            .provider
                            .token()
                            .await
                            .map_err(|e| transport.secrets().scrub_error(e))
                    })
                    .await?;
                transport.secrets().add_token(token.expose_secret());
                let mut path_and_query = String::with_capacity(path.len() + 64);
                path_and_query.push_str(path);
                path_and_query.push_str("?access_token=");
                push_percent_encoded(&mut path_and_query, token.expose_secret());
                let result = budget
                    .retry(transport.retry_policy(), || {
                        let path_and_query = &path_and_query;
                        let body = body.clone();
                        let budget = &budget;
                        async move {
                            let started = Instant::now();
                            let bytes = transport
                                .send_once(budget, Method::POST, path_and_query, Some(body))
                                .await;
                            tracing::Span::current()
                                .record("latency_ms", started.elapsed().as_millis() as u64);
                            let (status, bytes) = bytes?;
                            let decoded = decode(&bytes).map_err(|e| {
                                transport
                                    .secrets()
                                    .scrub_error(Error::from_decode(e, status))
                            });
                            if let Err(Error::Api { code, .. }) = &decoded
                                && self.inner.rate_limited_codes.contains(code)
                            {
                                transport
                                    .limiter()
                                    .overloaded(Overload::ApiCode(*code), None);
                            }
                            decoded
                        }
                    })
                    .await;
                match result {
                    Err(Error::Api { code, .. })
                        if !refreshed
                            && self.inner.token_rejected_codes.contains(&code)
                            && self.inner.provider.invalidate(&token) =>
                    {
                        tracing::warn!(code, "access token rejected; refreshing it once");
                        refreshed = true;
                    }
                    other => return other,
                }
            }
        };
        // Every wait inside is bounded by the budget's deadline (the token, each rate-limit
        // slot and exchange; the backoff stops short of it), one timer at a time.
        let outcome = call.await;
        if let Err(error) = &outcome {
            tracing::Span::current().record("api_code", error.api_code());
            tracing::debug!(error = %crate::error::display_chain(error), "call failed");
        }
        outcome
    }
}

/// [`wshoto_model::decode`], warning when `data` was a page holding more than the record
/// returned (one pass over the usual response either way).
fn first_record_of_page(bytes: &[u8]) -> Result<MassTaskDetail, DecodeError> {
    let (task, extent) = wshoto_model::decode_with_page_extent(bytes)?;
    if let Some((records, total)) = extent.filter(|&extent| wshoto_model::page_holds_more(extent)) {
        tracing::warn!(
            records,
            total,
            "data is a page; only its first record is returned \
             (mass_task_detail_page returns every record)"
        );
    }
    Ok(task)
}

fn call_span(path: &str) -> tracing::Span {
    tracing::info_span!(
        "wshoto.call",
        path = %path,
        task_id = field::Empty,
        attempt = field::Empty,
        status = field::Empty,
        latency_ms = field::Empty,
        api_code = field::Empty,
    )
}
