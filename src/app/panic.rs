//! The panic layer: a handler that panics answers 500 — a Chinese error page, or the API's JSON error with code
//! `internal` under `/api/` — instead of dropping the connection, and the log names only the method, the matched
//! route pattern and where the panic happened. A panic message may quote request text (a name, an ID number), so
//! neither the layer nor the process's panic hook ever prints it.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::obs::{RouteSlot, UNMATCHED, method_label};

/// Runs the rest of the stack and turns a panic into a 500 answer.
pub async fn catch<E: Endpoint>(next: E, request: Request) -> poem::Result<Response> {
    let method = method_label(request.method());
    let api = request.uri().path().starts_with("/api/");
    let slot = request.data::<RouteSlot>().cloned();
    match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(result) => result.map(IntoResponse::into_response),
        // The payload is dropped unread: it may carry request text.
        Err(_payload) => {
            let route = slot.map_or_else(|| UNMATCHED.into(), |slot| slot.label());
            metrics::counter!("zhiping_http_panics_total").increment(1);
            tracing::error!(%method, %route, "a request handler panicked; answered 500");
            Ok(if api { crate::api::errors::internal_response() } else { crate::web::errors::internal_page() })
        }
    }
}

/// Replaces the default panic hook, which prints the panic message, with one that logs only the thread and the
/// source location (enough to find the bug, nothing a user typed). Installed by `serve`, after logging is set up.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map_or_else(
            || "unknown location".to_string(),
            |location| format!("{}:{}:{}", location.file(), location.line(), location.column()),
        );
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed");
        tracing::error!(%location, %thread, "panic (message withheld: it may quote request data)");
    }));
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use poem::http::StatusCode;
    use poem::{Endpoint, EndpointExt, Request, Route, get, handler};

    use super::catch;

    #[handler]
    fn boom(request: &poem::Request) -> &'static str {
        let query = request.uri().query().unwrap_or_default().to_string();
        let name = percent_encoding::percent_decode_str(&query).decode_utf8_lossy().to_string();
        panic!("byte index 17 is not a char boundary of {name}");
    }

    #[handler]
    fn fine() -> &'static str {
        "ok"
    }

    fn app() -> impl Endpoint<Output = poem::Response> {
        Route::new()
            .at("/admin/teachers", get(boom))
            .at("/api/v1/teachers", get(boom))
            .at("/ok", get(fine))
            .around(catch)
    }

    /// Collects what the layer logs.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_panicking_page_or_api_handler_answers_500_and_logs_no_request_text() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = app();
        let call = |uri: &str| app.call(Request::builder().uri_str(uri).finish());
        // 北虹中等专业, as a browser sends it.
        let query = "?q=%E5%8C%97%E8%99%B9%E4%B8%AD%E7%AD%89%E4%B8%93%E4%B8%9A";

        let page = call(&format!("/admin/teachers{query}")).await.expect("an answer");
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(page.content_type(), Some("text/html; charset=utf-8"));
        let html = page.into_body().into_string().await.unwrap();
        assert!(html.contains("系统出错了") && !html.contains("北虹"), "{html}");

        let api = call(&format!("/api/v1/teachers{query}")).await.expect("an answer");
        assert_eq!(api.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let json: serde_json::Value = serde_json::from_str(&api.into_body().into_string().await.unwrap()).unwrap();
        assert_eq!(json["code"], "internal");
        assert!(json["message"].as_str().is_some_and(|message| !message.is_empty()));

        let ok = call("/ok").await.expect("an answer");
        assert_eq!(ok.into_body().into_string().await.unwrap(), "ok");
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.matches("a request handler panicked").count(), 2, "{log}");
        assert!(!log.contains("北虹") && !log.contains("%E5%8C%97") && !log.contains("char boundary"), "{log}");
    }

    #[test]
    fn the_panic_hook_logs_where_but_never_the_message() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        super::install_hook();
        let name = String::from("北虹中等专业");
        let result = std::panic::catch_unwind(|| panic!("byte index 17 is not a char boundary of {name}"));
        let _ = std::panic::take_hook();
        assert!(result.is_err());
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("panic (message withheld") && log.contains("src/app/panic.rs:"), "{log}");
        assert!(!log.contains("北虹") && !log.contains("char boundary"), "{log}");
    }
}
