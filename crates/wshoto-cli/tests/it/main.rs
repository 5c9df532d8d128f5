//! Integration tests of the `wshoto` binary, in one test binary.

mod decode;
mod export;
mod hostile;
mod profiles;
mod real_peer;
mod redaction;
mod support;
mod task;
