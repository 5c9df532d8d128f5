//! The writer thread: renders and writes exported tasks and failures, so that file writes never
//! block the async workers. Output and failures are flushed whenever no record is waiting.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::thread::JoinHandle;

use serde::Serialize;
use tokio::sync::mpsc;
use wshoto_model::{Lang, MassTaskDetail};

use super::format::{Column, Format, cell};
use super::resume::BOM;

/// Records waiting for the writer at most; the batch waits when it is this far ahead.
const QUEUE: usize = 256;

/// What the writer writes.
#[derive(Debug)]
pub enum Record {
    /// An exported task, to the output.
    Task(Box<MassTaskDetail>),
    /// A task that failed, to the failures file.
    Failed(Failed),
}

/// One line of the failures file.
#[derive(Debug, Serialize)]
pub struct Failed {
    /// The task id.
    pub task_id: i64,
    /// What kind of failure: `api`, `timeout`, `transport`, `http_status`, …
    pub kind: &'static str,
    /// The API's error code, for `api` (and token) failures.
    pub api_code: Option<i64>,
    /// The error, one line.
    pub message: String,
}

/// Why the writer stopped early.
#[derive(Debug)]
pub enum WriteError {
    /// Standard output was closed by its reader (`| head`): stop quietly.
    Closed,
    /// Writing failed (disk full, permissions): the one-line message.
    Io(String),
}

/// Where and how to write.
pub struct SinkConfig {
    /// The output: a file opened for appending, or standard output.
    pub output: Box<dyn Write + Send>,
    /// The output's name in messages.
    pub output_name: String,
    /// Whether the output is standard output (a closed pipe then ends the export quietly).
    pub output_is_stdout: bool,
    /// The format.
    pub format: Format,
    /// CSV columns.
    pub columns: Vec<(Column, &'static str)>,
    /// CSV labels' language.
    pub lang: Lang,
    /// Write a CSV header (the output is empty).
    pub header: bool,
    /// Start an empty CSV with a UTF-8 byte-order mark, for Excel.
    pub excel: bool,
    /// The failures file, created at the first failure.
    pub failures: PathBuf,
    /// The client, whose secrets are redacted from every line written (a server may echo them
    /// in any field).
    pub client: wshoto_http::Client,
}

/// The running writer.
pub struct Sink {
    sender: mpsc::Sender<Record>,
    thread: JoinHandle<Result<(), WriteError>>,
}

impl Sink {
    /// Starts the writer thread.
    pub fn start(config: SinkConfig) -> Result<Self, WriteError> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("wshoto-export-writer".into())
            .spawn(move || Writer::new(config)?.run(receiver))
            .map_err(|e| WriteError::Io(format!("cannot start the writer: {e}")))?;
        Ok(Self { sender, thread })
    }

    /// Hands a record to the writer; `false` when the writer has stopped (see [`Self::finish`]).
    pub async fn send(&self, record: Record) -> bool {
        self.sender.send(record).await.is_ok()
    }

    /// Closes the queue, waits until everything is written and flushed, and says how it ended.
    pub async fn finish(self) -> Result<(), WriteError> {
        drop(self.sender);
        let thread = self.thread;
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .map_err(|e| WriteError::Io(format!("the writer failed: {e}")))?
            .map_err(|_| WriteError::Io("the writer panicked".into()))?
    }
}

enum Output {
    Jsonl(BufWriter<Box<dyn Write + Send>>),
    Csv(Box<csv::Writer<Box<dyn Write + Send>>>),
}

