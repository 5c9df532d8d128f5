//! Decodes one response file many times: a steady target for `valgrind --tool=callgrind`, whose
//! instruction counts (unlike timings) repeat exactly on a busy machine.
//!
//! ```text
//! cargo build --release -p wshoto-bench --example decode_loop
//! valgrind --tool=callgrind target/release/examples/decode_loop fixtures/task_54_corp_send2customer.json 2000
//! callgrind_annotate callgrind.out.*
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(times)) = (args.next(), args.next()) else {
        eprintln!("usage: decode_loop RESPONSE.json TIMES");
        return ExitCode::from(2);
    };
    let Ok(times) = times.parse::<usize>() else {
        eprintln!("TIMES must be a whole number: {times}");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..times {
        if let Err(error) = wshoto_model::decode(std::hint::black_box(&bytes)) {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
