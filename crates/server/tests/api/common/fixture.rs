//! A food-court fixture created through the API as admin: one Santiago site, three restaurants
//! with one location, one staff user and one manager each, products with variants and stock.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::{CARD_OK, TestApp, money};

/// Burger Hub (merchant 0): 1500 bps, card only.
pub const BURGER: &str = "BURGER-CLASSIC";
/// Burger Hub, second variant of the burger.
pub const BURGER_DOUBLE: &str = "BURGER-DOUBLE";
/// Burger Hub fries.
pub const FRIES: &str = "FRIES";
/// Sushi Go (merchant 1): 1000 bps, card only.
pub const SUSHI: &str = "SUSHI-SALMON";
/// Sushi Go green tea: `track_stock: false`, never receives stock.
pub const TEA: &str = "TEA-GREEN";
/// Pizza Nonna (merchant 2): 1200 bps, allows pay at pickup.
pub const PIZZA_M: &str = "PIZZA-MARG-M";
/// Pizza Nonna, large.
pub const PIZZA_L: &str = "PIZZA-MARG-L";

struct ProductSpec {
    name: &'static str,
    track_stock: bool,
    variants: &'static [(&'static str, i64)],
}

struct MerchantSpec {
    name: &'static str,
    slug: &'static str,
    commission_bps: i64,
    pay_at_pickup: bool,
    products: &'static [ProductSpec],
}

const SPECS: [MerchantSpec; 3] = [
    MerchantSpec {
        name: "Burger Hub",
        slug: "burger",
        commission_bps: 1500,
        pay_at_pickup: false,
        products: &[
            ProductSpec {
                name: "Hamburguesa",
                track_stock: true,
                variants: &[(BURGER, 12990), (BURGER_DOUBLE, 15990)],
            },
            ProductSpec { name: "Papas fritas", track_stock: true, variants: &[(FRIES, 3490)] },
        ],
    },
    MerchantSpec {
        name: "Sushi Go",
        slug: "sushi",
        commission_bps: 1000,
        pay_at_pickup: false,
        products: &[
            ProductSpec { name: "Roll de salmón", track_stock: true, variants: &[(SUSHI, 8990)] },
            ProductSpec { name: "Té verde", track_stock: false, variants: &[(TEA, 1990)] },
        ],
    },
    MerchantSpec {
        name: "Pizza Nonna",
        slug: "pizza",
        commission_bps: 1200,
        pay_at_pickup: true,
        products: &[ProductSpec {
            name: "Pizza margarita",
            track_stock: true,
            variants: &[(PIZZA_M, 10990), (PIZZA_L, 14990)],
        }],
    },
];

/// The created data, with ids as the server returned them.
pub struct Fixture {
    /// The Santiago site.
    pub site_id: String,
    /// Merchants in [`SPECS`] order: burger, sushi, pizza.
    pub merchants: Vec<Merchant>,
}

/// One restaurant and everything created for it.
pub struct Merchant {
    /// Merchant id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Commission in basis points.
    pub commission_bps: i64,
    /// Its only location.
    pub location_id: String,
    /// Whether that location accepts pay at pickup.
    pub pay_at_pickup: bool,
    /// Its merchant_manager.
    pub manager: Account,
    /// The staff user of its location.
    pub staff: Account,
    /// Its products.
    pub products: Vec<Product>,
}

/// A user created by the fixture; logs in lazily.
pub struct Account {
    /// User id.
    pub id: String,
    /// Login e-mail.
    pub email: String,
    /// Login password.
    pub password: String,
    token: OnceCell<String>,
}

/// A product and its variants.
pub struct Product {
    /// Product id.
    pub id: String,
    /// Whether stock is tracked.
    pub track_stock: bool,
    /// Its variants.
    pub variants: Vec<Variant>,
}

/// A sellable variant.
#[derive(Clone)]
pub struct Variant {
    /// Unique SKU.
    pub sku: String,
    /// Price in CLP.
    pub price: i64,
}

/// One order line.
#[derive(Clone, Debug)]
pub struct Line {
    /// SKU ordered.
    pub sku: String,
    /// Location that prepares it.
    pub location_id: String,
    /// Units.
    pub quantity: i64,
}

