//! Calendar arithmetic for sentences: adding and subtracting years / months / days, and the
//! years / months / days between two dates. Every place where the law is silent (a month that has
//! no 31st, a "month" of remission) takes its convention from [`super::SentenceSettings`].

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What to do when adding months lands on a day the target month does not have
/// (31 January + 1 month, 29 February + 1 year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthEnd {
    /// The last day of the target month: 2021-01-31 + 1 month = 2021-02-28.
    #[default]
    Clamp,
    /// The first day of the month after: 2021-01-31 + 1 month = 2021-03-01.
    NextDay,
}

/// A length in years, months and days, as sentences, fines' subsider and remissions are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Whole years.
    #[serde(default)]
    pub years: u32,
    /// Whole months (may exceed 11 in input: "18 bulan").
    #[serde(default)]
    pub months: u32,
    /// Days.
    #[serde(default)]
    pub days: u32,
}

impl Term {
    /// A term of years, months and days.
    pub const fn new(years: u32, months: u32, days: u32) -> Term {
        Term { years, months, days }
    }

    /// Years and months folded into months.
    pub fn total_months(&self) -> i64 {
        i64::from(self.years) * 12 + i64::from(self.months)
    }

    /// True when every part is zero.
    pub fn is_zero(&self) -> bool {
        self.years == 0 && self.months == 0 && self.days == 0
    }

    /// The same length as a [`Span`] (years folded into months).
    pub fn span(&self) -> Span {
        Span { months: self.total_months(), days: i64::from(self.days) }
    }
}

/// Months and days as signed numbers, for arithmetic on lengths (a sentence minus remissions,
/// a fraction of a sentence). A month left over when dividing counts as 30 days, as the
/// registers do ("1 bulan = 30 hari").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Span {
    /// Months (years folded in).
    pub months: i64,
    /// Days.
    pub days: i64,
}

impl Span {
    /// A span of months and days.
    pub const fn new(months: i64, days: i64) -> Span {
        Span { months, days }
    }

    /// `self - other`, borrowing 30 days from a month when the days go negative. The result may
    /// be negative in months (a sentence fully covered by credits).
    pub fn minus(self, other: Span) -> Span {
        let mut months = self.months - other.months;
        let mut days = self.days - other.days;
        while days < 0 {
            months -= 1;
            days += 30;
        }
        Span { months, days }
    }

    /// `self + other`, days normalised to below 30 carrying into months.
    pub fn plus(self, other: Span) -> Span {
        let days = self.days + other.days;
        Span { months: self.months + other.months + days / 30, days: days % 30 }
    }

    /// `numerator / denominator` of this span: whole months, then the remaining months as 30 days
    /// each plus the days, divided and rounded up (a fraction is reached only when fully served).
    pub fn fraction(self, numerator: i64, denominator: i64) -> Span {
        if self.months < 0 || denominator <= 0 {
            return Span::default();
        }
        let scaled = self.months * numerator;
        let months = scaled / denominator;
        let rest = (scaled % denominator) * 30 + self.days * numerator;
        let days = (rest + denominator - 1) / denominator;
        // "8 bulan 30 hari" is written "9 bulan".
        Span { months: months + days / 30, days: days % 30 }
    }

    /// The span as a comparable number of 30-day-month days (only for comparisons with floors such
    /// as "2/3 at least 9 months").
    pub fn as_thirty_day_days(&self) -> i64 {
        self.months * 30 + self.days
    }
}

/// `date + months` (negative to go back) with the month-end convention; `None` out of range.
pub fn add_months(date: NaiveDate, months: i64, month_end: MonthEnd) -> Option<NaiveDate> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    if let Some(exact) = NaiveDate::from_ymd_opt(year, month, date.day()) {
        return Some(exact);
    }
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    match month_end {
        MonthEnd::Clamp => first_of_next.pred_opt(),
        MonthEnd::NextDay => Some(first_of_next),
    }
}

/// `date + days` (negative to go back); `None` out of range.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// `date + span`: months first, then days (how "start + sentence" is counted).
pub fn add_span(date: NaiveDate, span: Span, month_end: MonthEnd) -> Option<NaiveDate> {
    add_days(add_months(date, span.months, month_end)?, span.days)
}

/// `date + term`, months first, then days.
pub fn add_term(date: NaiveDate, term: Term, month_end: MonthEnd) -> Option<NaiveDate> {
    add_span(date, term.span(), month_end)
}

