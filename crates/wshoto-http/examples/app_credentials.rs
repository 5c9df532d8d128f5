//! One task with app credentials: the client fetches the access token, caches it and refreshes it
//! ahead of expiry. Errors are one line; `display_chain` adds their causes.
//!
//! ```sh
//! WSHOTO_APP_ID=... WSHOTO_APP_SECRET=... cargo run -p wshoto-http --example app_credentials -- 54
//! ```

use std::time::Duration;

use wshoto_http::{Client, Credentials, Error};

#[tokio::main]
async fn main() {
    let task_id: i64 = std::env::args()
        .nth(1)
        .and_then(|id| id.parse().ok())
        .unwrap_or(54);
    if let Err(error) = run(task_id).await {
        eprintln!("error: {}", wshoto_http::display_chain(&error));
        if let Some(code) = error.api_code() {
            eprintln!("the API answered with code {code}");
        }
        std::process::exit(1);
    }
}

async fn run(task_id: i64) -> Result<(), Error> {
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .total_timeout(Duration::from_secs(30))
        .build()?;
    let task = client.mass_task_detail(task_id).await?;
    println!(
        "{} · {}",
        task.task_id,
        task.task_name.as_deref().unwrap_or("-")
    );
    if let Some(info) = &task.filter_range_info {
        println!("audience: {:?}", info.range.filter_type());
    }
    Ok(())
}
