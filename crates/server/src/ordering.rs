//! Transitional: placing an order is a use case of the app ([`omnicanal_app::App::place_order`]);
//! this keeps the price-list and promotion routes' channel check until they parse a
//! [`Channel`] themselves.

use omnicanal_domain::channel::Channel;

/// True for the channels an order may come through (`qr`, `web`, …, `shop:<connector>`).
pub fn valid_channel(channel: &str) -> bool {
    Channel::parse(channel).is_ok()
}
