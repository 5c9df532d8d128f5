//! How the binary fails: one line on standard error and an exit code per kind of failure.

use std::process::ExitCode;

/// Exit code: the input was rejected (not JSON, wrong type, empty, strict range).
pub const EXIT_INPUT: u8 = 1;
/// Exit code: bad command line or configuration (clap uses it too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the API answered with an error code.
pub const EXIT_API: u8 = 3;
/// Exit code: reading input, writing output, or reaching the API failed.
pub const EXIT_IO: u8 = 4;
/// Exit code: an export finished, but some of its tasks failed.
pub const EXIT_PARTIAL: u8 = 5;
/// Exit code: interrupted by Ctrl-C (128 + SIGINT), leaving a resumable export.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure to report: one line, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The one-line message.
    pub message: String,
    /// The process exit code.
    pub code: u8,
}

impl Failure {
    /// Rejected input.
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_INPUT,
        }
    }

    /// Bad usage or configuration.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_USAGE,
        }
    }

    /// An API error code.
    pub fn api(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_API,
        }
    }

    /// An I/O or network failure.
    pub fn io(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_IO,
        }
    }

    /// Prints the message on one line (control characters escaped, cut short) and gives the
    /// exit code.
    pub fn report(self) -> ExitCode {
        let line = self.message.replace(['\n', '\r'], " ");
        eprintln!(
            "error: {}",
            crate::text::cut(&line, crate::text::MAX_ERROR_CHARS)
        );
        ExitCode::from(self.code)
    }
}
