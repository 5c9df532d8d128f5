//! Helpers shared by the test modules.

use std::path::PathBuf;

/// The workspace's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every fixture as `(name without .json, bytes)`, sorted by name.
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 name")
                .to_owned();
            let bytes = std::fs::read(&path).expect("readable fixture");
            (name, bytes)
        })
        .collect();
    all.sort();
    all
}

/// One fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(format!("{name}.json"))).expect("fixture exists")
}

/// Decodes a fixture that must decode.
pub fn task(name: &str) -> wshoto_model::MassTaskDetail {
    wshoto_model::decode(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A response envelope carrying `task` in its wire form. Written out directly, not through a
/// `serde_json::Value`, which would re-read raw JSON kept in the task (an inline range, `auth`)
/// and change numbers too large for 64 bits.
pub fn envelope(task: &wshoto_model::MassTaskDetail) -> Vec<u8> {
    let data = serde_json::to_string(task).expect("a task encodes");
    format!(r#"{{"code":0,"msg":"ok","data":{data}}}"#).into_bytes()
}
