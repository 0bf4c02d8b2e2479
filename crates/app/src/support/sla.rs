//! SLAs in store time (issue 18 point 3): a ticket's deadlines on its store's own calendar,
//! pauses added back, and each day's business hours with the reason for them.
//!
//! The calendar of a location is assembled here from what the store holds: the location's
//! weekly opening hours (none: open around the clock), its site's country and IANA time zone
//! (whose public holidays close it), and the special days that apply to it — platform-wide,
//! its site's, its merchant's, its merchant's at that site; on one date the most specific
//! wins whole. The arithmetic is the domain's ([`omnicanal_domain::support::calendar`]).
//!
//! The ticket core calls [`App::sla_deadlines`] when a ticket opens or its priority changes,
//! and [`App::sla_extend_for_pause`] when a ticket stops waiting on the store.

use chrono::{Duration, NaiveDate};
use omnicanal_domain::catalog::Country;
use omnicanal_domain::hours::OpeningHours;
use omnicanal_domain::support::calendar::{CalendarDay, DayHours, SpecialDay, StoreCalendar};
use omnicanal_domain::support::sla::{SlaPolicy, SlaRule, SlaTargets, deadlines};
use omnicanal_domain::support::{TicketCategory, TicketPriority};
use omnicanal_store::{LocationRow, SlaRuleRow, SpecialDayRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// How far ahead special days are read for a deadline: beyond the longest target on the
/// sparsest calendar a store would keep (30 days of business minutes at an hour a day).
const SPECIAL_DAYS_AHEAD: i64 = 400;
/// Most days one calendar request shows.
pub const MAX_CALENDAR_DAYS: i64 = 62;

/// When a ticket's first response and resolution are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDeadlines {
    /// Instant the first response is due (Unix ms).
    pub first_response_due_ms: i64,
    /// Instant the resolution is due (Unix ms).
    pub resolution_due_ms: i64,
}

/// Which days of a location's calendar to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarQuery {
    /// The location.
    pub location_id: String,
    /// The first day; None: today in the location's time zone.
    pub from: Option<NaiveDate>,
    /// How many days (1 to [`MAX_CALENDAR_DAYS`]).
    pub days: i64,
}

impl CalendarQuery {
    /// Parses the query; every bad field is reported.
    pub fn parse(location_id: &str, date: Option<&str>, days: Option<i64>) -> AppResult<Self> {
        let mut v = Validator::new();
        if location_id.trim().is_empty() {
            v.push("location_id", "is required");
        }
        let from = date.and_then(|raw| {
            let parsed = parse_date(raw);
            if parsed.is_none() {
                v.push("date", "must be a date YYYY-MM-DD between 2000 and 2100");
            }
            parsed
        });
        let days = days.unwrap_or(14);
        if !(1..=MAX_CALENDAR_DAYS).contains(&days) {
            v.push("days", format!("must be from 1 to {MAX_CALENDAR_DAYS}"));
        }
        v.finish()?;
        Ok(Self { location_id: location_id.trim().to_owned(), from, days })
    }
}

/// A location's calendar over some days, as agents see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarView {
    /// The location.
    pub location_id: String,
    /// Its site's IANA time zone.
    pub timezone: String,
    /// Its site's country.
    pub country: Country,
    /// Whether weekly hours are set (false: open around the clock).
    pub has_weekly_hours: bool,
    /// The days, in order.
    pub days: Vec<CalendarDay>,
}

/// A date `YYYY-MM-DD` in a plausible range (no year 0 or 9999 reaching the arithmetic).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|date| (2000..=2100).contains(&chrono::Datelike::year(date)))
}

/// The policy layers from stored rules: the merchant's own and the platform's.
pub(crate) fn policy_from(rows: &[SlaRuleRow]) -> AppResult<SlaPolicy> {
    let mut policy = SlaPolicy::default();
    for row in rows {
        let rule = rule_from(row)?;
        if row.merchant_id.is_some() { policy.merchant.push(rule) } else { policy.platform.push(rule) }
    }
    Ok(policy)
}

/// A stored rule as the domain's (it was checked when written; a row that fails now is corrupt).
pub(crate) fn rule_from(row: &SlaRuleRow) -> AppResult<SlaRule> {
    let corrupt = |error: omnicanal_domain::DomainError| AppError::internal(format!("stored SLA rule: {error}"));
    let targets = SlaTargets::new("", row.first_response_minutes, row.resolution_minutes).map_err(corrupt)?;
    let special = match (row.special_first_response_minutes, row.special_resolution_minutes) {
        (None, None) => None,
        (first, resolution) => Some(
            SlaTargets::new(
                "",
                first.unwrap_or(row.first_response_minutes),
                resolution.unwrap_or(row.resolution_minutes),
            )
            .map_err(corrupt)?,
        ),
    };
    SlaRule::new("", row.priority, row.category, targets, special).map_err(corrupt)
}

