//! Remissions: the Keppres 174/1999 amount tables as data, applying a remission to a release date,
//! eligibility on a remission day, and the projection of future remissions.
//!
//! "Year n" of the tables counts the occasions on which the inmate *receives* that kind of
//! remission (DOMAIN.md: public cases fit this reading), so an occasion missed for too little time
//! served does not advance the count.

use chrono::{Datelike, NaiveDate};

use super::calendar::{Span, add_days, add_months};
use super::holidays::RemissionDay;
use super::{
    CrimeCategory, GrantedRemission, HolidayTable, MonthConvention, ProjectFrom, Reason,
    RemissionItem, RemissionKind, SentenceError, SentenceInput, SentenceSettings, ServiceCount,
    SkippedOccasion, SpanOrder,
};

/// The amounts of one kind of remission by occasion (Keppres 174/1999 art. 4-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// First occasion with less than 12 months served (but more than 6).
    pub first_short: Span,
    /// Occasions 1, 2, 3, 4, 5 and 6-and-later (the first with 12 months or more served).
    pub by_occasion: [Span; 6],
}

impl Scale {
    /// The amount on the `occasion`-th receipt (1-based), knowing whether 12 months are served.
    pub fn amount(&self, occasion: usize, served_full_year: bool) -> Span {
        if occasion <= 1 && !served_full_year {
            return self.first_short;
        }
        self.by_occasion[occasion.clamp(1, 6) - 1]
    }
}

/// Remisi Umum, 17 August.
pub const REMISI_UMUM: Scale = Scale {
    first_short: Span::new(1, 0),
    by_occasion: [
        Span::new(2, 0),
        Span::new(3, 0),
        Span::new(4, 0),
        Span::new(5, 0),
        Span::new(5, 0),
        Span::new(6, 0),
    ],
};

/// Remisi Khusus, religious holiday.
pub const REMISI_KHUSUS: Scale = Scale {
    first_short: Span::new(0, 15),
    by_occasion: [
        Span::new(1, 0),
        Span::new(1, 0),
        Span::new(1, 0),
        Span::new(1, 15),
        Span::new(1, 15),
        Span::new(2, 0),
    ],
};

/// Remisi Dasawarsa: 1/12 of the sentence (whole days, rounded down), at most `max_months`.
pub fn dasawarsa_amount(sentence: Span, max_months: u32) -> Span {
    let months = sentence.months.max(0);
    let amount = Span::new(months / 12, ((months % 12) * 30 + sentence.days.max(0)) / 12);
    let cap = Span::new(i64::from(max_months), 0);
    let amount = amount.plus(Span::default());
    if amount > cap { cap } else { amount }
}

/// Subtracts one remission from `release`; the inmate goes free on the remission day when the
/// remission is at least what is left. `None` when out of chrono's range.
pub fn apply(
    release: NaiveDate,
    remission_day: NaiveDate,
    amount: Span,
    settings: &SentenceSettings,
) -> Option<NaiveDate> {
    let months = |date: NaiveDate| match settings.month_convention {
        MonthConvention::Calendar => add_months(date, -amount.months, settings.month_end),
        MonthConvention::ThirtyDays => add_days(date, -30 * amount.months),
    };
    let days = |date: NaiveDate| add_days(date, -amount.days);
    let reduced = match settings.remission_span_order {
        SpanOrder::MonthsFirst => days(months(release)?)?,
        SpanOrder::DaysFirst => months(days(release)?)?,
    };
    Some(reduced.max(remission_day))
}

/// The remark for a remission at least as long as what was left: free on the remission day,
/// which decrees name with "II" (RU II, RK II, RD II).
pub fn covers_rest_note(kind: RemissionKind, day: NaiveDate, projected: bool) -> String {
    format!(
        "{} {day}{} covers the rest of the sentence: release on the remission day ({} II)",
        kind.code(),
        if projected { " (projected)" } else { "" },
        kind.code()
    )
}

/// Whether more than (or at least) `months` are served on `day`, counted from `start`.
fn served(
    start: NaiveDate,
    day: NaiveDate,
    months: u32,
    strictly_more: bool,
    count: ServiceCount,
) -> bool {
    match count {
        ServiceCount::ThirtyDayMonths => {
            let days = (day - start).num_days();
            let needed = 30 * i64::from(months);
            if strictly_more { days > needed } else { days >= needed }
        }
        ServiceCount::CalendarMonths => {
            match add_months(start, i64::from(months), super::MonthEnd::Clamp) {
                Some(mark) => {
                    if strictly_more {
                        day > mark
                    } else {
                        day >= mark
                    }
                }
                None => false,
            }
        }
    }
}

