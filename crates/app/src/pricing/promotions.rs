//! Promotions: a merchant's own, or a site-wide one of the site's operator, with their kinds,
//! windows, happy hours, channels, locations and funder.
//!
//! A promotion is parsed at the edge ([`PromotionDraft::parse`]) and checked here against its
//! scope: who may create it (a site-wide one, or one the operator pays for, is an admin's),
//! which locations are in it, the currency its amounts must be in and the time zone its window
//! is typed in. It is stored as the engine's own [`Promotion`] (JSON) beside lookup columns,
//! and every change is written with its `price.changed` event in one transaction.

use omnicanal_domain::Currency;
use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Name;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{ChangeAction, PriceChanged, PromotionChanged};
use omnicanal_domain::pricing::promotion::HappyHour;
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind};
use omnicanal_store::{NewEvent, Page, PromotionRow};

use super::price_lists::{PRICE_MANAGERS, PRICE_READERS, price_changed_event, read_window};
use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Weekdays and local hours as sent.
#[derive(Debug, Clone, Default)]
pub struct HappyHourInput {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
}

/// A promotion as sent, before it is parsed.
#[derive(Debug, Clone)]
pub struct PromotionInput {
    /// The merchant's own promotion; none for a site-wide one.
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Name.
    pub name: String,
    /// `merchant` or `operator`, when given.
    pub funded_by: Option<String>,
    /// What it gives.
    pub kind: PromotionKind,
    /// Channels (empty: all).
    pub channels: Vec<String>,
    /// Locations (empty: all of its scope).
    pub location_ids: Vec<String>,
    /// Window start as typed.
    pub valid_from: Option<String>,
    /// Window end as typed.
    pub valid_to: Option<String>,
    /// Weekdays and hours.
    pub happy_hour: Option<HappyHourInput>,
    /// Minimum spend.
    pub min_spend: Option<Money>,
    /// Only with a coupon.
    pub requires_coupon: bool,
    /// Higher goes first.
    pub priority: i32,
    /// Combines with no other promotion.
    pub exclusive: bool,
    /// Default true.
    pub active: Option<bool>,
}

/// A promotion, parsed. Its scope, locations, currency and window are checked by
/// [`App::create_promotion`] and [`App::replace_promotion`], which know the scope.
#[derive(Debug, Clone)]
pub struct PromotionDraft {
    /// The merchant's own promotion; none for a site-wide one.
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Name.
    pub name: Name,
    /// Who pays, when said (else the merchant for its own, the operator for a site-wide one).
    pub funded_by: Option<Funder>,
    /// What it gives.
    pub kind: PromotionKind,
    /// Channels (empty: all).
    pub channels: Vec<Channel>,
    /// Locations (empty: all of its scope).
    pub location_ids: Vec<String>,
    /// Window start as typed.
    pub valid_from: Option<String>,
    /// Window end as typed.
    pub valid_to: Option<String>,
    /// Weekdays and hours.
    pub happy_hour: Option<HappyHour>,
    /// Minimum spend.
    pub min_spend: Option<Money>,
    /// Only with a coupon.
    pub requires_coupon: bool,
    /// Higher goes first.
    pub priority: i32,
    /// Combines with no other promotion.
    pub exclusive: bool,
    /// Whether it is used.
    pub active: bool,
}

impl PromotionDraft {
    /// Parses a promotion, reporting every bad field at once.
    pub fn parse(input: PromotionInput) -> AppResult<Self> {
        let mut v = Validator::new();
        let funded_by = input.funded_by.as_deref().and_then(|raw| v.check("funded_by", Funder::parse(raw)));
        let name = v.check("name", Name::parse("name", &input.name));
        let channels: Vec<Channel> = input
            .channels
            .iter()
            .enumerate()
            .filter_map(|(index, raw)| v.check(&format!("channels[{index}]"), Channel::parse(raw)))
            .collect();
        let happy_hour = input.happy_hour.as_ref().map(|hours| HappyHour {
            weekdays: hours.weekdays.clone(),
            start_minute: minute_of_day("happy_hour.start", &hours.start, &mut v),
            end_minute: minute_of_day("happy_hour.end", &hours.end, &mut v),
        });
        v.done(|| {
            Some(Self {
                merchant_id: input.merchant_id,
                site_id: input.site_id,
                name: name?,
                funded_by,
                kind: input.kind,
                channels,
                location_ids: input.location_ids,
                valid_from: input.valid_from,
                valid_to: input.valid_to,
                happy_hour,
                min_spend: input.min_spend,
                requires_coupon: input.requires_coupon,
                priority: input.priority,
                exclusive: input.exclusive,
                active: input.active.unwrap_or(true),
            })
        })
    }
}

