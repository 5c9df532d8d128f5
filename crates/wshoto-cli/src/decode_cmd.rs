//! `wshoto decode`: one response envelope in, the task's JSON out.

use std::io::Read;
use std::path::PathBuf;

use wshoto_model::{DecodeError, RangeInfo};

use crate::exit::Failure;
use crate::output::print_json;

/// Reads the envelope from `file` (or standard input for `None` or `-`), decodes it and prints
/// the task's display JSON. A range that does not fit its schema is a warning, or with `strict`
/// an error.
pub fn run(file: Option<PathBuf>, strict: bool) -> Result<(), Failure> {
    let bytes = read_input(file)?;
    let (task, extent) =
        wshoto_model::decode_with_page_extent(&bytes).map_err(|error| match error {
            DecodeError::Api { .. } => Failure::api(error.to_string()),
            other => Failure::input(other.to_string()),
        })?;
    if strict
        && let Some(error) = task
            .filter_range_info
            .as_ref()
            .and_then(|i| i.range.error())
    {
        return Err(Failure::input(
            DecodeError::Range(error.clone()).to_string(),
        ));
    }
    // The input is not needed any more: free it before the output is written.
    drop(bytes);
    if let Some(warning) = extent.and_then(|(records, total)| page_warning(records, total)) {
        eprintln!("{warning}");
    }
    if let Some(RangeInfo::Invalid(invalid)) = task.filter_range_info.as_ref().map(|i| &i.range) {
        let warning = format!(
            "range_info printed as received, it does not fit {}: {}",
            invalid.filter_type, invalid.error
        );
        eprintln!(
            "warning: {}",
            crate::text::cut(&warning, crate::text::MAX_ERROR_CHARS)
        );
    }
    print_json(&wshoto_model::Shown(&task))
}

/// The warning for a response whose `data` was a page holding more than the record printed.
pub fn page_warning(records: usize, total: Option<i64>) -> Option<String> {
    if !wshoto_model::page_holds_more((records, total)) {
        return None;
    }
    let total = total.map_or_else(|| "not given".to_owned(), |t| t.to_string());
    Some(format!(
        "warning: data is a page of {records} records (total {total}); only the first is \
         printed (wshoto_model::decode_page reads them all)"
    ))
}

fn read_input(file: Option<PathBuf>) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    match file {
        Some(path) if path.as_os_str() != "-" => {
            bytes = std::fs::read(&path)
                .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::io(format!("cannot read standard input: {e}")))?;
        }
    }
    Ok(bytes)
}
