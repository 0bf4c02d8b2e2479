//! Till receipts: a till's ESC/POS network printer, printing a sale on it with the failure
//! detected, and the digital receipt's public link offered when paper fails.
//!
//! The decisions are here; the network is behind [`ReceiptPrinter`] (the TCP implementation is
//! [`super::tcp_printer::TcpReceiptPrinter`]), and the bytes come from the caller's renderer
//! (the documents live in the server), so these use cases decide *whether* and *where* to print
//! and what a failure means, never how bytes cross a socket.
//!
//! **Where a till may print.** A store printer sits on the store's own network, and
//! `host:port` typed by a manager is a request for the server to open a raw TCP connection
//! there — the same server-side request forgery the webhooks' outbound policy guards against
//! ([`crate::outbound`]). So a printer host is judged by the same policy, at configuration and
//! again at every print: a host named in `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` is accepted as is; any
//! other must be, and resolve only to, public addresses. In practice a printer on a private LAN
//! must be named in that variable. The addresses checked at print time are the very addresses
//! the printer connects to, so a name that changed its answer since cannot slip between.
//!
//! **What a failure says.** Unlike a webhook's delivery log, a failed print tells the cashier
//! what happened — refused, timed out, the connection dropped while writing, or the printer
//! reporting no paper — because the cashier must act on it (switch the printer on, change the
//! roll) and the host is one a manager chose and the policy allowed, so nothing is mapped that
//! was not already named.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_store::{LocationRow, MerchantRow, PosDeviceRow, PosDigitalReceiptRow, PosPrinterRow, SiteRow};
use url::Host;

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change, Snapshot};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, sha256_hex};
use crate::outbound::{ALLOWED_HOSTS_VAR, RESOLVE_TIMEOUT, non_public_range};
use crate::pos::sales::SaleAnswer;
use crate::validation::Validator;

/// The raw ESC/POS port almost every network receipt printer listens on.
pub const DEFAULT_PRINTER_PORT: u16 = 9100;
/// The longest printer host accepted (a DNS name's limit).
pub const MAX_PRINTER_HOST_CHARS: usize = 253;
/// Most digital-receipt links one sale may have (each press of the button makes one).
pub const MAX_DIGITAL_RECEIPTS_PER_SALE: i64 = 20;

/// A printer setting as a manager asks for it: a host and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSetting {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl PrinterSetting {
    /// Parses a setting, reporting every bad field: a bare host (no scheme, port, path or
    /// space) and a port from 1 to 65535 (9100 when absent).
    pub fn parse(host: &str, port: Option<i64>) -> AppResult<Self> {
        let mut v = Validator::new();
        let host = host.trim();
        if parse_printer_host(host).is_none() {
            v.push(
                "printer.host",
                "must be a host name or IP address (no scheme, port or path), at most 253 characters",
            );
        }
        let port = port.unwrap_or(i64::from(DEFAULT_PRINTER_PORT));
        let port = u16::try_from(port).ok().filter(|port| *port != 0);
        if port.is_none() {
            v.push("printer.port", "must be a TCP port from 1 to 65535");
        }
        v.done(|| Some(Self { host: host.to_lowercase(), port: port? }))
    }
}

/// A host as typed for a printer: an IPv6 address (with or without brackets), an IPv4 address
/// or a DNS name; `None` for anything else.
fn parse_printer_host(raw: &str) -> Option<Host<String>> {
    if raw.is_empty() || raw.chars().count() > MAX_PRINTER_HOST_CHARS {
        return None;
    }
    let bare = raw.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).unwrap_or(raw);
    if let Ok(ip) = bare.parse::<std::net::Ipv6Addr>() {
        return Some(Host::Ipv6(ip));
    }
    if raw.contains(['/', '@', ' ', '?', '#', ':', '[', ']', '\\']) {
        return None;
    }
    Host::parse(raw).ok()
}

/// What a printer said after the bytes were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterStatus {
    /// It answered the real-time status request (DLE EOT 4) with paper present.
    Ready,
    /// It did not answer in time (many printers and every plain listener stay silent): the
    /// print counts as done because the socket accepted every byte.
    NoAnswer,
}

