//! Cargo unifies features into the user's build: `wshoto-http` must turn on only what a client
//! needs — no HTTP server, no signal handling, no multi-thread runtime or macros, and no change to
//! `serde_json`'s map type.

use std::process::Command;

/// `cargo tree` of this crate's normal dependencies with their features, one per line.
fn feature_tree() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--package",
            "wshoto-http",
            "--edges",
            "normal,features",
        ])
        .args(["--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn the_client_crate_turns_on_no_server_or_application_features() {
    let tree = feature_tree();
    assert!(
        tree.contains("hyper feature \"client\""),
        "the tree was read: {tree}"
    );
    for unwanted in [
        "hyper feature \"server\"",
        "hyper-util feature \"server\"",
        "hyper-util feature \"server-auto\"",
        "tokio feature \"signal\"",
        "tokio feature \"rt-multi-thread\"",
        "tokio feature \"macros\"",
        "serde_json feature \"preserve_order\"",
    ] {
        assert!(
            !tree.contains(unwanted),
            "{unwanted} in wshoto-http's build"
        );
    }
}
