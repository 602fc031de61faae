//! CSV files the app writes for the agent's spreadsheet: the template of an import (the columns
//! [`super::import`] reads) and `erros.csv`, the rows an import refused, as they were written,
//! with the row they came from and why. Fixed in the spreadsheet, that file imports again (the
//! two added columns are not form fields, so an import skips them).
//!
//! Both are UTF-8 with a BOM and CRLF line ends, which is what Excel opens without asking; the
//! template uses `;` (Excel in pt-BR), `erros.csv` the separator of the file it came from.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::import::{ImportError, Sheet};
use crate::services::picked::{PickError, PickedFiles};
use crate::services::pickers;

/// The name the save dialog proposes for the template.
pub const TEMPLATE_NAME: &str = "modelo-clientes.csv";
/// The name the save dialog proposes for the refused rows.
pub const ERRORS_NAME: &str = "erros.csv";

/// The template's columns, in the order an agent fills them (required: cpf, cnpj, email,
/// telefone).
const TEMPLATE_COLUMNS: [&str; 7] = [
    "nome",
    "cpf",
    "cnpj",
    "nome_fantasia",
    "email",
    "telefone",
    "external_id",
];
/// The columns `erros.csv` adds after the file's own.
const ROW_COLUMN: &str = "linha";
const REASON_COLUMN: &str = "motivo";

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The imported file can no longer be read (moved, deleted, changed into something else).
    #[error("the imported file cannot be read again: {0}")]
    Source(#[source] std::io::Error),
    /// The token names no file the agent chose.
    #[error(transparent)]
    NotPicked(#[from] PickError),
    /// The imported file no longer reads as a CSV.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// None of the rows named is in the file (it changed since the import).
    #[error("none of the rows to save is in the file any more")]
    NoRows,
    /// The chosen place could not be written (read-only, full, gone).
    #[error("could not write {}: {source}", .path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A row an import refused, and why, as the page words it.
#[derive(Debug, Deserialize)]
pub struct RefusedRow {
    pub line: u64,
    pub reason: String,
}

/// Asks where to save the import's template and saves it there: the file's name, none if the
/// agent cancelled.
pub async fn export_template() -> Result<Option<String>, SheetError> {
    let Some(dest) = pickers::save_csv(TEMPLATE_NAME).await else {
        return Ok(None);
    };
    written(dest, |dest| save(dest, &template())).await
}

/// Asks where to save the refused `rows` of the CSV chosen as `token` and saves them there
/// ([`save_errors`]): the file's name, none if the agent cancelled.
pub async fn export_errors(
    picked: &PickedFiles,
    token: &str,
    rows: Vec<RefusedRow>,
) -> Result<Option<String>, SheetError> {
    // A token that names nothing fails before a dialog is opened for it.
    let source = picked.path(token)?;
    let Some(dest) = pickers::save_csv(ERRORS_NAME).await else {
        return Ok(None);
    };
    let reasons: BTreeMap<u64, String> = rows.into_iter().map(|r| (r.line, r.reason)).collect();
    written(dest, move |dest| {
        save_errors(&source, &reasons, dest).map(drop)
    })
    .await
}

/// Runs `write` to `dest` off the async runtime (files and fsync); the name of what it wrote.
async fn written(
    dest: PathBuf,
    write: impl FnOnce(&Path) -> Result<(), SheetError> + Send + 'static,
) -> Result<Option<String>, SheetError> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dest.clone();
    tokio::task::spawn_blocking(move || write(&dest))
        .await
        .map_err(|e| SheetError::Write {
            path,
            source: std::io::Error::other(e),
        })??;
    Ok(Some(name))
}

/// The template: a header, nothing else (an example row would be imported as a borrower).
pub fn template() -> Vec<u8> {
    let mut out = BOM.to_vec();
    out.extend_from_slice(TEMPLATE_COLUMNS.join(";").as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

/// The rows of `bytes` (a CSV as imported) whose spreadsheet row is a key of `reasons`, as
/// they were, each followed by its row and its reason (worded by the page, in the agent's
/// language), and how many rows that is. Rows are padded to the widest, so the two columns
/// line up.
pub fn errors(
    bytes: &[u8],
    reasons: &BTreeMap<u64, String>,
) -> Result<(Vec<u8>, usize), SheetError> {
    let sheet = Sheet::read(bytes)?;
    let refused: Vec<_> = sheet
        .records
        .iter()
        .filter(|(line, _)| reasons.contains_key(line))
        .collect();
    if refused.is_empty() {
        return Err(SheetError::NoRows);
    }
    let width = refused
        .iter()
        .map(|(_, r)| r.len())
        .chain([sheet.header.len()])
        .max()
        .unwrap_or_default();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(sheet.separator)
        .terminator(csv::Terminator::CRLF)
        .flexible(false)
        .from_writer(BOM.to_vec());
    let row = |cells: Vec<&str>, line: &str, reason: &str| {
        let mut row: Vec<String> = cells.into_iter().map(str::to_owned).collect();
        row.resize(width, String::new());
        row.push(line.to_owned());
        row.push(defused(reason));
        row
    };
    // Into memory: only a bug could fail here, reported as the file being unreadable.
    let write = |writer: &mut csv::Writer<Vec<u8>>, cells: Vec<String>| {
        writer
            .write_record(&cells)
            .map_err(|e| SheetError::Source(std::io::Error::other(e)))
    };
    write(
        &mut writer,
        row(
            sheet.header.iter().map(String::as_str).collect(),
            ROW_COLUMN,
            REASON_COLUMN,
        ),
    )?;
    let count = refused.len();
    for (line, record) in refused {
        let reason = reasons.get(line).map(String::as_str).unwrap_or_default();
        write(
            &mut writer,
            row(record.iter().collect(), &line.to_string(), reason),
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| SheetError::Source(std::io::Error::other(e.to_string())))?;
    Ok((bytes, count))
}

/// A text a spreadsheet would not take for a formula (one starting with `=`, `+`, `-` or `@`
/// gets a leading apostrophe, as OWASP advises for CSV cells).
fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Writes `bytes` to `dest` whole or not at all: into a file beside it, then renamed over it.
pub fn save(dest: &Path, bytes: &[u8]) -> Result<(), SheetError> {
    let failed = |source| SheetError::Write {
        path: dest.to_path_buf(),
        source,
    };
    let mut part = dest.as_os_str().to_os_string();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let written = std::fs::File::create(&part).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&part, dest)) {
        let _ = std::fs::remove_file(&part);
        return Err(failed(e));
    }
    Ok(())
}

/// Saves the refused rows of the CSV at `source` to `dest`; how many rows it wrote.
pub fn save_errors(
    source: &Path,
    reasons: &BTreeMap<u64, String>,
    dest: &Path,
) -> Result<usize, SheetError> {
    let bytes = std::fs::read(source).map_err(SheetError::Source)?;
    let (out, count) = errors(&bytes, reasons)?;
    save(dest, &out)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::drafts::import;

    const GOOD_CPF: &str = "529.982.247-25";

    fn reasons(pairs: &[(u64, &str)]) -> BTreeMap<u64, String> {
        pairs.iter().map(|(l, r)| (*l, (*r).to_owned())).collect()
    }

    #[test]
    fn the_template_has_every_column_an_import_needs_and_imports_once_filled() {
        let mut file = template();
        assert!(file.starts_with(BOM));
        let blank = import::read(&file, &Default::default());
        assert_eq!(blank.unwrap_err(), ImportError::Empty);
        file.extend_from_slice(
            format!("Ana Lima;{GOOD_CPF};11.222.333/0001-81;Açaí;ana@example.com;(11) 98765-4321;A-1\r\n")
                .as_bytes(),
        );
        let rows = import::read(&file, &Default::default()).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].problem.is_none(), "{:?}", rows[0].problem);
        assert_eq!(rows[0].form.name, "Ana Lima");
        assert_eq!(rows[0].form.trading_name.as_deref(), Some("Açaí"));
        assert_eq!(rows[0].form.external_id.as_deref(), Some("A-1"));
    }

    #[test]
    fn errors_keep_the_refused_rows_as_written_with_their_row_and_reason() {
        let source = format!(
            "CPF;CNPJ;Nome;E-mail;Telefone\r\n\
             {GOOD_CPF};11222333000181;Ana;ana@example.com;11987654321\r\n\
             123.456.789-00;11222333000181;\"Rui; o Velho\";rui@example.com;11987654321\r\n\
             \r\n\
             52998224725;11222333000181;Bia\r\n"
        );
        let (out, count) = errors(
            source.as_bytes(),
            &reasons(&[(3, "CPF: confira os dígitos"), (5, "=HYPERLINK(x)")]),
        )
        .unwrap();
        assert_eq!(count, 2);
        let text = std::str::from_utf8(out.strip_prefix(BOM).unwrap()).unwrap();
        let lines: Vec<_> = text.split("\r\n").collect();
        assert_eq!(lines[0], "CPF;CNPJ;Nome;E-mail;Telefone;linha;motivo");
        assert_eq!(
            lines[1],
            "123.456.789-00;11222333000181;\"Rui; o Velho\";rui@example.com;11987654321;3;CPF: confira os dígitos"
        );
        // A short row is padded so its reason is under "motivo"; a formula is defused.
        assert_eq!(
            lines[2],
            "52998224725;11222333000181;Bia;;;5;'=HYPERLINK(x)"
        );
        assert_eq!(lines.len(), 4, "{text}");

        // Fixed and imported again: the added columns are skipped, the row reads as before.
        let again = import::read(&out, &Default::default()).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].form.name, "Rui; o Velho");
        assert_eq!(again[0].report.line, 2);
    }

    #[test]
    fn rows_not_in_the_file_or_a_file_gone_are_errors_and_nothing_is_left_behind() {
        let source =
            format!("cpf,cnpj,email,telefone\n{GOOD_CPF},11222333000181,a@b.co,11987654321\n");
        assert!(matches!(
            errors(source.as_bytes(), &reasons(&[(9, "x")])),
            Err(SheetError::NoRows)
        ));
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone.csv");
        let dest = dir.path().join("erros.csv");
        assert!(matches!(
            save_errors(&gone, &reasons(&[(2, "x")]), &dest),
            Err(SheetError::Source(_))
        ));
        let src = dir.path().join("in.csv");
        std::fs::write(&src, &source).unwrap();
        assert_eq!(save_errors(&src, &reasons(&[(2, "x")]), &dest).unwrap(), 1);
        let written = std::fs::read_to_string(&dest).unwrap();
        assert!(written.ends_with(",2,x\r\n"), "{written}");
        // A place that cannot be written: an error naming it, no `.part` left.
        let nowhere = dir.path().join("missing-dir").join("erros.csv");
        let err = save(&nowhere, b"x").unwrap_err();
        assert!(err.to_string().contains("missing-dir"), "{err}");
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["erros.csv", "in.csv"]);
    }
}
