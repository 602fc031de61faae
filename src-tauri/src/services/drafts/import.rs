//! Borrowers from a spreadsheet: a CSV with the registration form's columns, as Brazilian
//! spreadsheets export it (`;` or `,`; UTF-8, with or without BOM, or Windows-1252). Each row
//! is checked with the form's own rules; the report says, row by row, what is wrong and why.
//! A file that is UTF-8 but for a stray byte is refused (naming its line), not read as
//! Windows-1252 into mojibake; text is composed and cleaned of invisible characters
//! ([`crate::services::text`]); at most [`MAX_ROWS`] rows at a time.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::DraftProblem;
use crate::services::customers::{check_form, RegistrationForm};
use crate::services::reason::{Reason, ReasonCode};
use crate::services::text;

/// Most rows imported at once (a bigger file is split by the agent, and checked in parts).
pub const MAX_ROWS: usize = 10_000;

/// Why a file could not be read as a list of borrowers.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    /// No header, or no rows.
    #[error("the file has no borrowers (it is empty, or has only a header)")]
    Empty,
    /// A required column is not in the header.
    #[error("the header lacks the column(s) {}: expected cpf, cnpj, email, telefone (and optionally nome, nome_fantasia, external_id)", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    /// Not CSV at all (a spreadsheet's binary format, an image).
    #[error("this is not a CSV file ({0}); in the spreadsheet, use \"Save as\" → CSV")]
    NotCsv(String),
    /// A row could not be read.
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    /// UTF-8 except for some bytes: read either way, part of it would be garbled.
    #[error("line {line} has a character that is not UTF-8, while the rest of the file is UTF-8: fix that line, or save the file again as \"CSV UTF-8\"")]
    MixedEncoding { line: u64 },
    /// More rows than one import takes.
    #[error("the file has more than {max} borrowers; import at most {max} at a time")]
    TooManyRows { max: usize },
}

impl ImportError {
    /// What the agent is told (the `Display` above is for logs).
    pub fn reason(&self) -> Reason {
        match self {
            Self::Empty => Reason::new(ReasonCode::CsvEmpty),
            Self::MissingColumns(columns) => {
                Reason::new(ReasonCode::CsvMissingColumns).with("columns", columns.join(", "))
            }
            Self::NotCsv(kind) => Reason::new(ReasonCode::CsvNotCsv).with("kind", kind),
            Self::Malformed { line, .. } => Reason::new(ReasonCode::CsvMalformed).with("row", line),
            Self::MixedEncoding { line } => {
                Reason::new(ReasonCode::CsvMixedEncoding).with("row", line)
            }
            Self::TooManyRows { max } => Reason::new(ReasonCode::CsvTooManyRows).with("max", max),
        }
    }
}

/// The verdict on one row.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RowReport {
    /// The row in the spreadsheet (the header is row 1), whatever the file's line ends.
    pub line: u64,
    /// The CPF as written, to find the row.
    pub cpf: String,
    /// Field → why it is invalid; empty when the row was queued.
    pub problems: BTreeMap<String, Reason>,
    /// The draft the row became, once imported (for "Corrigir"); none in a preview.
    pub draft_id: Option<String>,
}

/// A row of the file: what it holds, and what is wrong with it.
#[derive(Debug, Clone)]
pub struct Row {
    pub form: RegistrationForm,
    pub problem: Option<DraftProblem>,
    pub report: RowReport,
}

/// Which form field a header names (lower case, accents and separators dropped).
fn field_of(header: &str) -> Option<&'static str> {
    let key: String = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' => 'u',
            'ç' => 'c',
            _ => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Some(match key.as_str() {
        "cpf" => "cpf",
        "nome" | "name" | "nomecompleto" => "name",
        "email" => "email",
        "telefone" | "celular" | "phone" | "fone" | "whatsapp" => "phone",
        "cnpj" => "cnpj",
        "nomefantasia" | "fantasia" | "tradingname" => "tradingName",
        "externalid" | "idexterno" | "codigo" => "externalId",
        _ => return None,
    })
}

/// The text of the file: UTF-8 when it is valid UTF-8 (a BOM is dropped), else Windows-1252
/// when it has no UTF-8 character at all; a file with both is refused, naming the first line
/// that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let err = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text.to_owned()),
        Err(e) => e,
    };
    let has_utf8 = bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
    if has_utf8 {
        let line = bytes[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        return Err(ImportError::MixedEncoding { line });
    }
    Ok(encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned())
}

