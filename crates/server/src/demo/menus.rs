//! The demo's content: a food court in Santiago (CLP) with five restaurants and one in Lima
//! (PEN) with three, their real-looking menus and opening stock, and Santiago's promotions.

use omnicanal_app::setup::demo::DemoCoupon;
use omnicanal_domain::modifiers::{ModifierGroup, ModifierOption};
use omnicanal_domain::pricing::promotion::{BundleComponent, HappyHour};
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind};
use omnicanal_domain::{Currency, Money};

use omnicanal_app::ids::new_id;

/// Every demo location's week: late every day, later on Friday and Saturday.
pub(super) const OPENING_HOURS_JSON: &str = r#"{"1":[["10:00","23:00"]],"2":[["10:00","23:00"]],"3":[["10:00","23:00"]],"4":[["10:00","23:00"]],"5":[["10:00","23:59"]],"6":[["10:00","23:59"]],"7":[["11:00","22:00"]]}"#;

/// (name, sku, price in minor units, stock; `None` = made to order, not counted).
pub(super) type Dish = (&'static str, &'static str, i64, Option<i64>);

pub(super) struct DemoRestaurant {
    pub(super) name: &'static str,
    pub(super) slug: &'static str,
    pub(super) commission_bps: i64,
    pub(super) tax_id: &'static str,
    pub(super) prep_minutes: i64,
    pub(super) counter: &'static str,
    pub(super) pay_at_pickup: bool,
    pub(super) dishes: &'static [Dish],
}

pub(super) const SANTIAGO: [DemoRestaurant; 5] = [
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

pub(super) const LIMA: [DemoRestaurant; 3] = [
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

/// Choices for the demo's pizzas (a size, up to two extras) and hot dogs (no onion, extra avocado);
/// none for the other dishes.
pub(super) fn demo_modifiers(sku: &str, currency: Currency) -> Vec<ModifierGroup> {
    let option = |name: &str, amount: i64| ModifierOption { name: name.into(), price: Money::new(amount, currency) };
    match sku {
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
        _ => Vec::new(),
    }
}

/// The menu category of a demo dish, from words in its SKU's family.
pub(super) fn category_of(sku: &str) -> &'static str {
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

/// A demo promotion: active, on every channel and at any time until told otherwise.
pub(super) fn demo_promotion(
    name: &str,
    merchant_id: Option<String>,
    funded_by: Funder,
    kind: PromotionKind,
) -> Promotion {
    Promotion {
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
    }
}

/// Santiago's promotions, one of each common kind: the mall's weekday happy hour (funded by the
/// operator), a combo, a 2×1, and a welcome coupon.
pub(super) fn santiago_promotions(merchants: &[(&str, String)]) -> Vec<(Promotion, Option<DemoCoupon>)> {
    let merchant = |slug: &str| merchants.iter().find(|(s, _)| *s == slug).map(|(_, id)| id.clone());
    let clp = |amount| Money::new(amount, Currency::Clp);
    let base = demo_promotion;
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
    let coupon = DemoCoupon { code: "BIENVENIDA".into(), usage_limit: Some(1_000), per_customer_limit: Some(1) };
    vec![(happy_hour, None), (combo, None), (two_for_one, None), (welcome, Some(coupon))]
}
