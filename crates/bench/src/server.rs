//! The server under test: a child process the harness starts on a fresh database
//! (SQLite file in a temporary directory, or a new PostgreSQL database), or a
//! server that is already running at a base URL.
//!
//! A spawned server listens on `127.0.0.1:0`; its address is read from the
//! "omnicanal listening on" log line. Its stdout and stderr go to a log file that
//! is scanned for `ERROR` and `WARN` lines when it stops (with SIGTERM).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection};

/// Admin e-mail used for spawned servers (and the default for attached ones).
pub const DEFAULT_ADMIN_EMAIL: &str = "bench-admin@example.com";
/// Admin password used for spawned servers (and the default for attached ones).
pub const DEFAULT_ADMIN_PASSWORD: &str = "bench-password-2024";

/// How long a spawned server may take to log that it listens.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a spawned server may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Which database a spawned server runs on.
#[derive(Debug, Clone)]
pub enum Database {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database created on this PostgreSQL server (URL of an existing database to connect to).
    Postgres {
        /// e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
        base_url: String,
    },
}

/// What stopping a spawned server showed.
#[derive(Debug, Default, Clone)]
pub struct StopReport {
    /// Time from SIGTERM to exit; `None` if it had to be killed.
    pub shutdown: Option<Duration>,
    /// The exit status, as text.
    pub exit: String,
    /// Log lines at ERROR level.
    pub errors: Vec<String>,
    /// Log lines at WARN level.
    pub warnings: Vec<String>,
    /// Where the full log is, when it was kept.
    pub log_path: Option<PathBuf>,
    /// The PostgreSQL database left in place (`--keep`).
    pub kept_database: Option<String>,
}

/// A server under test.
pub struct Server {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    /// Label for the results table.
    pub backend: String,
    /// Admin credentials.
    pub admin_email: String,
    /// Admin password.
    pub admin_password: String,
    spawned: Option<Spawned>,
}

struct Spawned {
    child: Child,
    log_path: PathBuf,
    dir: PathBuf,
    keep: bool,
    postgres: Option<(String, String)>,
}

impl Server {
    /// A server that is already running.
    pub fn attach(base_url: &str, backend: &str, admin_email: &str, admin_password: &str) -> Server {
        Server {
            base_url: base_url.trim_end_matches('/').to_owned(),
            backend: backend.to_owned(),
            admin_email: admin_email.to_owned(),
            admin_password: admin_password.to_owned(),
            spawned: None,
        }
    }

