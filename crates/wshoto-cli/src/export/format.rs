//! What an exported task looks like: a JSON line, or a CSV row of chosen columns.

use std::path::Path;

use wshoto_model::time::{BEIJING, from_epoch_seconds};
use wshoto_model::{Labelled, Lang, MassTaskDetail};

use crate::exit::Failure;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: what `wshoto decode` prints for the task, on one line.
    Jsonl,
    /// A header, then one row per task.
    Csv,
}

impl Format {
    /// `--format`, or else from the output's extension (`.csv`), or else JSON Lines.
    pub fn choose(given: Option<Format>, output: Option<&Path>) -> Format {
        given.unwrap_or_else(|| {
            let csv = output
                .and_then(Path::extension)
                .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"));
            if csv { Format::Csv } else { Format::Jsonl }
        })
    }
}

/// One CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    TaskId,
    TaskName,
    Type,
    TypeLabel,
    TaskStatus,
    TaskStatusLabel,
    CreateUserId,
    SendTime,
    SendTimeEpoch,
    EndTime,
    EndTimeEpoch,
    CreateTime,
    CreateTimeEpoch,
    Content,
    Counter(Counter),
    MaterialCount,
    FilterType,
}

/// The task's counters, each a column named like its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    PlanStaff,
    NoSendStaff,
    SuccessStaff,
    FailStaff,
    PlanTarget,
    NoSendTarget,
    SuccessTarget,
    FailTarget,
    ExcessTarget,
    CommentStaff,
    CommentCustomer,
    LikeStaff,
    LikeCustomer,
}

const COUNTERS: [(Counter, &str); 13] = [
    (Counter::PlanStaff, "plan_staff_qty"),
    (Counter::NoSendStaff, "no_send_staff_qty"),
    (Counter::SuccessStaff, "success_staff_qty"),
    (Counter::FailStaff, "fail_staff_qty"),
    (Counter::PlanTarget, "plan_target_qty"),
    (Counter::NoSendTarget, "no_send_target_qty"),
    (Counter::SuccessTarget, "success_target_qty"),
    (Counter::FailTarget, "fail_target_qty"),
    (Counter::ExcessTarget, "excess_target_qty"),
    (Counter::CommentStaff, "comment_staff_qty"),
    (Counter::CommentCustomer, "comment_customer_qty"),
    (Counter::LikeStaff, "like_staff_qty"),
    (Counter::LikeCustomer, "like_customer_qty"),
];

impl Counter {
    fn value(self, task: &MassTaskDetail) -> Option<i64> {
        match self {
            Self::PlanStaff => task.plan_staff_qty,
            Self::NoSendStaff => task.no_send_staff_qty,
            Self::SuccessStaff => task.success_staff_qty,
            Self::FailStaff => task.fail_staff_qty,
            Self::PlanTarget => task.plan_target_qty,
            Self::NoSendTarget => task.no_send_target_qty,
            Self::SuccessTarget => task.success_target_qty,
            Self::FailTarget => task.fail_target_qty,
            Self::ExcessTarget => task.excess_target_qty,
            Self::CommentStaff => task.comment_staff_qty,
            Self::CommentCustomer => task.comment_customer_qty,
            Self::LikeStaff => task.like_staff_qty,
            Self::LikeCustomer => task.like_customer_qty,
        }
    }
}

/// Every column, in the default order, with its header name.
pub fn all_columns() -> Vec<(Column, &'static str)> {
    let mut columns = vec![
        (Column::TaskId, "task_id"),
        (Column::TaskName, "task_name"),
        (Column::Type, "type"),
        (Column::TypeLabel, "type_label"),
        (Column::TaskStatus, "task_status"),
        (Column::TaskStatusLabel, "task_status_label"),
        (Column::CreateUserId, "create_user_id"),
        (Column::SendTime, "send_time"),
        (Column::SendTimeEpoch, "send_time_epoch"),
        (Column::EndTime, "end_time"),
        (Column::EndTimeEpoch, "end_time_epoch"),
        (Column::CreateTime, "create_time"),
        (Column::CreateTimeEpoch, "create_time_epoch"),
        (Column::Content, "content"),
    ];
    columns.extend(COUNTERS.map(|(counter, name)| (Column::Counter(counter), name)));
    columns.push((Column::MaterialCount, "material_count"));
    columns.push((Column::FilterType, "filter_type"));
    columns
}

/// The columns of `--columns` (comma-separated names), or every column.
pub fn parse_columns(spec: Option<&str>) -> Result<Vec<(Column, &'static str)>, Failure> {
    let all = all_columns();
    let Some(spec) = spec else {
        return Ok(all);
    };
    let mut chosen = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let column = all
            .iter()
            .find(|(_, known)| *known == name)
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|(_, n)| *n).collect();
                Failure::usage(format!(
                    "--columns: no column {:?}; the columns are {}",
                    crate::text::excerpt(name),
                    names.join(",")
                ))
            })?;
        if chosen.contains(column) {
            return Err(Failure::usage(format!("--columns: {name} is named twice")));
        }
        chosen.push(*column);
    }
    if chosen.is_empty() {
        return Err(Failure::usage("--columns names no column"));
    }
    Ok(chosen)
}

