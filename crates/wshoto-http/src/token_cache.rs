//! App-credential tokens: fetched from `GET /openapi/access_token`, cached, refreshed ahead of
//! expiry, one fetch at a time.
//!
//! - **Single flight.** The first caller that needs a fetch starts one, in a task of its own so
//!   that it finishes even if that caller gives up; every caller that needs it meanwhile waits
//!   for the same result.
//! - **Refresh without waiting.** Once the refresh margin is reached, callers keep getting the
//!   cached token while the refresh runs in the background; only a missing or expired token makes
//!   callers wait.
//! - **A failed refresh keeps the old token** until it really expires; the refresh is tried again
//!   after [`REFRESH_RETRY`]. A failed fetch with no usable token reaches each waiter as the same
//!   error, and a later call starts a new one.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::credentials::{AccessToken, BoxFuture, TokenProvider};
use crate::error::Error;
use crate::transport::Transport;

/// Path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/openapi/access_token";

/// The longest a fetched token is trusted, whatever `expires_in` says: one day.
const MAX_LIFETIME_SECS: u64 = 24 * 3600;
/// After a failed background refresh, how long the old token is served before trying again.
pub(crate) const REFRESH_RETRY: Duration = Duration::from_secs(5);

/// What a fetch produced, as every waiter sees it.
type FlightResult = Result<CachedToken, Arc<Error>>;
type Flight = watch::Receiver<Option<FlightResult>>;

#[derive(Clone)]
struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
    expires_at: Instant,
}

#[derive(Default)]
struct Slot {
    /// The token in use, while it has not expired.
    current: Option<CachedToken>,
    /// The fetch under way.
    flight: Option<Flight>,
    /// No background refresh before this (after a failed one).
    next_refresh: Option<Instant>,
}

impl Slot {
    /// The flight under way, unless its task died (the sender is gone).
    fn live_flight(&self) -> Option<&Flight> {
        self.flight.as_ref().filter(|f| f.has_changed().is_ok())
    }
}

/// The app-credential token provider.
pub(crate) struct AppTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    app_id: String,
    app_secret: SecretString,
    transport: Transport,
    refresh_margin: Duration,
    slot: Mutex<Slot>,
}

impl fmt::Debug for AppTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppTokenProvider")
            .field("app_id", &self.inner.app_id)
            .field("app_secret", &"[REDACTED]")
            .field("refresh_margin", &self.inner.refresh_margin)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's `data`.
#[derive(Deserialize)]
struct TokenData {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl AppTokenProvider {
    pub(crate) fn new(
        app_id: String,
        app_secret: SecretString,
        transport: Transport,
        refresh_margin: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                app_id,
                app_secret,
                transport,
                refresh_margin,
                slot: Mutex::new(Slot::default()),
            }),
        }
    }
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// A usable cached token (starting a background refresh when one is due), or the flight to
    /// wait on (started here if none is under way).
    fn token_or_flight(self: &Arc<Self>) -> Result<AccessToken, Flight> {
        let now = Instant::now();
        let mut slot = lock(&self.slot);
        if let Some(cached) = slot.current.clone() {
            if now < cached.refresh_at {
                return Ok(cached.token);
            }
            if now < cached.expires_at {
                let refresh_allowed = slot.next_refresh.is_none_or(|at| now >= at);
                if slot.live_flight().is_none() && refresh_allowed {
                    tracing::debug!("refreshing the access token in the background");
                    let _ = self.start_flight(&mut slot);
                }
                return Ok(cached.token);
            }
            slot.current = None;
        }
        match slot.live_flight() {
            Some(flight) => Err(flight.clone()),
            None => Err(self.start_flight(&mut slot)),
        }
    }

    /// Starts a fetch in a task of its own; its result goes into the slot and to every waiter.
    fn start_flight(self: &Arc<Self>, slot: &mut Slot) -> Flight {
        let (sender, receiver) = watch::channel(None);
        slot.flight = Some(receiver.clone());
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let result = inner.fetch().await.map_err(Arc::new);
            {
                let mut slot = lock(&inner.slot);
                slot.flight = None;
                match &result {
                    Ok(cached) => {
                        slot.current = Some(cached.clone());
                        slot.next_refresh = None;
                    }
                    Err(error) => {
                        // The old token, if any, is kept until it expires.
                        slot.next_refresh = Some(Instant::now() + REFRESH_RETRY);
                        if slot.current.is_some() {
                            tracing::warn!(
                                error = %crate::error::display_chain(error.as_ref()),
                                "refreshing the access token failed; the current one is kept"
                            );
                        }
                    }
                }
            }
            let _ = sender.send(Some(result));
        });
        receiver
    }

    /// One request to the token endpoint (with the transport's retries).
    async fn fetch(&self) -> Result<CachedToken, Error> {
        tracing::debug!(app_id = %self.app_id, "fetching an access token");
        let query = [
            ("appid", self.app_id.as_str()),
            ("app_secret", self.app_secret.expose_secret()),
        ];
        let started = Instant::now();
        let (status, body) = self.transport.get_with_retries(TOKEN_PATH, &query).await?;
        let secrets = self.transport.secrets();
        let data: TokenData = wshoto_model::decode_envelope(&body)
            .map_err(|e| secrets.scrub_error(Error::from_decode(e, status)))?;
        secrets.add_token(&data.access_token);
        // Bounded, so that an absurd `expires_in` cannot overflow the clock: a token is
        // re-fetched at least daily.
        let lifetime = Duration::from_secs(data.expires_in.unwrap_or(7200).min(MAX_LIFETIME_SECS));
        // A margin larger than half the lifetime would refresh on every call.
        let margin = self.refresh_margin.min(lifetime / 2);
        tracing::debug!(expires_in = lifetime.as_secs(), "access token fetched");
        Ok(CachedToken {
            token: AccessToken::new(data.access_token),
            refresh_at: started + lifetime - margin,
            expires_at: started + lifetime,
        })
    }
}

impl TokenProvider for AppTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        Box::pin(async move {
            let mut receiver = match self.inner.token_or_flight() {
                Ok(token) => return Ok(token),
                Err(receiver) => receiver,
            };
            let outcome = receiver
                .wait_for(Option::is_some)
                .await
                .map(|result| result.clone());
            match outcome {
                Ok(Some(Ok(cached))) => Ok(cached.token),
                Ok(Some(Err(error))) => Err(Error::Token(error)),
                // The fetching task died without an answer (runtime shutting down).
                Ok(None) | Err(_) => Err(Error::Token(Arc::new(Error::Config(
                    "the token fetch was cancelled".to_owned(),
                )))),
            }
        })
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        let mut slot = lock(&self.inner.slot);
        if slot.current.as_ref().is_some_and(|c| &c.token == token) {
            slot.current = None;
            slot.next_refresh = None;
        }
        true
    }
}
