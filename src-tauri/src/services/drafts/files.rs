//! Files that become drafts' content: a document attached before the customer exists (checked
//! like an upload, then sealed into the draft) and a CSV of borrowers (imported as drafts).

use std::path::Path;

use serde::Serialize;

use super::{import, DraftDocument, DraftError, DraftStore};
use crate::services::documents::{self, FileProblem, FileProblemCode, DOCUMENT_TYPES};

/// Largest document kept in a draft: it is sealed in memory, so bounded even when the
/// connection's own limit is larger.
pub const DRAFT_DOCUMENT_LIMIT: u64 = 50 << 20;
/// Largest CSV imported at once.
pub const MAX_CSV_BYTES: u64 = 20 << 20;

/// Why a file could not be attached or imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file itself is refused (missing, too large, not a document, not a CSV…).
    #[error("{}", .0.message)]
    Refused(FileProblem),
    /// The drafts store failed.
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// The token names no file the agent chose.
    #[error(transparent)]
    NotPicked(#[from] crate::services::picked::PickError),
    /// A CSV that cannot be read as a list of borrowers.
    #[error(transparent)]
    Import(#[from] super::import::ImportError),
}

fn refused(code: FileProblemCode, message: impl Into<String>) -> FileError {
    FileError::Refused(FileProblem {
        code,
        message: message.into(),
        vars: Default::default(),
    })
}

/// Copies `path` into draft `draft_id`, sealed, after the checks of an upload (there, within
/// `limit`, a PDF, JPEG or PNG by content). The type is `doc_type` when it is one Dinie asks for,
/// else one the file name suggests, else empty (to be chosen).
pub fn attach_file(
    store: &DraftStore,
    draft_id: &str,
    profile_id: &str,
    path: &Path,
    doc_type: Option<&str>,
    limit: u64,
) -> Result<DraftDocument, FileError> {
    let limit = limit.min(DRAFT_DOCUMENT_LIMIT);
    let check = documents::inspect_file(path, limit, false);
    if let Some(problem) = check.problem {
        return Err(FileError::Refused(problem));
    }
    let bytes =
        std::fs::read(path).map_err(|e| refused(FileProblemCode::Unreadable, e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(refused(
            FileProblemCode::TooLarge,
            "the file grew past the limit",
        ));
    }
    let doc_type = doc_type
        .filter(|t| DOCUMENT_TYPES.contains(t))
        .map(str::to_owned)
        .or_else(|| documents::propose_type(&check.name, DOCUMENT_TYPES))
        .unwrap_or_default();
    Ok(store.attach(
        draft_id,
        profile_id,
        &doc_type,
        &check.name,
        check.format.unwrap_or_default(),
        &bytes,
    )?)
}

/// What an import did, row by row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Valid rows, queued to be sent.
    pub queued: usize,
    /// Invalid rows, kept as drafts needing attention.
    pub attention: usize,
    /// Every row with its problems (none for queued rows).
    pub rows: Vec<import::RowReport>,
}

/// Imports the CSV at `path` as drafts for `profile_id`, in one transaction. A CPF that
/// already has a draft is not queued again.
pub fn import_file(
    store: &DraftStore,
    profile_id: &str,
    path: &Path,
) -> Result<ImportReport, FileError> {
    let (mut report, rows) = read_file(store, path)?;
    let ids = store.add_many(
        profile_id,
        rows.into_iter().map(|r| (r.form, r.problem)).collect(),
    )?;
    for (row, id) in report.rows.iter_mut().zip(ids) {
        row.draft_id = Some(id);
    }
    Ok(report)
}

/// What importing the CSV at `path` would do, row by row, with nothing written: shown to the
/// agent, who confirms before anything is queued.
pub fn preview_file(store: &DraftStore, path: &Path) -> Result<ImportReport, FileError> {
    Ok(read_file(store, path)?.0)
}

/// Reads and checks the CSV at `path` against the drafts of `store`.
fn read_file(
    store: &DraftStore,
    path: &Path,
) -> Result<(ImportReport, Vec<import::Row>), FileError> {
    let size = std::fs::metadata(path)
        .map_err(|e| refused(FileProblemCode::Unreadable, e.to_string()))?
        .len();
    if size > MAX_CSV_BYTES {
        return Err(refused(
            FileProblemCode::TooLarge,
            format!(
                "the file has {} MB; import at most {} MB at a time",
                size >> 20,
                MAX_CSV_BYTES >> 20
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| refused(FileProblemCode::Unreadable, e.to_string()))?;
    let known = store
        .list()?
        .drafts
        .into_iter()
        .filter_map(|d| dinie::br::Cpf::parse(&d.form.cpf).ok())
        .map(|c| c.as_str().to_owned())
        .collect();
    let rows = import::read(&bytes, &known)?;
    let attention = rows.iter().filter(|r| r.problem.is_some()).count();
    let report = ImportReport {
        queued: rows.len() - attention,
        attention,
        rows: rows.iter().map(|r| r.report.clone()).collect(),
    };
    Ok((report, rows))
}
