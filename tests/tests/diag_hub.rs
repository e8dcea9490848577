//! `kiosk::diag::hub` against a real PostgreSQL (the throwaway cluster of `tests::pg`): ok when
//! the hub answers, FAIL for a database that does not exist. Skips without PostgreSQL outside CI.

use std::time::Duration;

use kiosk::config::Config;
use kiosk::diag::{self, CheckStatus};
use tests::pg::PgCluster;

fn hub_config(url: &str) -> kiosk::config::HubConfig {
    let text = format!(
        "role = \"lobby\"\nterminal_id = \"T\"\n[facility]\nname = \"R\"\ncode = \"R\"\n\
         [store]\npath = \"s\"\n[hub]\nurl = \"{url}\"\ntls = false\n"
    );
    Config::parse(&text, "test").expect("config").hub.expect("hub")
}

#[test]
fn hub_check_against_a_real_server() {
    let Some(cluster) = PgCluster::shared() else {
        return;
    };
    let ok =
        diag::hub(Some(&hub_config(&cluster.url("postgres", "postgres"))), Duration::from_secs(10));
    assert_eq!(ok.status, CheckStatus::Ok, "{ok}");
    assert!(ok.detail.contains("connected"), "{ok}");

    let missing = diag::hub(
        Some(&hub_config(&cluster.url("postgres", "no_such_db"))),
        Duration::from_secs(10),
    );
    assert_eq!(missing.status, CheckStatus::Fail, "{missing}");
    assert!(missing.detail.contains("no_such_db"), "{missing}");
}
