//! Coupons: codes that unlock a promotion with `requires_coupon`, with overall and
//! per-customer limits.
//!
//! A code is unique across the platform; a taken one is the store's
//! `Duplicate(UniqueKey::CouponCode)`, which reaches the caller as `AlreadyExists` on `code`
//! through the one conversion of store errors. A coupon is seen by whoever sees its promotion.

use omnicanal_domain::pricing::promotion::normalize_code;
use omnicanal_store::{CouponRow, Page};

use super::price_lists::{PRICE_MANAGERS, PRICE_READERS};
use super::promotions::{PromotionRecord, promotion_visible};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Shortest and longest code.
pub const CODE_CHARS: std::ops::RangeInclusive<usize> = 3..=32;
/// The range a usage limit must be in.
pub const USAGE_LIMITS: std::ops::RangeInclusive<i64> = 1..=100_000_000;

/// A new coupon, parsed: a code of 3 to 32 letters, digits, `-` or `_` (upper case), and
/// limits between 1 and 100,000,000 uses when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCoupon {
    /// The code, upper case.
    pub code: String,
    /// Uses allowed in all (none: unlimited).
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer (none: unlimited).
    pub per_customer_limit: Option<i64>,
}

impl NewCoupon {
    /// Parses a new coupon, reporting every bad field at once.
    pub fn parse(code: &str, usage_limit: Option<i64>, per_customer_limit: Option<i64>) -> AppResult<Self> {
        let mut v = Validator::new();
        let code = normalize_code(code);
        let well_formed =
            CODE_CHARS.contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !well_formed {
            v.push("code", "must be 3 to 32 letters, digits, '-' or '_'");
        }
        for (field, limit) in [("usage_limit", usage_limit), ("per_customer_limit", per_customer_limit)] {
            if limit.is_some_and(|limit| !USAGE_LIMITS.contains(&limit)) {
                v.push(field, "must be between 1 and 100000000");
            }
        }
        v.done(|| Some(Self { code, usage_limit, per_customer_limit }))
    }
}

impl App {
    /// Adds a coupon code to a promotion that requires one (admins, or its merchant's managers).
    /// A taken code is `AlreadyExists` on `code`.
    pub async fn create_coupon(&self, caller: &Caller, promotion_id: &str, coupon: NewCoupon) -> AppResult<CouponRow> {
        caller.require(&PRICE_MANAGERS)?;
        let promotion = PromotionRecord::read(self.visible_promotion(caller, promotion_id).await?)?;
        Self::check_funder(caller, &promotion.definition)?;
        if !promotion.definition.requires_coupon {
            return Err(AppError::invalid(
                "code",
                "this promotion applies without a coupon; set requires_coupon on it first",
            ));
        }
        let row = CouponRow {
            id: new_id("cpn"),
            promotion_id: promotion.row.id,
            code: coupon.code,
            usage_limit: coupon.usage_limit,
            per_customer_limit: coupon.per_customer_limit,
            used: 0,
            active: true,
            created_at_ms: self.now_ms(),
        };
        self.store.insert_coupon(&row).await?;
        let change = Change::created(AuditEntity::Coupon, &row.id, promotion.row.merchant_id.as_deref(), &row);
        self.record_change(caller, change).await;
        Ok(row)
    }

    /// A promotion's coupons, oldest first.
    pub async fn list_coupons(&self, caller: &Caller, promotion_id: &str, page: Page) -> AppResult<Vec<CouponRow>> {
        caller.require(&PRICE_READERS)?;
        let promotion = self.visible_promotion(caller, promotion_id).await?;
        Ok(self.store.list_coupons(&promotion.id, page).await?)
    }

    /// One coupon the caller may see: whoever sees its promotion (`NotFound` otherwise).
    pub async fn coupon(&self, caller: &Caller, coupon_id: &str) -> AppResult<CouponRow> {
        caller.require(&PRICE_READERS)?;
        let coupon = self.store.get_coupon(coupon_id).await?.ok_or(AppError::NotFound("coupon"))?;
        let promotion = self.store.get_promotion(&coupon.promotion_id).await?;
        if !promotion.is_some_and(|promotion| promotion_visible(caller, &promotion)) {
            return Err(AppError::NotFound("coupon"));
        }
        Ok(coupon)
    }

