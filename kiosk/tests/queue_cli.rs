//! `kiosk queue call SERVICE --store PATH` and `kiosk queue status --store PATH`.

use std::process::Command;

use kiosk::store::Store;
use kiosk::visits::{self, Service, Terminal};

fn kiosk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk")).args(args).output().expect("run kiosk")
}

#[test]
fn officer_calls_numbers_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lobby.sqlite");
    let now = chrono::Local::now().fixed_offset();
    {
        let mut store = Store::open(&path).expect("open");
        store
            .conn()
            .execute("INSERT INTO facility (id, name) VALUES ('RUTAN-X', 'Rutan X')", [])
            .expect("facility");
        let terminal = Terminal { id: "lobby-0".into(), slot: 0 };
        for service in [Service::Visit, Service::Visit, Service::GoodsDeposit] {
            visits::allocate_number(&mut store, "RUTAN-X", &terminal, service, None, now)
                .expect("allocate");
        }
    }
    let store = path.to_str().expect("utf-8 path");
    let first = kiosk(&["queue", "call", "A", "--store", store]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(String::from_utf8_lossy(&first.stdout).trim(), "A-001");
    let status = kiosk(&["queue", "status", "--store", store]);
    assert!(status.status.success());
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "A issued=2 waiting=1 serving=A-001\nB issued=1 waiting=1 serving=-\nC issued=0 waiting=0 serving=-\n"
    );
    let second = kiosk(&["queue", "call", "a", "--store", store]);
    assert_eq!(String::from_utf8_lossy(&second.stdout).trim(), "A-002");
    let none = kiosk(&["queue", "call", "A", "--store", store]);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&none.stdout).trim(), "none waiting");
    let bad = kiosk(&["queue", "call", "Z", "--store", store]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown service"));
    let missing =
        kiosk(&["queue", "call", "A", "--store", dir.path().join("nope").to_str().expect("path")]);
    assert_eq!(missing.status.code(), Some(2));
}
