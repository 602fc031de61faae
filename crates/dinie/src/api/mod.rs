//! The calls, one module per resource. Each returns a handler or a builder that ends in
//! `.send()`.

pub mod customers;
pub mod documents;
