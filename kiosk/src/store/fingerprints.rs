//! Enrolled fingerprint templates (never images). Template bytes are opaque here: the
//! biometrics module parses them, so a malformed row is reported there, row by row.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::codec::{instant, instant_text};
use super::{Store, StoreError};

/// One enrolled finger as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFingerprint {
    /// Row id.
    pub id: String,
    /// Whose finger.
    pub person_id: String,
    /// Finger name, e.g. `right-thumb`.
    pub finger: String,
    /// Template bytes (the biometrics module's own format).
    pub template: Vec<u8>,
    /// Image quality at enrolment, 0-100.
    pub quality: u8,
    /// When it was enrolled.
    pub enrolled_at: DateTime<Utc>,
}

impl Store {
    /// Every enrolled finger, grouped by person (ordered by person, then finger).
    pub fn fingerprints(&self) -> Result<Vec<StoredFingerprint>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, person_id, finger, template, quality, enrolled_at
             FROM fingerprint ORDER BY person_id, finger",
        )?;
        let rows = stmt.query_map([], |row| {
            let quality: i64 = row.get("quality")?;
            Ok(StoredFingerprint {
                id: row.get("id")?,
                person_id: row.get("person_id")?,
                finger: row.get("finger")?,
                template: row.get("template")?,
                quality: quality.clamp(0, 100) as u8,
                enrolled_at: instant(row, "enrolled_at")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores (or replaces) the template of one finger of a person; returns the row id.
    pub fn save_fingerprint(
        &self,
        person_id: &str,
        finger: &str,
        template: &[u8],
        quality: u8,
        enrolled_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.conn().execute(
            "INSERT INTO fingerprint (id, person_id, finger, template, quality, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (person_id, finger) DO UPDATE SET
                 id = excluded.id, template = excluded.template, quality = excluded.quality,
                 enrolled_at = excluded.enrolled_at",
            params![
                id,
                person_id,
                finger,
                template,
                i64::from(quality.min(100)),
                instant_text(enrolled_at)
            ],
        )?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_person() -> Store {
        let store = Store::open_in_memory().expect("store");
        store
            .conn()
            .execute_batch(
                "INSERT INTO facility (id, name) VALUES ('F', 'Rutan Test');
                 INSERT INTO person (id, facility_id, kind, full_name) VALUES ('P1', 'F', 'inmate', 'A');",
            )
            .expect("seed");
        store
    }

    #[test]
    fn saves_loads_and_replaces() {
        let store = store_with_person();
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("instant");
        store.save_fingerprint("P1", "right-thumb", &[1, 2, 3], 77, at).expect("save");
        store.save_fingerprint("P1", "right-index", &[4], 50, at).expect("save");
        store.save_fingerprint("P1", "right-thumb", &[9], 80, at).expect("replace");
        let rows = store.fingerprints().expect("load");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[1].finger.as_str(), rows[1].template.as_slice(), rows[1].quality),
            ("right-thumb", &[9u8][..], 80)
        );
        assert_eq!(rows[0].enrolled_at, at);
    }

    #[test]
    fn unknown_person_is_an_error_not_a_panic() {
        let store = store_with_person();
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("instant");
        assert!(store.save_fingerprint("nobody", "right-thumb", &[1], 50, at).is_err());
    }
}
