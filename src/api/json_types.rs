//! JSON types checked against the document before an operation parses its body. poem-openapi reads a JSON number
//! or boolean into a `String` field as its text (`{"name": 1}` would save the name "1"), while the document says
//! `string`: an integrator's mistake would be stored instead of refused. Every JSON body is therefore walked
//! alongside its operation's documented request schema first, and a value of another JSON type is answered 400
//! `bad_request` naming the field; so is a required field that is absent (poem-openapi's own messages name neither
//! the field nor anything in Chinese). Only types and presence are checked here; every rule about values stays in the
//! services.

use serde_json::Value;

/// The request-body schema of every documented operation, matched by method and path like the router.
pub struct BodySchemas {
    document: Value,
    operations: Vec<(String, Vec<String>, Value)>,
}

impl BodySchemas {
    pub fn of(spec: &str) -> Self {
        let document: Value = serde_json::from_str(spec).unwrap_or_default();
        let mut operations = Vec::new();
        for (path, methods) in document["paths"].as_object().into_iter().flatten() {
            let segments: Vec<String> = path.trim_matches('/').split('/').map(str::to_string).collect();
            for (method, operation) in methods.as_object().into_iter().flatten() {
                let content = operation["requestBody"]["content"].as_object();
                let schema = content
                    .and_then(|media| media.iter().find(|(kind, _)| kind.starts_with("application/json")))
                    .map(|(_, media)| media["schema"].clone());
                if let Some(schema) = schema {
                    operations.push((method.to_ascii_uppercase(), segments.clone(), schema));
                }
            }
        }
        Self { document, operations }
    }

