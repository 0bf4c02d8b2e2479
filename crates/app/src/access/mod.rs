//! Access: passwords, sessions and users — who may sign in, and as whom.

pub mod invitations;
pub mod passwords;
pub mod sessions;
pub mod users;

pub use invitations::{INVITATION_TTL_MS, IssuedInvitation, NewInvitation, OpenInvitation};
pub use passwords::{MAX_PASSWORD_BYTES, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordProblem};
pub use sessions::{SESSION_TTL_MS, Session};
pub use users::NewUser;
