//! Seeding the demo data set: what the setup use cases cannot say on their own.
//!
//! Sites, merchants, locations and their storefronts are loaded through the ordinary use cases
//! (the server's `demo` module drives them as a platform caller). Four things are written here
//! instead, and only for the demo: its logins, which share one password hashed once (argon2 is
//! slow by design, and a debug build would take seconds per login); its dishes, whose opening
//! stock was received by nobody (the ledger's `created_by` is empty, as for goods the platform
//! loaded); and its promotions and coupon, which belong to the pricing area. No method here
//! checks a caller: none may be reached from a request.

use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_domain::dish::{Allergen, Description, normalize_allergens};
use omnicanal_domain::events::{ChangeAction, DomainEvent, PriceChanged, PromotionChanged};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::modifiers::ModifierGroup;
use omnicanal_domain::pricing::{Promotion, TaxCategory};
use omnicanal_store::{CouponRow, LocationRow, NewEvent, ProductRow, PromotionRow, UserRow, VariantRow};

use crate::App;
use crate::access::passwords::hash_password;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::stock::{MovementNote, movement_row};

/// A login of the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Its merchant (managers and staff).
    pub merchant_id: Option<String>,
    /// Its location (staff).
    pub location_id: Option<String>,
}

/// A dish of a demo menu: one product with one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDish {
    /// Product name.
    pub name: String,
    /// Its one SKU.
    pub sku: String,
    /// Price in minor units of the site's currency.
    pub price_minor: i64,
    /// Units received at the location; `None`: made to order, stock not tracked.
    pub opening_stock: Option<i64>,
    /// Menu category.
    pub category: String,
    /// Choices offered with it (none: no modifiers).
    pub modifiers: Vec<ModifierGroup>,
    /// What the menu says of it.
    pub description: Option<Description>,
    /// The allergens it contains.
    pub allergens: Vec<Allergen>,
}

/// A coupon of a demo promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCoupon {
    /// The code customers type.
    pub code: String,
    /// Uses in all.
    pub usage_limit: Option<i64>,
    /// Uses per customer.
    pub per_customer_limit: Option<i64>,
}

impl App {
    /// Writes the demo's logins, every one with `password` (hashed once).
    pub async fn seed_demo_logins(&self, password: &str, manager_pin: &str, logins: Vec<DemoLogin>) -> AppResult<()> {
        let password_hash = hash_password(password)?;
        let pin = omnicanal_domain::pos::Pin::parse(manager_pin)?;
        let pin_hash = hash_password(pin.as_str())?;
        for login in logins {
            let manager = login.role == Role::MerchantManager;
            let row = UserRow {
                id: new_id("usr"),
                email: login.email,
                password_hash: password_hash.clone(),
                role: login.role,
                merchant_id: login.merchant_id,
                location_id: login.location_id,
                created_at_ms: self.now_ms(),
            };
            self.store.insert_user(&row).await?;
            // Every demo manager approves at a till with the same PIN, so the PIN screen can
            // be tried at once.
            if manager {
                self.store.set_user_pin(&row.id, &pin_hash).await?;
            }
        }
        Ok(())
    }

    /// Writes a demo dish of `location`'s merchant, priced in `currency`, and receives its
    /// opening stock there.
    pub async fn seed_demo_dish(&self, location: &LocationRow, currency: Currency, dish: DemoDish) -> AppResult<()> {
        let now_ms = self.now_ms();
        let modifiers_json = if dish.modifiers.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&dish.modifiers).map_err(|error| AppError::internal(error.to_string()))?)
        };
        let product = ProductRow {
            id: new_id("prd"),
            merchant_id: location.merchant_id.clone(),
            name: dish.name,
            track_stock: dish.opening_stock.is_some(),
            tax_category: TaxCategory::Standard,
            category: Some(dish.category),
            image_url: None,
            modifiers_json,
            description: dish.description.map(Description::into_inner),
            allergens: normalize_allergens(dish.allergens),
            created_at_ms: now_ms,
        };
        let variant = VariantRow {
            id: new_id("var"),
            product_id: product.id.clone(),
            merchant_id: location.merchant_id.clone(),
            sku: dish.sku,
            price_minor: dish.price_minor,
            currency,
            barcode: None,
            attributes_json: "{}".into(),
        };
        self.store.insert_product(&product, std::slice::from_ref(&variant)).await?;
        if let Some(units) = dish.opening_stock {
            let note =
                MovementNote { reason: MovementReason::Receipt, reference: None, created_by: None, at_ms: now_ms };
            self.store.apply_stock_movement(&movement_row(location, &variant.sku, units, note)).await?;
            self.committed();
        }
        Ok(())
    }

    /// Writes a demo promotion (site-wide when it has no merchant) with its `promotion.changed`
    /// event, and its coupon if it needs one.
    pub async fn seed_demo_promotion(
        &self,
        site_id: &str,
        promotion: &Promotion,
        coupon: Option<DemoCoupon>,
    ) -> AppResult<()> {
        let now_ms = self.now_ms();
        let row = PromotionRow {
            id: promotion.id.clone(),
            merchant_id: promotion.merchant_id.clone(),
            site_id: promotion.merchant_id.is_none().then(|| site_id.to_owned()),
            name: promotion.name.clone(),
            active: promotion.active,
            definition_json: serde_json::to_string(promotion).map_err(|error| AppError::internal(error.to_string()))?,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        let event = NewEvent {
            event_id: new_id("evt"),
            created_at_ms: now_ms,
            event: DomainEvent::PriceChanged(PriceChanged::Promotion(PromotionChanged {
                action: ChangeAction::Created,
                promotion_id: row.id.clone(),
                merchant_id: row.merchant_id.clone(),
                site_id: row.site_id.clone(),
                name: row.name.clone(),
                active: row.active,
            })),
        };
        self.store.insert_promotion(&row, &event).await?;
        if let Some(coupon) = coupon {
            let coupon = CouponRow {
                id: new_id("cpn"),
                promotion_id: row.id.clone(),
                code: coupon.code,
                usage_limit: coupon.usage_limit,
                per_customer_limit: coupon.per_customer_limit,
                used: 0,
                active: true,
                created_at_ms: now_ms,
            };
            self.store.insert_coupon(&coupon).await?;
        }
        self.committed();
        Ok(())
    }
}
