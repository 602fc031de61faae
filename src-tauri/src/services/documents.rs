//! KYC documents from the agent's disk: inspect before sending (where it goes, content, size,
//! pages), then stream the upload with progress. The checks mirror Dinie's, so that a wrong
//! file is refused here with a specific message instead of after a slow upload.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::blocking::off_the_runtime;
use crate::locks::lock;
use crate::services::connection::Connection;
use crate::services::customer_detail::{self, CustomerDetail};
use crate::services::evidence::{self, Slot};
use crate::services::follow::Follower;
use crate::services::picked::{PickError, PickedFiles};

/// A file the agent dropped or picked, and what the app found out about it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCheck {
    /// The file, kept in Rust: the page knows it by [`file`](Self::file).
    #[serde(skip)]
    pub path: String,
    /// The file's token (see [`crate::services::picked`]); empty for a file not picked.
    pub file: String,
    pub name: String,
    pub size: u64,
    /// `pdf`, `jpeg` or `png`, by content.
    pub format: Option<&'static str>,
    /// Where it goes (a slot key, see [`crate::services::evidence`]): the one the agent chose,
    /// or one proposed from where it was dropped and its name. For a draft's file, the kind of
    /// document it is (`cnh`, `identity_card_front`, …).
    pub slot: Option<String>,
    /// Pages of a PDF, when they can be counted.
    pub pages: Option<u32>,
    /// SHA-256 of the content (hex), for a file that can be sent, read for the preview: the
    /// page refuses the same photo twice whatever its name ("IMG-1.jpg", "IMG-1 (1).jpg").
    pub digest: Option<String>,
    /// Why it cannot be sent (code for the page's dictionary, and details).
    pub problem: Option<FileProblem>,
}

/// Why a file cannot be sent, as the page's dictionary names it (`docs.problem.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileProblemCode {
    /// Moved or deleted.
    Missing,
    /// A folder, or no permission.
    Unreadable,
    Empty,
    TooLarge,
    /// Not a PDF, JPEG or PNG by its content (whatever it is called).
    NotADocument,
    /// The slot is not one of this customer's (or takes no file).
    TypeNotNeeded,
    /// Dinie already accepted that requirement.
    AlreadyApproved,
    /// No slot was chosen, and nothing suggests one.
    ChooseType,
    /// A CSV that cannot be read as one.
    InvalidFile,
}

/// Why a file cannot be sent or kept.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileProblem {
    pub code: FileProblemCode,
    /// For logs (English); the page words the code.
    pub message: String,
    /// The values the page's sentence names (`size` and `limit`, in MB, of a file too large).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
}

impl DocumentCheck {
    /// Whether the page may show it as a thumbnail: an image whose content can be sent (its
    /// place may still be to choose: the agent chooses it looking at the picture).
    pub fn is_previewable(&self) -> bool {
        matches!(self.format, Some("jpeg" | "png"))
            && self.problem.as_ref().is_none_or(|p| {
                matches!(
                    p.code,
                    FileProblemCode::ChooseType
                        | FileProblemCode::TypeNotNeeded
                        | FileProblemCode::AlreadyApproved
                )
            })
    }
}

fn problem(code: FileProblemCode, message: impl Into<String>) -> Option<FileProblem> {
    Some(FileProblem {
        code,
        message: message.into(),
        vars: BTreeMap::new(),
    })
}

/// The kinds of document a draft's file may be (a draft's documents are typed before the
/// customer exists, so before its requirements are known; they are the applicant's and the
/// company's, and [`evidence::draft_slot`] finds each its requirement once they are).
/// `selfie` is kept for drafts of the previous release: the capture takes selfies now.
pub const DOCUMENT_TYPES: &[&str] = &[
    "cnh",
    "cnh_front",
    "cnh_back",
    "identity_card_front",
    "identity_card_back",
    "proof_of_address",
    "ccmei",
    "ei_registration_requirement",
    "income_statement",
    "articles_of_association",
    "eireli_incorporation_statement",
    "selfie",
];

