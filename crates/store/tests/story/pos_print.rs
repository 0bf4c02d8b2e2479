//! The till's receipts: a till's printer set, replaced and removed; a digital receipt's link
//! found by its token's hash alone, and counted per sale.

use omnicanal_store::{PosDigitalReceiptRow, PosPrinterRow, Store};

use crate::pos::{device_row, open_session, sale, session_row};
use crate::support::{Shop, T0};

pub async fn pos_printers_and_digital_receipts(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "TIC-1", 1000, true).await;
    shop.restock(store, "TIC-1", 5).await.expect("stock");
    let device = device_row(&shop, "Caja 1", "TPRN1");
    store.insert_pos_device(&device).await.expect("register a till");
    assert_eq!(store.get_pos_printer(&device.id).await.expect("none yet"), None);
    let printer = PosPrinterRow {
        device_id: device.id.clone(),
        host: "192.168.1.50".into(),
        port: 9100,
        updated_by: Some("usr_manager".into()),
        updated_at_ms: T0,
    };
    store.set_pos_printer(&printer).await.expect("set");
    let moved = PosPrinterRow { host: "printer.local".into(), port: 9101, updated_at_ms: T0 + 1, ..printer.clone() };
    store.set_pos_printer(&moved).await.expect("replace");
    assert_eq!(store.get_pos_printer(&device.id).await.expect("read"), Some(moved));
    store.clear_pos_printer(&device.id).await.expect("remove");
    store.clear_pos_printer(&device.id).await.expect("remove again");
    assert_eq!(store.get_pos_printer(&device.id).await.expect("gone"), None);

    let session = session_row(&shop, &device, 0);
    open_session(store, &session).await;
    let sold = sale(&session, "sale-print-1", 1, "TIC-1", 1, 1000, false);
    store.record_pos_sale(&sold).await.expect("a sale");
    assert_eq!(store.count_pos_digital_receipts("sale-print-1").await.expect("count"), 0);
    for n in 0..2 {
        let link = PosDigitalReceiptRow {
            token_hash: format!("hash-{n}"),
            sale_id: "sale-print-1".into(),
            created_by: None,
            created_at_ms: T0,
        };
        store.insert_pos_digital_receipt(&link).await.expect("a link");
    }
    let found = store.get_pos_digital_receipt("hash-1").await.expect("read").expect("found");
    assert_eq!(found.sale_id, "sale-print-1");
    assert_eq!(store.get_pos_digital_receipt("hash-9").await.expect("read"), None);
    assert_eq!(store.count_pos_digital_receipts("sale-print-1").await.expect("count"), 2);
    let stray = PosDigitalReceiptRow {
        token_hash: "hash-x".into(),
        sale_id: "no-sale".into(),
        created_by: None,
        created_at_ms: T0,
    };
    assert!(store.insert_pos_digital_receipt(&stray).await.is_err(), "a link needs its sale");
}
