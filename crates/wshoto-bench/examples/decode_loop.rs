//! Decodes one response file many times: a steady target for `valgrind --tool=callgrind`, whose
//! instruction counts (unlike timings) repeat exactly on a busy machine.
//!
//! ```text
//! cargo build --release -p wshoto-bench --example decode_loop
//! valgrind --tool=callgrind target/release/examples/decode_loop fixtures/task_54_corp_send2customer.json 2000
//! callgrind_annotate callgrind.out.*
//! ```
//!
//! A third argument chooses the decoder: `typed` (the default, `wshoto_model::decode`),
//! `with_page_extent` (`wshoto_model::decode_with_page_extent`, what `wshoto decode` and `task
//! get` use), `serde_value` or `sonic_value` (the envelope, then the `range_info` string, as
//! generic DOMs: the decode bench's competitors), so their instructions can be counted the same
//! way.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(times)) = (args.next(), args.next()) else {
        eprintln!(
            "usage: decode_loop RESPONSE.json TIMES [typed|with_page_extent|serde_value|sonic_value]"
        );
        return ExitCode::from(2);
    };
    let Ok(times) = times.parse::<usize>() else {
        eprintln!("TIMES must be a whole number: {times}");
        return ExitCode::from(2);
    };
    let decoder: fn(&[u8]) -> Result<(), String> = match args.next().as_deref() {
        None | Some("typed") => typed,
        Some("with_page_extent") => with_page_extent,
        Some("serde_value") => serde_value,
        Some("sonic_value") => sonic_value,
        Some(other) => {
            eprintln!(
                "unknown decoder {other}: typed, with_page_extent, serde_value or sonic_value"
            );
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..times {
        if let Err(error) = decoder(std::hint::black_box(&bytes)) {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn typed(bytes: &[u8]) -> Result<(), String> {
    let task = wshoto_model::decode(bytes).map_err(|e| e.to_string())?;
    std::hint::black_box(task);
    Ok(())
}

fn with_page_extent(bytes: &[u8]) -> Result<(), String> {
    let decoded = wshoto_model::decode_with_page_extent(bytes).map_err(|e| e.to_string())?;
    std::hint::black_box(decoded);
    Ok(())
}

fn serde_value(bytes: &[u8]) -> Result<(), String> {
    use serde_json::Value;
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let range = value
        .pointer_mut("/data/filter_range_info/range_info")
        .ok_or("no range_info")?;
    if let Value::String(text) = range {
        *range = serde_json::from_str(text).map_err(|e| e.to_string())?;
    }
    std::hint::black_box(value);
    Ok(())
}

fn sonic_value(bytes: &[u8]) -> Result<(), String> {
    use sonic_rs::{JsonValueMutTrait, JsonValueTrait};
    let mut value: sonic_rs::Value = sonic_rs::from_slice(bytes).map_err(|e| e.to_string())?;
    let range = value
        .get_mut("data")
        .and_then(|d| d.get_mut("filter_range_info"))
        .and_then(|f| f.get_mut("range_info"))
        .ok_or("no range_info")?;
    if let Some(text) = range.as_str() {
        let parsed: sonic_rs::Value = sonic_rs::from_str(text).map_err(|e| e.to_string())?;
        *range = parsed;
    }
    std::hint::black_box(value);
    Ok(())
}