/// How an order is paid.
#[derive(Clone, Debug)]
pub enum Payment {
    /// Card with this number.
    Card(String),
    /// Pay at pickup.
    AtPickup,
}

impl Payment {
    /// The approved sandbox card.
    pub fn card() -> Payment {
        Payment::Card(CARD_OK.into())
    }

    fn to_json(&self) -> Value {
        match self {
            Payment::Card(number) => json!({"method": "card", "card_number": number}),
            Payment::AtPickup => json!({"method": "pay_at_pickup"}),
        }
    }
}

/// Options for [`Fixture::builder`].
pub struct FixtureBuilder {
    merchants: usize,
    stock: i64,
}

impl Fixture {
    /// Three merchants, 20 units of every tracked SKU.
    pub fn builder() -> FixtureBuilder {
        FixtureBuilder { merchants: SPECS.len(), stock: 20 }
    }

    /// The default fixture.
    pub async fn create(app: &TestApp) -> Fixture {
        Fixture::builder().build(app).await
    }

    /// Merchant `i` (0 burger, 1 sushi, 2 pizza).
    pub fn m(&self, i: usize) -> &Merchant {
        &self.merchants[i]
    }

    /// The merchant that sells `sku`.
    pub fn merchant_of(&self, sku: &str) -> &Merchant {
        self.merchants
            .iter()
            .find(|m| m.variant(sku).is_some())
            .unwrap_or_else(|| panic!("no merchant in the fixture sells {sku}"))
    }

    /// A line for `sku` at the location of the merchant that sells it.
    pub fn line(&self, sku: &str, quantity: i64) -> Line {
        self.merchant_of(sku).line(sku, quantity)
    }

    /// The JSON body of `POST /api/v1/orders`.
    pub fn order_body(&self, lines: &[Line], payment: &Payment) -> Value {
        let lines: Vec<Value> =
            lines.iter().map(|l| json!({"sku": l.sku, "location_id": l.location_id, "quantity": l.quantity})).collect();
        json!({
            "site_id": self.site_id,
            "channel": "qr",
            "customer": {"name": "Ana Pérez", "phone": "+56911112222", "email": "ana@example.com"},
            "lines": lines,
            "payment": payment.to_json(),
        })
    }

    /// Sum of price × quantity of `lines`.
    pub fn total_of(&self, lines: &[Line]) -> i64 {
        lines.iter().map(|l| self.merchant_of(&l.sku).price(&l.sku) * l.quantity).sum()
    }
}

impl Merchant {
    /// The variant with this SKU, if this merchant sells it.
    pub fn variant(&self, sku: &str) -> Option<&Variant> {
        self.products.iter().flat_map(|p| &p.variants).find(|v| v.sku == sku)
    }

    /// The price of one of its SKUs.
    pub fn price(&self, sku: &str) -> i64 {
        self.variant(sku).unwrap_or_else(|| panic!("{} does not sell {sku}", self.name)).price
    }

    /// A line for one of its SKUs at its location.
    pub fn line(&self, sku: &str, quantity: i64) -> Line {
        Line { sku: sku.into(), location_id: self.location_id.clone(), quantity }
    }

    /// SKUs whose stock is tracked.
    pub fn tracked_skus(&self) -> Vec<String> {
        self.products.iter().filter(|p| p.track_stock).flat_map(|p| p.variants.iter().map(|v| v.sku.clone())).collect()
    }
}

impl Account {
    /// Bearer token, logging in on first use.
    pub async fn token(&self, app: &TestApp) -> String {
        self.token.get_or_init(|| app.login(&self.email, &self.password)).await.clone()
    }
}

impl FixtureBuilder {
    /// Creates only the first `n` merchants (1 to 3).
    pub fn merchants(mut self, n: usize) -> Self {
        assert!((1..=SPECS.len()).contains(&n), "1 to 3 merchants");
        self.merchants = n;
        self
    }

    /// Units received for every tracked SKU (0 for none).
    pub fn stock(mut self, units: i64) -> Self {
        self.stock = units;
        self
    }

