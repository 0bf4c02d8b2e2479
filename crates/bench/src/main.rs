//! `omnicanal-bench`: load and latency benchmarks for the Omnicanal server over real HTTP.
//!
//! Each workload either starts the server itself (`--server-bin`, on a fresh SQLite
//! file or a fresh PostgreSQL database) or uses one already running (`--base-url`),
//! sets its data up through the API as admin, runs bounded in count and time, and
//! prints a human summary plus markdown table rows. The exit code is 1 when a
//! correctness check failed (oversell, 5xx, lost events, a ledger that does not
//! add up), 2 when the harness itself could not run, and 0 otherwise; missed
//! performance targets are reported but do not fail the run.
//!
//! The `pricing` workload is the exception: it times the pure pricing engine in-process,
//! with no server and no database.

#![allow(clippy::disallowed_methods, reason = "the bench measures and stamps against the real clock")]

mod api;
mod availability;
mod hot_sku;
mod kitchen;
mod mixed;
mod pricing;
mod propagation;
mod report;
mod server;
mod shop_sync;
mod sse;
mod stats;
mod telemetry;
mod till_drain;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::report::Outcome;
use crate::server::{Database, Server, StopReport};
use crate::stats::Row;

/// Which workload to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// Many buyers race for the few units of one SKU.
    HotSku,
    /// Closed-loop checkout of 1–3 line orders across restaurants.
    MixedCheckout,
    /// Time from an order to its stock change on SSE and on a webhook.
    Propagation,
    /// The merchant console's kitchen display: an order's 201 to its event on the location's
    /// stream and onto the display, and the queue read with ~200 live parts.
    KitchenDisplay,
    /// The pricing engine in-process: a 20-line cart against 50 promotions (no server).
    Pricing,
    /// Many tills back online at once, each draining its queue of offline sales (with some
    /// resent); every sale must be recorded exactly once.
    TillDrain,
    /// Issue 16: a sale's 201 until each of four connected shops (WooCommerce, PrestaShop,
    /// Magento, Shopify fakes) shows the new stock, sales one at a time.
    ShopSync,
    /// Issue 16: a shop of `--catalog` SKUs (5,000) connected; time until its first import is
    /// over and until it shows our stock for every SKU.
    ShopImport,
    /// Issue 18 point 5: 500 tills (100 stores × 5) posting one telemetry event a second; a few
    /// stores get a burst of declines; time from the crossing batch to its incident.
    Telemetry,
    /// Issue 19: availability searches at a location with 40 tables (some combinable) and
    /// 500 bookings on the day searched.
    Availability,
    /// All six, one after another (a fresh server for each HTTP workload when spawning).
    All,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::HotSku => "hot-sku",
            Workload::MixedCheckout => "mixed-checkout",
            Workload::Propagation => "propagation",
            Workload::KitchenDisplay => "kitchen-display",
            Workload::Pricing => "pricing",
            Workload::TillDrain => "till-drain",
            Workload::ShopSync => "shop-sync",
            Workload::ShopImport => "shop-import",
            Workload::Telemetry => "telemetry",
            Workload::Availability => "availability",
            Workload::All => "all",
        }
    }
}

/// Which database a spawned server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on `--postgres-url`'s server.
    Postgres,
}

/// Benchmarks the Omnicanal server over real HTTP on loopback.
#[derive(Debug, Parser)]
#[command(name = "omnicanal-bench", version)]
struct Cli {
    /// Workload to run.
    #[arg(value_enum)]
    workload: Workload,
    /// Database of a spawned server (or the label of an attached one).
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: BackendChoice,
    /// The `omnicanal` binary to start (ignored with --base-url).
    #[arg(long, default_value = "target/release/omnicanal")]
    server_bin: PathBuf,
    /// PostgreSQL server on which a fresh database is created for each run.
    #[arg(long, env = "OMNICANAL_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Use this running server instead of starting one.
    #[arg(long)]
    base_url: Option<String>,
    /// Admin e-mail on an attached server.
    #[arg(long, env = "OMNICANAL_ADMIN_EMAIL", default_value = server::DEFAULT_ADMIN_EMAIL)]
    admin_email: String,
    /// Admin password on an attached server.
    #[arg(long, env = "OMNICANAL_ADMIN_PASSWORD", default_value = server::DEFAULT_ADMIN_PASSWORD, hide_default_value = true)]
    admin_password: String,
    /// Keep the spawned server's database and log.
    #[arg(long)]
    keep: bool,
    /// Open all client connections before each timed phase (hot-sku, mixed-checkout).
    #[arg(long)]
    warm: bool,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,

