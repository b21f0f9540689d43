//! Resource measurements: peak memory of a 300-form bundle (always run, in a child process). Time per document is
//! a benchmark, not a test: `benches/print.sh`.

use std::io::Write;
use std::process::Command;

use super::fixtures::{engine, maximal_form, verification};

/// Peak memory of the current process, from Linux's /proc (kB → bytes).
fn proc_status_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|line| line.starts_with(key)).expect("key in /proc/self/status");
    let kilobytes: u64 = line.trim_start_matches(key).trim().trim_end_matches("kB").trim().parse().expect("a number");
    kilobytes * 1024
}

/// Counts bytes instead of keeping them, so the output does not count as memory growth.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The measurement itself. It only means something in a process of its own (the peak RSS is per process and
/// other tests run in parallel threads), so `bundle_memory_stays_bounded` runs it in a child process.
#[test]
#[ignore = "run by bundle_memory_stays_bounded in a separate process"]
fn bundle_memory_child() {
    const FORMS: usize = 300;
    let engine = engine();
    // Warm up: the first document initialises lazily built font tables, which are not per-bundle costs.
    engine.registration_form(&maximal_form(), &verification()).expect("render");
    let before = proc_status_bytes("VmRSS:");
    let mut sink = CountingSink(0);
    let started = std::time::Instant::now();
    let forms = (0..FORMS).map(|index| {
        let mut form = maximal_form();
        form.name = format!("刁彬彬{index}");
        (form, verification())
    });
    engine.registration_bundle(forms, &mut sink).expect("render");
    let elapsed = started.elapsed();
    let peak = proc_status_bytes("VmHWM:");
    println!(
        "BUNDLE forms={FORMS} bytes={} seconds={:.2} rss_before={} peak={} growth={}",
        sink.0,
        elapsed.as_secs_f64(),
        before,
        peak,
        peak.saturating_sub(before)
    );
}

#[test]
fn bundle_memory_stays_bounded() {
    let executable = std::env::current_exe().expect("test executable");
    let output = Command::new(executable)
        .args(["--exact", "pdf::tests::measure::bundle_memory_child", "--ignored", "--nocapture", "--test-threads=1"])
        .output()
        .expect("run the measurement in a child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    // The harness prints "test … " before the report on the same line.
    let line = stdout
        .lines()
        .find_map(|line| line.find("BUNDLE ").map(|start| &line[start..]))
        .unwrap_or_else(|| panic!("the child did not report:\n{stdout}\n{stderr}"));
    println!("{line}");
    let growth: u64 = line
        .split_whitespace()
        .find_map(|field| field.strip_prefix("growth="))
        .and_then(|value| value.parse().ok())
        .expect("growth=");
    assert!(growth < 64 * 1024 * 1024, "peak RSS grew by {growth} bytes for 300 forms");
}
