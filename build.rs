//! Generates the C header with cbindgen into OUT_DIR on every build (a test compares it with the
//! committed include/realm_client.h), and writes include/ itself only when REALM_GEN_HEADER=1:
//! a build never edits the source tree unasked.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=REALM_GEN_HEADER");
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    config.after_includes = Some(format!(
        "\n#define REALM_CLIENT_VERSION \"{}\"",
        std::env::var("CARGO_PKG_VERSION").unwrap()
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    bindings.write_to_file(out_dir.join("realm_client.h"));
    if std::env::var("REALM_GEN_HEADER").as_deref() == Ok("1") {
        bindings.write_to_file(crate_dir.join("include/realm_client.h"));
    }
}
