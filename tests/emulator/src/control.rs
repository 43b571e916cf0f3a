//! The test-control surface under `/_emulator/` (not part of the real API, never logged, never
//! faulted).

use crate::faults::Fault;
use crate::http::{self, Body};
use crate::routes::Req;
use crate::shared::Shared;
use crate::state::SettingsPatch;
use hyper::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A refused control request: `{"error": ...}` with this status.
struct Refusal(StatusCode, String);

fn bad(msg: impl Into<String>) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, msg.into())
}

fn not_found(msg: String) -> Refusal {
    Refusal(StatusCode::NOT_FOUND, msg)
}

fn ok() -> Response<Body> {
    http::json(StatusCode::OK, &json!({ "ok": true }))
}

fn parse<T: DeserializeOwned>(req: &Req) -> Result<T, Refusal> {
    let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid body: {e}")))
}

pub fn handle(shared: &Shared, req: &Req) -> Response<Body> {
    route(shared, req)
        .unwrap_or_else(|Refusal(status, error)| http::json(status, &json!({ "error": error })))
}

fn route(shared: &Shared, req: &Req) -> Result<Response<Body>, Refusal> {
    let path = req.path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(2).collect();
    let m = &req.method;
    Ok(match (segs.as_slice(), m) {
        ([] | ["health"], &Method::GET) => http::json(
            StatusCode::OK,
            &json!({ "ok": true, "url": shared.origin, "client_app_id": shared.cfg.client_app_id }),
        ),
        (["requests"], &Method::GET) => {
            let log = shared.log.lock();
            http::json(
                StatusCode::OK,
                &json!({ "requests": log.entries(), "counts": log.counts() }),
            )
        }
        (["requests"], &Method::DELETE) => {
            shared.log.lock().clear();
            ok()
        }
        (["reset"], &Method::POST) => {
            shared.reset();
            ok()
        }
        (["settings"], &Method::GET) => http::json(StatusCode::OK, &shared.data.lock().settings),
        (["settings"], &Method::POST) => {
            let patch: SettingsPatch = parse(req)?;
            let mut d = shared.data.lock();
            d.settings.apply(&patch);
            http::json(StatusCode::OK, &d.settings)
        }
        (["clock"], &Method::GET) => clock(shared),
        (["clock"], &Method::POST) => {
            let v: Value = parse(req)?;
            let Some(offset) = v.get("offset_secs").and_then(Value::as_i64) else {
                return Err(bad("offset_secs (an integer) is required"));
            };
            shared.data.lock().clock_offset_secs = offset;
            clock(shared)
        }
        (["users", id, "revoke"], &Method::POST) => {
            let mut d = shared.data.lock();
            if !d.users.contains_key(*id) {
                return Err(not_found(format!("no user {id}")));
            }
            let n = d.revoke_user(id);
            http::json(StatusCode::OK, &json!({ "revoked_sessions": n }))
        }
        (["users", id, "custom_data"], &Method::POST | &Method::PUT) => {
            let v: Value = parse(req)?;
            let mut d = shared.data.lock();
            let Some(u) = d.users.get_mut(*id) else {
                return Err(not_found(format!("no user {id}")));
            };
            u.custom_data = (!v.is_null()).then_some(v);
            ok()
        }
        (["faults"], &Method::GET) => http::json(
            StatusCode::OK,
            &json!({ "faults": shared.faults.lock().list() }),
        ),
        (["faults"], &Method::POST) => {
            let f: Fault = parse(req)?;
            f.validate().map_err(bad)?;
            let id = shared.faults.lock().add(f);
            http::json(StatusCode::OK, &json!({ "id": id }))
        }
        (["faults"], &Method::DELETE) => {
            shared.faults.lock().clear();
            ok()
        }
        _ => return Err(not_found(format!("no control route {} {}", m, req.path))),
    })
}

fn clock(shared: &Shared) -> Response<Body> {
    let d = shared.data.lock();
    http::json(
        StatusCode::OK,
        &json!({ "offset_secs": d.clock_offset_secs, "now": d.now() }),
    )
}
