//! `wshoto task get`: fetch one task with the live client and show it.

use wshoto_model::Lang;

use crate::connect::{Connection, build_client, explain, start_mock};
use crate::exit::Failure;
use crate::output::print_json_redacted;

/// What to print.
#[derive(Debug, Clone, Copy)]
pub struct Display {
    /// `--json`: the same JSON as `wshoto decode`.
    pub json: bool,
    /// `--lang`.
    pub lang: Lang,
}

/// Fetches task `task_id` and prints it. With `mock`, a mock server is started in this process
/// and the client talks to it over loopback.
pub async fn get(
    task_id: i64,
    connection: Connection,
    display: Display,
    mock: bool,
) -> Result<(), Failure> {
    let mock_server = start_mock(mock).await?;
    let client = build_client(&connection, mock_server.as_ref())?;
    let page = client
        .mass_task_detail_page(task_id)
        .await
        .map_err(explain)?;
    let (records, total) = (page.records.len(), page.total);
    let Some(task) = page.records.into_iter().next() else {
        return Err(Failure::input(
            "cannot decode the response: data.records: the page holds no task".to_owned(),
        ));
    };
    if let Some(warning) = crate::decode_cmd::page_warning(records, total) {
        eprintln!("{warning}");
    }
    // A server may echo our secrets in any field: they are redacted from what is printed.
    if display.json {
        let json = wshoto_model::to_display_json(&task)
            .map_err(|e| Failure::input(format!("cannot render the task as JSON: {e}")))?;
        print_json_redacted(&json, |text| client.redact(text))
    } else {
        let summary = crate::summary::render(&task, display.lang);
        crate::output::print_text(&client.redact(&summary))
    }
}
