//! 1-bit images for the thermal head, and dithering from grey.

use image::{DynamicImage, GrayImage, imageops::FilterType};

/// A 1-bit image packed as ESC/POS raster rows: each row is `(width + 7) / 8` bytes, most
/// significant bit leftmost, 1 = black dot. Padding bits at the end of a row are white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl Bitmap {
    /// An all-white bitmap.
    pub fn new(width: u32, height: u32) -> Bitmap {
        let row = width.div_ceil(8) as usize;
        Bitmap { width, height, data: vec![0; row * height as usize] }
    }

    /// Width in dots.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in dots.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub fn row_bytes(&self) -> usize {
        self.width.div_ceil(8) as usize
    }

    /// The packed rows, `row_bytes() * height()` bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Whether the dot at (x, y) is black; outside the bitmap is white.
    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let byte = self.data[y as usize * self.row_bytes() + (x / 8) as usize];
        byte & (0x80 >> (x % 8)) != 0
    }

    /// Sets the dot at (x, y); outside the bitmap is ignored.
    pub fn set(&mut self, x: u32, y: u32, black: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let index = y as usize * self.row_bytes() + (x / 8) as usize;
        let mask = 0x80 >> (x % 8);
        if black {
            self.data[index] |= mask;
        } else {
            self.data[index] &= !mask;
        }
    }
}

/// Turns any image into dots: transparent counts as white paper, the image is scaled down to
/// at most `max_width` dots (keeping its aspect), then Floyd-Steinberg dithered to 1 bit.
pub fn dither(image: &DynamicImage, max_width: u32) -> Bitmap {
    let rgba = image.to_rgba8();
    let mut grey = GrayImage::new(rgba.width(), rgba.height());
    for (x, y, px) in rgba.enumerate_pixels() {
        let [r, g, b, a] = px.0;
        let luma = (299 * r as u32 + 587 * g as u32 + 114 * b as u32) / 1000;
        // Composite over white paper.
        let on_white = (luma * a as u32 + 255 * (255 - a as u32)) / 255;
        grey.put_pixel(x, y, image::Luma([on_white as u8]));
    }
    if grey.width() > max_width && max_width > 0 {
        let height = (grey.height() as u64 * max_width as u64 / grey.width() as u64).max(1) as u32;
        grey = image::imageops::resize(&grey, max_width, height, FilterType::Triangle);
    }
    dither_grey(&grey)
}

/// Floyd-Steinberg error diffusion of a grey image to black and white dots.
fn dither_grey(grey: &GrayImage) -> Bitmap {
    let (w, h) = grey.dimensions();
    let mut bitmap = Bitmap::new(w, h);
    let width = w as usize;
    let mut current: Vec<i32> = vec![0; width + 2];
    let mut next: Vec<i32> = vec![0; width + 2];
    for y in 0..h {
        for x in 0..width {
            let value = grey.get_pixel(x as u32, y).0[0] as i32 + current[x + 1];
            let black = value < 128;
            let error = value - if black { 0 } else { 255 };
            bitmap.set(x as u32, y, black);
            current[x + 2] += error * 7 / 16;
            next[x] += error * 3 / 16;
            next[x + 1] += error * 5 / 16;
            next[x + 2] += error / 16;
        }
        std::mem::swap(&mut current, &mut next);
        next.iter_mut().for_each(|e| *e = 0);
    }
    bitmap
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Luma, Rgba, RgbaImage};

    #[test]
    fn packs_msb_first_with_white_padding() {
        let mut bitmap = Bitmap::new(10, 2);
        bitmap.set(0, 0, true);
        bitmap.set(9, 1, true);
        assert_eq!(bitmap.row_bytes(), 2);
        assert_eq!(bitmap.data(), &[0x80, 0x00, 0x00, 0x40]);
        assert!(bitmap.get(9, 1) && !bitmap.get(8, 1) && !bitmap.get(20, 0));
    }

    #[test]
    fn black_white_and_mid_grey() {
        let black = DynamicImage::ImageLuma8(GrayImage::from_pixel(16, 4, Luma([0])));
        assert!(dither(&black, 576).data().iter().all(|&b| b == 0xFF));
        let white = DynamicImage::ImageLuma8(GrayImage::from_pixel(16, 4, Luma([255])));
        assert!(dither(&white, 576).data().iter().all(|&b| b == 0));
        let grey = DynamicImage::ImageLuma8(GrayImage::from_pixel(64, 64, Luma([128])));
        let bitmap = dither(&grey, 576);
        let dots: u32 = bitmap.data().iter().map(|b| b.count_ones()).sum();
        let share = dots as f64 / (64.0 * 64.0);
        assert!((0.4..0.6).contains(&share), "mid grey gave {share} black");
    }

    #[test]
    fn transparent_is_paper_and_wide_images_shrink() {
        let clear = DynamicImage::ImageRgba8(RgbaImage::from_pixel(1000, 50, Rgba([0, 0, 0, 0])));
        let bitmap = dither(&clear, 576);
        assert_eq!((bitmap.width(), bitmap.height()), (576, 28));
        assert!(bitmap.data().iter().all(|&b| b == 0));
    }
}
