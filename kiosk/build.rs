//! Compiles the Slint UI (../ui/main.slint) with the translations bundled, and puts the kiosk's
//! font where the UI imports it from. The font comes from the Debian package `fonts-dejavu-core`
//! at build time (never committed); `KIOSK_FONT_DIR` points elsewhere if needed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const FONTS: [&str; 2] = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];
const FONT_DIRS: [&str; 2] = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"];

fn main() {
    println!("cargo:rerun-if-env-changed=KIOSK_FONT_DIR");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let fonts_out = out_dir.join("fonts");
    std::fs::create_dir_all(&fonts_out).expect("create OUT_DIR/fonts");

    let candidates: Vec<PathBuf> = std::env::var_os("KIOSK_FONT_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(FONT_DIRS.iter().map(PathBuf::from))
        .collect();
    for font in FONTS {
        let source = candidates.iter().map(|dir| dir.join(font)).find(|p| p.is_file());
        let Some(source) = source else {
            panic!(
                "font {font} not found in {candidates:?}: install the Debian package \
                 `fonts-dejavu-core` (apt-get install fonts-dejavu-core) or set KIOSK_FONT_DIR"
            );
        };
        println!("cargo:rerun-if-changed={}", source.display());
        copy_if_changed(&source, &fonts_out.join(font));
    }

    let library_paths = HashMap::from([("fonts".to_string(), fonts_out)]);
    let config = slint_build::CompilerConfiguration::new()
        .with_library_paths(library_paths)
        .embed_resources(slint_build::EmbedResourcesKind::EmbedFiles)
        .with_bundled_translations("../ui/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        // Element ids and accessible labels for the testing backend's lookups.
        .with_debug_info(true);
    println!("cargo:rerun-if-changed=../ui");
    if let Err(err) = slint_build::compile_with_config("../ui/main.slint", config) {
        panic!("compiling the Slint UI failed: {err}");
    }
}

fn copy_if_changed(from: &Path, to: &Path) {
    let new = std::fs::read(from).expect("read font");
    if std::fs::read(to).ok().as_deref() != Some(new.as_slice()) {
        std::fs::write(to, new).expect("write font to OUT_DIR");
    }
}
