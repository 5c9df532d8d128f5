//! How the client authenticates: a fixed token, app credentials, or your own token provider.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// A boxed, sendable future, for [`TokenProvider`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token. `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// The token itself. The client exposes it only to put it in a request's query.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

/// A source of access tokens, such as a central token service shared by many workers.
///
/// The client calls [`TokenProvider::token`] before each call, and
/// [`TokenProvider::invalidate`] when the API rejects the token it was given.
pub trait TokenProvider: Send + Sync + fmt::Debug + 'static {
    /// A token to use now.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>>;

    /// The API rejected `token`. Forget it, and return whether a call to [`Self::token`] may
    /// now give a different one (the client then retries the call once).
    fn invalidate(&self, token: &AccessToken) -> bool;
}

/// How the client gets its access token.
#[derive(Clone)]
pub enum Credentials {
    /// A token you obtained yourself; a rejection is returned as the API error.
    Token(AccessToken),
    /// `appid` and `app_secret`: the client fetches tokens from `GET /openapi/access_token`,
    /// caches them and refreshes them ahead of expiry.
    App {
        /// `appid`.
        app_id: String,
        /// `app_secret`.
        app_secret: SecretString,
    },
    /// Your own provider.
    Provider(Arc<dyn TokenProvider>),
}

impl Credentials {
    /// A fixed access token.
    pub fn token(token: impl Into<String>) -> Self {
        Self::Token(AccessToken::new(token))
    }

    /// App credentials.
    pub fn app(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self::App {
            app_id: app_id.into(),
            app_secret: SecretString::from(app_secret.into()),
        }
    }

    /// A custom provider.
    pub fn provider(provider: impl TokenProvider) -> Self {
        Self::Provider(Arc::new(provider))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Credentials::Token([REDACTED])"),
            Self::App { app_id, .. } => f
                .debug_struct("Credentials::App")
                .field("app_id", app_id)
                .field("app_secret", &"[REDACTED]")
                .finish(),
            Self::Provider(provider) => f
                .debug_tuple("Credentials::Provider")
                .field(provider)
                .finish(),
        }
    }
}

/// A fixed token: never refreshed.
#[derive(Debug)]
pub(crate) struct FixedToken(pub(crate) AccessToken);

impl TokenProvider for FixedToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn invalidate(&self, _token: &AccessToken) -> bool {
        false
    }
}
