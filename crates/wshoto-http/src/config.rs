//! `Client::builder()`: every setting, validated by `build()`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Uri};
use secrecy::ExposeSecret;

use crate::client::Client;
use crate::credentials::{Credentials, FixedToken, TokenProvider};
use crate::error::Error;
use crate::redact::Secrets;
use crate::retry::RetryPolicy;
use crate::token_cache::AppTokenProvider;
use crate::transport::{BaseUrl, ProxySettings, Transport, TransportSettings};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://open.wshoto.com";
/// Default response-body cap: 4 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;
/// API codes that mean "this access token is not (or no longer) valid". Unconfirmed by an
/// official table: seen in a public third-party client. Configurable.
pub const DEFAULT_TOKEN_REJECTED_CODES: [i64; 3] = [10001, 10010, 10011];

/// Builds a [`Client`]. Every setting has a sensible default except the credentials.
/// `Debug` redacts the credentials and the proxy's password.
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    base_url: String,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: usize,
    user_agent: String,
    extra_root_pems: Vec<Vec<u8>>,
    proxy: Option<String>,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    http1_only: bool,
    token_refresh_margin: Duration,
    token_rejected_codes: Vec<i64>,
    rate_limit: Option<(f64, u32)>,
    rate_limited_codes: Vec<i64>,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent: concat!("wshoto-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            extra_root_pems: Vec::new(),
            proxy: None,
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 32,
            http1_only: false,
            token_refresh_margin: Duration::from_secs(300),
            token_rejected_codes: DEFAULT_TOKEN_REJECTED_CODES.to_vec(),
            rate_limit: None,
            rate_limited_codes: Vec::new(),
            allow_insecure_http: false,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proxy = self.proxy.as_deref().map(|p| {
            validated_proxy(p).map_or_else(|_| "[invalid]".to_owned(), |p| format!("{p:?}"))
        });
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("user_agent", &self.user_agent)
            .field("extra_root_certificates", &self.extra_root_pems.len())
            .field("proxy", &proxy)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("http1_only", &self.http1_only)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("token_rejected_codes", &self.token_rejected_codes)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limited_codes", &self.rate_limited_codes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// How to authenticate (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The API's base URL. Default [`DEFAULT_BASE_URL`]. Must be `https://`, except on a
    /// loopback address (or with [`Self::danger_allow_insecure_http`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time to open a TCP connection. Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time for one attempt: request sent, response and whole body received. Default 15 s.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Time for a whole call: token, attempts, backoff, and the one token-refresh retry.
    /// Default 60 s.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`] (4 attempts).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body accepted. Default 4 MiB.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The `User-Agent` header. Default `wshoto-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Trusts the certificates in this PEM as well as the bundled web roots (feature
    /// `webpki-roots`, on by default) and the system's store (feature `native-roots`): a
    /// corporate TLS-inspecting proxy, or a test server.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_pems.push(pem.into());
        self
    }

    /// Sends every request through this HTTP CONNECT proxy, `http://host:port` (credentials as
    /// `http://user:pass@host:port`), for a fixed egress on IP allow-lists.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// How long an idle pooled connection is kept. Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host. Default 32.
    pub fn pool_max_idle_per_host(mut self, count: usize) -> Self {
        self.pool_max_idle_per_host = count;
        self
    }

    /// Offers only HTTP/1.1 to HTTPS servers. By default the client offers HTTP/2 as well (by
    /// ALPN) and uses it when the server picks it: one connection carries every request.
    /// HTTP/1.1 keeps a connection per request in flight, and costs the client less per call
    /// (about a quarter less CPU measured against the mock; see `docs/performance.md`).
    /// Plain `http://` is always HTTP/1.1.
    pub fn http1_only(mut self, only: bool) -> Self {
        self.http1_only = only;
        self
    }

    /// With app credentials, refresh a token this long before it expires (at most half its
    /// lifetime). Default 300 s.
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// API codes meaning "token rejected": the client refreshes the token once and retries the
    /// call once. Default [`DEFAULT_TOKEN_REJECTED_CODES`].
    pub fn token_rejected_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.token_rejected_codes = codes.into_iter().collect();
        self
    }

    /// Caps every request made through the client and its clones (API calls, token fetches,
    /// retries) at `per_second` on average, with up to `burst` at once: a token bucket shared by
    /// all of them. HTTP 429, a `Retry-After` and the [`Self::rate_limited_api_codes`] halve the
    /// rate in force (at most once a second, down to a sixteenth); each two calm seconds give a
    /// tenth back. Default: no limit (a `Retry-After` still pauses the whole client).
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// API codes meaning "calling too often": they slow the whole client down like a 429, and are
    /// retried like a transient failure. Default: none (the API publishes no such code).
    pub fn rate_limited_api_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.rate_limited_codes = codes.into_iter().collect();
        self
    }

    /// Allows plain `http://` to hosts that are not loopback. The access token then travels in
    /// clear text: for a trusted private network only.
    pub fn danger_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Validates the settings and builds the client. Must be called inside a tokio runtime.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.clone().ok_or_else(|| {
            Error::Config(
                "credentials are required (a token, app credentials or a provider)".into(),
            )
        })?;
        let base_url = self.validated_base_url()?;
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("attempt_timeout", self.attempt_timeout),
            ("total_timeout", self.total_timeout),
        ] {
            if value.is_zero() {
                return Err(Error::Config(format!("{name} must be more than zero")));
            }
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry max_attempts must be at least 1".into(),
            ));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::Config(
                "max_body_bytes must be more than zero".into(),
            ));
        }
        if let Some((per_second, burst)) = self.rate_limit
            && (!per_second.is_finite() || per_second <= 0.0 || burst == 0)
        {
            return Err(Error::Config(format!(
                "rate_limit must be a positive number of requests per second with a burst of at \
                 least 1 (got {per_second}/s, burst {burst})"
            )));
        }
        let mut retry = self.retry.clone();
        for code in &self.rate_limited_codes {
            if !retry.transient_api_codes.contains(code) {
                retry.transient_api_codes.push(*code);
            }
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::Config("user_agent is not a valid header value".into()))?;
        let proxy = self.proxy.as_deref().map(validated_proxy).transpose()?;
        if !cfg!(any(feature = "webpki-roots", feature = "native-roots"))
            && self.extra_root_pems.is_empty()
            && base_url.starts_with("https://")
        {
            return Err(Error::Config(
                "no root certificates to trust: enable the webpki-roots or native-roots feature, \
                 or add_root_certificate_pem"
                    .into(),
            ));
        }
        let secrets = Arc::new(Secrets::default());
        match &credentials {
            Credentials::Token(token) if token.expose_secret().trim().is_empty() => {
                return Err(Error::Config("the access token is empty".into()));
            }
            Credentials::Token(token) => secrets.add_token(token.expose_secret()),
            Credentials::App { app_secret, .. } => secrets.pin(app_secret.expose_secret()),
            Credentials::Provider(_) => {}
        }
        let base_url = BaseUrl::parse(&base_url)
            .ok_or_else(|| Error::Config(format!("base_url {base_url:?} is not a URL")))?;
        let transport = Transport::new(
            TransportSettings {
                base_url,
                tls: self.tls_config()?,
                proxy,
                connect_timeout: self.connect_timeout,
                attempt_timeout: self.attempt_timeout,
                total_timeout: self.total_timeout,
                max_body_bytes: self.max_body_bytes,
                user_agent,
                pool_idle_timeout: self.pool_idle_timeout,
                pool_max_idle_per_host: self.pool_max_idle_per_host,
                http1_only: self.http1_only,
                retry,
                rate_limit: self.rate_limit,
            },
            secrets,
        );
        let provider: Arc<dyn TokenProvider> = match credentials {
            Credentials::Token(token) => Arc::new(FixedToken(token)),
            Credentials::App { app_id, app_secret } => {
                if app_id.trim().is_empty() {
                    return Err(Error::Config("the app id is empty".into()));
                }
                Arc::new(AppTokenProvider::new(
                    app_id,
                    app_secret,
                    transport.clone(),
                    self.token_refresh_margin,
                ))
            }
            Credentials::Provider(provider) => provider,
        };
        Ok(Client::new(
            transport,
            provider,
            self.token_rejected_codes,
            self.rate_limited_codes,
        ))
    }

    fn validated_base_url(&self) -> Result<String, Error> {
        let trimmed = self.base_url.trim_end_matches('/');
        // Credentials in the URL would travel to logs and pool traces; the URL is not echoed.
        let authority = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
        let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(Error::Config(
                "base_url must not carry credentials (user:password@host); put them in the proxy \
                 URL or use app credentials"
                    .into(),
            ));
        }
        let uri: Uri = trimmed
            .parse()
            .map_err(|_| Error::Config(format!("base_url {trimmed:?} is not a URL")))?;
        let host = uri
            .host()
            .ok_or_else(|| Error::Config(format!("base_url {trimmed:?} has no host")))?;
        if uri.query().is_some() {
            return Err(Error::Config("base_url must not have a query".into()));
        }
        match uri.scheme_str() {
            Some("https") => Ok(trimmed.to_owned()),
            Some("http") if is_loopback(host) || self.allow_insecure_http => Ok(trimmed.to_owned()),
            Some("http") => Err(Error::Config(format!(
                "refusing plain http to {host}: the access token would travel unencrypted; \
                 use https, a loopback address, or danger_allow_insecure_http"
            ))),
            _ => Err(Error::Config(format!(
                "base_url {trimmed:?} must start with https://"
            ))),
        }
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, Error> {
        let mut roots = rustls::RootCertStore::empty();
        #[cfg(feature = "webpki-roots")]
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        #[cfg(feature = "native-roots")]
        add_native_roots(&mut roots);
        for pem in &self.extra_root_pems {
            let mut added = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|e| Error::Config(format!("root certificate PEM: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| Error::Config(format!("root certificate: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(Error::Config(
                    "root certificate PEM holds no certificate".into(),
                ));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }
}

/// The operating system's trusted roots (feature `native-roots`). Certificates the store holds
/// but rustls cannot use are skipped, and so is a store that cannot be read: the other roots
/// still apply, and the log says why.
#[cfg(feature = "native-roots")]
fn add_native_roots(roots: &mut rustls::RootCertStore) {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "cannot read part of the system's certificate store");
    }
    let (added, skipped) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, skipped, "system root certificates");
}

