//! End-to-end tests of the biometrics pipeline on the shared fixtures and on hostile input.

use std::io::Cursor;

use super::*;
use crate::fixtures::fixture;

fn load(rel: &str) -> Option<GreyImage> {
    let path = fixture(&format!("fingerprints/{rel}"))?;
    let bytes = std::fs::read(path).expect("fixture readable");
    Some(decode_image(&bytes).expect("fixture decodes"))
}

fn png(image: image::DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).expect("encode png");
    out.into_inner()
}

/// Minutiae of an ISO record read straight from the bytes, independent of the parser.
fn raw_iso_minutiae(bytes: &[u8]) -> Vec<(u16, u16, u8, u8, u8)> {
    let count = bytes[27] as usize;
    (0..count)
        .map(|k| {
            let o = 28 + 6 * k;
            let first = u16::from_be_bytes([bytes[o], bytes[o + 1]]);
            let second = u16::from_be_bytes([bytes[o + 2], bytes[o + 3]]);
            ((first >> 14) as u8, first & 0x3fff, second & 0x3fff, bytes[o + 4], bytes[o + 5])
        })
        .map(|(t, x, y, a, q)| (x, y, a, t, q))
        .collect()
}

#[test]
fn every_valid_iso_fixture_round_trips_with_identical_minutiae() {
    let Some(root) = fixture("fingerprints/iso19794-2") else { return };
    let mut files = 0;
    for year in ["fvc2002", "fvc2004"] {
        for entry in std::fs::read_dir(root.join(year)).expect("iso folder") {
            let set = entry.expect("entry").path();
            for file in std::fs::read_dir(&set).expect("set folder") {
                let path = file.expect("entry").path();
                let bytes = std::fs::read(&path).expect("read iso");
                let template = Template::from_iso(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let expected = raw_iso_minutiae(&bytes);
                let parsed: Vec<_> = template
                    .minutiae()
                    .iter()
                    .map(|m| {
                        let t = if m.kind == MinutiaKind::Bifurcation { 2 } else { 1 };
                        (m.x, m.y, m.direction, t, m.quality)
                    })
                    .collect();
                assert_eq!(parsed, expected, "{}", path.display());
                let exported = template.to_iso();
                let again = Template::from_iso(&exported).expect("own export parses");
                assert_eq!(again.minutiae(), template.minutiae(), "{}", path.display());
                assert_eq!(raw_iso_minutiae(&exported), expected, "{}", path.display());
                // Through the own format too.
                let own = Template::from_bytes(&template.to_bytes()).expect("own format");
                assert_eq!(own.minutiae(), template.minutiae());
                files += 1;
            }
        }
    }
    assert_eq!(files, 480, "expected an ISO record for every FVC image");
}

#[test]
fn truncated_iso_records_are_rejected() {
    let Some(dir) = fixture("fingerprints/iso19794-2/invalid") else { return };
    let mut files = 0;
    for entry in std::fs::read_dir(dir).expect("invalid folder") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        assert!(matches!(Template::from_iso(&bytes), Err(BiometricError::InvalidIso(_))));
        files += 1;
    }
    assert_eq!(files, 3);
    // Every prefix of a valid record is rejected too.
    let Some(valid) = fixture("fingerprints/iso19794-2/fvc2002/DB1_B/101_1.iso") else { return };
    let bytes = std::fs::read(valid).expect("read");
    for len in 0..bytes.len() {
        assert!(Template::from_iso(&bytes[..len]).is_err(), "prefix of {len} bytes accepted");
    }
}

#[test]
fn own_format_rejects_damage() {
    let minutiae = vec![
        Minutia { x: 10, y: 20, direction: 7, kind: MinutiaKind::Ending, quality: 50 },
        Minutia { x: 30, y: 40, direction: 200, kind: MinutiaKind::Bifurcation, quality: 100 },
    ];
    let template = Template::new(100, 100, minutiae).expect("valid");
    let bytes = template.to_bytes();
    assert_eq!(Template::from_bytes(&bytes).expect("round trip"), template);
    for len in 0..bytes.len() {
        assert!(Template::from_bytes(&bytes[..len]).is_err());
    }
    let mut wrong_version = bytes.clone();
    wrong_version[4] = 99;
    assert!(Template::from_bytes(&wrong_version).is_err());
    let mut outside = bytes.clone();
    outside[11] = 200; // x = 200 in a 100-wide image
    assert!(Template::from_bytes(&outside).is_err());
    assert!(Template::from_bytes(b"not a template at all").is_err());
}

