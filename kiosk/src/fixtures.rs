//! Where tests and benches find the shared fixtures (`../shared/fixtures`, or `$KIOSK_FIXTURES`).

use std::path::PathBuf;

/// The shared fixtures folder: `$KIOSK_FIXTURES`, else `shared/fixtures` beside the repository.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KIOSK_FIXTURES") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

/// True when running under CI, where a missing fixture or tool is a failure, never a skip.
pub fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// A fixture path relative to the fixtures folder, or `None` with a printed reason when it is
/// missing outside CI. Under `CI=true` a missing fixture panics, failing the test.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let path = fixtures_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    if under_ci() {
        panic!("fixture missing under CI: {}", path.display());
    }
    eprintln!("skipping: fixture {} not found", path.display());
    None
}

/// Whether an external tool is on PATH; under CI a missing tool panics, elsewhere prints a reason.
pub fn tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        if under_ci() {
            panic!("tool `{name}` missing under CI");
        }
        eprintln!("skipping: tool `{name}` not found on PATH");
    }
    found
}
