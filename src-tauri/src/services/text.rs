//! Text as people type it or spreadsheets export it, made fit to send: composed (NFC, so that
//! "João" typed and "João" exported from an ERP in decomposed form are the same name at Dinie
//! and in the documents' checks), without control, zero-width or direction-overriding
//! characters (invisible, and able to make a name read differently from what it is), and with
//! spreadsheet formulas told apart from names.

use unicode_normalization::UnicodeNormalization;

use crate::services::reason::{Reason, ReasonCode};

/// Longest name Dinie takes (its 422 beyond; refused here before anything is sent).
pub const MAX_NAME_CHARS: usize = 200;

/// Whether `c` is invisible or changes how the text around it reads.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // Zero-width space, non-joiner, joiner, word joiner, BOM.
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
            // Direction marks, embeddings, overrides and isolates.
            | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
        )
}

/// `text` composed, without hidden characters, its runs of white space made one space, trimmed.
pub fn clean(text: &str) -> String {
    let visible: String = text
        .nfc()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !is_hidden(*c))
        .collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a name cannot be sent as it is, if it cannot.
pub fn name_problem(name: &str) -> Option<Reason> {
    if name.starts_with(['=', '+', '-', '@']) {
        return Some(Reason::new(ReasonCode::NameFormula).with("first", &name[..1]));
    }
    let chars = name.chars().count();
    (chars > MAX_NAME_CHARS).then(|| {
        Reason::new(ReasonCode::NameTooLong)
            .with("count", chars)
            .with("max", MAX_NAME_CHARS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_and_drops_what_cannot_be_seen() {
        let decomposed = "Joa\u{0303}o da Conceic\u{0327}a\u{0303}o";
        assert_ne!(decomposed, "João da Conceição");
        assert_eq!(clean(decomposed), "João da Conceição");
        assert_eq!(clean("Maria\u{202E}avlis"), "Mariaavlis");
        assert_eq!(clean("\u{FEFF}Ana\u{200B} \t Paula\r\n"), "Ana Paula");
        assert_eq!(clean("José\u{0007}"), "José");
    }

    #[test]
    fn formulas_and_very_long_names_are_refused() {
        for f in ["=HYPERLINK(\"http://x\")", "+5511", "-1", "@SUM(A1)"] {
            assert_eq!(name_problem(f).unwrap().code, "name.formula", "{f}");
        }
        assert!(name_problem("Ana-Paula Souza").is_none());
        assert_eq!(name_problem(&"a".repeat(201)).unwrap().vars["count"], "201");
        assert!(name_problem(&"ã".repeat(200)).is_none());
    }
}