    /// The first value in `body` whose JSON type its operation's schema does not allow (or the first required field
    /// it lacks), as a Chinese message;
    /// `None` when the types agree, the operation takes no JSON, or the body is not JSON (poem-openapi says so).
    pub fn mismatch(&self, method: &str, path: &str, body: &[u8]) -> Option<String> {
        let path = path.split_once("/api/v1").map_or(path, |(_, rest)| rest);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (_, _, schema) = self
            .operations
            .iter()
            .filter(|(want, pattern, _)| {
                want == method
                    && pattern.len() == segments.len()
                    && pattern.iter().zip(&segments).all(|(want, got)| want.starts_with('{') || want == got)
            })
            .max_by_key(|(_, pattern, _)| pattern.iter().filter(|segment| !segment.starts_with('{')).count())?;
        let value: Value = serde_json::from_slice(body).ok()?;
        let mut at = String::new();
        let found = first_mismatch(&self.document, schema, &value, &mut at, 0)?;
        let field = if at.is_empty() { "请求体".to_string() } else { format!("字段 {at} ") };
        Some(match found {
            Problem::Expected(expected) => format!("请求格式错误：{field}应为{expected}"),
            Problem::Missing => format!("请求格式错误：缺少字段 {at}"),
        })
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// Another JSON type than the document says (named in Chinese).
    Expected(&'static str),
    /// A required field is absent (or null).
    Missing,
}

/// Schemas nest as deep as the models do; a body nested deeper than this is not walked further (poem-openapi
/// still parses it against the types).
const MAX_DEPTH: usize = 32;

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn first_mismatch(document: &Value, schema: &Value, value: &Value, at: &mut String, depth: usize) -> Option<Problem> {
    let schema = resolve(document, schema);
    // An absent optional value is sent as null by many clients; poem-openapi refuses a null where one is required.
    if value.is_null() || depth > MAX_DEPTH {
        return None;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return parts.iter().find_map(|part| first_mismatch(document, part, value, at, depth + 1));
    }
    if let Some(choices) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
        let mut first = None;
        for choice in choices {
            let mut inner = at.clone();
            match first_mismatch(document, choice, value, &mut inner, depth + 1) {
                None => return None,
                Some(expected) => first = first.or(Some((expected, inner))),
            }
        }
        return first.map(|(expected, inner)| {
            *at = inner;
            expected
        });
    }
    let expected = |wrong: bool, name: &'static str| wrong.then_some(Problem::Expected(name));
    match schema.get("type").and_then(Value::as_str)? {
        "string" => expected(!value.is_string(), "字符串"),
        "integer" => expected(!(value.is_i64() || value.is_u64()), "整数"),
        "number" => expected(!value.is_number(), "数字"),
        "boolean" => expected(!value.is_boolean(), "布尔值（true 或 false）"),
        "array" => {
            let Some(items) = value.as_array() else { return Some(Problem::Expected("数组")) };
            let item_schema = schema.get("items")?;
            items.iter().enumerate().find_map(|(index, item)| {
                let mut inner = format!("{at}[{index}]");
                let found = first_mismatch(document, item_schema, item, &mut inner, depth + 1);
                found.inspect(|_| *at = inner)
            })
        }
        "object" => {
            let Some(object) = value.as_object() else { return Some(Problem::Expected("对象")) };
            let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
            if let Some(name) =
                required.filter_map(Value::as_str).find(|name| object.get(*name).is_none_or(Value::is_null))
            {
                *at = if at.is_empty() { name.to_string() } else { format!("{at}.{name}") };
                return Some(Problem::Missing);
            }
            let properties = schema.get("properties").and_then(Value::as_object)?;
            object.iter().find_map(|(name, inner_value)| {
                let property = properties.get(name)?;
                let mut inner = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
                let found = first_mismatch(document, property, inner_value, &mut inner, depth + 1);
                found.inspect(|_| *at = inner)
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schemas() -> BodySchemas {
        let document = json!({
            "paths": {
                "/teachers/{id}": {"put": {"requestBody": {"content": {"application/json; charset=utf-8": {
                    "schema": {"$ref": "#/components/schemas/TeacherIn"}}}}}},
                "/teachers": {"post": {"requestBody": {"content": {"application/json": {
                    "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}}}},
                "/teachers/project": {"post": {"requestBody": {"content": {"application/json": {
                    "schema": {"type": "array", "items": {"type": "integer"}}}}}}}
            },
            "components": {"schemas": {"TeacherIn": {"type": "object", "properties": {
                "name": {"type": "string"},
                "school_id": {"type": "integer"},
                "active": {"type": "boolean"},
                "subjects": {"type": "array", "items": {"type": "string"}},
                "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}]}
            }}, "Kind": {"type": "string", "enum": ["a", "b"]}}}
        });
        BodySchemas::of(&document.to_string())
    }

    fn check(method: &str, path: &str, body: Value) -> Option<String> {
        schemas().mismatch(method, path, body.to_string().as_bytes())
    }

    #[test]
    fn a_number_or_a_bool_where_text_is_documented_is_named() {
        assert_eq!(
            check("PUT", "/api/v1/teachers/7", json!({"name": 1})).unwrap(),
            "请求格式错误：字段 name 应为字符串"
        );
        assert_eq!(check("PUT", "/teachers/7", json!({"kind": false})).unwrap(), "请求格式错误：字段 kind 应为字符串");
        assert_eq!(
            check("PUT", "/teachers/7", json!({"subjects": ["语文", 2]})).unwrap(),
            "请求格式错误：字段 subjects[1] 应为字符串"
        );
        assert_eq!(
            check("PUT", "/teachers/7", json!({"active": "yes"})).unwrap(),
            "请求格式错误：字段 active 应为布尔值（true 或 false）"
        );
        assert_eq!(
            check("PUT", "/teachers/7", json!({"school_id": "3"})).unwrap(),
            "请求格式错误：字段 school_id 应为整数"
        );
        assert_eq!(check("POST", "/teachers/project", json!([1, "2"])).unwrap(), "请求格式错误：字段 [1] 应为整数");
        assert_eq!(check("PUT", "/teachers/7", json!([])).unwrap(), "请求格式错误：请求体应为对象");
    }

    #[test]
    fn a_missing_required_field_is_named() {
        assert_eq!(check("POST", "/teachers", json!({"school_id": 3})).unwrap(), "请求格式错误：缺少字段 name");
        assert_eq!(check("POST", "/teachers", json!({"name": null})).unwrap(), "请求格式错误：缺少字段 name");
        assert_eq!(check("POST", "/teachers", json!({"name": "刁彬彬"})), None);
    }

    #[test]
    fn right_types_nulls_unknown_fields_and_undocumented_bodies_pass() {
        let good = json!({"name": "刁彬彬", "school_id": 3, "active": true, "subjects": ["语文"], "kind": "a",
            "school": null, "extra": 1});
        assert_eq!(check("PUT", "/teachers/7", good), None);
        assert_eq!(check("POST", "/teachers/project", json!([1, 2])), None, "the literal path wins over {{id}}");
        assert_eq!(check("GET", "/teachers/7", json!({"name": 1})), None, "no body documented");
        assert_eq!(schemas().mismatch("PUT", "/teachers/7", b"{not json"), None, "poem-openapi says so itself");
    }
}
