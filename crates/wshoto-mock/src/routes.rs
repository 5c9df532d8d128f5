//! Answering one request: routes, token checks and the fault plan.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::body::MockBody;
use crate::counters::InFlight;
use crate::faults::{Fault, Route, lock};
use crate::responses::{
    envelope_error, html, json, oversized, query_pairs, raw_json, response, status_page, truncate,
    without_length,
};
use crate::server::{
    CODE_BAD_CREDENTIALS, CODE_BAD_REQUEST, CODE_TASK_NOT_FOUND, DETAIL_PATH, EXECUTE_DETAIL_PATH,
    State, TOKEN_PATH,
};

/// The error a handler returns to make hyper drop the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection reset on purpose by the mock")]
pub(crate) struct ResetOnPurpose;

impl State {
    /// Issues a token (as the token endpoint does) and counts it.
    pub(crate) fn issue_token(&self) -> String {
        self.counters.tokens_issued.fetch_add(1, Ordering::SeqCst);
        self.tokens.issue(self.config.token_ttl)
    }
}

impl State {
    pub(crate) async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<MockBody>, ResetOnPurpose> {
        if self.config.record_requests {
            lock(&self.arrivals).push(Instant::now());
        }
        // Held while the request is answered; dropped too when hyper cancels the handler.
        let _gauge = (request.uri().path() != TOKEN_PATH).then(|| InFlight::enter(&self.counters));
        Arc::clone(&self).answer(request).await
    }