#[test]
fn extraction_and_comparison_are_deterministic() {
    let Some(image) = load("fvc2002/DB1_B/101_1.tif") else { return };
    let Some(other) = load("fvc2002/DB1_B/101_2.tif") else { return };
    let a = extract(&image, 500).expect("extracts");
    let b = extract(&image, 500).expect("extracts");
    assert_eq!(a.to_bytes(), b.to_bytes());
    let c = extract(&other, 500).expect("extracts");
    let first = compare(&a, &c);
    assert_eq!(first.to_bits(), compare(&b, &c).to_bits());
    assert_eq!(first.to_bits(), Probe::new(&a).score(&c).to_bits());
}

#[test]
fn genuine_pairs_score_above_impostor_pairs() {
    let sets = [("fvc2002/DB1_B", 500), ("fvc2004/DB3_B", 512)];
    for (set, dpi) in sets {
        let mut templates = Vec::new();
        for name in ["101_1", "101_2", "102_1", "102_2"] {
            let Some(image) = load(&format!("{set}/{name}.tif")) else { return };
            templates.push(extract(&image, dpi).expect("extracts"));
        }
        let genuine =
            [compare(&templates[0], &templates[1]), compare(&templates[2], &templates[3])];
        let impostor = [
            compare(&templates[0], &templates[2]),
            compare(&templates[0], &templates[3]),
            compare(&templates[1], &templates[2]),
            compare(&templates[1], &templates[3]),
        ];
        let lowest_genuine = genuine.iter().cloned().fold(f64::MAX, f64::min);
        let highest_impostor = impostor.iter().cloned().fold(f64::MIN, f64::max);
        assert!(
            lowest_genuine > highest_impostor,
            "{set}: genuine {genuine:?} vs impostor {impostor:?}"
        );
        assert!(lowest_genuine >= MATCH_THRESHOLD, "{set}: genuine {genuine:?}");
        assert!(highest_impostor < MATCH_THRESHOLD, "{set}: impostor {impostor:?}");
        // Through ISO and back the score barely moves (same minutiae).
        let iso = Template::from_iso(&templates[0].to_iso()).expect("iso");
        assert_eq!(compare(&iso, &templates[1]), genuine[0]);
    }
}

fn assert_rejected(result: Result<Template, BiometricError>, what: &str) {
    match result {
        Ok(t) => panic!("{what}: accepted with {} minutiae", t.minutiae().len()),
        Err(e) => assert!(!e.to_string().is_empty(), "{what}"),
    }
}

