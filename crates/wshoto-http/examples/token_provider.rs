//! Tokens from a central token service shared by many workers, through your own
//! [`TokenProvider`]: the client asks it before each call and tells it when the API rejected
//! the token it was given.

use std::sync::Mutex;

use wshoto_http::{AccessToken, BoxFuture, Client, Credentials, Error, TokenProvider};

/// Stands in for a call to your token service (an HTTP call, a Redis read…).
#[derive(Debug, Default)]
struct CentralTokens {
    current: Mutex<Option<AccessToken>>,
}

impl CentralTokens {
    async fn fetch_from_service(&self) -> Result<AccessToken, Error> {
        let token = std::env::var(wshoto_http::ENV_ACCESS_TOKEN)
            .map_err(|_| Error::Config("the token service has no token".into()))?;
        Ok(AccessToken::new(token))
    }
}

impl TokenProvider for CentralTokens {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, Error>> {
        Box::pin(async move {
            if let Some(token) = self.current.lock().map_err(|_| Error::Cancelled)?.clone() {
                return Ok(token);
            }
            let token = self.fetch_from_service().await?;
            *self.current.lock().map_err(|_| Error::Cancelled)? = Some(token.clone());
            Ok(token)
        })
    }

    fn invalidate(&self, token: &AccessToken) -> bool {
        // Forget it, so that the next `token()` asks the service again; the client then retries
        // the call once.
        if let Ok(mut current) = self.current.lock()
            && current.as_ref() == Some(token)
        {
            *current = None;
        }
        true
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .credentials(Credentials::provider(CentralTokens::default()))
        .build()?;
    let task = client.mass_task_detail(54).await?;
    println!("{:?}", task.task_name);
    Ok(())
}
