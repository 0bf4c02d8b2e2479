//! A day's takings of a merchant (or one of its locations) by channel, the day counted in the
//! site's time zone: the parts placed that day, what was captured and refunded for them.

use chrono::NaiveDate;
use omnicanal_domain::Currency;
use omnicanal_store::TakingsRow;

use super::day::{local_date, local_day_start_ms};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Which day, and where, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakingsQuery {
    /// The day in the site's time zone; today when absent.
    pub date: Option<NaiveDate>,
    /// Only this location (staff: only their own).
    pub location_id: Option<String>,
}

impl TakingsQuery {
    /// Parses the day (`YYYY-MM-DD`).
    pub fn parse(date: Option<&str>, location_id: Option<String>) -> AppResult<Self> {
        let mut v = Validator::new();
        let date = match date {
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    v.push("date", "must be YYYY-MM-DD");
                    None
                }
            },
            None => None,
        };
        v.finish()?;
        Ok(Self { date, location_id })
    }
}

/// A day's takings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Takings {
    /// The merchant.
    pub merchant_id: String,
    /// The location, when one was chosen (or the staff member's own).
    pub location_id: Option<String>,
    /// The day.
    pub date: NaiveDate,
    /// The time zone the day is counted in.
    pub timezone: String,
    /// The currency of the figures.
    pub currency: Currency,
    /// The day's start (local midnight), Unix milliseconds.
    pub from_ms: i64,
    /// The next day's start.
    pub to_ms: i64,
    /// Per channel, by channel; channels without parts are left out.
    pub channels: Vec<TakingsRow>,
    /// Returns taken that day where they happened (at this location, or any of the merchant's),
    /// whatever channel or day the goods were bought in (issue 17 point 6).
    pub returns: Vec<omnicanal_store::ReturnRow>,
}

impl App {
    /// The day's takings by channel (managers and platform users: any location of the merchant
    /// or all; staff: their own location).
    pub async fn takings(&self, caller: &Caller, merchant_id: &str, query: TakingsQuery) -> AppResult<Takings> {
        let merchant = self.readable_merchant(caller, merchant_id).await?;
        let location = self.scoped_location(caller, &merchant.id, query.location_id.as_deref()).await?;
        let (currency, timezone) = match &location {
            Some(location) => {
                let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
                (site.currency, site.timezone)
            }
            None => self.merchant_home(&merchant.id).await?,
        };
        let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let date = query.date.unwrap_or_else(|| local_date(zone, self.now_ms()));
        let from_ms = local_day_start_ms(zone, date);
        let to_ms = date.succ_opt().map_or(i64::MAX, |next| local_day_start_ms(zone, next));
        let location_id = location.map(|location| location.id);
        let channels = self.store.takings_by_channel(&merchant.id, location_id.as_deref(), from_ms, to_ms).await?;
        let returns = self.store.list_returns_between(&merchant.id, location_id.as_deref(), from_ms, to_ms).await?;
        Ok(Takings {
            merchant_id: merchant.id,
            location_id,
            date,
            timezone,
            currency,
            from_ms,
            to_ms,
            channels,
            returns,
        })
    }
}
