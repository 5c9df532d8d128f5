//! Integration tests of the `wshoto` binary, in one test binary.

mod decode;
mod export;
mod support;
mod task;
