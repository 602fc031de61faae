//! Drafts: registrations kept on this computer until Dinie has them. Every registration starts
//! as one (autosaved while the agent types), offline or not; the outbox loop sends the waiting ones.
//!
//! A draft's id is born with it and never changes: it is the `Idempotency-Key` of its create
//! (with a revision suffix once an edit follows a refusal) and, unless the agent typed one, its
//! `external_id`. So a create repeated after a crash or a timeout never registers twice.

pub mod files;
pub mod import;
pub mod outbox;
pub mod run;
pub mod sealing;
pub mod send;
pub mod sheets;
mod store;
pub mod submit;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use store::{
    Begun, Counts, DraftList, DraftStore, InFlight, Unreadable, UnreadableDraft, SCHEMA_VERSION,
};

use crate::services::customers::RegistrationForm;
use crate::services::reason::Reason;
use sealing::SealError;

/// Where a draft is on its way to Dinie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    /// Being filled in; not sent until the agent asks.
    Editing,
    /// Complete and waiting for the connection (or for its next retry).
    Queued,
    /// A step is under way, or was when the app stopped (resumed on the next run).
    Sending,
    /// Registered, with every document sent.
    Sent,
    /// Refused (409, 422, a document not needed): the agent must change something.
    Attention,
}

impl DraftState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Editing => "editing",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Attention => "attention",
        }
    }

    /// The stored state. Only this module writes states, so an unknown one means a damaged
    /// row: it is shown as being edited, where the agent sees it and can send or discard it
    /// (never sent on its own).
    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "attention" => Self::Attention,
            _ => Self::Editing,
        }
    }
}

/// Where one attached document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Not sent yet.
    Pending,
    /// An upload started; after a crash, the customer's `kyc` tells whether it arrived.
    Uploading,
    /// Dinie has it.
    Uploaded,
    /// Not sent: the customer's item was already sent or approved.
    Skipped,
    /// The customer does not need this type (or no type was chosen).
    Refused,
}

impl DocumentState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Uploading => "uploading",
            Self::Uploaded => "uploaded",
            Self::Skipped => "skipped",
            Self::Refused => "refused",
        }
    }

    /// The stored state. An unknown one (a damaged row) reads as pending: the next sync looks
    /// it up in the customer's `kyc` before sending anything, so it is not sent twice.
    fn parse(s: &str) -> Self {
        match s {
            "uploading" => Self::Uploading,
            "uploaded" => Self::Uploaded,
            "skipped" => Self::Skipped,
            "refused" => Self::Refused,
            _ => Self::Pending,
        }
    }

    /// Still to be sent by the next sync.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Uploading)
    }
}

/// Why a draft needs the agent, field by field where the API said which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftProblem {
    /// `conflict`, `validation`, `document_not_needed`, or the API's own code.
    pub code: String,
    /// Why, as a whole (format 2 stored an English sentence under `message`: it reads as a
    /// [`Reason::legacy`]).
    #[serde(alias = "message")]
    pub reason: Reason,
    /// Form field (camelCase) → why (format 2: a sentence).
    pub fields: BTreeMap<String, Reason>,
    /// The customer already registered with this CPF (a 409).
    pub customer_id: Option<String>,
}

/// A document attached to a draft: its file is sealed in the draft blob folder.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftDocument {
    pub id: String,
    /// The KYC type; empty until one is chosen.
    pub doc_type: String,
    /// The original file name.
    pub name: String,
    /// `pdf`, `jpeg` or `png`.
    pub format: String,
    pub size: u64,
    pub state: DocumentState,
    /// Why it was not sent.
    pub problem: Option<Reason>,
    /// Uploads of it that timed out.
    #[serde(skip)]
    pub timeouts: u32,
}

/// A draft as the screens and the outbox loop see it (decrypted).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub id: String,
    /// The connection it is meant for: it is only ever sent there.
    pub profile_id: String,
    pub state: DraftState,
    pub form: RegistrationForm,
    pub problem: Option<DraftProblem>,
    /// Set once Dinie registered it.
    pub customer_id: Option<String>,
    #[serde(skip)]
    pub revision: u32,
    /// Failed attempts since it was queued.
    pub attempts: u32,
    /// Failures of this computer's own (a file missing or damaged) since it was queued.
    #[serde(skip)]
    pub local_failures: u32,
    /// A create was sent and its answer never came: Dinie may have registered it, so the
    /// CPF, CNPJ and external id stay as sent until the next send finds out.
    pub create_unconfirmed: bool,
    /// Unix ms before which it is not retried.
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub documents: Vec<DraftDocument>,
}

