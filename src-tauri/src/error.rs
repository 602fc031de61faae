//! The error a command returns to the page: a stable `code` the UI translates, a message for
//! people (English, the UI's fallback), the API's request id, and per-field errors.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// A failure as the page sees it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// `offline`, `timeout`, `auth_failed`, `not_found`, `validation`, `conflict`,
    /// `rate_limited`, `server_error`, `invalid_input`, `internal`, or the API's own code.
    pub code: String,
    /// What happened, for people.
    pub message: String,
    /// The API's `x-request-id`, to quote to support.
    pub request_id: Option<String>,
    /// Field → message, for forms.
    pub fields: Vec<(String, String)>,
    /// The existing customer of a `customer_already_exists` conflict.
    pub customer_id: Option<String>,
}

impl CommandError {
    /// An error with a code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            request_id: None,
            fields: Vec::new(),
            customer_id: None,
        }
    }
}

impl From<dinie::Error> for CommandError {
    fn from(e: dinie::Error) -> Self {
        use dinie::Error as E;
        let code = match &e {
            E::Connection { .. } => "offline".to_owned(),
            E::Timeout { .. } => "timeout".to_owned(),
            E::Authentication { .. } => "auth_failed".to_owned(),
            E::Decode { .. } => "unexpected_answer".to_owned(),
            E::InvalidInput(_) => "invalid_input".to_owned(),
            E::Api(api) => match api.status.as_u16() {
                404 => "not_found".to_owned(),
                409 => "conflict".to_owned(),
                422 => "validation".to_owned(),
                429 => "rate_limited".to_owned(),
                401 | 403 => "auth_failed".to_owned(),
                s if s >= 500 => "server_error".to_owned(),
                _ => api
                    .problem
                    .code
                    .clone()
                    .unwrap_or_else(|| "api_error".to_owned()),
            },
            _ => "internal".to_owned(),
        };
        let fields = e
            .as_api()
            .map(|api| {
                api.problem
                    .errors
                    .iter()
                    .filter_map(|f| Some((f.param.clone()?, f.detail.clone().unwrap_or_default())))
                    .collect()
            })
            .unwrap_or_default();
        let customer_id = e
            .as_api()
            .and_then(|api| api.problem.extension_str("customer_id"))
            .map(str::to_owned);
        Self {
            code,
            message: e.to_string(),
            request_id: e.request_id().map(str::to_owned),
            fields,
            customer_id,
        }
    }
}

impl From<crate::services::profiles::ProfileError> for CommandError {
    fn from(e: crate::services::profiles::ProfileError) -> Self {
        use crate::services::profiles::ProfileError as P;
        use crate::vault::VaultError as V;
        let code = match &e {
            P::Invalid { .. } => "validation",
            P::NotFound => "not_found",
            P::BuiltIn => "invalid_input",
            P::Vault(V::Unavailable(_)) => "keychain_unavailable",
            P::Vault(V::Failed(_)) => "keychain_failed",
            P::Store(_) => "internal",
        };
        let mut err = Self::new(code, e.to_string());
        if let P::Invalid { field, message } = &e {
            err.fields.push(((*field).to_owned(), message.clone()));
        }
        err
    }
}

impl From<crate::services::diagnostics::TestFailure> for CommandError {
    fn from(e: crate::services::diagnostics::TestFailure) -> Self {
        use crate::services::diagnostics::TestFailure as T;
        match e {
            T::Other(inner) => inner.into(),
            T::WrongCredentials(ref id) => {
                let mut err = Self::new("wrong_credentials", e.to_string());
                err.request_id = id.clone();
                err
            }
            T::Unreachable(_) => Self::new("unreachable", e.to_string()),
            T::Tls(_) => Self::new("tls_failed", e.to_string()),
            T::NotDinie(_) => Self::new("not_dinie", e.to_string()),
            T::Timeout(_) => Self::new("timeout", e.to_string()),
        }
    }
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("CommandError", 5)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("requestId", &self.request_id)?;
        let fields: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        st.serialize_field("fields", &fields)?;
        st.serialize_field("customerId", &self.customer_id)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_an_object_for_the_page() {
        let mut e = CommandError::new("validation", "2 fields are invalid");
        e.request_id = Some("req_1".into());
        e.fields.push(("cpf".into(), "invalid CPF".into()));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code":"validation","message":"2 fields are invalid","requestId":"req_1","fields":{"cpf":"invalid CPF"},"customerId":null})
        );
    }
}
