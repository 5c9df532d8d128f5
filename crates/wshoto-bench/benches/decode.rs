//! Decoding a response, side by side with what a user would write instead, on the same bytes in
//! the same run:
//!
//! - `typed`: `wshoto_model::decode` (envelope, task, and the `range_info` document, typed);
//! - `serde_value`: `serde_json::Value` of the envelope, then of the `range_info` string (the same
//!   information, untyped);
//! - `sonic_value`: the same with `sonic_rs::Value`, the fastest generic JSON DOM in Rust.
//!
//! Each engine is timed twice: decoding only (its result dropped by divan after the timing), and
//! decoding and dropping (`*_and_drop`), since a program pays for both.
//!
//! Documents: three typical fixtures (2–3 KB), and a large made-up task (thousands of tag
//! details and chats in its range). Throughput in bytes and documents; allocations per decode
//! (divan's counting allocator). `every_fixture` decodes the whole fixture corpus (typed only);
//! `engine` compares serde_json and sonic-rs as the engine of the same typed decode.
//!
//! Run: `cargo bench -p wshoto-bench --bench decode`.

use serde_json::Value;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const DOCUMENTS: &[&str] = &[
    "task_54_corp_send2customer",
    "doc_staff_send2customer",
    "crowd_pack_big_ids",
    "large_synthetic",
];