/// A draft as a line of the drafts list: what the list shows and searches, no more (a list of
/// 50,000 drafts is parsed by the page at once; each byte less is felt).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftRow {
    pub id: String,
    pub profile_id: String,
    pub state: DraftState,
    pub name: String,
    pub cpf: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<RowProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub updated_at: i64,
}

/// Why a listed draft waits for the agent.
#[derive(Debug, Clone, Serialize)]
pub struct RowProblem {
    pub code: String,
    pub reason: Reason,
}

impl From<Draft> for DraftRow {
    fn from(d: Draft) -> Self {
        Self {
            id: d.id,
            profile_id: d.profile_id,
            state: d.state,
            name: d.form.name,
            cpf: d.form.cpf,
            email: d.form.email,
            external_id: d.form.external_id,
            problem: d.problem.map(|p| RowProblem {
                code: p.code,
                reason: p.reason,
            }),
            customer_id: d.customer_id,
            updated_at: d.updated_at,
        }
    }
}

/// The drafts list as the page gets it: the drafts that open, as rows, and those that do not.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftRows {
    pub drafts: Vec<DraftRow>,
    pub unreadable: Vec<UnreadableDraft>,
}

impl Draft {
    /// The form as it is sent: unless the agent typed an `external_id`, the draft's id is it
    /// (that is what makes a resend under a new key safe).
    pub fn with_external_id(id: &str, mut checked: RegistrationForm) -> RegistrationForm {
        checked.external_id.get_or_insert_with(|| id.to_owned());
        checked
    }

    /// The `Idempotency-Key` of its create. Dinie remembers the answer to a key (a 409
    /// included) for a day, so after the agent fixes a refused draft the key must change;
    /// the `external_id` (the draft id) does not, and it is what makes a resend safe.
    pub fn idempotency_key(&self) -> String {
        if self.revision == 0 {
            self.id.clone()
        } else {
            format!("{}.{}", self.id, self.revision)
        }
    }
}

/// Why a draft could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The key could not be had, or a sealed value did not open.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The drafts database failed.
    #[error("the drafts database failed: {0}")]
    Db(#[from] rusqlite::Error),
    /// A draft's file could not be written or read.
    #[error("a draft file could not be written or read: {0}")]
    Io(#[from] std::io::Error),
    /// No such draft or document (discarded meanwhile).
    #[error("this draft no longer exists")]
    NotFound,
    /// Being sent, or already sent: it cannot change now.
    #[error("{0}")]
    Locked(&'static str),
    /// Unusable data (a saved form that does not parse).
    #[error("a saved draft is damaged: {0}")]
    Damaged(String),
    /// A document type Dinie does not ask for.
    #[error("unknown document type `{0}`")]
    UnknownDocumentType(String),
    /// The keychain refused the key a moment ago; it is not asked again yet.
    #[error("{0}")]
    Unavailable(String),
    /// Sealed with a key the system keychain no longer has.
    #[error("this draft was sealed with a key the system keychain no longer has; it cannot be opened, only discarded")]
    OtherKey,
    /// A document's sealed file is not on this computer any more.
    #[error("a document's file is missing from this computer")]
    MissingFile,
    /// The draft belongs to another connection: it is only ever sent there.
    #[error("this draft belongs to another connection ({profile_id}); move it to this one to send it here")]
    OtherConnection { profile_id: String },
    /// A create may have reached Dinie: the identifying fields cannot change yet.
    #[error("this registration may already have reached Dinie: the CPF, CNPJ and external id cannot change until the next send confirms it")]
    IdentityFrozen,
    /// The database was written by a newer release of the app.
    #[error("the drafts were saved by a newer version of Dinie Desk (format {found}, this one reads up to {known}); update the app to open them")]
    NewerFormat { found: i64, known: i64 },
}
