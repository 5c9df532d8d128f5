//! `wshoto-mock` in your own tests: a real HTTP server on loopback that speaks the API, with
//! faults to inject. `cargo test -p wshoto-http --example mock_in_tests` runs the tests below.

use wshoto_http::{Client, Credentials};
use wshoto_mock::MockServer;

/// Your code under test: for instance, how many customers a task reached.
async fn reached(client: &Client, task_id: i64) -> Result<i64, wshoto_http::Error> {
    let task = client.mass_task_detail(task_id).await?;
    Ok(task.success_target_qty.unwrap_or(0))
}

/// The same against a mock started here; the tests below are the point of this example.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start().await?;
    println!(
        "task 54 reached {} customers",
        reached(&client_for(&mock), 54).await?
    );
    Ok(())
}

/// A client aimed at the mock, with its app credentials.
fn client_for(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::app(mock.app_id(), mock.app_secret()))
        .build()
        .expect("client")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wshoto_http::RetryPolicy;
    use wshoto_mock::{Fault, Route};

    #[tokio::test]
    async fn counts_the_customers_reached() {
        let mock = MockServer::start().await.expect("mock");
        // Task 54 is one of the embedded fixtures.
        assert_eq!(reached(&client_for(&mock), 54).await.expect("task"), 105);
    }

    #[tokio::test]
    async fn survives_a_gateway_hiccup() {
        let mock = MockServer::start().await.expect("mock");
        mock.faults().push(
            Route::Api,
            Fault::Status {
                status: 502,
                retry_after: None,
            },
        );
        assert_eq!(reached(&client_for(&mock), 54).await.expect("retried"), 105);
        assert_eq!(mock.stats().api_requests, 2);
    }

    #[tokio::test]
    async fn reports_an_unknown_task() {
        let mock = MockServer::start().await.expect("mock");
        let client = Client::builder()
            .base_url(mock.url())
            .credentials(Credentials::token(mock.issue_token()))
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        let error = reached(&client, 999_999).await.expect_err("no such task");
        assert_eq!(error.api_code(), Some(wshoto_mock::CODE_TASK_NOT_FOUND));
    }
}
