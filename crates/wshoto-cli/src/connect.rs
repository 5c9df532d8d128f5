//! From the command line's connection options to a client (and, with `--mock`, a mock server in
//! this process); and from a client error to a one-line failure that says what to do.

use std::path::PathBuf;
use std::time::Duration;

use wshoto_http::{Client, ClientBuilder, Credentials, Error};
#[cfg(feature = "mock")]
pub use wshoto_mock::MockServer;

/// Stands in for the mock in a build without it (feature `mock` off): no value exists.
#[cfg(not(feature = "mock"))]
#[derive(Debug)]
pub enum MockServer {}

#[cfg(not(feature = "mock"))]
impl MockServer {
    fn url(&self) -> &str {
        match *self {}
    }
    fn app_id(&self) -> &str {
        match *self {}
    }
    fn app_secret(&self) -> &str {
        match *self {}
    }
}

use crate::exit::Failure;

/// Where and how to connect.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--ca-cert`: a PEM file of extra roots.
    pub ca_cert: Option<PathBuf>,
    /// `--proxy`.
    pub proxy: Option<String>,
    /// `--timeout`, seconds for the whole call.
    pub timeout: Option<f64>,
    /// `--http1-only`.
    pub http1_only: bool,
    /// `--token` or `WSHOTO_ACCESS_TOKEN`.
    pub token: Option<String>,
    /// `WSHOTO_APP_ID`.
    pub app_id: Option<String>,
    /// `WSHOTO_APP_SECRET`.
    pub app_secret: Option<String>,
}

const NO_CREDENTIALS: &str = "no credentials: set WSHOTO_ACCESS_TOKEN (or --token), or \
    WSHOTO_APP_ID and WSHOTO_APP_SECRET; to try the tool without an account, add --mock";

/// With `--mock`, a mock server in this process (kept alive by the caller).
pub async fn start_mock(mock: bool) -> Result<Option<MockServer>, Failure> {
    if !mock {
        return Ok(None);
    }
    start_embedded_mock().await.map(Some)
}

#[cfg(feature = "mock")]
async fn start_embedded_mock() -> Result<MockServer, Failure> {
    MockServer::start()
        .await
        .map_err(|e| Failure::io(format!("cannot start the mock: {e}")))
}

#[cfg(not(feature = "mock"))]
async fn start_embedded_mock() -> Result<MockServer, Failure> {
    Err(Failure::usage(
        "--mock: this wshoto was built without the mock (cargo feature `mock`)",
    ))
}

/// The client for `connection` (aimed at `mock` when there is one and no base URL was given).
pub fn build_client(connection: &Connection, mock: Option<&MockServer>) -> Result<Client, Failure> {
    client_builder(connection, mock)?.build().map_err(explain)
}

/// The builder for `connection`, for commands that add settings of their own.
pub fn client_builder(
    connection: &Connection,
    mock: Option<&MockServer>,
) -> Result<ClientBuilder, Failure> {
    let mut builder = Client::builder();
    let base_url = connection
        .base_url
        .clone()
        .or_else(|| mock.map(|m| m.url().to_owned()));
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    let credentials = match (
        &connection.token,
        &connection.app_id,
        &connection.app_secret,
    ) {
        (Some(token), _, _) => Credentials::token(token.clone()),
        (None, Some(id), Some(secret)) => Credentials::app(id.clone(), secret.clone()),
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err(Failure::usage(
                "set both WSHOTO_APP_ID and WSHOTO_APP_SECRET (or WSHOTO_ACCESS_TOKEN)",
            ));
        }
        (None, None, None) => match mock {
            Some(mock) => Credentials::app(mock.app_id(), mock.app_secret()),
            None => return Err(Failure::usage(NO_CREDENTIALS)),
        },
    };
    builder = builder.credentials(credentials);
    if let Some(path) = &connection.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Failure::usage(format!("cannot read --ca-cert {}: {e}", path.display()))
        })?;
        builder = builder.add_root_certificate_pem(pem);
    }
    if let Some(proxy) = &connection.proxy {
        builder = builder.proxy(proxy.clone());
    }
    builder = builder.http1_only(connection.http1_only);
    if let Some(seconds) = connection.timeout {
        let total = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| Failure::usage("--timeout must be a positive number of seconds"))?;
        builder = builder
            .total_timeout(total)
            .attempt_timeout(total.min(Duration::from_secs(15)));
    }
    Ok(builder)
}

/// One line that says what went wrong and what to do.
pub fn explain(error: Error) -> Failure {
    let line = wshoto_http::display_chain(&error);
    // A token fetch that failed below the API says what to check as the call itself would.
    let cause = match &error {
        Error::Token(inner) if inner.api_code().is_none() => inner.as_ref(),
        other => other,
    };
    if let Some(hint) = network_hint(cause) {
        return Failure::io(format!("{line}; {hint}"));
    }
    match &error {
        Error::Config(_) => Failure::usage(line),
        Error::Api { code, .. } if wshoto_http::DEFAULT_TOKEN_REJECTED_CODES.contains(code) => {
            Failure::api(format!(
                "{line} (the access token was rejected; check the credentials)"
            ))
        }
        Error::Api { .. } => Failure::api(line),
        Error::Token(inner) if inner.api_code().is_some() => Failure::api(format!(
            "{line} (check WSHOTO_APP_ID and WSHOTO_APP_SECRET)"
        )),
        Error::Decode(_) => Failure::input(line),
        _ => Failure::io(line),
    }
}

/// What to check when a call failed below the API.
fn network_hint(error: &Error) -> Option<&'static str> {
    match error {
        Error::Timeout { .. } => Some("check the network, --proxy, or raise --timeout"),
        Error::Transport { .. } => Some("check --base-url, --proxy and --ca-cert"),
        Error::Redirect { .. } => Some("check --base-url"),
        _ => None,
    }
}
