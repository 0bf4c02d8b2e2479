//! SLA rules and special days (issue 18 point 3): a policy replaced whole per scope, the
//! merchant's rules read beside the platform's, and special days unique per scope and date,
//! listed for a location least specific first — on both databases.

use omnicanal_domain::support::{TicketCategory, TicketPriority};
use omnicanal_store::{Page, Reference, SlaRuleRow, SpecialDayFilter, SpecialDayRow, Store, StoreError};

use crate::support::{Shop, T0, id};

fn rule(
    merchant_id: Option<&str>,
    priority: TicketPriority,
    category: Option<TicketCategory>,
    first: i64,
) -> SlaRuleRow {
    SlaRuleRow {
        merchant_id: merchant_id.map(str::to_owned),
        priority,
        category,
        first_response_minutes: first,
        resolution_minutes: first * 10,
        special_first_response_minutes: Some(first / 2),
        special_resolution_minutes: None,
        updated_at_ms: T0,
        updated_by: Some("usr_story".into()),
    }
}

fn day(merchant_id: Option<&str>, site_id: Option<&str>, date: &str, name: &str) -> SpecialDayRow {
    SpecialDayRow {
        id: id("spd"),
        merchant_id: merchant_id.map(str::to_owned),
        site_id: site_id.map(str::to_owned),
        date: date.into(),
        name: name.into(),
        hours_json: Some(r#"[["10:00","18:00"]]"#.into()),
        tighter_targets: true,
        created_at_ms: T0,
        created_by: None,
    }
}

/// Scenario: policies are replaced whole per scope; special days are unique per scope and date.
pub async fn support_sla_rules_and_special_days(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let m = shop.merchant.id.as_str();

    let platform = [rule(None, TicketPriority::Normal, None, 100), rule(None, TicketPriority::Urgent, None, 10)];
    store.replace_sla_rules(None, &platform).await.expect("platform policy");
    let own = [rule(Some(m), TicketPriority::Urgent, Some(TicketCategory::Payments), 5)];
    store.replace_sla_rules(Some(m), &own).await.expect("merchant policy");

    let listed = store.list_sla_rules(None).await.expect("platform rules");
    assert_eq!(listed.iter().map(|r| r.priority).collect::<Vec<_>>(), [TicketPriority::Urgent, TicketPriority::Normal]);
    assert_eq!(store.list_sla_rules(Some(m)).await.expect("merchant rules"), own);
    assert_eq!(store.sla_rules_for(m).await.expect("both").len(), 3);

    // Replacing is whole: the normal rule goes, the merchant's stays.
    store.replace_sla_rules(None, &platform[1..]).await.expect("replace");
    assert_eq!(store.list_sla_rules(None).await.expect("platform rules").len(), 1);
    assert_eq!(store.sla_rules_for(m).await.expect("both").len(), 2);
    let unknown =
        store.replace_sla_rules(Some("mer_nobody"), &[rule(Some("mer_nobody"), TicketPriority::Low, None, 9)]).await;
    assert!(matches!(unknown, Err(StoreError::MissingReference(Reference::Merchant))), "{unknown:?}");
    assert!(store.list_sla_rules(Some("mer_nobody")).await.expect("none").is_empty());

    // Special days: platform, site, merchant; one per scope and date.
    let s = shop.site.id.as_str();
    let everyone = day(None, None, "2026-11-27", "Black Friday");
    assert!(store.insert_special_day(&everyone).await.expect("platform day"));
    assert!(!store.insert_special_day(&day(None, None, "2026-11-27", "Again")).await.expect("a second"));
    let merchants = day(Some(m), None, "2026-11-27", "Black Friday del café");
    assert!(store.insert_special_day(&merchants).await.expect("merchant day"));
    let sites = day(None, Some(s), "2026-12-24", "Nochebuena");
    assert!(store.insert_special_day(&sites).await.expect("site day"));
    let elsewhere = day(Some("mer_nobody"), None, "2026-12-24", "x");
    let missing = store.insert_special_day(&elsewhere).await;
    assert!(matches!(missing, Err(StoreError::MissingReference(Reference::Merchant))), "{missing:?}");

    let applying = store.special_days_applying(m, s, "2026-11-01", "2026-12-31").await.expect("applying");
    let names: Vec<&str> = applying.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Black Friday", "Black Friday del café", "Nochebuena"]);
    assert_eq!(store.get_special_day(&sites.id).await.expect("read"), Some(sites.clone()));
    let other_site = store.special_days_applying(m, "site_other", "2026-11-01", "2026-12-31").await.expect("other");
    assert_eq!(other_site.len(), 2, "the site's day is not another site's");

    let mine = SpecialDayFilter { merchant_id: Some(m.to_owned()), ..SpecialDayFilter::default() };
    assert_eq!(store.list_special_days(&mine, Page::default()).await.expect("list"), [merchants]);
    let december = SpecialDayFilter { from_date: Some("2026-12-01".into()), ..SpecialDayFilter::default() };
    assert_eq!(store.list_special_days(&december, Page::default()).await.expect("list").len(), 1);
    assert!(store.delete_special_day(&sites.id).await.expect("delete"));
    assert!(!store.delete_special_day(&sites.id).await.expect("again"));
    assert_eq!(store.get_special_day(&sites.id).await.expect("read"), None);
}
