//! The demo data set: a food court in Santiago (CLP) with five restaurants and one in
//! Lima (PEN) with three, real-looking menus and stock, and a login for every role.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::events::{ChangeAction, DomainEvent, PriceChanged, PromotionChanged};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::modifiers::{ModifierGroup, ModifierOption};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::pricing::promotion::{BundleComponent, HappyHour};
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind};
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    CouponRow, LocationRow, MerchantRow, NewEvent, ProductRow, PromotionRow, SiteRow, StockMovementRow, Store,
    StoreError, StorefrontSettings, UserRow, VariantRow,
};

use crate::ids::{new_id, now_ms};
use omnicanal_app::access::passwords::hash_password;

/// Password of every demo login (printed by `serve --demo`; never use outside a demo).
pub const DEMO_PASSWORD: &str = "omnicanal-demo";

/// (name, sku, price in minor units, stock; `None` = made to order, not counted).
type Dish = (&'static str, &'static str, i64, Option<i64>);

struct DemoRestaurant {
    name: &'static str,
    slug: &'static str,
    commission_bps: i64,
    tax_id: &'static str,
    prep_minutes: i64,
    counter: &'static str,
    pay_at_pickup: bool,
    dishes: &'static [Dish],
}

const SANTIAGO: [DemoRestaurant; 5] = [
    DemoRestaurant {
        name: "Pizzería Napoli",
        slug: "napoli",
        commission_bps: 1200,
        tax_id: "76.123.456-7",
        prep_minutes: 15,
        counter: "Local 101, patio de comidas",
        pay_at_pickup: true,
        dishes: &[
            ("Pizza Margherita", "NAP-MARG", 8990, Some(40)),
            ("Pizza Pepperoni", "NAP-PEPP", 9990, Some(35)),
            ("Pizza Cuatro Quesos", "NAP-4QUE", 10990, Some(20)),
            ("Tiramisú", "NAP-TIRA", 3990, Some(15)),
            ("Bebida 500 ml", "NAP-BEB", 1800, Some(120)),
        ],
    },
    DemoRestaurant {
        name: "Sushi Nikkei Barrio",
        slug: "nikkei",
        commission_bps: 1500,
        tax_id: "77.234.567-8",
        prep_minutes: 20,
        counter: "Local 102, patio de comidas",
        pay_at_pickup: false,
        dishes: &[
            ("Acevichado roll (10 piezas)", "NIK-ACEV", 7990, Some(30)),
            ("Gohan de salmón", "NIK-GOHA", 8490, Some(25)),
            ("Gyozas (6)", "NIK-GYOZ", 4590, Some(40)),
            ("Té verde frío", "NIK-TE", 2200, None),
        ],
    },
    DemoRestaurant {
        name: "La Fuente Chilena",
        slug: "fuente",
        commission_bps: 1000,
        tax_id: "76.345.678-9",
        prep_minutes: 10,
        counter: "Local 103, patio de comidas",
        pay_at_pickup: true,
        dishes: &[
            ("Completo italiano", "FUE-COMP", 3490, Some(80)),
            ("Chacarero", "FUE-CHAC", 6990, Some(40)),
            ("Barros Luco", "FUE-BARR", 6490, Some(40)),
            ("Papas fritas", "FUE-PAPA", 2990, None),
            ("Jugo natural", "FUE-JUGO", 2500, None),
        ],
    },
    DemoRestaurant {
        name: "Taquería El Güero",
        slug: "guero",
        commission_bps: 1300,
        tax_id: "77.456.789-0",
        prep_minutes: 15,
        counter: "Local 104, patio de comidas",
        pay_at_pickup: false,
        dishes: &[
            ("Tacos al pastor (3)", "GUE-PAST", 5990, Some(50)),
            ("Burrito de carnitas", "GUE-BURR", 6990, Some(30)),
            ("Nachos con guacamole", "GUE-NACH", 4990, Some(25)),
            ("Agua de horchata", "GUE-HORC", 2290, None),
        ],
    },
    DemoRestaurant {
        name: "Café Altura",
        slug: "altura",
        commission_bps: 900,
        tax_id: "76.567.890-1",
        prep_minutes: 20,
        counter: "Local 105, patio de comidas",
        pay_at_pickup: true,
        dishes: &[
            ("Café latte", "ALT-LATT", 2990, None),
            ("Cappuccino", "ALT-CAPP", 2890, None),
            ("Kuchen de nuez", "ALT-KUCH", 3290, Some(12)),
            ("Medialuna", "ALT-MEDI", 1490, Some(30)),
        ],
    },
];

