//! `omnicanal connections list` and `omnicanal connections sync <id>`: the shop connections at
//! the command line, as the platform operator, straight against the database. `sync` asks for a
//! full resync and follows it with a progress line until the import is done — working it in
//! this process when no server holds the connection, or watching a server's worker do it.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::{App, SystemClock};

use crate::config::Config;
use crate::import::operator;

/// How often the progress line is redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

async fn app_for(config: &Config) -> Result<App, String> {
    let store = omnicanal_store::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?;
    let policy = Arc::new(config.outbound_policy()?);
    let http = crate::outbound::client(policy.clone(), omnicanal_connectors::REQUEST_TIMEOUT)
        .map_err(|error| format!("the shops' HTTP client: {error}"))?;
    Ok(App::new(store, Arc::new(SystemClock), Arc::new(omnicanal_app::payments::SandboxCardProvider))
        .with_outbound_policy((*policy).clone())
        .with_credentials_key(config.credentials_key()?)
        .with_connection_timing(config.connection_timing()?)
        .with_shop_clients(Arc::new(omnicanal_connectors::HttpShopClients::new(http))))
}

/// Prints every connection, one per line: id, kind, status, name, last error.
pub async fn list(config: &Config) -> Result<(), String> {
    let app = app_for(config).await?;
    let connections = app.connections(&operator(), None).await.map_err(|e| e.to_string())?;
    if connections.is_empty() {
        println!(
            "no shop connections yet: create one in the console (/console/connections) or with POST /api/v1/connections"
        );
    }
    for connection in connections {
        println!(
            "{}\t{}\t{}\t{}{}",
            connection.id,
            connection.kind,
            connection.status,
            connection.name,
            connection.last_error.map(|error| format!("\t{error}")).unwrap_or_default()
        );
    }
    Ok(())
}

/// Asks for a full resync of one connection and follows it to the end.
pub async fn sync(config: &Config, id: &str) -> Result<(), String> {
    let app = app_for(config).await?;
    let caller = operator();
    let requested = app.request_connection_sync(&caller, id).await.map_err(|e| e.to_string())?;
    eprintln!("resync of {} ({}) asked for", requested.name, requested.kind);
    let worker = {
        let app = app.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            loop {
                // Works the connection here unless a server's worker holds it; then only watches.
                if let Err(error) = app.work_connection(&id).await {
                    eprintln!("\na pass failed: {error}");
                }
                tokio::time::sleep(PROGRESS_EVERY).await;
            }
        })
    };
    let outcome = loop {
        tokio::time::sleep(PROGRESS_EVERY).await;
        let view = match app.connection_view(&caller, id).await {
            Ok(view) => view,
            Err(error) => break Err(error.to_string()),
        };
        let connection = &view.connection;
        let percent = (connection.sync_done * 100).checked_div(connection.sync_total).unwrap_or(0);
        eprint!(
            "\r{}: {}/{} items ({percent}%), {} mapped, {} pushes owed   ",
            connection.status, connection.sync_done, connection.sync_total, view.mapped_skus, view.queue_length
        );
        if connection.status == omnicanal_domain::connections::ConnectionStatus::AuthFailed {
            break Err(connection.last_error.clone().unwrap_or_else(|| "the shop refused the credentials".into()));
        }
        if connection.sync_requested_at_ms.is_none() && view.queue_length == 0 {
            eprintln!();
            println!(
                "done: {} items looked at, {} SKUs mapped, {} unmatched, {} open conflicts",
                connection.sync_done, view.mapped_skus, view.unmatched_total, view.conflicts_total
            );
            break Ok(());
        }
    };
    worker.abort();
    outcome
}
