//! Dates and durations as the screens show them, in the selected language
//! ("24 Januari 2019", "1 tahun 8 bulan 15 hari" / "24 January 2019", "1 year 8 months 15 days").

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::ports::Ymd;

/// The two bundled languages; Indonesian is the source and the default.
pub use crate::sentence::format::Language;

/// "24 Januari 2019" / "24 January 2019".
pub fn date(d: NaiveDate, lang: Language) -> String {
    crate::sentence::format::date(d, lang)
}

pub fn optional_date(d: Option<NaiveDate>, lang: Language) -> String {
    d.map(|d| date(d, lang)).unwrap_or_else(|| "—".to_string())
}

/// The idle screen's clock: weekday, date, hours and minutes.
pub fn clock(t: NaiveDateTime, lang: Language) -> String {
    let day = crate::sentence::format::weekday(t.date(), lang);
    format!("{day}, {} {:02}:{:02}", date(t.date(), lang), t.hour(), t.minute())
}

pub fn date_time(t: NaiveDateTime, lang: Language) -> String {
    format!("{} {:02}:{:02}", date(t.date(), lang), t.hour(), t.minute())
}

/// A session's hours, "08:30-11:00" (the same in both languages).
pub fn hours(starts: NaiveTime, ends: NaiveTime) -> String {
    format!("{}-{}", starts.format("%H:%M"), ends.format("%H:%M"))
}

/// "1 tahun 8 bulan 15 hari"; zero parts are left out, all zero is "0 hari".
pub fn duration(p: Ymd, lang: Language) -> String {
    let mut parts = Vec::new();
    let units = match lang {
        Language::Indonesian => [("tahun", "tahun"), ("bulan", "bulan"), ("hari", "hari")],
        Language::English => [("year", "years"), ("month", "months"), ("day", "days")],
    };
    for (n, (one, many)) in [p.years, p.months, p.days].into_iter().zip(units) {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    if parts.is_empty() {
        return format!("0 {}", units[2].1);
    }
    parts.join(" ")
}

/// A remission amount: "2 bulan", "15 hari", "1 bulan 15 hari".
pub fn amount(months: u32, days: u32, lang: Language) -> String {
    duration(Ymd { years: 0, months, days }, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_both_languages() {
        assert_eq!(date(d(2019, 1, 24), Language::Indonesian), "24 Januari 2019");
        assert_eq!(date(d(2019, 1, 24), Language::English), "24 January 2019");
        assert_eq!(date(d(2017, 5, 9), Language::Indonesian), "9 Mei 2017");
    }

    #[test]
    fn durations_skip_zero_parts() {
        let p = Ymd { years: 1, months: 8, days: 15 };
        assert_eq!(duration(p, Language::Indonesian), "1 tahun 8 bulan 15 hari");
        assert_eq!(duration(p, Language::English), "1 year 8 months 15 days");
        assert_eq!(amount(0, 15, Language::Indonesian), "15 hari");
        assert_eq!(amount(1, 0, Language::English), "1 month");
        assert_eq!(duration(Ymd::default(), Language::Indonesian), "0 hari");
    }

    #[test]
    fn clock_names_the_weekday() {
        let t = d(2026, 11, 28).and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(clock(t, Language::Indonesian), "Sabtu, 28 November 2026 09:05");
        assert_eq!(clock(t, Language::English), "Saturday, 28 November 2026 09:05");
    }
}
