//! Self-tests of the kiosk's parts: reader, printer, store, hub. `kiosk diag` prints them one per
//! line; the technician screen shows the same checks.
//!
//! A check says `ok` only for what it really exercised; a simulated device is reported as
//! `not configured`, never as `ok`.

use std::fmt;
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

/// The printer: a serial printer must open and answer the status query without a fault
/// (`paper-near-end` is reported but does not fail the check: tickets still print).
pub fn printer(config: &PrinterConfig) -> Check {
    let port = match config {
        PrinterConfig::Simulated { .. } => {
            return check("printer", CheckStatus::NotConfigured, "simulated printer");
        }
        PrinterConfig::Serial { port, .. } => port.display().to_string(),
    };
    let status =
        crate::tickets::printer_from_config(config).and_then(|mut printer| printer.status());
    match status {
        Err(err) => check("printer", CheckStatus::Fail, format!("{port}: {err}")),
        Ok(status) if status.faults().is_empty() => {
            check("printer", CheckStatus::Ok, format!("{port}: status ok"))
        }
        Ok(status) => {
            let words: Vec<&str> = status.faults().iter().map(|f| f.word()).collect();
            let blocking = status.faults().iter().any(|f| f.blocks_printing());
            check(
                "printer",
                if blocking { CheckStatus::Fail } else { CheckStatus::Ok },
                format!("{port}: {}", words.join(", ")),
            )
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

/// The hub: log in (with TLS when configured) and run `SELECT 1` within `timeout`.
pub fn hub(config: Option<&HubConfig>, timeout: Duration) -> Check {
    let Some(config) = config else {
        return check("hub", CheckStatus::NotConfigured, "no [hub] in the configuration: offline");
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return check("hub", CheckStatus::Fail, format!("no async runtime: {err}")),
    };
    let hub = crate::sync::HubConfig::from(config);
    let result = runtime.block_on(async {
        tokio::time::timeout(timeout, async {
            let client = crate::sync::connect(&hub).await.map_err(|e| e.to_string())?;
            client
                .simple_query("SELECT 1")
                .await
                .map_err(|e| format!("query failed: {}", crate::sync::describe(&e)))?;
            Ok::<(), String>(())
        })
        .await
    });
    let tls = if config.tls { "on" } else { "off" };
    match result {
        Ok(Ok(())) => check("hub", CheckStatus::Ok, format!("connected, tls {tls}")),
        Ok(Err(err)) => check("hub", CheckStatus::Fail, err),
        Err(_) => check("hub", CheckStatus::Fail, format!("no answer within {timeout:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn hub_at(url: &str) -> HubConfig {
        let text = format!(
            "role = \"lobby\"\nterminal_id = \"T\"\n[facility]\nname = \"R\"\ncode = \"R\"\n\
             [store]\npath = \"s\"\n[hub]\nurl = \"{url}\"\ntls = false\n"
        );
        Config::parse(&text, "t").expect("config").hub.expect("hub")
    }

    #[test]
    fn hub_check_fails_on_a_closed_port_and_on_a_silent_server() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        // Accepts TCP but never speaks PostgreSQL: the check must not call that ok.
        let silent = hub(
            Some(&hub_at(&format!("postgresql://k@127.0.0.1:{port}/k"))),
            Duration::from_millis(500),
        );
        assert_eq!(silent.status, CheckStatus::Fail, "{silent}");
        drop(listener);
        let closed = hub(
            Some(&hub_at(&format!("postgresql://k@127.0.0.1:{port}/k"))),
            Duration::from_secs(5),
        );
        assert_eq!(closed.status, CheckStatus::Fail, "{closed}");
        assert!(closed.detail.contains("connect"), "{closed}");
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
