//! Price lists, promotions, coupons and stored quotes. Each admin write commits with its
//! `price.changed` event.

use async_trait::async_trait;
use omnicanal_domain::channel::Channel;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use super::columns::{flag, get_flag, get_parsed, get_parsed_opt, in_list, values_clause};
use super::order_rows::currency;
use super::outbox::insert_event;
use super::tx::Tx;
use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::{CouponRow, NewEvent, Page, PriceEntryRow, PriceListRow, PromotionRow, QuoteRow};
use crate::{PricingStore, StoreError, StoreResult};

macro_rules! price_list_columns {
    () => {
        "id, merchant_id, name, channel, location_id, valid_from_ms, valid_to_ms, active, created_at_ms, updated_at_ms"
    };
}
macro_rules! promotion_columns {
    () => {
        "id, merchant_id, site_id, name, active, definition_json, created_at_ms, updated_at_ms"
    };
}
macro_rules! coupon_columns {
    () => {
        "id, promotion_id, code, usage_limit, per_customer_limit, used, active, created_at_ms"
    };
}

fn price_list_from(row: &AnyRow) -> Result<PriceListRow, sqlx::Error> {
    Ok(PriceListRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        name: row.try_get("name")?,
        channel: get_parsed_opt(row, "channel", Channel::parse)?,
        location_id: row.try_get("location_id")?,
        valid_from_ms: row.try_get("valid_from_ms")?,
        valid_to_ms: row.try_get("valid_to_ms")?,
        active: get_flag(row, "active")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        entries: Vec::new(),
    })
}

