//! Sites (malls, food halls): created and tuned by the platform's admins, listed to anyone
//! signed in, and read by anyone at all, since a customer reaches a site from a QR code.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{Country, Name};
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{Page, SetupOrder, SiteRow};

use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Longest acceptance limit a site may set, in minutes (four hours).
pub const MAX_ACCEPT_WITHIN_MINUTES: i64 = 240;

/// A new site, parsed: its name, its country (which fixes its currency) and an IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSite {
    /// Display name.
    pub name: Name,
    /// Country; the site prices in its currency.
    pub country: Country,
    /// IANA time zone such as America/Santiago.
    pub timezone: String,
}

impl NewSite {
    /// Parses a new site, reporting every bad field; `currency` must be the country's own.
    pub fn parse(name: &str, country: &str, currency: &str, timezone: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse("name", name));
        let country = v.check("country", Country::parse(country));
        if let Some(country) = country
            && country.currency().code() != currency
        {
            v.push("currency", format!("a site in {} prices in {}", country.code(), country.currency()));
        }
        if timezone.parse::<chrono_tz::Tz>().is_err() {
            v.push("timezone", "must be an IANA time zone such as America/Santiago");
        }
        v.done(|| Some(Self { name: name?, country: country?, timezone: timezone.to_owned() }))
    }
}

/// Changes to a site's name and acceptance rule; at least one is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteChanges {
    /// A new display name.
    pub name: Option<Name>,
    /// The new acceptance limit: `Some(None)` removes it, `Some(Some(minutes))` sets it.
    pub accept_within_minutes: Option<Option<i64>>,
    /// What happens to a part not accepted in time.
    pub unaccepted_policy: Option<UnacceptedPolicy>,
}

impl SiteChanges {
    /// Parses the changes: a limit of 0 (none) to 240 minutes, a policy word, or both.
    pub fn parse(accept_within_minutes: Option<i64>, unaccepted_policy: Option<&str>) -> AppResult<Self> {
        Self::parse_with_name(None, accept_within_minutes, unaccepted_policy)
    }

    /// Parses the changes with a new name too: a name, a limit, a policy, or any of them.
    pub fn parse_with_name(
        name: Option<&str>,
        accept_within_minutes: Option<i64>,
        unaccepted_policy: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let new_name = match name {
            Some(name) => v.check("name", Name::parse("name", name)),
            None => None,
        };
        let limit = match accept_within_minutes {
            Some(0) => Some(None),
            Some(minutes @ 1..=MAX_ACCEPT_WITHIN_MINUTES) => Some(Some(minutes)),
            Some(_) => {
                v.push("accept_within_minutes", "must be 0 (no limit) to 240");
                None
            }
            None => None,
        };
        let policy = match unaccepted_policy.map(UnacceptedPolicy::parse) {
            Some(Ok(policy)) => Some(policy),
            Some(Err(_)) => {
                v.push("unaccepted_policy", "must be cancel_and_refund or notify_only");
                None
            }
            None => None,
        };
        if name.is_none() && accept_within_minutes.is_none() && unaccepted_policy.is_none() {
            v.push("accept_within_minutes", "give name, accept_within_minutes, unaccepted_policy or several");
        }
        v.done(|| Some(Self { name: new_name, accept_within_minutes: limit, unaccepted_policy: policy }))
    }
}

impl App {
    /// Creates a site (admins only), with no acceptance limit and the default policy.
    pub async fn create_site(&self, caller: &Caller, site: NewSite) -> AppResult<SiteRow> {
        caller.require(&[Role::Admin])?;
        let row = SiteRow {
            id: new_id("site"),
            name: site.name.into_inner(),
            country: site.country,
            currency: site.country.currency(),
            timezone: site.timezone,
            accept_within_minutes: None,
            unaccepted_policy: UnacceptedPolicy::default(),
            created_at_ms: self.now_ms(),
        };
        self.store.insert_site(&row).await?;
        self.record_change(caller, Change::created(AuditEntity::Site, &row.id, None, &row)).await;
        Ok(row)
    }

    /// A page of sites. Every signed-in user may list them: which sites exist is no secret
    /// (their menus are public), so the edge's authentication is the only check.
    pub async fn list_sites(&self, page: Page) -> AppResult<Vec<SiteRow>> {
        Ok(self.store.list_sites(page).await?)
    }

    /// A page of the sites whose name contains `text` (any case); for anyone signed in, as
    /// [`App::list_sites`].
    pub async fn search_sites(&self, text: &str, order: SetupOrder, page: Page) -> AppResult<Vec<SiteRow>> {
        Ok(self.store.search_sites(text, order, page).await?)
    }

    /// One site, for anyone (customers reach it from a QR code).
    pub async fn site(&self, id: &str) -> AppResult<SiteRow> {
        self.store.get_site(id).await?.ok_or(AppError::NotFound("site"))
    }

    /// Changes a site's name, acceptance limit, policy or several (admins only).
    pub async fn update_site(&self, caller: &Caller, id: &str, changes: SiteChanges) -> AppResult<SiteRow> {
        caller.require(&[Role::Admin])?;
        let mut site = self.site(id).await?;
        let before = site.clone();
        if let Some(name) = changes.name {
            site.name = name.into_inner();
        }
        if let Some(limit) = changes.accept_within_minutes {
            site.accept_within_minutes = limit;
        }
        if let Some(policy) = changes.unaccepted_policy {
            site.unaccepted_policy = policy;
        }
        self.store.update_site_settings(&site).await.map_err(|error| match error {
            omnicanal_store::StoreError::NotFound => AppError::NotFound("site"),
            other => other.into(),
        })?;
        self.record_change(caller, Change::updated(AuditEntity::Site, &site.id, None, &before, &site)).await;
        Ok(site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Invalid(errors) => errors.into_iter().map(|error| error.field).collect(),
            other => vec![other.to_string()],
        }
    }

    #[test]
    fn a_site_prices_in_its_countrys_currency() {
        let site = NewSite::parse(" Costanera ", "CL", "CLP", "America/Santiago");
        assert_eq!(
            site.map(|site| (site.name.into_inner(), site.country)).ok(),
            Some(("Costanera".into(), Country::Chile))
        );
        let refused = NewSite::parse("", "CL", "PEN", "Mars/Olympus").err().map(fields);
        assert_eq!(refused, Some(vec!["name".into(), "currency".into(), "timezone".into()]));
    }

    #[test]
    fn site_changes_need_one_field_and_bounds() {
        assert_eq!(SiteChanges::parse(Some(0), None).ok().map(|c| c.accept_within_minutes), Some(Some(None)));
        let both = SiteChanges::parse(Some(240), Some("notify_only")).ok();
        assert_eq!(both.map(|c| c.unaccepted_policy), Some(Some(UnacceptedPolicy::NotifyOnly)));
        assert_eq!(SiteChanges::parse(None, None).err().map(fields), Some(vec!["accept_within_minutes".into()]));
        let refused = SiteChanges::parse(Some(241), Some("later")).err().map(fields);
        assert_eq!(refused, Some(vec!["accept_within_minutes".into(), "unaccepted_policy".into()]));
    }
}