/// Words in a file name that suggest a document type (Brazilian agents name files this way).
const HINTS: &[(&str, &[&str])] = &[
    (
        "cnh",
        &["cnh", "habilitacao", "habilitação", "carteira", "motorista"],
    ),
    ("selfie", &["selfie", "rosto", "foto"]),
    ("ccmei", &["ccmei", "mei", "certificado"]),
    (
        "ei_registration_requirement",
        &["requerimento", "empresario", "empresário"],
    ),
    (
        "income_statement",
        &["faturamento", "receita", "renda", "irpf", "dasn"],
    ),
    (
        "articles_of_association",
        &["contrato social", "contrato", "alteracao", "alteração"],
    ),
    (
        "eireli_incorporation_statement",
        &["eireli", "ato constitutivo"],
    ),
    (
        "identity_card_front",
        &["rg_frente", "rg-frente", "identidade_frente", "frente"],
    ),
    (
        "identity_card_back",
        &["rg_verso", "rg-verso", "identidade_verso", "verso"],
    ),
    (
        "proof_of_address",
        &[
            "comprovante",
            "endereco",
            "endereço",
            "residencia",
            "residência",
            "conta",
        ],
    ),
];

/// The document type a file name suggests among those the customer needs.
pub fn propose_type(name: &str, needed: &[&str]) -> Option<String> {
    let lower = name.to_lowercase();
    needed
        .iter()
        .find(|t| lower.contains(*t))
        .or_else(|| {
            HINTS
                .iter()
                .filter(|(t, _)| needed.contains(t))
                .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
                .map(|(t, _)| t)
        })
        .map(|t| (*t).to_owned())
}

/// Inspects one file for `slot` against the customer's requirements and the size limit
/// (counting a PDF's pages when `count_pages`: that reads the file, worth it for the preview,
/// not before sending).
pub fn inspect(
    path: &Path,
    slot: Option<&Slot>,
    kyc: &[dinie::KycRequirement],
    limit: u64,
    count_pages: bool,
) -> DocumentCheck {
    let mut check = inspect_file(path, limit, count_pages);
    check.slot = slot.map(Slot::key);
    if check.problem.is_none() {
        check.problem = match slot {
            None => problem(FileProblemCode::ChooseType, "choose which document this is"),
            Some(s) => evidence::refuse(s, kyc).map(|why| FileProblem {
                code: if kyc
                    .iter()
                    .any(|k| k.requirement_id == s.requirement_id && k.is_accepted())
                {
                    FileProblemCode::AlreadyApproved
                } else {
                    FileProblemCode::TypeNotNeeded
                },
                message: why.to_string(),
                vars: why.vars,
            }),
        };
    }
    check
}

/// Inspects the file alone: there, readable, not empty, within `limit`, a PDF, JPEG or PNG by
/// its content. `slot` is left unset.
pub fn inspect_file(path: &Path, limit: u64, count_pages: bool) -> DocumentCheck {
    use std::io::Read;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut check = DocumentCheck {
        path: path.display().to_string(),
        file: String::new(),
        name,
        size: 0,
        format: None,
        slot: None,
        pages: None,
        digest: None,
        problem: None,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            check.problem = problem(FileProblemCode::Unreadable, "this is a folder, not a file");
            return check;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            check.problem = problem(
                FileProblemCode::Missing,
                "the file is no longer there (moved or deleted)",
            );
            return check;
        }
        Err(e) => {
            check.problem = problem(FileProblemCode::Unreadable, e.to_string());
            return check;
        }
    };
    check.size = meta.len();
    let mut head = Vec::with_capacity(dinie::content::SNIFF_LEN);
    let read = std::fs::File::open(path).and_then(|f| {
        f.take(dinie::content::SNIFF_LEN as u64)
            .read_to_end(&mut head)
    });
    if let Err(e) = read {
        check.problem = problem(FileProblemCode::Unreadable, e.to_string());
        return check;
    }
    let format = dinie::content::sniff(&head);
    check.format = format.map(|f| match f {
        dinie::content::DocumentFormat::Pdf => "pdf",
        dinie::content::DocumentFormat::Jpeg => "jpeg",
        dinie::content::DocumentFormat::Png => "png",
    });
    if count_pages && format == Some(dinie::content::DocumentFormat::Pdf) {
        check.pages = crate::services::pdf::pages(path);
    }
    check.problem = if check.size == 0 {
        problem(FileProblemCode::Empty, "the file is empty")
    } else if check.size > limit {
        problem(
            FileProblemCode::TooLarge,
            format!("{} MB, over the {} MB limit", mb(check.size), mb(limit)),
        )
        .map(|p| {
            p.with("size", mb(check.size))
                .with("limit", limit_mb(limit))
        })
    } else if format.is_none() {
        problem(
            FileProblemCode::NotADocument,
            format!(
                "its content is {}, not PDF, JPEG or PNG",
                dinie::content::describe(&head)
            ),
        )
    } else {
        None
    };
    if count_pages && check.problem.is_none() {
        check.digest = digest(path);
    }
    check
}

