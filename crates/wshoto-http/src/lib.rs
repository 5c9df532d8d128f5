//! The live client of the Wshoto (微盛·企微管家) Open API, on hyper, rustls (ring) and tokio.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wshoto_http::Error> {
//! use wshoto_http::{Client, Credentials};
//! let client = Client::builder()
//!     .credentials(Credentials::app("your-appid", "your-app-secret"))
//!     .build()?;
//! let task = client.mass_task_detail(54).await?;
//! println!("{:?} {:?}", task.task_name, task.task_status);
//! # Ok(()) }
//! ```
//!
//! - Access tokens: fixed, fetched with app credentials (cached, refreshed ahead of expiry, one
//!   fetch at a time), or from your own [`TokenProvider`]. A rejected token is refreshed once and
//!   the call retried once.
//! - Retries: full-jitter exponential backoff for transient failures, `Retry-After` honoured,
//!   bounded by attempts and a total deadline ([`RetryPolicy`], [`retry::decide`]).
//! - Batches: [`Client::mass_task_detail_stream`] streams many tasks through a sliding window of
//!   requests, in input order or as completed ([`BatchOptions`]).
//! - Rate limit: [`ClientBuilder::rate_limit`] caps every request of the client and its clones;
//!   429s, `Retry-After` and "too frequent" API codes slow the whole client down.
//! - Secrets: the app secret and tokens never appear in `Debug`, errors or logs.

mod batch;
mod client;
mod config;
mod credentials;
mod error;
mod inline_h1;
mod rate_limit;
mod redact;
pub mod retry;
mod token_cache;
mod transport;
mod wake_in_place;

pub use batch::{BatchItem, BatchOptions, Order, TaskStream};
pub use client::{Client, MASS_TASK_DETAIL_PATH};
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOKEN_REJECTED_CODES,
};
pub use credentials::{
    AccessToken, BoxFuture, Credentials, ENV_ACCESS_TOKEN, ENV_APP_ID, ENV_APP_SECRET,
    TokenProvider,
};
pub use error::{BoxError, Error, TimeoutKind, TransportKind, display_chain};
pub use rate_limit::RateLimitState;
pub use redact::REDACTED;
pub use retry::RetryPolicy;
pub use wshoto_model;

/// The Rust blocks of the README and the guides in `docs/`, compiled (and run, where they have a
/// `main`) as doctests, so that they cannot rot.
#[cfg(doctest)]
mod markdown_doctests {
    #[doc = include_str!("../../../README.md")]
    struct Readme;
    #[doc = include_str!("../README.md")]
    struct CrateReadme;
    #[doc = include_str!("../../../docs/client.md")]
    struct ClientGuide;
    #[doc = include_str!("../../../docs/mock.md")]
    struct MockGuide;
    #[doc = include_str!("../../../docs/export.md")]
    struct ExportGuide;
    #[doc = include_str!("../../../docs/get_mass_task_detail.md")]
    struct FieldGuide;
    #[doc = include_str!("../../../docs/RELIABILITY.md")]
    struct Reliability;
    #[doc = include_str!("../../../docs/performance.md")]
    struct Performance;
}
