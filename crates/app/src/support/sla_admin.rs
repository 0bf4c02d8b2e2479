//! Managing SLA policies and special days (issue 18 point 3): admins and support agents read
//! and edit them; every other role is refused.
//!
//! A policy is edited whole per scope (the platform's, or one merchant's overriding it), as
//! the console's form shows it, so a PUT is the new truth and nothing half-applied stays.
//! Special days are created and deleted one by one, each for one scope (platform-wide, a
//! merchant, a site, or a merchant at a site) and local date.

use omnicanal_domain::access::Role;
use omnicanal_domain::support::calendar::DayHours;
use omnicanal_domain::support::sla::{SlaPolicy, SlaRule, SlaTargets};
use omnicanal_domain::support::{TicketCategory, TicketPriority};
use omnicanal_store::{Page, SlaRuleRow, SpecialDayFilter, SpecialDayRow};

use super::sla::{parse_date, policy_from};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// The roles that manage the desk's SLAs.
pub const SLA_EDITORS: &[Role] = &[Role::Admin, Role::SupportAgent];
/// Most rules one scope may hold: one per priority and category, plus one per priority for
/// any category.
pub const MAX_RULES: usize = 28;
/// Longest name of a special day.
pub const MAX_SPECIAL_DAY_NAME: usize = 80;

/// One rule as a request gives it, before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSlaRule {
    /// `urgent`, `high`, `normal` or `low`.
    pub priority: String,
    /// A category word, or None for any.
    pub category: Option<String>,
    /// Business minutes to the first response.
    pub first_response_minutes: i64,
    /// Business minutes to the resolution.
    pub resolution_minutes: i64,
    /// On special days with tighter targets (both or neither).
    pub special_day_first_response_minutes: Option<i64>,
    /// On special days with tighter targets (both or neither).
    pub special_day_resolution_minutes: Option<i64>,
}

/// A scope's new policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicyEdit {
    /// The merchant whose policy it is; None: the platform's.
    pub merchant_id: Option<String>,
    /// The rules, checked.
    pub rules: Vec<SlaRule>,
}

impl SlaPolicyEdit {
    /// Parses a policy; every bad field is reported (`rules[2].resolution_minutes`).
    pub fn parse(merchant_id: Option<String>, raw: &[RawSlaRule]) -> AppResult<Self> {
        let mut v = Validator::new();
        if raw.len() > MAX_RULES {
            v.push("rules", format!("at most {MAX_RULES} rules"));
        }
        let mut rules: Vec<SlaRule> = Vec::with_capacity(raw.len());
        for (index, rule) in raw.iter().enumerate() {
            let field = format!("rules[{index}].");
            let priority = v.check(&format!("{field}priority"), TicketPriority::parse(&rule.priority));
            let category = match rule.category.as_deref() {
                None => Some(None),
                Some(word) => v.check(&format!("{field}category"), TicketCategory::parse(word)).map(Some),
            };
            let targets = v.check_targets(&field, rule.first_response_minutes, rule.resolution_minutes);
            let special = match (rule.special_day_first_response_minutes, rule.special_day_resolution_minutes) {
                (None, None) => Some(None),
                (Some(first), Some(resolution)) => {
                    v.check_targets(&format!("{field}special_day_"), first, resolution).map(Some)
                }
                _ => {
                    v.push(
                        format!("{field}special_day_resolution_minutes"),
                        "give both special-day targets or neither",
                    );
                    None
                }
            };
            let (Some(priority), Some(category), Some(targets), Some(special)) = (priority, category, targets, special)
            else {
                continue;
            };
            if rules.iter().any(|other| other.priority == priority && other.category == category) {
                v.push(format!("{field}category"), "a rule for this priority and category is already listed");
                continue;
            }
            if let Some(rule) = v.check(
                &format!("{field}special_day_first_response_minutes"),
                SlaRule::new("", priority, category, targets, special),
            ) {
                rules.push(rule);
            }
        }
        let merchant_id = merchant_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        v.finish()?;
        Ok(Self { merchant_id, rules })
    }
}

trait CheckTargets {
    fn check_targets(&mut self, field: &str, first: i64, resolution: i64) -> Option<SlaTargets>;
}

