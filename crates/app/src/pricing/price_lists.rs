//! Price lists: a merchant's prices by location, channel and time window.
//!
//! A list is parsed at the edge ([`PriceListDraft::parse`]: its name, channel and prices) and
//! checked here against what only the store knows: that the merchant sells each SKU, in the
//! price's currency; that the location is the merchant's; that the window, read in the local
//! time of the location's site (or the merchant's), neither partly overlaps nor repeats another
//! list of the same scope. Every change is written with its `price.changed` event in one
//! transaction, the event being built here from the row that was written.

use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{ChangeAction, DomainEvent, ListedPrice, PriceChanged, PriceListChanged};
use omnicanal_domain::pricing::price_list::check_conflicts;
use omnicanal_store::{MerchantRow, NewEvent, Page, PriceEntryRow, PriceListRow};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::local_time::parse_local_instant;
use crate::price_book::engine_price_lists;
use crate::validation::Validator;

/// Most prices one price list may hold.
pub const MAX_PRICES_PER_LIST: usize = 5_000;

/// Who may change price lists, promotions and coupons.
pub(crate) const PRICE_MANAGERS: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Who may read them.
pub(crate) const PRICE_READERS: [Role; 4] = [Role::Admin, Role::MerchantManager, Role::SupportAgent, Role::Staff];

/// Every list of a merchant, for the conflict check (a merchant keeps a handful).
const ALL_LISTS: Page = Page { limit: 10_000, offset: 0 };

/// A price list as sent, before it is parsed.
#[derive(Debug, Clone, Default)]
pub struct PriceListInput {
    /// The merchant whose prices these are.
    pub merchant_id: String,
    /// Name shown in explanations.
    pub name: String,
    /// Only for this channel.
    pub channel: Option<String>,
    /// Only at this location.
    pub location_id: Option<String>,
    /// Window start as typed (RFC 3339 or local time).
    pub valid_from: Option<String>,
    /// Window end as typed.
    pub valid_to: Option<String>,
    /// Default true.
    pub active: Option<bool>,
    /// SKUs and their prices.
    pub prices: Vec<(String, Money)>,
}

/// One price of a parsed list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPrice {
    /// The SKU.
    pub sku: Sku,
    /// Its unit price, tax included.
    pub price: Money,
}

/// A price list, parsed: a name, a channel, 1 to [`MAX_PRICES_PER_LIST`] prices of distinct
/// SKUs. The window stays as typed: it is read in the time zone of the list's scope, which
/// only [`App::create_price_list`] and [`App::replace_price_list`] can look up.
#[derive(Debug, Clone)]
pub struct PriceListDraft {
    /// The merchant (ignored by a replacement: a list keeps its merchant).
    pub merchant_id: String,
    /// Name.
    pub name: Name,
    /// Only for this channel.
    pub channel: Option<Channel>,
    /// Only at this location.
    pub location_id: Option<String>,
    /// Window start as typed.
    pub valid_from: Option<String>,
    /// Window end as typed.
    pub valid_to: Option<String>,
    /// Whether it is used.
    pub active: bool,
    /// Its prices, in the order sent (their index names the field of an error).
    pub prices: Vec<ListPrice>,
}

impl PriceListDraft {
    /// Parses a price list, reporting every bad field at once.
    pub fn parse(input: PriceListInput) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse("name", &input.name));
        let channel = input.channel.as_deref().and_then(|raw| v.check("channel", Channel::parse(raw)));
        if input.prices.is_empty() || input.prices.len() > MAX_PRICES_PER_LIST {
            v.push("prices", format!("a price list needs 1 to {MAX_PRICES_PER_LIST} prices"));
        }
        let mut prices: Vec<ListPrice> = Vec::with_capacity(input.prices.len());
        for (index, (sku, price)) in input.prices.iter().enumerate() {
            let field = format!("prices[{index}]");
            let sku = v.check(&format!("{field}.sku"), Sku::parse(sku));
            let price = v.check(&format!("{field}.price"), parse_price("price", *price));
            let (Some(sku), Some(price)) = (sku, price) else { continue };
            if prices.iter().any(|listed| listed.sku == sku) {
                v.push(format!("{field}.sku"), "appears twice in this list");
                continue;
            }
            prices.push(ListPrice { sku, price });
        }
        v.done(|| {
            Some(Self {
                merchant_id: input.merchant_id,
                name: name?,
                channel,
                location_id: input.location_id,
                valid_from: input.valid_from,
                valid_to: input.valid_to,
                active: input.active.unwrap_or(true),
                prices,
            })
        })
    }
}

impl App {
    /// Creates a price list (admins, or the merchant's managers).
    pub async fn create_price_list(&self, caller: &Caller, draft: PriceListDraft) -> AppResult<PriceListRow> {
        caller.require(&PRICE_MANAGERS)?;
        let now = self.now_ms();
        let row = self.price_list_row(caller, draft, new_id("prl"), now).await?;
        self.store.insert_price_list(&row, &price_list_event(&row, ChangeAction::Created, now)).await?;
        self.committed();
        self.record_change(caller, Change::created(AuditEntity::PriceList, &row.id, Some(&row.merchant_id), &row))
            .await;
        Ok(row)
    }

