//! Decoding: file bytes (PNG, TIFF, BMP) or raw 8-bit grey -> `GreyImage`.

use std::io::Cursor;

use super::BiometricError;
use super::parameters::MAX_IMAGE_SIDE;

/// An 8-bit grey image, row-major, 0 = black.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreyImage {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width * height` grey levels, row by row.
    pub pixels: Vec<u8>,
}

impl GreyImage {
    /// An image from its parts; the pixel count must match the size.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, BiometricError> {
        check_size(width, height)?;
        if pixels.len() != width as usize * height as usize {
            return Err(BiometricError::InvalidImage(format!(
                "{} pixels given for a {width}x{height} image",
                pixels.len()
            )));
        }
        Ok(GreyImage { width, height, pixels })
    }

    /// Grey level at (x, y); the caller keeps the point inside.
    pub fn at(&self, x: u32, y: u32) -> u8 {
        self.pixels[y as usize * self.width as usize + x as usize]
    }
}

fn check_size(width: u32, height: u32) -> Result<(), BiometricError> {
    if width == 0 || height == 0 {
        return Err(BiometricError::InvalidImage("empty image".into()));
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(BiometricError::ImageTooLarge { width, height });
    }
    Ok(())
}

/// Decodes a PNG, TIFF or BMP file to grey (colour and 16-bit images are converted).
pub fn decode_image(bytes: &[u8]) -> Result<GreyImage, BiometricError> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| BiometricError::InvalidImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(BiometricError::InvalidImage("not a PNG, TIFF or BMP image".into()));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => BiometricError::ImageTooLarge { width: 0, height: 0 },
        other => BiometricError::InvalidImage(other.to_string()),
    })?;
    let grey = decoded.into_luma8();
    let (width, height) = grey.dimensions();
    GreyImage::new(width, height, grey.into_raw())
}

/// Raw 8-bit grey pixels of a known size (readers deliver these).
pub fn decode_raw_grey(bytes: &[u8], width: u32, height: u32) -> Result<GreyImage, BiometricError> {
    GreyImage::new(width, height, bytes.to_vec())
}
