//! Text to code table WPC1252 (ESC t 16), transliterating what the table lacks.

/// The byte of `c` in WPC1252, or `None` when the table has no such character.
pub fn wpc1252_char(c: char) -> Option<u8> {
    let code = c as u32;
    match code {
        0x20..=0x7E | 0xA0..=0xFF => Some(code as u8),
        _ => {
            let byte = match c {
                '€' => 0x80,
                '‚' => 0x82,
                'ƒ' => 0x83,
                '„' => 0x84,
                '…' => 0x85,
                '†' => 0x86,
                '‡' => 0x87,
                'ˆ' => 0x88,
                '‰' => 0x89,
                'Š' => 0x8A,
                '‹' => 0x8B,
                'Œ' => 0x8C,
                'Ž' => 0x8E,
                '‘' => 0x91,
                '’' => 0x92,
                '“' => 0x93,
                '”' => 0x94,
                '•' => 0x95,
                '–' => 0x96,
                '—' => 0x97,
                '˜' => 0x98,
                '™' => 0x99,
                'š' => 0x9A,
                '›' => 0x9B,
                'œ' => 0x9C,
                'ž' => 0x9E,
                'Ÿ' => 0x9F,
                _ => return None,
            };
            Some(byte)
        }
    }
}

/// An ASCII stand-in for a character WPC1252 lacks (Latin Extended letters, spaces, dashes).
fn transliterate(c: char) -> &'static str {
    match c {
        'Ā' | 'Ă' | 'Ą' | 'Ǎ' | 'Ạ' | 'Ả' | 'Ấ' | 'Ầ' | 'Ậ' => "A",
        'ā' | 'ă' | 'ą' | 'ǎ' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ậ' => "a",
        'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ď' | 'Đ' => "D",
        'ď' | 'đ' => "d",
        'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' | 'Ẹ' | 'Ẽ' | 'Ế' | 'Ề' | 'Ệ' => "E",
        'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẹ' | 'ẽ' | 'ế' | 'ề' | 'ệ' => "e",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĥ' | 'Ħ' | 'Ḥ' => "H",
        'ĥ' | 'ħ' | 'ḥ' => "h",
        'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' | 'Ị' => "I",
        'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ị' => "i",
        'Ĵ' => "J",
        'ĵ' => "j",
        'Ķ' => "K",
        'ķ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ń' | 'Ņ' | 'Ň' => "N",
        'ń' | 'ņ' | 'ň' => "n",
        'Ō' | 'Ŏ' | 'Ő' | 'Ơ' | 'Ọ' | 'Ố' | 'Ồ' | 'Ộ' => "O",
        'ō' | 'ŏ' | 'ő' | 'ơ' | 'ọ' | 'ố' | 'ồ' | 'ộ' => "o",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Ș' | 'Ṣ' => "S",
        'ś' | 'ŝ' | 'ş' | 'ș' | 'ṣ' => "s",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' | 'Ư' | 'Ụ' => "U",
        'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ụ' => "u",
        'Ŵ' => "W",
        'ŵ' => "w",
        'Ŷ' | 'Ỳ' | 'Ỹ' => "Y",
        'ŷ' | 'ỳ' | 'ỹ' => "y",
        'Ź' | 'Ż' => "Z",
        'ź' | 'ż' => "z",
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        'ſ' => "s",
        'ʼ' | 'ʻ' | '′' => "'",
        '″' => "\"",
        '‐' | '‑' | '‒' | '−' => "-",
        '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{200B}'..='\u{200D}' | '\u{FEFF}' => "",
        _ => "?",
    }
}

/// Encodes `text` in WPC1252. Characters the table lacks become their closest ASCII letter (or
/// `?`); control characters are dropped so a name can never inject printer commands.
pub fn to_wpc1252(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            continue;
        }
        match wpc1252_char(c) {
            Some(byte) => out.push(byte),
            None => out.extend_from_slice(transliterate(c).as_bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_latin1_pass_through() {
        assert_eq!(to_wpc1252("Rutan Kelas I"), b"Rutan Kelas I".to_vec());
        assert_eq!(
            to_wpc1252("José Müller"),
            vec![b'J', b'o', b's', 0xE9, b' ', b'M', 0xFC, b'l', b'l', b'e', b'r']
        );
    }

    #[test]
    fn windows_range_maps() {
        assert_eq!(to_wpc1252("€–’"), vec![0x80, 0x96, 0x92]);
    }

    #[test]
    fn missing_letters_are_transliterated() {
        assert_eq!(to_wpc1252("Łukasz Dąbrowski"), b"Lukasz Dabrowski".to_vec());
        assert_eq!(to_wpc1252("Nguyễn"), b"Nguy?n".to_vec());
        assert_eq!(to_wpc1252("漢"), b"?".to_vec());
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(to_wpc1252("A\u{1b}@B\n\u{1d}V"), b"A@BV".to_vec());
    }
}
