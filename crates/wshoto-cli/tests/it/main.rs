//! Integration tests of the `wshoto` binary, in one test binary.

mod decode;
mod support;
mod task;
