//! Column codecs shared by the query modules: ISO dates in TEXT columns and enums stored as their
//! code. A value the kiosk does not understand is a conversion error naming the column, never a
//! panic and never a guessed default.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;
use rusqlite::types::Type;

/// An error for a TEXT column holding something the kiosk cannot read.
pub(crate) fn bad_text(column: &str, value: &str, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        Type::Text,
        format!("column {column}: {value:?} is not {what}").into(),
    )
}

/// A required `YYYY-MM-DD` column.
pub(crate) fn date(row: &Row<'_>, column: &str) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(column)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| bad_text(column, &text, "a date"))
}

/// An optional `YYYY-MM-DD` column.
pub(crate) fn opt_date(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|text| {
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| bad_text(column, &text, "a date"))
    })
    .transpose()
}

/// A required RFC 3339 instant column.
pub(crate) fn instant(row: &Row<'_>, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.to_utc())
        .map_err(|_| bad_text(column, &text, "an RFC 3339 instant"))
}

/// The storage form of a date.
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The storage form of an instant (UTC, seconds).
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A required enum column read through its `from_code`.
pub(crate) fn code<T>(
    row: &Row<'_>,
    column: &str,
    from_code: fn(&str) -> Option<T>,
    what: &str,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    from_code(&text).ok_or_else(|| bad_text(column, &text, what))
}

/// Declares a domain enum stored as a TEXT code, with `code()` and `from_code()`.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code stored in the database (and used in JSON).
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value for a stored code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use text_enum;