const LIMA: [DemoRestaurant; 3] = [
    DemoRestaurant {
        name: "Cevichería Punta Sal",
        slug: "puntasal",
        commission_bps: 1200,
        tax_id: "20512345671",
        prep_minutes: 10,
        counter: "Local 106, patio de comidas",
        pay_at_pickup: true,
        dishes: &[
            ("Ceviche clásico", "PSA-CEVI", 3800, Some(30)),
            ("Leche de tigre", "PSA-LECH", 2200, Some(30)),
            ("Chicha morada", "PSA-CHIC", 900, None),
        ],
    },
    DemoRestaurant {
        name: "Pollería La Granja",
        slug: "granja",
        commission_bps: 1100,
        tax_id: "20523456782",
        prep_minutes: 15,
        counter: "Local 107, patio de comidas",
        pay_at_pickup: false,
        dishes: &[
            ("1/4 de pollo a la brasa", "GRA-CUAR", 2590, Some(60)),
            ("Pollo entero a la brasa", "GRA-ENTE", 7490, Some(20)),
            ("Inca Kola 500 ml", "GRA-INCA", 450, Some(100)),
        ],
    },
    DemoRestaurant {
        name: "Chifa Dragón Dorado",
        slug: "chifa",
        commission_bps: 1200,
        tax_id: "20534567893",
        prep_minutes: 20,
        counter: "Local 108, patio de comidas",
        pay_at_pickup: true,
        dishes: &[
            ("Arroz chaufa", "CHI-CHAU", 2490, Some(40)),
            ("Tallarín saltado", "CHI-TALL", 2690, Some(40)),
            ("Wantán frito", "CHI-WANT", 1590, Some(25)),
        ],
    },
];

/// Choices for the demo's pizzas (a size, up to two extras) and hot dogs (no onion, extra avocado).
fn demo_modifiers(sku: &str, currency: Currency) -> Option<String> {
    let option = |name: &str, amount: i64| ModifierOption { name: name.into(), price: Money::new(amount, currency) };
    let groups = match sku {
        "NAP-MARG" | "NAP-PEPP" | "NAP-4QUE" => vec![
            ModifierGroup {
                name: "Tamaño".into(),
                min: 1,
                max: 1,
                options: vec![option("Mediana", 0), option("Familiar", 3_000)],
            },
            ModifierGroup {
                name: "Agregados".into(),
                min: 0,
                max: 2,
                options: vec![option("Extra queso", 990), option("Aceitunas", 590), option("Sin cebolla", 0)],
            },
        ],
        "FUE-COMP" => vec![ModifierGroup {
            name: "Preferencias".into(),
            min: 0,
            max: 2,
            options: vec![option("Sin cebolla", 0), option("Palta extra", 800)],
        }],
        _ => return None,
    };
    serde_json::to_string(&groups).ok()
}

/// The menu category of a demo dish, from words in its SKU's family.
fn category_of(sku: &str) -> &'static str {
    const DRINKS: [&str; 8] = ["BEB", "TE", "JUGO", "HORC", "LATT", "CAPP", "INCA", "CHIC"];
    const DESSERTS: [&str; 3] = ["TIRA", "KUCH", "MEDI"];
    let family = sku.split('-').nth(1).unwrap_or("");
    if DRINKS.contains(&family) {
        "Bebidas"
    } else if DESSERTS.contains(&family) {
        "Postres"
    } else {
        "Platos"
    }
}

/// What the demo loaded, for the start-up message.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// (e-mail, role, place) of each login; all use [`DEMO_PASSWORD`].
    pub logins: Vec<(String, String, String)>,
    /// (name, id) of each site.
    pub sites: Vec<(String, String)>,
}