impl PrinterStatus {
    /// `ready` or `no_status_answer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::NoAnswer => "no_status_answer",
        }
    }
}

/// Why a print failed; [`PrintFailure::message`] is what the cashier reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintFailure {
    /// Nothing listens at the port (the printer is off, or the port is wrong).
    Refused,
    /// No connection within the connect timeout (unplugged, another network, wrong address).
    ConnectTimedOut,
    /// The connection broke or stalled while the receipt was being written.
    WriteFailed(String),
    /// The printer answered its status: no paper (or the cover open); nothing was printed.
    PaperOut,
    /// Any other connection error, as the system named it.
    Other(String),
}

impl PrintFailure {
    /// A stable word for programs: `refused`, `timeout`, `write_failed`, `paper_out`, `error`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Refused => "refused",
            Self::ConnectTimedOut => "timeout",
            Self::WriteFailed(_) => "write_failed",
            Self::PaperOut => "paper_out",
            Self::Other(_) => "error",
        }
    }

    /// What happened, in English (the till shows its own Spanish text by [`PrintFailure::kind`]).
    pub fn message(&self) -> String {
        match self {
            Self::Refused => "the connection was refused (is the printer on, and the port right?)".into(),
            Self::ConnectTimedOut => "no connection within the time allowed (is the printer on this network?)".into(),
            Self::WriteFailed(why) => format!("the connection failed while writing the receipt: {why}"),
            Self::PaperOut => "the printer reports no paper or an open cover; nothing was printed".into(),
            Self::Other(why) => format!("the printer could not be reached: {why}"),
        }
    }
}

/// Sends a receipt's bytes to a network printer. The use case has already checked the
/// addresses against the outbound policy: an implementation connects to those and no other.
#[async_trait]
pub trait ReceiptPrinter: Send + Sync + 'static {
    /// Writes `bytes` to the first of `addresses` that accepts a connection; a success means
    /// every byte was accepted (and, when the printer answers its status, that it has paper).
    async fn print(&self, addresses: &[SocketAddr], bytes: &[u8]) -> Result<PrinterStatus, PrintFailure>;
}

/// Everything a sale's receipt shows, with the till's printer: what a renderer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleReceipt {
    /// The sale as it was recorded.
    pub sale: SaleAnswer,
    /// The till.
    pub device: PosDeviceRow,
    /// The till's location (the store).
    pub location: LocationRow,
    /// The location's merchant (the issuer).
    pub merchant: MerchantRow,
    /// The site: its time zone and country decide the time and tax words.
    pub site: SiteRow,
    /// The till's printer, if one is set.
    pub printer: Option<PosPrinterRow>,
}

/// A printed receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintReport {
    /// Where it went (`host:port`).
    pub printer: String,
    /// Bytes written.
    pub bytes: usize,
    /// What the printer said.
    pub status: PrinterStatus,
}

/// A digital receipt's link, made now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalReceiptLink {
    /// The unguessable token of `/r/{token}` (shown once; only its hash is kept).
    pub token: String,
    /// The sale.
    pub sale_id: String,
}

impl App {
    /// Sets (or with `None` removes) a till's printer: managers of its merchant and admins. The
    /// host must pass the outbound policy now (422 on `printer.host` otherwise).
    pub async fn set_pos_printer(
        &self,
        caller: &Caller,
        device_id: &str,
        setting: Option<PrinterSetting>,
    ) -> AppResult<(PosDeviceRow, Option<PosPrinterRow>)> {
        let device = self.till(caller, device_id).await?;
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let before = self.store.get_pos_printer(&device.id).await?.map(|before| before.snapshot());
        let change = Change::new(AuditEntity::PosDevice, &device.id, AuditAction::Updated, Some(&device.merchant_id));
        let Some(setting) = setting else {
            self.store.clear_pos_printer(&device.id).await?;
            self.record_change(caller, change.values(before, Some(serde_json::json!({ "printer_host": null })))).await;
            return Ok((device, None));
        };
        self.printer_addresses(&setting.host, setting.port).await?;
        let row = PosPrinterRow {
            device_id: device.id.clone(),
            host: setting.host,
            port: i64::from(setting.port),
            updated_by: Some(caller.id.clone()),
            updated_at_ms: self.now_ms(),
        };
        self.store.set_pos_printer(&row).await?;
        self.record_change(caller, change.values(before, Some(row.snapshot()))).await;
        Ok((device, Some(row)))
    }

