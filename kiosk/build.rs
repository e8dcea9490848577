//! Compiles the Slint UI (../ui/main.slint) with the translations bundled, and puts the kiosk's
//! font where the UI imports it from. The font (DejaVu Sans) comes from the `dejavu` crate
//! at build time and is embedded in the binary, never committed; `KIOSK_FONT_DIR` overrides it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The fonts the UI imports, with their bytes from the `dejavu` crate (DejaVu's free licence).
const FONTS: [(&str, fn() -> &'static [u8]); 2] =
    [("DejaVuSans.ttf", dejavu::sans::regular), ("DejaVuSans-Bold.ttf", dejavu::sans::bold)];

fn main() {
    println!("cargo:rerun-if-env-changed=KIOSK_FONT_DIR");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let fonts_out = out_dir.join("fonts");
    std::fs::create_dir_all(&fonts_out).expect("create OUT_DIR/fonts");

    // KIOSK_FONT_DIR lets a board build use other files of the same names.
    let font_dir = std::env::var_os("KIOSK_FONT_DIR").map(PathBuf::from);
    for (font, bundled) in FONTS {
        let bytes = match &font_dir {
            Some(dir) => {
                let source = dir.join(font);
                println!("cargo:rerun-if-changed={}", source.display());
                std::fs::read(&source).unwrap_or_else(|err| {
                    panic!("KIOSK_FONT_DIR: cannot read {}: {err}", source.display())
                })
            }
            None => bundled().to_vec(),
        };
        write_if_changed(&bytes, &fonts_out.join(font));
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

fn write_if_changed(new: &[u8], to: &Path) {
    if std::fs::read(to).ok().as_deref() != Some(new) {
        std::fs::write(to, new).expect("write font to OUT_DIR");
    }
}