/// The bytes of a document: a fixture, or the large made-up task.
fn document(name: &str) -> Vec<u8> {
    if name == "large_synthetic" {
        return large_task();
    }
    let path = format!("{}/../../fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A CorpSend2Customer task whose range holds 3 000 tag details and 2 000 chats (about 545 KB).
fn large_task() -> Vec<u8> {
    let tags: Vec<Value> = (0..3_000)
        .map(|i| {
            serde_json::json!({"tag_id": format!("etA{i}"), "tag_name": format!("标签{i}"),
                "tag_type": 1, "strategy_id": i, "auth": 1, "status": 0, "desc": ""})
        })
        .collect();
    let chats: Vec<Value> = (0..2_000)
        .map(|i| {
            serde_json::json!({"chat_id": format!("wrOgQhDgAA{i:06}"),
                "chat_name": format!("客户群{i}"), "status": "0"})
        })
        .collect();
    let range = serde_json::json!({
        "include_tags": {"operator": 1, "tag_detail_list": tags},
        "chat_list": chats,
        "sex": "ALL"
    });
    let envelope = serde_json::json!({"code": 0, "msg": "ok", "data": {
        "task_id": 9001, "task_name": "large", "type": 10, "task_status": 2,
        "filter_range_info": {"filter_type": "CorpSend2Customer", "range_info": range.to_string()}
    }});
    serde_json::to_vec(&envelope).expect("encodes")
}

fn counters(bytes: &[u8]) -> (divan::counter::BytesCount, divan::counter::ItemsCount) {
    (
        divan::counter::BytesCount::of_slice(bytes),
        divan::counter::ItemsCount::new(1usize),
    )
}

/// `wshoto_model::decode`: the task, typed.
fn decode_typed(bytes: &[u8]) -> wshoto_model::MassTaskDetail {
    wshoto_model::decode(divan::black_box(bytes)).expect("decodes")
}

/// serde_json `Value`s of the envelope and of the `range_info` string.
fn decode_serde_value(bytes: &[u8]) -> Value {
    let mut value: Value = serde_json::from_slice(divan::black_box(bytes)).expect("parses");
    let range = value
        .pointer_mut("/data/filter_range_info/range_info")
        .expect("range_info");
    if let Value::String(text) = range {
        let parsed: Value = serde_json::from_str(text).expect("range parses");
        *range = parsed;
    }
    value
}

/// The same with sonic-rs `Value`s.
fn decode_sonic_value(bytes: &[u8]) -> sonic_rs::Value {
    use sonic_rs::{JsonValueMutTrait, JsonValueTrait};
    let mut value: sonic_rs::Value = sonic_rs::from_slice(divan::black_box(bytes)).expect("parses");
    let range = value
        .get_mut("data")
        .and_then(|d| d.get_mut("filter_range_info"))
        .and_then(|f| f.get_mut("range_info"))
        .expect("range_info");
    if let Some(text) = range.as_str() {
        let parsed: sonic_rs::Value = sonic_rs::from_str(text).expect("range parses");
        *range = parsed;
    }
    value
}

/// Decodes `name` with `engine`; the result is returned, and divan drops it after the timing.
fn decode_only<T>(bencher: divan::Bencher, name: &str, engine: fn(&[u8]) -> T) {
    let bytes = document(name);
    let (size, items) = counters(&bytes);
    bencher
        .counter(size)
        .counter(items)
        .bench(|| engine(&bytes));
}

/// Decodes `name` with `engine` and drops the result inside the timing: what a program that
/// reads a task and lets it go pays for each.
fn decode_and_drop<T>(bencher: divan::Bencher, name: &str, engine: fn(&[u8]) -> T) {
    let bytes = document(name);
    let (size, items) = counters(&bytes);
    bencher
        .counter(size)
        .counter(items)
        .bench(|| drop(engine(&bytes)));
}

#[divan::bench(args = DOCUMENTS)]
fn typed(bencher: divan::Bencher, name: &str) {
    decode_only(bencher, name, decode_typed);
}

#[divan::bench(args = DOCUMENTS)]
fn serde_value(bencher: divan::Bencher, name: &str) {
    decode_only(bencher, name, decode_serde_value);
}

#[divan::bench(args = DOCUMENTS)]
fn sonic_value(bencher: divan::Bencher, name: &str) {
    decode_only(bencher, name, decode_sonic_value);
}

#[divan::bench(args = DOCUMENTS)]
fn typed_and_drop(bencher: divan::Bencher, name: &str) {
    decode_and_drop(bencher, name, decode_typed);
}

#[divan::bench(args = DOCUMENTS)]
fn serde_value_and_drop(bencher: divan::Bencher, name: &str) {
    decode_and_drop(bencher, name, decode_serde_value);
}

#[divan::bench(args = DOCUMENTS)]
fn sonic_value_and_drop(bencher: divan::Bencher, name: &str) {
    decode_and_drop(bencher, name, decode_sonic_value);
}

/// Every fixture in turn (errors and hostile inputs included), typed only: throughput over the
/// whole corpus, in bytes and documents a second.
#[divan::bench]
fn every_fixture(bencher: divan::Bencher) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let mut fixtures: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        .map(|entry| std::fs::read(entry.path()).expect("fixture"))
        .collect();
    fixtures.sort();
    let bytes: usize = fixtures.iter().map(Vec::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .counter(divan::counter::ItemsCount::new(fixtures.len()))
        .bench(|| {
            fixtures
                .iter()
                .filter(|fixture| wshoto_model::decode(divan::black_box(fixture)).is_ok())
                .count()
        });
}

/// The engine question: the same typed decode through serde_json and through sonic-rs's serde
/// deserializer. sonic-rs cannot read the whole response (the model keeps some values as
/// serde_json raw values), so the two parts it can read are measured apart: the large range
/// document without `auth`, and task 54 without its range.
mod engine {
    use serde_json::Value;
    use wshoto_model::MassTaskDetail;
    use wshoto_model::range::CustomerRange;

    /// `large_synthetic`'s range document, unescaped, without `auth`.
    fn range_document() -> String {
        let envelope: Value = serde_json::from_slice(&super::large_task()).expect("json");
        let text = envelope["data"]["filter_range_info"]["range_info"]
            .as_str()
            .expect("a string");
        text.replace("\"auth\":1,", "").replace(",\"auth\":1", "")
    }

    /// Task 54's object without `filter_range_info`.
    fn task_without_range() -> String {
        let mut envelope: Value =
            serde_json::from_slice(&super::document("task_54_corp_send2customer")).expect("json");
        if let Some(task) = envelope["data"].as_object_mut() {
            task.remove("filter_range_info");
        }
        envelope["data"].to_string()
    }

    /// Task 54's `range_info` string as it stands in the response (a JSON string literal).
    fn range_literal() -> String {
        let envelope: Value =
            serde_json::from_slice(&super::document("task_54_corp_send2customer")).expect("json");
        envelope["data"]["filter_range_info"]["range_info"].to_string()
    }

    #[divan::bench]
    fn range_serde_json(bencher: divan::Bencher) {
        let text = range_document();
        bencher.bench(|| {
            serde_json::from_str::<CustomerRange>(divan::black_box(&text)).expect("range")
        });
    }

    #[divan::bench]
    fn range_sonic_rs(bencher: divan::Bencher) {
        let text = range_document();
        bencher
            .bench(|| sonic_rs::from_str::<CustomerRange>(divan::black_box(&text)).expect("range"));
    }

    #[divan::bench]
    fn task_serde_json(bencher: divan::Bencher) {
        let text = task_without_range();
        bencher.bench(|| {
            serde_json::from_str::<MassTaskDetail>(divan::black_box(&text)).expect("task")
        });
    }

    #[divan::bench]
    fn task_sonic_rs(bencher: divan::Bencher) {
        let text = task_without_range();
        bencher
            .bench(|| sonic_rs::from_str::<MassTaskDetail>(divan::black_box(&text)).expect("task"));
    }

    #[divan::bench]
    fn unescape_serde_json(bencher: divan::Bencher) {
        let text = range_literal();
        bencher.bench(|| serde_json::from_str::<String>(divan::black_box(&text)).expect("string"));
    }

    #[divan::bench]
    fn unescape_sonic_rs(bencher: divan::Bencher) {
        let text = range_literal();
        bencher.bench(|| sonic_rs::from_str::<String>(divan::black_box(&text)).expect("string"));
    }
}