    /// A till's printer, for a caller who may work the till.
    pub async fn pos_printer(&self, caller: &Caller, device_id: &str) -> AppResult<Option<PosPrinterRow>> {
        let device = self.till(caller, device_id).await?;
        Ok(self.store.get_pos_printer(&device.id).await?)
    }

    /// A sale's receipt records, for a caller who may work its till.
    pub async fn pos_sale_receipt(&self, caller: &Caller, sale_id: &str) -> AppResult<SaleReceipt> {
        let sale = self.pos_sale(caller, sale_id).await?;
        self.sale_receipt_records(sale).await
    }

    /// Prints a sale's receipt on its till's printer: `render` lays the receipt out as ESC/POS
    /// bytes. No printer set → 409; the host refused by the policy now → 422; the printer
    /// unreachable, or reporting no paper → `PrinterUnreachable` (never assumed printed).
    pub async fn print_pos_sale(
        &self,
        caller: &Caller,
        sale_id: &str,
        render: impl FnOnce(&SaleReceipt) -> Vec<u8> + Send,
    ) -> AppResult<PrintReport> {
        let receipt = self.pos_sale_receipt(caller, sale_id).await?;
        let printer = receipt
            .printer
            .clone()
            .ok_or_else(|| AppError::Conflict("this till has no printer; a manager sets one on the till".into()))?;
        let port =
            u16::try_from(printer.port).map_err(|_| AppError::internal("a stored printer port is out of range"))?;
        let addresses = self.printer_addresses(&printer.host, port).await?;
        let bytes = render(&receipt);
        let target = format!("{}:{}", printer.host, printer.port);
        match self.printer.print(&addresses, &bytes).await {
            Ok(status) => Ok(PrintReport { printer: target, bytes: bytes.len(), status }),
            Err(failure) => {
                tracing::info!(sale_id, printer = %target, kind = failure.kind(), "a receipt did not print");
                let kind = omnicanal_domain::support::incidents::TelemetryKind::PrintFailed;
                self.note_till_telemetry(&receipt.device, kind, Some(failure.kind())).await;
                // The support desk is told of the till's last print failure (issue 18).
                self.remember_print_failure(&receipt.device.id, failure.kind(), &failure.message()).await;
                Err(AppError::PrinterUnreachable { kind: failure.kind(), message: failure.message() })
            }
        }
    }

    /// Makes a new public link to a sale's receipt (at most
    /// [`MAX_DIGITAL_RECEIPTS_PER_SALE`] per sale, else 409).
    pub async fn create_digital_receipt(&self, caller: &Caller, sale_id: &str) -> AppResult<DigitalReceiptLink> {
        let sale = self.pos_sale(caller, sale_id).await?;
        if self.store.count_pos_digital_receipts(&sale.id).await? >= MAX_DIGITAL_RECEIPTS_PER_SALE {
            return Err(AppError::Conflict(format!(
                "sale {} already has {MAX_DIGITAL_RECEIPTS_PER_SALE} receipt links; show one of them",
                sale.id
            )));
        }
        let token = new_token();
        self.store
            .insert_pos_digital_receipt(&PosDigitalReceiptRow {
                token_hash: sha256_hex(token.as_bytes()),
                sale_id: sale.id.clone(),
                created_by: Some(caller.id.clone()),
                created_at_ms: self.now_ms(),
            })
            .await?;
        Ok(DigitalReceiptLink { token, sale_id: sale.id })
    }

