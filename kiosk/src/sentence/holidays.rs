//! The religious holidays on which Remisi Khusus takes effect, per year. The built-in table is the
//! data file `holidays.csv` beside this module (sources in its header); the hub may replace rows
//! (a projected year once the decree is out) through [`HolidayTable::upsert`] or a whole CSV.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Religion;

/// The built-in table, compiled in.
pub const BUILTIN_CSV: &str = include_str!("holidays.csv");

/// How sure a year's dates are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayStatus {
    /// From the official joint ministerial decree.
    Official,
    /// From a decree seen only in secondary copies.
    DecreeSecondary,
    /// Computed ahead of any decree.
    Projected,
}

/// One year's holiday dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayYear {
    /// The year.
    pub year: i32,
    /// Idul Fitri (Islam). In a year with two, the first (one RK a year).
    pub idul_fitri: NaiveDate,
    /// Natal (Kristen, Katolik).
    pub natal: NaiveDate,
    /// Nyepi (Hindu).
    pub nyepi: NaiveDate,
    /// Waisak (Buddha).
    pub waisak: NaiveDate,
    /// How sure these dates are.
    pub status: HolidayStatus,
}

/// A malformed holiday table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("holiday table line {line}: {reason}")]
pub struct HolidayTableError {
    /// 1-based line of the CSV text.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Holiday dates by year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolidayTable {
    years: BTreeMap<i32, HolidayYear>,
}

impl HolidayTable {
    /// The compiled-in table (parsed once).
    pub fn builtin() -> Result<&'static HolidayTable, HolidayTableError> {
        static TABLE: OnceLock<Result<HolidayTable, HolidayTableError>> = OnceLock::new();
        TABLE.get_or_init(|| HolidayTable::from_csv(BUILTIN_CSV)).as_ref().map_err(Clone::clone)
    }

    /// Parses the CSV format of `holidays.csv`: `#` comment lines, a header line, then
    /// `year,idul_fitri,natal,nyepi,waisak,status` rows with ISO dates.
    pub fn from_csv(text: &str) -> Result<HolidayTable, HolidayTableError> {
        let mut table = HolidayTable::default();
        let mut header_seen = false;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let row = raw.trim();
            if row.is_empty() || row.starts_with('#') {
                continue;
            }
            let err = |reason: String| HolidayTableError { line, reason };
            let cells: Vec<&str> = row.split(',').map(str::trim).collect();
            if !header_seen {
                if cells != ["year", "idul_fitri", "natal", "nyepi", "waisak", "status"] {
                    return Err(err(format!("expected the header line, found `{row}`")));
                }
                header_seen = true;
                continue;
            }
            if cells.len() != 6 {
                return Err(err(format!("expected 6 cells, found {}", cells.len())));
            }
            let year: i32 = cells[0]
                .parse()
                .map_err(|_| err(format!("year `{}` is not a number", cells[0])))?;
            let date = |cell: &str, name: &str| -> Result<NaiveDate, HolidayTableError> {
                let date: NaiveDate = cell
                    .parse()
                    .map_err(|_| err(format!("{name} `{cell}` is not a valid date")))?;
                if date.year() != year {
                    return Err(err(format!("{name} {date} is not in {year}")));
                }
                Ok(date)
            };
            let status = match cells[5] {
                "official" => HolidayStatus::Official,
                "decree_secondary" => HolidayStatus::DecreeSecondary,
                "projected" => HolidayStatus::Projected,
                other => return Err(err(format!("unknown status `{other}`"))),
            };
            let entry = HolidayYear {
                year,
                idul_fitri: date(cells[1], "idul_fitri")?,
                natal: date(cells[2], "natal")?,
                nyepi: date(cells[3], "nyepi")?,
                waisak: date(cells[4], "waisak")?,
                status,
            };
            if table.years.insert(year, entry).is_some() {
                return Err(err(format!("year {year} appears twice")));
            }
        }
        if !header_seen {
            return Err(HolidayTableError { line: 0, reason: "no header line".into() });
        }
        Ok(table)
    }

    /// Adds or replaces one year (hub data, a newly published decree).
    pub fn upsert(&mut self, year: HolidayYear) {
        self.years.insert(year.year, year);
    }

    /// The row of a year, if known.
    pub fn year(&self, year: i32) -> Option<&HolidayYear> {
        self.years.get(&year)
    }

    /// The years covered, first and last.
    pub fn range(&self) -> Option<(i32, i32)> {
        Some((*self.years.keys().next()?, *self.years.keys().next_back()?))
    }

    /// The day Remisi Khusus takes effect for a religion in a year.
    pub fn remission_day(&self, religion: Religion, year: i32) -> RemissionDay {
        let Some(holiday) = religion.holiday() else {
            return RemissionDay::NoHoliday;
        };
        let Some(row) = self.years.get(&year) else {
            return RemissionDay::YearNotCovered;
        };
        RemissionDay::On(match holiday {
            Holiday::IdulFitri => row.idul_fitri,
            Holiday::Natal => row.natal,
            Holiday::Nyepi => row.nyepi,
            Holiday::Waisak => row.waisak,
        })
    }
}