impl CheckTargets for Validator {
    /// Targets, with their own field names kept (`rules[0].special_day_first_response_minutes`).
    fn check_targets(&mut self, field: &str, first: i64, resolution: i64) -> Option<SlaTargets> {
        match SlaTargets::new(field, first, resolution) {
            Ok(targets) => Some(targets),
            Err(omnicanal_domain::DomainError::Invalid { field, message }) => {
                self.push(field, message);
                None
            }
            Err(other) => {
                self.push(field.trim_end_matches('.'), other.to_string());
                None
            }
        }
    }
}

/// The targets one priority and category get, after every layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveTargets {
    /// The priority.
    pub priority: TicketPriority,
    /// The category.
    pub category: TicketCategory,
    /// On ordinary days.
    pub targets: SlaTargets,
    /// On special days with tighter targets.
    pub special_day_targets: SlaTargets,
}

/// A scope's policy as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicyView {
    /// The merchant; None: the platform.
    pub merchant_id: Option<String>,
    /// The scope's own rules.
    pub rules: Vec<SlaRuleRow>,
    /// The platform's rules underneath (empty when the scope is the platform).
    pub platform_rules: Vec<SlaRuleRow>,
    /// What every priority and category gets after the layers and the built-in default.
    pub effective: Vec<EffectiveTargets>,
}

/// A new special day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpecialDay {
    /// Only this merchant's locations.
    pub merchant_id: Option<String>,
    /// Only locations at this site.
    pub site_id: Option<String>,
    /// The local date.
    pub date: chrono::NaiveDate,
    /// What it is.
    pub name: String,
    /// The day's hours; None: the usual ones.
    pub hours: Option<DayHours>,
    /// Whether tighter targets apply to tickets opened that day.
    pub tighter_targets: bool,
}

impl NewSpecialDay {
    /// Parses a special day; `hours` are `HH:MM` ranges (empty: closed). Every bad field is
    /// reported.
    pub fn parse(
        merchant_id: Option<String>,
        site_id: Option<String>,
        date: &str,
        name: &str,
        hours: Option<Vec<(String, String)>>,
        tighter_targets: bool,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let parsed_date = parse_date(date);
        if parsed_date.is_none() {
            v.push("date", "must be a date YYYY-MM-DD between 2000 and 2100");
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_SPECIAL_DAY_NAME {
            v.push("name", format!("must be 1 to {MAX_SPECIAL_DAY_NAME} characters"));
        }
        let hours = match hours {
            None => Some(None),
            Some(ranges) => {
                let json = serde_json::to_string(&ranges).unwrap_or_default();
                v.check("hours", DayHours::parse("hours", &json)).map(Some)
            }
        };
        let tidy = |id: Option<String>| id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        v.finish()?;
        match (parsed_date, hours) {
            (Some(date), Some(hours)) => Ok(Self {
                merchant_id: tidy(merchant_id),
                site_id: tidy(site_id),
                date,
                name: name.to_owned(),
                hours,
                tighter_targets,
            }),
            _ => Err(AppError::internal("a validated special day is missing a field")),
        }
    }
}

/// Which special days to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecialDayQuery {
    /// Only this merchant's own.
    pub merchant_id: Option<String>,
    /// Only this site's own.
    pub site_id: Option<String>,
    /// From this date on.
    pub from: Option<chrono::NaiveDate>,
    /// Up to this date.
    pub to: Option<chrono::NaiveDate>,
    /// Paging.
    pub page: Page,
}

impl SpecialDayQuery {
    /// Parses the list's filters.
    pub fn parse(
        merchant_id: Option<String>,
        site_id: Option<String>,
        from: Option<&str>,
        to: Option<&str>,
        page: Page,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let mut date = |field: &str, raw: Option<&str>| {
            raw.and_then(|raw| {
                let parsed = parse_date(raw);
                if parsed.is_none() {
                    v.push(field, "must be a date YYYY-MM-DD between 2000 and 2100");
                }
                parsed
            })
        };
        let (from, to) = (date("from", from), date("to", to));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            v.push("to", "must not be before from");
        }
        v.finish()?;
        Ok(Self { merchant_id, site_id, from, to, page })
    }
}

fn row_of(rule: &SlaRule, merchant_id: Option<&str>, now_ms: i64, by: &str) -> SlaRuleRow {
    SlaRuleRow {
        merchant_id: merchant_id.map(str::to_owned),
        priority: rule.priority,
        category: rule.category,
        first_response_minutes: rule.targets.first_response_minutes,
        resolution_minutes: rule.targets.resolution_minutes,
        special_first_response_minutes: rule.special_day_targets.map(|t| t.first_response_minutes),
        special_resolution_minutes: rule.special_day_targets.map(|t| t.resolution_minutes),
        updated_at_ms: now_ms,
        updated_by: Some(by.to_owned()),
    }
}