/// A stored promotion with the engine's definition read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionRecord {
    /// The row.
    pub row: PromotionRow,
    /// What the engine applies.
    pub definition: Promotion,
}

impl PromotionRecord {
    /// Reads a row's definition back.
    pub fn read(row: PromotionRow) -> AppResult<Self> {
        let definition =
            serde_json::from_str(&row.definition_json).map_err(|error| AppError::Internal(Box::new(error)))?;
        Ok(Self { row, definition })
    }
}

/// Which promotions a person lists.
#[derive(Debug, Clone, Default)]
pub struct PromotionQuery {
    /// One merchant's (a merchant's own users: theirs, whatever they ask).
    pub merchant_id: Option<String>,
    /// One site's site-wide ones (platform users only).
    pub site_id: Option<String>,
    /// Paging.
    pub page: Page,
}

/// The scope a promotion lives in: whose it is, and what its amounts and window are read in.
struct Scope {
    merchant_id: Option<String>,
    site_id: Option<String>,
    currency: Currency,
    timezone: String,
}

impl App {
    /// Creates a promotion: a merchant's (its managers or an admin) or a site-wide one (admins).
    pub async fn create_promotion(&self, caller: &Caller, draft: PromotionDraft) -> AppResult<PromotionRecord> {
        caller.require(&PRICE_MANAGERS)?;
        let now = self.now_ms();
        let record = self.promotion_record(caller, draft, new_id("pro"), now).await?;
        self.store.insert_promotion(&record.row, &promotion_event(&record.row, ChangeAction::Created, now)).await?;
        self.committed();
        let row = &record.row;
        self.record_change(caller, Change::created(AuditEntity::Promotion, &row.id, row.merchant_id.as_deref(), row))
            .await;
        Ok(record)
    }

    /// Promotions, oldest first: platform users see all (or filter), anyone else their merchant's.
    pub async fn list_promotions(&self, caller: &Caller, query: PromotionQuery) -> AppResult<Vec<PromotionRecord>> {
        caller.require(&PRICE_READERS)?;
        let (merchant_id, site_id) = if caller.is_platform() {
            (query.merchant_id, query.site_id)
        } else {
            let own = caller.merchant_id.clone().ok_or(AppError::Forbidden)?;
            if query.merchant_id.as_ref().is_some_and(|asked| *asked != own) {
                return Err(AppError::NotFound("merchant"));
            }
            (Some(own), None)
        };
        let rows = self.store.list_promotions(merchant_id.as_deref(), site_id.as_deref(), query.page).await?;
        rows.into_iter().map(PromotionRecord::read).collect()
    }

    /// One promotion the caller may see.
    pub async fn promotion(&self, caller: &Caller, id: &str) -> AppResult<PromotionRecord> {
        caller.require(&PRICE_READERS)?;
        PromotionRecord::read(self.visible_promotion(caller, id).await?)
    }

    /// Replaces a promotion; it keeps its merchant or site (`active: false` ends it).
    pub async fn replace_promotion(
        &self,
        caller: &Caller,
        id: &str,
        mut draft: PromotionDraft,
    ) -> AppResult<PromotionRecord> {
        caller.require(&PRICE_MANAGERS)?;
        let existing = self.visible_promotion(caller, id).await?;
        let before = existing.clone();
        draft.merchant_id = existing.merchant_id;
        draft.site_id = existing.site_id;
        let record = self.promotion_record(caller, draft, existing.id, existing.created_at_ms).await?;
        let event = promotion_event(&record.row, ChangeAction::Updated, self.now_ms());
        self.store.replace_promotion(&record.row, &event).await?;
        self.committed();
        let row = &record.row;
        let change = Change::updated(AuditEntity::Promotion, &row.id, row.merchant_id.as_deref(), &before, row);
        self.record_change(caller, change).await;
        Ok(record)
    }