    /// Starts `binary serve` on a fresh database and waits until it listens and `/healthz` answers.
    /// With `keep`, the database and the log stay after [`Server::stop`].
    pub async fn spawn(binary: &Path, database: &Database, label: &str, keep: bool) -> Result<Server, String> {
        let stamp = format!(
            "{}_{}_{}",
            std::process::id(),
            label.replace('-', "_"),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        );
        let dir = std::env::temp_dir().join(format!("omnicanal-bench-{stamp}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (database_url, backend, postgres) = match database {
            Database::Sqlite => (format!("sqlite://{}", dir.join("bench.db").display()), "sqlite".to_owned(), None),
            Database::Postgres { base_url } => {
                let name = format!("omnicanal_bench_{stamp}");
                let url = create_postgres_database(base_url, &name).await?;
                (url, "postgres".to_owned(), Some((base_url.clone(), name)))
            }
        };
        let log_path = dir.join("server.log");
        let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| format!("cannot share the log file: {e}"))?;
        let child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &database_url])
            .env("OMNICANAL_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
            .env("OMNICANAL_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD)
            .env("NO_COLOR", "1")
            // The propagation workload's webhook receiver listens on loopback.
            .env("OMNICANAL_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1,localhost")
            .env_remove("OMNICANAL_LISTEN")
            .env_remove("OMNICANAL_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut server = Server {
            base_url: String::new(),
            backend,
            admin_email: DEFAULT_ADMIN_EMAIL.to_owned(),
            admin_password: DEFAULT_ADMIN_PASSWORD.to_owned(),
            spawned: Some(Spawned { child, log_path: log_path.clone(), dir, keep, postgres }),
        };
        match server.wait_until_listening(&log_path).await {
            Ok(base_url) => {
                server.base_url = base_url;
                Ok(server)
            }
            Err(message) => {
                let report = server.stop().await;
                let tail = std::fs::read_to_string(&log_path).unwrap_or_default();
                Err(format!("{message} (exit: {}); server log:\n{tail}", report.exit))
            }
        }
    }

    async fn wait_until_listening(&mut self, log_path: &Path) -> Result<String, String> {
        let started = Instant::now();
        let client = reqwest::Client::new();
        while started.elapsed() < START_TIMEOUT {
            if let Some(spawned) = &mut self.spawned
                && let Ok(Some(status)) = spawned.child.try_wait()
            {
                return Err(format!("the server exited during start-up with {status}"));
            }
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            if let Some(address) = listening_address(&log) {
                let base_url = format!("http://{address}");
                if let Ok(response) = client.get(format!("{base_url}/healthz")).send().await
                    && response.status().as_u16() == 200
                {
                    return Ok(base_url);
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the server did not become ready within {START_TIMEOUT:?}"))
    }

    /// CPU seconds (user + system) the spawned server process has used so far, read from
    /// `/proc/<pid>/stat` (Linux); `None` for an attached server or where `/proc` says nothing.
    /// PostgreSQL's own backends are other processes and are not counted.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let pid = self.spawned.as_ref()?.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) start at the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(ticks as f64 / clock_ticks_per_second())
    }

    /// Whether the harness started this server (and so may stop it).
    pub fn is_spawned(&self) -> bool {
        self.spawned.is_some()
    }

    /// Stops a spawned server with SIGTERM (kill after a grace period), scans its log
    /// and drops its PostgreSQL database; does nothing for an attached server.
    pub async fn stop(&mut self) -> StopReport {
        let Some(mut spawned) = self.spawned.take() else {
            return StopReport { exit: "attached; not stopped".into(), ..StopReport::default() };
        };
        let mut report = StopReport { log_path: Some(spawned.log_path.clone()), ..StopReport::default() };
        let pid = spawned.child.id().to_string();
        let sent = Instant::now();
        let signalled = Command::new("kill")
            .args(["-TERM", &pid])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|status| status.success())
            .unwrap_or(false);
        let mut exited = None;
        if signalled {
            while sent.elapsed() < STOP_TIMEOUT {
                if let Ok(Some(status)) = spawned.child.try_wait() {
                    exited = Some(status);
                    report.shutdown = Some(sent.elapsed());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let status = match exited {
            Some(status) => Some(status),
            None => {
                let _ = spawned.child.kill();
                spawned.child.wait().ok()
            }
        };
        report.exit = match (status, report.shutdown) {
            (Some(status), Some(_)) => status.to_string(),
            (Some(status), None) => format!("{status} (killed: no exit within {STOP_TIMEOUT:?} of SIGTERM)"),
            (None, _) => "unknown".into(),
        };
        let log = std::fs::read_to_string(&spawned.log_path).unwrap_or_default();
        for line in log.lines() {
            if line.contains(" ERROR ") {
                report.errors.push(line.to_owned());
            } else if line.contains(" WARN ") {
                report.warnings.push(line.to_owned());
            }
        }
        if spawned.keep {
            if let Some((_, name)) = &spawned.postgres {
                report.kept_database = Some(name.clone());
            }
            return report;
        }
        if let Some((base_url, name)) = &spawned.postgres
            && let Err(error) = drop_postgres_database(base_url, name).await
        {
            report.warnings.push(format!("(harness) could not drop database {name}: {error}"));
        }
        if report.errors.is_empty() {
            // Keep the log (and SQLite file) only when the server logged an error.
            let _ = std::fs::remove_dir_all(&spawned.dir);
            report.log_path = None;
        }
        report
    }
}

impl Drop for Server {
    /// A server still running here was not stopped (the harness failed early): kill it
    /// rather than leave it behind.
    fn drop(&mut self) {
        if let Some(spawned) = &mut self.spawned {
            let _ = spawned.child.kill();
            let _ = spawned.child.wait();
        }
    }
}

/// The address in the "omnicanal listening on http://ADDR" log line.
pub fn listening_address(log: &str) -> Option<String> {
    let marker = "omnicanal listening on http://";
    let start = log.find(marker)? + marker.len();
    let address: String =
        log[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']')).collect();
    (!address.is_empty()).then_some(address)
}

/// The URL of database `name` on the server of `base_url`.
pub fn database_url(base_url: &str, name: &str) -> Result<String, String> {
    let mut url = reqwest::Url::parse(base_url).map_err(|e| format!("bad --postgres-url: {e}"))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

async fn create_postgres_database(base_url: &str, name: &str) -> Result<String, String> {
    let mut connection =
        sqlx::PgConnection::connect(base_url).await.map_err(|e| format!("cannot connect to {base_url}: {e}"))?;
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut connection)
        .await
        .map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
    let _ = connection.close().await;
    database_url(base_url, name)
}

async fn drop_postgres_database(base_url: &str, name: &str) -> Result<(), String> {
    let mut connection = sqlx::PgConnection::connect(base_url).await.map_err(|e| e.to_string())?;
    sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
        .execute(&mut connection)
        .await
        .map_err(|e| e.to_string())?;
    let _ = connection.close().await;
    Ok(())
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be asked.
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|ticks| *ticks > 0.0)
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address_from_the_log_line() {
        let log = "2026-01-01T00:00:00Z  INFO omnicanal_server: omnicanal listening on http://127.0.0.1:43117 addr=127.0.0.1:43117\n";
        assert_eq!(listening_address(log).as_deref(), Some("127.0.0.1:43117"));
        assert_eq!(listening_address("nothing yet"), None);
    }

    #[test]
    fn builds_the_database_url() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "b1").as_deref(),
            Ok("postgres://postgres@127.0.0.1:5432/b1")
        );
    }
}
