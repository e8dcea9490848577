//! The kiosk's configuration: one TOML file (`kiosk run --config FILE`), or the built-in demo
//! configuration for `kiosk demo`.
//!
//! Every table is parsed strictly: an unknown key, a value of the wrong type or out of range is an
//! error that names the key and the line of the file, never a silently applied default. Keys that
//! are absent take the documented default.
//!
//! ```toml
//! role = "lobby"                   # inmate | lobby | display
//! terminal_id = "LOBBY-1"
//! language = "id"                  # id | en
//! privacy_timeout_secs = 30        # personal data leaves the screen after this many idle seconds
//! technician_pin_hash = "$argon2id$v=19$m=19456,t=2,p=1$...$..."   # from `kiosk config hash-pin`
//!
//! [facility]
//! name = "Rutan Kelas I Makassar"
//! code = "RUTAN-MKS"
//! time_zone = "Asia/Makassar"      # Asia/Jakarta | Asia/Pontianak | Asia/Makassar | Asia/Jayapura
//!
//! [reader]
//! driver = "auto"                  # auto | uru4000 | nb1010 | simulated
//! # images = "/path/to/pngs"       # simulated only: folder of images it serves
//!
//! [printer]
//! kind = "serial"                  # serial | simulated
//! port = "/dev/ttyUSB0"
//! baud = 19200
//! flow_control = "none"            # none | hardware | software
//! # out_dir = "/tmp/tickets"       # simulated only: where rendered tickets go
//!
//! [store]
//! path = "/var/lib/kiosk/store.sqlite"   # relative paths are relative to the config file
//!
//! [hub]                            # optional: without it the kiosk runs offline
//! url = "postgresql://kiosk@hub.example/kiosk"
//! tls = true
//! # ca_file = "hub-ca.pem"         # CAs to trust for the hub (default: the system's)
//! ```
//!
//! # Adding a section
//! Another area adds its settings as one field of [`Config`]:
//! `#[serde(default)] pub visits: crate::visits::VisitRules,` where the type derives
//! `Deserialize` with `#[serde(deny_unknown_fields, default)]` and implements `Default` (the
//! documented defaults). Values that need checking use a `#[serde(try_from = "...")]` newtype, so
//! the error carries the line (see [`PrivacyTimeout`]).
//!
//! # Technician PIN hash
//! An Argon2id hash in the PHC string format (`$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>`,
//! base64 without padding), as produced by [`hash_pin`] and `kiosk config hash-pin`. Only the hash
//! is stored; [`Config::verify_technician_pin`] checks a PIN typed on the screen.

use std::fmt;
use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Deserialize;

/// What can go wrong reading a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file does not exist or cannot be read.
    #[error("cannot read configuration file {path}: {reason}")]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// The reason (in the message, so not also a `source`).
        reason: std::io::Error,
    },
    /// The file is not valid TOML, or a key is unknown, of the wrong type or out of range.
    #[error("{origin}:{}: {}{message}", line.map_or_else(|| "?".to_string(), |l| l.to_string()), key.as_ref().map_or_else(String::new, |k| format!("key `{k}`: ")))]
    Invalid {
        /// File path, or `<demo>` for the built-in configuration.
        origin: String,
        /// 1-based line of the offending key or value, when TOML knows it.
        line: Option<usize>,
        /// Dotted key (`printer.baud`) when it can be told from the line.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
}

/// Where the kiosk stands and so which screens it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The block kiosk for inmates (warga binaan): own sentence and remission information.
    Inmate,
    /// The lobby terminal for families: release information, visit check-in, queue tickets.
    Lobby,
    /// A wall display: the queue numbers being called, no identification.
    Display,
}

/// The screen language (UI text is Bahasa Indonesia by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Bahasa Indonesia.
    #[default]
    Id,
    /// English.
    En,
}

impl Language {
    /// The language code (`id`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Language::Id => "id",
            Language::En => "en",
        }
    }
}

const fn hours_east(hours: i32) -> FixedOffset {
    match FixedOffset::east_opt(hours * 3600) {
        Some(offset) => offset,
        None => panic!("offset out of range"),
    }
}
// Evaluated at compile time: a bad constant fails the build, never the kiosk.
const WIB: FixedOffset = hours_east(7);
const WITA: FixedOffset = hours_east(8);
const WIT: FixedOffset = hours_east(9);

