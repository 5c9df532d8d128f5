//! Integration tests of `wshoto-http`, all against the mock on loopback, in one binary.

mod batch;
mod connections;
mod dependencies;
mod faults;
mod hostile;
mod security;
mod success;
mod support;
mod tokens;
