//! The GraphQL schema App Services generates for a `movies` collection, executed by
//! async-graphql over the in-memory documents.

use crate::ids;
use crate::state::Movies;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    Schema, TypeRef,
};
use async_graphql::Value as GqlValue;
use serde_json::{Map, Value};
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ObjectId,
    Str,
    Int,
    StrList,
}

const FIELDS: &[(&str, Kind)] = &[
    ("_id", Kind::ObjectId),
    ("title", Kind::Str),
    ("year", Kind::Int),
    ("runtime", Kind::Int),
    ("rated", Kind::Str),
    ("genres", Kind::StrList),
    ("plot", Kind::Str),
];

/// Comparison suffixes of the generated query input, as App Services names them.
const OPS: &[&str] = &[
    "_ne", "_in", "_nin", "_gt", "_gte", "_lt", "_lte", "_exists",
];

fn scalar_name(k: Kind) -> &'static str {
    match k {
        Kind::ObjectId => "ObjectId",
        Kind::Str | Kind::StrList => TypeRef::STRING,
        Kind::Int => TypeRef::INT,
    }
}

fn output_type(k: Kind) -> TypeRef {
    match k {
        Kind::StrList => TypeRef::named_list(TypeRef::STRING),
        _ => TypeRef::named(scalar_name(k)),
    }
}

fn movie_type() -> Object {
    let mut o = Object::new("Movie");
    for &(name, _) in FIELDS {
        let ty = if name == "_id" {
            TypeRef::named_nn("ObjectId")
        } else {
            output_type(FIELDS.iter().find(|f| f.0 == name).expect("listed").1)
        };
        o = o.field(Field::new(name, ty, move |ctx: ResolverContext<'_>| {
            let value = ctx
                .parent_value
                .downcast_ref::<Map<String, Value>>()
                .and_then(|doc| doc.get(name))
                .filter(|v| !v.is_null())
                .map(|v| FieldValue::value(GqlValue::from_json(v.clone()).unwrap_or_default()));
            FieldFuture::Value(value)
        }));
    }
    o
}

fn query_input() -> InputObject {
    let mut o = InputObject::new("MovieQueryInput");
    for &(name, kind) in FIELDS {
        let scalar = scalar_name(kind);
        if kind == Kind::StrList {
            o = o
                .field(InputValue::new(name, TypeRef::named_list(scalar)))
                .field(InputValue::new(
                    format!("{name}_in"),
                    TypeRef::named_list(scalar),
                ))
                .field(InputValue::new(
                    format!("{name}_nin"),
                    TypeRef::named_list(scalar),
                ))
                .field(InputValue::new(
                    format!("{name}_exists"),
                    TypeRef::named(TypeRef::BOOLEAN),
                ));
            continue;
        }
        o = o.field(InputValue::new(name, TypeRef::named(scalar)));
        for op in OPS {
            let ty = match *op {
                "_in" | "_nin" => TypeRef::named_list(scalar),
                "_exists" => TypeRef::named(TypeRef::BOOLEAN),
                _ => TypeRef::named(scalar),
            };
            o = o.field(InputValue::new(format!("{name}{op}"), ty));
        }
    }
    o.field(InputValue::new(
        "AND",
        TypeRef::named_nn_list("MovieQueryInput"),
    ))
    .field(InputValue::new(
        "OR",
        TypeRef::named_nn_list("MovieQueryInput"),
    ))
}

fn insert_input() -> InputObject {
    FIELDS
        .iter()
        .fold(InputObject::new("MovieInsertInput"), |o, &(name, kind)| {
            let ty = match kind {
                Kind::StrList => TypeRef::named_list(TypeRef::STRING),
                _ => TypeRef::named(scalar_name(kind)),
            };
            o.field(InputValue::new(name, ty))
        })
}

fn sort_enum() -> Enum {
    let mut e = Enum::new("MovieSortByInput");
    for &(name, kind) in FIELDS {
        if kind != Kind::StrList {
            let upper = name.to_ascii_uppercase();
            e = e.item(format!("{upper}_ASC")).item(format!("{upper}_DESC"));
        }
    }
    e
}

fn args_json(ctx: &ResolverContext<'_>, name: &str) -> Option<Value> {
    ctx.args
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.as_value().clone().into_json().ok())
}