/// The SHA-256 of a file's content, in hex (None when it cannot be read to its end).
pub fn digest(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// A limit in MB as people say it: "10", not "10.0".
fn limit_mb(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb.fract() == 0.0 {
        format!("{mb:.0}")
    } else {
        format!("{mb:.1}")
    }
}

impl FileProblem {
    fn with(mut self, name: &str, value: String) -> Self {
        self.vars.insert(name.to_owned(), value);
        self
    }
}

/// Progress of one upload, as the page's progress bar needs it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum UploadEvent {
    /// Bytes handed to the connection so far.
    Progress { sent: u64, total: u64 },
}

/// What each chosen file (by token) is, checked against the customer's current requirements
/// and the connection's size limit (PDF pages counted, for the preview). `slot` is the one the
/// agent chose (a key); without it each file is proposed one, from the requirement it was
/// dropped on (`dropped_on`) and its name, the files of one drop seeing each other.
pub async fn inspect_for(
    conn: &Connection,
    picked: &PickedFiles,
    customer_id: &dinie::CustomerId,
    files: &[String],
    slot: Option<&str>,
    dropped_on: Option<&str>,
) -> Result<Vec<DocumentCheck>, UploadError> {
    let paths = picked.paths(files)?;
    let result = conn.client().customers().get(customer_id).await;
    conn.observe(&result);
    let customer = result?;
    let limit = conn.client().config().max_upload_bytes();
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let slots: Vec<Option<Slot>> = match slot.map(Slot::parse) {
        Some(chosen) => vec![chosen; paths.len()],
        None => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            evidence::propose_all(&names, dropped_on, &customer.kyc)
        }
    };
    // Reads each file whole (its digest, a PDF's pages): off the runtime.
    Ok(off_the_runtime(|| {
        paths
            .iter()
            .zip(files)
            .zip(slots)
            .map(|((path, token), slot)| DocumentCheck {
                file: token.clone(),
                ..inspect(path, slot.as_ref(), &customer.kyc, limit, true)
            })
            .collect()
    }))
}

/// Uploads in flight, by the page's upload id, so that Cancel can stop them.
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>);

impl Uploads {
    /// Stops an upload in flight (nothing when it already ended).
    pub fn cancel(&self, upload_id: &str) {
        if let Some(handle) = lock(&self.0).remove(upload_id) {
            handle.abort();
        }
    }
}

/// Which file to send, where, for whom.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRequest {
    pub customer_id: dinie::CustomerId,
    /// The file's token.
    pub file: String,
    /// The slot key.
    pub slot: String,
    /// The page's id for this upload, for [`Uploads::cancel`].
    pub upload_id: String,
}

