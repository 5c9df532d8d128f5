//! App-credential tokens: fetched from `GET /openapi/access_token`, cached, refreshed ahead of
//! expiry, one fetch at a time.
//!
//! Single flight: the first caller that finds no fresh token starts one fetch, in a task of its
//! own so that it finishes even if that caller gives up; every caller that arrives meanwhile
//! waits for the same result. A failed fetch reaches each of them as the same error, and clears
//! the flight so that a later call starts a new one.

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

/// What a fetch produced, as every waiter sees it.
type FlightResult = Result<CachedToken, Arc<Error>>;

#[derive(Clone)]
struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
}

enum Slot {
    Empty,
    Ready(CachedToken),
    Fetching(watch::Receiver<Option<FlightResult>>),
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
                slot: Mutex::new(Slot::Empty),
            }),
        }
    }
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// A fresh cached token, or the flight to wait on (started here if none is under way).
    fn fresh_or_flight(
        self: &Arc<Self>,
    ) -> Result<AccessToken, watch::Receiver<Option<FlightResult>>> {
        let mut slot = lock(&self.slot);
        match &*slot {
            Slot::Ready(cached) if Instant::now() < cached.refresh_at => {
                return Ok(cached.token.clone());
            }
            // A flight whose task died (the sender is gone) is replaced by a new one.
            Slot::Fetching(receiver) if receiver.has_changed().is_ok() => {
                return Err(receiver.clone());
            }
            Slot::Ready(_) | Slot::Empty | Slot::Fetching(_) => {}
        }
        let (sender, receiver) = watch::channel(None);
        *slot = Slot::Fetching(receiver.clone());
        drop(slot);
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let result = inner.fetch().await.map_err(Arc::new);
            {
                let mut slot = lock(&inner.slot);
                *slot = match &result {
                    Ok(cached) => Slot::Ready(cached.clone()),
                    Err(_) => Slot::Empty,
                };
            }
            let _ = sender.send(Some(result));
        });
        Err(receiver)
    }

    /// One request to the token endpoint (with the transport's retries).
    async fn fetch(&self) -> Result<CachedToken, Error> {
        tracing::debug!(app_id = %self.app_id, "fetching an access token");
        let query = [
            ("appid", self.app_id.as_str()),
            ("app_secret", self.app_secret.expose_secret()),
        ];
        let started = Instant::now();
        let body = self.transport.get_with_retries(TOKEN_PATH, &query).await?;
        let data: TokenData = wshoto_model::decode_envelope(&body).map_err(Error::from_decode)?;
        // Bounded, so that an absurd `expires_in` cannot overflow the clock: a token is
        // re-fetched at least daily.
        let lifetime = Duration::from_secs(data.expires_in.unwrap_or(7200).min(MAX_LIFETIME_SECS));
        // A margin larger than half the lifetime would refresh on every call.
        let margin = self.refresh_margin.min(lifetime / 2);
        tracing::debug!(expires_in = lifetime.as_secs(), "access token fetched");
        Ok(CachedToken {
            token: AccessToken::new(data.access_token),
            refresh_at: started + lifetime - margin,
        })
    }
}

impl TokenProvider for AppTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        Box::pin(async move {
            let mut receiver = match self.inner.fresh_or_flight() {
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
        if let Slot::Ready(cached) = &*slot {
            if &cached.token == token {
                *slot = Slot::Empty;
            }
        }
        true
    }
}