/// Special crime as configured (narcotics only from a sentence length).
pub fn is_special(input: &SentenceInput, settings: &SentenceSettings) -> bool {
    if !settings.special_categories.contains(&input.crime_category) {
        return false;
    }
    input.crime_category != CrimeCategory::Narcotics
        || input.sentence.total_months() >= 12 * i64::from(settings.narcotics_special_from_years)
}

/// Categories whose remission and PB need extra conditions (fine and restitution, or
/// deradicalisation).
fn needs_special_requirements(category: CrimeCategory) -> bool {
    matches!(category, CrimeCategory::Corruption | CrimeCategory::Terrorism)
}

/// The day PP 99/2012 took effect; special crimes final before it get remission only after 1/3.
fn pp_99_2012() -> NaiveDate {
    NaiveDate::from_ymd_opt(2012, 11, 12).unwrap_or(NaiveDate::MIN)
}

/// Why an inmate gets no remission on `day`, or `None` when eligible.
pub fn ineligibility(
    input: &SentenceInput,
    settings: &SentenceSettings,
    day: NaiveDate,
    one_third: NaiveDate,
) -> Option<Reason> {
    served_too_short(input, settings, day)
        .or_else(|| verdict_not_final(input, day))
        .or_else(|| other_ineligibility(input, settings, day, one_third))
}

fn served_too_short(
    input: &SentenceInput,
    settings: &SentenceSettings,
    day: NaiveDate,
) -> Option<Reason> {
    let min = settings.remission_min_served_months;
    (!served(input.detained_on, day, min, true, settings.service_count)).then(|| {
        Reason::new(
            "served_too_short",
            format!("Pada hari itu belum menjalani lebih dari {min} bulan"),
            format!("Not more than {min} months served on that day"),
        )
    })
}

fn verdict_not_final(input: &SentenceInput, day: NaiveDate) -> Option<Reason> {
    match input.verdict_final_on {
        Some(final_on) if final_on <= day => None,
        _ => Some(Reason::new(
            "verdict_not_final",
            "Putusan belum berkekuatan hukum tetap pada hari itu (remisi susulan dapat diberikan kemudian)",
            "The verdict was not final on that day (a later remisi susulan is possible)",
        )),
    }
}

/// Discipline, special requirements, the 1/3 rule of old special-crime verdicts.
fn other_ineligibility(
    input: &SentenceInput,
    settings: &SentenceSettings,
    day: NaiveDate,
    one_third: NaiveDate,
) -> Option<Reason> {
    let lookback = settings.discipline_lookback_months;
    let from = add_months(day, -i64::from(lookback), settings.month_end).unwrap_or(day);
    if input.discipline_records.iter().any(|r| *r >= from && *r <= day)
        || input.discipline_until.is_some_and(|until| day < until)
    {
        return Some(Reason::new(
            "discipline_record",
            format!("Tercatat dalam register F dalam {lookback} bulan terakhir"),
            format!("Disciplinary record (register F) in the last {lookback} months"),
        ));
    }
    if needs_special_requirements(input.crime_category)
        && input.special_requirements_met != Some(true)
    {
        return Some(Reason::new(
            "special_requirements",
            "Syarat khusus belum tercatat terpenuhi (denda dan uang pengganti, atau deradikalisasi)",
            "Special requirements not recorded as met (fine and restitution, or deradicalisation)",
        ));
    }
    if is_special(input, settings)
        && input.verdict_final_on.is_some_and(|v| v < pp_99_2012())
        && day < one_third
    {
        return Some(Reason::new(
            "special_before_one_third",
            "Tindak pidana khusus (putusan sebelum 12 November 2012): remisi setelah menjalani 1/3",
            "Special crime (verdict before 12 November 2012): remission only after 1/3 served",
        ));
    }
    None
}

/// The result of a projection.
pub struct Projection {
    /// Projected remissions, in date order.
    pub items: Vec<RemissionItem>,
    /// Occasions with nothing projected, with the reason.
    pub skipped: Vec<SkippedOccasion>,
    /// Release of the main sentence if every projected remission is granted.
    pub release: NaiveDate,
    /// Data-quality remarks.
    pub notes: Vec<String>,
}

/// A remission day the rules know about.
#[derive(Clone, Copy, Debug)]
struct Occasion {
    kind: RemissionKind,
    date: NaiveDate,
}

