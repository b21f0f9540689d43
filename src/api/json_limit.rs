//! A cap on JSON request bodies. poem-openapi reads a JSON body whole and turns it into a `serde_json::Value`,
//! then into the operation's types, before any rule of ours runs: an array of empty objects costs a hundred
//! times its size in memory by then. So the body is read here first, at most `MAX_JSON_BYTES` of it. Files never
//! travel as JSON (uploads are streamed octet-stream or multipart bodies, capped by their services).

use poem::error::ReadBodyError;
use poem::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use poem::{Body, IntoResponse, Request, Response};

use super::errors::{ApiError, body};

/// The largest JSON body any operation takes. The largest real ones are a notice (50,000 characters, ~300 KB
/// even when every character is escaped as `\uXXXX`) and bulk lists of ids; a filing is a few KB.
pub const MAX_JSON_BYTES: usize = 512 * 1024;

fn is_json(request: &Request) -> bool {
    let Some(value) = request.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    // What poem-openapi's `Json` accepts: `application/json` or any `application/*+json`, parameters aside.
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn too_large() -> Response {
    let message = format!("请求内容过大：JSON请求体至多为{}KB", MAX_JSON_BYTES / 1024);
    ApiError::PayloadTooLarge(body("payload_too_large", message)).into_response()
}

/// Reads a JSON body (at most `MAX_JSON_BYTES`, whatever `Content-Length` says or does not say) before the
/// operation does, and hands the request on; a larger body is answered 413 `payload_too_large` without reading the
/// rest. Other requests pass untouched.
/// `mistyped` names a value of the wrong JSON type (`json_types`), answered 400 `bad_request`.
pub async fn read_capped(
    mut request: Request,
    mistyped: impl FnOnce(&Request, &[u8]) -> Option<String>,
) -> std::result::Result<Request, Response> {
    if !is_json(&request) {
        return Ok(request);
    }
    let declared = request.headers().get(CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse().ok());
    if declared.is_some_and(|length: u64| length > MAX_JSON_BYTES as u64) {
        return Err(too_large());
    }
    match request.take_body().into_bytes_limit(MAX_JSON_BYTES).await {
        Ok(bytes) => {
            if let Some(message) = mistyped(&request, &bytes) {
                return Err(ApiError::BadRequest(body("bad_request", message)).into_response());
            }
            request.set_body(Body::from(bytes));
            Ok(request)
        }
        Err(ReadBodyError::PayloadTooLarge) => Err(too_large()),
        Err(error) => Err(super::errors::poem_error_to_json(error.into())),
    }
}

#[cfg(test)]
mod tests {
    use poem::http::StatusCode;

    use super::*;

    fn json_request(body: Body, declared: Option<usize>) -> Request {
        let mut builder = Request::builder().method(poem::http::Method::PUT).content_type("application/json");
        if let Some(length) = declared {
            builder = builder.header(CONTENT_LENGTH, length.to_string());
        }
        builder.body(body)
    }

    async fn refused_status(request: Request) -> Option<(StatusCode, String)> {
        let response = read_capped(request, |_, _| None).await.err()?;
        let status = response.status();
        Some((status, response.into_body().into_string().await.unwrap_or_default()))
    }

    #[tokio::test]
    async fn bodies_past_the_cap_are_refused_declared_or_streamed_and_others_pass_whole() {
        let large = vec![b' '; MAX_JSON_BYTES + 1];
        let declared = refused_status(json_request(Body::from(large.clone()), Some(large.len()))).await;
        let streamed = Body::from_async_read(std::io::Cursor::new(large.clone()));
        let streamed = refused_status(json_request(streamed, None)).await;
        for (status, body) in [declared.expect("declared refused"), streamed.expect("streamed refused")] {
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
            assert!(body.contains("payload_too_large") && body.contains("512KB"), "{body}");
        }
        let fits = read_capped(json_request(Body::from(vec![b' '; MAX_JSON_BYTES]), None), |_, _| None).await;
        let mut fits = fits.map_err(|_| "refused").expect("a body at the cap passes");
        assert_eq!(fits.take_body().into_vec().await.expect("body").len(), MAX_JSON_BYTES);
        // Not JSON (a streamed upload): untouched, however large.
        let upload = Request::builder().content_type("application/octet-stream").body(large);
        assert!(read_capped(upload, |_, _| None).await.is_ok());
    }
}
