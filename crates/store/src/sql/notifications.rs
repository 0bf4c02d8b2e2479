//! Customer notifications: server settings, push subscriptions and send claims.
//!
//! Every node's notification worker sees every event, so a send is claimed first with an
//! `INSERT … ON CONFLICT DO NOTHING` into `notification_sends`: the node whose insert lands
//! sends, the others skip. Settings are written the same way, so the VAPID key pair that two
//! nodes generate at the same first start is the one that was inserted first.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::PushSubscriptionRow;
use crate::{NotificationStore, StoreResult};

macro_rules! subscription_columns {
    () => {
        "id, order_id, endpoint, p256dh, auth, language, open_path, created_at_ms"
    };
}

fn subscription_from(row: &AnyRow) -> Result<PushSubscriptionRow, sqlx::Error> {
    Ok(PushSubscriptionRow {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        language: row.try_get("language")?,
        open_path: row.try_get("open_path")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.read).await?;
        Ok(row.map(|row| row.try_get("value")).transpose()?)
    }

    async fn insert_setting_once(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.write)
            .await?;
        // Read back through the writer, which has certainly seen the row, whoever inserted it.
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&self.write).await?;
        Ok(row.try_get("value")?)
    }

    async fn upsert_push_subscription(&self, subscription: &PushSubscriptionRow) -> StoreResult<PushSubscriptionRow> {
        let row = sqlx::query(concat!(
            "INSERT INTO push_subscriptions (",
            subscription_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (order_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, \
             language = excluded.language, open_path = excluded.open_path RETURNING ",
            subscription_columns!()
        ))
        .bind(&subscription.id)
        .bind(&subscription.order_id)
        .bind(&subscription.endpoint)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(&subscription.language)
        .bind(&subscription.open_path)
        .bind(subscription.created_at_ms)
        .fetch_one(&self.write)
        .await;
        let row = or_missing(&self.read, row, &[(Reference::Order, subscription.order_id.as_str())]).await?;
        Ok(subscription_from(&row)?)
    }

    async fn delete_push_subscription(&self, order_id: &str, endpoint: &str) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM push_subscriptions WHERE order_id = $1 AND endpoint = $2")
            .bind(order_id)
            .bind(endpoint)
            .execute(&self.write)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn delete_push_endpoint(&self, endpoint: &str) -> StoreResult<u64> {
        let deleted = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.write)
            .await?;
        Ok(deleted.rows_affected())
    }

    async fn list_push_subscriptions(&self, order_id: &str) -> StoreResult<Vec<PushSubscriptionRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            subscription_columns!(),
            " FROM push_subscriptions WHERE order_id = $1 ORDER BY created_at_ms, id"
        ))
        .bind(order_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(subscription_from).collect::<Result<_, _>>()?)
    }

    async fn claim_notification(&self, key: &str, target: &str, now_ms: i64) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "INSERT INTO notification_sends (notification_key, target, created_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (notification_key, target) DO NOTHING",
        )
        .bind(key)
        .bind(target)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    async fn parts_due_pickup_reminder(
        &self,
        ready_after_ms: i64,
        ready_before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        // A part's `updated_at_ms` is the time of its last transition: for a `ready` part, when it
        // became ready. The key built here is `crate::pickup_reminder_key`'s.
        let rows = sqlx::query(
            "SELECT f.id FROM fulfillments f WHERE f.status = 'ready' \
             AND f.updated_at_ms > $1 AND f.updated_at_ms <= $2 \
             AND NOT EXISTS (SELECT 1 FROM notification_sends s WHERE s.notification_key = 'reminder:' || f.id) \
             ORDER BY f.updated_at_ms, f.id LIMIT $3",
        )
        .bind(ready_after_ms)
        .bind(ready_before_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?)
    }

    async fn parts_due_unaccepted_notice(
        &self,
        placed_after_ms: i64,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        // The limit is the site's current one: a site that shortens it tells waiting customers
        // sooner. The key built here is `crate::unaccepted_notice_key`'s.
        let rows = sqlx::query(
            "SELECT f.id FROM fulfillments f JOIN orders o ON o.id = f.order_id JOIN sites s ON s.id = o.site_id \
             WHERE f.status = 'placed' AND s.unaccepted_policy = 'notify_only' \
             AND s.accept_within_minutes IS NOT NULL AND f.created_at_ms > $1 \
             AND f.created_at_ms + s.accept_within_minutes * 60000 <= $2 \
             AND NOT EXISTS (SELECT 1 FROM notification_sends n WHERE n.notification_key = 'unaccepted:' || f.id) \
             ORDER BY f.created_at_ms, f.id LIMIT $3",
        )
        .bind(placed_after_ms)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::rows::PushSubscriptionRow;
    use crate::{NotificationStore, Store};

    /// A fresh SQLite file, and a fresh PostgreSQL database when `OMNICANAL_TEST_DATABASE_URL`
    /// is set (the store's own story covers everything else on both).
    async fn stores() -> Vec<(std::sync::Arc<crate::SqlStore>, Option<String>)> {
        let dir = std::env::temp_dir().join(format!("omnicanal-notify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sqlite = crate::connect(&format!("sqlite://{}", dir.join("n.db").display())).await.expect("sqlite");
        let mut stores = vec![(sqlite, None)];
        if let Ok(admin_url) = std::env::var("OMNICANAL_TEST_DATABASE_URL")
            && !admin_url.trim().is_empty()
        {
            use sqlx::Connection;
            let name = format!("omni_notify_{}", std::process::id());
            let mut connection = sqlx::PgConnection::connect(&admin_url).await.expect("postgres");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                .execute(&mut connection)
                .await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut connection)
                .await
                .expect("create database");
            let url = match admin_url.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => admin_url.clone(),
            };
            stores.push((crate::connect(&url).await.expect("postgres store"), Some(name)));
        }
        stores
    }

    async fn drop_database(name: &str) {
        use sqlx::Connection;
        if let Ok(admin_url) = std::env::var("OMNICANAL_TEST_DATABASE_URL")
            && let Ok(mut connection) = sqlx::PgConnection::connect(&admin_url).await
        {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut connection).await;
        }
    }

    #[tokio::test]
    async fn settings_keep_the_first_value_and_claims_are_exclusive() {
        for (sql_store, database) in stores().await {
            let store: &dyn Store = &*sql_store;
            assert_eq!(store.get_setting("vapid").await.ok(), Some(None));
            assert_eq!(store.insert_setting_once("vapid", "first").await.ok().as_deref(), Some("first"));
            assert_eq!(store.insert_setting_once("vapid", "second").await.ok().as_deref(), Some("first"));
            assert_eq!(store.get_setting("vapid").await.ok(), Some(Some("first".to_owned())));

            assert_eq!(store.claim_notification("evt_1", "push:a", 1).await.ok(), Some(true));
            assert_eq!(store.claim_notification("evt_1", "push:a", 2).await.ok(), Some(false));
            assert_eq!(store.claim_notification("evt_1", "webhook", 2).await.ok(), Some(true));
            assert_eq!(store.parts_due_pickup_reminder(0, i64::MAX, 10).await.ok(), Some(Vec::new()));
            assert_eq!(store.parts_due_unaccepted_notice(0, i64::MAX, 10).await.ok(), Some(Vec::new()));

            // Subscriptions need an order; with none, the foreign key refuses one.
            let orphan = PushSubscriptionRow {
                id: "psb_1".into(),
                order_id: "ord_missing".into(),
                endpoint: "https://push.example/1".into(),
                p256dh: "k".into(),
                auth: "a".into(),
                language: "es".into(),
                open_path: None,
                created_at_ms: 1,
            };
            assert!(NotificationStore::upsert_push_subscription(store, &orphan).await.is_err());
            assert_eq!(store.delete_push_endpoint("https://push.example/nobody").await.ok(), Some(0));
            assert_eq!(store.delete_push_subscription("ord_missing", "https://push.example/2").await.ok(), Some(false));
            if let Some(name) = database {
                sql_store.read.close().await;
                drop_database(&name).await;
            }
        }
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("omnicanal-notify-{}", std::process::id())));
    }
}
