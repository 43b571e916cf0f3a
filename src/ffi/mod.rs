//! The C ABI: a thin layer of `extern "C"` functions over the safe core.
//!
//! Every export goes through [`boundary`]: arguments are checked for NULL and UTF-8, the body
//! runs inside a panic boundary, and failures leave per-thread error detail. This module is
//! the only place with `unsafe`.

mod admin;
mod boundary;
mod client;
mod handles;
mod info;
mod status;
mod strings;

pub use admin::*;
pub use boundary::{
    realm_last_error_http_status, realm_last_error_link, realm_last_error_message,
    realm_last_error_server_code,
};
pub use client::*;
pub use info::*;
pub use status::*;
pub use strings::realm_string_free;