/// Loads the demo when the database has no sites yet.
pub async fn load_if_empty(store: &dyn Store) -> Result<DemoSummary, StoreError> {
    let first_sites = omnicanal_store::Page { limit: 10, offset: 0 };
    let existing = store.list_sites(first_sites).await?;
    if !existing.is_empty() {
        tracing::info!("the database already has sites; the demo data set was not loaded again");
        let sites = existing.into_iter().map(|site| (site.name, site.id)).collect();
        return Ok(DemoSummary { logins: Vec::new(), sites });
    }
    let mut sites = Vec::new();
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let mut logins = Vec::new();
    insert_user(store, &hash, "admin@demo.omnicanal.dev", Role::Admin, None, None).await?;
    logins.push(("admin@demo.omnicanal.dev".into(), "admin".into(), "all malls".into()));
    let malls = [
        ("Costanera Food Hall", Country::Chile, "America/Santiago", &SANTIAGO[..]),
        ("Jockey Plaza Patio de Comidas", Country::Peru, "America/Lima", &LIMA[..]),
    ];
    for (mall, country, timezone, restaurants) in malls {
        let site = SiteRow {
            id: new_id("site"),
            name: mall.into(),
            country,
            currency: country.currency(),
            timezone: timezone.into(),
            accept_within_minutes: Some(10),
            unaccepted_policy: UnacceptedPolicy::default(),
            created_at_ms: now_ms(),
        };
        store.insert_site(&site).await?;
        sites.push((site.name.clone(), site.id.clone()));
        let mut merchants = Vec::new();
        for restaurant in restaurants {
            let merchant_id = load_restaurant(store, &site, restaurant, &hash, &mut logins).await?;
            merchants.push((restaurant.slug, merchant_id));
        }
        if country == Country::Chile {
            load_promotions(store, &site, &merchants).await?;
        }
    }
    tracing::info!(logins = logins.len(), "demo data set loaded");
    Ok(DemoSummary { logins, sites })
}

