//! The API's resources. Unknown fields are ignored; enum values the crate does not know yet are
//! kept as `Unknown(raw)` instead of failing the whole response.

mod bank;
mod biometrics;
mod credit_offer;
mod customer;
mod kyc;
mod page;
mod rate_limit;
pub(crate) mod timestamp;

pub use bank::{AccountKind, Bank, BankAccount, BankAccountId, BankAccountInput};
pub use biometrics::{BiometricsSession, KycAttachmentReceipt};
pub use credit_offer::{CreditOffer, CreditOfferId, CreditOfferStatus, Installments};
pub use customer::{Customer, CustomerId, CustomerStatus};
pub use kyc::{
    by_subject, AttachmentType, EvidenceOption, EvidenceType, KycAttachment, KycRequirement,
    KycSubject, KycSubmitted, RequirementType, ReviewStatus, SubjectGroup, SubjectType,
};
pub use page::{Page, SkippedItem};
pub use rate_limit::RateLimit;

/// `null` decodes as the type's default (an empty list), as an absent field does.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

/// Declares a string enum that keeps values it does not know in `Unknown(String)`.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $raw:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $raw,)+
                    Self::Unknown(raw) => raw,
                }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                match raw {
                    $($raw => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok(Self::from(raw.as_ref()))
            }
        }
    };
}
pub(crate) use open_enum;

/// Declares a string newtype id (`cust_…`, `doc_…`).
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The raw id.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use id_type;
