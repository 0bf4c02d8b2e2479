//! Which price list sets a line's unit price (the most specific active one in its window), how
//! the quote names it, and that promotions work from that price.

use std::collections::HashMap;

use super::*;

fn price_list(
    id: &str,
    channel: Option<&str>,
    location: Option<&str>,
    window: (Option<i64>, Option<i64>),
    price: i64,
) -> PriceList {
    PriceList {
        id: id.into(),
        name: format!("List {id}"),
        merchant_id: "m1".into(),
        channel: channel.map(Into::into),
        location_id: location.map(Into::into),
        valid_from_ms: window.0,
        valid_to_ms: window.1,
        active: true,
        prices: HashMap::from([("PIZZA".to_owned(), clp(price))]),
    }
}

#[test]
fn the_price_source_names_the_winning_list() -> TestResult {
    let always = (None, None);
    let mut other_merchant = price_list("theirs", Some("web"), Some("l1"), always, 1);
    other_merchant.merchant_id = "m2".into();
    let mut switched_off = price_list("off", Some("web"), Some("l1"), always, 2);
    switched_off.active = false;
    let mut shop = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]);
    shop.price_lists = vec![
        price_list("year", None, None, always, 10_000),
        price_list("xmas", None, None, (Some(NOW - 10), Some(NOW + 10)), 9_000),
        price_list("web", Some("web"), None, always, 9_500),
        price_list("l1", None, Some("l1"), always, 8_800),
        price_list("l1-web", Some("web"), Some("l1"), always, 8_500),
        other_merchant,
        switched_off,
    ];
    let cases = [
        ("web", "l1", NOW, Some("l1-web"), 8_500),
        ("qr", "l1", NOW, Some("l1"), 8_800),
        ("web", "l2", NOW, Some("web"), 9_500),
        ("qr", "l2", NOW, Some("xmas"), 9_000),
        ("qr", "l2", NOW + 10, Some("year"), 10_000),
    ];
    for (channel, location, now, list, price) in cases {
        shop.channel = channel.into();
        shop.now_ms = now;
        let quote = shop.quote(vec![cart_line(location, "m1", "PIZZA", 2, clp(12_990), iva())?])?;
        let quoted = line(&quote, "PIZZA")?;
        let case = format!("{channel} at {location}");
        assert_eq!(quoted.price_source.kind, "price_list", "{case}");
        assert_eq!(quoted.price_source.price_list_id.as_deref(), list, "{case}");
        assert_eq!(quoted.price_source.price_list_name, list.map(|id| format!("List {id}")), "{case}");
        assert_eq!((quoted.base_price, quoted.unit_price), (clp(12_990), clp(price)), "{case}");
        assert_eq!(quoted.gross.amount_minor, 2 * price, "{case}");
        // Promotions work from the list's price.
        assert_eq!(quoted.discount.amount_minor, 2 * price / 10, "{case}");
    }
    // A SKU no list prices keeps its base price.
    shop.channel = "web".into();
    let quote = shop.quote(vec![item("SODA", 1, 1_990)?])?;
    let soda = line(&quote, "SODA")?;
    assert_eq!((soda.price_source.kind.as_str(), soda.price_source.price_list_id.as_ref()), ("base", None));
    assert_eq!(soda.unit_price, clp(1_990));
    Ok(())
}
