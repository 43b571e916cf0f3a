//! realm-client: a client for the Atlas App Services (MongoDB Realm) Client HTTP API.
//!
//! It logs a user in, keeps the access/refresh token pair fresh, and sends GraphQL requests
//! with a bearer token. The safe Rust API is [`Client`]; the C ABI lives in [`ffi`].

pub mod client;
pub mod config;
pub mod credentials;
pub mod error;
pub mod ffi;
mod graphql;
mod location;
mod response;
pub mod secret;
mod session;
pub mod token;
mod transport;
pub mod url;

pub use client::Client;
pub use config::ClientOptions;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;

/// The library version, e.g. `"0.1.0"`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
