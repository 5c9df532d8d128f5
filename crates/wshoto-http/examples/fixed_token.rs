//! One task with an access token you already have.
//!
//! ```sh
//! WSHOTO_ACCESS_TOKEN=... cargo run -p wshoto-http --example fixed_token -- 54
//! ```

use wshoto_http::{Client, Credentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let task_id: i64 = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "54".into())
        .parse()?;
    let token = std::env::var(wshoto_http::ENV_ACCESS_TOKEN)?;
    let client = Client::builder()
        .credentials(Credentials::token(token))
        .build()?;
    let task = client.mass_task_detail(task_id).await?;
    println!(
        "{} {:?}: {:?}/{:?} reached",
        task.task_id, task.task_name, task.success_target_qty, task.plan_target_qty
    );
    Ok(())
}
