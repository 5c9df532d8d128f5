//! Embeds `fixtures/*.json` (a link to the workspace's `fixtures/`, whose files `cargo package`
//! copies into the package) into the mock, so that `wshoto --mock` works from any directory. No
//! fixture found is a build error, never a mock that silently serves nothing.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("fixtures");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|read| {
            read.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    if entries.is_empty() {
        panic!(
            "no fixtures found in {}: the mock would serve nothing",
            dir.display()
        );
    }
    let mut code = String::from("/// Fixtures embedded at build time: (file stem, bytes).\n");
    code.push_str("pub(crate) const EMBEDDED: &[(&str, &[u8])] = &[\n");
    for path in entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let absolute = path.canonicalize().unwrap_or(path.clone());
        let _ = writeln!(
            code,
            "    ({stem:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("fixtures.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
