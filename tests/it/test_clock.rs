//! The clock tests move (`serve --test-clock`, hidden): a normal server has neither the option in its help nor
//! the route, and the route moves a test server's time forward only.

use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::support::*;

fn advance(server: &Server, query: &str) -> (u16, String) {
    let response = reqwest::blocking::Client::new()
        .post(server.url(&format!("/__test/clock?{query}")))
        .send()
        .expect("clock route");
    let status = response.status().as_u16();
    (status, response.text().unwrap_or_default())
}

#[test]
fn a_normal_server_has_no_movable_clock() {
    let server = Server::start(Options { system_clock: true, ..Options::default() });
    assert_eq!(advance(&server, "ms=3600000").0, 404);
    let get = server.client().get(server.url("/__test/clock")).send().expect("get");
    assert_eq!(get.status().as_u16(), 404);
    let help = Command::new(binary()).args(["serve", "--help"]).output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--listen"), "{help}");
    assert!(!help.contains("test-clock") && !help.contains("clock"), "the option is listed:\n{help}");
}

#[test]
fn a_test_server_moves_its_clock_forward_only() {
    let server = Server::start(Options::default());
    let (status, body) = advance(&server, "ms=7200000");
    assert_eq!(status, 200, "{body}");
    let now: DateTime<Utc> = body.trim().parse().expect("the server's new time");
    let ahead = now - Utc::now();
    assert!(ahead > chrono::Duration::minutes(119) && ahead < chrono::Duration::minutes(121), "{ahead}");
    assert_eq!(advance(&server, "ms=-1000").0, 400, "the clock never moves back");
    server.advance(Duration::from_secs(60));
}
