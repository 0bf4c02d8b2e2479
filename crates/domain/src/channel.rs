//! The channels an order comes through: the till, the web, a QR on a mall table, the phone, a
//! kiosk, a clerk's tablet, or an external shop (`shop:<connector>`).
//!
//! One type from the request to the row: a channel is parsed once, at the edge, and the store
//! refuses to read back a word that is not one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

/// Longest connector name after `shop:`.
pub const MAX_CONNECTOR_CHARS: usize = 64;

/// Where an order (or a sale) came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A QR code on a mall table or a poster.
    Qr,
    /// The web shop or the site's pages.
    Web,
    /// The store's till.
    Pos,
    /// Taken over the phone.
    Phone,
    /// A self-service kiosk.
    Kiosk,
    /// A clerk's tablet (endless aisle).
    Tablet,
    /// An external shop, by its connector's name (`shop:woocommerce`).
    Shop(String),
}

impl Channel {
    /// The channels that need no connector name, in the order the API lists them.
    pub const FIXED: [Channel; 6] =
        [Channel::Qr, Channel::Web, Channel::Pos, Channel::Phone, Channel::Kiosk, Channel::Tablet];

    /// Parses `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>` (1 to 64
    /// letters, digits, `-` or `_`).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let refused =
            || DomainError::invalid("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
        match raw {
            "qr" => Ok(Channel::Qr),
            "web" => Ok(Channel::Web),
            "pos" => Ok(Channel::Pos),
            "phone" => Ok(Channel::Phone),
            "kiosk" => Ok(Channel::Kiosk),
            "tablet" => Ok(Channel::Tablet),
            other => {
                let connector = other.strip_prefix("shop:").ok_or_else(refused)?;
                let valid = !connector.is_empty()
                    && connector.len() <= MAX_CONNECTOR_CHARS
                    && connector.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if valid { Ok(Channel::Shop(connector.to_owned())) } else { Err(refused()) }
            }
        }
    }

    /// The word stored and shown (`qr`, `shop:woocommerce`).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Channel::Qr => "qr".into(),
            Channel::Web => "web".into(),
            Channel::Pos => "pos".into(),
            Channel::Phone => "phone".into(),
            Channel::Kiosk => "kiosk".into(),
            Channel::Tablet => "tablet".into(),
            Channel::Shop(connector) => format!("shop:{connector}").into(),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl std::str::FromStr for Channel {
    type Err = DomainError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Channel::parse(raw)
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Channel::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_round_trips_and_strangers_are_refused() {
        for channel in Channel::FIXED.into_iter().chain([Channel::Shop("woo-1_a".into())]) {
            assert_eq!(Channel::parse(&channel.as_str()), Ok(channel.clone()));
        }
        for bad in ["", "QR", "shop:", "shop:a b", "shop:ñ", "email"] {
            assert!(Channel::parse(bad).is_err(), "{bad}");
        }
        assert!(Channel::parse(&format!("shop:{}", "a".repeat(65))).is_err());
    }
}
