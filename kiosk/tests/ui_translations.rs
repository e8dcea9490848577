//! Every string the UI marks with @tr has an English translation in the bundled catalogue, and
//! the Indonesian sources carry no English left-overs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

fn slint_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            slint_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// The string literal right after each `@tr(`.
fn tr_strings(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("@tr(") {
        rest = &rest[at + 4..];
        let Some(open) = rest.find('"') else { break };
        let body = &rest[open + 1..];
        let mut s = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => s.push(chars.next().unwrap_or('\\')),
                '"' => break,
                c => s.push(c),
            }
        }
        found.push(s);
    }
    found
}

fn po_entries(po: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut id: Option<String> = None;
    for line in po.lines() {
        if let Some(v) = line.strip_prefix("msgid \"") {
            id = Some(v.trim_end_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("msgstr \"") {
            if let Some(id) = id.take() {
                map.insert(id, v.trim_end_matches('"').to_string());
            }
        }
    }
    map
}

fn all_tr_strings() -> Vec<String> {
    let mut files = Vec::new();
    slint_files(&ui_dir(), &mut files);
    assert!(files.len() >= 10, "ui/ has the theme, components and screens");
    let mut all = Vec::new();
    for f in files {
        all.extend(tr_strings(&std::fs::read_to_string(&f).unwrap()));
    }
    all.sort();
    all.dedup();
    all
}

#[test]
fn every_string_has_an_english_translation() {
    let po =
        std::fs::read_to_string(ui_dir().join("translations/en/LC_MESSAGES/kiosk.po")).unwrap();
    let entries = po_entries(&po);
    let strings = all_tr_strings();
    assert!(strings.len() > 80, "found {} strings", strings.len());
    let missing: Vec<&String> =
        strings.iter().filter(|s| entries.get(*s).is_none_or(|t| t.is_empty())).collect();
    assert!(missing.is_empty(), "untranslated (run scripts/update-translations.py): {missing:?}");
    // Placeholders survive translation.
    for s in &strings {
        let t = &entries[s];
        assert_eq!(s.matches("{}").count(), t.matches("{}").count(), "{s:?} -> {t:?}");
    }
}

#[test]
fn indonesian_sources_have_no_english_words() {
    const ENGLISH: [&str; 12] = [
        "the ", "please", "your", "finger", "ticket ", "wait", "try ", "error", "release", "visit",
        "screen", "printing",
    ];
    for s in all_tr_strings() {
        let lower = s.to_lowercase();
        for word in ENGLISH {
            assert!(!lower.contains(word), "English {word:?} in Indonesian source {s:?}");
        }
    }
}
