//! Opening the output: fresh, or (with `--resume`) after reading which tasks it already holds
//! and dropping a partial last record that an interrupted run left behind.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;

use super::format::Format;
use super::ids::IdSet;
use crate::exit::Failure;

/// The UTF-8 byte-order mark `--excel` writes first.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An output file ready for appending.
#[derive(Debug)]
pub struct Opened {
    /// The file, positioned at its end.
    pub file: File,
    /// Tasks the file holds already (empty unless resuming).
    pub done: IdSet,
    /// How many tasks the file holds already.
    pub done_count: u64,
    /// Whether the file is empty, so that a CSV header (and BOM) must be written first.
    pub empty: bool,
    /// Bytes of a partial last record dropped on resume.
    pub dropped_bytes: u64,
}

/// Opens `path` for the export: truncated, or with `resume` read and kept. `header` is the CSV
/// header the file must have when it is resumed.
pub fn open(path: &Path, format: Format, header: &[&str], resume: bool) -> Result<Opened, Failure> {
    let shown = path.display();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(!resume)
        .open(path)
        .map_err(|e| Failure::io(format!("cannot open {shown}: {e}")))?;
    let io = |e: std::io::Error| Failure::io(format!("cannot read {shown}: {e}"));
    let length = file.metadata().map_err(io)?.len();
    let end = if resume {
        last_record_end(&mut file, format == Format::Csv).map_err(io)?
    } else {
        0
    };
    if end < length {
        file.set_len(end).map_err(|e| {
            Failure::io(format!(
                "cannot drop the partial last record of {shown}: {e}"
            ))
        })?;
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut done = IdSet::default();
    let done_count = match format {
        Format::Jsonl => read_jsonl_ids(&mut file, end, &mut done, path)?,
        Format::Csv => read_csv_ids(&mut file, end, header, &mut done, path)?,
    };
    file.seek(SeekFrom::End(0)).map_err(io)?;
    Ok(Opened {
        file,
        done,
        done_count,
        empty: end == 0,
        dropped_bytes: length - end,
    })
}

/// The byte just past the last complete record: its newline. For CSV, a newline inside a
/// quoted field does not end a record (quotes toggle; a doubled quote toggles twice).
fn last_record_end(file: &mut File, quoted: bool) -> std::io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let (mut position, mut end, mut in_quotes) = (0u64, 0u64, false);
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(end);
        }
        for (i, byte) in chunk.iter().enumerate() {
            match byte {
                b'"' if quoted => in_quotes = !in_quotes,
                b'\n' if !in_quotes => end = position + i as u64 + 1,
                _ => {}
            }
        }
        let read = chunk.len();
        position += read as u64;
        reader.consume(read);
    }
}

#[derive(Deserialize)]
struct ExportedTask {
    task_id: i64,
}

fn read_jsonl_ids(
    file: &mut File,
    end: u64,
    done: &mut IdSet,
    path: &Path,
) -> Result<u64, Failure> {
    let reader = BufReader::with_capacity(64 << 10, file.take(end));
    let mut count = 0;
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let task: ExportedTask = serde_json::from_slice(&line).map_err(|e| {
            Failure::input(format!(
                "cannot resume: {} line {} is not a task written by wshoto task export ({})",
                path.display(),
                number + 1,
                crate::text::excerpt(&e.to_string())
            ))
        })?;
        done.insert(task.task_id);
        count += 1;
    }
    Ok(count)
}

fn read_csv_ids(
    file: &mut File,
    end: u64,
    header: &[&str],
    done: &mut IdSet,
    path: &Path,
) -> Result<u64, Failure> {
    if end == 0 {
        return Ok(0);
    }
    let mut reader = BufReader::with_capacity(64 << 10, file.take(end));
    if reader
        .fill_buf()
        .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?
        .starts_with(BOM)
    {
        reader.consume(BOM.len());
    }
    let mut csv = csv::ReaderBuilder::new().from_reader(reader);
    let bad = |what: String| Failure::input(format!("cannot resume {}: {what}", path.display()));
    let found = csv
        .headers()
        .map_err(|e| bad(crate::text::excerpt(&e.to_string())))?
        .clone();
    if found.iter().ne(header.iter().copied()) {
        return Err(bad(format!(
            "its columns are {}, not those asked for ({}); resume with the same --columns",
            crate::text::excerpt(&found.iter().collect::<Vec<_>>().join(",")),
            header.join(",")
        )));
    }
    let column = header
        .iter()
        .position(|name| *name == "task_id")
        .ok_or_else(|| Failure::usage("--resume with CSV needs the task_id column"))?;
    let mut count = 0;
    for (number, record) in csv.records().enumerate() {
        let record = record.map_err(|e| bad(crate::text::excerpt(&e.to_string())))?;
        let id = record
            .get(column)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| bad(format!("row {} has no task id", number + 1)))?;
        done.insert(id);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file holding `content` in a scratch folder that is removed with the returned guard.
    fn scratch(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix("wshoto-resume-")
            .tempdir()
            .expect("dir");
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        (dir, path)
    }

    #[test]
    fn a_partial_last_json_line_is_dropped_and_the_rest_counted() {
        let (_dir, path) = scratch(
            "partial.jsonl",
            b"{\"task_id\":1,\"task_name\":\"a\"}\n{\"task_id\":2}\n{\"task_id\":3,\"task_na",
        );
        let opened = open(&path, Format::Jsonl, &[], true).expect("opens");
        assert_eq!(opened.done_count, 2);
        assert!(opened.done.contains(1) && opened.done.contains(2) && !opened.done.contains(3));
        assert_eq!(opened.dropped_bytes, 21);
        assert!(!opened.empty);
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"{\"task_id\":1,\"task_name\":\"a\"}\n{\"task_id\":2}\n"
        );
    }

    #[test]
    fn a_csv_record_cut_inside_a_quoted_newline_is_dropped_whole() {
        let header = ["task_id", "task_name"];
        let content = "\u{feff}task_id,task_name\n1,\"two\nlines\"\n2,\"cut \nhere";
        let (_dir, path) = scratch("partial.csv", content.as_bytes());
        let opened = open(&path, Format::Csv, &header, true).expect("opens");
        assert_eq!(opened.done_count, 1);
        assert!(opened.done.contains(1) && !opened.done.contains(2));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "\u{feff}task_id,task_name\n1,\"two\nlines\"\n"
        );
        let other = open(&path, Format::Csv, &["task_id"], true).expect_err("other columns");
        assert!(
            other.message.contains("same --columns"),
            "{}",
            other.message
        );
    }

    #[test]
    fn without_resume_the_file_starts_empty_and_foreign_files_are_refused() {
        let (dir, path) = scratch("fresh.jsonl", b"{\"task_id\":1}\n");
        let opened = open(&path, Format::Jsonl, &[], false).expect("opens");
        assert!(opened.empty && opened.done_count == 0);
        assert_eq!(std::fs::read(&path).expect("read"), b"");
        let (_other, foreign) = scratch("foreign.jsonl", b"hello\n");
        let error = open(&foreign, Format::Jsonl, &[], true).expect_err("not ours");
        assert!(error.message.contains("line 1"), "{}", error.message);
        let missing = dir.path().join("none.jsonl");
        let opened = open(&missing, Format::Jsonl, &[], true).expect("a new file");
        assert!(opened.empty);
    }
}
