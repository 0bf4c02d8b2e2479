//! The `omnicanal` command line: `serve` and `migrate`.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use omnicanal_server::config::Secret;
use omnicanal_server::{Config, migrate, start};
use tracing_subscriber::EnvFilter;

/// Omnicanal: one stock, one price, one order across every channel.
#[derive(Debug, Parser)]
#[command(name = "omnicanal", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "OMNICANAL_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// sqlite://PATH or postgres://...
        #[arg(long, env = "OMNICANAL_DATABASE_URL", default_value = "sqlite://omnicanal.db")]
        database_url: String,
        /// Load the demo data set into an empty database and print demo logins.
        #[arg(long)]
        demo: bool,
        /// Base URL customers reach the server at, printed in QR posters (default: http://LISTEN).
        #[arg(long, env = "OMNICANAL_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Imports a CSV file (stock counts or products) and prints a report of rejected rows.
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: omnicanal_server::import::ImportKind,
        /// The CSV file (with a header line).
        file: std::path::PathBuf,
        /// sqlite://PATH or postgres://...
        #[arg(long, env = "OMNICANAL_DATABASE_URL", default_value = "sqlite://omnicanal.db")]
        database_url: String,
    },
    /// Shop connections: `list`, or `sync <id>` (a full resync, followed with a progress line).
    Connections {
        #[command(subcommand)]
        action: ConnectionsAction,
        /// sqlite://PATH or postgres://...
        #[arg(long, env = "OMNICANAL_DATABASE_URL", default_value = "sqlite://omnicanal.db", global = true)]
        database_url: String,
    },
    /// Applies database migrations and exits.
    Migrate {
        /// sqlite://PATH or postgres://...
        #[arg(long, env = "OMNICANAL_DATABASE_URL", default_value = "sqlite://omnicanal.db")]
        database_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectionsAction {
    /// Lists every connection: id, kind, status, name, last error.
    List,
    /// Resyncs one connection (the first import again) and shows its progress until done.
    Sync {
        /// The connection's id (`con_…`).
        id: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("OMNICANAL_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("omnicanal: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("omnicanal: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Connections { action, database_url } => {
            let config = Config::new(database_url);
            match action {
                ConnectionsAction::List => omnicanal_server::shop_sync::list(&config).await,
                ConnectionsAction::Sync { id } => omnicanal_server::shop_sync::sync(&config, &id).await,
            }
        }
        Command::Migrate { database_url } => {
            migrate(&Config::new(database_url)).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(())
        }
        Command::Import { kind, file, database_url } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let report = omnicanal_server::import::import_file(&database_url, kind, &text).await?;
            println!("{} rows read, {} applied, {} rejected", report.rows, report.applied, report.rejected.len());
            for rejected in &report.rejected {
                println!("  line {}: {}", rejected.line, rejected.errors.join("; "));
            }
            if report.rejected.is_empty() {
                Ok(())
            } else {
                Err(format!("{} rows were rejected", report.rejected.len()))
            }
        }
        Command::Serve { listen, database_url, demo, public_url } => {
            let mut config = Config::new(database_url);
            config.listen = listen;
            config.demo = demo;
            config.public_url = public_url.filter(|url| !url.trim().is_empty());
            config.admin_email = std::env::var("OMNICANAL_ADMIN_EMAIL").ok().filter(|v| !v.is_empty());
            config.admin_password =
                std::env::var("OMNICANAL_ADMIN_PASSWORD").ok().filter(|v| !v.is_empty()).map(Secret::new);
            config.notify = omnicanal_server::config::NotifyConfig::from_env(|name| std::env::var(name).ok())?;
            let running = start(config).await.map_err(|e| e.to_string())?;
            if demo {
                print_demo(&running);
            }
            wait_for_signal().await;
            tracing::info!("shutting down");
            running.shutdown().await;
            Ok(())
        }
    }
}

fn print_demo(running: &omnicanal_server::Running) {
    let addr = running.addr;
    println!("\nOmnicanal demo is ready at http://{addr}  (API docs: http://{addr}/api/docs)");
    for (name, id) in &running.demo.sites {
        println!("  menu of {name}: http://{addr}/api/v1/sites/{id}/menu");
    }
    if running.demo.logins.is_empty() {
        println!("  the database already had data; demo logins are those of its first start");
    } else {
        println!("  demo logins (password for all: {}):", omnicanal_server::demo::DEMO_PASSWORD);
        for (email, role, place) in &running.demo.logins {
            println!("    {email:<40} {role:<17} {place}");
        }
        println!(
            "  a manager's PIN at a till (to approve a discount or a void): {}",
            omnicanal_server::demo::DEMO_MANAGER_PIN
        );
    }
    println!();
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
