//! Writing a product's or variation's fields, validated as the REST API's schema does before
//! anything is saved: prices must be strings (`"12.50"`), `stock_quantity` an integer (a
//! numeric string passes, as WordPress's `rest_is_integer` lets it), `manage_stock` a boolean
//! (or `"parent"` on a variation). Every stock write is recorded for the test, in order.

use serde_json::Value;

use super::state::Shop;
use super::wire;

/// Field name and reason, for `rest_invalid_param`.
pub type Invalid = (String, String);

fn invalid(name: &str, why: &str) -> Invalid {
    (name.to_owned(), why.to_owned())
}

/// Applies `changes` to item `id` (which exists), or refuses them all.
pub fn apply(shop: &mut Shop, id: u64, changes: &Value) -> Result<(), Invalid> {
    let exponent = shop.exponent;
    let price = |name: &str| -> Result<Option<Option<i64>>, Invalid> {
        match changes.get(name) {
            None => Ok(None),
            Some(Value::String(raw)) if raw.trim().is_empty() => Ok(Some(None)),
            Some(Value::String(raw)) => wire::minor(raw, exponent)
                .map(|minor| Some(Some(minor)))
                .ok_or_else(|| invalid(name, &format!("{name} is not a valid price."))),
            Some(_) => Err(invalid(name, &format!("{name} is not of type string."))),
        }
    };
    let regular_price = price("regular_price")?;
    let sale_price = price("sale_price")?;
    let stock_quantity = match changes.get("stock_quantity") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| invalid("stock_quantity", "not an integer"))?),
        Some(Value::String(raw)) => Some(
            raw.trim()
                .parse::<i64>()
                .map_err(|_| invalid("stock_quantity", "stock_quantity is not of type integer."))?,
        ),
        Some(_) => return Err(invalid("stock_quantity", "stock_quantity is not of type integer.")),
    };
    let manage_stock = match changes.get("manage_stock") {
        None => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(Value::String(word)) if word == "parent" => Some(false),
        Some(_) => return Err(invalid("manage_stock", "manage_stock is not of type boolean.")),
    };
    let text = |name: &str| -> Result<Option<String>, Invalid> {
        match changes.get(name) {
            None => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(invalid(name, &format!("{name} is not of type string."))),
        }
    };
    let (name, description, sku, barcode) =
        (text("name")?, text("description")?, text("sku")?, text("global_unique_id")?);
    let taken = |sku: &String| !sku.is_empty() && shop.products.values().any(|p| p.id != id && p.sku == *sku);
    if sku.as_ref().is_some_and(taken) {
        return Err(invalid("sku", "Invalid or duplicated SKU."));
    }

    let now = shop.tick();
    let Some(item) = shop.products.get_mut(&id) else { return Ok(()) };
    if let Some(price) = regular_price {
        item.regular_price_minor = price;
    }
    if let Some(price) = sale_price {
        item.sale_price_minor = price;
    }
    if let Some(flag) = manage_stock {
        item.manage_stock = flag;
    }
    if let Some(value) = name {
        item.name = value;
    }
    if let Some(value) = description {
        item.description = value;
    }
    if let Some(value) = sku {
        item.sku = value;
    }
    if let Some(value) = barcode {
        item.global_unique_id = value;
    }
    item.date_modified = now;
    if let Some(quantity) = stock_quantity {
        item.stock_quantity = Some(quantity);
        let sku = item.sku.clone();
        shop.pushes.push((sku, quantity));
    }
    Ok(())
}
