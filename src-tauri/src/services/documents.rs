//! KYC documents from the agent's disk: inspect before sending (type, content, size, pages),
//! then stream the upload with progress. The checks mirror Dinie's, so that a wrong file is
//! refused here with a specific message instead of after a slow upload.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::connection::Connection;

/// A file the agent dropped or picked, and what the app found out about it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCheck {
    pub path: String,
    pub name: String,
    pub size: u64,
    /// `pdf`, `jpeg` or `png`, by content.
    pub format: Option<&'static str>,
    /// The KYC type to send it as: the one asked for, or one proposed from the file name.
    pub doc_type: Option<String>,
    /// Pages of a PDF, when they can be counted.
    pub pages: Option<u32>,
    /// Why it cannot be sent (code for the page's dictionary, and details).
    pub problem: Option<Problem>,
}

/// Why a file cannot be sent.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// `missing`, `unreadable`, `empty`, `too_large`, `not_a_document`, `type_not_needed`,
    /// `already_approved`, `choose_type`.
    pub code: &'static str,
    pub message: String,
}

fn problem(code: &'static str, message: impl Into<String>) -> Option<Problem> {
    Some(Problem {
        code,
        message: message.into(),
    })
}

/// The document types Dinie asks for (a draft's documents are typed before the customer
/// exists, so before its `kyc` says which of them it needs).
pub const DOCUMENT_TYPES: &[&str] = &[
    "cnh",
    "identity_card_front",
    "identity_card_back",
    "selfie",
    "proof_of_address",
    "ccmei",
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

/// Counts the pages of a PDF by its page objects (`/Type /Page`), reading at most 32 MiB.
/// Compressed object streams can hide them: then the count is unknown, not wrong.
pub fn pdf_pages(path: &Path) -> Option<u32> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(32 << 20)
        .read_to_end(&mut bytes)
        .ok()?;
    let mut count = 0u32;
    let needle = b"/Type";
    let mut i = 0;
    while let Some(pos) = bytes[i..].windows(needle.len()).position(|w| w == needle) {
        let mut j = i + pos + needle.len();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && !bytes[j..].starts_with(b"/Pages") {
            count += 1;
        }
        i = j;
    }
    (count > 0).then_some(count)
}

/// Inspects one file against the customer's `kyc` and the size limit (counting a PDF's pages
/// when `count_pages`: that reads the file, worth it for the preview, not before sending).
pub fn inspect(
    path: &Path,
    requested: Option<&str>,
    kyc: &[dinie::KycItem],
    limit: u64,
    count_pages: bool,
) -> DocumentCheck {
    let needed: Vec<&str> = kyc
        .iter()
        .filter(|k| k.kind == dinie::KycKind::Document)
        .map(|k| k.item_type.as_str())
        .collect();
    let mut check = inspect_file(path, limit, count_pages);
    check.doc_type = requested
        .map(str::to_owned)
        .or_else(|| propose_type(&check.name, &needed));
    if check.problem.is_none() {
        check.problem = match check.doc_type.as_deref() {
            None => problem("choose_type", "choose which document this is"),
            Some(t) if !needed.contains(&t) => problem(
                "type_not_needed",
                format!(
                    "this customer does not need `{t}` (needed: {})",
                    needed.join(", ")
                ),
            ),
            Some(t)
                if kyc
                    .iter()
                    .any(|k| k.item_type == t && k.status == dinie::KycStatus::Approved) =>
            {
                problem("already_approved", format!("`{t}` is already approved"))
            }
            Some(_) => None,
        };
    }
    check
}

/// Inspects the file alone: there, readable, not empty, within `limit`, a PDF, JPEG or PNG by
/// its content. `doc_type` is left unset.
pub fn inspect_file(path: &Path, limit: u64, count_pages: bool) -> DocumentCheck {
    use std::io::Read;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut check = DocumentCheck {
        path: path.display().to_string(),
        name,
        size: 0,
        format: None,
        doc_type: None,
        pages: None,
        problem: None,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            check.problem = problem("unreadable", "this is a folder, not a file");
            return check;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            check.problem = problem("missing", "the file is no longer there (moved or deleted)");
            return check;
        }
        Err(e) => {
            check.problem = problem("unreadable", e.to_string());
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
        check.problem = problem("unreadable", e.to_string());
        return check;
    }
    let format = dinie::content::sniff(&head);
    check.format = format.map(|f| match f {
        dinie::content::DocumentFormat::Pdf => "pdf",
        dinie::content::DocumentFormat::Jpeg => "jpeg",
        dinie::content::DocumentFormat::Png => "png",
    });
    if count_pages && format == Some(dinie::content::DocumentFormat::Pdf) {
        check.pages = pdf_pages(path);
    }
    check.problem = if check.size == 0 {
        problem("empty", "the file is empty")
    } else if check.size > limit {
        problem(
            "too_large",
            format!("{} MB, over the {} MB limit", mb(check.size), mb(limit)),
        )
    } else if format.is_none() {
        problem(
            "not_a_document",
            format!(
                "its content is {}, not PDF, JPEG or PNG",
                dinie::content::describe(&head)
            ),
        )
    } else {
        None
    };
    check
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// Progress of one upload, as the page's progress bar needs it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum UploadEvent {
    /// Bytes handed to the connection so far.
    Progress { sent: u64, total: u64 },
}

/// Streams `path` as `doc_type` (checks done by the client crate too).
pub async fn upload(
    conn: &Connection,
    customer: &dinie::Customer,
    path: PathBuf,
    doc_type: &str,
    progress: impl Fn(UploadEvent) + Send + Sync + 'static,
) -> Result<dinie::models::Document, dinie::Error> {
    conn.client()
        .customers()
        .upload_document(&customer.id, doc_type)
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
    fn counts_pdf_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pdf");
        std::fs::write(&path, b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page /Parent 1 0 R>>\n").unwrap();
        assert_eq!(pdf_pages(&path), Some(2));
    }
}
