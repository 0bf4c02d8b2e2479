//! The merchant's web shop pages (issue 17 point 2): the catalogue at `/shop/{shop}` (filters
//! by option and availability, search, pages, an empty state that says how to get out of
//! it), a product page (`/shop/{shop}/p/{id}`: options → the variant, its price from the
//! engine, "Quedan 2 en …" per store) and the cart with checkout (`/shop/{shop}/cart`), which
//! posts to the JSON API and then opens the ordinary order page with its pickup code.
//!
//! Rendered from the app's `webshop` use cases; texts in `locales/shop.{es,en}.json`; the
//! cart lives in the browser (`assets/shop.js`). Templates have their own environment so the
//! food court's page list is untouched.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use minijinja::{Environment, Value, context};
use omnicanal_app::AppError;
use omnicanal_app::webshop::{Catalogue, CatalogueQuery, Shop, ShopVariant};
use omnicanal_domain::Money;

use super::i18n::Lang;
use super::{asset, render_page};

const JS: &str = "text/javascript; charset=utf-8";
use crate::state::AppState;

/// The shop's pages and assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shop/{shop}", get(catalogue_page))
        .route("/shop/{shop}/p/{product}", get(product_page))
        .route("/shop/{shop}/cart", get(cart_page))
        .route("/static/shop.js", get(|| asset(include_str!("../../assets/shop.js"), JS)))
        .route("/static/shop.css", get(|| asset(include_str!("../../assets/shop.css"), "text/css; charset=utf-8")))
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    let templates = [
        ("shop_layout.html", include_str!("../../templates/shop_layout.html")),
        ("shop.html", include_str!("../../templates/shop.html")),
        ("shop_product.html", include_str!("../../templates/shop_product.html")),
        ("shop_cart.html", include_str!("../../templates/shop_cart.html")),
        ("missing.html", include_str!("../../templates/missing.html")),
    ];
    for (name, source) in templates {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a shop template does not compile");
        }
    }
    env
});

fn query_lang(pairs: &[(String, String)]) -> Option<&str> {
    pairs.iter().find(|(key, _)| key == "lang").map(|(_, value)| value.as_str())
}

fn render(template: &str, lang: Lang, pairs: &[(String, String)], status: StatusCode, ctx: Value) -> Response {
    let mut response = render_page(&TEMPLATES, template, lang, status, ctx);
    if let Some(code) = query_lang(pairs).filter(|raw| matches!(*raw, "es" | "en"))
        && let Ok(cookie) = HeaderValue::from_str(&format!("lang={code}; Path=/; Max-Age=31536000; SameSite=Lax"))
    {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// The page for an unknown shop or product (404), or a bare 503 when the store failed.
fn refusal(error: &AppError, lang: Lang) -> Response {
    match error {
        AppError::NotFound(_) | AppError::Invalid(_) => {
            render_page(&TEMPLATES, "missing.html", lang, StatusCode::NOT_FOUND, context! {})
        }
        other => {
            tracing::warn!(error = %other, "a shop page could not be read");
            render_page(&TEMPLATES, "missing.html", lang, StatusCode::SERVICE_UNAVAILABLE, context! {})
        }
    }
}

fn money(amount: Money) -> String {
    amount.display()
}

fn shop_context(shop: &Shop) -> Value {
    context! { slug => shop.slug, name => shop.merchant.name, id => shop.merchant.id }
}

fn page_data(lang: Lang, shop: &Shop, extra: serde_json::Value) -> serde_json::Value {
    let mut data = serde_json::json!({
        "shop": shop.slug,
        "merchant_id": shop.merchant.id,
        "currency": shop.currency,
        "lang": lang.code(),
        "messages": shop_messages(lang),
    });
    if let (Some(object), serde_json::Value::Object(more)) = (data.as_object_mut(), extra) {
        object.extend(more);
    }
    data
}

/// The shop's texts for its script (only `shop.*`: the page carries nothing else).
fn shop_messages(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
    lang.all()
        .iter()
        .filter(|(key, _)| key.starts_with("shop."))
        .map(|(key, value)| (key.clone(), serde_json::Value::String(value.clone())))
        .collect()
}

/// The address's pairs as the catalogue's query: `where=delivery` or `where=pickup:<store>`
/// (the availability select) becomes `delivery` or `pickup`.
fn catalogue_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        match (key.as_str(), value.as_str()) {
            ("where", "delivery") => out.push(("delivery".to_owned(), "1".to_owned())),
            ("where", other) => {
                if let Some(store) = other.strip_prefix("pickup:") {
                    out.push(("pickup".to_owned(), store.to_owned()));
                }
            }
            _ => out.push((key.clone(), value.clone())),
        }
    }
    out
}

