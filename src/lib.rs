//! realm-client: a client for the Atlas App Services (MongoDB Realm) Client HTTP API.
//!
//! It logs a user in, keeps the access/refresh token pair fresh, and sends GraphQL requests
//! with a bearer token. The safe Rust API is [`Client`]; the C ABI lives in [`ffi`].

/// cbindgen:ignore
pub mod admin;
/// cbindgen:ignore
pub mod client;
/// cbindgen:ignore
pub mod config;
/// cbindgen:ignore
pub mod credentials;
/// cbindgen:ignore
pub mod error;
pub mod ffi;
/// cbindgen:ignore
mod graphql;
/// cbindgen:ignore
mod http1;
/// cbindgen:ignore
mod location;
/// cbindgen:ignore
mod pool;
/// cbindgen:ignore
mod redact;
/// cbindgen:ignore
mod response;
/// cbindgen:ignore
pub mod secret;
/// cbindgen:ignore
mod session;
/// cbindgen:ignore
pub mod token;
/// cbindgen:ignore
mod transport;
/// cbindgen:ignore
pub mod url;

pub use admin::{Admin, AdminOptions};
pub use client::Client;
pub use config::ClientOptions;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;

/// The library version, e.g. `"0.1.0"`.
/// cbindgen:ignore
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
