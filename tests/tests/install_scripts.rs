//! The repository's own scripts and examples: they are documentation a technician follows, so
//! they must stay consistent with the code (the config example parses, paths they name exist,
//! the shell scripts are valid bash, CI runs exactly the README's test command).

use std::path::{Path, PathBuf};
use std::process::Command;

use kiosk::config::{Config, PrinterConfig, ReaderDriver, Role};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn config_example_parses_with_real_devices() {
    let config = Config::parse(&read("scripts/install/kiosk.toml.example"), "example")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.role, Role::Lobby);
    assert_eq!(config.reader.driver, ReaderDriver::Auto);
    assert!(matches!(config.printer, PrinterConfig::Serial { .. }));
    assert!(config.hub.is_some());
}

#[test]
fn readme_config_block_parses_once_the_pin_hash_is_real() {
    let readme = read("README.md");
    let block = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in the README");
    // The README shows the hash shape with "..."; put a real one in its place.
    let hash = kiosk::config::hash_pin("123456").expect("hash");
    let block = block
        .lines()
        .map(|line| {
            if line.starts_with("technician_pin_hash") {
                format!("technician_pin_hash = \"{}\"", hash.as_str())
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = Config::parse(&block, "README").unwrap_or_else(|e| panic!("{e}"));
    assert!(config.verify_technician_pin("123456"));
}

#[test]
fn shell_scripts_are_valid_bash() {
    for script in ["scripts/test.sh", "scripts/install/setup-board.sh", ".ci/run"] {
        let status =
            Command::new("bash").arg("-n").arg(repo().join(script)).status().expect("bash");
        assert!(status.success(), "{script} does not parse");
    }
}

#[test]
fn install_script_names_files_that_exist() {
    let setup = read("scripts/install/setup-board.sh");
    for rel in [
        "scripts/udev/60-kiosk-readers.rules",
        "scripts/install/kiosk.service",
        "scripts/install/kiosk.toml.example",
    ] {
        let name = Path::new(rel).file_name().and_then(|n| n.to_str()).expect("name");
        assert!(setup.contains(name), "setup-board.sh does not install {name}");
        assert!(repo().join(rel).is_file(), "{rel} missing");
    }
    let unit = read("scripts/install/kiosk.service");
    assert!(unit.contains("ExecStart=/usr/local/bin/kiosk run --config /etc/kiosk/kiosk.toml"));
    assert!(unit.contains("User=kiosk"));
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = read("README.md");
    assert!(readme.contains("cargo run --release -p kiosk -- demo"));
    assert!(readme.contains("\nscripts/test.sh\n"));
    let ci = read(".ci/run");
    assert!(ci.starts_with("#!/usr/bin/env bash\nset -euo pipefail\n"));
    let commands: Vec<&str> =
        ci.lines().skip(2).filter(|l| !l.trim().is_empty() && !l.starts_with("cd ")).collect();
    assert_eq!(commands, vec!["scripts/test.sh"]);
}
