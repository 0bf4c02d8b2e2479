//! A cart's catalogue read at once: the batch reads (`get_locations`, `get_merchants`,
//! `find_sellables`, `list_sold_out_at`, `list_channel_allocations_at`) answer exactly what the
//! one-at-a-time reads answer, whatever the cart's size, and nothing for what does not exist.

use omnicanal_domain::channel::Channel;
use omnicanal_store::{ChannelAllocationRow, SoldOutSwitch, Store};

use super::support::{Shop, T0};

/// Two shops, a product each, one sold out and one channel allocation.
pub async fn a_carts_catalogue_is_read_at_once(store: &dyn Store) {
    let (a, b) = (Shop::open(store).await, Shop::open(store).await);
    let (tea, cake) =
        (a.add_product(store, "TEA", 1_990, false).await, b.add_product(store, "CAKE", 3_490, true).await);
    let locations = [a.location.id.clone(), b.location.id.clone(), "loc_nope".to_owned()];

    let mut found = store.get_locations(&locations).await.expect("locations");
    found.sort_by(|x, y| x.id.cmp(&y.id));
    let mut one_by_one = vec![
        store.get_location(&a.location.id).await.expect("a").expect("a exists"),
        store.get_location(&b.location.id).await.expect("b").expect("b exists"),
    ];
    one_by_one.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(found, one_by_one, "the same rows, and none for an unknown id");
    assert!(store.get_locations(&[]).await.expect("none").is_empty());

    let merchants = store.get_merchants(&[a.merchant.id.clone(), "mer_nope".into()]).await.expect("merchants");
    assert_eq!(merchants, vec![a.merchant.clone()]);

    let wanted = [
        (a.merchant.id.clone(), "TEA".to_owned()),
        (b.merchant.id.clone(), "CAKE".to_owned()),
        (a.merchant.id.clone(), "CAKE".to_owned()),
    ];
    let mut sellables = store.find_sellables(&wanted).await.expect("sellables");
    sellables.sort_by(|x, y| x.variant.sku.cmp(&y.variant.sku));
    assert_eq!(sellables.len(), 2, "CAKE is not sold by the first merchant");
    assert_eq!((sellables[0].variant.id.as_str(), sellables[0].track_stock), (cake.id.as_str(), true));
    assert_eq!((sellables[1].variant.id.as_str(), sellables[1].track_stock), (tea.id.as_str(), false));
    assert_eq!(store.find_sellable(&a.merchant.id, "TEA").await.expect("one").map(|s| s.variant.id), Some(tea.id));

    let switch = SoldOutSwitch {
        location_id: b.location.id.clone(),
        merchant_id: b.merchant.id.clone(),
        sku: "CAKE".into(),
        sold_out: true,
        track_stock: true,
        user_id: None,
        now_ms: T0,
        event_id: "evt_cart_reads".into(),
    };
    store.switch_sold_out(&switch).await.expect("switch CAKE off");
    let sold_out = store.list_sold_out_at(&locations).await.expect("sold out");
    assert_eq!(
        sold_out.iter().map(|row| (row.location_id.as_str(), row.sku.as_str())).collect::<Vec<_>>(),
        vec![(b.location.id.as_str(), "CAKE")]
    );

    let allocation = ChannelAllocationRow {
        location_id: a.location.id.clone(),
        channel: Channel::Web,
        safety_buffer: 2,
        enabled: true,
        hold_ttl_ms: Some(900_000),
        updated_at_ms: T0,
    };
    store.upsert_channel_allocation(&allocation).await.expect("allocate");
    assert_eq!(store.list_channel_allocations_at(&locations).await.expect("allocations"), vec![allocation.clone()]);
    assert_eq!(store.list_channel_allocations(&a.location.id).await.expect("one location"), vec![allocation]);
    assert!(store.list_channel_allocations(&b.location.id).await.expect("none").is_empty());
}