/// The cell of `column` for `task`: numbers as decimal text, times as Beijing
/// `yyyy-MM-dd HH:mm:ss` (the `_epoch` columns as the raw seconds), enums as their wire value
/// (the `_label` columns in `lang`), absent values empty.
pub fn cell(task: &MassTaskDetail, column: Column, lang: Lang) -> String {
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    match column {
        Column::TaskId => task.task_id.to_string(),
        Column::TaskName => task.task_name.as_deref().unwrap_or_default().to_owned(),
        Column::Type => task.task_type.map(|t| t.wire_text()).unwrap_or_default(),
        Column::TypeLabel => task.task_type.map(|t| t.describe(lang)).unwrap_or_default(),
        Column::TaskStatus => task.task_status.map(|s| s.wire_text()).unwrap_or_default(),
        Column::TaskStatusLabel => task
            .task_status
            .map(|s| s.describe(lang))
            .unwrap_or_default(),
        Column::CreateUserId => task
            .create_user_id
            .as_deref()
            .unwrap_or_default()
            .to_owned(),
        Column::SendTime => beijing(task.send_time),
        Column::SendTimeEpoch => number(task.send_time),
        Column::EndTime => beijing(task.end_time),
        Column::EndTimeEpoch => number(task.end_time),
        Column::CreateTime => beijing(task.create_time),
        Column::CreateTimeEpoch => number(task.create_time),
        Column::Content => task.content.as_deref().unwrap_or_default().to_owned(),
        Column::Counter(counter) => number(counter.value(task)),
        Column::MaterialCount => task
            .material_infos
            .as_ref()
            .map(|m| m.len().to_string())
            .unwrap_or_default(),
        Column::FilterType => task
            .filter_range_info
            .as_ref()
            .and_then(|info| info.range.filter_type_text())
            .unwrap_or_default(),
    }
}

/// Epoch seconds as Beijing time; a value beyond the calendar as its digits.
fn beijing(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return String::new();
    };
    match from_epoch_seconds(seconds) {
        Some(at) => at
            .with_timezone(&BEIJING)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => seconds.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_54() -> MassTaskDetail {
        let body = include_bytes!("../../../../fixtures/task_54_corp_send2customer.json");
        wshoto_model::decode(body).expect("task 54")
    }

    #[test]
    fn cells_show_times_in_beijing_and_raw_and_labels_in_the_language_asked() {
        let task = task_54();
        let row = |column| cell(&task, column, Lang::En);
        assert_eq!(row(Column::TaskId), "54");
        assert_eq!(row(Column::TaskName), "中秋节会员关怀");
        assert_eq!(row(Column::Type), "10");
        assert_eq!(row(Column::TypeLabel), "company to customers");
        assert_eq!(cell(&task, Column::TypeLabel, Lang::Zh), "企业群发客户");
        assert_eq!(row(Column::TaskStatus), "2");
        assert_eq!(row(Column::SendTime), "2024-08-15 09:30:00");
        assert_eq!(row(Column::SendTimeEpoch), "1723685400");
        assert_eq!(row(Column::Counter(Counter::SuccessTarget)), "105");
        assert_eq!(row(Column::MaterialCount), "2");
        assert_eq!(row(Column::FilterType), "CorpSend2Customer");
        let mut empty = task;
        empty.task_name = None;
        empty.send_time = None;
        assert_eq!(cell(&empty, Column::TaskName, Lang::En), "");
        assert_eq!(cell(&empty, Column::SendTime, Lang::En), "");
    }

    #[test]
    fn columns_are_chosen_by_name_in_the_order_given() {
        let chosen = parse_columns(Some("success_target_qty, task_id")).expect("valid");
        assert_eq!(
            chosen,
            [
                (
                    Column::Counter(Counter::SuccessTarget),
                    "success_target_qty"
                ),
                (Column::TaskId, "task_id")
            ]
        );
        assert_eq!(parse_columns(None).expect("all").len(), 29);
        let error = parse_columns(Some("task_id,nope")).expect_err("unknown");
        assert!(
            error.message.contains("no column \"nope\""),
            "{}",
            error.message
        );
        assert!(parse_columns(Some("task_id,task_id")).is_err());
        assert!(parse_columns(Some(",")).is_err());
    }

    #[test]
    fn the_format_follows_the_flag_then_the_extension() {
        let csv = Path::new("out.CSV");
        assert_eq!(Format::choose(None, Some(csv)), Format::Csv);
        assert_eq!(
            Format::choose(None, Some(Path::new("o.jsonl"))),
            Format::Jsonl
        );
        assert_eq!(Format::choose(None, None), Format::Jsonl);
        assert_eq!(
            Format::choose(Some(Format::Jsonl), Some(csv)),
            Format::Jsonl
        );
    }
}