/// Projects the remissions the rules give after the granted ones, applying each to the release
/// date of the main sentence (remission ends where the subsider of an unpaid fine begins).
pub fn project(
    input: &SentenceInput,
    settings: &SentenceSettings,
    holidays: &HolidayTable,
    granted: &[&GrantedRemission],
    main_release: NaiveDate,
    one_third: NaiveDate,
) -> Result<Projection, SentenceError> {
    let mut notes = Vec::new();
    let mut occasions = Vec::new();
    for year in input.detained_on.year()..=main_release.year() {
        let august_17 = NaiveDate::from_ymd_opt(year, 8, 17)
            .ok_or_else(|| SentenceError::invalid("detained_on", "date out of range"))?;
        occasions.push(Occasion { kind: RemissionKind::Umum, date: august_17 });
        if settings.dasawarsa_years.contains(&year) {
            occasions.push(Occasion { kind: RemissionKind::Dasawarsa, date: august_17 });
        }
        match holidays.remission_day(input.religion, year) {
            RemissionDay::On(day) => {
                occasions.push(Occasion { kind: RemissionKind::Khusus, date: day });
                if holidays
                    .year(year)
                    .is_some_and(|row| row.status != super::HolidayStatus::Official)
                {
                    notes.push(format!(
                        "RK {year}: holiday date {day} is not from an official decree yet"
                    ));
                }
            }
            RemissionDay::NoHoliday => {}
            RemissionDay::YearNotCovered => notes.push(format!(
                "RK {year}: no holiday date in the table for this year; not projected"
            )),
        }
    }
    if input.religion.holiday().is_none() {
        notes.push("RK: no holiday for this religion in the table; not projected".into());
    }
    // Same day: RU before RD (both 17 August), then by date.
    occasions.sort_by_key(|o| (o.date, o.kind));

    let last_granted = granted.last().map(|r| r.granted_on);
    let lower = match (settings.project_from, input.today) {
        (ProjectFrom::Today, Some(today)) => Some(today),
        _ => None,
    };
    let mut release = main_release;
    let mut items: Vec<RemissionItem> = Vec::new();
    // The kind each projected item counts as (a susulan counts as the occasion it stands for).
    let mut counted_as: Vec<RemissionKind> = Vec::new();
    let mut skipped = Vec::new();
    // Remisi susulan waiting for the verdict to become final: (day, occasion kind, amount).
    let mut pending: Vec<(NaiveDate, RemissionKind, Span)> = Vec::new();
    let sentence = input.sentence.span();
    let step = |release: &mut NaiveDate,
                items: &mut Vec<RemissionItem>,
                notes: &mut Vec<String>,
                kind: RemissionKind,
                day: NaiveDate,
                amount: Span|
     -> Result<(), SentenceError> {
        *release = apply(*release, day, amount, settings)
            .ok_or_else(|| SentenceError::invalid("remissions", "date out of range"))?;
        if *release == day {
            notes.push(covers_rest_note(kind, day, true));
        }
        items.push(RemissionItem {
            kind,
            date: day,
            months: u32::try_from(amount.months).unwrap_or(0),
            days: u32::try_from(amount.days).unwrap_or(0),
            projected: true,
            sk: None,
        });
        Ok(())
    };
    let flush = |until: Option<NaiveDate>,
                 pending: &mut Vec<(NaiveDate, RemissionKind, Span)>,
                 release: &mut NaiveDate,
                 items: &mut Vec<RemissionItem>,
                 skipped: &mut Vec<SkippedOccasion>,
                 notes: &mut Vec<String>|
     -> Result<(), SentenceError> {
        pending.sort_by_key(|(day, ..)| *day);
        while let Some(&(day, kind, amount)) = pending.first() {
            if until.is_some_and(|until| day > until) {
                break;
            }
            pending.remove(0);
            if day >= *release {
                skipped.push(SkippedOccasion {
                    kind: RemissionKind::Susulan,
                    date: day,
                    reason: Reason::new(
                        "released_before",
                        format!(
                            "Sudah bebas sebelum remisi susulan untuk {} dapat diberikan",
                            kind.code()
                        ),
                        format!(
                            "Released before the remisi susulan for {} could be granted",
                            kind.code()
                        ),
                    ),
                });
                continue;
            }
            step(release, items, notes, RemissionKind::Susulan, day, amount)?;
        }
        Ok(())
    };
    for occasion in occasions {
        flush(
            Some(occasion.date),
            &mut pending,
            &mut release,
            &mut items,
            &mut skipped,
            &mut notes,
        )?;
        if occasion.date < input.detained_on {
            continue;
        }
        if occasion.date >= release {
            break;
        }
        let already_granted =
            granted.iter().any(|r| r.kind == occasion.kind && r.granted_on == occasion.date);
        if already_granted
            || last_granted.is_some_and(|last| occasion.date < last)
            || lower.is_some_and(|today| occasion.date < today)
        {
            continue;
        }
        if let Some(reason) = served_too_short(input, settings, occasion.date)
            .or_else(|| other_ineligibility(input, settings, occasion.date, one_third))
        {
            skipped.push(SkippedOccasion { kind: occasion.kind, date: occasion.date, reason });
            continue;
        }
        // Not final on the day: a susulan once it is, if that day is known.
        let susulan_on = match verdict_not_final(input, occasion.date) {
            None => None,
            Some(reason) => match input.verdict_final_on {
                Some(final_on) if settings.project_susulan => Some(final_on),
                _ => {
                    skipped.push(SkippedOccasion {
                        kind: occasion.kind,
                        date: occasion.date,
                        reason,
                    });
                    continue;
                }
            },
        };
        let amount = match occasion.kind {
            RemissionKind::Dasawarsa => dasawarsa_amount(sentence, settings.dasawarsa_max_months),
            kind => {
                let scale = if kind == RemissionKind::Umum { &REMISI_UMUM } else { &REMISI_KHUSUS };
                let received = granted
                    .iter()
                    .filter(|r| r.kind == kind && r.granted_on < occasion.date)
                    .count()
                    + counted_as.iter().filter(|k| **k == kind).count();
                let full_year = served(
                    input.detained_on,
                    occasion.date,
                    settings.remission_full_first_months,
                    false,
                    settings.service_count,
                );
                scale.amount(received + 1, full_year)
            }
        };
        if amount == Span::default() {
            continue;
        }
        counted_as.push(occasion.kind);
        match susulan_on {
            Some(day) => pending.push((day, occasion.kind, amount)),
            None => {
                step(&mut release, &mut items, &mut notes, occasion.kind, occasion.date, amount)?
            }
        }
    }
    flush(None, &mut pending, &mut release, &mut items, &mut skipped, &mut notes)?;
    Ok(Projection { items, skipped, release, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keppres_174_1999_amounts_by_occasion() {
        // (occasion, 12 months served, RU, RK)
        let cases = [
            (1, false, Span::new(1, 0), Span::new(0, 15)),
            (1, true, Span::new(2, 0), Span::new(1, 0)),
            (2, true, Span::new(3, 0), Span::new(1, 0)),
            (3, true, Span::new(4, 0), Span::new(1, 0)),
            (4, true, Span::new(5, 0), Span::new(1, 15)),
            (5, true, Span::new(5, 0), Span::new(1, 15)),
            (6, true, Span::new(6, 0), Span::new(2, 0)),
            (7, true, Span::new(6, 0), Span::new(2, 0)),
            (12, true, Span::new(6, 0), Span::new(2, 0)),
            // Past the first occasion the 12-month split no longer matters.
            (2, false, Span::new(3, 0), Span::new(1, 0)),
        ];
        for (occasion, full, ru, rk) in cases {
            assert_eq!(REMISI_UMUM.amount(occasion, full), ru, "RU occasion {occasion} {full}");
            assert_eq!(REMISI_KHUSUS.amount(occasion, full), rk, "RK occasion {occasion} {full}");
        }
    }

    #[test]
    fn dasawarsa_is_a_twelfth_capped_at_three_months() {
        let cases = [
            (Span::new(24, 0), Span::new(2, 0)),
            (Span::new(12, 0), Span::new(1, 0)),
            (Span::new(17, 0), Span::new(1, 12)),
            (Span::new(6, 0), Span::new(0, 15)),
            (Span::new(36, 0), Span::new(3, 0)),
            (Span::new(120, 0), Span::new(3, 0)),
            (Span::new(0, 11), Span::new(0, 0)),
        ];
        for (sentence, want) in cases {
            assert_eq!(dasawarsa_amount(sentence, 3), want, "{sentence:?}");
        }
    }

    #[test]
    fn applying_remissions_one_by_one() {
        let d = |s: &str| -> NaiveDate { s.parse().expect("date") };
        let s = SentenceSettings::default();
        let thirty =
            SentenceSettings { month_convention: MonthConvention::ThirtyDays, ..s.clone() };
        let days_first =
            SentenceSettings { remission_span_order: SpanOrder::DaysFirst, ..s.clone() };
        let cases = [
            (&s, "2019-05-09", "2017-12-25", Span::new(0, 15), "2019-04-24"),
            (&s, "2019-04-24", "2018-08-17", Span::new(2, 0), "2019-02-24"),
            (&s, "2019-02-24", "2018-12-25", Span::new(1, 0), "2019-01-24"),
            (&thirty, "2019-02-24", "2018-12-25", Span::new(1, 0), "2019-01-25"),
            (&s, "2019-03-31", "2018-08-17", Span::new(1, 15), "2019-02-13"),
            (&days_first, "2019-03-31", "2018-08-17", Span::new(1, 15), "2019-02-16"),
            // Covers the rest: free on the remission day (RU II).
            (&s, "2019-09-01", "2019-08-17", Span::new(2, 0), "2019-08-17"),
            (&s, "2019-09-17", "2019-08-17", Span::new(1, 0), "2019-08-17"),
        ];
        for (settings, release, day, amount, want) in cases {
            assert_eq!(
                apply(d(release), d(day), amount, settings),
                Some(d(want)),
                "{release} - {amount:?}"
            );
        }
    }
}
