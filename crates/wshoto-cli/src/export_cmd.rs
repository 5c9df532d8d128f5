//! `wshoto task export`: many tasks as JSON Lines, in the order given.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use serde_json::json;

use crate::exit::{EXIT_PARTIAL, Failure};
use crate::task_cmd::{Connection, build_client, start_mock};

/// Ids fetched per round: results are written, and their memory released, a round at a time.
const ROUND: usize = 1000;

/// What to export, and where.
#[derive(Debug)]
pub struct Request {
    /// Ids on the command line.
    pub task_ids: Vec<i64>,
    /// `--ids-file`: one id per line; `-` is standard input.
    pub ids_file: Option<PathBuf>,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--output`: a file instead of standard output.
    pub output: Option<PathBuf>,
}

/// Fetches every task and writes one JSON line each: the task as `wshoto decode` prints it, or
/// `{"task_id", "error", "api_code"}` for a task that failed. Fails with exit code 5 when any
/// task failed, after writing all of them.
pub async fn export(request: Request, connection: Connection, mock: bool) -> Result<(), Failure> {
    let mut ids = request.task_ids;
    if let Some(path) = &request.ids_file {
        ids.extend(read_ids(path)?);
    }
    if ids.is_empty() {
        return Err(Failure::usage(
            "no task ids: give them as arguments or with --ids-file",
        ));
    }
    let mock_server = start_mock(mock).await?;
    let client = build_client(&connection, mock_server.as_ref())?;
    let mut out: Box<dyn Write> = match &request.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::io(format!("cannot create {}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let total = ids.len();
    let mut failed = 0;
    for round in ids.chunks(ROUND) {
        let results = client
            .mass_task_details(round.to_vec(), request.concurrency)
            .await;
        for (task_id, result) in results {
            let line = match result {
                Ok(task) => wshoto_model::to_display_json(&task)
                    .map_err(|e| Failure::input(format!("task {task_id}: cannot render: {e}")))?,
                Err(error) => {
                    failed += 1;
                    json!({
                        "task_id": task_id,
                        "error": wshoto_http::display_chain(&error),
                        "api_code": error.api_code(),
                    })
                }
            };
            write_line(&mut out, &line)?;
        }
    }
    out.flush()
        .map_err(|e| Failure::io(format!("cannot write output: {e}")))?;
    if failed > 0 {
        return Err(Failure {
            message: format!(
                "{failed} of {total} tasks failed (their lines carry the error); {} exported",
                total - failed
            ),
            code: EXIT_PARTIAL,
        });
    }
    eprintln!("exported {total} tasks");
    Ok(())
}

fn write_line(out: &mut dyn Write, value: &serde_json::Value) -> Result<(), Failure> {
    serde_json::to_writer(&mut *out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| Failure::io(format!("cannot write output: {e}")))
}

/// Task ids from a file (or standard input for `-`): one per line; blank lines and `#` comments
/// are skipped.
fn read_ids(path: &PathBuf) -> Result<Vec<i64>, Failure> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(path).map_err(|e| {
            Failure::io(format!("cannot read {}: {e}", path.display()))
        })?))
    };
    let mut ids = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
        let text = line.split('#').next().unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        let id = text.parse().map_err(|_| {
            Failure::usage(format!(
                "{} line {}: {text:?} is not a task id",
                path.display(),
                number + 1
            ))
        })?;
        ids.push(id);
    }
    Ok(ids)
}