/// The catalogue's address with another page number.
fn page_url(slug: &str, pairs: &[(String, String)], page: usize) -> String {
    let mut query = url_pairs(pairs.iter().filter(|(key, _)| key != "page"));
    query.push_str(&format!("{}page={page}", if query.is_empty() { "" } else { "&" }));
    format!("/shop/{slug}?{query}")
}

fn url_pairs<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    pairs.map(|(key, value)| format!("{}={}", encode(key), encode(value))).collect::<Vec<_>>().join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn catalogue_page(
    State(state): State<AppState>,
    Path(shop_key): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query_lang(&pairs), &headers);
    let query = match CatalogueQuery::from_pairs(&catalogue_pairs(&pairs)) {
        Ok(query) => query,
        // A mistyped page number or an overlong search shows the first page, unfiltered by it.
        Err(_) => CatalogueQuery::default_first_page(),
    };
    let catalogue = match state.app.webshop_catalogue(&shop_key, query).await {
        Ok(catalogue) => catalogue,
        Err(AppError::Invalid(_)) => {
            // A store id that is not this shop's: the catalogue without that filter.
            match state.app.webshop_catalogue(&shop_key, CatalogueQuery::default_first_page()).await {
                Ok(catalogue) => catalogue,
                Err(error) => return refusal(&error, lang),
            }
        }
        Err(error) => return refusal(&error, lang),
    };
    let ctx = catalogue_context(lang, &catalogue, &pairs);
    render("shop.html", lang, &pairs, StatusCode::OK, ctx)
}

fn catalogue_context(lang: Lang, catalogue: &Catalogue, pairs: &[(String, String)]) -> Value {
    let shop = &catalogue.shop;
    let query = &catalogue.query;
    let facets: Vec<Value> = catalogue
        .facets
        .iter()
        .map(|facet| {
            let selected =
                query.options.iter().find(|(name, _)| name.eq_ignore_ascii_case(&facet.name)).map(|(_, v)| v);
            let selected = selected.and_then(|v| facet.values.iter().find(|value| value.eq_ignore_ascii_case(v)));
            context! { name => facet.name, values => facet.values, selected => selected }
        })
        .collect();
    let products: Vec<Value> = catalogue
        .products
        .iter()
        .map(|entry| {
            let options: Vec<String> =
                entry.options.as_slice().iter().map(|option| option.values.join(" · ")).collect();
            context! {
                id => entry.product.id,
                name => entry.product.name,
                image_url => entry.product.image_url,
                price_text => money(entry.price),
                list_price_text => money(entry.list_price),
                discounted => entry.price.amount_minor < entry.list_price.amount_minor,
                available => entry.available,
                options => options.join(" / "),
            }
        })
        .collect();
    let stores: Vec<Value> = shop
        .locations
        .iter()
        .filter(|entry| entry.kind.offers_pickup())
        .map(|entry| context! { id => entry.location.id, name => entry.location.name })
        .collect();
    let page = query.page;
    context! {
        title => lang.text("shop.title", &[("shop", shop.merchant.name.clone())]),
        shop => shop_context(shop),
        query => context! { text => query.text, delivery => query.delivery, pickup_at => query.pickup_at },
        facets => facets,
        stores => stores,
        products => products,
        total => catalogue.total,
        page => page,
        pages => catalogue.pages,
        prev_url => (page > 1).then(|| page_url(&shop.slug, pairs, page - 1)),
        next_url => (page < catalogue.pages).then(|| page_url(&shop.slug, pairs, page + 1)),
        page_data => page_data(lang, shop, serde_json::json!({})),
    }
}

/// "Quedan 2 en Andina Providencia, 5 en Andina Las Condes" — the stores that hold it, open
/// now or not (a store closed tonight still holds its units; the cart offers only open ones),
/// or that none does.
fn where_text(lang: Lang, variant: &ShopVariant) -> String {
    let places: Vec<String> = variant
        .stores
        .iter()
        .filter(|store| store.units.is_none_or(|units| units > 0))
        .map(|store| match store.units {
            Some(units) => lang.text("shop.units_at", &[("units", units.to_string()), ("store", store.name.clone())]),
            None => lang.text("shop.available_at", &[("store", store.name.clone())]),
        })
        .collect();
    if places.is_empty() {
        lang.text("shop.in_no_store", &[])
    } else {
        lang.text("shop.left", &[("places", places.join(", "))])
    }
}

