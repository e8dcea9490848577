//! Which tables travel between kiosk and hub, column by column, and how a value is checked and
//! converted on the way: hub JSON (`to_jsonb` of a row) -> SQLite value when pulling, SQLite value ->
//! PostgreSQL parameter when pushing. The names here are the only identifiers the sync puts into
//! SQL text; everything else is bound as a parameter.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::types::Value;
use tokio_postgres::types::ToSql;

/// How a column is typed on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TEXT / text.
    Text,
    /// ISO date `YYYY-MM-DD` / date.
    Date,
    /// RFC 3339 instant in UTC / timestamptz.
    Instant,
    /// INTEGER / integer (32 bits on the hub).
    Int,
    /// INTEGER / bigint.
    BigInt,
    /// INTEGER 0/1 / boolean.
    Bool,
    /// BLOB / bytea (hex in the hub's JSON).
    Bytes,
}

/// One column: name, kind, whether NULL is allowed.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Name on both sides.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// NULL allowed.
    pub nullable: bool,
}

const fn c(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: false }
}

const fn n(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: true }
}

/// A table that travels: its name (same on both sides), key column and columns.
#[derive(Debug)]
pub struct Table {
    /// Local name (hub name for pulled tables).
    pub name: &'static str,
    /// Hub name (differs for enrolments: local `fingerprint`, hub `enrolment`).
    pub hub_name: &'static str,
    /// Primary key column.
    pub key: &'static str,
    /// Columns, the key included.
    pub columns: &'static [Column],
}

use Kind::*;

/// Master tables pulled from the hub, in dependency order.
pub const PULLED: &[Table] = &[
    Table {
        name: "facility",
        hub_name: "facility",
        key: "id",
        columns: &[c("id", Text), c("name", Text), c("time_zone", Text)],
    },
    Table {
        name: "person",
        hub_name: "person",
        key: "id",
        columns: &[
            c("id", Text),
            c("facility_id", Text),
            c("kind", Text),
            c("full_name", Text),
            n("nik", Text),
            n("birth_date", Date),
            n("sex", Text),
            c("updated_at", Instant),
        ],
    },
    Table {
        name: "inmate",
        hub_name: "inmate",
        key: "person_id",
        columns: &[
            c("person_id", Text),
            c("registration_number", Text),
            n("alias", Text),
            n("photo", Bytes),
            c("religion", Text),
            n("case_summary", Text),
            n("article", Text),
            c("crime_category", Text),
            c("status", Text),
            n("block", Text),
            c("detained_on", Date),
            n("verdict_on", Date),
            c("verdict_final", Bool),
            n("verdict_final_on", Date),
            c("sentence_kind", Text),
            c("sentence_years", Int),
            c("sentence_months", Int),
            c("sentence_days", Int),
            c("fine_rupiah", BigInt),
            c("subsider_months", Int),
            c("subsider_days", Int),
            c("fine_paid", Bool),
            n("discipline_until", Date),
        ],
    },
    Table {
        name: "detention_period",
        hub_name: "detention_period",
        key: "id",
        columns: &[
            c("id", Text),
            c("inmate_id", Text),
            c("kind", Text),
            c("start_on", Date),
            c("end_on", Date),
        ],
    },
    Table {
        name: "remission",
        hub_name: "remission",
        key: "id",
        columns: &[
            c("id", Text),
            c("inmate_id", Text),
            c("kind", Text),
            c("granted_on", Date),
            c("months", Int),
            c("days", Int),
            n("decree_number", Text),
        ],
    },
    Table {
        name: "programme_decision",
        hub_name: "programme_decision",
        key: "id",
        columns: &[
            c("id", Text),
            c("inmate_id", Text),
            c("programme", Text),
            n("proposed_on", Date),
            c("decree_status", Text),
            n("decree_number", Text),
            n("decided_on", Date),
        ],
    },
    Table {
        name: "family_link",
        hub_name: "family_link",
        key: "id",
        columns: &[
            c("id", Text),
            c("visitor_id", Text),
            c("inmate_id", Text),
            c("relation", Text),
            c("verified", Bool),
        ],
    },
    FINGERPRINT,
    Table {
        name: "booking",
        hub_name: "booking",
        key: "id",
        columns: &[
            c("id", Text),
            c("facility_id", Text),
            c("code", Text),
            c("visitor_id", Text),
            c("inmate_id", Text),
            c("visit_date", Date),
            c("session", Text),
            c("group_size", Int),
            n("permit_reference", Text),
            c("source", Text),
            c("status", Text),
        ],
    },
];