#[test]
fn blank_and_noise_are_no_usable_fingerprint() {
    let blank = GreyImage::new(300, 300, vec![255; 90_000]).expect("valid image");
    assert!(matches!(extract(&blank, 500), Err(BiometricError::NoUsableFingerprint(_))));
    let black = GreyImage::new(300, 300, vec![0; 90_000]).expect("valid image");
    assert!(matches!(extract(&black, 500), Err(BiometricError::NoUsableFingerprint(_))));
    let mut state = 0x2545_f491u32;
    let noise: Vec<u8> = (0..90_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    let noise = GreyImage::new(300, 300, noise).expect("valid image");
    assert_rejected(extract(&noise, 500), "white noise");
    assert_eq!(quality(&blank, 500).hint, Some(QualityHint::NoFinger));
}

#[test]
fn odd_sizes_and_resolutions_are_clear_errors() {
    let tiny = GreyImage::new(8, 8, vec![128; 64]).expect("valid image");
    assert!(matches!(extract(&tiny, 500), Err(BiometricError::ImageTooSmall { .. })));
    assert_eq!(quality(&tiny, 500).hint, Some(QualityHint::NoFinger));
    assert!(matches!(
        GreyImage::new(8000, 8000, Vec::new()),
        Err(BiometricError::ImageTooLarge { .. })
    ));
    assert!(GreyImage::new(10, 10, vec![0; 99]).is_err());
    assert!(decode_raw_grey(&[0; 10], 4, 4).is_err());
    let image = GreyImage::new(300, 300, vec![128; 90_000]).expect("valid image");
    assert!(matches!(extract(&image, 0), Err(BiometricError::UnsupportedResolution(0))));
    assert!(matches!(extract(&image, 100_000), Err(BiometricError::UnsupportedResolution(_))));
    // A field that does not match the size is caught even when built by hand.
    let broken = GreyImage { width: 300, height: 300, pixels: vec![0; 10] };
    assert!(extract(&broken, 500).is_err());
    assert_eq!(quality(&broken, 500).hint, Some(QualityHint::NoFinger));
}

#[test]
fn huge_image_file_is_refused_before_decoding() {
    // 8000x8000 grey PNG of zeros compresses to a few tens of kilobytes.
    let huge = png(image::DynamicImage::ImageLuma8(image::GrayImage::new(8000, 8000)));
    assert!(matches!(decode_image(&huge), Err(BiometricError::ImageTooLarge { .. })));
}

#[test]
fn bad_files_are_clear_errors() {
    let text = decode_image(b"hello, not an image");
    assert!(matches!(text, Err(BiometricError::InvalidImage(_))), "{text:?}");
    assert!(decode_image(&[]).is_err());
    let Some(image) = load("fvc2002/DB3_B/101_1.tif") else { return };
    let buffer = image::GrayImage::from_raw(image.width, image.height, image.pixels.clone())
        .expect("sizes agree");
    let bytes = png(image::DynamicImage::ImageLuma8(buffer));
    // Cuts inside the image data (a file missing only its end marker still holds the image).
    for cut in [8, 40, bytes.len() / 2, bytes.len() * 3 / 4] {
        assert!(decode_image(&bytes[..cut]).is_err(), "PNG cut at {cut} accepted");
    }
    let tiff = std::fs::read(fixture("fingerprints/fvc2002/DB3_B/101_1.tif").expect("fixture"))
        .expect("read");
    for cut in [4, 100, tiff.len() / 2] {
        assert!(decode_image(&tiff[..cut]).is_err(), "TIFF cut at {cut} accepted");
    }
}

#[test]
fn sixteen_bit_and_bmp_images_decode_to_the_same_print() {
    let Some(image) = load("fvc2002/DB3_B/101_1.tif") else { return };
    let wide: Vec<u16> = image.pixels.iter().map(|&p| p as u16 * 257).collect();
    let buffer =
        image::ImageBuffer::<image::Luma<u16>, _>::from_raw(image.width, image.height, wide)
            .expect("sizes agree");
    let decoded = decode_image(&png(image::DynamicImage::ImageLuma16(buffer))).expect("16-bit");
    assert_eq!(decoded, image);
    let grey = image::GrayImage::from_raw(image.width, image.height, image.pixels.clone())
        .expect("sizes agree");
    let mut bmp = Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(grey)
        .to_rgb8()
        .write_to(&mut bmp, image::ImageFormat::Bmp)
        .expect("encode bmp");
    assert_eq!(decode_image(bmp.get_ref()).expect("bmp"), image);
    let template = extract(&decoded, 500).expect("extracts");
    assert_eq!(template, extract(&image, 500).expect("extracts"));
}

#[test]
fn quality_tells_a_print_from_an_empty_reader() {
    let Some(image) = load("fvc2002/DB1_B/101_1.tif") else { return };
    let good = quality(&image, 500);
    let blank = GreyImage::new(300, 300, vec![250; 90_000]).expect("valid image");
    assert!(good.score > 40, "{good:?}");
    assert_eq!(quality(&blank, 500).score, 0);
    // The same print shifted into a corner of a larger frame asks to move to the centre.
    let (w, h) = (image.width as usize, image.height as usize);
    let mut framed = vec![255u8; (w * 2) * (h * 2)];
    for y in 0..h {
        framed[y * w * 2..y * w * 2 + w].copy_from_slice(&image.pixels[y * w..(y + 1) * w]);
    }
    let framed = GreyImage::new(image.width * 2, image.height * 2, framed).expect("valid");
    assert_eq!(quality(&framed, 500).hint, Some(QualityHint::MoveToCentre));
}