fn delivery_text(lang: Lang, variant: &ShopVariant) -> String {
    match variant.delivery_units {
        Some(0) => lang.text("shop.no_delivery_now", &[]),
        _ => lang.text("shop.delivery_ok", &[]),
    }
}

fn variant_json(lang: Lang, variant: &ShopVariant) -> serde_json::Value {
    serde_json::json!({
        "sku": variant.variant.sku,
        "attributes": variant.attributes,
        "price": variant.price.amount_minor,
        "list_price": variant.list_price.amount_minor,
        "price_text": money(variant.price),
        "list_price_text": money(variant.list_price),
        "promotions": variant.promotions.join(" · "),
        "where_text": where_text(lang, variant),
        "delivery_text": delivery_text(lang, variant),
        "orderable": variant.stores.iter().any(|s| s.pickup && s.units.is_none_or(|u| u > 0))
            || variant.delivery_units.is_none_or(|u| u > 0),
        "image_url": variant.image_url,
    })
}

async fn product_page(
    State(state): State<AppState>,
    Path((shop_key, product_id)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query_lang(&pairs), &headers);
    let page = match state.app.webshop_product(&shop_key, &product_id).await {
        Ok(page) => page,
        Err(error) => return refusal(&error, lang),
    };
    let variants: Vec<serde_json::Value> = page.variants.iter().map(|variant| variant_json(lang, variant)).collect();
    // The first variant that can be had, else the first: what the page opens on.
    let selected = variants
        .iter()
        .find(|variant| variant["orderable"].as_bool() == Some(true))
        .or_else(|| variants.first())
        .cloned()
        .unwrap_or_default();
    let options: Vec<Value> = page
        .options
        .as_slice()
        .iter()
        .map(|option| context! { name => option.name, values => option.values })
        .collect();
    let data = page_data(
        lang,
        &page.shop,
        serde_json::json!({
            "product": {"id": page.product.id, "name": page.product.name},
            "variants": variants,
        }),
    );
    let ctx = context! {
        title => page.product.name.clone(),
        shop => shop_context(&page.shop),
        product => context! {
            id => page.product.id, name => page.product.name,
            description => page.product.description, image_url => page.product.image_url,
        },
        options => options,
        selected => Value::from_serialize(selected_context(&selected)),
        page_data => data,
    };
    render("shop_product.html", lang, &pairs, StatusCode::OK, ctx)
}

fn selected_context(selected: &serde_json::Value) -> serde_json::Value {
    let mut selected = selected.clone();
    let discounted = selected["price"].as_i64() < selected["list_price"].as_i64();
    if let Some(object) = selected.as_object_mut() {
        object.insert("discounted".into(), discounted.into());
    }
    selected
}

async fn cart_page(
    State(state): State<AppState>,
    Path(shop_key): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query_lang(&pairs), &headers);
    let shop = match state.app.webshop(&shop_key).await {
        Ok(shop) => shop,
        Err(error) => return refusal(&error, lang),
    };
    let ctx = context! {
        title => lang.text("shop.cart_title", &[]),
        shop => shop_context(&shop),
        page_data => page_data(lang, &shop, serde_json::json!({})),
    };
    render("shop_cart.html", lang, &pairs, StatusCode::OK, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shop_template_compiles() {
        for name in ["shop_layout.html", "shop.html", "shop_product.html", "shop_cart.html", "missing.html"] {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name} does not compile");
        }
    }

    #[test]
    fn the_availability_select_becomes_the_query_and_pages_keep_the_filters() {
        let pairs = vec![("Talla".to_owned(), "M".to_owned()), ("where".to_owned(), "pickup:loc_1".to_owned())];
        assert_eq!(
            catalogue_pairs(&pairs),
            vec![("Talla".to_owned(), "M".to_owned()), ("pickup".to_owned(), "loc_1".to_owned())]
        );
        assert_eq!(page_url("andina", &pairs, 2), "/shop/andina?Talla=M&where=pickup%3Aloc_1&page=2");
    }
}