fn effective(policy: &SlaPolicy) -> Vec<EffectiveTargets> {
    let mut all = Vec::with_capacity(TicketPriority::ALL.len() * TicketCategory::ALL.len());
    for priority in [TicketPriority::Urgent, TicketPriority::High, TicketPriority::Normal, TicketPriority::Low] {
        for category in TicketCategory::ALL.iter().copied() {
            all.push(EffectiveTargets {
                priority,
                category,
                targets: policy.targets(priority, category, false),
                special_day_targets: policy.targets(priority, category, true),
            });
        }
    }
    all
}

impl App {
    /// Checks that a merchant named by an SLA edit exists (`NotFound` otherwise).
    async fn sla_merchant(&self, merchant_id: Option<&str>) -> AppResult<()> {
        if let Some(id) = merchant_id {
            self.store.get_merchant(id).await?.ok_or(AppError::NotFound("merchant"))?;
        }
        Ok(())
    }

    /// A scope's SLA policy: its own rules, the platform's beneath, and what each priority and
    /// category gets in the end.
    pub async fn sla_policy(&self, caller: &Caller, merchant_id: Option<&str>) -> AppResult<SlaPolicyView> {
        caller.require(SLA_EDITORS)?;
        self.sla_merchant(merchant_id).await?;
        let rules = self.store.list_sla_rules(merchant_id).await?;
        let platform_rules = if merchant_id.is_some() { self.store.list_sla_rules(None).await? } else { Vec::new() };
        let all: Vec<SlaRuleRow> = rules.iter().chain(&platform_rules).cloned().collect();
        let effective = effective(&policy_from(&all)?);
        Ok(SlaPolicyView { merchant_id: merchant_id.map(str::to_owned), rules, platform_rules, effective })
    }

    /// Replaces a scope's SLA policy whole.
    pub async fn replace_sla_policy(&self, caller: &Caller, edit: SlaPolicyEdit) -> AppResult<SlaPolicyView> {
        caller.require(SLA_EDITORS)?;
        let scope = edit.merchant_id.as_deref();
        self.sla_merchant(scope).await?;
        let now = self.now_ms();
        let rows: Vec<SlaRuleRow> = edit.rules.iter().map(|rule| row_of(rule, scope, now, &caller.id)).collect();
        self.store.replace_sla_rules(scope, &rows).await?;
        self.sla_policy(caller, scope).await
    }

    /// Creates a special day; one scope has one per date (`AlreadyExists` on `date`).
    pub async fn create_special_day(&self, caller: &Caller, new: NewSpecialDay) -> AppResult<SpecialDayRow> {
        caller.require(SLA_EDITORS)?;
        self.sla_merchant(new.merchant_id.as_deref()).await?;
        if let Some(site_id) = &new.site_id {
            self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))?;
        }
        let row = SpecialDayRow {
            id: new_id("spd"),
            merchant_id: new.merchant_id,
            site_id: new.site_id,
            date: new.date.format("%Y-%m-%d").to_string(),
            name: new.name,
            hours_json: new.hours.map(|hours| hours.to_json()),
            tighter_targets: new.tighter_targets,
            created_at_ms: self.now_ms(),
            created_by: Some(caller.id.clone()),
        };
        if !self.store.insert_special_day(&row).await? {
            return Err(AppError::AlreadyExists {
                field: "date",
                message: format!("this scope already has a special day on {}", row.date),
            });
        }
        Ok(row)
    }

    /// Special days by scope and dates, by date.
    pub async fn list_special_days(&self, caller: &Caller, query: SpecialDayQuery) -> AppResult<Vec<SpecialDayRow>> {
        caller.require(SLA_EDITORS)?;
        let date = |date: Option<chrono::NaiveDate>| date.map(|d| d.format("%Y-%m-%d").to_string());
        let filter = SpecialDayFilter {
            merchant_id: query.merchant_id,
            site_id: query.site_id,
            from_date: date(query.from),
            to_date: date(query.to),
        };
        Ok(self.store.list_special_days(&filter, query.page).await?)
    }

    /// Deletes a special day.
    pub async fn delete_special_day(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(SLA_EDITORS)?;
        if self.store.delete_special_day(id).await? { Ok(()) } else { Err(AppError::NotFound("special day")) }
    }
}