struct Writer {
    output: Output,
    output_name: String,
    output_is_stdout: bool,
    columns: Vec<(Column, &'static str)>,
    lang: Lang,
    failures_path: PathBuf,
    failures: Option<BufWriter<File>>,
    client: wshoto_http::Client,
}

impl Writer {
    fn new(config: SinkConfig) -> Result<Self, WriteError> {
        let mut writer = Self {
            output: Output::Jsonl(BufWriter::new(Box::new(std::io::sink()))),
            output_name: config.output_name,
            output_is_stdout: config.output_is_stdout,
            columns: config.columns,
            lang: config.lang,
            failures_path: config.failures,
            failures: None,
            client: config.client,
        };
        let mut raw = config.output;
        writer.output = match config.format {
            Format::Jsonl => Output::Jsonl(BufWriter::with_capacity(64 << 10, raw)),
            Format::Csv => {
                if config.header && config.excel {
                    raw.write_all(BOM).map_err(|e| writer.output_error(e))?;
                }
                let mut csv = csv::WriterBuilder::new()
                    .buffer_capacity(64 << 10)
                    .from_writer(raw);
                if config.header {
                    let names: Vec<&str> = writer.columns.iter().map(|(_, n)| *n).collect();
                    csv.write_record(&names).map_err(|e| writer.csv_error(e))?;
                }
                Output::Csv(Box::new(csv))
            }
        };
        Ok(writer)
    }

    fn run(mut self, mut receiver: mpsc::Receiver<Record>) -> Result<(), WriteError> {
        loop {
            let record = match receiver.try_recv() {
                Ok(record) => record,
                Err(mpsc::error::TryRecvError::Empty) => {
                    // Idle: put what we have on disk, then wait.
                    self.flush()?;
                    match receiver.blocking_recv() {
                        Some(record) => record,
                        None => break,
                    }
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            };
            match record {
                Record::Task(task) => self.write_task(&task)?,
                Record::Failed(failed) => self.write_failure(&failed)?,
            }
        }
        self.flush()
    }

    fn write_task(&mut self, task: &MassTaskDetail) -> Result<(), WriteError> {
        match &mut self.output {
            Output::Jsonl(out) => {
                let line = serde_json::to_string(&wshoto_model::Shown(task)).map_err(|e| {
                    WriteError::Io(format!("task {}: cannot render: {e}", task.task_id))
                })?;
                let line = self.client.redact(&line);
                let line = crate::text::escape_json_text(&line);
                let written = out
                    .write_all(line.as_bytes())
                    .and_then(|()| out.write_all(b"\n"));
                written.map_err(|e| self.output_error(e))
            }
            Output::Csv(out) => {
                let row = self.columns.iter().map(|(column, _)| {
                    let cell = cell(task, *column, self.lang);
                    self.client.redact(&cell).into_owned()
                });
                let written = out.write_record(row);
                written.map_err(|e| self.csv_error(e))
            }
        }
    }

    fn write_failure(&mut self, failed: &Failed) -> Result<(), WriteError> {
        let path = &self.failures_path;
        let failures_error =
            |e: std::io::Error| WriteError::Io(format!("cannot write {}: {e}", path.display()));
        if self.failures.is_none() {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(failures_error)?;
            self.failures = Some(BufWriter::new(file));
        }
        let mut line = serde_json::to_vec(failed)
            .map_err(|e| WriteError::Io(format!("cannot render a failure: {e}")))?;
        line.push(b'\n');
        match &mut self.failures {
            Some(out) => out.write_all(&line).map_err(failures_error),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> Result<(), WriteError> {
        let flushed = match &mut self.output {
            Output::Jsonl(out) => out.flush(),
            Output::Csv(out) => out.flush(),
        };
        flushed.map_err(|e| self.output_error(e))?;
        if let Some(failures) = &mut self.failures {
            failures.flush().map_err(|e| {
                WriteError::Io(format!(
                    "cannot write {}: {e}",
                    self.failures_path.display()
                ))
            })?;
        }
        Ok(())
    }

    fn output_error(&self, error: std::io::Error) -> WriteError {
        if self.output_is_stdout && error.kind() == std::io::ErrorKind::BrokenPipe {
            WriteError::Closed
        } else {
            WriteError::Io(format!("cannot write {}: {error}", self.output_name))
        }
    }

    fn csv_error(&self, error: csv::Error) -> WriteError {
        match error.into_kind() {
            csv::ErrorKind::Io(io) => self.output_error(io),
            other => WriteError::Io(format!("cannot write {}: {other:?}", self.output_name)),
        }
    }
}
