//! The shapes of the strings the API checks, as OpenAPI schemas (`#[schema(schema_with = ...)]`).
//!
//! A client (or a fuzzer) reading the document must be able to build a request the server
//! accepts. So each field whose value the server checks says how, here, once: closed sets of
//! words are listed from the domain's own tables where it has one (`Role::ALL`...), so the
//! document cannot drift from the parser; formats (SKU, name, e-mail, channel) are written as
//! the patterns and lengths of the parser they mirror, named in each function's doc.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::MerchantKind;
use omnicanal_domain::dish::Allergen;
use omnicanal_domain::events::EventType;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::site::UnacceptedPolicy;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

/// What `Sku::parse` takes: 1 to 64 letters, digits, `-`, `_`, `.`, `/`.
pub const SKU_PATTERN: &str = "^[A-Za-z0-9._/-]{1,64}$";
/// What `Name::parse` takes: 1 to 200 characters with no control character and not only
/// white space (the length counted after trimming; the schema counts it whole, which is stricter).
pub const NAME_PATTERN: &str = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$";
/// What the user parser takes as an e-mail: something, `@`, a domain with a dot, no white space.
pub const EMAIL_PATTERN: &str = "^[^\\s@]+@[^\\s@]*\\.[^\\s@]*$";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

fn one_of_words<'a>(words: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    string().enum_values(Some(words))
}

fn nullable_words<'a>(words: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    let values: Vec<serde_json::Value> =
        words.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null]).collect();
    nullable_string().enum_values(Some(values))
}

/// A SKU.
pub fn sku() -> Object {
    string().min_length(Some(1)).max_length(Some(64)).pattern(Some(SKU_PATTERN)).build()
}

/// A list of SKUs, at most `max` (`skus` of promotions and price lists).
pub fn skus(max: usize) -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(sku()).max_items(Some(max)).build()
}

/// A name (`Name::parse`).
pub fn name() -> Object {
    string().min_length(Some(1)).max_length(Some(200)).pattern(Some(NAME_PATTERN)).build()
}

/// A name that may be left out (null keeps the current one).
pub fn optional_name() -> Object {
    nullable_string().min_length(Some(1)).max_length(Some(200)).pattern(Some(NAME_PATTERN)).build()
}

/// An e-mail address as a new user's.
pub fn email() -> Object {
    string().min_length(Some(3)).max_length(Some(254)).pattern(Some(EMAIL_PATTERN)).build()
}

/// A new password: 10 to 200 characters.
pub fn new_password() -> Object {
    string()
        .min_length(Some(omnicanal_app::access::MIN_PASSWORD_CHARS))
        .max_length(Some(omnicanal_app::access::MAX_PASSWORD_CHARS))
        .build()
}

/// What `Description::parse` takes: plain text up to 500 characters (counted after trimming;
/// the schema counts it whole, which is stricter), line breaks and tabs but no other control
/// character; null or blank for none.
pub const DESCRIPTION_PATTERN: &str = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$";

/// A dish's description (`Description::parse`).
pub fn description() -> Object {
    nullable_string()
        .max_length(Some(omnicanal_domain::dish::MAX_DESCRIPTION_CHARS))
        .pattern(Some(DESCRIPTION_PATTERN))
        .build()
}

/// A dish's allergens: codes of the domain's table, at most as many as it has.
pub fn allergens() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(one_of_words(Allergen::ALL.iter().map(|allergen| allergen.as_str())).build())
        .max_items(Some(Allergen::ALL.len()))
        .build()
}

/// A role.
pub fn role() -> Object {
    one_of_words(Role::ALL.iter().map(|role| role.as_str())).build()
}

/// A merchant's kind.
pub fn merchant_kind() -> Object {
    one_of_words(MerchantKind::ALL.iter().map(|kind| kind.as_str())).build()
}

/// A merchant kind that may be left out (null keeps the current one).
pub fn optional_merchant_kind() -> Object {
    nullable_words(MerchantKind::ALL.iter().map(|kind| kind.as_str())).build()
}

/// A stock movement's reason.
pub fn movement_reason() -> Object {
    one_of_words(MovementReason::ALL.iter().map(|reason| reason.as_str())).build()
}

/// A webhook's event types: one or more, each once.
pub fn event_types() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(one_of_words(EventType::ALL.iter().map(|event| event.as_str())))
        .min_items(Some(1))
        .max_items(Some(EventType::ALL.len()))
        .unique_items(true)
        .build()
}

