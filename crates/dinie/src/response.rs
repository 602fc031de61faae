//! Turning HTTP responses into values or errors.

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Problem};
use crate::retry;

/// The `x-request-id` of a response.
pub(crate) fn request_id(resp: &Response) -> Option<String> {
    resp.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Decodes a successful JSON body, naming the JSON path of the first mismatch.
pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, Error> {
    let status = resp.status().as_u16();
    let request_id = request_id(&resp);
    let url = resp.url().to_string();
    let bytes = resp.bytes().await.map_err(|e| transport(&url, e))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| Error::Decode {
        path: e.path().to_string(),
        message: e.inner().to_string(),
        status,
        request_id,
    })
}

/// Reads an error response into an [`ApiError`]; a body that is not problem+json still gives
/// an error with the status and request id.
pub(crate) async fn api_error(resp: Response) -> ApiError {
    let status = resp.status();
    let request_id = request_id(&resp);
    let retry_after = retry::retry_after_secs(resp.headers());
    let body = resp.bytes().await.unwrap_or_default();
    let problem = serde_json::from_slice::<Problem>(&body).unwrap_or_else(|_| Problem {
        title: status.canonical_reason().map(str::to_owned),
        status: Some(status.as_u16()),
        detail: non_json_detail(status, &body),
        ..Problem::default()
    });
    ApiError {
        status,
        problem,
        request_id,
        retry_after,
    }
}

fn non_json_detail(status: StatusCode, body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return Some(format!("the server answered {status} with no details"));
    }
    let excerpt: String = text.chars().take(200).collect();
    Some(format!(
        "the server answered {status} with a body that is not a Dinie error: {excerpt}"
    ))
}

/// Maps a transport failure to `Timeout` or `Connection`.
pub(crate) fn transport(url: &str, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            url: url.to_owned(),
        }
    } else {
        Error::Connection {
            url: url.to_owned(),
            source: e,
        }
    }
}