fn movies_of<'a>(ctx: &ResolverContext<'a>) -> async_graphql::Result<&'a Movies> {
    ctx.data::<Movies>()
}

/// Built once per emulator; `movies` is shared with the emulator's state.
pub fn build_schema(movies: Movies) -> Schema {
    let query = Object::new("Query")
        .field(
            Field::new("movie", TypeRef::named("Movie"), |ctx| {
                let q = args_json(&ctx, "query");
                let found = movies_of(&ctx).ok().and_then(|m| {
                    m.lock()
                        .iter()
                        .find(|d| q.as_ref().is_none_or(|q| matches(d, q)))
                        .cloned()
                });
                FieldFuture::Value(found.map(FieldValue::owned_any))
            })
            .argument(InputValue::new("query", TypeRef::named("MovieQueryInput"))),
        )
        .field(
            Field::new("movies", TypeRef::named_list_nn("Movie"), |ctx| {
                let q = args_json(&ctx, "query");
                let limit = ctx
                    .args
                    .get("limit")
                    .and_then(|v| v.i64().ok())
                    .unwrap_or(100)
                    .max(0) as usize;
                let sort = ctx
                    .args
                    .get("sortBy")
                    .and_then(|v| v.enum_name().ok().map(str::to_string));
                let mut found: Vec<Map<String, Value>> = match movies_of(&ctx) {
                    Ok(m) => m
                        .lock()
                        .iter()
                        .filter(|d| q.as_ref().is_none_or(|q| matches(d, q)))
                        .cloned()
                        .collect(),
                    Err(e) => {
                        return FieldFuture::new(async move { Err::<Option<FieldValue>, _>(e) })
                    }
                };
                if let Some(sort) = sort {
                    sort_docs(&mut found, &sort);
                }
                found.truncate(limit);
                FieldFuture::Value(Some(FieldValue::list(
                    found.into_iter().map(FieldValue::owned_any),
                )))
            })
            .argument(InputValue::new("query", TypeRef::named("MovieQueryInput")))
            .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)).default_value(100))
            .argument(InputValue::new(
                "sortBy",
                TypeRef::named("MovieSortByInput"),
            )),
        );
    let mutation = Object::new("Mutation").field(
        Field::new("insertOneMovie", TypeRef::named("Movie"), |ctx| {
            let result = match (args_json(&ctx, "data"), movies_of(&ctx)) {
                (Some(Value::Object(data)), Ok(movies)) => insert(movies, data),
                (_, Err(e)) => Err(e),
                _ => Err("data must be an object".into()),
            };
            match result {
                Ok(doc) => FieldFuture::Value(Some(FieldValue::owned_any(doc))),
                Err(e) => {
                    // Reported on the field (with its path) so that the field alone becomes
                    // null, as GraphQL wants; a resolver error would null the whole `data`.
                    let err = ctx.set_error_path(e.into_server_error(ctx.item.pos));
                    ctx.add_error(err);
                    FieldFuture::Value(None)
                }
            }
        })
        .argument(InputValue::new(
            "data",
            TypeRef::named_nn("MovieInsertInput"),
        )),
    );
    let object_id = Scalar::new("ObjectId")
        .description("A 24-digit hex ObjectId, as a string")
        .validator(|v| matches!(v, GqlValue::String(s) if ids::is_object_id(s)));
    Schema::build("Query", Some("Mutation"), None)
        .register(object_id)
        .register(movie_type())
        .register(query_input())
        .register(insert_input())
        .register(sort_enum())
        .register(query)
        .register(mutation)
        .data(movies)
        .finish()
        .expect("the movies schema is valid")
}

fn insert(movies: &Movies, data: Map<String, Value>) -> async_graphql::Result<Map<String, Value>> {
    let mut doc: Map<String, Value> = data.into_iter().filter(|(_, v)| !v.is_null()).collect();
    let id = match doc.get("_id") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            let id = ids::new_object_id();
            doc.insert("_id".into(), Value::from(id.clone()));
            id
        }
    };
    let mut all = movies.lock();
    if all
        .iter()
        .any(|m| m.get("_id").and_then(Value::as_str) == Some(&id))
    {
        return Err(format!("Duplicate key error: a movie with _id {id} already exists").into());
    }
    all.push(doc.clone());
    Ok(doc)
}