    /// A merchant's price lists, oldest first: `merchant_id`, or the caller's own merchant.
    pub async fn list_price_lists(
        &self,
        caller: &Caller,
        merchant_id: Option<String>,
        page: Page,
    ) -> AppResult<Vec<PriceListRow>> {
        caller.require(&PRICE_READERS)?;
        let merchant_id = merchant_id
            .or_else(|| caller.merchant_id.clone())
            .ok_or_else(|| AppError::invalid("merchant_id", "required"))?;
        caller.check_merchant(&merchant_id, "merchant")?;
        Ok(self.store.list_price_lists(&merchant_id, page).await?)
    }

    /// One price list the caller may see.
    pub async fn price_list(&self, caller: &Caller, id: &str) -> AppResult<PriceListRow> {
        caller.require(&PRICE_READERS)?;
        self.visible_price_list(caller, id).await
    }

    /// Replaces a price list; it keeps its merchant, and orders already placed keep their prices.
    pub async fn replace_price_list(
        &self,
        caller: &Caller,
        id: &str,
        mut draft: PriceListDraft,
    ) -> AppResult<PriceListRow> {
        caller.require(&PRICE_MANAGERS)?;
        let existing = self.visible_price_list(caller, id).await?;
        let existing_before = existing.clone();
        draft.merchant_id = existing.merchant_id;
        let row = self.price_list_row(caller, draft, existing.id, existing.created_at_ms).await?;
        self.store.replace_price_list(&row, &price_list_event(&row, ChangeAction::Updated, self.now_ms())).await?;
        self.committed();
        let change = Change::updated(AuditEntity::PriceList, &row.id, Some(&row.merchant_id), &existing_before, &row);
        self.record_change(caller, change).await;
        Ok(row)
    }

    /// Deletes a price list; its SKUs fall back to the next list or their base price.
    pub async fn delete_price_list(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(&PRICE_MANAGERS)?;
        let existing = self.visible_price_list(caller, id).await?;
        self.store.delete_price_list(id, &price_list_event(&existing, ChangeAction::Deleted, self.now_ms())).await?;
        self.committed();
        let change =
            Change::new(AuditEntity::PriceList, &existing.id, AuditAction::Deleted, Some(&existing.merchant_id));
        self.record_change(caller, change.before(&existing)).await;
        Ok(())
    }

    async fn visible_price_list(&self, caller: &Caller, id: &str) -> AppResult<PriceListRow> {
        let list = self.store.get_price_list(id).await?.ok_or(AppError::NotFound("price list"))?;
        caller.check_merchant(&list.merchant_id, "price list")?;
        Ok(list)
    }