/// Whether a URL host is a loopback address (`localhost`, `127.0.0.0/8`, `::1`).
pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses `http://[user:pass@]host:port`; the credentials become a Basic `Proxy-Authorization`.
fn validated_proxy(url: &str) -> Result<ProxySettings, Error> {
    let invalid =
        || Error::Config("the proxy must be http://[user:pass@]host:port (HTTP CONNECT)".into());
    let rest = url.strip_prefix("http://").ok_or_else(invalid)?;
    let rest = rest.trim_end_matches('/');
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((credentials, host_port)) => (Some(credentials), host_port),
        None => (None, rest),
    };
    let uri: Uri = format!("http://{host_port}")
        .parse()
        .map_err(|_| invalid())?;
    if uri.host().is_none_or(str::is_empty) || uri.path() != "/" {
        return Err(invalid());
    }
    let authorization = credentials
        .map(|c| {
            let mut value = HeaderValue::from_str(&format!("Basic {}", base64(c.as_bytes())))
                .map_err(|_| invalid())?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        })
        .transpose()?;
    Ok(ProxySettings { uri, authorization })
}

/// Standard base64 with padding, for a Basic credential.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_carry_basic_credentials_and_hide_them() {
        let proxy = validated_proxy("http://user:pa ss@127.0.0.1:3128").expect("valid");
        let auth = proxy.authorization.as_ref().expect("credentials");
        assert_eq!(auth.to_str().ok(), Some("Basic dXNlcjpwYSBzcw=="));
        assert_eq!(format!("{proxy:?}"), "http://[REDACTED]@127.0.0.1:3128");
        let plain = validated_proxy("http://proxy.corp:8080/").expect("valid");
        assert!(plain.authorization.is_none());
        assert_eq!(format!("{plain:?}"), "http://proxy.corp:8080");
        for bad in ["socks5://h:1", "http://", "http://h:1/path", "h:1"] {
            assert!(validated_proxy(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "192.168.1.1",
            "[::2]",
            "localhost.evil.com",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
