//! The dashboard: one reporting use case over [`ReportingStore`](omnicanal_store::ReportingStore). It decides whose figures the
//! caller may read (an admin every merchant, a merchant manager only its own; anyone else is
//! forbidden), which days count (the last 7 or 30, in the site's time zone) and folds the
//! database's per-UTC-hour groups into local hours of the day and local days.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Timelike};
use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_store::{RejectionRow, ReportGroupRow, ReportScope, SiteRow, TopProductRow};

use crate::App;
use crate::caller::Caller;
use crate::console::day::{local_date, local_day_start_ms};
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// The roles that read a dashboard.
pub const DASHBOARD_ROLES: [Role; 2] = [Role::Admin, Role::MerchantManager];

/// What the dashboard shows, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardQuery {
    /// The last 7 or 30 days, today included.
    pub days: i64,
    /// Only this site.
    pub site_id: Option<String>,
}

impl DashboardQuery {
    /// Parses `days` (7 or 30, 7 when absent) and the site (blank: every site).
    pub fn parse(days: Option<&str>, site_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let days = match days.map(str::trim).filter(|raw| !raw.is_empty()) {
            None => 7,
            Some("7") => 7,
            Some("30") => 30,
            Some(_) => {
                v.push("days", "must be 7 or 30");
                7
            }
        };
        let site_id = site_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        if site_id.as_ref().is_some_and(|id| id.len() > 64) {
            v.push("site_id", "must be at most 64 characters");
        }
        v.finish()?;
        Ok(Self { days, site_id })
    }
}

/// One bar of a chart: its label and figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// The key (an hour `00`–`23`, a date, a channel, a merchant id, a SKU).
    pub key: String,
    /// What people read.
    pub label: String,
    /// Orders (parts and till sales), or units for a product.
    pub count: i64,
    /// Sales, minor units.
    pub gross_minor: i64,
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The days covered.
    pub days: i64,
    /// The first day, local.
    pub first_day: NaiveDate,
    /// The last day (today), local.
    pub last_day: NaiveDate,
    /// The time zone the days and hours are counted in.
    pub timezone: String,
    /// The currency of the figures.
    pub currency: Currency,
    /// The site the figures are held to: the one chosen, or the first when the sites sell in
    /// several currencies.
    pub site_id: Option<String>,
    /// The sites the caller may choose from.
    pub sites: Vec<SiteRow>,
    /// The merchant the figures are held to (a manager's own).
    pub merchant_id: Option<String>,
    /// Orders and sales in all.
    pub total: Figure,
    /// The 24 hours of the day, `00` to `23`.
    pub by_hour: Vec<Figure>,
    /// Every day of the period, oldest first (days without sales at zero).
    pub by_day: Vec<Figure>,
    /// Per channel.
    pub by_channel: Vec<Figure>,
    /// Per merchant, most sales first.
    pub by_merchant: Vec<Figure>,
    /// Rejected and cancelled parts per reason.
    pub rejections: Vec<RejectionRow>,
    /// The best-selling products (count: units).
    pub top_products: Vec<Figure>,
    /// Refunded for the parts placed in the period, minor units.
    pub refunds_minor: i64,
    /// Average seconds from placement to the kitchen's acceptance (None: nothing accepted).
    pub avg_accept_seconds: Option<i64>,
    /// Average promised preparation minutes (None: none promised).
    pub avg_prep_minutes: Option<i64>,
    /// Average seconds a part really took from acceptance to ready (None: none made ready).
    pub avg_ready_seconds: Option<i64>,
    /// Average seconds from ready to collected: how long customers took to pick up (None: none
    /// collected).
    pub avg_collect_seconds: Option<i64>,
}

fn figure(row: &ReportGroupRow) -> Figure {
    Figure { key: row.key.clone(), label: row.label.clone(), count: row.orders, gross_minor: row.gross_minor }
}

fn product(row: &TopProductRow) -> Figure {
    Figure { key: row.sku.clone(), label: row.name.clone(), count: row.units, gross_minor: row.gross_minor }
}

