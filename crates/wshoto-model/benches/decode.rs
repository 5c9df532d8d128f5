//! Decoding a response, side by side with untyped parsing of the same bytes.
//!
//! Competitors, on the same fixture in the same run:
//! - `typed`: `wshoto_model::decode` (envelope, task, and the `range_info` document);
//! - `untyped_envelope`: `serde_json::from_slice::<Value>` of the envelope only (less work: the
//!   range stays an unparsed string);
//! - `untyped_with_range`: the same plus parsing the `range_info` string into a `Value` (the same
//!   information as `typed`, untyped).
//!
//! Run: `cargo bench -p wshoto-model --bench decode`.

use serde_json::Value;

fn main() {
    divan::main();
}

const FIXTURES: &[&str] = &[
    "task_54_corp_send2customer",
    "doc_staff_send2customer",
    "crowd_pack_big_ids",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[divan::bench(args = FIXTURES)]
fn typed(bencher: divan::Bencher, name: &str) {
    let bytes = fixture(name);
    bencher
        .counter(divan::counter::BytesCount::of_slice(&bytes))
        .bench(|| wshoto_model::decode(divan::black_box(&bytes)).expect("decodes"));
}

#[divan::bench(args = FIXTURES)]
fn untyped_envelope(bencher: divan::Bencher, name: &str) {
    let bytes = fixture(name);
    bencher
        .counter(divan::counter::BytesCount::of_slice(&bytes))
        .bench(|| serde_json::from_slice::<Value>(divan::black_box(&bytes)).expect("parses"));
}

#[divan::bench(args = FIXTURES)]
fn untyped_with_range(bencher: divan::Bencher, name: &str) {
    let bytes = fixture(name);
    bencher
        .counter(divan::counter::BytesCount::of_slice(&bytes))
        .bench(|| {
            let mut value: Value =
                serde_json::from_slice(divan::black_box(&bytes)).expect("parses");
            let range = value
                .pointer_mut("/data/filter_range_info/range_info")
                .expect("range_info");
            if let Value::String(text) = range {
                let parsed: Value = serde_json::from_str(text).expect("range parses");
                *range = parsed;
            }
            value
        });
}
