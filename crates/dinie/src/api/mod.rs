//! The calls, one module per resource. Each returns a handler or a builder that ends in
//! `.send()`.

pub mod banks;
pub mod customers;
pub mod kyc_attachments;

use crate::models::CustomerId;

/// Percent-encodes an id for use as one path segment.
pub(crate) fn path_segment(id: &CustomerId) -> String {
    url::form_urlencoded::byte_serialize(id.as_str().as_bytes()).collect()
}