    /// Creates everything through the API as admin; merchants are created concurrently.
    pub async fn build(self, app: &TestApp) -> Fixture {
        let admin = app.admin_token().await;
        let site = app
            .post(
                "/api/v1/sites",
                Some(&admin),
                &json!({
                    "name": "Mall Plaza Santiago",
                    "country": "CL",
                    "currency": "CLP",
                    "timezone": "America/Santiago",
                }),
            )
            .await
            .expect(StatusCode::CREATED, "create site");
        let site_id = id_of(&site, "site");
        let merchants = join_all(
            SPECS[..self.merchants].iter().map(|spec| create_merchant(app, &admin, &site_id, spec, self.stock)),
        )
        .await;
        Fixture { site_id, merchants }
    }
}

async fn create_merchant(app: &TestApp, admin: &str, site_id: &str, spec: &MerchantSpec, stock: i64) -> Merchant {
    let merchant = app
        .post(
            "/api/v1/merchants",
            Some(admin),
            &json!({"name": spec.name, "kind": "restaurant", "commission_bps": spec.commission_bps}),
        )
        .await
        .expect(StatusCode::CREATED, &format!("create merchant {}", spec.name));
    let merchant_id = id_of(&merchant, "merchant");
    let location = app
        .post(
            "/api/v1/locations",
            Some(admin),
            &json!({
                "merchant_id": merchant_id,
                "site_id": site_id,
                "name": format!("{} Patio de comidas", spec.name),
                "pay_at_pickup": spec.pay_at_pickup,
            }),
        )
        .await
        .expect(StatusCode::CREATED, &format!("create location of {}", spec.name));
    let location_id = id_of(&location, "location");

    let manager_email = format!("manager@{}.test", spec.slug);
    let manager = create_user(
        app,
        admin,
        json!({"email": manager_email, "role": "merchant_manager", "merchant_id": merchant_id}),
    );
    let staff_email = format!("staff@{}.test", spec.slug);
    let staff = create_user(
        app,
        admin,
        json!({
            "email": staff_email,
            "role": "staff",
            "merchant_id": merchant_id,
            "location_id": location_id,
        }),
    );
    let (manager, staff) = futures::join!(manager, staff);

    let mut products = Vec::new();
    for p in spec.products {
        let variants: Vec<Value> =
            p.variants.iter().map(|(sku, price)| json!({"sku": sku, "price": money(*price)})).collect();
        let product = app
            .post(
                "/api/v1/products",
                Some(admin),
                &json!({
                    "merchant_id": merchant_id,
                    "name": p.name,
                    "track_stock": p.track_stock,
                    "variants": variants,
                }),
            )
            .await
            .expect(StatusCode::CREATED, &format!("create product {}", p.name));
        products.push(Product {
            id: id_of(&product, "product"),
            track_stock: p.track_stock,
            variants: p.variants.iter().map(|(sku, price)| Variant { sku: (*sku).into(), price: *price }).collect(),
        });
    }

    let m = Merchant {
        id: merchant_id,
        name: spec.name.into(),
        commission_bps: spec.commission_bps,
        location_id,
        pay_at_pickup: spec.pay_at_pickup,
        manager,
        staff,
        products,
    };
    if stock > 0 {
        for sku in m.tracked_skus() {
            app.add_stock(admin, &m.location_id, &sku, stock)
                .await
                .expect(StatusCode::CREATED, &format!("receive stock of {sku}"));
        }
    }
    m
}

async fn create_user(app: &TestApp, admin: &str, mut body: Value) -> Account {
    let password = format!("pw-{}", super::random_hex());
    body["password"] = json!(password);
    let user = app
        .post("/api/v1/users", Some(admin), &body)
        .await
        .expect(StatusCode::CREATED, &format!("create user {}", body["email"]));
    Account {
        id: id_of(&user, "user"),
        email: body["email"].as_str().unwrap().into(),
        password,
        token: OnceCell::new(),
    }
}

/// The string `id` of a created resource.
#[track_caller]
pub fn id_of(body: &Value, what: &str) -> String {
    body["id"].as_str().unwrap_or_else(|| panic!("created {what} has no string id: {body}")).to_owned()
}
