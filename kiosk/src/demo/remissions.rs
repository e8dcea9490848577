//! Remission histories for the demo inmates, granted the way officers grant them under
//! Keppres 174/1999: Remisi Umum on 17 August, Remisi Khusus on the holiday of the inmate's
//! religion, Remisi Dasawarsa on 17 August 2015 and 2025, amounts by occasion number, only after
//! more than 6 months (of 30 days) in detention, with a final verdict and no disciplinary record.
//!
//! This is the demo's own history writer, not the sentence calculator (`kiosk::sentence`): the
//! calculator must reproduce these grants from the rules, which the demo tests can then check.

use chrono::{Datelike, Months, NaiveDate};

use crate::store::persons::{Religion, RemissionKind, Term};

/// Remisi Khusus holidays (government dates, DOMAIN.md): (year, Idul Fitri, Nyepi, Waisak) as
/// (month, day). 2028 and later are projections; in 2033 the first Idul Fitri is used (at most one
/// Remisi Khusus a year).
type MonthDay = (u32, u32);
const HOLIDAYS: &[(i32, MonthDay, MonthDay, MonthDay)] = &[
    (2015, (7, 17), (3, 21), (6, 2)),
    (2016, (7, 6), (3, 9), (5, 22)),
    (2017, (6, 25), (3, 28), (5, 11)),
    (2018, (6, 15), (3, 17), (5, 29)),
    (2019, (6, 5), (3, 7), (5, 19)),
    (2020, (5, 24), (3, 25), (5, 7)),
    (2021, (5, 13), (3, 14), (5, 26)),
    (2022, (5, 2), (3, 3), (5, 16)),
    (2023, (4, 22), (3, 22), (6, 4)),
    (2024, (4, 10), (3, 11), (5, 23)),
    (2025, (3, 31), (3, 29), (5, 12)),
    (2026, (3, 21), (3, 19), (5, 31)),
    (2027, (3, 10), (3, 8), (5, 20)),
    (2028, (2, 27), (3, 26), (5, 9)),
    (2029, (2, 15), (3, 15), (5, 28)),
    (2030, (2, 4), (3, 5), (5, 17)),
    (2031, (1, 25), (3, 24), (6, 5)),
    (2032, (1, 14), (3, 12), (5, 25)),
    (2033, (1, 3), (3, 31), (5, 14)),
    (2034, (12, 12), (3, 20), (6, 2)),
    (2035, (12, 1), (3, 10), (5, 22)),
];

/// The first year the demo has holiday dates for: detention in the demo starts no earlier.
pub const FIRST_YEAR: i32 = 2015;

/// The Remisi Khusus day of `religion` in `year`, if the religion has one and the year is known.
pub fn khusus_day(religion: Religion, year: i32) -> Option<NaiveDate> {
    let (month, day) = match religion {
        Religion::Kristen | Religion::Katolik => (12, 25),
        Religion::Islam | Religion::Hindu | Religion::Buddha => {
            let row = HOLIDAYS.iter().find(|row| row.0 == year)?;
            match religion {
                Religion::Islam => row.1,
                Religion::Hindu => row.2,
                _ => row.3,
            }
        }
        // Keppres 174/1999 names no holiday for these; the register's data decides later.
        Religion::Konghucu | Religion::Lainnya => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Remisi Umum amount for the `occasion`-th time (1-based), Keppres 174/1999 art. 4.
pub fn umum_amount(occasion: u32, served_a_year: bool) -> Term {
    let months = match occasion {
        0 | 1 if !served_a_year => 1,
        0 | 1 => 2,
        2 => 3,
        3 => 4,
        4 | 5 => 5,
        _ => 6,
    };
    Term { years: 0, months, days: 0 }
}

/// Remisi Khusus amount for the `occasion`-th time (1-based), Keppres 174/1999 art. 5.
pub fn khusus_amount(occasion: u32, served_a_year: bool) -> Term {
    let (months, days) = match occasion {
        0 | 1 if !served_a_year => (0, 15),
        0..=3 => (1, 0),
        4 | 5 => (1, 15),
        _ => (2, 0),
    };
    Term { years: 0, months, days }
}

/// Remisi Dasawarsa: 1/12 of the sentence, at most 3 months (months of 30 days for the twelfth).
pub fn dasawarsa_amount(sentence: Term) -> Term {
    let days = (sentence.years * 360 + sentence.months * 30 + sentence.days) / 12;
    let days = days.min(90);
    Term { years: 0, months: days / 30, days: days % 30 }
}

/// `date` plus a term in calendar months and days.
pub fn add_term(date: NaiveDate, term: Term) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(term.years * 12 + term.months))?
        .checked_add_days(chrono::Days::new(u64::from(term.days)))
}

/// `date` minus a remission: months first, then days (DOMAIN.md: one by one, in order granted).
pub fn sub_term(date: NaiveDate, term: Term) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(term.years * 12 + term.months))?
        .checked_sub_days(chrono::Days::new(u64::from(term.days)))
}

/// A granted remission of the demo history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Kind.
    pub kind: RemissionKind,
    /// Day it takes effect.
    pub date: NaiveDate,
    /// Amount.
    pub amount: Term,
    /// Decree number.
    pub decree: String,
}

