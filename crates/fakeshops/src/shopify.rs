//! A fake shopify shop (to be filled from the published API docs).

/// The fake as a process would run it: a few demo products, listening on loopback.
pub async fn standalone() -> std::io::Result<crate::Serving> {
    crate::serve(axum::Router::new()).await
}
