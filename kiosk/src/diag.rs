//! Self-tests of the kiosk's parts: reader, printer, store, hub. `kiosk diag` prints them one per
//! line; the technician screen shows the same checks.
//!
//! A check says `ok` only for what it really exercised; a simulated device is reported as
//! `not configured`, never as `ok`.

use std::fmt;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use crate::config::{Config, HubConfig, PrinterConfig, ReaderConfig, ReaderDriver};
use crate::store::Store;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    /// The part works as far as the check could tell.
    Ok,
    /// The part is simulated or absent from the configuration: nothing to check.
    NotConfigured,
    /// The part is configured and does not work.
    Fail,
}

impl CheckStatus {
    /// The word printed for it.
    pub fn word(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::NotConfigured => "not configured",
            CheckStatus::Fail => "FAIL",
        }
    }
}

/// One line of the self-test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `reader`, `printer`, `store` or `hub`.
    pub name: &'static str,
    /// Outcome.
    pub status: CheckStatus,
    /// What was checked or what went wrong (technical, for the technician).
    pub detail: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.name, self.status.word(), self.detail)
    }
}

fn check(name: &'static str, status: CheckStatus, detail: impl Into<String>) -> Check {
    Check { name, status, detail: detail.into() }
}

/// Every check for a configuration, in the order reader, printer, store, hub.
pub fn run_all(config: &Config) -> Vec<Check> {
    vec![
        reader(&config.reader),
        printer(&config.printer),
        store(&config.store.path),
        hub(config.hub.as_ref(), Duration::from_secs(3)),
    ]
}

/// The fingerprint reader: a configured USB reader must be present on the bus.
pub fn reader(config: &ReaderConfig) -> Check {
    let wanted = match config.driver {
        ReaderDriver::Simulated => {
            return check("reader", CheckStatus::NotConfigured, "simulated reader");
        }
        ReaderDriver::Auto => None,
        driver => Some(driver.name()),
    };
    match drivers::fingerprint::list() {
        Err(err) => check("reader", CheckStatus::Fail, format!("cannot list USB devices: {err}")),
        Ok(found) => match found.iter().find(|r| wanted.is_none_or(|w| w == r.driver)) {
            Some(reader) => check(
                "reader",
                CheckStatus::Ok,
                format!("{} {} at {}", reader.model, reader.usb_id(), reader.location),
            ),
            None => check(
                "reader",
                CheckStatus::Fail,
                format!("no {} reader found on USB", wanted.unwrap_or("supported")),
            ),
        },
    }
}

/// The printer: a serial port must exist and open for reading and writing. (Paper and cover
/// status come from `kiosk printer status`.)
pub fn printer(config: &PrinterConfig) -> Check {
    match config {
        PrinterConfig::Simulated { .. } => {
            check("printer", CheckStatus::NotConfigured, "simulated printer")
        }
        PrinterConfig::Serial { port, baud, .. } => {
            match std::fs::OpenOptions::new().read(true).write(true).open(port) {
                Ok(_) => check(
                    "printer",
                    CheckStatus::Ok,
                    format!("{} opens ({} baud)", port.display(), baud.bits_per_sec()),
                ),
                Err(err) => check(
                    "printer",
                    CheckStatus::Fail,
                    format!("cannot open {}: {err}", port.display()),
                ),
            }
        }
    }
}

/// The store: opens, schema version, integrity and foreign keys, counts.
pub fn store(path: &Path) -> Check {
    if !path.exists() {
        return check("store", CheckStatus::Fail, format!("{} does not exist", path.display()));
    }
    let result = Store::open(path).and_then(|store| {
        store.integrity_check()?;
        Ok((store.schema_version()?, store.counts()?))
    });
    match result {
        Ok((version, counts)) => {
            let count = |table| counts.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n);
            check(
                "store",
                CheckStatus::Ok,
                format!(
                    "{}: schema {version}, integrity ok, {} persons, {} inmates, {} fingerprints",
                    path.display(),
                    count("person"),
                    count("inmate"),
                    count("fingerprint")
                ),
            )
        }
        Err(err) => check("store", CheckStatus::Fail, err.to_string()),
    }
}