impl App {
    /// The dashboard of the caller's scope: an admin's across every merchant (or one site), a
    /// manager's across its own locations. Another merchant's figures are never read; a site
    /// the caller has nothing at is not found.
    pub async fn dashboard(&self, caller: &Caller, query: DashboardQuery) -> AppResult<Dashboard> {
        caller.require(&DASHBOARD_ROLES)?;
        let merchant_id = match caller.role {
            Role::Admin => None,
            _ => Some(caller.merchant_id.clone().ok_or(AppError::NotFound("merchant"))?),
        };
        let sites = match &merchant_id {
            None => self.store.list_sites(omnicanal_store::Page { limit: 500, offset: 0 }).await?,
            Some(merchant) => {
                let mut sites: Vec<SiteRow> = Vec::new();
                for location in self.store.list_merchant_locations(merchant).await? {
                    if sites.iter().all(|site| site.id != location.site_id)
                        && let Some(site) = self.store.get_site(&location.site_id).await?
                    {
                        sites.push(site);
                    }
                }
                sites
            }
        };
        let site = match &query.site_id {
            Some(id) => Some(sites.iter().find(|site| &site.id == id).cloned().ok_or(AppError::NotFound("site"))?),
            // Sales in different currencies do not add up: with sites in several, the first
            // site is shown until another is chosen.
            None if sites.iter().any(|site| site.currency != sites[0].currency) => sites.first().cloned(),
            None => None,
        };
        let site_id = site.as_ref().map(|site| site.id.clone());
        let (currency, timezone) = match site.as_ref().or(sites.first()) {
            Some(site) => (site.currency, site.timezone.clone()),
            None => (Currency::Clp, "UTC".to_owned()),
        };
        let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let last_day = local_date(zone, self.now_ms());
        let first_day = last_day - Duration::days(query.days - 1);
        let from_ms = local_day_start_ms(zone, first_day);
        let to_ms = last_day.succ_opt().map_or(i64::MAX, |next| local_day_start_ms(zone, next));
        let scope = ReportScope { from_ms, to_ms, merchant_id: merchant_id.clone(), site_id: site_id.clone() };
        let report = self.store.sales_report(&scope).await?;

        let mut hours = vec![(0_i64, 0_i64); 24];
        let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
        for row in &report.hours {
            let Some(at) = row.key.parse::<i64>().ok().and_then(|ms| zone.timestamp_millis_opt(ms).single()) else {
                continue;
            };
            let hour = &mut hours[at.hour() as usize];
            hour.0 += row.orders;
            hour.1 += row.gross_minor;
            let day = days.entry(at.date_naive()).or_default();
            day.0 += row.orders;
            day.1 += row.gross_minor;
        }
        let by_hour = hours
            .iter()
            .enumerate()
            .map(|(hour, (count, gross))| Figure {
                key: format!("{hour:02}"),
                label: format!("{hour:02}"),
                count: *count,
                gross_minor: *gross,
            })
            .collect();
        let by_day = first_day
            .iter_days()
            .take_while(|day| *day <= last_day)
            .map(|day| {
                let (count, gross) = days.get(&day).copied().unwrap_or_default();
                Figure { key: day.to_string(), label: day.format("%d/%m").to_string(), count, gross_minor: gross }
            })
            .collect();
        let by_channel: Vec<Figure> = report.channels.iter().map(figure).collect();
        let total = Figure {
            key: "total".into(),
            label: "total".into(),
            count: by_channel.iter().map(|f| f.count).sum(),
            gross_minor: by_channel.iter().map(|f| f.gross_minor).sum(),
        };
        let summary = &report.summary;
        let avg_accept_seconds = (summary.accepted > 0).then(|| summary.accept_ms / summary.accepted / 1000);
        let avg_prep_minutes = (summary.prepared > 0).then(|| summary.prep_minutes / summary.prepared);
        let avg_ready_seconds = (summary.readied > 0).then(|| summary.ready_ms / summary.readied / 1000);
        let avg_collect_seconds = (summary.collected > 0).then(|| summary.collect_ms / summary.collected / 1000);
        Ok(Dashboard {
            refunds_minor: summary.refunds_minor,
            avg_accept_seconds,
            avg_prep_minutes,
            avg_ready_seconds,
            avg_collect_seconds,
            days: query.days,
            first_day,
            last_day,
            timezone,
            currency,
            site_id,
            sites,
            merchant_id,
            total,
            by_hour,
            by_day,
            by_channel,
            by_merchant: report.merchants.iter().map(figure).collect(),
            rejections: report.rejections,
            top_products: report.top_products.iter().map(product).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_7_or_30_days() -> AppResult<()> {
        assert_eq!(DashboardQuery::parse(None, Some(" "))?, DashboardQuery { days: 7, site_id: None });
        assert_eq!(DashboardQuery::parse(Some("30"), Some("site_1"))?.days, 30);
        assert!(matches!(DashboardQuery::parse(Some("365"), None), Err(AppError::Invalid(_))));
        Ok(())
    }
}
