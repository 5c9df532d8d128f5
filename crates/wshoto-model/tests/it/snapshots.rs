//! insta snapshots of every fixture: the decoded model (and the JSON that `wshoto decode` prints),
//! or the error message of a hostile input. `cargo xtask snapshots` regenerates them; CI runs
//! `cargo xtask snapshots --check`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::hostile::generated_hostile_inputs;
use crate::support::fixtures;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots")
}

/// What a fixture snapshots as.
fn render(name: &str, bytes: &[u8]) -> String {
    match wshoto_model::decode(bytes) {
        Ok(task) => {
            let display = wshoto_model::to_display_json(&task).expect("display json");
            let mut out = format!(
                "# model\n{task:#?}\n\n# wshoto decode output\n{}\n",
                serde_json::to_string_pretty(&display).expect("pretty")
            );
            if let Err(strict) = wshoto_model::decode_strict(bytes) {
                out.push_str(&format!("\n# decode_strict error\n{strict}\n"));
            }
            assert!(!name.starts_with("error_"), "{name} should not decode");
            out
        }
        Err(error) => {
            assert!(
                name.starts_with("error_"),
                "{name} failed to decode: {error}"
            );
            let line = error.to_string();
            assert!(!line.contains('\n'), "{name}: a multi-line error {line:?}");
            assert!(
                line.len() <= 1_000,
                "{name}: an overlong error ({} bytes)",
                line.len()
            );
            format!("# error\n{line}\n")
        }
    }
}

/// Asserts each named snapshot, collecting every mismatch before failing so that one run names
/// all stale or missing snapshots.
fn assert_all(cases: Vec<(String, String)>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let failed: Vec<String> = settings.bind(|| {
        cases
            .into_iter()
            .filter_map(|(name, content)| {
                let outcome = std::panic::catch_unwind(|| {
                    insta::assert_snapshot!(name.clone(), content);
                });
                outcome.is_err().then_some(name)
            })
            .collect()
    });
    assert!(failed.is_empty(), "stale or missing snapshots: {failed:?}");
}

fn expected_names() -> BTreeSet<String> {
    fixtures()
        .into_iter()
        .map(|(name, _)| name)
        .chain(generated_hostile_inputs().into_iter().map(|(name, _)| name))
        .collect()
}

/// Renders each named input and asserts its snapshot.
fn assert_inputs(inputs: Vec<(String, Vec<u8>)>) {
    let cases = inputs
        .into_iter()
        .map(|(name, bytes)| {
            let rendered = render(&name, &bytes);
            (name, rendered)
        })
        .collect();
    assert_all(cases);
}

#[test]
fn every_fixture_matches_its_snapshot() {
    assert_inputs(fixtures());
}

#[test]
fn every_generated_hostile_input_matches_its_snapshot() {
    assert_inputs(generated_hostile_inputs());
}

#[test]
fn no_snapshot_is_orphaned() {
    let expected = expected_names();
    let orphans: Vec<String> = std::fs::read_dir(snapshot_dir())
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .filter_map(|file| file.strip_suffix(".snap").map(str::to_owned))
                .filter(|name| !expected.contains(name))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        orphans.is_empty(),
        "orphaned snapshots (no fixture): {orphans:?}"
    );
}
