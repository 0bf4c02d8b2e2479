//! Registering tills and reading their receipt series.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Name;
use omnicanal_domain::pos::{ReceiptSeries, series_report};
use omnicanal_store::{PosDeviceRow, PosSessionRow, ReceiptDuplicateRow, StoreError, UniqueKey};

use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, random_u32};
use crate::validation::Validator;

/// Most gaps a receipt report lists (it always says how many there are).
pub const MAX_LISTED_GAPS: usize = 500;

/// A till to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterDevice {
    /// Where it sells.
    pub location_id: String,
    /// What the staff call it.
    pub name: String,
}

impl RegisterDevice {
    /// Parses a registration, reporting every bad field.
    pub fn parse(location_id: String, name: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        if location_id.trim().is_empty() {
            v.push("location_id", "is required");
        }
        let name = v.check("name", Name::parse("name", name));
        v.done(|| Some(Self { location_id, name: name?.as_str().to_owned() }))
    }
}

/// A till with its open session, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillListing {
    /// The till.
    pub device: PosDeviceRow,
    /// Its open session.
    pub open_session: Option<PosSessionRow>,
}

/// A till's receipt series as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptReport {
    /// The till.
    pub device_id: String,
    /// Its series.
    pub receipt_series: String,
    /// The highest number received (0: none yet).
    pub last_number: u64,
    /// Numbers below it never received, as receipt numbers, lowest first (at most 500).
    pub gaps: Vec<String>,
    /// How many are missing in all.
    pub gap_count: u64,
    /// Numbers given to a second sale, which was refused.
    pub duplicates: Vec<ReceiptDuplicateRow>,
}

/// A new receipt series: `T` and five letters or digits (no 0/O or 1/I to misread).
fn new_series() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut series = String::from("T");
    let mut bits = random_u32();
    for _ in 0..5 {
        series.push(char::from(ALPHABET[(bits % 32) as usize]));
        bits /= 32;
    }
    series
}

impl App {
    /// Registers a till for a location of the manager's merchant (admins: any), with a series
    /// of its own.
    pub async fn register_pos_device(&self, caller: &Caller, command: RegisterDevice) -> AppResult<PosDeviceRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let location = self.store.get_location(&command.location_id).await?;
        let location = location
            .filter(|location| caller.sees_location(&location.merchant_id, &location.id))
            .ok_or_else(|| AppError::invalid("location_id", "no such location"))?;
        for _ in 0..5 {
            let device = PosDeviceRow {
                id: new_id("dev"),
                merchant_id: location.merchant_id.clone(),
                location_id: location.id.clone(),
                name: command.name.clone(),
                receipt_series: new_series(),
                created_by: Some(caller.id.clone()),
                created_at_ms: self.now_ms(),
            };
            match self.store.insert_pos_device(&device).await {
                Ok(()) => {
                    let change =
                        Change::created(AuditEntity::PosDevice, &device.id, Some(&device.merchant_id), &device);
                    self.record_change(caller, change).await;
                    return Ok(device);
                }
                // Another till drew the same series: draw again.
                Err(StoreError::Duplicate(UniqueKey::ReceiptSeries)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::internal("no free receipt series after five draws"))
    }

    /// The tills of a location the caller may see, by name, each with its open session.
    pub async fn pos_devices(&self, caller: &Caller, location_id: &str) -> AppResult<Vec<TillListing>> {
        caller.require(&crate::pos::TILL_ROLES)?;
        let location = self.location(caller, location_id).await?;
        let mut listings = Vec::new();
        for device in self.store.list_pos_devices(&location.id).await? {
            let newest = self.store.list_pos_sessions(&device.id, omnicanal_store::Page::first(1)).await?;
            let open_session =
                newest.into_iter().find(|session| session.status == omnicanal_domain::pos::SessionStatus::Open);
            listings.push(TillListing { device, open_session });
        }
        Ok(listings)
    }

    /// A till the caller may work.
    pub async fn pos_device(&self, caller: &Caller, device_id: &str) -> AppResult<PosDeviceRow> {
        self.till(caller, device_id).await
    }

    /// What the server received of a till's receipt series: the last number, the gaps, the
    /// numbers given twice.
    pub async fn pos_receipts(&self, caller: &Caller, device_id: &str) -> AppResult<ReceiptReport> {
        let device = self.till(caller, device_id).await?;
        let numbers: Vec<u64> = self
            .store
            .pos_receipt_numbers(&device.id)
            .await?
            .into_iter()
            .filter_map(|n| u64::try_from(n).ok())
            .collect();
        let report = series_report(&numbers, MAX_LISTED_GAPS);
        let series = ReceiptSeries::parse(&device.receipt_series)
            .map_err(|_| AppError::internal("a till's stored series is not a series"))?;
        Ok(ReceiptReport {
            device_id: device.id.clone(),
            receipt_series: series.as_str().to_owned(),
            last_number: report.last_number,
            gaps: report.gaps.iter().map(|n| format!("{}-{n}", series.as_str())).collect(),
            gap_count: report.gap_count,
            duplicates: self.store.list_receipt_duplicates(&device.id).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_series_are_valid_series() {
        for _ in 0..100 {
            let series = new_series();
            assert!(ReceiptSeries::parse(&series).is_ok(), "{series}");
            assert_eq!(series.len(), 6);
        }
        assert!(RegisterDevice::parse("loc_1".into(), "Caja 1").is_ok());
        assert!(RegisterDevice::parse(String::new(), "").is_err());
    }
}