    /// Checks a draft against the store and builds the row to write.
    async fn price_list_row(
        &self,
        caller: &Caller,
        draft: PriceListDraft,
        id: String,
        created_at_ms: i64,
    ) -> AppResult<PriceListRow> {
        let merchant = self.store.get_merchant(&draft.merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        caller.check_merchant(&merchant.id, "merchant")?;
        let mut v = Validator::new();
        let timezone = self.price_list_timezone(&merchant.id, draft.location_id.as_deref(), &mut v).await?;
        let (valid_from_ms, valid_to_ms) = read_window(&mut v, &timezone, &draft.valid_from, &draft.valid_to);
        let entries = self.sold_prices(&merchant, &draft.prices, &mut v).await?;
        v.finish()?;
        let row = PriceListRow {
            id,
            merchant_id: merchant.id,
            name: draft.name.into_inner(),
            channel: draft.channel,
            location_id: draft.location_id,
            valid_from_ms,
            valid_to_ms,
            active: draft.active,
            created_at_ms,
            updated_at_ms: self.now_ms(),
            entries,
        };
        let others = engine_price_lists(self.store.list_price_lists(&row.merchant_id, ALL_LISTS).await?);
        if let Some(candidate) = engine_price_lists(vec![row.clone()]).first() {
            check_conflicts(candidate, &others)?;
        }
        Ok(row)
    }

    /// The time zone a list's window is typed in: its location's site's, else the merchant's.
    /// A location of another merchant (or none) is an error on `location_id`.
    async fn price_list_timezone(
        &self,
        merchant_id: &str,
        location_id: Option<&str>,
        v: &mut Validator,
    ) -> AppResult<String> {
        let (_, mut timezone) = self.merchant_home(merchant_id).await?;
        if let Some(location_id) = location_id {
            match self.store.get_location(location_id).await?.filter(|location| location.merchant_id == merchant_id) {
                Some(location) => {
                    if let Some(site) = self.store.get_site(&location.site_id).await? {
                        timezone = site.timezone;
                    }
                }
                None => v.push("location_id", "no such location of this merchant"),
            }
        }
        Ok(timezone)
    }

    /// The prices as rows, each checked to be of a SKU the merchant sells, in its currency.
    async fn sold_prices(
        &self,
        merchant: &MerchantRow,
        prices: &[ListPrice],
        v: &mut Validator,
    ) -> AppResult<Vec<PriceEntryRow>> {
        let mut entries = Vec::with_capacity(prices.len());
        for (index, ListPrice { sku, price }) in prices.iter().enumerate() {
            let field = format!("prices[{index}]");
            match self.store.find_variant(&merchant.id, sku.as_str()).await? {
                None => v.push(format!("{field}.sku"), format!("{} does not sell {sku}", merchant.name)),
                Some((variant, _)) if variant.currency != price.currency => v.push(
                    format!("{field}.price"),
                    format!("{sku} is priced in {}, not {}", variant.currency, price.currency),
                ),
                Some(_) => entries.push(PriceEntryRow {
                    sku: sku.as_str().to_owned(),
                    price_minor: price.amount_minor,
                    currency: price.currency,
                }),
            }
        }
        Ok(entries)
    }
}

/// Reads a `valid_from`/`valid_to` pair typed in `timezone`, recording what does not parse.
pub(crate) fn read_window(
    v: &mut Validator,
    timezone: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> (Option<i64>, Option<i64>) {
    let mut bound = |field: &str, raw: &Option<String>| {
        let raw = raw.as_deref()?;
        parse_local_instant(raw, timezone).map_err(|message| v.push(field, message)).ok()
    };
    (bound("valid_from", from), bound("valid_to", to))
}

/// A `price.changed` event, to be written with the change it reports.
pub(crate) fn price_changed_event(changed: PriceChanged, now_ms: i64) -> NewEvent {
    NewEvent { event_id: new_id("evt"), created_at_ms: now_ms, event: DomainEvent::PriceChanged(changed) }
}

/// The `price.changed` event of a list as written (or, for a deletion, as it was).
fn price_list_event(list: &PriceListRow, action: ChangeAction, now_ms: i64) -> NewEvent {
    let prices = list
        .entries
        .iter()
        .map(|entry| ListedPrice { sku: entry.sku.clone(), price: Money::new(entry.price_minor, entry.currency) })
        .collect();
    let changed = PriceListChanged {
        action,
        price_list_id: list.id.clone(),
        merchant_id: list.merchant_id.clone(),
        channel: list.channel.clone(),
        location_id: list.location_id.clone(),
        valid_from: list.valid_from_ms,
        valid_to: list.valid_to_ms,
        active: list.active,
        prices,
    };
    price_changed_event(PriceChanged::PriceList(changed), now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;

    fn input(prices: &[(&str, i64)]) -> PriceListInput {
        PriceListInput {
            merchant_id: "mer_1".into(),
            name: "Navidad".into(),
            prices: prices.iter().map(|(sku, price)| ((*sku).to_owned(), Money::new(*price, Currency::Clp))).collect(),
            ..PriceListInput::default()
        }
    }

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Invalid(errors) => errors.into_iter().map(|error| error.field).collect(),
            other => vec![format!("not invalid: {other}")],
        }
    }

    #[test]
    fn a_draft_reports_every_bad_price_at_once() {
        let draft = PriceListDraft::parse(input(&[("HELADO", 100), ("CONO", 200)]));
        assert!(draft.is_ok_and(|draft| draft.active && draft.prices.len() == 2));
        let bad = PriceListDraft::parse(PriceListInput {
            name: " ".into(),
            channel: Some("fax".into()),
            ..input(&[("HELADO", -1), ("HELADO", 100), ("HELADO", 200), ("no spaces", 1)])
        });
        let named = bad.err().map(fields).unwrap_or_default();
        assert_eq!(named, ["name", "channel", "prices[0].price", "prices[2].sku", "prices[3].sku"]);
        assert_eq!(PriceListDraft::parse(input(&[])).err().map(fields), Some(vec!["prices".to_owned()]));
    }

    #[test]
    fn the_event_lists_the_prices_written() {
        let row = PriceListRow {
            id: "prl_1".into(),
            merchant_id: "mer_1".into(),
            name: "Web".into(),
            channel: Some(Channel::Web),
            location_id: None,
            valid_from_ms: None,
            valid_to_ms: None,
            active: true,
            created_at_ms: 1,
            updated_at_ms: 1,
            entries: vec![PriceEntryRow { sku: "HELADO".into(), price_minor: 2000, currency: Currency::Clp }],
        };
        let event = price_list_event(&row, ChangeAction::Deleted, 42);
        assert_eq!(event.created_at_ms, 42);
        let json: serde_json::Value = serde_json::from_str(&event.event.to_json()).unwrap_or_default();
        assert_eq!(json["cause"], "price_list");
        assert_eq!(json["action"], "deleted");
        assert_eq!(json["prices"][0]["price"]["amount"], 2000);
    }
}
