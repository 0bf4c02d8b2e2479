//! Customer accounts' SQL (issue 17 point 3): accounts, identifiers, single-use sign-in links,
//! customer sessions, claims, and the history query.
//!
//! The history matches what orders and till sales carry *as typed*: an order's e-mail is
//! compared trimmed and lower-cased (an expression index backs it), its phone with the usual
//! separators removed against the forms the domain lists (`PhoneForms`); a till sale keeps its
//! customer as JSON text, so its e-mail and phone are found with `LIKE` on the exact key and
//! value (`"email":"…"`), which both backends read alike without a JSON function of either.
//! Limit: a sale's match is a scan of the sales with a customer; an index table is the next
//! step if tills attach customers to millions of sales.

use async_trait::async_trait;
use omnicanal_domain::customers::IdentifierKind;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{get_parsed, in_list};
use super::tx::credit::{ACCOUNT_COLUMNS as CREDIT_ACCOUNT_COLUMNS, account_from as credit_account_from};
use crate::backend::SqlStore;
use crate::rows::{
    CreditAccountRow, CreditHolderKey, CustomerAccountRow, CustomerIdentifierRow, CustomerSessionRow,
    CustomerSignInLinkRow, Page, PurchaseKind, PurchaseQuery, PurchaseRefRow,
};
use crate::{CustomerStore, StoreError, StoreResult};