    async fn answer(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<MockBody>, ResetOnPurpose> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, 1 << 20).collect().await {
            Ok(collected) => Some(collected.to_bytes()),
            Err(_) => None,
        };
        let request = Request::from_parts(parts, body);
        let path = request.uri().path().to_owned();
        if request.version() == http::Version::HTTP_2 {
            self.counters.http2_requests.fetch_add(1, Ordering::SeqCst);
        }
        let route = if path == TOKEN_PATH {
            self.counters.token_requests.fetch_add(1, Ordering::SeqCst);
            Route::Token
        } else {
            self.counters.api_requests.fetch_add(1, Ordering::SeqCst);
            if self.config.record_requests
                && let Some(task_id) = request.body().as_deref().and_then(task_id_of)
            {
                *lock(&self.requests_per_task).entry(task_id).or_insert(0) += 1;
            }
            Route::Api
        };
        let mut fault = self.faults.next(route);
        if let Some(fault) = &fault {
            tracing::debug!(fault = fault.name(), %path, "mock injects a fault");
        }
        if let Some(Fault::DelayThen(delay, then)) = fault {
            tokio::time::sleep(delay).await;
            fault = Some(*then);
        }
        let normal = match fault {
            None => None,
            Some(Fault::DelayThen(..)) => None,
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                None
            }
            Some(Fault::RevokeTokens) => {
                self.tokens.revoke_all();
                None
            }
            Some(Fault::Reset) => return Err(ResetOnPurpose),
            Some(Fault::Status {
                status,
                retry_after,
            }) => Some(status_page(status, retry_after)),
            Some(Fault::NonJsonBody) => Some(html(
                StatusCode::OK,
                "<html><body><h1>Welcome to nginx!</h1></body></html>",
            )),
            Some(Fault::ApiError { code, msg }) => Some(envelope_error(code, &msg)),
            Some(Fault::EchoRequestLine { status }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let page = format!(
                    "<html><body>{code}: {} {}</body></html>",
                    request.method(),
                    request.uri()
                );
                Some(response(code, "text/html", page))
            }
            Some(Fault::OversizedBody(size)) => Some(oversized(size)),
            Some(Fault::Body { status, body }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                Some(response(code, "application/json;charset=UTF-8", body))
            }
            Some(Fault::Redirect { status, location }) => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
                let mut moved = response(code, "text/html", "<html>Moved</html>");
                if let Ok(value) = http::HeaderValue::from_str(&location) {
                    moved.headers_mut().insert(http::header::LOCATION, value);
                }
                Some(moved)
            }
            Some(Fault::SlowBody(delay)) => {
                let full = self.route(route, request).await;
                return Ok(crate::responses::slow_body(full, delay));
            }
            Some(Fault::ContentEncoding(encoding)) => {
                let mut compressed = response(
                    StatusCode::OK,
                    "application/json",
                    Bytes::from_static(b"\x1f\x8b\x08\x00garbled"),
                );
                if let Ok(value) = http::HeaderValue::from_str(&encoding) {
                    compressed
                        .headers_mut()
                        .insert(http::header::CONTENT_ENCODING, value);
                }
                Some(compressed)
            }
            Some(Fault::OversizedUnsizedBody(size)) => Some(without_length(oversized(size))),
            Some(Fault::TruncatedBody) => {
                let full = self.route(route, request).await;
                return Ok(truncate(full));
            }
        };
        match normal {
            Some(response) => Ok(response),
            None => Ok(self.route(route, request).await),
        }
    }

    async fn route(&self, route: Route, request: Request<Option<Bytes>>) -> Response<MockBody> {
        match (route, request.method()) {
            (Route::Token, &Method::GET) => self.token_endpoint(request.uri().query()),
            (Route::Api, &Method::POST) => self.api_endpoint(request).await,
            _ => html(
                StatusCode::NOT_FOUND,
                "<html><body>404 Not Found</body></html>",
            ),
        }
    }

    fn token_endpoint(&self, query: Option<&str>) -> Response<MockBody> {
        let params = query_pairs(query.unwrap_or_default());
        let app_id = params.get("appid").map(String::as_str);
        let secret = params.get("app_secret").map(String::as_str);
        if app_id != Some(self.config.app_id.as_str())
            || secret != Some(self.config.app_secret.as_str())
        {
            return envelope_error(CODE_BAD_CREDENTIALS, "appid或app_secret错误");
        }
        let token = self.issue_token();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        json(&serde_json::json!({
            "code": 0,
            "msg": "ok",
            "data": {
                "access_token": token,
                "expires_in": self.config.token_ttl.as_secs(),
                "create_at": created,
            }
        }))
    }

    async fn api_endpoint(&self, request: Request<Option<Bytes>>) -> Response<MockBody> {
        let path = request.uri().path().to_owned();
        let params = query_pairs(request.uri().query().unwrap_or_default());
        if let Some((code, msg)) = self
            .tokens
            .check(params.get("access_token").map(String::as_str))
        {
            self.counters.tokens_rejected.fetch_add(1, Ordering::SeqCst);
            return envelope_error(code, msg);
        }
        let Some(body) = request.into_body() else {
            return envelope_error(CODE_BAD_REQUEST, "请求体无法读取");
        };
        let Some(task_id) = task_id_of(&body) else {
            return envelope_error(CODE_BAD_REQUEST, "task_id不能为空");
        };
        match path.as_str() {
            DETAIL_PATH => match self.config.fixtures.get(task_id) {
                Some(body) => raw_json(body.clone()),
                None if self
                    .config
                    .synthetic
                    .as_ref()
                    .is_some_and(|ids| ids.contains(&task_id)) =>
                {
                    raw_json(crate::synthetic::synthetic_task(task_id))
                }
                None => envelope_error(CODE_TASK_NOT_FOUND, "群发任务不存在"),
            },
            EXECUTE_DETAIL_PATH => json(&serde_json::json!({
                "code": 0,
                "msg": "请求成功",
                "data": { "total": 0, "records": [], "task_id": task_id }
            })),
            _ => html(
                StatusCode::NOT_FOUND,
                "<html><body>404 Not Found</body></html>",
            ),
        }
    }
}

/// The `task_id` of a request body (a number or a decimal string).
fn task_id_of(body: &[u8]) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get("task_id")? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
