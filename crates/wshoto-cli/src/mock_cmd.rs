//! `wshoto mock serve`: run the mock until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;

use wshoto_mock::{Fixtures, MockConfig, MockServer};

use crate::exit::Failure;

/// Starts the mock on `addr`, prints how to reach it, and waits for Ctrl-C.
pub async fn serve(
    addr: SocketAddr,
    tls: bool,
    fixtures: Option<PathBuf>,
    synthetic: Option<String>,
) -> Result<(), Failure> {
    let synthetic = synthetic.map(|spec| parse_range(&spec)).transpose()?;
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
        synthetic: synthetic.clone(),
        ..MockConfig::default()
    })
    .await
    .map_err(|e| Failure::io(e.to_string()))?;
    println!("wshoto mock listening on {}", mock.url());
    println!("  tasks served:  {count} (try task id 54)");
    if let Some(ids) = &synthetic {
        println!(
            "  made-up tasks: ids {}-{} without a fixture",
            ids.start(),
            ids.end()
        );
    }
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

/// `FIRST-LAST` for `--synthetic`.
fn parse_range(spec: &str) -> Result<std::ops::RangeInclusive<i64>, Failure> {
    let bad = || Failure::usage(format!("--synthetic: {spec:?} is not a range FIRST-LAST"));
    let at = spec
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '-')
        .map(|(i, _)| i)
        .ok_or_else(bad)?;
    let first: i64 = spec[..at].trim().parse().map_err(|_| bad())?;
    let last: i64 = spec[at + 1..].trim().parse().map_err(|_| bad())?;
    if first > last {
        return Err(bad());
    }
    Ok(first..=last)
}