/// The hub: its host must accept a TCP connection within `timeout`.
pub fn hub(config: Option<&HubConfig>, timeout: Duration) -> Check {
    let Some(config) = config else {
        return check("hub", CheckStatus::NotConfigured, "no [hub] in the configuration: offline");
    };
    let Some((host, port)) = host_port(config.url.as_str()) else {
        return check("hub", CheckStatus::Fail, "cannot read host and port from the hub URL");
    };
    let addrs = match (host.as_str(), port).to_socket_addrs() {
        Ok(addrs) => addrs.collect::<Vec<_>>(),
        Err(err) => {
            return check("hub", CheckStatus::Fail, format!("cannot resolve {host}: {err}"));
        }
    };
    let mut last_error = format!("{host} has no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => {
                return check(
                    "hub",
                    CheckStatus::Ok,
                    format!(
                        "{host}:{port} reachable (tls {})",
                        if config.tls { "on" } else { "off" }
                    ),
                );
            }
            Err(err) => last_error = format!("{addr}: {err}"),
        }
    }
    check("hub", CheckStatus::Fail, last_error)
}

/// Host and port of a `postgresql://[user[:pw]@]host[:port][/db][?...]` URL (port 5432 default).
fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("postgresql://").or_else(|| url.strip_prefix("postgres://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => 5432,
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_from_urls() {
        assert_eq!(
            host_port("postgresql://kiosk@hub.local/kiosk"),
            Some(("hub.local".into(), 5432))
        );
        assert_eq!(
            host_port("postgres://u:p@10.0.0.2:6543/db?sslmode=require"),
            Some(("10.0.0.2".into(), 6543))
        );
        assert_eq!(host_port("postgresql://[::1]:5433/db"), Some(("::1".into(), 5433)));
        assert_eq!(host_port("postgresql://host:notaport/db"), None);
        assert_eq!(host_port("postgresql:///db"), None);
    }

    #[test]
    fn simulated_devices_are_not_configured_not_ok() {
        let config = Config::demo("/nonexistent/demo.sqlite".into()).expect("demo");
        let checks = run_all(&config);
        let statuses: Vec<_> = checks.iter().map(|c| (c.name, c.status)).collect();
        assert_eq!(
            statuses,
            vec![
                ("reader", CheckStatus::NotConfigured),
                ("printer", CheckStatus::NotConfigured),
                ("store", CheckStatus::Fail),
                ("hub", CheckStatus::NotConfigured),
            ]
        );
    }

    #[test]
    fn hub_check_sees_a_listener_and_a_closed_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let url = |port: u16| -> HubConfig {
            let text = format!(
                "role = \"lobby\"\nterminal_id = \"T\"\n[facility]\nname = \"R\"\ncode = \"R\"\n\
                 [store]\npath = \"s\"\n[hub]\nurl = \"postgresql://k@127.0.0.1:{port}/k\"\n"
            );
            Config::parse(&text, "t").expect("config").hub.expect("hub")
        };
        let ok = hub(Some(&url(port)), Duration::from_secs(2));
        assert_eq!(ok.status, CheckStatus::Ok, "{ok}");
        drop(listener);
        let closed = hub(Some(&url(port)), Duration::from_secs(2));
        assert_eq!(closed.status, CheckStatus::Fail, "{closed}");
    }

    #[test]
    fn serial_printer_on_a_missing_port_fails() {
        let config = PrinterConfig::Simulated { out_dir: None };
        assert_eq!(printer(&config).status, CheckStatus::NotConfigured);
        let text = "role = \"lobby\"\nterminal_id = \"T\"\n[facility]\nname = \"R\"\ncode = \"R\"\n\
                    [store]\npath = \"s\"\n[printer]\nkind = \"serial\"\nport = \"/dev/nonexistent-tty\"\n";
        let config = Config::parse(text, "t").expect("config");
        let result = printer(&config.printer);
        assert_eq!(result.status, CheckStatus::Fail);
        assert!(result.detail.contains("/dev/nonexistent-tty"), "{result}");
    }
}
