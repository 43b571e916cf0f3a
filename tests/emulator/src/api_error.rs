//! The App Services error body, `{error, error_code, link}`, and the statuses that go with it.

use crate::http;
use crate::ids;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub code: Option<&'static str>,
    /// Whether the body carries a `link` (the Admin verify_token errors do not).
    pub link: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, error: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error: error.into(),
            code: Some(code),
            link: true,
        }
    }

    /// `{"error": ...}` alone, as verify_token answers a malformed token.
    pub fn bare(status: StatusCode, error: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error: error.into(),
            code: None,
            link: false,
        }
    }

    pub fn without_link(mut self) -> ApiError {
        self.link = false;
        self
    }

    pub fn invalid_session(error: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "InvalidSession", error)
    }

    pub fn invalid_password(error: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "InvalidPassword", error)
    }

    pub fn bad_request(error: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", error)
    }

    pub fn missing_parameter(name: &str) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            format!("missing parameter: {name}"),
        )
    }

    pub fn invalid_parameter(error: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidParameter", error)
    }

    pub fn missing_auth() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "MissingAuthReq",
            "must authenticate first",
        )
    }

    pub fn app_not_found(client_app_id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "AppNotFound",
            format!("cannot find app using Client App ID '{client_app_id}'"),
        )
    }

    /// The response, with `link` pointing at this request's (fictional) log entry on `origin`.
    pub fn into_response(self, origin: &str, group_id: &str, app_id: &str) -> Response<Body> {
        let mut m = Map::new();
        m.insert("error".into(), Value::from(self.error));
        if let Some(code) = self.code {
            m.insert("error_code".into(), Value::from(code));
        }
        if self.link {
            m.insert(
                "link".into(),
                Value::from(format!(
                    "{origin}/groups/{group_id}/apps/{app_id}/logs?co_id={}",
                    ids::new_object_id()
                )),
            );
        }
        http::json(self.status, &Value::Object(m))
    }
}

type Body = http::Body;