/// What the history writer needs to know about an inmate.
pub struct Subject {
    /// First day of custody.
    pub detained_on: NaiveDate,
    /// The term (not life or death: those get no remission).
    pub sentence: Term,
    /// Day the verdict became final.
    pub verdict_final_on: NaiveDate,
    /// Religion first recorded.
    pub religion: Religion,
    /// Register F: no remission before this date.
    pub discipline_until: Option<NaiveDate>,
}

/// The remissions granted up to and including `today`, and the release date they lead to.
/// `None` when the dates overflow (never for the demo's ranges).
pub fn history(subject: &Subject, today: NaiveDate) -> Option<(Vec<Grant>, NaiveDate)> {
    let mut release = add_term(subject.detained_on, subject.sentence)?;
    let mut occasions: Vec<(NaiveDate, RemissionKind)> = Vec::new();
    for year in subject.detained_on.year()..=today.year() {
        occasions.push((NaiveDate::from_ymd_opt(year, 8, 17)?, RemissionKind::Umum));
        if year % 10 == 5 {
            occasions.push((NaiveDate::from_ymd_opt(year, 8, 17)?, RemissionKind::Dasawarsa));
        }
        if let Some(day) = khusus_day(subject.religion, year) {
            occasions.push((day, RemissionKind::Khusus));
        }
    }
    occasions.sort();
    let six_months_after = subject.detained_on.checked_add_days(chrono::Days::new(180))?;
    let a_year_after = subject.detained_on.checked_add_months(Months::new(12))?;
    let (mut umum, mut khusus) = (0u32, 0u32);
    let mut grants = Vec::new();
    for (date, kind) in occasions {
        let eligible = date > six_months_after
            && date <= today
            && date < release
            && subject.verdict_final_on <= date
            && subject.discipline_until.is_none_or(|until| until < date);
        if !eligible {
            continue;
        }
        let served_a_year = date >= a_year_after;
        let (amount, decree) = match kind {
            RemissionKind::Umum => {
                umum += 1;
                let decree =
                    format!("PAS-{}.PK.01.05.06 TAHUN {}", 300 + date.year() % 97, date.year());
                (umum_amount(umum, served_a_year), decree)
            }
            RemissionKind::Khusus => {
                khusus += 1;
                let decree = format!(
                    "W23.PAS.PAS.PK.01.05.06-{} TAHUN {}",
                    1000 + (date.ordinal() * 7 + date.year() as u32) % 8000,
                    date.year()
                );
                (khusus_amount(khusus, served_a_year), decree)
            }
            _ => {
                let decree =
                    format!("M.HH-{:02}.PK.01.05.06 TAHUN {}", date.year() % 50, date.year());
                (dasawarsa_amount(subject.sentence), decree)
            }
        };
        release = sub_term(release, amount)?;
        grants.push(Grant { kind, date, amount, decree });
    }
    Some((grants, release))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn public_case_from_domain_md() {
        // Detained 2017-05-09, 2 years, Christian, final verdict, good conduct: RK 2017 15 days,
        // RU 2018 2 months, RK 2018 1 month; release 2019-01-24.
        let subject = Subject {
            detained_on: d(2017, 5, 9),
            sentence: Term { years: 2, months: 0, days: 0 },
            verdict_final_on: d(2017, 5, 9),
            religion: Religion::Kristen,
            discipline_until: None,
        };
        let (grants, release) = history(&subject, d(2019, 5, 9)).expect("history");
        let got: Vec<_> =
            grants.iter().map(|g| (g.kind, g.date, g.amount.months, g.amount.days)).collect();
        assert_eq!(
            got,
            vec![
                (RemissionKind::Khusus, d(2017, 12, 25), 0, 15),
                (RemissionKind::Umum, d(2018, 8, 17), 2, 0),
                (RemissionKind::Khusus, d(2018, 12, 25), 1, 0),
            ]
        );
        assert_eq!(release, d(2019, 1, 24));
    }

    #[test]
    fn dasawarsa_is_a_twelfth_capped_at_three_months() {
        assert_eq!(
            dasawarsa_amount(Term { years: 2, months: 0, days: 0 }),
            Term { years: 0, months: 2, days: 0 }
        );
        assert_eq!(
            dasawarsa_amount(Term { years: 1, months: 6, days: 0 }),
            Term { years: 0, months: 1, days: 15 }
        );
        assert_eq!(
            dasawarsa_amount(Term { years: 10, months: 0, days: 0 }),
            Term { years: 0, months: 3, days: 0 }
        );
    }

    #[test]
    fn no_remission_before_a_final_verdict_or_during_discipline() {
        let subject = Subject {
            detained_on: d(2020, 1, 10),
            sentence: Term { years: 5, months: 0, days: 0 },
            verdict_final_on: d(2021, 9, 1),
            religion: Religion::Islam,
            discipline_until: Some(d(2022, 9, 1)),
        };
        let (grants, _) = history(&subject, d(2023, 1, 1)).expect("history");
        assert!(grants.iter().all(|g| g.date > d(2022, 9, 1)), "{grants:?}");
        assert!(grants.is_empty());
        let (grants, _) = history(&subject, d(2023, 8, 17)).expect("history");
        assert_eq!(
            grants.iter().map(|g| g.date).collect::<Vec<_>>(),
            vec![d(2023, 4, 22), d(2023, 8, 17)]
        );
        // First occasions of each kind after more than a year: RK 1 month, RU 2 months.
        assert_eq!((grants[0].amount.months, grants[1].amount.months), (1, 2));
    }
}
