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

/// The variable holding a fixed access token (read by [`Credentials::from_env`] and the CLI).
pub const ENV_ACCESS_TOKEN: &str = "WSHOTO_ACCESS_TOKEN";
/// The variable holding the app id.
pub const ENV_APP_ID: &str = "WSHOTO_APP_ID";
/// The variable holding the app secret.
pub const ENV_APP_SECRET: &str = "WSHOTO_APP_SECRET";

/// How the client gets its access token.
#[derive(Clone)]
#[non_exhaustive]
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

    /// The credentials in the environment, read as the `wshoto` CLI reads them:
    /// `WSHOTO_ACCESS_TOKEN` (a fixed token), else `WSHOTO_APP_ID` and `WSHOTO_APP_SECRET`. An
    /// empty or blank value counts as unset.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] over any source of variables (a configuration system, a test).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        match (get(ENV_ACCESS_TOKEN), get(ENV_APP_ID), get(ENV_APP_SECRET)) {
            (Some(token), _, _) => Ok(Self::token(token)),
            (None, Some(id), Some(secret)) => Ok(Self::app(id, secret)),
            (None, Some(_), None) | (None, None, Some(_)) => Err(Error::Config(format!(
                "set both {ENV_APP_ID} and {ENV_APP_SECRET} (or {ENV_ACCESS_TOKEN})"
            ))),
            (None, None, None) => Err(Error::Config(format!(
                "no credentials: set {ENV_ACCESS_TOKEN}, or {ENV_APP_ID} and {ENV_APP_SECRET}"
            ))),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_is_read_as_the_cli_reads_it() {
        let token = Credentials::from_lookup(lookup(&[
            (ENV_ACCESS_TOKEN, "tok"),
            (ENV_APP_ID, "id"),
            (ENV_APP_SECRET, "secret"),
        ]));
        assert!(matches!(token, Ok(Credentials::Token(t)) if t.expose_secret() == "tok"));
        let app = Credentials::from_lookup(lookup(&[
            (ENV_ACCESS_TOKEN, "  "),
            (ENV_APP_ID, "id"),
            (ENV_APP_SECRET, "secret"),
        ]));
        assert!(
            matches!(&app, Ok(Credentials::App { app_id, app_secret })
                if app_id == "id" && app_secret.expose_secret() == "secret"),
            "an empty token is unset: {app:?}"
        );
        let half = Credentials::from_lookup(lookup(&[(ENV_APP_ID, "id")])).expect_err("half");
        assert!(
            half.to_string()
                .contains("set both WSHOTO_APP_ID and WSHOTO_APP_SECRET")
        );
        let none = Credentials::from_lookup(lookup(&[])).expect_err("none");
        assert!(none.to_string().contains("no credentials"), "{none}");
    }
}
