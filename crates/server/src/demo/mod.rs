//! The demo data set: a food court in Santiago (CLP) with five restaurants and one in Lima
//! (PEN) with three, real-looking menus and stock (Napoli also sells at a till, "Caja 1", with a
//! cashier's login); an outdoor retailer with two stores, a web
//! shop and a till in each store (`retail`); and a login for every role.
//!
//! It is loaded through the app as a platform operator: sites, merchants, locations and their
//! storefronts by the ordinary use cases, and what those cannot say (one password for every
//! login, stock received by nobody, promotions) by the app's demo seeding
//! (`omnicanal_app::setup::demo`). The content itself is in `menus`.

mod aisle;
mod click_collect;
mod credit;
mod customers;
mod descriptions;
mod menus;
mod retail;
// The support desk's agent, macros and tickets (issue 18).
mod support;
mod webshop;
// The knowledge base's articles (issue 18 point 4).
mod knowledge;
// Tables, stylists, services and a few bookings (issue 19).
mod bookings;

use omnicanal_app::pos::devices::RegisterDevice;
use omnicanal_app::setup::demo::{DemoDish, DemoLogin};
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::merchants::NewMerchant;
use omnicanal_app::setup::sites::{NewSite, SiteChanges};
use omnicanal_app::setup::storefront::{LocationChangeFields, LocationChanges};
use omnicanal_app::{App, AppError, AppResult, Caller};
use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Country;
use omnicanal_domain::dish::Description;
use omnicanal_store::{Page, SiteRow, StoreError};

use crate::StartError;
use menus::{DemoRestaurant, LIMA, OPENING_HOURS_JSON, SANTIAGO, category_of, demo_modifiers, santiago_promotions};

/// The food-court restaurant with a till ("Caja 1") and a cashier's login.
const TILL_RESTAURANT: &str = "napoli";

/// Password of every demo login (printed by `serve --demo`; never use outside a demo).
pub const DEMO_PASSWORD: &str = "omnicanal-demo";

/// PIN of every demo manager, typed at a till to approve a discount or a void above its limits
/// (printed by `serve --demo`; never use outside a demo).
pub const DEMO_MANAGER_PIN: &str = "2580";

/// What the demo loaded, for the start-up message.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// (e-mail, role, place) of each login; all use [`DEMO_PASSWORD`].
    pub logins: Vec<(String, String, String)>,
    /// (name, id) of each site.
    pub sites: Vec<(String, String)>,
}

/// The logins to write and what the start-up message says of each.
#[derive(Default)]
struct Logins {
    seeds: Vec<DemoLogin>,
    summary: Vec<(String, String, String)>,
}

impl Logins {
    fn add(&mut self, login: DemoLogin, place: String) {
        self.summary.push((login.email.clone(), login.role.as_str().to_owned(), place));
        self.seeds.push(login);
    }
}

/// Loads the demo when the database has no sites yet.
pub async fn load_if_empty(app: &App) -> Result<DemoSummary, StartError> {
    load(app).await.map_err(|error| {
        let why = format!("the demo data set could not be loaded: {}", error_chain(&error));
        StartError::Store(StoreError::Unavailable(why))
    })
}

/// The demo loads as the platform's operator, who is no user of the database.
fn operator() -> Caller {
    Caller {
        id: "demo".into(),
        email: "operator@localhost".into(),
        role: Role::Admin,
        merchant_id: None,
        location_id: None,
    }
}