/// Indonesia's time zones. None of them has daylight saving time, so each is a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum TimeZone {
    /// WIB, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    #[serde(rename = "Asia/Jakarta")]
    Jakarta,
    /// WIB, UTC+7 (West Kalimantan).
    #[serde(rename = "Asia/Pontianak")]
    Pontianak,
    /// WITA, UTC+8 (Sulawesi, Bali, Nusa Tenggara, East and South Kalimantan).
    #[default]
    #[serde(rename = "Asia/Makassar")]
    Makassar,
    /// WIT, UTC+9 (Maluku, Papua).
    #[serde(rename = "Asia/Jayapura")]
    Jayapura,
}

impl TimeZone {
    /// The IANA name.
    pub fn name(self) -> &'static str {
        match self {
            TimeZone::Jakarta => "Asia/Jakarta",
            TimeZone::Pontianak => "Asia/Pontianak",
            TimeZone::Makassar => "Asia/Makassar",
            TimeZone::Jayapura => "Asia/Jayapura",
        }
    }

    /// The offset from UTC.
    pub fn offset(self) -> FixedOffset {
        match self {
            TimeZone::Jakarta | TimeZone::Pontianak => WIB,
            TimeZone::Makassar => WITA,
            TimeZone::Jayapura => WIT,
        }
    }

    /// Local date at the facility for an instant (the kiosk's "today").
    pub fn local_date(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset()).date_naive()
    }
}

/// The facility this kiosk belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityConfig {
    /// Display name, e.g. "Rutan Kelas I Makassar".
    pub name: NonEmpty,
    /// Facility code, the key of the facility in the store and the hub, e.g. "RUTAN-MKS".
    pub code: Identifier,
    /// Local time zone (dates on screen and tickets, "today" for visits).
    #[serde(default)]
    pub time_zone: TimeZone,
}

/// Which fingerprint reader to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReaderDriver {
    /// The first supported reader found on USB.
    #[default]
    Auto,
    /// Digital Persona U.are.U 4000/4000B/4500, Microsoft Fingerprint Reader.
    Uru4000,
    /// Next Biometrics NB-1010.
    Nb1010,
    /// No hardware: serves image files.
    Simulated,
}

impl ReaderDriver {
    /// The name used in the configuration file.
    pub fn name(self) -> &'static str {
        match self {
            ReaderDriver::Auto => "auto",
            ReaderDriver::Uru4000 => "uru4000",
            ReaderDriver::Nb1010 => "nb1010",
            ReaderDriver::Simulated => "simulated",
        }
    }
}

/// The `[reader]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawReader")]
pub struct ReaderConfig {
    /// The driver.
    pub driver: ReaderDriver,
    /// Simulated reader only: folder of images it serves (`None`: the built-in demo prints).
    pub images: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReader {
    #[serde(default)]
    driver: ReaderDriver,
    images: Option<PathBuf>,
}

impl TryFrom<RawReader> for ReaderConfig {
    type Error = String;
    fn try_from(raw: RawReader) -> Result<Self, String> {
        if raw.images.is_some() && raw.driver != ReaderDriver::Simulated {
            return Err(format!(
                "`images` is only for driver = \"simulated\" (driver is \"{}\")",
                raw.driver.name()
            ));
        }
        Ok(ReaderConfig { driver: raw.driver, images: raw.images })
    }
}

/// Serial flow control between the kiosk and the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    /// No flow control.
    #[default]
    None,
    /// RTS/CTS.
    Hardware,
    /// XON/XOFF.
    Software,
}

/// Baud rates the serial printers we know accept.
pub const SUPPORTED_BAUDS: &[u32] = &[9600, 19200, 38400, 57600, 115200];

/// A serial speed, one of [`SUPPORTED_BAUDS`]; default 19200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct Baud(u32);

impl Default for Baud {
    fn default() -> Self {
        Baud(19200)
    }
}

impl TryFrom<i64> for Baud {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match u32::try_from(value) {
            Ok(baud) if SUPPORTED_BAUDS.contains(&baud) => Ok(Baud(baud)),
            _ => Err(format!("{value} is not one of {SUPPORTED_BAUDS:?}")),
        }
    }
}

