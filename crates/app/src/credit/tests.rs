//! The credit commands' parsing: every bad field named at once, codes checked before any lookup.

use omnicanal_domain::credit::GiftCardCode;
use omnicanal_domain::{Currency, Money};

use super::*;

fn fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => vec![format!("not invalid: {other:?}")],
    }
}

#[test]
fn a_grant_names_every_bad_field() {
    let refused = GrantCredit::parse(None, Some("not a customer".into()), Some(Money::new(0, Currency::Clp)), None);
    assert_eq!(
        refused.map_err(fields).err(),
        Some(vec!["merchant_id".into(), "customer".into(), "amount.amount".into(), "reason".into()])
    );
    let ok = GrantCredit::parse(
        Some("mer_1".into()),
        Some(" Ana@Example.CL ".into()),
        Some(Money::new(5_000, Currency::Clp)),
        Some(" goodwill ".into()),
    );
    let ok = ok.ok();
    assert_eq!(ok.as_ref().map(|g| g.customer.as_str()), Some("ana@example.cl"));
    assert_eq!(ok.map(|g| g.reason), Some("goodwill".into()));
}

#[test]
fn a_mistyped_code_is_refused_before_any_lookup() {
    let code = GiftCardCode::from_random([3; 15]);
    let mut typo = code.as_str().to_owned();
    typo.replace_range(0..1, if typo.starts_with('A') { "B" } else { "A" });
    assert_eq!(
        GiftCardLookup::parse(Some("mer_1".into()), Some(typo)).map_err(fields).err(),
        Some(vec!["code".into()])
    );
    let found = GiftCardLookup::parse(Some("mer_1".into()), Some(code.grouped().to_lowercase()));
    assert_eq!(found.ok().map(|l| l.code), Some(code));
    assert_eq!(
        IssueGiftCard::parse(None, None).map_err(fields).err(),
        Some(vec!["merchant_id".into(), "amount".into()])
    );
}
