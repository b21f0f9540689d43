//! The memory ceiling of the servers the tests start (issue 14): each runs under RLIMIT_DATA, and one that
//! allocates past it dies and fails its test loudly instead of passing slowly.

use std::time::Duration;

use crate::support::*;

/// The soft and hard "Max data size" of a process, as `/proc/<pid>/limits` shows them.
fn data_limit(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits of the server");
    let line = limits.lines().find(|line| line.starts_with("Max data size")).expect("a data size line");
    let mut fields = line["Max data size".len()..].split_whitespace();
    (fields.next().unwrap_or_default().to_string(), fields.next().unwrap_or_default().to_string())
}

#[test]
fn every_test_server_runs_under_the_memory_ceiling() {
    let mib = memory_ceiling_mib().expect("the memory ceiling is on (TEST_SERVER_MEMORY_MIB=0 is for measuring)");
    let server = Server::demo();
    let bytes = (mib * 1024 * 1024).to_string();
    assert_eq!(data_limit(server.pid()), (bytes.clone(), bytes), "the server's RLIMIT_DATA is the ceiling");
    let response = server.client().get(server.url("/login")).send().expect("a page under the ceiling");
    assert_eq!(response.status().as_u16(), 200);
}

#[test]
fn a_server_that_needs_more_than_its_ceiling_aborts() {
    // The demo's start (search index, sample files) needs more than 48 MiB: the allocation that passes the
    // ceiling fails and the runtime aborts, as a request that balloons would.
    let temp = tempfile::tempdir().expect("temp");
    let options = Options { memory_mib: Some(48), ..Options::demo() };
    let (mut child, _, url) = spawn(&temp.path().join("data"), &options).expect("spawn");
    if url.is_some() {
        // Not left running behind a failed test.
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server started within 48 MiB");
    }
    // Either the allocation that passes the ceiling aborts the runtime, or (argon2 hashing the demo's admin
    // passwords reports its own allocation failure) start-up fails with an error: the server never serves.
    let why = describe_exit(child.wait().expect("wait"));
    let failed = why.contains("SIGABRT") || (why.contains("status") && !why.contains("status 0"));
    assert!(failed, "a server over its ceiling does not start: {why}");
}

#[test]
fn a_server_that_died_fails_its_test_loudly() {
    let mut server = Server::demo();
    // What an allocation over the ceiling does to the server, without making it eat memory.
    let killed = std::process::Command::new("kill").arg("-ABRT").arg(server.pid().to_string()).status().expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(200));
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.stop()));
    let message = stopped.expect_err("stopping a dead server fails the test");
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("died during the test") && message.contains("SIGABRT"), "{message}");
}
