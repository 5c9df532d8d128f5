//! `wshoto-model` must stay free of I/O: users depend on it alone for offline parsing.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "hyper",
    "hyper-util",
    "hyper-rustls",
    "tokio",
    "mio",
    "rustls",
    "reqwest",
    "h2",
    "socket2",
    "tower",
    "ring",
    "async-std",
    "futures-io",
];

/// `cargo tree` of this crate along `edges`, one entry per line, with extra `args`.
fn cargo_tree(edges: &str, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--package", "wshoto-model", "--edges", edges])
        .args(["--prefix", "none", "--offline"])
        .args(args)
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
fn the_model_crate_has_no_io_dependencies() {
    let tree = cargo_tree("normal", &["--format", "{p}"]);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        crates.contains(&"serde_json"),
        "the tree was read: {crates:?}"
    );
    let found: Vec<&&str> = crates.iter().filter(|c| FORBIDDEN.contains(c)).collect();
    assert!(
        found.is_empty(),
        "I/O crates in wshoto-model's tree: {found:?}"
    );
}

#[test]
fn the_model_does_not_change_serde_jsons_map_type() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--package",
            "wshoto-model",
            "--edges",
            "normal,features",
        ])
        .args(["--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        tree.contains("serde_json feature \"raw_value\""),
        "the tree was read: {tree}"
    );
    // `preserve_order` would turn every `serde_json::Map` in the user's program into an
    // IndexMap; the CLI turns it on for itself.
    assert!(
        !tree.contains("serde_json feature \"preserve_order\""),
        "{tree}"
    );
}
