//! CODE128 code set B: payload checks (for the encoder) and bar patterns (for the simulator).

/// Why a CODE128 payload cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Code128Error {
    /// Nothing to encode.
    #[error("empty payload")]
    Empty,
    /// A character outside printable ASCII (code set B).
    #[error("character {0:?} is not printable ASCII")]
    Character(char),
    /// More characters than one `GS k` command can carry.
    #[error("{0} characters is too long (at most 253)")]
    TooLong(usize),
}

/// Checks the payload is printable ASCII of 1..=253 characters; returns its bytes.
pub(crate) fn validate(data: &str) -> Result<&[u8], Code128Error> {
    if let Some(bad) = data.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(Code128Error::Character(bad));
    }
    match data.len() {
        0 => Err(Code128Error::Empty),
        // n is one byte and counts the two selector bytes.
        n if n > 253 => Err(Code128Error::TooLong(n)),
        _ => Ok(data.as_bytes()),
    }
}

/// Bar/space widths of symbol values 0..=105; each sums to 11 modules.
const PATTERNS: [&str; 106] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232",
];
const STOP: &str = "2331112";
const START_B: usize = 104;

/// The symbol as modules left to right (true = bar), without quiet zones: start B, data,
/// checksum, stop.
pub fn code128_modules(data: &str) -> Result<Vec<bool>, Code128Error> {
    let bytes = validate(data)?;
    let values: Vec<usize> = bytes.iter().map(|&b| (b - b' ') as usize).collect();
    let checksum = values.iter().enumerate().fold(START_B, |sum, (i, &v)| sum + (i + 1) * v) % 103;
    let mut modules = Vec::with_capacity((values.len() + 3) * 11 + 2);
    let mut put = |pattern: &str| {
        for (i, width) in pattern.bytes().enumerate() {
            for _ in 0..(width - b'0') {
                modules.push(i % 2 == 0);
            }
        }
    };
    put(PATTERNS[START_B]);
    for &v in &values {
        put(PATTERNS[v]);
    }
    put(PATTERNS[checksum]);
    put(STOP);
    Ok(modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_table_is_consistent() {
        // Each symbol: 11 modules, bars add to an even number, spaces odd, and all distinct.
        for (value, pattern) in PATTERNS.iter().enumerate() {
            let widths: Vec<u32> = pattern.bytes().map(|b| (b - b'0') as u32).collect();
            assert_eq!(widths.iter().sum::<u32>(), 11, "value {value}");
            assert_eq!((widths[0] + widths[2] + widths[4]) % 2, 0, "value {value}");
            assert_eq!((widths[1] + widths[3] + widths[5]) % 2, 1, "value {value}");
        }
        let mut sorted = PATTERNS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 106);
    }

    #[test]
    fn known_symbol() {
        // "PJJ123C": 104 + 48 + 2*42 + 3*42 + 4*17 + 5*18 + 6*19 + 7*35 = 879, 879 % 103 = 55.
        let modules = code128_modules("PJJ123C").expect("valid");
        assert_eq!(modules.len(), (1 + 7 + 1) * 11 + 13);
        let values: Vec<usize> = "PJJ123C".bytes().map(|b| (b - b' ') as usize).collect();
        let sum = values.iter().enumerate().fold(104, |s, (i, v)| s + (i + 1) * v);
        assert_eq!(sum % 103, 55);
        let checksum_at = 8 * 11;
        let expected: Vec<bool> = PATTERNS[55]
            .bytes()
            .enumerate()
            .flat_map(|(i, w)| std::iter::repeat_n(i % 2 == 0, (w - b'0') as usize))
            .collect();
        assert_eq!(&modules[checksum_at..checksum_at + 11], &expected[..]);
        // Starts with start B (bar 2, space 1, bar 1, space 2, ...), ends with the stop bar.
        assert_eq!(&modules[..4], &[true, true, false, true]);
        assert_eq!(&modules[modules.len() - 2..], &[true, true]);
    }

    #[test]
    fn rejects_bad_payloads() {
        assert_eq!(validate(""), Err(Code128Error::Empty));
        assert_eq!(validate("ä"), Err(Code128Error::Character('ä')));
        assert_eq!(validate("\n"), Err(Code128Error::Character('\n')));
        assert_eq!(validate(&"x".repeat(254)), Err(Code128Error::TooLong(254)));
        assert!(validate(&"x".repeat(253)).is_ok());
    }
}
