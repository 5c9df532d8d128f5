//! `wshoto`: the command-line tool of the Wshoto Open API SDK.

mod decode_cmd;
mod exit;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line tool for the Wshoto (微盛·企微管家) Open API mass-send task detail.
#[derive(Debug, Parser)]
#[command(name = "wshoto", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode one get_mass_task_detail response envelope and print the task as JSON.
    ///
    /// Exit codes: 0 decoded; 1 input rejected (not JSON, wrong type, empty, or with --strict a
    /// range_info that does not fit its filter_type); 2 usage; 3 API error code; 4 I/O error.
    Decode {
        /// Fail when range_info does not fit the schema of its filter_type (default: warn).
        #[arg(long)]
        strict: bool,
        /// The response file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { strict, file } => decode_cmd::run(file, strict),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
