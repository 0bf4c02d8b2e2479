//! WooCommerce's JSON as the REST API v3 documents it ("Product properties", "Product
//! variation properties", "Order properties" at
//! <https://woocommerce.github.io/woocommerce-rest-api-docs/>), read leniently (a missing
//! field is a default, not a failure), and turned into the app's words.
//!
//! Prices are decimal strings in the shop's currency. A line's documented `price` is a JSON
//! number (a float: total ÷ quantity), so the unit price is taken from the line's `total`
//! string divided by the quantity in integers, the number only as a fallback.

use omnicanal_app::connections::client::{RemoteItem, RemoteOrder, RemoteOrderLine, RemoteVariant};
use omnicanal_domain::connections::decimal::minor_from_decimal;
use serde::Deserialize;
use serde_json::Value;

/// A product or a variation.
#[derive(Debug, Deserialize)]
pub(super) struct WireProduct {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    /// GTIN, UPC, EAN or ISBN (WooCommerce 9.2+).
    #[serde(default)]
    pub global_unique_id: Option<String>,
    #[serde(default)]
    pub regular_price: Option<String>,
    /// `true`, `false`, or `"parent"` on a variation whose parent manages the stock.
    #[serde(default)]
    pub manage_stock: Value,
    #[serde(default)]
    pub stock_quantity: Value,
    #[serde(default)]
    pub attributes: Vec<WireAttribute>,
}

/// A variation's attribute (`{"name":"Size","option":"M"}`).
#[derive(Debug, Deserialize)]
pub(super) struct WireAttribute {
    #[serde(default)]
    pub option: Option<String>,
}

impl WireProduct {
    /// Whether it is sold through variations (or not sold itself): `variable` and `grouped`.
    pub fn has_no_stock_of_its_own(&self) -> bool {
        matches!(self.kind.as_deref(), Some("variable" | "grouped"))
    }

    /// As a simple product: the item is the product.
    pub fn into_simple(self, exponent: u32) -> RemoteVariant {
        let item = RemoteItem { product_id: self.id.to_string(), variant_id: None, inventory_id: None };
        let title = self.name.clone().unwrap_or_default();
        self.into_variant(item, title, exponent)
    }

    /// As a variation of `parent_id` (named `parent_name`, when known).
    pub fn into_variation(self, parent_id: &str, parent_name: Option<&str>, exponent: u32) -> RemoteVariant {
        let item =
            RemoteItem { product_id: parent_id.to_owned(), variant_id: Some(self.id.to_string()), inventory_id: None };
        let options: Vec<&str> = self.attributes.iter().filter_map(|a| a.option.as_deref()).collect();
        let title = match (self.name.as_deref().filter(|n| !n.is_empty()), parent_name) {
            (Some(name), _) => name.to_owned(),
            (None, Some(parent)) if !options.is_empty() => format!("{parent} - {}", options.join(", ")),
            (None, Some(parent)) => parent.to_owned(),
            (None, None) => options.join(", "),
        };
        self.into_variant(item, title, exponent)
    }

    fn into_variant(self, item: RemoteItem, title: String, exponent: u32) -> RemoteVariant {
        let managed = match &self.manage_stock {
            Value::Bool(flag) => *flag,
            Value::String(word) => word == "parent",
            _ => false,
        };
        let stock = if managed { whole_number(&self.stock_quantity) } else { None };
        RemoteVariant {
            item,
            sku: self.sku.filter(|s| !s.is_empty()),
            barcode: self.global_unique_id.filter(|b| !b.is_empty()),
            title,
            description: self.description.filter(|d| !d.is_empty()),
            price_minor: self.regular_price.as_deref().and_then(|p| minor_from_decimal(p, exponent)),
            stock,
        }
    }
}

/// An integer from a JSON number or numeric string (WooCommerce has sent both).
fn whole_number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An order.
#[derive(Debug, Deserialize)]
pub(super) struct WireOrder {
    pub id: u64,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub billing: Option<WireAddress>,
    #[serde(default)]
    pub shipping: Option<WireAddress>,
    #[serde(default)]
    pub line_items: Vec<WireLine>,
}

/// A billing or shipping address.
#[derive(Debug, Default, Deserialize)]
pub(super) struct WireAddress {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl WireAddress {
    fn full_name(&self) -> String {
        let parts = [self.first_name.as_deref(), self.last_name.as_deref()];
        parts.into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    }
}

/// An order line.
#[derive(Debug, Deserialize)]
pub(super) struct WireLine {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub product_id: u64,
    #[serde(default)]
    pub variation_id: u64,
    #[serde(default)]
    pub quantity: Value,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub price: Option<serde_json::Number>,
}

impl WireLine {
    fn into_line(self, exponent: u32) -> RemoteOrderLine {
        let quantity = whole_number(&self.quantity).unwrap_or(0);
        let from_total = self.total.as_deref().and_then(|t| minor_from_decimal(t, exponent)).and_then(|total| {
            (quantity > 0).then(|| {
                // Half up, in integers.
                (total * 2 + quantity) / (quantity * 2)
            })
        });
        let from_price = || self.price.as_ref().and_then(|p| minor_from_decimal(&p.to_string(), exponent));
        let item = (self.product_id != 0).then(|| RemoteItem {
            product_id: self.product_id.to_string(),
            variant_id: (self.variation_id != 0).then(|| self.variation_id.to_string()),
            inventory_id: None,
        });
        RemoteOrderLine {
            unit_price_minor: from_total.or_else(from_price),
            sku: self.sku.filter(|s| !s.is_empty()),
            item,
            title: self.name,
            quantity,
        }
    }
}

impl WireOrder {
    /// The order in the app's words; `default_currency` (the shop's) when the order names none.
    pub fn into_order(self, default_currency: &str) -> RemoteOrder {
        let currency = self.currency.filter(|c| !c.is_empty()).unwrap_or_else(|| default_currency.to_owned());
        let exponent = super::exponent_of(&currency);
        let billing = self.billing.unwrap_or_default();
        let shipping = self.shipping.unwrap_or_default();
        let customer_name = Some(billing.full_name()).filter(|n| !n.is_empty()).unwrap_or_else(|| shipping.full_name());
        let created_at_ms = self.date_created_gmt.as_deref().and_then(|raw| {
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|at| at.and_utc().timestamp_millis())
        });
        RemoteOrder {
            remote_id: self.id.to_string(),
            number: self.number.filter(|n| !n.is_empty()),
            status: self.status,
            customer_name,
            customer_email: billing.email.filter(|e| !e.is_empty()),
            customer_phone: billing.phone.filter(|p| !p.is_empty()),
            lines: self.line_items.into_iter().map(|line| line.into_line(exponent)).collect(),
            total_minor: self.total.as_deref().and_then(|t| minor_from_decimal(t, exponent)),
            currency: Some(currency),
            created_at_ms,
        }
    }
}