async fn load_restaurant(
    store: &dyn Store,
    site: &SiteRow,
    restaurant: &DemoRestaurant,
    hash: &str,
    logins: &mut Vec<(String, String, String)>,
) -> Result<String, StoreError> {
    let now = now_ms();
    let merchant = MerchantRow {
        id: new_id("mer"),
        name: restaurant.name.into(),
        kind: MerchantKind::Restaurant,
        commission_bps: restaurant.commission_bps,
        tax_id: Some(restaurant.tax_id.into()),
        created_at_ms: now,
    };
    store.insert_merchant(&merchant).await?;
    let location = LocationRow {
        id: new_id("loc"),
        merchant_id: merchant.id.clone(),
        site_id: site.id.clone(),
        name: restaurant.name.into(),
        pay_at_pickup: restaurant.pay_at_pickup,
        is_open: true,
        storefront: StorefrontSettings {
            prep_minutes: restaurant.prep_minutes,
            counter: Some(restaurant.counter.into()),
            opening_hours_json: Some(r#"{"1":[["10:00","23:00"]],"2":[["10:00","23:00"]],"3":[["10:00","23:00"]],"4":[["10:00","23:00"]],"5":[["10:00","23:59"]],"6":[["10:00","23:59"]],"7":[["11:00","22:00"]]}"#.into()),
            ..StorefrontSettings::default()
        },
        created_at_ms: now,
    };
    store.insert_location(&location).await?;
    for (dish, sku, price, stock) in restaurant.dishes {
        let product = ProductRow {
            id: new_id("prd"),
            merchant_id: merchant.id.clone(),
            name: (*dish).into(),
            track_stock: stock.is_some(),
            tax_category: TaxCategory::Standard,
            category: Some(category_of(sku).into()),
            image_url: None,
            modifiers_json: demo_modifiers(sku, site.currency),
            created_at_ms: now,
        };
        let variant = VariantRow {
            id: new_id("var"),
            product_id: product.id.clone(),
            merchant_id: merchant.id.clone(),
            sku: (*sku).into(),
            price_minor: *price,
            currency: site.currency,
            barcode: None,
            attributes_json: "{}".into(),
        };
        store.insert_product(&product, &[variant]).await?;
        if let Some(units) = stock {
            store
                .apply_stock_movement(&StockMovementRow {
                    reference: None,
                    channel: None,
                    id: new_id("mov"),
                    sku: (*sku).into(),
                    location_id: location.id.clone(),
                    merchant_id: merchant.id.clone(),
                    delta: *units,
                    reason: MovementReason::Receipt,
                    created_by: None,
                    created_at_ms: now,
                    event_id: new_id("evt"),
                })
                .await?;
        }
    }
    let domain = if site.country == Country::Peru { "demo.omnicanal.pe" } else { "demo.omnicanal.cl" };
    let manager = format!("gerente.{}@{domain}", restaurant.slug);
    let staff = format!("cocina.{}@{domain}", restaurant.slug);
    insert_user(store, hash, &manager, Role::MerchantManager, Some(&merchant.id), None).await?;
    insert_user(store, hash, &staff, Role::Staff, Some(&merchant.id), Some(&location.id)).await?;
    logins.push((manager, "merchant_manager".into(), format!("{} ({})", restaurant.name, site.name)));
    logins.push((staff, "staff".into(), format!("{} ({})", restaurant.name, site.name)));
    Ok(merchant.id)
}

/// Santiago's promotions, one of each common kind: the mall's weekday happy hour (funded by the
/// operator), a combo, a 2×1, and a welcome coupon.
async fn load_promotions(store: &dyn Store, site: &SiteRow, merchants: &[(&str, String)]) -> Result<(), StoreError> {
    let merchant = |slug: &str| merchants.iter().find(|(s, _)| *s == slug).map(|(_, id)| id.clone());
    let clp = |amount| Money::new(amount, Currency::Clp);
    let base = |name: &str, merchant_id: Option<String>, funded_by: Funder, kind: PromotionKind| Promotion {
        id: new_id("pro"),
        name: name.into(),
        merchant_id,
        funded_by,
        kind,
        channels: Vec::new(),
        location_ids: Vec::new(),
        valid_from_ms: None,
        valid_to_ms: None,
        happy_hour: None,
        min_spend: None,
        requires_coupon: false,
        priority: 0,
        exclusive: false,
        active: true,
    };
    let mut happy_hour =
        base("Happy hour del patio -10%", None, Funder::Operator, PromotionKind::PercentOffOrder { bps: 1_000 });
    happy_hour.happy_hour =
        Some(HappyHour { weekdays: vec![1, 2, 3, 4, 5], start_minute: 15 * 60, end_minute: 18 * 60 });
    let combo = base(
        "Combo chacarero + papas + jugo $10.990",
        merchant("fuente"),
        Funder::Merchant,
        PromotionKind::Bundle {
            components: ["FUE-CHAC", "FUE-PAPA", "FUE-JUGO"]
                .into_iter()
                .map(|sku| BundleComponent { sku: sku.into(), quantity: 1 })
                .collect(),
            price: clp(10_990),
        },
    );
    let two_for_one = base(
        "2x1 en tacos al pastor",
        merchant("guero"),
        Funder::Merchant,
        PromotionKind::BuyXGetY { skus: vec!["GUE-PAST".into()], buy: 1, get: 1, get_off_bps: 10_000 },
    );
    let mut welcome = base(
        "Bienvenida Napoli -15%",
        merchant("napoli"),
        Funder::Merchant,
        PromotionKind::PercentOffLines { bps: 1_500, skus: Vec::new() },
    );
    welcome.requires_coupon = true;
    let now = now_ms();
    for promotion in [happy_hour, combo, two_for_one, welcome] {
        let row = PromotionRow {
            id: promotion.id.clone(),
            merchant_id: promotion.merchant_id.clone(),
            site_id: promotion.merchant_id.is_none().then(|| site.id.clone()),
            name: promotion.name.clone(),
            active: true,
            definition_json: serde_json::to_string(&promotion).map_err(|e| StoreError::Unavailable(e.to_string()))?,
            created_at_ms: now,
            updated_at_ms: now,
        };
        let event = NewEvent {
            event_id: new_id("evt"),
            created_at_ms: now,
            event: DomainEvent::PriceChanged(PriceChanged::Promotion(PromotionChanged {
                action: ChangeAction::Created,
                promotion_id: row.id.clone(),
                merchant_id: row.merchant_id.clone(),
                site_id: row.site_id.clone(),
                name: row.name.clone(),
                active: row.active,
            })),
        };
        store.insert_promotion(&row, &event).await?;
        if promotion.requires_coupon {
            store
                .insert_coupon(&CouponRow {
                    id: new_id("cpn"),
                    promotion_id: row.id.clone(),
                    code: "BIENVENIDA".into(),
                    usage_limit: Some(1_000),
                    per_customer_limit: Some(1),
                    used: 0,
                    active: true,
                    created_at_ms: now,
                })
                .await?;
        }
    }
    Ok(())
}

async fn insert_user(
    store: &dyn Store,
    hash: &str,
    email: &str,
    role: Role,
    merchant_id: Option<&str>,
    location_id: Option<&str>,
) -> Result<(), StoreError> {
    store
        .insert_user(&UserRow {
            id: new_id("usr"),
            email: email.into(),
            password_hash: hash.into(),
            role,
            merchant_id: merchant_id.map(Into::into),
            location_id: location_id.map(Into::into),
            created_at_ms: now_ms(),
        })
        .await
}
