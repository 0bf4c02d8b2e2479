//! The audit log: entries kept as written, listed newest first with every filter (merchant,
//! kind, id, actor by id or e-mail in any case, text in any case with wildcards taken literally,
//! time window), counted in all, and paged.

use omnicanal_domain::access::Role;
use omnicanal_domain::audit::{AuditAction, AuditEntity};
use omnicanal_store::{AuditEntryRow, AuditFilter, Page, Store};

use crate::support::T0;

fn entry(n: i64, merchant: Option<&str>, entity: AuditEntity, entity_id: &str, actor: &str) -> AuditEntryRow {
    AuditEntryRow {
        id: format!("aud_{n:03}"),
        at_ms: T0 + n * 1000,
        actor_id: format!("usr_{actor}"),
        actor_email: format!("{actor}@example.cl"),
        actor_role: Role::Admin,
        merchant_id: merchant.map(str::to_owned),
        entity,
        entity_id: entity_id.to_owned(),
        action: AuditAction::Updated,
        before_json: Some(format!(r#"{{"name":"Antes {n}"}}"#)),
        after_json: Some(format!(r#"{{"name":"Después 100% {n}"}}"#)),
    }
}

pub async fn audit_entries_are_listed_newest_first_with_filters(store: &dyn Store) {
    let written = [
        entry(1, None, AuditEntity::Site, "site_1", "ana"),
        entry(2, Some("mer_a"), AuditEntity::Location, "loc_a", "ana"),
        entry(3, Some("mer_b"), AuditEntity::Location, "loc_b", "bruno"),
        AuditEntryRow {
            before_json: None,
            action: AuditAction::Created,
            ..entry(4, Some("mer_a"), AuditEntity::Product, "prd_a", "bruno")
        },
    ];
    for row in &written {
        store.insert_audit_entry(row).await.expect("insert an entry");
    }
    let ids = |rows: &[AuditEntryRow]| rows.iter().map(|row| row.id.clone()).collect::<Vec<_>>();
    let list =
        |filter: AuditFilter| async move { store.list_audit_entries(&filter, Page::default()).await.expect("list") };

    let (all, total) = list(AuditFilter::default()).await;
    assert_eq!((ids(&all), total), (vec!["aud_004".into(), "aud_003".into(), "aud_002".into(), "aud_001".into()], 4));
    assert_eq!(all[0], written[3], "read back as written");

    let (of_a, total) = list(AuditFilter { merchant_id: Some("mer_a".into()), ..AuditFilter::default() }).await;
    assert_eq!((ids(&of_a), total), (vec!["aud_004".into(), "aud_002".into()], 2));
    let (locations, _) = list(AuditFilter { entity: Some(AuditEntity::Location), ..AuditFilter::default() }).await;
    assert_eq!(ids(&locations), ["aud_003", "aud_002"]);
    let (one, _) = list(AuditFilter { entity_id: Some("loc_b".into()), ..AuditFilter::default() }).await;
    assert_eq!(ids(&one), ["aud_003"]);
    let (by_email, _) = list(AuditFilter { actor: Some("BRUNO@example.cl".into()), ..AuditFilter::default() }).await;
    assert_eq!(ids(&by_email), ["aud_004", "aud_003"]);
    let (by_id, _) = list(AuditFilter { actor: Some("usr_ana".into()), ..AuditFilter::default() }).await;
    assert_eq!(ids(&by_id), ["aud_002", "aud_001"]);
    let (by_text, _) = list(AuditFilter { text: "antes 2".into(), ..AuditFilter::default() }).await;
    assert_eq!(ids(&by_text), ["aud_002"]);
    let (percent, _) = list(AuditFilter { text: "100%".into(), ..AuditFilter::default() }).await;
    assert_eq!(percent.len(), 4, "a % is a character, found in every after");
    let (no_wildcard, _) = list(AuditFilter { text: "a%z".into(), ..AuditFilter::default() }).await;
    assert!(no_wildcard.is_empty(), "a % matches only itself");
    let window = AuditFilter { from_ms: Some(T0 + 2000), to_ms: Some(T0 + 4000), ..AuditFilter::default() };
    assert_eq!(ids(&list(window).await.0), ["aud_003", "aud_002"]);

    let page = Page { limit: 2, offset: 2 };
    let (second, total) = store.list_audit_entries(&AuditFilter::default(), page).await.expect("a page");
    assert_eq!((ids(&second), total), (vec!["aud_002".into(), "aud_001".into()], 4));

    assert_eq!(store.get_audit_entry("aud_003").await.expect("get"), Some(written[2].clone()));
    assert_eq!(store.get_audit_entry("aud_999").await.expect("get"), None);
}
