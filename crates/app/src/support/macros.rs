//! The desk's macros (issue 18 point 2): canned answers agents write once and insert in a
//! reply, with `{store}`, `{number}`, `{subject}`, `{agent}` and `{cashier}` filled for the
//! ticket at hand. One set for the whole desk — agents and admins read and write it; a store
//! never sees it (to a store the routes answer 403, as for any desk-only tool).
//!
//! A placeholder outside the known set is refused when the macro is saved
//! ([`omnicanal_domain::support::macros::unknown_placeholders`]), so a store never reads a
//! literal `{tienda}`.

use omnicanal_domain::support::macros::{MACRO_PLACEHOLDERS, unknown_placeholders};
use omnicanal_store::{Page, SupportMacroRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::support::tickets::AGENT_ROLES;
use crate::validation::Validator;

/// Longest title, in characters.
pub const MAX_MACRO_TITLE_CHARS: usize = 120;
/// Longest body, in characters (a reply's own limit would refuse more anyway).
pub const MAX_MACRO_BODY_CHARS: usize = 5_000;

/// A macro's title and body, as written by an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroText {
    /// Trimmed, 1 to 120 characters.
    pub title: String,
    /// Trimmed, 1 to 5,000 characters, only known placeholders.
    pub body: String,
}

impl MacroText {
    /// Parses a macro, reporting every bad field.
    pub fn parse(title: &str, body: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let title = title.trim();
        if title.is_empty() {
            v.push("title", "is required");
        } else if title.chars().count() > MAX_MACRO_TITLE_CHARS {
            v.push("title", format!("must be at most {MAX_MACRO_TITLE_CHARS} characters"));
        }
        let body = body.trim();
        if body.is_empty() {
            v.push("body", "is required");
        } else if body.chars().count() > MAX_MACRO_BODY_CHARS {
            v.push("body", format!("must be at most {MAX_MACRO_BODY_CHARS} characters"));
        } else {
            let unknown = unknown_placeholders(body);
            if !unknown.is_empty() {
                let named: Vec<String> = unknown.iter().map(|name| format!("{{{name}}}")).collect();
                let known: Vec<String> = MACRO_PLACEHOLDERS.iter().map(|name| format!("{{{name}}}")).collect();
                v.push("body", format!("unknown placeholder {}; use {}", named.join(", "), known.join(", ")));
            }
        }
        v.done(|| Some(Self { title: title.to_owned(), body: body.to_owned() }))
    }
}

/// A change to a macro: either field may be left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroChange {
    /// A new title.
    pub title: Option<String>,
    /// A new body.
    pub body: Option<String>,
}

impl MacroChange {
    /// Parses a change, reporting every bad field (at least one must be given).
    pub fn parse(title: Option<&str>, body: Option<&str>) -> AppResult<Self> {
        if title.is_none() && body.is_none() {
            return Err(AppError::invalid("title", "name at least one of title or body"));
        }
        // Each given field is checked by the same rules as a new macro's.
        let checked = MacroText::parse(title.unwrap_or("-"), body.unwrap_or("-"))?;
        Ok(Self { title: title.map(|_| checked.title.clone()), body: body.map(|_| checked.body) })
    }
}

impl App {
    /// The desk's macros by title, with the count of all.
    pub async fn support_macros(&self, caller: &Caller, page: Page) -> AppResult<(Vec<SupportMacroRow>, i64)> {
        caller.require(&AGENT_ROLES)?;
        Ok(self.store.list_support_macros(page).await?)
    }

    /// Saves a new macro.
    pub async fn create_support_macro(&self, caller: &Caller, text: MacroText) -> AppResult<SupportMacroRow> {
        caller.require(&AGENT_ROLES)?;
        let now = self.now_ms();
        let row = SupportMacroRow {
            id: new_id("mac"),
            title: text.title,
            body: text.body,
            created_by: caller.id.clone(),
            created_ms: now,
            updated_ms: now,
        };
        self.store.insert_support_macro(&row).await?;
        Ok(row)
    }

    /// Changes a macro's title or body.
    pub async fn update_support_macro(
        &self,
        caller: &Caller,
        id: &str,
        change: MacroChange,
    ) -> AppResult<SupportMacroRow> {
        caller.require(&AGENT_ROLES)?;
        let found = self.store.get_support_macro(id).await?.ok_or(AppError::NotFound("macro"))?;
        let row = SupportMacroRow {
            title: change.title.unwrap_or(found.title),
            body: change.body.unwrap_or(found.body),
            updated_ms: self.now_ms(),
            ..found
        };
        self.store.update_support_macro(&row).await.map_err(|error| match error {
            omnicanal_store::StoreError::NotFound => AppError::NotFound("macro"),
            other => other.into(),
        })?;
        Ok(row)
    }

    /// Removes a macro.
    pub async fn delete_support_macro(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(&AGENT_ROLES)?;
        self.store.delete_support_macro(id).await.map_err(|error| match error {
            omnicanal_store::StoreError::NotFound => AppError::NotFound("macro"),
            other => other.into(),
        })
    }
}

#[cfg(test)]
mod tests;
