//! A merchant's web shop address (issue 17 point 2): chosen by its manager (or an admin),
//! unique across merchants. A merchant that never chose one is found by the slug of its name,
//! and those old addresses keep working after a choice, since the shop is looked up by id,
//! chosen slug, then name. A slug another merchant uses — chosen, or the one its name gives —
//! is `AlreadyExists` at `slug` (409).

use omnicanal_domain::access::Role;
use omnicanal_domain::retail::ShopSlug;
use omnicanal_store::{ShopSlugOutcome, ShopSlugRow};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;
use crate::webshop::shop::shop_slug;

/// A shop slug as the use case takes it.
pub fn parse_shop_slug(raw: &str) -> AppResult<ShopSlug> {
    let mut v = Validator::new();
    let slug = v.check("slug", ShopSlug::parse(raw));
    v.done(|| slug)
}

fn taken() -> AppError {
    AppError::AlreadyExists { field: "slug", message: "another shop already has this address".into() }
}

impl App {
    /// A merchant's shop address: the one it chose, else the slug of its name (anyone who may
    /// see the merchant; 404 across merchants).
    pub async fn shop_slug(&self, caller: &Caller, merchant_id: &str) -> AppResult<(String, bool)> {
        caller.check_merchant(merchant_id, "merchant")?;
        let merchant = self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        Ok(match self.store.shop_slug_of(merchant_id).await? {
            Some(slug) => (slug, true),
            None => (shop_slug(&merchant.name), false),
        })
    }

    /// Sets a merchant's shop address (its manager or an admin).
    pub async fn set_shop_slug(&self, caller: &Caller, merchant_id: &str, slug: ShopSlug) -> AppResult<String> {
        caller.check_merchant(merchant_id, "merchant")?;
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let merchant = self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        // Another merchant's old address (the slug of its name) stays its own, chosen slug or not.
        if let Some(other) = self.webshop_merchant_by_slug(slug.as_str()).await?
            && other.id != merchant.id
        {
            return Err(taken());
        }
        let before = self.store.shop_slug_of(merchant_id).await?;
        let row = ShopSlugRow { merchant_id: merchant.id.clone(), slug: slug.as_str().to_owned() };
        if self.store.set_shop_slug(&row).await? == ShopSlugOutcome::Taken {
            return Err(taken());
        }
        let entry = Change::new(AuditEntity::Merchant, &merchant.id, AuditAction::Updated, Some(&merchant.id)).values(
            before.map(|slug| serde_json::json!({ "shop_slug": slug })),
            Some(serde_json::json!({ "shop_slug": row.slug })),
        );
        self.record_change(caller, entry).await;
        Ok(row.slug)
    }
}