/// Queue tickets travel both ways: pushed like other events, and pulled from the change log so
/// every lobby terminal of the facility learns the others' numbers and calls. Pulled tickets are
/// merged (`Store::apply_pull_batch`), never upserted: a local ticket keeps its number.
pub const QUEUE_TICKET: Table = Table {
    name: "queue_ticket",
    hub_name: "queue_ticket",
    key: "id",
    columns: &[
        c("id", Text),
        c("facility_id", Text),
        c("service_day", Date),
        c("service", Text),
        c("number", Int),
        c("terminal_id", Text),
        n("ticket_code", Text),
        n("visitor_id", Text),
        n("inmate_id", Text),
        n("session", Text),
        n("group_size", Int),
        c("issued_at", Instant),
        n("called_at", Instant),
    ],
};

const FINGERPRINT: Table = Table {
    name: "fingerprint",
    hub_name: "fingerprint",
    key: "id",
    columns: &[
        c("id", Text),
        c("person_id", Text),
        c("finger", Text),
        c("template", Bytes),
        c("quality", Int),
        c("enrolled_at", Instant),
    ],
};

/// Event tables pushed to the hub. Queue tickets go before visits (visits name their ticket).
pub const PUSHED: &[Table] = &[
    QUEUE_TICKET,
    Table {
        name: "visit",
        hub_name: "visit",
        key: "id",
        columns: &[
            c("id", Text),
            n("booking_id", Text),
            c("visitor_id", Text),
            c("inmate_id", Text),
            c("visit_date", Date),
            c("session", Text),
            c("group_size", Int),
            c("checked_in_at", Instant),
            n("ticket_id", Text),
            c("terminal_id", Text),
        ],
    },
    Table {
        name: "complaint",
        hub_name: "complaint",
        key: "id",
        columns: &[
            c("id", Text),
            c("facility_id", Text),
            c("receipt_number", Text),
            c("category", Text),
            c("body", Text),
            c("anonymous", Bool),
            n("person_id", Text),
            n("terminal_id", Text),
            c("created_at", Instant),
        ],
    },
    Table {
        name: "audit_log",
        hub_name: "audit_log",
        key: "id",
        columns: &[
            c("id", Text),
            c("at", Instant),
            c("terminal_id", Text),
            c("event", Text),
            n("person_id", Text),
            c("outcome", Text),
            n("detail", Text),
        ],
    },
    Table { hub_name: "enrolment", ..FINGERPRINT },
];

/// The pulled table of that hub name.
pub fn pulled(hub_name: &str) -> Option<&'static Table> {
    PULLED.iter().find(|t| t.hub_name == hub_name)
}

/// Hub JSON row -> SQLite values in column order, or why the row is malformed.
pub fn decode_row(
    table: &Table,
    row: &serde_json::Value,
) -> Result<Vec<(&'static str, Value)>, String> {
    let object = row.as_object().ok_or_else(|| "row is not a JSON object".to_string())?;
    table
        .columns
        .iter()
        .map(|col| {
            let json = object.get(col.name).unwrap_or(&serde_json::Value::Null);
            decode_value(col, json).map(|v| (col.name, v)).map_err(|e| format!("{}: {e}", col.name))
        })
        .collect()
}

fn decode_value(col: &Column, json: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    if json.is_null() {
        return if col.nullable { Ok(Value::Null) } else { Err("missing value".into()) };
    }
    match (col.kind, json) {
        (Text, J::String(s)) => Ok(Value::Text(s.clone())),
        (Date, J::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Value::Text(d.format("%Y-%m-%d").to_string()))
            .map_err(|e| format!("not a date ({s:?}): {e}")),
        (Instant, J::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Value::Text(t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Secs, true)))
            .map_err(|e| format!("not an instant ({s:?}): {e}")),
        (Int | BigInt, J::Number(number)) => {
            number.as_i64().map(Value::Integer).ok_or_else(|| format!("not an integer: {number}"))
        }
        (Bool, J::Bool(b)) => Ok(Value::Integer(i64::from(*b))),
        (Bytes, J::String(s)) => decode_hex(s).map(Value::Blob),
        (_, other) => Err(format!("unexpected JSON {other} for a {:?} column", col.kind)),
    }
}

