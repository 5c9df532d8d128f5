//! Benchmarks only (see `benches/`): `cargo bench -p wshoto-bench`. The competitors are this
//! crate's dev-dependencies, so they never reach the libraries' dependency trees.
