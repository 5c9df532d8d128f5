//! Building the mock's responses, and reading query strings.

use std::collections::HashMap;

use bytes::Bytes;
use http::{Response, StatusCode, header};

use crate::body::MockBody;

/// Decodes `a=1&b=2` (percent-decoding values).
pub(crate) fn query_pairs(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => match std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<MockBody> {
    let mut response = Response::new(MockBody::whole(body));
    *response.status_mut() = status;
    if let Ok(value) = header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

pub(crate) fn raw_json(body: Bytes) -> Response<MockBody> {
    response(StatusCode::OK, "application/json;charset=UTF-8", body)
}

pub(crate) fn json(value: &serde_json::Value) -> Response<MockBody> {
    raw_json(Bytes::from(value.to_string()))
}

pub(crate) fn envelope_error(code: i64, msg: &str) -> Response<MockBody> {
    json(&serde_json::json!({ "code": code, "msg": msg, "data": null }))
}

pub(crate) fn html(status: StatusCode, page: &'static str) -> Response<MockBody> {
    response(status, "text/html", page)
}

pub(crate) fn status_page(status: u16, retry_after: Option<u64>) -> Response<MockBody> {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let page = format!("<html><body><h1>{code}</h1>nginx</body></html>");
    let mut response = response(code, "text/html", page);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}

pub(crate) fn oversized(size: usize) -> Response<MockBody> {
    let head = br#"{"code":0,"msg":"ok","data":{"task_id":1,"content":""#;
    let tail = br#""}}"#;
    let mut body = Vec::with_capacity(size.max(head.len() + tail.len()));
    body.extend_from_slice(head);
    body.resize(size.saturating_sub(tail.len()).max(head.len()), b'x');
    body.extend_from_slice(tail);
    raw_json(Bytes::from(body))
}

/// Keeps the status and headers, announces the full length, and sends half the body.
pub(crate) fn truncate(full: Response<MockBody>) -> Response<MockBody> {
    let (mut parts, body) = full.into_parts();
    let bytes = match body {
        MockBody::Whole(Some(bytes))
        | MockBody::Truncated(Some(bytes))
        | MockBody::Unsized(Some(bytes))
        | MockBody::Delayed(Some(bytes), _) => bytes,
        _ => Bytes::new(),
    };
    parts.headers.insert(
        header::CONTENT_LENGTH,
        header::HeaderValue::from(bytes.len()),
    );
    let half = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, MockBody::Truncated(Some(half)))
}

/// The same response with its body held back for `delay` after the head.
pub(crate) fn slow_body(
    full: Response<MockBody>,
    delay: std::time::Duration,
) -> Response<MockBody> {
    let (parts, body) = full.into_parts();
    let bytes = match body {
        MockBody::Whole(bytes)
        | MockBody::Truncated(bytes)
        | MockBody::Unsized(bytes)
        | MockBody::Delayed(bytes, _) => bytes,
    };
    Response::from_parts(
        parts,
        MockBody::Delayed(bytes, Box::pin(tokio::time::sleep(delay))),
    )
}

/// The same response with its body sent without a length.
pub(crate) fn without_length(full: Response<MockBody>) -> Response<MockBody> {
    let (mut parts, body) = full.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = match body {
        MockBody::Whole(bytes)
        | MockBody::Truncated(bytes)
        | MockBody::Unsized(bytes)
        | MockBody::Delayed(bytes, _) => bytes,
    };
    Response::from_parts(parts, MockBody::Unsized(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        let pairs = query_pairs("appid=a%2Bb&app_secret=x%20y+z&flag");
        assert_eq!(pairs["appid"], "a+b");
        assert_eq!(pairs["app_secret"], "x y z");
        assert!(!pairs.contains_key("flag"));
    }

    #[test]
    fn oversized_bodies_have_the_requested_size_and_are_json() {
        let response = oversized(4096);
        let MockBody::Whole(Some(body)) = response.into_body() else {
            panic!("whole body")
        };
        assert_eq!(body.len(), 4096);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    }
}
