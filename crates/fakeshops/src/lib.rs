//! Fakes of the shops Omnicanal connects to, for tests only: each one an axum server that
//! answers the documented paths, auth, payload shapes, pagination, rate-limit answers and
//! webhook signatures of the real shop's published API — not shapes invented to fit our
//! client — over shared state a test reads and changes (the shop's admin editing a stock, a
//! customer placing an order, the shop answering 429 for a while).
//!
//! One module per shop; [`Serving`] is what each `spawn` returns.

#![allow(missing_docs, reason = "test fakes: their fields are the shops' documented fields")]

pub mod magento;
pub mod prestashop;
pub mod shopify;
pub mod woocommerce;

use std::net::SocketAddr;

/// A fake shop listening on a loopback port.
pub struct Serving {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Serving {
    /// `http://127.0.0.1:<port>`: the shop's site root.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on an ephemeral loopback port.
pub async fn serve(router: axum::Router) -> std::io::Result<Serving> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Serving { addr, task })
}
