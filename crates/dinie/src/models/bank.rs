use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{id_type, open_enum, timestamp};

id_type!(
    /// A bank account id, `ba_…`.
    BankAccountId
);

open_enum!(
    /// The kind of a bank account.
    AccountKind {
        /// Conta corrente.
        Checking = "checking",
        /// Conta poupança.
        Saving = "saving",
        /// Conta de pagamento.
        Payment = "payment",
    }
);

/// A bank a bank account may name (`GET /banks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bank {
    /// The bank's code (`001`, …): what a bank account's `bank_id` is.
    pub id: String,
    /// The bank's name.
    pub name: String,
    /// Code and name for people (`001 - Banco do Brasil`).
    #[serde(default)]
    pub display_name: String,
}

/// The account a customer's credit is paid into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BankAccount {
    /// `ba_…`
    pub id: BankAccountId,
    /// The bank's code.
    pub bank_id: String,
    /// The bank's name.
    #[serde(default)]
    pub bank_name: String,
    /// Agency, digits.
    pub branch: String,
    /// Account number, digits.
    pub number: String,
    /// Check digit.
    pub digit: String,
    /// Checking, saving or payment.
    pub kind: AccountKind,
    /// Last change.
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What `POST /customers/{id}/bank-account` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccountInput {
    /// The bank's code, one of `GET /banks`.
    pub bank_id: String,
    /// Agency.
    pub branch: String,
    /// Account number.
    pub number: String,
    /// Check digit.
    pub digit: String,
    /// Checking, saving or payment.
    pub kind: AccountKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wireBankAccount` of dinie-tech/sdk-js tests/generated/customers.test.ts.
    #[test]
    fn decodes_the_sdk_bank_account() {
        let a: BankAccount = serde_json::from_str(
            r#"{"id":"ba_1","bank_id":"001","kind":"checking","branch":"0001","number":"1234567",
                "digit":"0","bank_name":"Banco do Brasil","updated_at":1775253599}"#,
        )
        .unwrap();
        assert_eq!(a.kind, AccountKind::Checking);
        assert_eq!(a.bank_name, "Banco do Brasil");
        let b: Bank = serde_json::from_str(
            r#"{"id":"001","name":"Banco do Brasil","display_name":"001 - Banco do Brasil"}"#,
        )
        .unwrap();
        assert_eq!(b.id, "001");
    }
}
