//! A location's booking rules: read by every booking use case (defaults when never set) and
//! set by the location's manager or an admin — another merchant's location is `NotFound`.

use omnicanal_domain::bookings::settings::BookingSettings;
use omnicanal_store::BookingSettingsRow;

use super::setup::BOOKING_SETUP_ROLES;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

impl App {
    /// The location's booking rules; the domain's defaults when its manager never set them.
    pub async fn booking_settings(&self, location_id: &str) -> AppResult<BookingSettings> {
        Ok(self.store.get_booking_settings(location_id).await?.map(|row| row.settings).unwrap_or_default())
    }

    /// Sets a location's booking rules.
    pub async fn set_booking_settings(
        &self,
        caller: &Caller,
        location_id: &str,
        settings: BookingSettings,
    ) -> AppResult<BookingSettings> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        let row = BookingSettingsRow { location_id: location.id, settings, updated_ms: self.now_ms() };
        self.store.put_booking_settings(&row).await?;
        Ok(row.settings)
    }
}
