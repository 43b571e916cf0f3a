//! Canonical Extended JSON (what realm-web sends) reduced to plain JSON values.

use serde_json::{Map, Value};

/// Replaces the EJSON wrappers a client may send (`$numberInt`, `$numberLong`, `$numberDouble`,
/// `$numberDecimal`, `$oid`, `$date`, `$symbol`) with plain JSON values, recursively. Unknown `$`
/// keys are left alone.
pub fn to_relaxed(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(to_relaxed).collect()),
        Value::Object(m) => {
            if m.len() == 1 {
                let (k, inner) = m.iter().next().expect("len 1");
                if let Some(plain) = unwrap_single(k, inner) {
                    return plain;
                }
            }
            Value::Object(
                m.into_iter()
                    .map(|(k, v)| (k, to_relaxed(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        other => other,
    }
}

fn unwrap_single(key: &str, inner: &Value) -> Option<Value> {
    let s = inner.as_str();
    match key {
        "$numberInt" | "$numberLong" => {
            let n: i64 = s?.trim().parse().ok()?;
            Some(Value::from(n))
        }
        "$numberDouble" | "$numberDecimal" => {
            let s = s?.trim();
            if let Ok(n) = s.parse::<i64>() {
                return Some(Value::from(n));
            }
            let f: f64 = s.parse().ok()?;
            // JSON has no NaN/Infinity; keep the wrapper's text so nothing is lost.
            Some(serde_json::Number::from_f64(f).map_or_else(|| Value::from(s), Value::Number))
        }
        "$oid" | "$symbol" => Some(Value::from(s?)),
        "$date" => match inner {
            Value::Object(m) if m.len() == 1 => m
                .get("$numberLong")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<i64>().ok())
                .map(Value::from),
            Value::String(_) | Value::Number(_) => Some(inner.clone()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unwraps_nested_wrappers() {
        let v = json!({"a": {"$numberInt": "1"}, "b": [{"$oid": "5f0000000000000000000001"}],
                        "c": {"$numberDouble": "1.5"}, "d": {"x": {"$numberLong": "-7"}},
                        "e": {"$unknown": 1}});
        assert_eq!(
            to_relaxed(v),
            json!({"a": 1, "b": ["5f0000000000000000000001"], "c": 1.5, "d": {"x": -7},
                   "e": {"$unknown": 1}})
        );
    }
}
