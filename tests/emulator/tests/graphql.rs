//! GraphQL over the movies collection: queries, filters, sorting, mutation, errors and auth.

mod common;

use common::*;
use realm_emulator::jwt;
use serde_json::{json, Value};

fn token(emu: &realm_emulator::Emulator) -> String {
    login_demo(emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn run(emu: &realm_emulator::Emulator, t: &str, query: &str) -> Value {
    let r = gql(emu, t, json!({ "query": query }));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.json()
}

fn titles(v: &Value) -> Vec<String> {
    v["data"]["movies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn movies_and_movie() {
    let emu = demo();
    let t = token(&emu);
    let v = run(
        &emu,
        &t,
        "{ movies { _id title year runtime rated genres plot } }",
    );
    let movies = v["data"]["movies"].as_array().unwrap();
    assert!(movies.len() >= 3);
    assert!(v.get("errors").is_none());
    assert_eq!(
        movies[0],
        json!({"_id": "5f0000000000000000001001", "title": "The Matrix", "year": 1999,
               "runtime": 136, "rated": "R", "genres": ["Action", "Sci-Fi"],
               "plot": "A computer hacker learns about the true nature of his reality."})
    );
    let v = run(
        &emu,
        &t,
        r#"{ movie(query: {title: "Amélie"}) { year genres } }"#,
    );
    assert_eq!(
        v,
        json!({"data": {"movie": {"year": 2001, "genres": ["Comedy", "Romance"]}}})
    );
    let v = run(&emu, &t, r#"{ movie(query: {title: "Nope"}) { year } }"#);
    assert_eq!(v, json!({"data": {"movie": null}}));
}

#[test]
fn filters_sort_limit() {
    let emu = demo();
    let t = token(&emu);
    let q = |query: &str| titles(&run(&emu, &t, query));
    assert_eq!(
        q("{ movies(query: {year_gt: 2000, year_lte: 2001}, sortBy: TITLE_ASC) { title } }"),
        ["Amélie", "Spirited Away"]
    );
    assert_eq!(
        q("{ movies(query: {year_lt: 2000}, sortBy: YEAR_DESC) { title } }"),
        ["The Matrix", "Casablanca"]
    );
    assert_eq!(
        q(
            r#"{ movies(query: {title_in: ["Inception", "Casablanca", "Nope"]}, sortBy: YEAR_ASC) { title } }"#
        ),
        ["Casablanca", "Inception"]
    );
    assert_eq!(
        q("{ movies(limit: 2, sortBy: RUNTIME_DESC) { title } }"),
        ["Inception", "The Matrix"]
    );
    assert_eq!(
        q(r#"{ movies(query: {genres_in: ["Romance"], rated: "PG"}) { title } }"#),
        ["Casablanca"]
    );
    assert_eq!(
        q(r#"{ movies(query: {OR: [{year: 1942}, {year: 2010}]}, sortBy: _ID_DESC) { title } }"#),
        ["Casablanca", "Inception"]
    );
    assert_eq!(
        q(r#"{ movies(query: {_id: "5f0000000000000000001002"}) { title } }"#),
        ["Spirited Away"]
    );
    assert_eq!(
        q(r#"{ movies(query: {year_gte: 2030}) { title } }"#),
        Vec::<String>::new()
    );
}

#[test]
fn variables_and_operation_name() {
    let emu = demo();
    let t = token(&emu);
    let body = json!({
        "query": "query A($q: MovieQueryInput, $n: Int) { movies(query: $q, limit: $n, sortBy: TITLE_DESC) { title } }
                  query B { movie { title } }",
        "variables": {"q": {"year": 2001}, "n": 1},
        "operationName": "A",
    });
    let v = gql(&emu, &t, body).json();
    assert_eq!(titles(&v), ["Spirited Away"]);
    // Stringified variables (the Admin twin's form) work too.
    let body = json!({
        "query": "query($y: Int) { movies(query: {year: $y}) { title } }",
        "variables": "{\"y\": 1942}",
    });
    assert_eq!(titles(&gql(&emu, &t, body).json()), ["Casablanca"]);
    // Several operations without a name is a GraphQL error.
    let body = json!({"query": "query A { movie { title } } query B { movie { title } }"});
    let v = gql(&emu, &t, body).json();
    assert!(v["data"].is_null());
    assert!(v["errors"][0]["message"].is_string());
}

#[test]
fn insert_one_movie() {
    let emu = demo();
    let t = token(&emu);
    let body = json!({
        "query": "mutation($d: MovieInsertInput!) { insertOneMovie(data: $d) { _id title year genres } }",
        "variables": {"d": {"title": "Paprika", "year": 2006, "genres": ["Animation"]}},
    });
    let v = gql(&emu, &t, body).json();
    let m = &v["data"]["insertOneMovie"];
    assert_eq!(m["title"], "Paprika");
    assert!(realm_emulator::ids::is_object_id(
        m["_id"].as_str().unwrap()
    ));
    let found = run(&emu, &t, r#"{ movie(query: {title: "Paprika"}) { year } }"#);
    assert_eq!(found["data"]["movie"]["year"], 2006);
    // A duplicate _id is an error in the envelope.
    let dup = r#"mutation { insertOneMovie(data: {_id: "5f0000000000000000001001", title: "X"}) { title } }"#;
    let v = run(&emu, &t, dup);
    assert_eq!(v["data"], json!({"insertOneMovie": null}));
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Duplicate key"));
    assert_eq!(v["errors"][0]["path"], json!(["insertOneMovie"]));
    // Reset brings back the configured movies only.
    emu.reset();
    let t = token(&emu);
    let v = run(&emu, &t, r#"{ movie(query: {title: "Paprika"}) { year } }"#);
    assert!(v["data"]["movie"].is_null());
}

#[test]
fn graphql_errors_are_200_envelopes() {
    let emu = demo();
    let t = token(&emu);
    let v = run(&emu, &t, "{ movies { nope } }");
    assert_eq!(
        v,
        json!({"data": null, "errors": [{"message": "Unknown field \"nope\" on type \"Movie\".",
                                         "locations": [{"line": 1, "column": 12}]}]})
    );
    let v = run(&emu, &t, "{ movies { ");
    assert!(v["data"].is_null());
    assert_eq!(v["errors"][0]["locations"][0]["line"], 1);
    let v = run(
        &emu,
        &t,
        r#"{ movie(query: {_id: "not-an-id"}) { title } }"#,
    );
    assert!(v["data"].is_null(), "{v}");
    let v = run(&emu, &t, "{ movies(sortBy: SIDEWAYS) { title } }");
    assert!(v["errors"].is_array());
}

#[test]
fn bad_bodies_are_400() {
    let emu = demo();
    let t = token(&emu);
    let r = with_bearer(&emu, "POST", GRAPHQL, &t, "not json");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_code"], "BadRequest");
    let r = gql(&emu, &t, json!({"variables": {}}));
    assert_error(&r, 400, "MissingParameter", "missing parameter: query");
    let r = gql(
        &emu,
        &t,
        json!({"query": "{ movies { title } }", "variables": [1]}),
    );
    assert_error(
        &r,
        400,
        "InvalidParameter",
        "variables must be a JSON object",
    );
}

#[test]
fn auth_modes() {
    let emu = demo();
    let q = r#"{"query":"{ movie { title } }"}"#;
    let ok = |r: Resp| {
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["data"]["movie"]["title"], "The Matrix");
    };
    ok(call(
        &emu,
        "POST",
        GRAPHQL,
        &[("apiKey", "demo-server-api-key-9876543210")],
        q,
    ));
    ok(call(
        &emu,
        "POST",
        GRAPHQL,
        &[("email", "demo@example.com"), ("password", "demo-password")],
        q,
    ));
    let jwt = jwt::sign(
        &json!({"sub": "gql-user", "aud": "demo-abcde"}),
        b"demo-custom-jwt-secret",
    );
    ok(call(&emu, "POST", GRAPHQL, &[("jwtTokenString", &jwt)], q));

    let r = call(&emu, "POST", GRAPHQL, &[], q);
    assert_error(&r, 401, "MissingAuthReq", "must authenticate first");
    let r = call(&emu, "POST", GRAPHQL, &[("apiKey", "wrong")], q);
    assert_error(&r, 401, "InvalidPassword", "invalid API key");
    let r = call(
        &emu,
        "POST",
        GRAPHQL,
        &[("email", "demo@example.com"), ("password", "nope")],
        q,
    );
    assert_error(&r, 401, "InvalidPassword", "invalid username/password");
    // A bearer token wins and has no fallback to the credential headers.
    let r = call(
        &emu,
        "POST",
        GRAPHQL,
        &[
            ("authorization", "Bearer junk"),
            ("apiKey", "demo-server-api-key-9876543210"),
        ],
        q,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error_code"], "InvalidSession");
    // An expired access token.
    let t = token(&emu);
    emu.set_clock_offset(3600);
    let r = with_bearer(&emu, "POST", GRAPHQL, &t, q);
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: access token expired",
    );
    // A refresh token is the wrong type.
    emu.set_clock_offset(0);
    let rt = login_demo(&emu)["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = with_bearer(&emu, "POST", GRAPHQL, &rt, q);
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid access token: incorrect token type",
    );
    // Auth is checked before the body.
    let r = call(&emu, "POST", GRAPHQL, &[], "not json");
    assert_eq!(r.status, 401);
}

#[test]
fn introspection_shows_app_services_names() {
    let emu = demo();
    let t = token(&emu);
    let v = run(
        &emu,
        &t,
        r#"{ __type(name: "MovieQueryInput") { inputFields { name } } }"#,
    );
    let names: Vec<&str> = v["data"]["__type"]["inputFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for n in [
        "title", "title_in", "year_gt", "year_gte", "year_lt", "year_lte", "_id", "AND", "OR",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
}
