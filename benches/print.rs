//! Printing benchmarks (run by `benches/print.sh`, a release build): prints figures, asserts nothing.
//!
//! 1. One 成果鉴定登记表 through the service (store read, verification code, layout, PDF): the first print of a
//!    content (mints a code: one write transaction) and reprints (reuse the code: the engine's own time), for a
//!    typical and a maximal form, and the 鉴定意见. Targets: < 20 ms and < 300 KB a form.
//! 2. A school bundle of `TEACHERS` (default 300) approved teachers with maximal forms, drained from the streamed
//!    response: time, size and the process's peak RSS growth (the peak is reset just before, so setup does not
//!    count).
//!
//! `cargo test` and nextest also build this target and start it to list tests; without `--bench` (which only
//! `cargo bench` passes) it does nothing.

#[path = "../tests/it/print_data.rs"]
mod print_data;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use zhiping::config::Config;
use zhiping::domain::account::Role;
use zhiping::domain::idcard::IdNumber;
use zhiping::domain::org::{OrgRef, School};
use zhiping::domain::project::Project;
use zhiping::domain::submission::SubmissionState;
use zhiping::service::accounts::NewTeacher;
use zhiping::service::{Actor, Services};
use zhiping::store::{Reader, StoreError};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() {
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    let teachers: usize = std::env::var("TEACHERS").ok().and_then(|value| value.parse().ok()).unwrap_or(300);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("no runtime: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(run(teachers)) {
        eprintln!("bench failed: {error}");
        std::process::exit(1);
    }
}

async fn run(teachers: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let config = Config { data_dir: dir.path().join("data"), ..Config::default() };
    std::fs::create_dir_all(&config.data_dir)?;
    let services = Arc::new(Services::open(Arc::new(config))?);
    services.load_demo().await?;
    let city = Actor {
        account_id: 0,
        name: "基准测试".into(),
        role: Role::CityAdmin,
        org: OrgRef::City,
        department_id: None,
        address: "127.0.0.1".into(),
    };
    let read = services.store.read()?;
    let school =
        read.all::<School>()?.into_iter().find(|school| school.name == "上海市南湖职业学校").ok_or("no demo school")?;
    let project = read.all::<Project>()?.into_iter().next().ok_or("no demo project")?;
    drop(read);

    println!("== setup: {teachers} approved teachers of {} ==", school.name);
    let started = Instant::now();
    let mut teacher_ids = Vec::with_capacity(teachers);
    for index in 0..teachers {
        let first17 = format!("3101091980{:02}{:02}{:03}", 1 + index % 12, 1 + index % 28, index % 1000);
        let check = IdNumber::check_char(&first17).ok_or("check digit")?;
        let input = NewTeacher {
            school_id: school.id,
            id_number: format!("{first17}{check}"),
            name: format!("{}{}", ["刁彬彬", "陈昇", "王喆", "李珺", "欧阳明月"][index % 5], index),
            education: "本科".into(),
            degree: "学士".into(),
            birth: String::new(),
        };
        teacher_ids.push(services.create_teacher(&city, &input)?.id);
    }
    let typical_filing = print_data::filing_diao();
    let submissions = services.store.write(|tx| -> std::result::Result<Vec<u64>, StoreError> {
        let mut ids = Vec::new();
        for (index, teacher_id) in teacher_ids.iter().enumerate() {
            // The first teacher files the typical form, the others the largest one the rules accept.
            let filing = if index == 0 { typical_filing.clone() } else { print_data::filing_maximal() };
            let submission = print_data::submission(
                project.id,
                *teacher_id,
                school.id,
                school.department_id,
                SubmissionState::SchoolApproved,
                filing,
            );
            ids.push(print_data::insert(tx, submission)?);
        }
        Ok(ids)
    })?;
    let opinion_id = services.store.write(|tx| -> std::result::Result<u64, StoreError> {
        let submission = tx.get(submissions[0])?.ok_or(StoreError::Io(std::io::Error::other("missing")))?;
        let published = print_data::publish(submission, "优秀", "同意鉴定为优秀。", chrono::Utc::now());
        tx.put(&published)?;
        Ok(published.id)
    })?;
    println!("setup took {:.1} s", started.elapsed().as_secs_f64());

    println!("== one document (target < 20 ms, < 300 KB) ==");
    let typical = submissions[0];
    let maximal = *submissions.get(1).unwrap_or(&typical);
    for (name, id) in [("registration form", typical), ("registration form (maximal)", maximal)] {
        let started = Instant::now();
        let pdf = services.print_registration(&city, id).await?;
        report(&format!("{name}, first print"), started.elapsed(), pdf.bytes.len());
        let (time, size) =
            repeat(50, || async { services.print_registration(&city, id).await.map(|pdf| pdf.bytes.len()) }).await?;
        report(&format!("{name}, reprint"), time, size);
    }
    let started = Instant::now();
    let pdf = services.print_opinion(&city, opinion_id).await?;
    report("appraisal opinion, first print", started.elapsed(), pdf.bytes.len());
    let (time, size) =
        repeat(50, || async { services.print_opinion(&city, opinion_id).await.map(|pdf| pdf.bytes.len()) }).await?;
    report("appraisal opinion, reprint", time, size);

    println!("== school bundle of {teachers} forms, streamed ==");
    for round in ["first print (mints the codes)", "reprint (reuses them)"] {
        reset_peak_rss();
        let before = proc_status_kib("VmRSS:");
        let started = Instant::now();
        let stream = services.print_school_bundle(&city, school.id, Some(project.id)).await?;
        let forms = stream.forms;
        let mut chunks = Box::pin(stream.into_stream());
        let mut bytes = 0;
        while let Some(chunk) = chunks.next().await {
            bytes += chunk?.len();
        }
        let elapsed = started.elapsed();
        let peak = proc_status_kib("VmHWM:");
        println!(
            "{round:<34} {forms} forms  {:>8.2} s  {:>8.1} KB  RSS before {} MB, peak {} MB (+{} MB)",
            elapsed.as_secs_f64(),
            bytes as f64 / 1024.0,
            before / 1024,
            peak / 1024,
            peak.saturating_sub(before) / 1024
        );
    }
    Ok(())
}

/// Runs `print` `runs` times; the mean time and the last size.
async fn repeat<F, Fut>(runs: u32, print: F) -> Result<(Duration, usize)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = zhiping::service::ServiceResult<usize>>,
{
    let started = Instant::now();
    let mut size = 0;
    for _ in 0..runs {
        size = print().await?;
    }
    Ok((started.elapsed() / runs, size))
}

fn report(name: &str, time: Duration, size: usize) {
    let verdict = if time < Duration::from_millis(20) && size < 300 * 1024 { "ok" } else { "OVER TARGET" };
    println!("{name:<44} {:>8.2} ms  {:>8.1} KB  {verdict}", time.as_secs_f64() * 1000.0, size as f64 / 1024.0);
}

/// A line of /proc/self/status in KiB (0 where /proc is missing).
fn proc_status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with(key))?.to_owned();
            line.trim_start_matches(key).trim().trim_end_matches("kB").trim().parse().ok()
        })
        .unwrap_or(0)
}

/// Resets the process's peak RSS (VmHWM) to the current RSS (Linux: writing 5 to clear_refs).
fn reset_peak_rss() {
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        println!("(could not reset the peak RSS: the figure includes setup)");
    }
}