/// Whether `doc` satisfies a `MovieQueryInput` (already reduced to JSON).
fn matches(doc: &Map<String, Value>, q: &Value) -> bool {
    let Value::Object(q) = q else { return true };
    q.iter().all(|(key, want)| match key.as_str() {
        "AND" => want
            .as_array()
            .is_none_or(|a| a.iter().all(|s| matches(doc, s))),
        "OR" => want
            .as_array()
            .is_none_or(|a| a.is_empty() || a.iter().any(|s| matches(doc, s))),
        _ => {
            let (field, op) = split_key(key);
            condition(doc.get(field).filter(|v| !v.is_null()), op, want)
        }
    })
}

fn split_key(key: &str) -> (&str, &str) {
    for op in OPS {
        if let Some(field) = key.strip_suffix(op) {
            if FIELDS.iter().any(|f| f.0 == field) {
                return (field, op);
            }
        }
    }
    (key, "")
}

fn condition(have: Option<&Value>, op: &str, want: &Value) -> bool {
    if want.is_null() {
        // An explicit null equality means "missing or null", like MongoDB; a null bound is
        // no constraint at all.
        return match op {
            "" => have.is_none(),
            "_ne" => have.is_some(),
            _ => true,
        };
    }
    let list = || want.as_array().map(Vec::as_slice).unwrap_or_default();
    let contains = |v: &Value| match v {
        Value::Array(items) => items.iter().any(|i| list().contains(i)),
        v => list().contains(v),
    };
    match op {
        "" => have == Some(want),
        "_ne" => have != Some(want),
        "_in" => have.is_some_and(contains),
        "_nin" => !have.is_some_and(contains),
        "_exists" => want.as_bool() == Some(have.is_some()),
        "_gt" => cmp(have, want) == Some(Ordering::Greater),
        "_gte" => matches!(cmp(have, want), Some(Ordering::Greater | Ordering::Equal)),
        "_lt" => cmp(have, want) == Some(Ordering::Less),
        "_lte" => matches!(cmp(have, want), Some(Ordering::Less | Ordering::Equal)),
        _ => false,
    }
}

fn cmp(have: Option<&Value>, want: &Value) -> Option<Ordering> {
    match (have?, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Missing < numbers < strings, as in MongoDB's sort order for these types.
fn sort_key_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Number(_)) => 1,
            Some(Value::String(_)) => 2,
            _ => 3,
        }
    }
    rank(a)
        .cmp(&rank(b))
        .then_with(|| cmp(a, b.unwrap_or(&Value::Null)).unwrap_or(Ordering::Equal))
}

fn sort_docs(docs: &mut [Map<String, Value>], sort: &str) {
    let (field, desc) = match (sort.strip_suffix("_ASC"), sort.strip_suffix("_DESC")) {
        (Some(f), _) => (f.to_ascii_lowercase(), false),
        (_, Some(f)) => (f.to_ascii_lowercase(), true),
        _ => return,
    };
    docs.sort_by(|a, b| {
        let o = sort_key_cmp(a.get(&field), b.get(&field));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn filters() {
        let d = doc(json!({"title": "A", "year": 2001, "genres": ["x", "y"]}));
        assert!(matches(&d, &json!({"year_gte": 2001, "year_lt": 2002})));
        assert!(!matches(&d, &json!({"year_gt": 2001})));
        assert!(matches(&d, &json!({"title_in": ["A", "B"]})));
        assert!(matches(&d, &json!({"genres_in": ["y"]})));
        assert!(matches(&d, &json!({"genres_nin": ["z"]})));
        assert!(matches(
            &d,
            &json!({"plot_exists": false, "title_exists": true})
        ));
        assert!(matches(&d, &json!({"OR": [{"year": 1}, {"title": "A"}]})));
        assert!(!matches(
            &d,
            &json!({"AND": [{"year": 2001}, {"title": "B"}]})
        ));
        assert!(matches(&d, &json!({"plot": null})));
        assert!(matches(&d, &json!({"title_ne": "B"})));
    }
}
