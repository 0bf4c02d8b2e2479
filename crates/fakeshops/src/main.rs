//! `fakeshops <woocommerce|prestashop|magento|shopify>`: runs one fake shop as a process (for
//! the interop suite, where a shop's official client library talks to it), printing its base
//! URL on the first line and serving until killed.

use clap::Parser;
use omnicanal_fakeshops::{magento, prestashop, shopify, woocommerce};

/// Which fake to run.
#[derive(Parser)]
struct Args {
    /// woocommerce, prestashop, magento or shopify.
    kind: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let serving = match args.kind.as_str() {
        "woocommerce" => woocommerce::standalone().await?,
        "prestashop" => prestashop::standalone().await?,
        "magento" => magento::standalone().await?,
        "shopify" => shopify::standalone().await?,
        other => {
            eprintln!("no fake shop called {other}: woocommerce, prestashop, magento or shopify");
            std::process::exit(2);
        }
    };
    println!("{}", serving.base_url());
    std::future::pending::<()>().await;
    Ok(())
}