impl Baud {
    /// Bits per second.
    pub fn bits_per_sec(self) -> u32 {
        self.0
    }
}

/// The `[printer]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawPrinter")]
pub enum PrinterConfig {
    /// A serial ESC/POS thermal printer.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB0` or `/dev/serial/by-id/...`.
        port: PathBuf,
        /// One of [`SUPPORTED_BAUDS`].
        baud: Baud,
        /// Flow control.
        flow_control: FlowControl,
    },
    /// No hardware: tickets are rendered to PNG files.
    Simulated {
        /// Where rendered tickets go (`None`: a temporary folder).
        out_dir: Option<PathBuf>,
    },
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig::Simulated { out_dir: None }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum PrinterKind {
    Serial,
    Simulated,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    kind: PrinterKind,
    port: Option<PathBuf>,
    baud: Option<Baud>,
    flow_control: Option<FlowControl>,
    out_dir: Option<PathBuf>,
}

impl TryFrom<RawPrinter> for PrinterConfig {
    type Error = String;
    fn try_from(raw: RawPrinter) -> Result<Self, String> {
        match raw.kind {
            PrinterKind::Serial => {
                if raw.out_dir.is_some() {
                    return Err("`out_dir` is only for kind = \"simulated\"".into());
                }
                let port = raw.port.ok_or("`port` is required when kind = \"serial\"")?;
                let baud = raw.baud.unwrap_or_default();
                Ok(PrinterConfig::Serial {
                    port,
                    baud,
                    flow_control: raw.flow_control.unwrap_or_default(),
                })
            }
            PrinterKind::Simulated => {
                if raw.port.is_some() || raw.baud.is_some() || raw.flow_control.is_some() {
                    return Err(
                        "`port`, `baud` and `flow_control` are only for kind = \"serial\"".into()
                    );
                }
                Ok(PrinterConfig::Simulated { out_dir: raw.out_dir })
            }
        }
    }
}

/// The `[store]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite file (relative paths are resolved against the config file's folder).
    pub path: PathBuf,
}

/// The `[hub]` table: the facility's PostgreSQL hub.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// Connection URL, `postgresql://user@host[:port]/database`.
    pub url: HubUrl,
    /// Require TLS (default on; off only on a closed network).
    #[serde(default = "default_true")]
    pub tls: bool,
    /// PEM file of the certificate authorities to trust for the hub (default: the system's);
    /// relative paths are resolved against the config file's folder.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_true() -> bool {
    true
}

/// The whole configuration. See the module documentation for the file format.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What this terminal is for.
    pub role: Role,
    /// Unique name of this terminal in the facility (audit log, queue tickets, sync).
    pub terminal_id: Identifier,
    /// Screen language.
    #[serde(default)]
    pub language: Language,
    /// Idle seconds after which personal data leaves the screen.
    #[serde(default)]
    pub privacy_timeout_secs: PrivacyTimeout,
    /// Argon2id PHC hash of the technician PIN; without it the diagnostics screen stays locked.
    #[serde(default)]
    pub technician_pin_hash: Option<PinHash>,
    /// The facility.
    pub facility: FacilityConfig,
    /// The fingerprint reader.
    #[serde(default)]
    pub reader: ReaderConfig,
    /// The ticket printer.
    #[serde(default)]
    pub printer: PrinterConfig,
    /// The local store.
    pub store: StoreConfig,
    /// The hub; `None` runs offline.
    #[serde(default)]
    pub hub: Option<HubConfig>,
}

/// The built-in configuration of `kiosk demo` (store path filled in by [`Config::demo`]).
/// The demo technician PIN is `123456`.
pub const DEMO_CONFIG: &str = r#"
role = "lobby"
terminal_id = "DEMO-1"
language = "id"
privacy_timeout_secs = 30
technician_pin_hash = "$argon2id$v=19$m=19456,t=2,p=1$a2lvc2stZGVtby1zYWx0$EBujOlpobCV6Qe4uLArM79aLMYuZ+nEji8iiJX1CuZ4"

[facility]
name = "Rutan Kelas I Makassar"
code = "RUTAN-MKS"
time_zone = "Asia/Makassar"

[reader]
driver = "simulated"

[printer]
kind = "simulated"