/// `;` when the header has more of them than commas (Excel in pt-BR), else `,`.
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// A CSV as text: its separator, its header as written, and each row that is not blank with
/// its row number in the spreadsheet. What [`read`] checks, and what an `erros.csv` copies.
pub struct Sheet {
    pub separator: u8,
    pub header: Vec<String>,
    pub records: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    /// Reads `bytes` (see the module documentation for what it takes).
    pub fn read(bytes: &[u8]) -> Result<Self, ImportError> {
        if bytes.contains(&0) {
            return Err(ImportError::NotCsv(
                dinie::content::describe(bytes).to_owned(),
            ));
        }
        let text = decode(bytes)?;
        if text.trim().is_empty() {
            return Err(ImportError::Empty);
        }
        let separator = separator(&text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| malformed(&e))?
            .iter()
            .map(str::to_owned)
            .collect();
        let lines = LineStarts::of(&text);
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| malformed(&e))?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            if records.len() == MAX_ROWS {
                return Err(ImportError::TooManyRows { max: MAX_ROWS });
            }
            let line = record.position().map_or(0, |p| lines.row_at(p.byte()));
            records.push((line, record));
        }
        Ok(Self {
            separator,
            header,
            records,
        })
    }
}

/// Reads the file into rows; `known_cpfs` are CPFs (digits) that already have a draft, so an
/// import run twice does not queue the same borrowers twice.
pub fn read(
    bytes: &[u8],
    known_cpfs: &std::collections::HashSet<String>,
) -> Result<Vec<Row>, ImportError> {
    let sheet = Sheet::read(bytes)?;
    let headers: Vec<_> = sheet.header.iter().map(|h| field_of(h)).collect();
    // The CNPJ is required (every borrower is a company); the name is not (Dinie looks it up).
    let missing: Vec<&'static str> = ["cpf", "cnpj", "email", "phone"]
        .into_iter()
        .filter(|f| !headers.contains(&Some(*f)))
        .map(|f| match f {
            "name" => "nome",
            "phone" => "telefone",
            other => other,
        })
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::new();
    for (line, record) in sheet.records {
        let mut form = RegistrationForm::default();
        for (field, value) in headers.iter().zip(record.iter()) {
            let value = text::clean(value);
            match field {
                Some("cpf") => form.cpf = value,
                Some("name") => form.name = value,
                Some("email") => form.email = value,
                Some("phone") => form.phone = value,
                Some("cnpj") => form.cnpj = Some(value),
                Some("tradingName") => form.trading_name = Some(value),
                Some("externalId") => form.external_id = Some(value),
                _ => {}
            }
        }
        let mut problems: BTreeMap<String, Reason> = match check_form(&form) {
            Ok(_) => BTreeMap::new(),
            Err(list) => list
                .into_iter()
                .map(|p| (p.field.to_owned(), p.reason))
                .collect(),
        };
        if let Ok(cpf) = dinie::br::Cpf::parse(&form.cpf) {
            let digits = cpf.as_str().to_owned();
            if let Some(first) = seen.get(&digits) {
                problems.insert(
                    "cpf".into(),
                    Reason::new(ReasonCode::CpfRepeatedInFile).with("row", first),
                );
            } else if known_cpfs.contains(&digits) {
                problems.insert("cpf".into(), Reason::new(ReasonCode::CpfHasDraft));
            }
            seen.entry(digits).or_insert(line);
        }
        let problem = (!problems.is_empty()).then(|| DraftProblem {
            code: "validation".into(),
            reason: Reason::new(ReasonCode::CsvRow).with("row", line),
            fields: problems.clone(),
            customer_id: None,
        });
        rows.push(Row {
            report: RowReport {
                line,
                cpf: form.cpf.clone(),
                problems,
                draft_id: None,
            },
            form,
            problem,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(rows)
}

fn malformed(e: &csv::Error) -> ImportError {
    ImportError::Malformed {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

/// Where each line of the text starts, to turn a record's byte offset into the spreadsheet's
/// row number. `csv`'s own `Position::line` counts a CRLF line end as none (csv 1.4: 1, 2, 3
/// for the rows of a CRLF file that are on lines 2, 3, 4), and Excel on Windows writes CRLF.
struct LineStarts<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    fn of(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            text: text.as_bytes(),
            starts,
        }
    }

    /// The 1-based line of the record that `csv` says starts at byte `offset` (after a CR it
    /// names the LF that ends the line before).
    fn row_at(&self, offset: u64) -> u64 {
        let mut offset = usize::try_from(offset).unwrap_or(usize::MAX);
        while matches!(self.text.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.starts.partition_point(|start| *start <= offset) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_CPF: &str = "529.982.247-25";

    fn file(sep: char) -> String {
        let s = sep;
        format!(
            "CPF{s}CNPJ{s}Nome{s}E-mail{s}Telefone{s}Nome fantasia\n\
             {GOOD_CPF}{s}11.222.333/0001-81{s}João da Conceição{s}joao@example.com{s}(11) 98765-4321{s}Açaí do João\n\
             123.456.789-00{s}11222333000181{s}Maria{s}maria@{s}123{s}\n\
             {s}{s}{s}{s}{s}\n\
             52998224725{s}11222333000181{s}Outro João{s}outro@example.com{s}11987654321{s}\n"
        )
    }

    fn check(bytes: &[u8]) {
        let rows = read(bytes, &Default::default()).unwrap();
        assert_eq!(rows.len(), 3, "the blank line is skipped");
        assert_eq!(rows[0].form.name, "João da Conceição");
        assert_eq!(rows[0].form.trading_name.as_deref(), Some("Açaí do João"));
        assert!(rows[0].problem.is_none());
        assert_eq!(rows[1].report.line, 3);
        let fields: Vec<_> = rows[1].report.problems.keys().cloned().collect();
        assert_eq!(fields, ["cpf", "email", "phone"]);
        assert_eq!(rows[1].report.problems["cpf"].code, "cpf.check_digits");
        assert_eq!(
            rows[2].report.problems["cpf"],
            Reason::new(ReasonCode::CpfRepeatedInFile).with("row", 2)
        );
        assert_eq!(rows[2].report.line, 5, "the blank line 4 still counts");
    }

    #[test]
    fn row_numbers_are_the_spreadsheets_with_crlf_line_ends_too() {
        for sep in [';', ','] {
            let crlf = file(sep).replace('\n', "\r\n");
            check(crlf.as_bytes());
            let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&crlf);
            check(&latin);
        }
        // A quoted value over two lines: the next row is on the line after both.
        let text = "cpf;cnpj;nome;email;telefone\r\n\
                    123.456.789-00;11222333000181;\"Maria\r\nSilva\";m@x.com;11987654321\r\n\
                    123.456.789-00;11222333000181;Rita;r@x.com;11987654321\r\n";
        let rows = read(text.as_bytes(), &Default::default()).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.report.line).collect::<Vec<_>>(),
            [2, 4]
        );
    }

    #[test]
    fn reads_both_separators_in_both_encodings() {
        for sep in [';', ','] {
            let text = file(sep);
            check(text.as_bytes());
            check(format!("\u{feff}{text}").as_bytes());
            let (latin, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
            assert!(!lossy);
            assert!(std::str::from_utf8(&latin).is_err(), "really not UTF-8");
            check(&latin);
        }
    }

    #[test]
    fn a_cpf_with_a_draft_already_is_not_queued_again() {
        let known = [String::from("52998224725")].into_iter().collect();
        let rows = read(file(';').as_bytes(), &known).unwrap();
        assert_eq!(rows[0].report.problems["cpf"].code, "cpf.has_draft");
    }

    #[test]
    fn says_what_is_wrong_with_the_file_itself() {
        assert_eq!(
            read(b"cpf;nome\n1;2\n", &Default::default()).unwrap_err(),
            ImportError::MissingColumns(vec!["cnpj", "email", "telefone"])
        );
        assert_eq!(
            read(b"cpf;cnpj;email;telefone\n", &Default::default()).unwrap_err(),
            ImportError::Empty
        );
        assert!(matches!(
            read(b"PK\x03\x04\x00\x00binary", &Default::default()).unwrap_err(),
            ImportError::NotCsv(_)
        ));
    }

    #[test]
    fn a_mostly_utf8_file_with_a_stray_byte_is_refused_naming_its_line() {
        let mut bytes = file(';').into_bytes();
        // Line 4 (the blank one) gets a lone Windows-1252 "é".
        let at = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(2)
            .unwrap()
            .0
            + 1;
        bytes.insert(at, 0xE9);
        assert_eq!(
            read(&bytes, &Default::default()).unwrap_err(),
            ImportError::MixedEncoding { line: 4 }
        );
        assert_eq!(
            ImportError::MixedEncoding { line: 4 }.reason().vars["row"],
            "4"
        );
    }

    #[test]
    fn names_are_composed_cleaned_and_formulas_refused() {
        let (tilde, rlo) = ('\u{0303}', '\u{202E}');
        let text = format!(
            "cpf;cnpj;nome;email;telefone\n\
             {GOOD_CPF};11.222.333/0001-81;Joa{tilde}o{rlo} da Silva ;joao@example.com;11987654321\n\
             390.533.447-05;11.222.333/0001-81;=HYPERLINK(\"http://x\");rita@example.com;11987654321\n"
        );
        let rows = read(text.as_bytes(), &Default::default()).unwrap();
        assert_eq!(rows[0].form.name, "João da Silva");
        assert!(rows[0].problem.is_none(), "{:?}", rows[0].report);
        assert_eq!(rows[1].report.problems["name"].code, "name.formula");
    }

    #[test]
    fn a_file_of_more_rows_than_one_import_takes_is_refused() {
        let mut text = String::from("cpf;cnpj;email;telefone\n");
        for _ in 0..=MAX_ROWS {
            text.push_str("1;2;a@b.c;11987654321\n");
        }
        assert_eq!(
            read(text.as_bytes(), &Default::default()).unwrap_err(),
            ImportError::TooManyRows { max: MAX_ROWS }
        );
        let at_most: String = text
            .lines()
            .take(MAX_ROWS + 1)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            read(at_most.as_bytes(), &Default::default()).unwrap().len(),
            MAX_ROWS
        );
    }
}
