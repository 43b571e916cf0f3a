//! The committed header is what cbindgen generates from the current sources.

#[test]
fn committed_header_matches_cbindgen_output() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/realm_client.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/realm_client.h");
    let committed = std::fs::read_to_string(path).expect("include/realm_client.h exists");
    assert!(
        committed == generated,
        "include/realm_client.h is out of date: run `make header` and commit the result"
    );
}

#[test]
fn header_version_macros_match_the_crate() {
    let header = include_str!(concat!(env!("OUT_DIR"), "/realm_client.h"));
    assert!(header.contains(&format!(
        "#define REALM_CLIENT_VERSION \"{}\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(header.contains(&format!(
        "#define REALM_CLIENT_ABI_VERSION {}",
        realm_client::ffi::REALM_CLIENT_ABI_VERSION
    )));
}
