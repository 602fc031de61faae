//! Every code that reaches a person has words in both of the page's dictionaries: each
//! [`ErrorCode`] a command returns (`error.<code>`), each [`ReasonCode`] a refusal carries
//! (`reason.<code>`), and the neutral sentences for a code of the API's that no dictionary has.
//! The Portuguese text is not the English one, and no sentence names a value its code does not
//! give (it would read "{found}" or an empty gap).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use dinie_desk::commands::error::ErrorCode;
use dinie_desk::services::reason::ReasonCode;

/// The `'key': 'text'` entries of a dictionary file (`ui/i18n/<lang>.js`).
fn dictionary(lang: &str) -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/i18n")
        .join(format!("{lang}.js"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut entries = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix('\'') else {
            continue;
        };
        let Some((key, value)) = rest.split_once("': ") else {
            continue;
        };
        let value = value.trim_end_matches(',');
        let quote = value.chars().next().unwrap();
        let inner = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
            .unwrap_or_else(|| panic!("{lang}: {key} is not one quoted string"));
        entries.insert(key.to_owned(), inner.to_owned());
    }
    assert!(entries.len() > 100, "{lang}: the parser read the file");
    entries
}

/// The `{name}` placeholders of a sentence.
fn placeholders(text: &str) -> Vec<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

#[test]
fn every_error_code_has_words_in_both_languages() {
    let (pt, en) = (dictionary("pt-BR"), dictionary("en"));
    let mut missing = Vec::new();
    for code in ErrorCode::NAMED {
        let key = format!("error.{code}");
        match (pt.get(&key), en.get(&key)) {
            (Some(p), Some(e)) if p != e => {}
            (Some(_), Some(_)) => missing.push(format!("{key}: pt-BR is the English text")),
            _ => missing.push(format!("{key}: missing")),
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_reason_has_words_in_both_languages_naming_only_its_values() {
    let (pt, en) = (dictionary("pt-BR"), dictionary("en"));
    let mut wrong = Vec::new();
    for (code, vars) in ReasonCode::ALL {
        let key = format!("reason.{code}");
        let (Some(p), Some(e)) = (pt.get(&key), en.get(&key)) else {
            wrong.push(format!("{key}: missing"));
            continue;
        };
        if p == e {
            wrong.push(format!("{key}: pt-BR is the English text"));
        }
        for (lang, text) in [("pt-BR", p), ("en", e)] {
            for name in placeholders(text) {
                if !vars.contains(&name) {
                    wrong.push(format!(
                        "{key} ({lang}) names {{{name}}}, not one of {vars:?}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_code_no_dictionary_has_reads_as_a_portuguese_sentence() {
    let pt = dictionary("pt-BR");
    // The API's own codes pass through (`ErrorCode::Api`): the page falls back to these.
    for key in ["error.unknown", "reason.unknown"] {
        let text = &pt[key];
        assert!(
            placeholders(text).is_empty(),
            "{key}: in pt-BR it must not show Dinie's English ({text})"
        );
    }
    // The Portuguese of a legacy reason (an English sentence stored by an earlier release)
    // does not show that sentence either.
    assert!(placeholders(&pt["reason.legacy"]).is_empty());
}

#[test]
fn the_codes_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for (code, _) in ReasonCode::ALL {
        assert!(seen.insert(code), "{code} twice");
    }
}