fn promotion_from(row: &AnyRow) -> Result<PromotionRow, sqlx::Error> {
    Ok(PromotionRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        site_id: row.try_get("site_id")?,
        name: row.try_get("name")?,
        active: get_flag(row, "active")?,
        definition_json: row.try_get("definition_json")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

pub(crate) fn coupon_from(row: &AnyRow) -> Result<CouponRow, sqlx::Error> {
    Ok(CouponRow {
        id: row.try_get("id")?,
        promotion_id: row.try_get("promotion_id")?,
        code: row.try_get("code")?,
        usage_limit: row.try_get("usage_limit")?,
        per_customer_limit: row.try_get("per_customer_limit")?,
        used: row.try_get("used")?,
        active: get_flag(row, "active")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// Loads the entries of `lists` with one statement.
async fn attach_entries<'c, E>(executor: E, lists: &mut [PriceListRow]) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    if lists.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT price_list_id, sku, price_minor, currency FROM price_list_entries WHERE price_list_id IN {} ORDER BY sku",
        in_list(1, lists.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for list in lists.iter() {
        query = query.bind(list.id.clone());
    }
    for row in query.fetch_all(executor).await? {
        let list_id: String = row.try_get("price_list_id")?;
        if let Some(list) = lists.iter_mut().find(|list| list.id == list_id) {
            list.entries.push(PriceEntryRow {
                sku: row.try_get("sku")?,
                price_minor: row.try_get("price_minor")?,
                currency: get_parsed(&row, "currency", currency)?,
            });
        }
    }
    Ok(())
}

async fn insert_entries(transaction: &mut Tx, list: &PriceListRow) -> Result<(), sqlx::Error> {
    // Chunks keep every statement well under the backends' parameter limits.
    for chunk in list.entries.chunks(200) {
        let sql = format!(
            "INSERT INTO price_list_entries (price_list_id, sku, price_minor, currency) VALUES {}",
            values_clause(chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for entry in chunk {
            query = query.bind(&list.id).bind(&entry.sku).bind(entry.price_minor).bind(entry.currency.code());
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

#[async_trait]
impl PricingStore for SqlStore {
    async fn insert_price_list(&self, list: &PriceListRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(concat!(
            "INSERT INTO price_lists (",
            price_list_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&list.id)
        .bind(&list.merchant_id)
        .bind(&list.name)
        .bind(list.channel.as_ref().map(ToString::to_string))
        .bind(&list.location_id)
        .bind(list.valid_from_ms)
        .bind(list.valid_to_ms)
        .bind(flag(list.active))
        .bind(list.created_at_ms)
        .bind(list.updated_at_ms)
        .execute(&mut *transaction)
        .await;
        let mut references = vec![(Reference::Merchant, list.merchant_id.as_str())];
        references.extend(list.location_id.as_deref().map(|id| (Reference::Location, id)));
        or_missing(&self.read, inserted, &references).await?;
        insert_entries(&mut transaction, list).await?;
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn replace_price_list(&self, list: &PriceListRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE price_lists SET name = $1, channel = $2, location_id = $3, valid_from_ms = $4, valid_to_ms = $5, \
             active = $6, updated_at_ms = $7 WHERE id = $8",
        )
        .bind(&list.name)
        .bind(list.channel.as_ref().map(ToString::to_string))
        .bind(&list.location_id)
        .bind(list.valid_from_ms)
        .bind(list.valid_to_ms)
        .bind(flag(list.active))
        .bind(list.updated_at_ms)
        .bind(&list.id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM price_list_entries WHERE price_list_id = $1")
            .bind(&list.id)
            .execute(&mut *transaction)
            .await?;
        insert_entries(&mut transaction, list).await?;
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn delete_price_list(&self, id: &str, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        sqlx::query("DELETE FROM price_list_entries WHERE price_list_id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let deleted = sqlx::query("DELETE FROM price_lists WHERE id = $1").bind(id).execute(&mut *transaction).await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_price_list(&self, id: &str) -> StoreResult<Option<PriceListRow>> {
        let Some(row) = sqlx::query(concat!("SELECT ", price_list_columns!(), " FROM price_lists WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let mut lists = vec![price_list_from(&row)?];
        attach_entries(&self.read, &mut lists).await?;
        Ok(lists.pop())
    }

    async fn list_price_lists(&self, merchant_id: &str, page: Page) -> StoreResult<Vec<PriceListRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            price_list_columns!(),
            " FROM price_lists WHERE merchant_id = $1 ORDER BY created_at_ms, id LIMIT $2 OFFSET $3"
        ))
        .bind(merchant_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        let mut lists: Vec<PriceListRow> = rows.iter().map(price_list_from).collect::<Result<_, _>>()?;
        attach_entries(&self.read, &mut lists).await?;
        Ok(lists)
    }

    async fn active_price_lists(&self, merchant_ids: &[String]) -> StoreResult<Vec<PriceListRow>> {
        if merchant_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM price_lists WHERE active = 1 AND merchant_id IN {} ORDER BY id",
            price_list_columns!(),
            in_list(1, merchant_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in merchant_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        let mut lists: Vec<PriceListRow> = rows.iter().map(price_list_from).collect::<Result<_, _>>()?;
        attach_entries(&self.read, &mut lists).await?;
        Ok(lists)
    }

    async fn insert_promotion(&self, promotion: &PromotionRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let inserted = sqlx::query(concat!(
            "INSERT INTO promotions (",
            promotion_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&promotion.id)
        .bind(&promotion.merchant_id)
        .bind(&promotion.site_id)
        .bind(&promotion.name)
        .bind(flag(promotion.active))
        .bind(&promotion.definition_json)
        .bind(promotion.created_at_ms)
        .bind(promotion.updated_at_ms)
        .execute(&mut *transaction)
        .await;
        let mut references: Vec<(Reference, &str)> = Vec::new();
        references.extend(promotion.merchant_id.as_deref().map(|id| (Reference::Merchant, id)));
        references.extend(promotion.site_id.as_deref().map(|id| (Reference::Site, id)));
        or_missing(&self.read, inserted, &references).await?;
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn replace_promotion(&self, promotion: &PromotionRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE promotions SET name = $1, active = $2, definition_json = $3, updated_at_ms = $4 WHERE id = $5",
        )
        .bind(&promotion.name)
        .bind(flag(promotion.active))
        .bind(&promotion.definition_json)
        .bind(promotion.updated_at_ms)
        .bind(&promotion.id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_promotion(&self, id: &str) -> StoreResult<Option<PromotionRow>> {
        let row = sqlx::query(concat!("SELECT ", promotion_columns!(), " FROM promotions WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(promotion_from).transpose()?)
    }

    async fn list_promotions(
        &self,
        merchant_id: Option<&str>,
        site_id: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<PromotionRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            promotion_columns!(),
            " FROM promotions WHERE ($1 IS NULL OR merchant_id = $1) AND ($2 IS NULL OR site_id = $2) \
             ORDER BY created_at_ms, id LIMIT $3 OFFSET $4"
        ))
        .bind(merchant_id)
        .bind(site_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(promotion_from).collect::<Result<_, _>>()?)
    }

    async fn active_promotions(&self, site_id: &str, merchant_ids: &[String]) -> StoreResult<Vec<PromotionRow>> {
        let sql = if merchant_ids.is_empty() {
            format!(
                "SELECT {} FROM promotions WHERE active = 1 AND merchant_id IS NULL AND site_id = $1",
                promotion_columns!()
            )
        } else {
            format!(
                "SELECT {} FROM promotions WHERE active = 1 AND ((merchant_id IS NULL AND site_id = $1) OR merchant_id IN {})",
                promotion_columns!(),
                in_list(2, merchant_ids.len())
            )
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_id.to_owned());
        for id in merchant_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(promotion_from).collect::<Result<_, _>>()?)
    }

    async fn insert_coupon(&self, coupon: &CouponRow) -> StoreResult<()> {
        let inserted = sqlx::query(concat!(
            "INSERT INTO coupons (",
            coupon_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&coupon.id)
        .bind(&coupon.promotion_id)
        .bind(&coupon.code)
        .bind(coupon.usage_limit)
        .bind(coupon.per_customer_limit)
        .bind(coupon.used)
        .bind(flag(coupon.active))
        .bind(coupon.created_at_ms)
        .execute(&self.write)
        .await;
        or_missing(&self.read, inserted, &[(Reference::Promotion, coupon.promotion_id.as_str())]).await?;
        Ok(())
    }

    async fn get_coupon(&self, id: &str) -> StoreResult<Option<CouponRow>> {
        let row = sqlx::query(concat!("SELECT ", coupon_columns!(), " FROM coupons WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(coupon_from).transpose()?)
    }

    async fn list_coupons(&self, promotion_id: &str, page: Page) -> StoreResult<Vec<CouponRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            coupon_columns!(),
            " FROM coupons WHERE promotion_id = $1 ORDER BY created_at_ms, id LIMIT $2 OFFSET $3"
        ))
        .bind(promotion_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(coupon_from).collect::<Result<_, _>>()?)
    }

    async fn set_coupon_active(&self, id: &str, active: bool) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE coupons SET active = $1 WHERE id = $2")
            .bind(flag(active))
            .bind(id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn find_coupons(
        &self,
        codes: &[String],
        customer_key: Option<&str>,
    ) -> StoreResult<Vec<(CouponRow, Option<i64>)>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT c.id, c.promotion_id, c.code, c.usage_limit, c.per_customer_limit, c.used, c.active, c.created_at_ms, \
             u.used AS customer_used FROM coupons c \
             LEFT JOIN coupon_customer_uses u ON u.coupon_id = c.id AND u.customer_key = $1 \
             WHERE c.code IN {}",
            in_list(2, codes.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(customer_key.unwrap_or("").to_owned());
        for code in codes {
            query = query.bind(code.clone());
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                let coupon = coupon_from(row)?;
                let customer_used: Option<i64> = row.try_get("customer_used")?;
                Ok((coupon, customer_key.map(|_| customer_used.unwrap_or(0))))
            })
            .collect()
    }

    async fn insert_quote(&self, quote: &QuoteRow) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        sqlx::query("DELETE FROM quotes WHERE expires_at_ms < $1")
            .bind(quote.created_at_ms)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "INSERT INTO quotes (id, site_id, request_hash, quote_json, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&quote.id)
        .bind(&quote.site_id)
        .bind(&quote.request_hash)
        .bind(&quote.quote_json)
        .bind(quote.created_at_ms)
        .bind(quote.expires_at_ms)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_quote(&self, id: &str) -> StoreResult<Option<QuoteRow>> {
        let row = sqlx::query(
            "SELECT id, site_id, request_hash, quote_json, created_at_ms, expires_at_ms FROM quotes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|row| {
            Ok(QuoteRow {
                id: row.try_get("id")?,
                site_id: row.try_get("site_id")?,
                request_hash: row.try_get("request_hash")?,
                quote_json: row.try_get("quote_json")?,
                created_at_ms: row.try_get("created_at_ms")?,
                expires_at_ms: row.try_get("expires_at_ms")?,
            })
        })
        .transpose()
    }
}