/// What happens to a part not accepted in time (null keeps the current policy).
pub fn unaccepted_policy() -> Object {
    nullable_words(UnacceptedPolicy::ALL.iter().map(|policy| policy.as_str())).build()
}

/// A country Omnicanal serves.
pub fn country() -> Object {
    one_of_words(["CL", "PE", "CO"]).build()
}

/// A site's currency (the country's own: CLP, PEN, COP).
pub fn site_currency() -> Object {
    one_of_words(["CLP", "PEN", "COP"]).build()
}

/// Any currency a price may be in.
pub fn currency() -> Object {
    one_of_words(["CLP", "PEN", "COP", "USD"]).examples(["CLP"]).build()
}

/// An IANA time zone, as `chrono_tz` knows them (the server parses with it).
pub fn timezone() -> Object {
    one_of_words(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())).examples(["America/Santiago"]).build()
}

/// A sales channel: `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>`.
pub fn channel() -> Object {
    string().pattern(Some("^(qr|web|pos|phone|kiosk|tablet|shop:[A-Za-z0-9_-]{1,64})$")).examples(["qr"]).build()
}

/// A channel that may be left out.
pub fn optional_channel() -> Object {
    nullable_string()
        .pattern(Some("^(qr|web|pos|phone|kiosk|tablet|shop:[A-Za-z0-9_-]{1,64})$"))
        .examples(["qr"])
        .build()
}

/// A date, `YYYY-MM-DD` (the reports' `from` and `to` also take RFC 3339, left undocumented here
/// so that every value the document describes is one the server takes).
pub fn date() -> Object {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).build()
}

/// A document's `format`: `html`, `pdf` or `escpos`.
pub fn document_format() -> Object {
    one_of_words(["html", "pdf", "escpos"]).build()
}

/// A kitchen ticket's `format`: `html` or `escpos`.
pub fn ticket_format() -> Object {
    one_of_words(["html", "escpos"]).build()
}

/// A poster's `format`: `svg` or `pdf`.
pub fn poster_format() -> Object {
    one_of_words(["svg", "pdf"]).build()
}

/// Thermal paper width in millimetres: 58 or 80.
pub fn paper_width() -> Object {
    ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some([58, 80])).build()
}

/// A part's status.
pub fn fulfillment_status() -> Object {
    one_of_words(FulfillmentStatus::ALL.iter().map(|status| status.as_str())).build()
}

/// A price as sent (`parse_price`): `Money` with 0 to 10^12 minor units.
pub fn price() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "amount",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                .maximum(Some(1_000_000_000_000_i64)),
        )
        .property("currency", currency())
        .required("amount")
        .required("currency")
        .description(Some("Integer minor units, 0 to 1,000,000,000,000, and the currency of the merchant's site."))
        .build()
}

/// A moment as RFC 3339 in UTC, `2030-01-31T12:00:00Z` (the fields that take one also take an
/// offset or the site's local time; the pattern names a part every parser takes, days 1 to 28
/// so that every date it allows exists).
pub const TIMESTAMP_PATTERN: &str =
    "^20[2-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$";

/// A moment that may be left out (see [`TIMESTAMP_PATTERN`]).
pub fn optional_timestamp() -> Object {
    nullable_string().pattern(Some(TIMESTAMP_PATTERN)).build()
}

/// A local time of day, `HH:MM`.
pub fn time_of_day() -> Object {
    string().pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$")).build()
}

/// ISO weekdays, 1 (Monday) to 7, one or more, each once.
pub fn weekdays() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(7)))
        .min_items(Some(1))
        .max_items(Some(7))
        .unique_items(true)
        .build()
}

/// A payment method of an order: `card` or `pay_at_pickup`.
pub fn order_payment_method() -> Object {
    one_of_words(["card", "pay_at_pickup"]).build()
}

/// A payment job's state.
pub fn payment_job_state() -> Object {
    one_of_words(["pending", "succeeded", "needs_attention"]).build()
}

/// A coupon code: 3 to 32 letters, digits, `-` or `_`.
pub fn coupon_code() -> Object {
    string().pattern(Some("^[A-Za-z0-9_-]{3,32}$")).build()
}

/// A CSV file whose first line is `header` (the rows are checked one by one and reported).
pub fn csv_with_header(header: &str) -> Object {
    string().pattern(Some(format!("^{header}\\r?\\n"))).build()
}

/// Who pays for a promotion (null: the default for its scope).
pub fn funder() -> Object {
    nullable_words(["merchant", "operator"]).build()
}

/// A shop connection's kind.
pub fn connector_kind() -> Object {
    one_of_words(["woocommerce", "prestashop", "magento", "shopify"]).build()
}