/// Why an upload did not happen.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file was refused before sending.
    #[error("{}", .0.message)]
    Refused(FileProblem),
    /// The token names no file the agent chose.
    #[error(transparent)]
    NotPicked(#[from] PickError),
    /// The agent cancelled it.
    #[error("the upload was cancelled")]
    Cancelled,
    /// The API failed or refused it.
    #[error(transparent)]
    Api(#[from] dinie::Error),
}

/// Checks, then streams one file (progress to `progress`), cancellable through `uploads`.
/// Answers with the customer's detail as it is after the upload, and updates the follower.
pub async fn upload_and_refresh(
    conn: &std::sync::Arc<Connection>,
    picked: &PickedFiles,
    follower: &Follower,
    uploads: &Uploads,
    request: UploadRequest,
    progress: impl Fn(UploadEvent) + Send + Sync + 'static,
) -> Result<CustomerDetail, UploadError> {
    let UploadRequest {
        customer_id,
        file,
        slot,
        upload_id,
    } = request;
    let path = picked.path(&file)?;
    let fetched = conn.client().customers().get(&customer_id).await;
    conn.observe(&fetched);
    let customer = fetched?;
    let limit = conn.client().config().max_upload_bytes();
    let slot = Slot::parse(&slot);
    // A look at the disk (the file's size and first bytes): off the runtime, like the rest.
    let check = off_the_runtime(|| inspect(&path, slot.as_ref(), &customer.kyc, limit, false));
    if let Some(problem) = check.problem {
        return Err(UploadError::Refused(problem));
    }
    let Some(slot) = slot else {
        return Err(UploadError::Refused(FileProblem {
            code: FileProblemCode::ChooseType,
            message: "choose which document this is".into(),
            vars: BTreeMap::new(),
        }));
    };
    // The upload runs in its own task so that Cancel can abort it: aborting drops the task,
    // and with it `tx`, so `rx` resolves with an error, which is what "cancelled" means here.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task_conn = conn.clone();
    let handle = tauri::async_runtime::spawn(async move {
        let result = upload(&task_conn, &customer, path, &slot, progress).await;
        let _ = tx.send(result);
    });
    lock(&uploads.0).insert(upload_id.clone(), handle);
    let outcome = rx.await;
    lock(&uploads.0).remove(&upload_id);
    let result = outcome.map_err(|_| UploadError::Cancelled)?;
    conn.observe(&result);
    result?;
    let (fresh, extras) = customer_detail::fetch(conn, &customer_id).await?;
    follower.update(&fresh);
    Ok(CustomerDetail::new(&fresh, &extras))
}

/// Streams `path` into `slot` (checks done by the client crate too), in the connection's turn
/// (one upload at a time on its uplink).
async fn upload(
    conn: &Connection,
    customer: &dinie::Customer,
    path: PathBuf,
    slot: &Slot,
    progress: impl Fn(UploadEvent) + Send + Sync + 'static,
) -> Result<dinie::models::KycAttachmentReceipt, dinie::Error> {
    let _turn = conn.upload_turn().await;
    conn.client()
        .customers()
        .kyc_attachment(&customer.id, slot.target())
        .file(path)
        .known_kyc(&customer.kyc)
        .on_progress(move |p| {
            progress(UploadEvent::Progress {
                sent: p.sent,
                total: p.total.unwrap_or(0),
            })
        })
        .send()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_a_type_from_the_name() {
        let needed = ["cnh", "selfie", "ccmei"];
        assert_eq!(
            propose_type("CNH-maria.pdf", &needed).as_deref(),
            Some("cnh")
        );
        assert_eq!(
            propose_type("habilitação frente.jpg", &needed).as_deref(),
            Some("cnh")
        );
        assert_eq!(
            propose_type("Foto do rosto.png", &needed).as_deref(),
            Some("selfie")
        );
        assert_eq!(
            propose_type("certificado MEI.pdf", &needed).as_deref(),
            Some("ccmei")
        );
        assert_eq!(propose_type("scan001.pdf", &needed), None);
        assert_eq!(
            propose_type("ccmei.pdf", &["cnh", "selfie"]),
            None,
            "only types the customer needs"
        );
    }

    #[test]
    fn the_same_content_under_another_name_has_the_same_digest_and_a_refused_file_none() {
        let dir = tempfile::tempdir().unwrap();
        let photo = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1];
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let first = inspect_file(&write("IMG-1.jpg", &photo), 1 << 20, true);
        let renamed = inspect_file(&write("IMG-1 (1).jpg", &photo), 1 << 20, true);
        let mut other = photo.to_vec();
        other.push(7);
        let other = inspect_file(&write("IMG-2.jpg", &other), 1 << 20, true);
        assert_eq!(first.digest.as_deref().map(str::len), Some(64));
        assert_eq!(first.digest, renamed.digest);
        assert_ne!(first.digest, other.digest);
        let big = inspect_file(&write("big.jpg", &photo), 4, true);
        assert_eq!(big.problem.map(|p| p.code), Some(FileProblemCode::TooLarge));
        assert_eq!(
            big.digest, None,
            "a file that cannot be sent is not read whole"
        );
        let not_previewed = inspect_file(&write("again.jpg", &photo), 1 << 20, false);
        assert_eq!(not_previewed.digest, None);
    }
}
