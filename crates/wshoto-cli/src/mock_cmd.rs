//! `wshoto mock serve`: run the mock until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;

use wshoto_mock::{Fixtures, MockConfig, MockServer};

use crate::exit::Failure;

/// Starts the mock on `addr`, prints how to reach it, and waits for Ctrl-C.
pub async fn serve(addr: SocketAddr, tls: bool, fixtures: Option<PathBuf>) -> Result<(), Failure> {
    let fixtures = match fixtures {
        Some(dir) => Fixtures::from_dir(&dir).map_err(|e| {
            Failure::io(format!("cannot read fixtures from {}: {e}", dir.display()))
        })?,
        None => Fixtures::embedded(),
    };
    let count = fixtures.task_ids().count();
    let mock = MockServer::start_with(MockConfig {
        addr,
        tls,
        fixtures,
        ..MockConfig::default()
    })
    .await
    .map_err(|e| Failure::io(e.to_string()))?;
    println!("wshoto mock listening on {}", mock.url());
    println!("  tasks served:  {count} (try task id 54)");
    println!("  app id:        {}", mock.app_id());
    println!("  app secret:    {}", mock.app_secret());
    println!("  access token:  {}", mock.issue_token());
    if let Some(pem) = mock.ca_pem() {
        let path = std::env::temp_dir().join(format!("wshoto-mock-ca-{}.pem", mock.addr().port()));
        std::fs::write(&path, pem)
            .map_err(|e| Failure::io(format!("cannot write the CA to {}: {e}", path.display())))?;
        println!("  CA to trust:   {} (--ca-cert)", path.display());
    }
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::io(format!("cannot wait for Ctrl-C: {e}")))?;
    Ok(())
}
