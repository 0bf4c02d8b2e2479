//! A booking's life after it is made (issue 19 point 3), as stored: what moving a booking to
//! another time or resource answered. Holds are a lapse time beside the booking
//! (`booking_holds`), read as a plain number.

/// One grid cell a booking claims on one resource: `(resource_id, cell_start_ms)`. A list of
/// them, rather than one resource and its cells, so a booking of joined tables claims every
/// member's cells in the same transaction.
pub type BookingClaim = (String, i64);

/// What moving a booking answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingMove {
    /// Moved: the old cells freed, the new ones claimed, the row and its event written.
    Moved,
    /// A new cell is another booking's: nothing changed, the old time is still held.
    Taken,
    /// The booking is no longer held or confirmed (cancelled, expired or seated meanwhile).
    Gone,
}