    /// The receipt a public link shows: anyone holding the token may read it (that is what
    /// the link is for); an unknown token is `NotFound("receipt")`.
    pub async fn digital_receipt(&self, token: &str) -> AppResult<SaleReceipt> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::NotFound("receipt"));
        }
        let link = self
            .store
            .get_pos_digital_receipt(&sha256_hex(token.as_bytes()))
            .await?
            .ok_or(AppError::NotFound("receipt"))?;
        let (sale, conflicts) = self
            .store
            .get_pos_sale(&link.sale_id)
            .await?
            .ok_or(AppError::internal("a receipt link's sale is missing"))?;
        let mut answer: SaleAnswer = serde_json::from_str(&sale.answer_json)
            .map_err(|error| AppError::internal(format!("a stored sale answer does not read back: {error}")))?;
        answer.conflicts = conflicts.into_iter().map(Into::into).collect();
        self.sale_receipt_records(answer).await
    }

    pub(crate) async fn sale_receipt_records(&self, sale: SaleAnswer) -> AppResult<SaleReceipt> {
        let missing = |what: &str| AppError::internal(format!("a sale's {what} is missing"));
        let device = self.store.get_pos_device(&sale.device_id).await?.ok_or_else(|| missing("till"))?;
        let location = self.store.get_location(&device.location_id).await?.ok_or_else(|| missing("location"))?;
        let merchant = self.store.get_merchant(&device.merchant_id).await?.ok_or_else(|| missing("merchant"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or_else(|| missing("site"))?;
        let printer = self.store.get_pos_printer(&device.id).await?;
        Ok(SaleReceipt { sale, device, location, merchant, site, printer })
    }

    /// The addresses a printer host may be reached at, judged by the outbound policy: a host
    /// the allow-list names is resolved and used as is; any other must resolve only to public
    /// addresses. A refusal is a 422 on `printer.host` naming the variable to set.
    async fn printer_addresses(&self, host: &str, port: u16) -> AppResult<Vec<SocketAddr>> {
        let refused = |why: String| AppError::invalid("printer.host", why);
        let parsed = parse_printer_host(host).ok_or_else(|| refused("is not a host name or IP address".into()))?;
        let allowed = self.outbound.allows(&parsed);
        let addresses: Vec<IpAddr> = match &parsed {
            Host::Ipv4(ip) => vec![IpAddr::V4(*ip)],
            Host::Ipv6(ip) => vec![IpAddr::V6(*ip)],
            Host::Domain(name) => {
                let lookup =
                    tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name.as_str(), port))).await;
                match lookup {
                    Ok(Ok(found)) => found.map(|address| address.ip()).collect(),
                    Ok(Err(_)) | Err(_) => Vec::new(),
                }
            }
        };
        if addresses.is_empty() {
            return Err(refused(format!("{host} does not resolve to an address")));
        }
        if !allowed && let Some(range) = addresses.iter().find_map(|ip| non_public_range(*ip)) {
            return Err(refused(format!(
                "{host} is on an internal network ({range}): the server connects there only when \
                 {ALLOWED_HOSTS_VAR} names the host exactly (ask the operator to add it)"
            )));
        }
        Ok(addresses.into_iter().map(|ip| SocketAddr::new(ip, port)).collect())
    }
}

/// How long [`super::tcp_printer::TcpReceiptPrinter`] waits for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_a_bare_host_and_a_port() {
        let setting = PrinterSetting::parse(" Printer.Local ", None).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((setting.host.as_str(), setting.port), ("printer.local", 9100));
        assert!(PrinterSetting::parse("192.168.1.50", Some(9101)).is_ok());
        assert!(PrinterSetting::parse("[::1]", Some(9100)).is_ok());
        for bad in ["", "http://x", "x:9100", "a b", "x/y"] {
            assert!(PrinterSetting::parse(bad, None).is_err(), "{bad}");
        }
        for bad in [0, -1, 65_536] {
            assert!(PrinterSetting::parse("x", Some(bad)).is_err(), "{bad}");
        }
    }
}