async fn load(app: &App) -> AppResult<DemoSummary> {
    let existing = app.list_sites(Page { limit: 10, offset: 0 }).await?;
    if !existing.is_empty() {
        tracing::info!("the database already has sites; the demo data set was not loaded again");
        let sites = existing.into_iter().map(|site| (site.name, site.id)).collect();
        return Ok(DemoSummary { logins: Vec::new(), sites });
    }
    let operator = operator();
    let mut sites = Vec::new();
    let mut logins = Logins::default();
    let admin =
        DemoLogin { email: "admin@demo.omnicanal.dev".into(), role: Role::Admin, merchant_id: None, location_id: None };
    logins.add(admin, "all malls".into());
    let malls = [
        ("Costanera Food Hall", Country::Chile, "America/Santiago", &SANTIAGO[..]),
        ("Jockey Plaza Patio de Comidas", Country::Peru, "America/Lima", &LIMA[..]),
    ];
    for (mall, country, timezone, restaurants) in malls {
        let site = NewSite::parse(mall, country.code(), country.currency().code(), timezone)?;
        let site = app.create_site(&operator, site).await?;
        let site = app.update_site(&operator, &site.id, SiteChanges::parse(Some(10), None)?).await?;
        sites.push((site.name.clone(), site.id.clone()));
        let mut merchants = Vec::new();
        for restaurant in restaurants {
            let merchant_id = load_restaurant(app, &operator, &site, restaurant, &mut logins).await?;
            merchants.push((restaurant.slug, merchant_id));
        }
        if country == Country::Chile {
            for (promotion, coupon) in santiago_promotions(&merchants) {
                app.seed_demo_promotion(&site.id, &promotion, coupon).await?;
            }
        }
    }
    sites.push(retail::load(app, &operator, &mut logins).await?);
    if let Some((_, retail_site_id)) = sites.last() {
        click_collect::load(app, &operator, retail_site_id).await?;
    }
    // The support desk's agent (issue 18): the queue at /support.
    let agent = DemoLogin {
        email: support::AGENT_EMAIL.into(),
        role: Role::SupportAgent,
        merchant_id: None,
        location_id: None,
    };
    logins.add(agent, "the support desk (/support)".into());
    // Tickets from the retailer's two tills and the food court's (issue 18).
    let desk_cashiers: Vec<(String, String)> = logins
        .summary
        .iter()
        .filter(|(email, _, place)| email.starts_with("caja.") && place.ends_with("(till: /pos)"))
        .map(|(email, _, place)| (email.clone(), place.trim_end_matches(" (till: /pos)").to_owned()))
        .collect();
    app.seed_demo_logins(DEMO_PASSWORD, DEMO_MANAGER_PIN, logins.seeds).await?;
    customers::load(app, DEMO_PASSWORD).await?;
    knowledge::load(app, &operator).await?;
    support::load(app, DEMO_PASSWORD, &desk_cashiers).await?;
    bookings::load(app, &operator, &sites).await?;
    tracing::info!(logins = logins.summary.len(), "demo data set loaded");
    Ok(DemoSummary { logins: logins.summary, sites })
}

/// One restaurant: its merchant, its location and storefront, its menu and stock, and the
/// logins of its manager and its kitchen. Answers the merchant's id.
async fn load_restaurant(
    app: &App,
    operator: &Caller,
    site: &SiteRow,
    restaurant: &DemoRestaurant,
    logins: &mut Logins,
) -> AppResult<String> {
    let merchant =
        NewMerchant::parse(restaurant.name, "restaurant", restaurant.commission_bps, Some(restaurant.tax_id))?;
    let merchant = app.create_merchant(operator, merchant).await?;
    let location = NewLocation::parse(merchant.id.clone(), site.id.clone(), restaurant.name, restaurant.pay_at_pickup)?;
    let location = app.create_location(operator, location).await?;
    let storefront = LocationChanges::parse(LocationChangeFields {
        prep_minutes: Some(restaurant.prep_minutes),
        counter: Some(restaurant.counter.into()),
        opening_hours_json: Some(OPENING_HOURS_JSON.into()),
        ..LocationChangeFields::default()
    })?;
    let location = app.update_location(operator, &location.id, storefront).await?;
    for (name, sku, price, stock) in restaurant.dishes {
        let (description, allergens) = descriptions::dish_details(sku);
        let dish = DemoDish {
            name: (*name).into(),
            sku: (*sku).into(),
            price_minor: *price,
            opening_stock: *stock,
            category: category_of(sku).into(),
            modifiers: demo_modifiers(sku, site.currency),
            description: description.map(Description::parse).transpose()?.flatten(),
            allergens: allergens.to_vec(),
        };
        app.seed_demo_dish(&location, site.currency, dish).await?;
    }
    let domain = if site.country == Country::Peru { "demo.omnicanal.pe" } else { "demo.omnicanal.cl" };
    let place = format!("{} ({})", restaurant.name, site.name);
    let manager = DemoLogin {
        email: format!("gerente.{}@{domain}", restaurant.slug),
        role: Role::MerchantManager,
        merchant_id: Some(merchant.id.clone()),
        location_id: None,
    };
    let staff = DemoLogin {
        email: format!("cocina.{}@{domain}", restaurant.slug),
        role: Role::Staff,
        merchant_id: Some(merchant.id.clone()),
        location_id: Some(location.id.clone()),
    };
    logins.add(manager, place.clone());
    logins.add(staff, place.clone());
    // One restaurant sells at a till too, so the till's option picker, notes and the welcome
    // coupon can be tried in `serve --demo` (issue 14 point 3).
    if restaurant.slug == TILL_RESTAURANT {
        app.register_pos_device(operator, RegisterDevice::parse(location.id.clone(), "Caja 1")?).await?;
        let cashier = DemoLogin {
            email: format!("caja.{}@{domain}", restaurant.slug),
            role: Role::Staff,
            merchant_id: Some(merchant.id.clone()),
            location_id: Some(location.id),
        };
        logins.add(cashier, format!("{place} (till: /pos)"));
    }
    Ok(merchant.id)
}

/// An error and its causes, for the operator starting the server (the cause of a fault is
/// what they need to see; no client is shown this).
fn error_chain(error: &AppError) -> String {
    let mut chain = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}