    /// Switches a coupon on or off; a coupon of a promotion the caller may not see is `NotFound`.
    pub async fn set_coupon_active(&self, caller: &Caller, coupon_id: &str, active: bool) -> AppResult<CouponRow> {
        caller.require(&PRICE_MANAGERS)?;
        let coupon = self.store.get_coupon(coupon_id).await?.ok_or(AppError::NotFound("coupon"))?;
        let promotion = self.store.get_promotion(&coupon.promotion_id).await?;
        let merchant_id = promotion.as_ref().and_then(|promotion| promotion.merchant_id.clone());
        let Some(promotion) = promotion.filter(|promotion| promotion_visible(caller, promotion)) else {
            return Err(AppError::NotFound("coupon"));
        };
        Self::check_funder(caller, &PromotionRecord::read(promotion)?.definition)?;
        self.store.set_coupon_active(coupon_id, active).await?;
        let after = CouponRow { active, ..coupon.clone() };
        let action = if active { AuditAction::Activated } else { AuditAction::Deactivated };
        let change = Change::new(AuditEntity::Coupon, &coupon.id, action, merchant_id.as_deref());
        self.record_change(caller, change.before(&coupon).after(&after)).await;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::test_store::{caller, merchant, ten_percent_off, test_app};
    use omnicanal_domain::access::Role;
    use omnicanal_domain::events::{DomainEvent, PriceChanged};

    #[tokio::test]
    async fn a_taken_code_is_already_exists_on_code_and_others_see_no_coupon() -> AppResult<()> {
        let test = test_app().await;
        let app = &test.app;
        let (mine, theirs) = (merchant(app, "Heladería").await, merchant(app, "Cafetería").await);
        let manager = caller(Role::MerchantManager, Some(&mine));
        let plain = app.create_promotion(&manager, ten_percent_off(&mine, false)).await?;
        let refused = app.create_coupon(&manager, &plain.row.id, NewCoupon::parse("SINCUPON", None, None)?).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "a promotion without coupons takes none");

        let promotion = app.create_promotion(&manager, ten_percent_off(&mine, true)).await?;
        let coupon =
            app.create_coupon(&manager, &promotion.row.id, NewCoupon::parse("helado10", Some(5), None)?).await?;
        assert_eq!((coupon.code.as_str(), coupon.used, coupon.active), ("HELADO10", 0, true));
        let again = app.create_coupon(&manager, &promotion.row.id, NewCoupon::parse("HELADO10", None, None)?).await;
        assert!(matches!(again, Err(AppError::AlreadyExists { field: "code", .. })), "{again:?}");

        let stranger = caller(Role::MerchantManager, Some(&theirs));
        let hidden = app.set_coupon_active(&stranger, &coupon.id, false).await;
        assert!(matches!(hidden, Err(AppError::NotFound("coupon"))), "{hidden:?}");
        assert!(!app.set_coupon_active(&manager, &coupon.id, false).await?.active);

        let events = app.store.outbox_after(0, 10).await?;
        assert_eq!(events.len(), 2, "one price.changed per promotion");
        let announced = events[1].event()?;
        assert!(matches!(announced, DomainEvent::PriceChanged(PriceChanged::Promotion(ref changed))
            if changed.promotion_id == promotion.row.id && changed.merchant_id.as_deref() == Some(mine.as_str())));
        Ok(())
    }

    #[test]
    fn codes_are_upper_cased_and_limits_bounded() {
        let coupon = NewCoupon::parse(" helado10 ", Some(5), None);
        assert_eq!(coupon.ok().map(|coupon| coupon.code), Some("HELADO10".to_owned()));
        let Err(AppError::Invalid(errors)) = NewCoupon::parse("no spaces", Some(0), Some(100_000_001)) else {
            panic!("must be refused");
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["code", "usage_limit", "per_customer_limit"]);
        assert!(NewCoupon::parse("AB", None, None).is_err(), "too short");
    }
}