    /// hot-sku: buyers, one request for one unit each.
    #[arg(long, default_value_t = 1000)]
    buyers: usize,
    /// hot-sku: requests in flight at most.
    #[arg(long, default_value_t = 200)]
    connections: usize,
    /// hot-sku: units in stock.
    #[arg(long, default_value_t = 100)]
    units: i64,

    /// mixed-checkout: customers ordering at the same time.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// mixed-checkout: seconds to run.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// mixed-checkout: stop after this many orders (if before --duration).
    #[arg(long)]
    count: Option<u64>,
    /// mixed-checkout: restaurants (one location each).
    #[arg(long, default_value_t = 5)]
    locations: usize,
    /// mixed-checkout: SKUs per location.
    #[arg(long, default_value_t = 10)]
    skus: usize,
    /// mixed-checkout: most lines per order.
    #[arg(long, default_value_t = 3)]
    max_lines: usize,

    /// propagation, kitchen-display: orders to place (default 200 for propagation; 500 with a
    /// part at the location for kitchen-display, plus one elsewhere-only order per ten).
    #[arg(long)]
    orders: Option<usize>,
    /// propagation, kitchen-display: orders per second.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// propagation, kitchen-display: seconds to wait for late events after the last order.
    #[arg(long, default_value_t = 10.0)]
    settle: f64,
    /// propagation: what changes the stock — `order` (a web order reserving a unit) or `till`
    /// (a till sale taking it off the shelf, issue 14 point 9).
    #[arg(long, value_enum, default_value_t = propagation::Source::Order)]
    source: propagation::Source,
    /// kitchen-display: live parts in the location's queue (placed first, then kept by staff
    /// rejecting the oldest).
    #[arg(long, default_value_t = 200)]
    backlog: usize,
    /// kitchen-display: queue reads timed one after another after the order stream.
    #[arg(long, default_value_t = 200)]
    queue_reads: usize,

    /// till-drain: tills draining at once (default 50; 20 within `all`).
    #[arg(long)]
    tills: Option<usize>,
    /// till-drain: offline sales queued on each till (default 200; 50 within `all`).
    #[arg(long)]
    sales: Option<usize>,
    /// till-drain: lines per sale.
    #[arg(long, default_value_t = 2)]
    lines: usize,
    /// till-drain: share of sales sent again (same id and body) after their answer, 0 to 1.
    #[arg(long, default_value_t = 0.1)]
    resend_fraction: f64,

    /// shop-sync: sales made one at a time (default 200; `--skus` SKUs, `--settle` seconds
    /// each may take to reach every shop).
    #[arg(long)]
    shop_sales: Option<usize>,
    /// shop-import: SKUs in the shop and in our catalogue.
    #[arg(long, default_value_t = 5_000)]
    catalog: usize,
    /// shop-import: which fake shop is connected.
    #[arg(long, value_enum, default_value_t = shop_sync::ShopKind::Woocommerce)]
    shop: shop_sync::ShopKind,

    /// telemetry: stores (one merchant and location each).
    #[arg(long, default_value_t = 100)]
    stores: usize,
    /// telemetry: tills per store, each posting one event a second.
    #[arg(long, default_value_t = 5)]
    tills_per_store: usize,
    /// telemetry: stores that get a burst of declines (code 05).
    #[arg(long, default_value_t = 10)]
    burst_stores: usize,
    /// telemetry: seconds the tills post.
    #[arg(long, default_value_t = 60)]
    telemetry_seconds: u64,

    /// pricing: quotes to time.
    #[arg(long, default_value_t = 20_000)]
    iterations: usize,