/// PostgreSQL's hex bytea output: `\x` then two hex digits per byte.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let hex = text.strip_prefix("\\x").ok_or_else(|| "bytea is not in hex format".to_string())?;
    if hex.len() % 2 != 0 {
        return Err("bytea hex has an odd length".into());
    }
    let digit = |b: u8| -> Result<u8, String> {
        match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            b'A'..=b'F' => Ok(b - b'A' + 10),
            _ => Err(format!("bad hex digit {:?}", b as char)),
        }
    };
    hex.as_bytes().chunks(2).map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// A value ready to bind as a PostgreSQL parameter of the column's hub type.
pub type HubParam = Box<dyn ToSql + Sync + Send>;

/// SQLite value -> hub parameter, or why the local row cannot go to the hub as it is.
pub fn encode_value(col: &Column, value: &Value) -> Result<HubParam, String> {
    let wrong = || format!("{}: unexpected local value {value:?}", col.name);
    if matches!(value, Value::Null) {
        if !col.nullable {
            return Err(format!("{}: missing value", col.name));
        }
        return Ok(match col.kind {
            Text => Box::new(None::<String>),
            Date => Box::new(None::<NaiveDate>),
            Instant => Box::new(None::<DateTime<Utc>>),
            Int => Box::new(None::<i32>),
            BigInt => Box::new(None::<i64>),
            Bool => Box::new(None::<bool>),
            Bytes => Box::new(None::<Vec<u8>>),
        });
    }
    Ok(match (col.kind, value) {
        (Text, Value::Text(s)) => Box::new(s.clone()),
        (Date, Value::Text(s)) => Box::new(
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| format!("{}: not a date ({s:?}): {e}", col.name))?,
        ),
        (Instant, Value::Text(s)) => Box::new(
            DateTime::parse_from_rfc3339(s)
                .map_err(|e| format!("{}: not an instant ({s:?}): {e}", col.name))?
                .with_timezone(&Utc),
        ),
        (Int, Value::Integer(i)) => {
            Box::new(i32::try_from(*i).map_err(|_| format!("{}: {i} out of range", col.name))?)
        }
        (BigInt, Value::Integer(i)) => Box::new(*i),
        (Bool, Value::Integer(i)) => Box::new(*i != 0),
        (Bytes, Value::Blob(b)) => Box::new(b.clone()),
        _ => return Err(wrong()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_hub_row() {
        let table = pulled("fingerprint").expect("table");
        let row = serde_json::json!({
            "id": "F1", "facility_id": "A", "person_id": "P1", "finger": "right-thumb",
            "template": "\\x00ff10", "quality": 77, "enrolled_at": "2026-01-02T10:00:00+08:00"
        });
        let values = decode_row(table, &row).expect("decode");
        assert_eq!(values[3], ("template", Value::Blob(vec![0, 0xff, 0x10])));
        assert_eq!(values[5], ("enrolled_at", Value::Text("2026-01-02T02:00:00Z".into())));
    }

    #[test]
    fn refuses_malformed_values() {
        let table = pulled("remission").expect("table");
        let mut row = serde_json::json!({
            "id": "R1", "inmate_id": "P1", "kind": "RU", "granted_on": "2023-02-30",
            "months": 1, "days": 0, "decree_number": null
        });
        let err = decode_row(table, &row).expect_err("impossible date");
        assert!(err.starts_with("granted_on"), "{err}");
        row["granted_on"] = "2023-02-28".into();
        row["months"] = "one".into();
        assert!(decode_row(table, &row).expect_err("text month").starts_with("months"));
        row["months"] = serde_json::Value::Null;
        assert!(decode_row(table, &row).is_err());
        assert!(decode_hex("\\x0").is_err());
        assert!(decode_hex("\\xzz").is_err());
        assert!(decode_hex("00").is_err());
    }

    #[test]
    fn encodes_local_values() {
        let col = c("visit_date", Date);
        assert!(encode_value(&col, &Value::Text("2026-13-01".into())).is_err());
        assert!(encode_value(&col, &Value::Null).is_err());
        assert!(encode_value(&n("x", Int), &Value::Integer(1 << 40)).is_err());
        assert!(encode_value(&n("x", Int), &Value::Null).is_ok());
    }
}
