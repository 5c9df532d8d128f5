//! Integration tests of `wshoto-model`, in one binary.

mod behaviour;
mod dependencies;
mod hostile;
mod roundtrip;
mod snapshots;
mod support;
