//! Answers checked against the OpenAPI document the server publishes: every key the schema
//! names, no key it does not, each of the type it says.

use serde_json::Value;

use crate::helpers::*;

/// What is wrong with `value` under `schema` (empty when it conforms).
pub fn mismatches(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return mismatches(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // Flattened parts: each part judges its own keys; unknown keys are judged on the merge.
        let mut merged = serde_json::Map::new();
        let mut out = Vec::new();
        for part in all {
            let part = resolve(doc, part);
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                merged.extend(p.clone());
            }
            for r in part["required"].as_array().into_iter().flatten() {
                let k = r.as_str().unwrap();
                if value.get(k).is_none() {
                    out.push(format!("{at}.{k}: required, missing"));
                }
            }
        }
        let whole = serde_json::json!({ "type": "object", "properties": merged });
        out.extend(mismatches(doc, &whole, value, at));
        return out;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema.get(key).and_then(Value::as_array) {
            return if any.iter().any(|s| mismatches(doc, s, value, at).is_empty()) {
                vec![]
            } else {
                vec![format!("{at}: {value} fits none of {key}")]
            };
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let fits = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| fits(t)) {
        return vec![format!("{at}: {value} is not {types:?}")];
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return vec![format!("{at}: {value} is not one of {values:?}")];
        }
    }
    let mut out = Vec::new();
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for k in obj.keys() {
            if !props.contains_key(k) {
                out.push(format!("{at}.{k}: not in the schema"));
            }
        }
        for r in schema["required"].as_array().into_iter().flatten() {
            let k = r.as_str().unwrap();
            if !obj.contains_key(k) {
                out.push(format!("{at}.{k}: required, missing"));
            }
        }
        for (k, v) in obj {
            if let Some(s) = props.get(k) {
                out.extend(mismatches(doc, s, v, &format!("{at}.{k}")));
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            out.extend(mismatches(doc, items, v, &format!("{at}[{i}]")));
        }
    }
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// The 200 schema the document gives `path`'s GET.
fn answer_schema<'a>(doc: &'a Value, path: &str) -> &'a Value {
    &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
}

#[tokio::test]
async fn the_health_answers_are_what_the_document_says_they_are() {
    let app = spawn_app().await;
    let doc: Value = app
        .anonymous
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, client) in [
        ("/health", &app.anonymous),
        ("/regulator/health", &app.manager.client),
    ] {
        let answer: Value = client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let schema = answer_schema(&doc, &format!("/api/v1{path}"));
        assert!(!schema.is_null(), "{path} has no 200 schema");
        let wrong = mismatches(&doc, schema, &answer, path);
        assert!(wrong.is_empty(), "{path}: {wrong:#?}\n{answer}");
    }
    // Two different answers, two different schemas (they once shared one name).
    assert_ne!(
        answer_schema(&doc, "/api/v1/health"),
        answer_schema(&doc, "/api/v1/regulator/health")
    );
}

#[test]
fn the_checker_finds_a_stray_key_a_missing_one_and_a_wrong_type() {
    let doc = serde_json::json!({});
    let schema = serde_json::json!({"type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}});
    assert!(mismatches(&doc, &schema, &serde_json::json!({"a": 1, "b": "x"}), "").is_empty());
    assert_eq!(
        mismatches(&doc, &schema, &serde_json::json!({"a": 1, "c": 2}), "").len(),
        1
    );
    assert_eq!(
        mismatches(&doc, &schema, &serde_json::json!({"b": "x"}), "").len(),
        1
    );
    assert_eq!(
        mismatches(&doc, &schema, &serde_json::json!({"a": "1"}), "").len(),
        1
    );
}
