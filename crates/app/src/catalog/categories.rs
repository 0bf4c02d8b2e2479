//! A merchant's menu categories (issue 15 point 2). A category is only a word on its products,
//! so the list is counted from them and a rename moves every product of the merchant that
//! carries the old word, in one statement: no product is left behind under the old name.

use omnicanal_domain::access::Role;
use omnicanal_store::CategoryRow;

use super::products::MAX_CATEGORY_CHARS;
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// A rename, checked: both names trimmed, the new one 1 to [`MAX_CATEGORY_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRename {
    /// The category as written on the products now.
    pub from: String,
    /// Its new name (an existing one merges the two).
    pub to: String,
}

impl CategoryRename {
    /// Parses a rename, reporting each bad field (`from`, `to`).
    pub fn parse(from: &str, to: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let from = from.trim();
        let to = to.trim();
        if from.is_empty() {
            v.push("from", "name the category to rename");
        }
        if to.is_empty() {
            v.push("to", "a category needs a name");
        } else if to.chars().count() > MAX_CATEGORY_CHARS {
            v.push("to", format!("must be at most {MAX_CATEGORY_CHARS} characters"));
        } else if to.chars().any(char::is_control) {
            v.push("to", "must be one line of text");
        }
        v.finish()?;
        Ok(Self { from: from.to_owned(), to: to.to_owned() })
    }
}

impl App {
    /// A merchant's categories with their product counts, for an admin or the merchant's
    /// manager (404 across merchants).
    pub async fn merchant_categories(&self, caller: &Caller, merchant_id: &str) -> AppResult<Vec<CategoryRow>> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        caller.check_merchant(merchant_id, "merchant")?;
        self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        Ok(self.store.merchant_categories(merchant_id).await?)
    }

    /// Renames a category on every product of the merchant; returns how many products moved.
    /// A category no product carries is `NotFound("category")`.
    pub async fn rename_category(&self, caller: &Caller, merchant_id: &str, rename: &CategoryRename) -> AppResult<i64> {
        let categories = self.merchant_categories(caller, merchant_id).await?;
        if !categories.iter().any(|category| category.name == rename.from) {
            return Err(AppError::NotFound("category"));
        }
        let moved = self.store.rename_category(merchant_id, &rename.from, &rename.to).await?;
        // A category is a word on products, not a row: the entry is about the merchant's
        // catalogue, keyed by the old name.
        let change = Change::new(
            AuditEntity::Product,
            &format!("category:{}", rename.from),
            AuditAction::Updated,
            Some(merchant_id),
        )
        .values(
            Some(serde_json::json!({"category": rename.from})),
            Some(serde_json::json!({"category": rename.to, "products": moved})),
        );
        self.record_change(caller, change).await;
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_needs_both_names_and_a_short_new_one() {
        assert_eq!(
            CategoryRename::parse(" Pizzas ", " Pizzas al horno ").ok(),
            Some(CategoryRename { from: "Pizzas".into(), to: "Pizzas al horno".into() })
        );
        let fields = |result: AppResult<CategoryRename>| match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("expected invalid fields, got {other:?}"),
        };
        assert_eq!(fields(CategoryRename::parse("", " ")), ["from", "to"]);
        assert_eq!(fields(CategoryRename::parse("Pizzas", &"x".repeat(41))), ["to"]);
    }
}