    /// The promotion if the caller may see it: its merchant's users, or the platform's for a
    /// site-wide one; `NotFound` otherwise.
    /// The promotion if the caller may also spend its money: one the site's operator funds is
    /// switched, and given coupons, by admins only (its merchant's manager sees it but may not
    /// restart what an admin ended).
    pub(crate) fn check_funder(caller: &Caller, definition: &Promotion) -> AppResult<()> {
        if definition.funded_by == Funder::Operator && caller.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    pub(crate) async fn visible_promotion(&self, caller: &Caller, id: &str) -> AppResult<PromotionRow> {
        let row = self.store.get_promotion(id).await?.ok_or(AppError::NotFound("promotion"))?;
        if promotion_visible(caller, &row) { Ok(row) } else { Err(AppError::NotFound("promotion")) }
    }

    /// Checks a draft against its scope and builds the record to write.
    async fn promotion_record(
        &self,
        caller: &Caller,
        draft: PromotionDraft,
        id: String,
        created_at_ms: i64,
    ) -> AppResult<PromotionRecord> {
        let scope = self.promotion_scope(caller, &draft).await?;
        let mut v = Validator::new();
        let funded_by =
            draft.funded_by.unwrap_or(if scope.merchant_id.is_some() { Funder::Merchant } else { Funder::Operator });
        if funded_by == Funder::Operator && caller.role != Role::Admin {
            v.push("funded_by", "only the site's operator (an admin) may fund a promotion with its money");
        }
        self.check_promotion_locations(&scope, &draft.location_ids, &mut v).await?;
        let (valid_from_ms, valid_to_ms) = read_window(&mut v, &scope.timezone, &draft.valid_from, &draft.valid_to);
        check_currency(&draft, scope.currency, &mut v);
        v.finish()?;
        let definition = Promotion {
            id,
            name: draft.name.into_inner(),
            merchant_id: scope.merchant_id.clone(),
            funded_by,
            kind: draft.kind,
            channels: draft.channels.iter().map(Channel::to_string).collect(),
            location_ids: draft.location_ids,
            valid_from_ms,
            valid_to_ms,
            happy_hour: draft.happy_hour,
            min_spend: draft.min_spend,
            requires_coupon: draft.requires_coupon,
            priority: draft.priority,
            exclusive: draft.exclusive,
            active: draft.active,
        };
        definition.validate()?;
        let row = PromotionRow {
            id: definition.id.clone(),
            merchant_id: scope.merchant_id,
            site_id: scope.site_id,
            name: definition.name.clone(),
            active: definition.active,
            definition_json: serde_json::to_string(&definition).map_err(|error| AppError::Internal(Box::new(error)))?,
            created_at_ms,
            updated_at_ms: self.now_ms(),
        };
        Ok(PromotionRecord { row, definition })
    }

    /// The merchant's own scope (one the caller may see), or a site-wide one (admins only).
    async fn promotion_scope(&self, caller: &Caller, draft: &PromotionDraft) -> AppResult<Scope> {
        if let Some(merchant_id) = &draft.merchant_id {
            let merchant = self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
            caller.check_merchant(&merchant.id, "merchant")?;
            let (currency, timezone) = self.merchant_home(&merchant.id).await?;
            return Ok(Scope { merchant_id: Some(merchant.id), site_id: None, currency, timezone });
        }
        caller.require(&[Role::Admin])?;
        let site_id = draft
            .site_id
            .as_deref()
            .ok_or_else(|| AppError::invalid("site_id", "required for a site-wide promotion (no merchant_id)"))?;
        let site = self.store.get_site(site_id).await?.ok_or_else(|| AppError::invalid("site_id", "no such site"))?;
        Ok(Scope { merchant_id: None, site_id: Some(site.id), currency: site.currency, timezone: site.timezone })
    }

    /// Each location named must be the merchant's, or for a site-wide promotion the site's.
    async fn check_promotion_locations(
        &self,
        scope: &Scope,
        location_ids: &[String],
        v: &mut Validator,
    ) -> AppResult<()> {
        for (index, location_id) in location_ids.iter().enumerate() {
            let location = self.store.get_location(location_id).await?;
            let in_scope = location.is_some_and(|location| match (&scope.merchant_id, &scope.site_id) {
                (Some(merchant), _) => &location.merchant_id == merchant,
                (None, Some(site)) => &location.site_id == site,
                (None, None) => false,
            });
            if !in_scope {
                v.push(format!("location_ids[{index}]"), "no such location in the promotion's scope");
            }
        }
        Ok(())
    }
}

/// Whether the caller may see a promotion: its merchant's users, or the platform's for a site-wide one.
pub(crate) fn promotion_visible(caller: &Caller, row: &PromotionRow) -> bool {
    match &row.merchant_id {
        Some(merchant) => caller.check_merchant(merchant, "promotion").is_ok(),
        None => caller.is_platform(),
    }
}

/// Every amount of a promotion must be in the currency its scope sells in.
fn check_currency(draft: &PromotionDraft, currency: Currency, v: &mut Validator) {
    let mut amounts: Vec<(&str, Money)> = Vec::new();
    match &draft.kind {
        PromotionKind::AmountOffLines { amount, .. } | PromotionKind::AmountOffOrder { amount } => {
            amounts.push(("kind.amount", *amount));
        }
        PromotionKind::Bundle { price, .. } => amounts.push(("kind.price", *price)),
        PromotionKind::PercentOffLines { .. }
        | PromotionKind::PercentOffOrder { .. }
        | PromotionKind::BuyXGetY { .. } => {}
    }
    if let Some(min_spend) = draft.min_spend {
        amounts.push(("min_spend", min_spend));
    }
    for (field, amount) in amounts {
        if amount.currency != currency {
            v.push(field, format!("must be in {currency}, the currency this promotion's scope sells in"));
        }
    }
}

/// Minutes after midnight of a `HH:MM` time of day, recording an error (and 0) otherwise.
fn minute_of_day(field: &str, raw: &str, v: &mut Validator) -> u16 {
    let parsed = raw
        .split_once(':')
        .and_then(|(hours, minutes)| Some((hours.parse::<u16>().ok()?, minutes.parse::<u16>().ok()?)))
        .filter(|(hours, minutes)| *hours < 24 && *minutes < 60 && raw.len() == 5);
    match parsed {
        Some((hours, minutes)) => hours * 60 + minutes,
        None => {
            v.push(field, "must be a time of day HH:MM");
            0
        }
    }
}

/// The `price.changed` event of a promotion as written.
pub(crate) fn promotion_event(row: &PromotionRow, action: ChangeAction, now_ms: i64) -> NewEvent {
    let changed = PromotionChanged {
        action,
        promotion_id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        site_id: row.site_id.clone(),
        name: row.name.clone(),
        active: row.active,
    };
    price_changed_event(PriceChanged::Promotion(changed), now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PromotionInput {
        PromotionInput {
            merchant_id: Some("mer_1".into()),
            site_id: None,
            name: "2x1".into(),
            funded_by: None,
            kind: PromotionKind::PercentOffOrder { bps: 1000 },
            channels: vec!["web".into(), "shop:woo".into()],
            location_ids: Vec::new(),
            valid_from: None,
            valid_to: None,
            happy_hour: Some(HappyHourInput { weekdays: vec![1, 5], start: "17:30".into(), end: "01:00".into() }),
            min_spend: None,
            requires_coupon: false,
            priority: 0,
            exclusive: false,
            active: None,
        }
    }

    #[test]
    fn a_draft_reads_hours_and_channels_and_names_every_bad_field() {
        let draft = PromotionDraft::parse(input()).unwrap_or_else(|error| panic!("{error:?}"));
        assert_eq!(draft.happy_hour.map(|hours| (hours.start_minute, hours.end_minute)), Some((1050, 60)));
        assert_eq!(draft.channels, [Channel::Web, Channel::Shop("woo".into())]);
        assert!(draft.active && draft.funded_by.is_none());
        let bad = PromotionInput {
            name: String::new(),
            funded_by: Some("nobody".into()),
            channels: vec!["fax".into()],
            happy_hour: Some(HappyHourInput { weekdays: vec![1], start: "25:00".into(), end: "1:00".into() }),
            ..input()
        };
        let Err(AppError::Invalid(errors)) = PromotionDraft::parse(bad) else { panic!("must be refused") };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["funded_by", "name", "channels[0]", "happy_hour.start", "happy_hour.end"]);
    }

    #[test]
    fn the_event_says_whose_promotion_changed() {
        let row = PromotionRow {
            id: "pro_1".into(),
            merchant_id: None,
            site_id: Some("site_1".into()),
            name: "Mall".into(),
            active: false,
            definition_json: String::new(),
            created_at_ms: 1,
            updated_at_ms: 2,
        };
        let json: serde_json::Value =
            serde_json::from_str(&promotion_event(&row, ChangeAction::Updated, 3).event.to_json()).unwrap_or_default();
        assert_eq!(json["cause"], "promotion");
        assert_eq!(json["site_id"], "site_1");
        assert_eq!(json["active"], false);
    }
}