[store]
path = "demo.sqlite"
"#;

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|reason| ConfigError::Read { path: path.to_path_buf(), reason })?;
        let mut config = Config::parse(&text, &path.display().to_string())?;
        if config.store.path.is_relative() {
            let base = path.parent().unwrap_or(Path::new("."));
            config.store.path = base.join(&config.store.path);
        }
        if let Some(ca) = config.hub.as_mut().and_then(|hub| hub.ca_file.as_mut())
            && ca.is_relative()
        {
            *ca = path.parent().unwrap_or(Path::new(".")).join(&*ca);
        }
        Ok(config)
    }

    /// Parses configuration text; `origin` names it in errors (a path, or `<demo>`).
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|err| invalid(text, origin, &err))
    }

    /// The built-in demo configuration with its store at `store_path`.
    pub fn demo(store_path: PathBuf) -> Result<Config, ConfigError> {
        let mut config = Config::parse(DEMO_CONFIG, "<demo>")?;
        config.store.path = store_path;
        Ok(config)
    }

    /// Whether `pin` matches the technician PIN hash (false when none is configured).
    pub fn verify_technician_pin(&self, pin: &str) -> bool {
        self.technician_pin_hash.as_ref().is_some_and(|hash| hash.verify(pin))
    }
}

fn invalid(text: &str, origin: &str, err: &toml::de::Error) -> ConfigError {
    let start = err.span().map(|span| span.start);
    let line = start.map(|offset| text[..offset.min(text.len())].matches('\n').count() + 1);
    let key = start.and_then(|offset| key_at(text, offset));
    ConfigError::Invalid {
        origin: origin.to_string(),
        line,
        key,
        message: err.message().trim().to_string(),
    }
}

/// The dotted key on the line holding `offset`: the nearest `[table]` header above plus the
/// `key` before `=` on that line (or the table alone when the line is its header).
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim();
    let table = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        (l.starts_with('[') && !l.starts_with("[[")).then(|| l.trim_matches(['[', ']']).trim())
    });
    if line.starts_with('[') {
        return Some(line.trim_matches(['[', ']']).trim().to_string());
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() {
        return None;
    }
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key.to_string(),
    })
}

/// A non-empty, trimmed text value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct NonEmpty(String);

impl TryFrom<String> for NonEmpty {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        Ok(NonEmpty(trimmed.to_string()))
    }
}

impl NonEmpty {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NonEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code such as a facility code or terminal id: 1-32 of `A-Z a-z 0-9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Identifier(String);

impl TryFrom<String> for Identifier {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let ok = !value.is_empty()
            && value.len() <= 32
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ok {
            return Err(format!(
                "\"{value}\" is not an identifier (1-32 characters of A-Z a-z 0-9 - _ .)"
            ));
        }
        Ok(Identifier(value))
    }
}

impl Identifier {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Seconds of inactivity before personal data is cleared from the screen: 5 to 600, default 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct PrivacyTimeout(u32);

impl Default for PrivacyTimeout {
    fn default() -> Self {
        PrivacyTimeout(30)
    }
}

impl TryFrom<i64> for PrivacyTimeout {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match u32::try_from(value) {
            Ok(secs @ 5..=600) => Ok(PrivacyTimeout(secs)),
            _ => Err(format!("{value} seconds is out of range (5 to 600)")),
        }
    }
}

impl PrivacyTimeout {
    /// The timeout.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.0))
    }

    /// The timeout in seconds.
    pub fn secs(self) -> u32 {
        self.0
    }
}

/// A hub URL: `postgres://` or `postgresql://`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HubUrl(String);

impl TryFrom<String> for HubUrl {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let rest = value
            .strip_prefix("postgresql://")
            .or_else(|| value.strip_prefix("postgres://"))
            .ok_or_else(|| format!("\"{value}\" is not a postgresql:// URL"))?;
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(format!("\"{value}\" has no host or contains spaces"));
        }
        Ok(HubUrl(value))
    }
}

impl HubUrl {
    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A technician PIN hash in Argon2 PHC string format, checked when read.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PinHash(String);

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the hash into logs.
        f.write_str("PinHash(..)")
    }
}

