//! Thousands of tasks as a stream, under a client-wide rate limit: results as they complete,
//! failures counted, memory bounded whatever the number of ids.
//!
//! ```sh
//! WSHOTO_APP_ID=... WSHOTO_APP_SECRET=... cargo run -p wshoto-http --example batch_stream
//! ```

use futures_util::StreamExt;
use wshoto_http::{BatchOptions, Client, Credentials, Order};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        // 10 requests a second, token fetches and retries included, for every clone together.
        .rate_limit(10.0, 1)
        .build()?;
    let ids = 1..=5_000; // any iterator; pulled lazily as the window moves
    let mut results = client.mass_task_detail_stream(
        ids,
        BatchOptions::new().concurrency(8).order(Order::Completed),
    );
    let (mut ok, mut failed) = (0, 0);
    while let Some((task_id, result)) = results.next().await {
        match result {
            Ok(task) => {
                ok += 1;
                println!("{task_id}\t{}", task.task_name.as_deref().unwrap_or("-"));
            }
            Err(error) => {
                failed += 1;
                eprintln!("{task_id}\t{}", wshoto_http::display_chain(&error));
            }
        }
    }
    eprintln!(
        "{ok} fetched, {failed} failed; rate now {:?}",
        client.rate_limit_state()
    );
    Ok(())
}