    /// availability: searches to time, one at a time.
    #[arg(long, default_value_t = 500)]
    searches: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("omnicanal-bench: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(outcome) => print_outcome(&outcome),
        Err(message) => {
            eprintln!("omnicanal-bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn print_outcome(outcome: &Outcome) -> ExitCode {
    println!();
    println!("== targets ==");
    for target in &outcome.targets {
        println!("  [{}] {}: {}", if target.met { "MET" } else { "NOT MET" }, target.name, target.reached);
    }
    println!();
    println!("== markdown ==");
    println!("{}", Row::header());
    for row in &outcome.rows {
        println!("{}", row.markdown());
    }
    if outcome.failures.is_empty() {
        println!("\nall correctness checks passed");
        ExitCode::SUCCESS
    } else {
        println!("\n{} correctness check(s) FAILED:", outcome.failures.len());
        for failure in &outcome.failures {
            println!("  - {failure}");
        }
        ExitCode::FAILURE
    }
}

async fn run(cli: &Cli) -> Result<Outcome, String> {
    let workloads: &[Workload] = match cli.workload {
        Workload::All => &[
            Workload::HotSku,
            Workload::MixedCheckout,
            Workload::Propagation,
            Workload::KitchenDisplay,
            Workload::Pricing,
            Workload::TillDrain,
        ],
        Workload::HotSku => &[Workload::HotSku],
        Workload::MixedCheckout => &[Workload::MixedCheckout],
        Workload::Propagation => &[Workload::Propagation],
        Workload::KitchenDisplay => &[Workload::KitchenDisplay],
        Workload::Pricing => &[Workload::Pricing],
        Workload::TillDrain => &[Workload::TillDrain],
        Workload::ShopSync => &[Workload::ShopSync],
        Workload::ShopImport => &[Workload::ShopImport],
        Workload::Telemetry => &[Workload::Telemetry],
        Workload::Availability => &[Workload::Availability],
    };
    let mut total = Outcome::default();
    for workload in workloads {
        let outcome = run_one(cli, *workload).await?;
        for line in &outcome.summary {
            println!("{line}");
        }
        println!();
        total.absorb(outcome);
    }
    Ok(total)
}

/// One workload: in-process for pricing; otherwise start (or attach to) a server, run the
/// workload against it, stop the server and add what its shutdown and log showed.
async fn run_one(cli: &Cli, workload: Workload) -> Result<Outcome, String> {
    if workload == Workload::Pricing {
        eprintln!("omnicanal-bench: pricing in-process (no server)");
        let options = pricing::PricingOptions { iterations: cli.iterations.max(1) };
        // CPU-bound: off the async workers.
        return tokio::task::spawn_blocking(move || pricing::run(&options))
            .await
            .map_err(|error| format!("pricing failed: {error}"))?;
    }
    let mut server = start_server(cli, workload).await?;
    eprintln!("omnicanal-bench: {} against {} ({})", workload.name(), server.base_url, server.backend);
    let result = run_against(cli, workload, &server).await;
    let spawned = server.is_spawned();
    let stop = server.stop().await;
    let mut outcome = match result {
        Ok(outcome) => outcome,
        Err(message) => {
            let mut text = format!("{} failed: {message}", workload.name());
            for line in stop.errors.iter().chain(&stop.warnings).take(10) {
                text.push_str("\n  server: ");
                text.push_str(line);
            }
            return Err(text);
        }
    };
    if spawned {
        report_shutdown(&mut outcome, workload, &stop);
    }
    Ok(outcome)
}

/// The server a workload runs against: the one at `--base-url`, else a fresh one.
async fn start_server(cli: &Cli, workload: Workload) -> Result<Server, String> {
    match &cli.base_url {
        Some(base_url) => {
            let label = format!("{} (attached)", backend_label(cli.backend));
            Ok(Server::attach(base_url, &label, &cli.admin_email, &cli.admin_password))
        }
        None => {
            let database = match cli.backend {
                BackendChoice::Sqlite => Database::Sqlite,
                BackendChoice::Postgres => Database::Postgres { base_url: cli.postgres_url.clone() },
            };
            Server::spawn(&cli.server_bin, &database, workload.name(), cli.keep).await
        }
    }
}

/// Runs one HTTP workload with its options from the command line.
async fn run_against(cli: &Cli, workload: Workload, server: &Server) -> Result<Outcome, String> {
    let timeout = Duration::from_secs(cli.timeout.max(1));
    match workload {
        Workload::HotSku => {
            let options = hot_sku::HotSkuOptions {
                buyers: cli.buyers,
                connections: cli.connections.max(1),
                units: cli.units,
                timeout,
                warm: cli.warm,
            };
            hot_sku::run(server, &options).await
        }
        Workload::MixedCheckout => {
            let options = mixed::MixedOptions {
                concurrency: cli.concurrency.max(1),
                duration: Duration::from_secs_f64(cli.duration.max(0.1)),
                count: cli.count,
                locations: cli.locations.max(1),
                skus_per_location: cli.skus.max(1),
                max_lines: cli.max_lines,
                timeout,
                warm: cli.warm,
            };
            mixed::run(server, &options).await
        }
        Workload::Propagation => {
            let options = propagation::PropagationOptions {
                orders: cli.orders.unwrap_or(200).max(1),
                rate: cli.rate,
                settle: Duration::from_secs_f64(cli.settle.max(0.0)),
                timeout,
                source: cli.source,
            };
            propagation::run(server, &options).await
        }
        Workload::KitchenDisplay => {
            let options = kitchen::KitchenOptions {
                orders: cli.orders.unwrap_or(500).max(1),
                rate: cli.rate,
                backlog: cli.backlog,
                queue_reads: cli.queue_reads,
                settle: Duration::from_secs_f64(cli.settle.max(0.0)),
                timeout,
            };
            kitchen::run(server, &options).await
        }
        Workload::TillDrain => {
            // Within `all`, a smaller drain keeps the whole run short.
            let within_all = cli.workload == Workload::All;
            let options = till_drain::TillDrainOptions {
                tills: cli.tills.unwrap_or(if within_all { 20 } else { 50 }).max(1),
                sales: cli.sales.unwrap_or(if within_all { 50 } else { 200 }).max(1),
                lines: cli.lines.max(1),
                resend_fraction: cli.resend_fraction.clamp(0.0, 1.0),
                timeout,
            };
            till_drain::run(server, &options).await
        }
        Workload::ShopSync => {
            let options = shop_sync::ShopSyncOptions {
                sales: cli.shop_sales.unwrap_or(200).max(1),
                skus: cli.skus.max(1),
                limit: Duration::from_secs_f64(cli.settle.max(0.1)),
                timeout,
            };
            shop_sync::run(server, &options).await
        }
        Workload::ShopImport => {
            let options = shop_sync::ShopImportOptions {
                skus: cli.catalog.max(1),
                kind: cli.shop,
                limit: Duration::from_secs(600),
                timeout,
            };
            shop_sync::run_import(server, &options).await
        }
        Workload::Telemetry => {
            let options = telemetry::TelemetryOptions {
                stores: cli.stores.max(1),
                tills_per_store: cli.tills_per_store.max(1),
                burst_stores: cli.burst_stores,
                duration: Duration::from_secs(cli.telemetry_seconds.max(1)),
                settle: Duration::from_secs_f64(cli.settle.max(0.0)),
                timeout,
            };
            telemetry::run(server, &options).await
        }
        Workload::Availability => {
            let options = availability::AvailabilityOptions { searches: cli.searches.max(1), timeout };
            availability::run(server, &options).await
        }
        Workload::Pricing | Workload::All => Err("`pricing` and `all` are handled before this point".to_owned()),
    }
}

/// How a spawned server stopped: a shutdown past 15 s or ERROR lines in its log fail the run.
fn report_shutdown(outcome: &mut Outcome, workload: Workload, stop: &StopReport) {
    outcome.say(format!(
        "  server: stopped by SIGTERM in {} ({}); log: {} ERROR, {} WARN lines{}",
        stop.shutdown.map(|d| format!("{:.0} ms", stats::ms(d))).unwrap_or_else(|| "— (killed)".into()),
        stop.exit,
        stop.errors.len(),
        stop.warnings.len(),
        stop.log_path.as_ref().map(|p| format!(" (kept at {})", p.display())).unwrap_or_default()
    ));
    if let Some(name) = &stop.kept_database {
        outcome.say(format!("  kept PostgreSQL database {name}"));
    }
    for line in stop.errors.iter().chain(&stop.warnings).take(5) {
        outcome.say(format!("  server log: {line}"));
    }
    if stop.shutdown.is_none() {
        outcome.fail(format!("{}: the server did not exit within 15 s of SIGTERM", workload.name()));
    }
    if !stop.errors.is_empty() {
        outcome.fail(format!("{}: the server logged {} ERROR lines", workload.name(), stop.errors.len()));
    }
}

fn backend_label(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Sqlite => "sqlite",
        BackendChoice::Postgres => "postgres",
    }
}
