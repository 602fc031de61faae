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

/// The largest successful body read (a page of 100 customers is a few hundred kB).
pub(crate) const MAX_BODY: usize = 16 << 20;
/// The largest part of an error body kept (a problem+json is a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 << 10;

/// Reads at most `cap` bytes of the body; `Err(size so far)` when it is longer.
async fn read_capped(
    resp: &mut Response,
    cap: usize,
) -> Result<Result<Vec<u8>, usize>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(Err(body.len() + chunk.len()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Ok(body))
}

/// Decodes a successful JSON body, naming the JSON path of the first mismatch. A body over
/// [`MAX_BODY`] is refused unread (a server, or something posing as one, cannot fill memory).
pub(crate) async fn decode<T: DeserializeOwned>(mut resp: Response) -> Result<T, Error> {
    let status = resp.status().as_u16();
    let request_id = request_id(&resp);
    let url = resp.url().to_string();
    let bytes = match read_capped(&mut resp, MAX_BODY)
        .await
        .map_err(|e| transport(&url, e))?
    {
        Ok(bytes) => bytes,
        Err(size) => {
            return Err(Error::Decode {
                path: ".".into(),
                message: format!(
                    "the answer is larger than {} MiB ({size} bytes read)",
                    MAX_BODY >> 20
                ),
                status,
                request_id,
            })
        }
    };
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| Error::Decode {
        path: e.path().to_string(),
        message: e.inner().to_string(),
        status,
        request_id,
    })
}

/// Reads and drops a successful body (a 202 with nothing, or something to ignore), within the
/// cap.
pub(crate) async fn discard(mut resp: Response) -> Result<(), Error> {
    let url = resp.url().to_string();
    match read_capped(&mut resp, MAX_ERROR_BODY)
        .await
        .map_err(|e| transport(&url, e))?
    {
        Ok(_) | Err(_) => Ok(()),
    }
}

/// Reads an error response into an [`ApiError`]; a body that is not problem+json still gives
/// an error with the status and request id.
pub(crate) async fn api_error(mut resp: Response) -> ApiError {
    let status = resp.status();
    let request_id = request_id(&resp);
    let retry_after = retry::retry_after_secs(resp.headers());
    // An error body larger than a problem+json can be is not one: keep nothing of it.
    let body = match read_capped(&mut resp, MAX_ERROR_BODY).await {
        Ok(Ok(body)) => body,
        _ => Vec::new(),
    };
    let problem = serde_json::from_slice::<Problem>(&body).unwrap_or_else(|_| Problem {
        title: status.canonical_reason().map(str::to_owned),
        status: Some(status.as_u16()),
        detail: non_json_detail(status, &body),
        ..Problem::default()
    });
    // The request id is the `x-request-id` header, else a `request_id` member of the body.
    let request_id = request_id.or_else(|| problem.extension_str("request_id").map(str::to_owned));
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
