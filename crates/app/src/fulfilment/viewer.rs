//! Who reads or acts on an order: a signed-in user, the holder of the order's tracking token,
//! both, or neither.
//!
//! Both are kept because the use cases weigh them differently: a transition asked by a
//! signed-in user is judged as the user's (the token is then ignored), while a document or an
//! order's stream is open to whichever of the two may see it. The token is compared in constant
//! time, so a guess learns nothing from how long the answer took.

use omnicanal_store::OrderRow;

use crate::caller::Caller;
use crate::ids::constant_time_eq;

/// The reader or actor of an order, as the edge found them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Viewer<'a> {
    /// The signed-in user, if the request carried a session.
    pub staff: Option<&'a Caller>,
    /// The tracking token the request carried (`?token=`), if any.
    pub token: Option<&'a str>,
}

impl<'a> Viewer<'a> {
    /// A viewer with these credentials (either may be missing).
    pub fn new(staff: Option<&'a Caller>, token: Option<&'a str>) -> Self {
        Self { staff, token }
    }

    /// True when the viewer holds `order`'s tracking token.
    pub fn holds_token_of(&self, order: &OrderRow) -> bool {
        self.token.is_some_and(|token| constant_time_eq(token, &order.tracking_token))
    }

    /// True when the viewer is a platform user (admin or support).
    pub fn is_platform(&self) -> bool {
        self.staff.is_some_and(Caller::is_platform)
    }
}
