//! `wshoto task export`: many tasks to JSON Lines or CSV, for a nightly job.
//!
//! Ids are streamed through the client's batch stream (a sliding window under a rate limit);
//! results go to a writer thread; failures go to a failures file, never into the data. An
//! interrupted export (Ctrl-C, a crash) is finished by the same command with `--resume`.

mod format;
mod ids;
mod progress;
mod resume;
mod sink;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use wshoto_http::{BatchOptions, Error, Order};
use wshoto_model::Lang;

pub use format::Format;

use self::ids::{IdSet, Ids, Segment};
use self::progress::{Progress, format_duration, per_second};
use self::sink::{Failed, Record, Sink, SinkConfig, WriteError};
use crate::connect::{Connection, client_builder, explain, start_mock};
use crate::exit::{EXIT_INTERRUPTED, EXIT_PARTIAL, Failure};

/// The default `--rate`: requests per second a first-time user will not be blocked for.
pub const DEFAULT_RATE: f64 = 10.0;
/// The failures file when the output is standard output.
pub const STDOUT_FAILURES: &str = "wshoto-export.failures.jsonl";

/// What to export, and how.
#[derive(Debug)]
pub struct Request {
    /// Ids on the command line.
    pub task_ids: Vec<i64>,
    /// `--ids`: lists and ranges.
    pub ids: Vec<String>,
    /// `--ids-file`: one id per line; `-` is standard input.
    pub ids_file: Option<PathBuf>,
    /// `--output`: a file instead of standard output.
    pub output: Option<PathBuf>,
    /// `--format` (else from the output's extension).
    pub format: Option<Format>,
    /// `--columns` (CSV).
    pub columns: Option<String>,
    /// `--excel`: a UTF-8 byte-order mark first (CSV).
    pub excel: bool,
    /// `--lang` of the CSV label columns.
    pub lang: Lang,
    /// `--failures`.
    pub failures: Option<PathBuf>,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--rate`: requests per second, 0 for no limit.
    pub rate: f64,
    /// `--order`.
    pub order: Order,
    /// `--resume`.
    pub resume: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// `--progress-every`: seconds between plain progress lines.
    pub progress_every: f64,
}

/// The counts of a run.
#[derive(Debug, Default)]
struct Tally {
    exported: u64,
    failed: u64,
    skipped: u64,
}

impl Tally {
    fn summary(&self, elapsed: Duration) -> String {
        let done = self.exported + self.failed;
        format!(
            "exported {}, failed {}, skipped {} in {} ({:.1} tasks/s)",
            self.exported,
            self.failed,
            self.skipped,
            format_duration(elapsed),
            per_second(done, elapsed)
        )
    }
}

/// Runs the export. Fails with exit code 5 when some tasks failed (listed in the failures
/// file), 130 when interrupted, 4 when the output cannot be written.
pub async fn export(request: Request, connection: Connection, mock: bool) -> Result<(), Failure> {
    let started = Instant::now();
    let segments = id_segments(&request)?;
    let format = Format::choose(request.format, request.output.as_deref());
    let columns = format::parse_columns(request.columns.as_deref())?;
    check_flags(&request, format, &columns)?;
    let header: Vec<&str> = columns.iter().map(|(_, name)| *name).collect();

    // The output, and what it holds already.
    let (output, output_name, done, header_needed): (Box<dyn Write + Send>, String, IdSet, bool) =
        match &request.output {
            Some(path) => {
                let opened = resume::open(path, format, &header, request.resume)?;
                if request.resume && !request.quiet {
                    eprintln!(
                        "resume: {} tasks already in {}{}",
                        opened.done_count,
                        path.display(),
                        if opened.dropped_bytes > 0 {
                            format!(
                                "; dropped a partial last record ({} bytes)",
                                opened.dropped_bytes
                            )
                        } else {
                            String::new()
                        }
                    );
                }
                (
                    Box::new(opened.file),
                    path.display().to_string(),
                    opened.done,
                    opened.empty,
                )
            }
            None => (
                Box::new(std::io::stdout()),
                "standard output".to_owned(),
                IdSet::default(),
                true,
            ),
        };
    let failures = failures_path(&request);
    // Failures of an earlier run are retried now: start their file afresh.
    if failures.exists() {
        std::fs::File::create(&failures)
            .map_err(|e| Failure::io(format!("cannot write {}: {e}", failures.display())))?;
    }

    let (total, skipped) = Ids::count(&segments, &done);
    let mut tally = Tally {
        skipped,
        ..Tally::default()
    };
    let mock_server = start_mock(mock).await?;
    let mut builder = client_builder(&connection, mock_server.as_ref())?;
    if request.rate > 0.0 {
        builder = builder.rate_limit(request.rate, 1);
    }
    let client = builder.build().map_err(explain)?;

    let sink = Sink::start(SinkConfig {
        output,
        output_name,
        output_is_stdout: request.output.is_none(),
        format,
        columns,
        lang: request.lang,
        header: format == Format::Csv && header_needed,
        excel: request.excel,
        failures: failures.clone(),
        client: client.clone(),
    })
    .map_err(write_failure)?;
    let progress = Progress::new(total, request.quiet);
    let options = BatchOptions::new()
        .concurrency(request.concurrency)
        .order(request.order)
        .reorder_window(1024);
    let mut results = client.mass_task_detail_stream(Ids::new(segments, done), options);
    let mut interrupted = pin!(tokio::signal::ctrl_c());
    let every = Duration::try_from_secs_f64(request.progress_every)
        .ok()
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(5));
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut was_interrupted = false;
    let mut fatal = None;
    loop {
        tokio::select! {
            biased;
            _ = &mut interrupted => {
                was_interrupted = true;
                break;
            }
            item = results.next() => {
                let Some((task_id, result)) = item else { break };
                let record = match result {
                    Ok(task) => {
                        tally.exported += 1;
                        Record::Task(Box::new(task))
                    }
                    Err(error) if stops_everything(&error) => {
                        fatal = Some(error);
                        break;
                    }
                    Err(error) => {
                        tally.failed += 1;
                        Record::Failed(failed(task_id, &error))
                    }
                };
                if !sink.send(record).await {
                    break;
                }
                progress.update(tally.exported + tally.failed, tally.failed);
            }
            _ = ticks.tick() => progress.tick(tally.exported + tally.failed, tally.failed),
        }
    }
    // Stop scheduling and cancel what is in flight, then let the writer finish.
    drop(results);
    let written = sink.finish().await;
    progress.finish();
    let summary = tally.summary(started.elapsed());
    match written {
        Err(WriteError::Closed) => return Ok(()),
        Err(WriteError::Io(message)) => return Err(Failure::io(message)),
        Ok(()) => {}
    }
    if let Some(error) = fatal {
        let mut failure = explain(error);
        failure.message = format!(
            "{}; stopped: {summary}; fix it and run the same command with --resume",
            failure.message
        );
        return Err(failure);
    }
    if was_interrupted {
        return Err(Failure {
            message: format!(
                "interrupted: {summary}; run the same command with --resume to finish"
            ),
            code: EXIT_INTERRUPTED,
        });
    }
    if tally.failed > 0 {
        return Err(Failure {
            message: format!(
                "{} of {} tasks failed (listed in {}): {summary}",
                tally.failed,
                tally.exported + tally.failed,
                failures.display()
            ),
            code: EXIT_PARTIAL,
        });
    }
    if !request.quiet {
        eprintln!("{summary}");
    }
    Ok(())
}

fn id_segments(request: &Request) -> Result<Vec<Segment>, Failure> {
    let mut segments = Vec::new();
    if !request.task_ids.is_empty() {
        segments.push(Segment::List(request.task_ids.clone()));
    }
    for spec in &request.ids {
        segments.extend(ids::parse_spec(spec)?);
    }
    if let Some(path) = &request.ids_file {
        segments.push(Segment::List(ids::read_file(path)?));
    }
    if segments
        .iter()
        .all(|s| matches!(s, Segment::List(l) if l.is_empty()))
    {
        return Err(Failure::usage(
            "no task ids: give them as arguments, with --ids, or with --ids-file",
        ));
    }
    Ok(segments)
}

fn check_flags(
    request: &Request,
    format: Format,
    columns: &[(format::Column, &str)],
) -> Result<(), Failure> {
    if format == Format::Jsonl && (request.columns.is_some() || request.excel) {
        return Err(Failure::usage("--columns and --excel are for --format csv"));
    }
    if request.resume && request.output.is_none() {
        return Err(Failure::usage(
            "--resume needs --output: standard output cannot be read back",
        ));
    }
    if request.resume
        && format == Format::Csv
        && !columns.iter().any(|(_, name)| *name == "task_id")
    {
        return Err(Failure::usage("--resume with CSV needs the task_id column"));
    }
    if !(request.rate.is_finite() && request.rate >= 0.0) {
        return Err(Failure::usage(
            "--rate must be a number of requests per second (0 for no limit)",
        ));
    }
    if request.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    Ok(())
}

/// `--failures`, or `OUTPUT.failures.jsonl` beside the output, or
/// `wshoto-export.failures.jsonl` in the current folder when writing to standard output.
fn failures_path(request: &Request) -> PathBuf {
    if let Some(path) = &request.failures {
        return path.clone();
    }
    match &request.output {
        Some(output) => {
            let mut name = output.file_name().unwrap_or_default().to_os_string();
            name.push(".failures.jsonl");
            output.with_file_name(name)
        }
        None => Path::new(STDOUT_FAILURES).to_path_buf(),
    }
}

/// The failures-file line for `task_id`.
fn failed(task_id: i64, error: &Error) -> Failed {
    Failed {
        task_id,
        kind: failure_kind(error),
        api_code: error.api_code(),
        message: crate::text::cut(&wshoto_http::display_chain(error), 500),
    }
}

/// Whether `error` would fail every other task too (wrong credentials, a rejected fixed token,
/// a bad configuration): then the export stops instead of listing every id as failed.
fn stops_everything(error: &Error) -> bool {
    match error {
        Error::Config(_) => true,
        Error::Token(inner) => inner.api_code().is_some(),
        Error::Api { code, .. } => wshoto_http::DEFAULT_TOKEN_REJECTED_CODES.contains(code),
        _ => false,
    }
}

/// A short name for what kind of failure `error` is.
fn failure_kind(error: &Error) -> &'static str {
    match error {
        Error::Api { .. } => "api",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        Error::Status { .. } => "http_status",
        Error::NotJson { .. } => "not_json",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::Decode(_) => "decode",
        Error::Token(_) => "token",
        Error::Config(_) => "config",
        _ => "other",
    }
}

fn write_failure(error: WriteError) -> Failure {
    match error {
        WriteError::Closed => Failure::io("standard output is closed"),
        WriteError::Io(message) => Failure::io(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(output: Option<&str>, failures: Option<&str>) -> Request {
        Request {
            task_ids: vec![1],
            ids: Vec::new(),
            ids_file: None,
            output: output.map(PathBuf::from),
            format: None,
            columns: None,
            excel: false,
            lang: Lang::En,
            failures: failures.map(PathBuf::from),
            concurrency: 8,
            rate: DEFAULT_RATE,
            order: Order::Input,
            resume: false,
            quiet: false,
            progress_every: 5.0,
        }
    }

    #[test]
    fn the_failures_file_sits_beside_the_output_by_default() {
        assert_eq!(
            failures_path(&request(Some("out/tasks.csv"), None)),
            Path::new("out/tasks.csv.failures.jsonl")
        );
        assert_eq!(
            failures_path(&request(None, None)),
            Path::new(STDOUT_FAILURES)
        );
        assert_eq!(
            failures_path(&request(Some("a.jsonl"), Some("f.jsonl"))),
            Path::new("f.jsonl")
        );
    }

    #[test]
    fn the_summary_names_every_count() {
        let tally = Tally {
            exported: 90,
            failed: 10,
            skipped: 5,
        };
        assert_eq!(
            tally.summary(Duration::from_secs(4)),
            "exported 90, failed 10, skipped 5 in 4.0s (25.0 tasks/s)"
        );
    }
}
