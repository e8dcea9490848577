//! Wording of dates and lengths for screens and tickets: "24 Januari 2019", "1 tahun 8 bulan
//! 15 hari" (Bahasa Indonesia, the default) and "24 January 2019", "1 year 8 months 15 days".

use chrono::{Datelike, NaiveDate};

use super::{RemissionKind, Stage, Term};

/// The two languages of the kiosk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Language {
    /// Bahasa Indonesia (default).
    #[default]
    Indonesian,
    /// English.
    English,
}

impl Language {
    /// The translation code: `id` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Indonesian => "id",
            Language::English => "en",
        }
    }

    /// The language of a translation code (`id`, `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "id" => Some(Language::Indonesian),
            "en" => Some(Language::English),
            _ => None,
        }
    }
}

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const HARI: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
const DAYS: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// "Sabtu" / "Saturday".
pub fn weekday(date: NaiveDate, language: Language) -> &'static str {
    let names = match language {
        Language::Indonesian => &HARI,
        Language::English => &DAYS,
    };
    names[date.weekday().num_days_from_monday() as usize]
}

/// "24 Januari 2019" / "24 January 2019".
pub fn date(date: NaiveDate, language: Language) -> String {
    let names = match language {
        Language::Indonesian => &BULAN,
        Language::English => &MONTHS,
    };
    format!("{} {} {}", date.day(), names[date.month0() as usize], date.year())
}

/// "1 tahun 8 bulan 15 hari" / "1 year 8 months 15 days"; zero parts are left out, a zero length
/// is "0 hari" / "0 days".
pub fn term(term: Term, language: Language) -> String {
    let parts: [(u32, &str, &str, &str); 3] = [
        (term.years, "tahun", "year", "years"),
        (term.months, "bulan", "month", "months"),
        (term.days, "hari", "day", "days"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, id, one, many)| match language {
            Language::Indonesian => format!("{n} {id}"),
            Language::English => format!("{n} {}", if *n == 1 { one } else { many }),
        })
        .collect();
    if words.is_empty() {
        return match language {
            Language::Indonesian => "0 hari".into(),
            Language::English => "0 days".into(),
        };
    }
    words.join(" ")
}

/// The name of a remission kind: "Remisi Umum" / "General remission".
pub fn remission_kind(kind: RemissionKind, language: Language) -> &'static str {
    match (kind, language) {
        (RemissionKind::Umum, Language::Indonesian) => "Remisi Umum",
        (RemissionKind::Umum, Language::English) => "General remission",
        (RemissionKind::Khusus, Language::Indonesian) => "Remisi Khusus",
        (RemissionKind::Khusus, Language::English) => "Religious holiday remission",
        (RemissionKind::Tambahan, Language::Indonesian) => "Remisi Tambahan",
        (RemissionKind::Tambahan, Language::English) => "Additional remission",
        (RemissionKind::Dasawarsa, Language::Indonesian) => "Remisi Dasawarsa",
        (RemissionKind::Dasawarsa, Language::English) => "Decennial remission",
        (RemissionKind::Susulan, Language::Indonesian) => "Remisi Susulan",
        (RemissionKind::Susulan, Language::English) => "Late remission",
        (RemissionKind::Kemanusiaan, Language::Indonesian) => "Remisi Kemanusiaan",
        (RemissionKind::Kemanusiaan, Language::English) => "Humanitarian remission",
    }
}

/// The name of a programme stage.
pub fn stage(stage: Stage, language: Language) -> &'static str {
    match (stage, language) {
        (Stage::AdmisiOrientasi, Language::Indonesian) => "Admisi dan orientasi",
        (Stage::AdmisiOrientasi, Language::English) => "Admission and orientation",
        (Stage::PembinaanAwal, Language::Indonesian) => "Pembinaan tahap awal",
        (Stage::PembinaanAwal, Language::English) => "Early stage",
        (Stage::PembinaanLanjutan, Language::Indonesian) => "Pembinaan tahap lanjutan",
        (Stage::PembinaanLanjutan, Language::English) => "Middle stage",
        (Stage::PembinaanAkhir, Language::Indonesian) => "Pembinaan tahap akhir",
        (Stage::PembinaanAkhir, Language::English) => "Final stage",
        (Stage::Bebas, Language::Indonesian) => "Bebas",
        (Stage::Bebas, Language::English) => "Released",
    }
}

/// "(perkiraan)" / "(estimate)": the label every projected value carries on screen.
pub fn estimate_label(language: Language) -> &'static str {
    match language {
        Language::Indonesian => "(perkiraan)",
        Language::English => "(estimate)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_languages() {
        let d = |s: &str| -> NaiveDate { s.parse().expect("date") };
        let cases = [
            ("2019-01-24", "24 Januari 2019", "24 January 2019"),
            ("2019-05-09", "9 Mei 2019", "9 May 2019"),
            ("2020-02-29", "29 Februari 2020", "29 February 2020"),
            ("2018-08-17", "17 Agustus 2018", "17 August 2018"),
            ("2017-12-25", "25 Desember 2017", "25 December 2017"),
            ("2021-10-01", "1 Oktober 2021", "1 October 2021"),
        ];
        for (iso, id, en) in cases {
            assert_eq!(date(d(iso), Language::Indonesian), id);
            assert_eq!(date(d(iso), Language::English), en);
        }
    }

    #[test]
    fn terms_in_both_languages() {
        let cases = [
            (Term::new(1, 8, 15), "1 tahun 8 bulan 15 hari", "1 year 8 months 15 days"),
            (Term::new(2, 0, 0), "2 tahun", "2 years"),
            (Term::new(0, 1, 1), "1 bulan 1 hari", "1 month 1 day"),
            (Term::new(0, 0, 15), "15 hari", "15 days"),
            (Term::new(0, 0, 0), "0 hari", "0 days"),
        ];
        for (t, id, en) in cases {
            assert_eq!(term(t, Language::Indonesian), id);
            assert_eq!(term(t, Language::English), en);
        }
    }

    #[test]
    fn names() {
        assert_eq!(remission_kind(RemissionKind::Khusus, Language::Indonesian), "Remisi Khusus");
        assert_eq!(stage(Stage::PembinaanAkhir, Language::English), "Final stage");
        assert_eq!(estimate_label(Language::Indonesian), "(perkiraan)");
    }
}
