//! The layout of `src-tauri/src`, checked from the source: the command lists agree, commands
//! live only in `commands/` and stay thin, and imports point down only (no room imports one
//! above it, and the rooms form no circle).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Every `.rs` file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    let src = root().join("src");
    walk(&src, &src, &mut out);
    out.sort();
    out
}

/// The names between the first `[`/`(` after `marker` and its closing bracket, split on commas,
/// each reduced to its last `::` segment and stripped of quotes.
fn names_after(text: &str, marker: &str, close: char) -> BTreeSet<String> {
    let start = text.find(marker).unwrap() + marker.len();
    let end = start + text[start..].find(close).unwrap();
    text[start..end]
        .split(',')
        .map(|n| {
            n.trim()
                .trim_matches('"')
                .rsplit("::")
                .next()
                .unwrap()
                .to_owned()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn build_rs_lib_rs_and_the_capability_list_the_same_commands() {
    let declared = names_after(&read("build.rs"), "const COMMANDS: &[&str] = &[", ']');
    let handled = names_after(&read("src/lib.rs"), "generate_handler![", ']');
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let defined: BTreeSet<String> = sources()
        .iter()
        .flat_map(|(_, text)| {
            text.split("\n#[tauri::command]")
                .skip(1)
                .map(|after| {
                    let f = after.split("fn ").nth(1).unwrap();
                    f[..f.find(['<', '(']).unwrap()].trim().to_owned()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(declared.len() > 20, "{declared:?}");
    assert_eq!(declared, handled, "build.rs vs lib.rs");
    assert_eq!(declared, granted, "build.rs vs capabilities/main.json");
    assert_eq!(declared, defined, "build.rs vs the #[tauri::command]s");
}

#[test]
fn commands_live_in_commands_and_are_thin() {
    for (file, text) in sources() {
        let count = text.matches("\n#[tauri::command]").count();
        if !file.starts_with("commands/") {
            assert_eq!(count, 0, "{file} defines a command outside commands/");
            continue;
        }
        for after in text.split("\n#[tauri::command]").skip(1) {
            // From the attribute to the `}` that closes the function at the start of a line.
            let body = &after[..after.find("\n}\n").unwrap()];
            let lines = body.lines().filter(|l| !l.trim().is_empty()).count();
            let name = after
                .split("fn ")
                .nth(1)
                .unwrap()
                .split(['<', '('])
                .next()
                .unwrap();
            assert!(lines <= 15, "{file}: command {name} has {lines} lines");
        }
    }
}

/// The room a file belongs to: `services/<module>` for services (one room per service), else
/// the top-level module.
fn room(file: &str) -> String {
    let parts: Vec<&str> = file.trim_end_matches(".rs").split('/').collect();
    match parts.as_slice() {
        ["services", "mod"] => "services".into(),
        ["services", service, ..] => format!("services/{service}"),
        [top, ..] => (*top).into(),
        [] => String::new(),
    }
}

/// The rooms `text` refers to through `crate::…` paths.
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let path: String = text[i + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["services", service, ..] => out.insert(format!("services/{service}")),
            [top, ..] => out.insert((*top).to_owned()),
            [] => false,
        };
    }
    // `use crate::{events, notify, windows};`
    for (i, _) in text.match_indices("crate::{") {
        let list = &text[i + 8..i + 8 + text[i + 8..].find('}').unwrap()];
        for name in list.split(',') {
            let name = name.trim().split("::").next().unwrap().trim();
            if !name.is_empty() {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// How high a room stands: a room may refer only to rooms strictly lower.
fn level(room: &str) -> u8 {
    match room {
        "main" => 7,
        "lib" => 6,
        "commands" | "workers" => 5,
        "events" | "notify" => 4,
        "windows" => 3,
        r if r.starts_with("services") => 2,
        "logging" => 1,
        "blocking" | "locks" | "platform" => 0,
        other => panic!("a room the house does not know: {other}"),
    }
}

#[test]
fn imports_point_down_only() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let from = room(&file);
        for to in references(&text) {
            if to == from {
                continue;
            }
            let (a, b) = (level(&from), level(&to));
            let sideways_service = a == 2 && b == 2;
            assert!(
                b < a || sideways_service,
                "{file} ({from}, level {a}) imports {to} (level {b}): arrows point down only"
            );
            graph.entry(from.clone()).or_default().insert(to);
        }
    }
    // Services may use one another, but never in a circle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(node) {
            return;
        }
        assert!(
            !path.iter().any(|p| p == node),
            "import circle: {} -> {node}",
            path.join(" -> ")
        );
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
    assert!(graph.contains_key("services/drafts"), "{graph:?}");
}

#[test]
fn services_know_nothing_of_the_page() {
    for (file, text) in sources() {
        if file.starts_with("services/") {
            for forbidden in ["Emitter", ".emit(", "#[tauri::command]", "NotificationExt"] {
                assert!(!text.contains(forbidden), "{file} uses {forbidden}");
            }
        }
    }
}

#[test]
fn the_release_workflow_signs_with_material_named_not_stored() {
    let workflow = read("../.github/workflows/release.yml");
    for secret in [
        "APPLE_CERTIFICATE",
        "APPLE_CERTIFICATE_PASSWORD",
        "APPLE_SIGNING_IDENTITY",
        "APPLE_ID",
        "APPLE_PASSWORD",
        "APPLE_TEAM_ID",
        "WINDOWS_CERTIFICATE",
        "WINDOWS_CERTIFICATE_PASSWORD",
        "LINUX_GPG_PRIVATE_KEY",
        "LINUX_GPG_PASSPHRASE",
    ] {
        assert!(
            workflow.contains(&format!("${{{{ secrets.{secret} }}}}")),
            "{secret} is not taken from the repository's secrets"
        );
    }
    assert!(
        workflow.contains("certificateThumbprint"),
        "Windows installers are not signed"
    );
    assert!(
        workflow.contains("--detach-sign"),
        "Linux checksums are not signed"
    );
    for stored in ["BEGIN PGP PRIVATE", "BEGIN CERTIFICATE", "MII"] {
        assert!(
            !workflow.contains(stored),
            "signing material stored in the workflow"
        );
    }
}