fn special_day_from(row: &SpecialDayRow) -> AppResult<SpecialDay> {
    let date = parse_date(&row.date).ok_or_else(|| AppError::internal(format!("stored special day {}", row.id)))?;
    let hours = row
        .hours_json
        .as_deref()
        .map(|json| DayHours::parse("hours", json))
        .transpose()
        .map_err(|error| AppError::internal(format!("stored special day {}: {error}", row.id)))?;
    Ok(SpecialDay { date, name: row.name.clone(), hours, tighter_targets: row.tighter_targets })
}

impl App {
    /// A location's calendar, with the special days between two local dates.
    pub(crate) async fn store_calendar(
        &self,
        location: &LocationRow,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<(StoreCalendar, String, Country)> {
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("site"))?;
        let zone = StoreCalendar::zone(&site.timezone)
            .map_err(|error| AppError::internal(format!("site {}: {error}", site.id)))?;
        let weekly = location
            .storefront
            .opening_hours_json
            .as_deref()
            .map(OpeningHours::parse)
            .transpose()
            .map_err(|error| AppError::internal(format!("location {}: {error}", location.id)))?;
        let (from, to) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
        let rows = self.store.special_days_applying(&location.merchant_id, &location.site_id, &from, &to).await?;
        let special_days = rows.iter().map(special_day_from).collect::<AppResult<Vec<_>>>()?;
        Ok((StoreCalendar::new(weekly, zone, site.country, special_days), site.timezone, site.country))
    }

    /// The calendar of a location around an instant: from the day before to
    /// [`SPECIAL_DAYS_AHEAD`] days after.
    pub(crate) async fn calendar_around(&self, location_id: &str, at_ms: i64) -> AppResult<StoreCalendar> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let day = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default().date_naive();
        let (calendar, _, _) =
            self.store_calendar(&location, day - Duration::days(2), day + Duration::days(SPECIAL_DAYS_AHEAD)).await?;
        Ok(calendar)
    }

    /// When a ticket opened at `from_ms` at a location is due: the SLA policy's targets for its
    /// priority and category (the merchant's rules over the platform's over the built-in ones,
    /// tighter on a special day that says so), counted in business minutes on the location's
    /// calendar. A location without opening hours counts around the clock.
    pub async fn sla_deadlines(
        &self,
        location_id: &str,
        priority: TicketPriority,
        category: TicketCategory,
        from_ms: i64,
    ) -> AppResult<SlaDeadlines> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let calendar = self.calendar_around(location_id, from_ms).await?;
        let policy = policy_from(&self.store.sla_rules_for(&location.merchant_id).await?)?;
        let due = deadlines(&calendar, &policy, priority, category, from_ms);
        Ok(SlaDeadlines { first_response_due_ms: due.first_response_due_ms, resolution_due_ms: due.resolution_due_ms })
    }

    /// A deadline pushed forward by the business time that passed while the ticket waited on
    /// the store (`paused_from_ms` to `paused_to_ms`), so a pause does not age it.
    pub async fn sla_extend_for_pause(
        &self,
        location_id: &str,
        due_ms: i64,
        paused_from_ms: i64,
        paused_to_ms: i64,
    ) -> AppResult<i64> {
        let calendar = self.calendar_around(location_id, paused_from_ms.min(due_ms)).await?;
        let paused_ms = calendar.business_ms_between(paused_from_ms, paused_to_ms);
        Ok(calendar.add_business_ms(due_ms, paused_ms).unwrap_or(due_ms.saturating_add(paused_ms)))
    }

    /// A location's business hours day by day, with why (weekly hours, holiday, special day).
    /// Anyone who may see the location may read it.
    pub async fn support_calendar(&self, caller: &Caller, query: CalendarQuery) -> AppResult<CalendarView> {
        let location = self.store.get_location(&query.location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        // The first day needs the zone; a throwaway calendar answers today's local date.
        let today = {
            let now = self.now_ms();
            let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("site"))?;
            let zone = StoreCalendar::zone(&site.timezone).map_err(|error| AppError::internal(error.to_string()))?;
            StoreCalendar::new(None, zone, site.country, []).local_date(now)
        };
        let from = query.from.unwrap_or(today);
        let to = from + Duration::days(query.days - 1);
        let (calendar, timezone, country) = self.store_calendar(&location, from, to).await?;
        let days =
            from.iter_days().take(usize::try_from(query.days).unwrap_or(1)).map(|date| calendar.day(date)).collect();
        Ok(CalendarView {
            location_id: location.id,
            timezone,
            country,
            has_weekly_hours: location.storefront.opening_hours_json.is_some(),
            days,
        })
    }
}
