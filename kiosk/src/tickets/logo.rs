//! The ticket logo: a round badge with a fingerprint whorl, drawn by [`draw_logo`] and kept as
//! `assets/logo.png` (regenerate with `KIOSK_REGENERATE_ASSETS=1 cargo test -p kiosk logo`).
//! It is small on purpose: at 19200 baud every raster byte costs half a millisecond.

use drivers::printer::{Bitmap, dither};
use image::{GrayImage, Luma};

/// The committed logo file.
pub const LOGO_PNG: &[u8] = include_bytes!("../../../assets/logo.png");

/// Side of the logo in dots (20 mm at 203 dpi).
pub const LOGO_SIDE: u32 = 160;

/// Draws the logo: a ring and, inside it, concentric ridges of a fingerprint with the gap of a
/// whorl at the lower right.
pub fn draw_logo() -> GrayImage {
    let side = LOGO_SIDE;
    let c = (side as f64 - 1.0) / 2.0;
    GrayImage::from_fn(side, side, |x, y| {
        let (dx, dy) = (x as f64 - c, y as f64 - c);
        let d = (dx * dx + dy * dy).sqrt();
        let ring = (71.0..=78.0).contains(&d);
        // Ridges: ellipses a little taller than wide, centre slightly above the middle.
        let (ex, ey) = (dx / 0.85, (dy + 6.0) / 1.05);
        let e = (ex * ex + ey * ey).sqrt();
        let angle = ey.atan2(ex);
        let in_gap = (0.35..0.75).contains(&angle) && e > 14.0;
        let ridge = e < 58.0 && (e % 11.0) < 4.5 && !in_gap;
        Luma([if ring || ridge { 0 } else { 255 }])
    })
}

/// The committed logo as printer dots, or `None` (with a log line) if the file is unreadable:
/// a ticket without a logo is better than no ticket.
pub fn logo_bitmap() -> Option<Bitmap> {
    match image::load_from_memory(LOGO_PNG) {
        Ok(image) => Some(dither(&image, LOGO_SIDE)),
        Err(error) => {
            tracing::warn!(%error, "logo unreadable; printing tickets without it");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_logo_is_the_drawing() {
        let drawn = draw_logo();
        if std::env::var_os("KIOSK_REGENERATE_ASSETS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/logo.png");
            drawn.save(path).expect("write assets/logo.png");
            return;
        }
        let committed = image::load_from_memory(LOGO_PNG).expect("decode").to_luma8();
        assert_eq!(committed, drawn, "assets/logo.png is stale: regenerate it");
    }

    #[test]
    fn logo_is_pure_black_and_white_dots() {
        let bitmap = logo_bitmap().expect("logo");
        assert_eq!((bitmap.width(), bitmap.height()), (LOGO_SIDE, LOGO_SIDE));
        let black: u32 = bitmap.data().iter().map(|b| b.count_ones()).sum();
        let share = black as f64 / (LOGO_SIDE * LOGO_SIDE) as f64;
        assert!((0.15..0.6).contains(&share), "black share {share}");
    }
}