fn account_from(row: &AnyRow) -> Result<CustomerAccountRow, sqlx::Error> {
    Ok(CustomerAccountRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn identifier_from(row: &AnyRow) -> Result<CustomerIdentifierRow, sqlx::Error> {
    Ok(CustomerIdentifierRow {
        account_id: row.try_get("account_id")?,
        kind: get_parsed(row, "kind", IdentifierKind::parse)?,
        value: row.try_get("value")?,
        verified_at_ms: row.try_get("verified_at_ms")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn link_from(row: &AnyRow) -> Result<CustomerSignInLinkRow, sqlx::Error> {
    Ok(CustomerSignInLinkRow {
        token_hash: row.try_get("token_hash")?,
        account_id: row.try_get("account_id")?,
        kind: get_parsed(row, "kind", IdentifierKind::parse)?,
        value: row.try_get("value")?,
        password_hash: row.try_get("password_hash")?,
        created_at_ms: row.try_get("created_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        used_at_ms: row.try_get("used_at_ms")?,
    })
}

const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.password_hash, a.created_at_ms";

/// A phone column with the separators people type removed (the domain's `strip_separators`).
fn stripped(column: &str) -> String {
    format!("replace(replace(replace(replace(replace(trim({column}), ' ', ''), '-', ''), '.', ''), '(', ''), ')', '')")
}

/// A LIKE pattern for `"key":"value"` anywhere in a JSON text, wildcards escaped with `\`.
fn json_pair_pattern(key: &str, value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%\"{key}\":\"{escaped}\"%")
}

/// The history's statement and its parameters, built from the query (the number of e-mails and
/// phones varies; each is a bound parameter, never text in the SQL).
struct PurchaseSql {
    sql: String,
    params: Vec<String>,
}

impl PurchaseSql {
    fn param(&mut self, value: String) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    fn build(query: &PurchaseQuery) -> Self {
        let mut built = PurchaseSql { sql: String::new(), params: Vec::new() };
        let account = built.param(query.account_id.clone());
        let merchant = built.param(query.merchant_id.clone().unwrap_or_default());
        let order_phone = stripped("o.customer_phone");
        let sale_json = stripped("ps.customer_json");
        let mut order_terms =
            vec![format!("o.id IN (SELECT c.order_id FROM customer_claims c WHERE c.account_id = {account})")];
        let mut sale_terms = vec!["1 = 0".to_owned()];
        for email in &query.emails {
            let exact = built.param(email.clone());
            let pattern = built.param(json_pair_pattern("email", email));
            order_terms.push(format!("lower(trim(o.customer_email)) = {exact}"));
            sale_terms.push(format!("lower(ps.customer_json) LIKE {pattern} ESCAPE '\\'"));
        }
        for phone in &query.phones {
            for form in &phone.international {
                let exact = built.param(form.clone());
                let pattern = built.param(json_pair_pattern("phone", form));
                order_terms.push(format!("{order_phone} = {exact}"));
                sale_terms.push(format!("{sale_json} LIKE {pattern} ESCAPE '\\'"));
            }
            let Some(country) = &phone.country else { continue };
            let country = built.param(country.clone());
            for form in &phone.national {
                let exact = built.param(form.clone());
                let pattern = built.param(json_pair_pattern("phone", form));
                order_terms.push(format!("(s.country = {country} AND {order_phone} = {exact})"));
                sale_terms.push(format!("(s.country = {country} AND {sale_json} LIKE {pattern} ESCAPE '\\')"));
            }
        }
        built.sql = format!(
            "SELECT 'order' AS kind, o.id AS id, o.created_at_ms AS at_ms FROM orders o \
             JOIN sites s ON s.id = o.site_id \
             WHERE ({orders}) AND ({merchant} = '' OR EXISTS \
             (SELECT 1 FROM fulfillments f WHERE f.order_id = o.id AND f.merchant_id = {merchant})) \
             UNION ALL \
             SELECT 'sale' AS kind, ps.id AS id, ps.sold_at_ms AS at_ms FROM pos_sales ps \
             JOIN locations l ON l.id = ps.location_id JOIN sites s ON s.id = l.site_id \
             WHERE ps.customer_json IS NOT NULL AND ({sales}) AND ({merchant} = '' OR ps.merchant_id = {merchant})",
            orders = order_terms.join(" OR "),
            sales = sale_terms.join(" OR "),
        );
        built
    }
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn insert_customer_account(
        &self,
        account: &CustomerAccountRow,
        identifiers: &[CustomerIdentifierRow],
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO customer_accounts (id, name, password_hash, created_at_ms) VALUES ($1, $2, $3, $4)")
            .bind(&account.id)
            .bind(&account.name)
            .bind(&account.password_hash)
            .bind(account.created_at_ms)
            .execute(&mut *tx)
            .await?;
        for identifier in identifiers {
            insert_identifier(&mut tx, identifier).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn add_customer_identifier(&self, identifier: &CustomerIdentifierRow) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        insert_identifier(&mut tx, identifier).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_customer_account(&self, id: &str) -> StoreResult<Option<CustomerAccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM customer_accounts a WHERE a.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(account_from).transpose()?)
    }

    async fn find_customer_by_identifier(
        &self,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<CustomerAccountRow>> {
        // The verified owner first; among unverified registrations, the oldest.
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM customer_identifiers i JOIN customer_accounts a ON a.id = i.account_id \
             WHERE i.kind = $1 AND i.value = $2 \
             ORDER BY CASE WHEN i.verified_at_ms IS NULL THEN 1 ELSE 0 END, i.created_at_ms, a.id LIMIT 1"
        );
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.as_str()).bind(value).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(account_from).transpose()?)
    }

    async fn customer_identifiers(&self, account_id: &str) -> StoreResult<Vec<CustomerIdentifierRow>> {
        let rows = sqlx::query(
            "SELECT account_id, kind, value, verified_at_ms, created_at_ms FROM customer_identifiers \
             WHERE account_id = $1 ORDER BY kind, created_at_ms, value",
        )
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(identifier_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn insert_customer_sign_in_link(&self, link: &CustomerSignInLinkRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO customer_sign_in_links (token_hash, account_id, kind, value, password_hash, created_at_ms, \
             expires_at_ms, used_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(&link.token_hash)
        .bind(&link.account_id)
        .bind(link.kind.as_str())
        .bind(&link.value)
        .bind(&link.password_hash)
        .bind(link.created_at_ms)
        .bind(link.expires_at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn count_customer_sign_in_links(&self, account_id: &str, since_ms: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM customer_sign_in_links WHERE account_id = $1 AND created_at_ms >= $2",
        )
        .bind(account_id)
        .bind(since_ms)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("n")?)
    }

    async fn get_customer_sign_in_link(&self, token_hash: &str) -> StoreResult<Option<CustomerSignInLinkRow>> {
        let row = sqlx::query(
            "SELECT token_hash, account_id, kind, value, password_hash, created_at_ms, expires_at_ms, used_at_ms \
             FROM customer_sign_in_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(link_from).transpose()?)
    }

    async fn use_customer_sign_in_link(
        &self,
        token_hash: &str,
        now_ms: i64,
        session: &CustomerSessionRow,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        // The conditional update is the single-use guard: of two simultaneous uses one matches.
        let claimed = sqlx::query(
            "UPDATE customer_sign_in_links SET used_at_ms = $1 \
             WHERE token_hash = $2 AND account_id = $3 AND used_at_ms IS NULL AND expires_at_ms > $1",
        )
        .bind(now_ms)
        .bind(token_hash)
        .bind(&session.account_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let link = sqlx::query(
            "SELECT token_hash, account_id, kind, value, password_hash, created_at_ms, expires_at_ms, used_at_ms \
             FROM customer_sign_in_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_one(&mut *tx)
        .await?;
        let link = link_from(&link)?;
        // Proven by using the link; unless another account proved it first (then it stays theirs).
        sqlx::query(
            "UPDATE customer_identifiers SET verified_at_ms = $1 \
             WHERE account_id = $2 AND kind = $3 AND value = $4 AND verified_at_ms IS NULL \
             AND NOT EXISTS (SELECT 1 FROM customer_identifiers o WHERE o.kind = $3 AND o.value = $4 \
             AND o.verified_at_ms IS NOT NULL)",
        )
        .bind(now_ms)
        .bind(&link.account_id)
        .bind(link.kind.as_str())
        .bind(&link.value)
        .execute(&mut *tx)
        .await?;
        if let Some(password_hash) = &link.password_hash {
            sqlx::query("UPDATE customer_accounts SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(&link.account_id)
                .execute(&mut *tx)
                .await?;
        }
        insert_session(&mut tx, session).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn insert_customer_session(&self, session: &CustomerSessionRow) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        insert_session(&mut tx, session).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn customer_session_account(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<CustomerAccountRow>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM customer_sessions s JOIN customer_accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at_ms > $2"
        );
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(now_ms).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(account_from).transpose()?)
    }

    async fn delete_customer_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM customer_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn insert_customer_claim(&self, account_id: &str, order_id: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO customer_claims (account_id, order_id, claimed_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, order_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(order_id)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn customer_purchases(&self, query: &PurchaseQuery, page: Page) -> StoreResult<(Vec<PurchaseRefRow>, i64)> {
        let built = PurchaseSql::build(query);
        let count_sql = format!("SELECT COUNT(*) AS n FROM ({}) p", built.sql);
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for param in &built.params {
            count = count.bind(param);
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let limit = built.params.len() + 1;
        let list_sql = format!(
            "SELECT kind, id, at_ms FROM ({}) p ORDER BY at_ms DESC, id DESC LIMIT ${limit} OFFSET ${}",
            built.sql,
            limit + 1
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for param in &built.params {
            list = list.bind(param);
        }
        let rows = list.bind(page.limit).bind(page.offset).fetch_all(&self.read).await?;
        let purchases = rows
            .iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let kind = match kind.as_str() {
                    "order" => PurchaseKind::Order,
                    "sale" => PurchaseKind::Sale,
                    other => return Err(StoreError::Corrupt(format!("a purchase of kind {other}"))),
                };
                Ok(PurchaseRefRow { kind, id: row.try_get("id")?, at_ms: row.try_get("at_ms")? })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((purchases, total))
    }

    async fn customer_credit_accounts(&self, keys: &[String]) -> StoreResult<Vec<CreditAccountRow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // `UNIQUE (merchant, holder_kind, holder_key)` serves this lookup.
        let sql = format!(
            "SELECT {CREDIT_ACCOUNT_COLUMNS} FROM credit_accounts WHERE holder_kind = $1 AND holder_key IN {} \
             ORDER BY merchant_id, created_at_ms, id LIMIT 100",
            in_list(2, keys.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(CreditHolderKey::CUSTOMER);
        for key in keys {
            query = query.bind(key);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(credit_account_from).collect::<Result<_, _>>()?)
    }
}

async fn insert_identifier(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    identifier: &CustomerIdentifierRow,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO customer_identifiers (account_id, kind, value, verified_at_ms, created_at_ms) \
         VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (account_id, kind, value) DO NOTHING",
    )
    .bind(&identifier.account_id)
    .bind(identifier.kind.as_str())
    .bind(&identifier.value)
    .bind(identifier.created_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_session(tx: &mut sqlx::Transaction<'_, sqlx::Any>, session: &CustomerSessionRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO customer_sessions (token_hash, account_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(&session.token_hash)
    .bind(&session.account_id)
    .bind(session.created_at_ms)
    .bind(session.expires_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