/// The years, months and days from `from` to `to` (zero when `to` is not after `from`): the
/// largest number of whole months that does not pass `to`, then the days left.
pub fn between(from: NaiveDate, to: NaiveDate, month_end: MonthEnd) -> Term {
    if to <= from {
        return Term::default();
    }
    let mut months = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month0())
        - i64::from(from.month0());
    // The estimate can be one too high (day of month) or, with `NextDay`, lower than needed.
    while months > 0 && add_months(from, months, month_end).is_none_or(|d| d > to) {
        months -= 1;
    }
    while add_months(from, months + 1, month_end).is_some_and(|d| d <= to) {
        months += 1;
    }
    let anchor = add_months(from, months, month_end).unwrap_or(from);
    let days = (to - anchor).num_days();
    Term {
        years: u32::try_from(months / 12).unwrap_or(u32::MAX),
        months: (months % 12) as u32,
        days: u32::try_from(days).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn month_addition_around_month_ends_and_leap_days() {
        let cases = [
            ("2020-02-29", 12, MonthEnd::Clamp, "2021-02-28"),
            ("2020-02-29", 12, MonthEnd::NextDay, "2021-03-01"),
            ("2020-02-29", 48, MonthEnd::Clamp, "2024-02-29"),
            ("2021-01-31", 1, MonthEnd::Clamp, "2021-02-28"),
            ("2021-01-31", 1, MonthEnd::NextDay, "2021-03-01"),
            ("2020-01-31", 1, MonthEnd::Clamp, "2020-02-29"),
            ("2019-03-31", -1, MonthEnd::Clamp, "2019-02-28"),
            ("2019-03-31", -1, MonthEnd::NextDay, "2019-03-01"),
            ("2019-12-31", 2, MonthEnd::Clamp, "2020-02-29"),
            ("2019-05-09", -2, MonthEnd::Clamp, "2019-03-09"),
            ("2019-01-15", -13, MonthEnd::Clamp, "2017-12-15"),
            ("2019-12-15", 1, MonthEnd::Clamp, "2020-01-15"),
            ("2019-11-30", 1, MonthEnd::NextDay, "2019-12-30"),
            ("2019-12-31", 11, MonthEnd::NextDay, "2020-12-01"),
        ];
        for (start, months, end, want) in cases {
            assert_eq!(
                add_months(d(start), months, end),
                Some(d(want)),
                "{start} + {months} {end:?}"
            );
        }
    }

    #[test]
    fn between_counts_whole_months_then_days() {
        let cases = [
            ("2017-05-09", "2019-01-24", MonthEnd::Clamp, Term::new(1, 8, 15)),
            ("2017-05-09", "2019-05-09", MonthEnd::Clamp, Term::new(2, 0, 0)),
            ("2017-05-09", "2017-05-09", MonthEnd::Clamp, Term::new(0, 0, 0)),
            ("2019-01-31", "2019-02-28", MonthEnd::Clamp, Term::new(0, 1, 0)),
            ("2019-01-31", "2019-02-28", MonthEnd::NextDay, Term::new(0, 0, 28)),
            ("2019-01-31", "2019-03-01", MonthEnd::NextDay, Term::new(0, 1, 0)),
            ("2020-02-29", "2021-02-28", MonthEnd::Clamp, Term::new(1, 0, 0)),
            ("2019-06-10", "2019-05-09", MonthEnd::Clamp, Term::new(0, 0, 0)),
        ];
        for (from, to, end, want) in cases {
            assert_eq!(between(d(from), d(to), end), want, "{from} -> {to} {end:?}");
        }
    }

    #[test]
    fn span_fractions_use_thirty_day_remainders_rounded_up() {
        let cases = [
            (Span::new(24, 0), 1, 3, Span::new(8, 0)),
            (Span::new(24, 0), 2, 3, Span::new(16, 0)),
            (Span::new(24, 0), 1, 2, Span::new(12, 0)),
            (Span::new(17, 0), 2, 3, Span::new(11, 10)),
            (Span::new(20, 15), 1, 3, Span::new(6, 25)),
            (Span::new(20, 15), 2, 3, Span::new(13, 20)),
            (Span::new(0, 10), 1, 3, Span::new(0, 4)),
            (Span::new(13, 15), 2, 3, Span::new(9, 0)),
            (Span::new(-1, 0), 2, 3, Span::new(0, 0)),
        ];
        for (span, num, den, want) in cases {
            assert_eq!(span.fraction(num, den), want, "{span:?} * {num}/{den}");
        }
    }

    #[test]
    fn span_subtraction_borrows_thirty_days() {
        assert_eq!(Span::new(24, 0).minus(Span::new(3, 15)), Span::new(20, 15));
        assert_eq!(Span::new(1, 0).minus(Span::new(0, 45)), Span::new(-1, 15));
        assert_eq!(Span::new(2, 20).plus(Span::new(1, 15)), Span::new(4, 5));
    }
}
