//! A real HTTP/1.1 and HTTP/2 server on loopback that speaks the Wshoto Open API from fixtures,
//! with fault injection: for this SDK's tests, and for yours.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use wshoto_mock::{Fault, MockServer, Route};
//! let mock = MockServer::start().await?;
//! mock.faults().push(Route::Api, Fault::Status { status: 503, retry_after: Some(1) });
//! println!("{} serves task 54; token: {}", mock.url(), mock.issue_token());
//! # Ok(()) }
//! ```
//!
//! Endpoints: `GET /openapi/access_token?appid=&app_secret=` issues tokens that expire after
//! [`MockConfig::token_ttl`]; `POST /openapi/mass_send/corp/get_mass_task_detail?access_token=`
//! answers `{"task_id": N}` with the fixture of task N. Unknown tokens get code 10001, revoked
//! ones 10010, expired ones 10011.

mod body;
mod counters;
mod faults;
mod fixtures;
mod proxy;
mod responses;
mod routes;
mod server;
mod synthetic;
mod tls;
mod tokens;

pub use counters::Stats;
pub use faults::{Fault, FaultPlan, Route};
pub use fixtures::Fixtures;
pub use proxy::ConnectProxy;
pub use server::{
    CODE_BAD_CREDENTIALS, CODE_BAD_REQUEST, CODE_TASK_NOT_FOUND, CODE_TOKEN_EXPIRED,
    CODE_TOKEN_INVALID, CODE_TOKEN_REVOKED, DETAIL_PATH, EXECUTE_DETAIL_PATH, MockConfig,
    MockError, MockServer, TOKEN_PATH,
};
pub use synthetic::synthetic_task;
pub use tls::TlsSetupError;

/// The crate README's Rust blocks, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
