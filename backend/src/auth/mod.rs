//! Who is calling, and how they proved it.
//!
//! - [`password`]: argon2 hashing of agent passwords, and the password policy.
//! - [`hashing`]: the few threads (and the bounded queue) where passwords are hashed.
//! - [`token`]: opaque random tokens; only their SHA-256 is stored.
//! - [`caller`]: the authenticated caller and what it may do.
//! - [`scheme`]: the OpenAPI security schemes; extracting one *is* the authorisation check.
//! - [`csrf`]: cookie requests must come from Rapport's own pages.
//! - [`sessions`]: agent sign-in sessions (cookie or bearer).

pub mod caller;
pub mod csrf;
pub mod hashing;
pub mod password;
pub mod scheme;
pub mod sessions;
pub mod token;

pub use caller::{Actor, Caller, VisitorCaller};
pub use scheme::{SESSION_COOKIE, VisitorAuth, WorkspaceAuth};