/// The answer of [`HolidayTable::remission_day`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemissionDay {
    /// Remisi Khusus takes effect on this day.
    On(NaiveDate),
    /// The religion has no holiday in the table.
    NoHoliday,
    /// The table has no row for the year.
    YearNotCovered,
}

/// The religious holidays in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    /// Islam.
    IdulFitri,
    /// Kristen, Katolik.
    Natal,
    /// Hindu.
    Nyepi,
    /// Buddha.
    Waisak,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_covers_2015_to_2035() {
        let table = HolidayTable::builtin().expect("builtin parses");
        assert_eq!(table.range(), Some((2015, 2035)));
        for year in 2015..=2035 {
            let row = table.year(year).expect("row");
            assert_eq!(row.natal, NaiveDate::from_ymd_opt(year, 12, 25).expect("date"));
        }
    }

    #[test]
    fn builtin_dates_match_the_domain_table() {
        let table = HolidayTable::builtin().expect("builtin parses");
        let d = |s: &str| -> NaiveDate { s.parse().expect("date") };
        let cases = [
            (Religion::Islam, 2017, "2017-06-25"),
            (Religion::Islam, 2023, "2023-04-22"),
            (Religion::Islam, 2033, "2033-01-03"),
            (Religion::Islam, 2034, "2034-12-12"),
            (Religion::Kristen, 2018, "2018-12-25"),
            (Religion::Katolik, 2030, "2030-12-25"),
            (Religion::Hindu, 2019, "2019-03-07"),
            (Religion::Hindu, 2035, "2035-03-10"),
            (Religion::Buddha, 2016, "2016-05-22"),
            (Religion::Buddha, 2031, "2031-06-05"),
        ];
        for (religion, year, want) in cases {
            assert_eq!(
                table.remission_day(religion, year),
                RemissionDay::On(d(want)),
                "{religion:?} {year}"
            );
        }
        assert_eq!(table.remission_day(Religion::Konghucu, 2020), RemissionDay::NoHoliday);
        assert_eq!(table.remission_day(Religion::Islam, 2036), RemissionDay::YearNotCovered);
        assert_eq!(table.year(2027).map(|r| r.status), Some(HolidayStatus::DecreeSecondary));
        assert_eq!(table.year(2028).map(|r| r.status), Some(HolidayStatus::Projected));
    }

    #[test]
    fn malformed_tables_name_the_line() {
        let header = "year,idul_fitri,natal,nyepi,waisak,status\n";
        let cases = [
            ("", "no header"),
            ("year,x\n", "header"),
            (
                &format!("{header}2020,2020-05-24,2020-12-25,2020-03-25,2020-05-07\n") as &str,
                "6 cells",
            ),
            (
                &format!("{header}2020,2020-02-30,2020-12-25,2020-03-25,2020-05-07,official\n"),
                "idul_fitri",
            ),
            (
                &format!("{header}2020,2021-05-24,2020-12-25,2020-03-25,2020-05-07,official\n"),
                "not in 2020",
            ),
            (
                &format!("{header}2020,2020-05-24,2020-12-25,2020-03-25,2020-05-07,maybe\n"),
                "status",
            ),
            (
                &format!("{header}20x0,2020-05-24,2020-12-25,2020-03-25,2020-05-07,official\n"),
                "year",
            ),
        ];
        for (text, needle) in cases {
            let err = HolidayTable::from_csv(text).expect_err(needle);
            assert!(err.to_string().contains(needle), "{err} should mention {needle}");
        }
    }

    #[test]
    fn hub_rows_replace_projected_ones() {
        let mut table = HolidayTable::builtin().expect("builtin").clone();
        let d = |s: &str| -> NaiveDate { s.parse().expect("date") };
        table.upsert(HolidayYear {
            year: 2028,
            idul_fitri: d("2028-02-26"),
            natal: d("2028-12-25"),
            nyepi: d("2028-03-26"),
            waisak: d("2028-05-09"),
            status: HolidayStatus::Official,
        });
        assert_eq!(table.remission_day(Religion::Islam, 2028), RemissionDay::On(d("2028-02-26")));
    }
}