impl TryFrom<String> for PinHash {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let parsed = PasswordHash::new(&value).map_err(|err| {
            format!("not an Argon2 PHC string ({err}); make one with `kiosk config hash-pin`")
        })?;
        if !parsed.algorithm.as_str().starts_with("argon2") || parsed.hash.is_none() {
            return Err("not an Argon2 hash; make one with `kiosk config hash-pin`".into());
        }
        Ok(PinHash(value))
    }
}

impl PinHash {
    /// Whether `pin` matches.
    pub fn verify(&self, pin: &str) -> bool {
        match PasswordHash::new(&self.0) {
            Ok(hash) => Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok(),
            Err(_) => false,
        }
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a PIN cannot become a technician PIN.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// Not 6 to 12 digits.
    #[error("a technician PIN is 6 to 12 digits")]
    Format,
    /// The hasher failed.
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
}

/// Hashes a technician PIN (6-12 digits) with Argon2id, default parameters, random salt.
pub fn hash_pin(pin: &str) -> Result<PinHash, PinError> {
    if !(6..=12).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(PinError::Format);
    }
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|err| PinError::Hash(err.to_string()))?;
    Ok(PinHash(hash.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
role = "inmate"
terminal_id = "BLOK-A-1"
language = "en"
privacy_timeout_secs = 45

[facility]
name = "Lapas Kelas IIA Jayapura"
code = "LAPAS-JYP"
time_zone = "Asia/Jayapura"

[reader]
driver = "uru4000"

[printer]
kind = "serial"
port = "/dev/ttyUSB0"
baud = 9600
flow_control = "hardware"

[store]
path = "store.sqlite"

[hub]
url = "postgresql://kiosk@hub.local/kiosk"
tls = false
"#;

    fn error_of(text: &str) -> (Option<usize>, Option<String>, String) {
        match Config::parse(text, "test.toml") {
            Err(ConfigError::Invalid { line, key, message, .. }) => (line, key, message),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn full_file_parses() {
        let config = Config::parse(FULL, "test.toml").expect("parse");
        assert_eq!(config.role, Role::Inmate);
        assert_eq!(config.language, Language::En);
        assert_eq!(config.privacy_timeout_secs.secs(), 45);
        assert_eq!(config.facility.time_zone, TimeZone::Jayapura);
        assert_eq!(config.reader.driver, ReaderDriver::Uru4000);
        assert_eq!(
            config.printer,
            PrinterConfig::Serial {
                port: "/dev/ttyUSB0".into(),
                baud: Baud(9600),
                flow_control: FlowControl::Hardware
            }
        );
        let hub = config.hub.expect("hub");
        assert!(!hub.tls);
        assert_eq!(hub.url.as_str(), "postgresql://kiosk@hub.local/kiosk");
        assert!(config.technician_pin_hash.is_none());
    }

    #[test]
    fn defaults_for_absent_keys() {
        let text = "role = \"display\"\nterminal_id = \"D1\"\n[facility]\nname = \"Rutan X\"\ncode = \"X\"\n[store]\npath = \"/tmp/x.sqlite\"\n";
        let config = Config::parse(text, "t").expect("parse");
        assert_eq!(config.language, Language::Id);
        assert_eq!(config.privacy_timeout_secs.secs(), 30);
        assert_eq!(config.facility.time_zone, TimeZone::Makassar);
        assert_eq!(config.reader.driver, ReaderDriver::Auto);
        assert_eq!(config.printer, PrinterConfig::Simulated { out_dir: None });
        assert!(config.hub.is_none());
    }

    #[test]
    fn unknown_top_level_key_names_key_and_line() {
        let text = FULL.replace("language = \"en\"", "langauge = \"en\"");
        let (line, key, message) = error_of(&text);
        assert_eq!(line, Some(4));
        assert_eq!(key.as_deref(), Some("langauge"));
        assert!(message.contains("unknown field `langauge`"), "{message}");
    }

    #[test]
    fn unknown_key_in_table_names_table_key_and_line() {
        let text = FULL.replace(
            "flow_control = \"hardware\"",
            "flow_control = \"hardware\"\nparity = \"even\"",
        );
        let (line, key, message) = error_of(&text);
        assert_eq!(line, Some(20));
        assert_eq!(key.as_deref(), Some("printer.parity"));
        assert!(message.contains("parity"), "{message}");
    }

    #[test]
    fn bad_type_names_key_and_line() {
        let text = FULL.replace("privacy_timeout_secs = 45", "privacy_timeout_secs = \"45\"");
        let (line, key, message) = error_of(&text);
        assert_eq!(line, Some(5));
        assert_eq!(key.as_deref(), Some("privacy_timeout_secs"));
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn out_of_range_values_are_errors_not_defaults() {
        let (line, key, message) = error_of(&FULL.replace("= 45", "= 2"));
        assert_eq!((line, key.as_deref()), (Some(5), Some("privacy_timeout_secs")));
        assert!(message.contains("out of range"), "{message}");

        let (line, key, _) = error_of(&FULL.replace("Asia/Jayapura", "Europe/Paris"));
        assert_eq!((line, key.as_deref()), (Some(10), Some("facility.time_zone")));

        let (line, key, message) = error_of(&FULL.replace("baud = 9600", "baud = 12345"));
        assert!(message.contains("12345"), "{message}");
        assert_eq!((line, key.as_deref()), (Some(18), Some("printer.baud")));

        let (line, key, _) = error_of(&FULL.replace("\"inmate\"", "\"warden\""));
        assert_eq!((line, key.as_deref()), (Some(2), Some("role")));

        let (_, key, message) = error_of(&FULL.replace("postgresql://kiosk", "http://kiosk"));
        assert_eq!(key.as_deref(), Some("hub.url"));
        assert!(message.contains("postgresql://"), "{message}");
    }

    #[test]
    fn serial_printer_needs_a_port() {
        let text = FULL.replace("port = \"/dev/ttyUSB0\"\n", "");
        let (line, _, message) = error_of(&text);
        assert!(message.contains("`port` is required"), "{message}");
        assert!(line.is_some());
    }

    #[test]
    fn missing_required_key_is_an_error() {
        let text = FULL.replace("terminal_id = \"BLOK-A-1\"\n", "");
        let (_, _, message) = error_of(&text);
        assert!(message.contains("missing field `terminal_id`"), "{message}");
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope.toml");
        let err = Config::load(&path).expect_err("missing file");
        assert!(matches!(err, ConfigError::Read { .. }));
        let text = err.to_string();
        assert!(text.contains("nope.toml") && text.contains("cannot read"), "{text}");
    }

    #[test]
    fn load_resolves_relative_store_path_and_formats_errors_with_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, FULL).expect("write");
        let config = Config::load(&path).expect("load");
        assert_eq!(config.store.path, dir.path().join("store.sqlite"));

        std::fs::write(&path, FULL.replace("baud = 9600", "baud = \"fast\"")).expect("write");
        let text = Config::load(&path).expect_err("bad").to_string();
        assert!(
            text.starts_with(&format!("{}:18: key `printer.baud`: ", path.display())),
            "{text}"
        );
    }

    #[test]
    fn demo_config_parses_and_its_pin_is_123456() {
        let config = Config::demo("/tmp/demo.sqlite".into()).expect("demo");
        assert_eq!(config.store.path, PathBuf::from("/tmp/demo.sqlite"));
        assert_eq!(config.reader.driver, ReaderDriver::Simulated);
        assert!(config.verify_technician_pin("123456"));
        assert!(!config.verify_technician_pin("654321"));
    }

    #[test]
    fn pin_hash_round_trip_and_rejections() {
        let hash = hash_pin("24681357").expect("hash");
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hash.verify("24681357"));
        assert!(!hash.verify("24681358"));
        assert!(matches!(hash_pin("123"), Err(PinError::Format)));
        assert!(matches!(hash_pin("12345a"), Err(PinError::Format)));
        let text = format!("technician_pin_hash = \"sha1:abc\"{FULL}");
        let (line, key, message) = error_of(&text);
        assert_eq!((line, key.as_deref()), (Some(1), Some("technician_pin_hash")));
        assert!(message.contains("hash-pin"), "{message}");
    }

    #[test]
    fn time_zone_offsets() {
        let at = DateTime::parse_from_rfc3339("2026-08-16T16:30:00Z").expect("t").to_utc();
        assert_eq!(
            TimeZone::Makassar.local_date(at),
            NaiveDate::from_ymd_opt(2026, 8, 17).expect("d")
        );
        assert_eq!(
            TimeZone::Jakarta.local_date(at),
            NaiveDate::from_ymd_opt(2026, 8, 16).expect("d")
        );
    }
}
