//! Issue 9: `zhiping backup`, `restore` and `check`, and crash safety. The workload here drives the real server
//! the way users do — teachers saving drafts and uploading files through the API, the city admin uploading files
//! and publishing materials — and keeps a ledger of every acknowledged write, so the tests can demand that each
//! one is there after a SIGKILL, or in a backup made while it ran.

#[path = "backup/crash.rs"]
mod crash;
#[path = "backup/load.rs"]
mod load;
#[path = "backup/refusals.rs"]
mod refusals;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::appraisal::{fixture_bytes, pledged};
use crate::support::*;

/// The first three save and upload; the last submits and withdraws.
pub const TEACHERS: [&str; 4] = ["刁彬彬", "陈昇", "张琳", "李珺"];

/// Runs `zhiping` with `args` (the test environment of `support::spawn`).
pub fn zhiping(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .env_remove("ZHIPING_CONFIG")
        .env("ZHIPING_LOG_LEVEL", "warn")
        .output()
        .expect("run zhiping")
}

pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `zhiping check --data DIR`, asserting it is clean.
pub fn assert_check_clean(data: &Path, context: &str) {
    let output = zhiping(&["check", "--data", &data.to_string_lossy()]);
    assert!(output.status.success(), "{context}: check is not clean: {}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("检查通过"), "{context}: {}", describe(&output));
}

/// `zhiping check --data DIR` right after a kill: clean except for orphan files — the file of an upload the kill
/// cut off between storing it and committing its record (never acknowledged; the next start removes it).
pub fn assert_check_clean_but_orphans(data: &Path, context: &str) {
    let output = zhiping(&["check", "--data", &data.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let problems: Vec<&str> = stdout.lines().filter(|line| line.starts_with("  - ")).collect();
    assert!(
        problems.iter().all(|line| line.contains("孤立文件")) && (output.status.success() || !problems.is_empty()),
        "{context}: check is not clean: {}",
        describe(&output)
    );
}

/// A unique DOC file (the fixture's OLE header, then `size` bytes from `rng`): evidence slots and notice uploads
/// accept DOC by its magic bytes, and the padding makes every upload distinct and slow enough to be cut off.
pub fn unique_doc(rng: &mut StdRng, size: usize) -> Vec<u8> {
    let mut bytes = fixture_bytes("sample.doc");
    let start = bytes.len();
    bytes.resize(start + size, 0);
    rng.fill(&mut bytes[start..]);
    bytes
}

/// What one writer has been told and what may be in flight. `stored` values that a check must accept: the last
/// acknowledged one, or the one sent without an answer (it may have committed before the kill).
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// Counter of the last acknowledged save (the draft's 研究方向 is `崩溃测试-{n}`), and of one unanswered.
    pub saved: Option<u64>,
    pub save_pending: Option<u64>,
    /// Every acknowledged upload, in order: (sequence, sha256).
    pub uploads: Vec<(u64, String)>,
    pub upload_pending: Option<(u64, String)>,
    /// Materials acknowledged (admin): (id, sha256).
    pub materials: Vec<(u64, String)>,
    /// Teacher imports (admin, one transaction each): the ID numbers of each acknowledged import, and of one
    /// unanswered (after a kill it must be there entirely or not at all).
    pub imports: Vec<Vec<String>>,
    pub import_pending: Option<Vec<String>>,
    /// The submitter: whether the last acknowledged transition left it submitted, the versions then, and an
    /// unanswered transition (`true` a submit, `false` a withdrawal).
    pub submitted: bool,
    pub versions: u64,
    pub transition_pending: Option<bool>,
    /// Anything that should not happen (a 4xx/5xx answer): the test fails on these.
    pub failures: Vec<String>,
    pub next: u64,
}

impl Ledger {
    fn last_upload(&self) -> Option<&str> {
        self.uploads.last().map(|(_, sha)| sha.as_str())
    }

    /// After a verified restart: what is stored is now the acknowledged state.
    fn settle(&mut self, saved: Option<u64>, slot: Option<String>) {
        self.saved = saved;
        self.save_pending = None;
        if let Some(sha) = slot
            && self.last_upload() != Some(sha.as_str())
        {
            let pending = self.upload_pending.take().filter(|(_, pending)| *pending == sha);
            if let Some(pending) = pending {
                self.uploads.push(pending);
            }
        }
        self.upload_pending = None;
    }
}

/// One writer: a signed-in client and its ledger.
pub struct Writer {
    pub client: Client,
    pub ledger: Arc<Mutex<Ledger>>,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Saves drafts and uploads evidence.
    Teacher,
    /// Submits a complete filing and withdraws it, again and again (each submission adds a version).
    Submitter,
    /// The city admin: uploads, materials, and teacher imports into this school.
    Admin(u64),
}

fn direction(n: u64) -> String {
    format!("崩溃测试-{n}")
}

/// Signs in the four demo teachers (pledged: one 15-second wait) and the city admin.
pub fn writers(server: &Server) -> Vec<Writer> {
    let mut writers: Vec<Writer> = pledged(server, &TEACHERS)
        .into_iter()
        .enumerate()
        .map(|(index, client)| {
            let kind = if index + 1 == TEACHERS.len() { Kind::Submitter } else { Kind::Teacher };
            Writer { client, ledger: Arc::default(), kind }
        })
        .collect();
    prepare_submitter(server, &writers[TEACHERS.len() - 1].client);
    let client = signed_in(server, "admin", ADMIN_PASSWORD);
    let schools: Value = client.get(server.url("/api/v1/schools")).send().expect("schools").json().expect("json");
    let school = schools[0]["id"].as_u64().expect("a demo school");
    writers.push(Writer { client, ledger: Arc::default(), kind: Kind::Admin(school) });
    writers
}

/// Runs every writer on its own thread until `stop`; each does one operation after another and books it.
pub fn drive(base: &str, writers: &[Writer], seed: u64, stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    writers
        .iter()
        .enumerate()
        .map(|(index, writer)| {
            let client = writer.client.clone();
            let ledger = writer.ledger.clone();
            let kind = writer.kind;
            let base = base.to_string();
            let stop = stop.clone();
            let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(index as u64));
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let going = match kind {
                        Kind::Admin(school) if rng.random_bool(0.3) => import_step(&base, &client, &ledger, school),
                        Kind::Admin(_) => admin_step(&base, &client, &ledger, &mut rng),
                        Kind::Teacher => teacher_step(&base, &client, &ledger, &mut rng),
                        Kind::Submitter => submit_step(&base, &client, &ledger),
                    };
                    if !going {
                        break;
                    }
                }
            })
        })
        .collect()
}

/// One save or upload. Returns false once the server is gone.
fn teacher_step(base: &str, client: &Client, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let n = {
        let mut ledger = ledger.lock().unwrap();
        ledger.next += 1;
        ledger.next
    };
    if rng.random_bool(0.5) {
        ledger.lock().unwrap().save_pending = Some(n);
        let body = json!({"research_direction": direction(n), "achievements": [{"title": "崩溃测试成果"}]});
        match client.put(format!("{base}/api/v1/me/appraisal")).header("origin", base).json(&body).send() {
            Ok(response) if response.status().as_u16() == 200 => {
                let mut ledger = ledger.lock().unwrap();
                ledger.saved = Some(n);
                ledger.save_pending = None;
                true
            }
            Ok(response) => {
                let status = response.status();
                ledger.lock().unwrap().failures.push(format!("save {n}: {status} {}", text(response)));
                true
            }
            Err(_) => false,
        }
    } else {
        let size = rng.random_range(20_000..400_000);
        let bytes = unique_doc(rng, size);
        let sha = sha256_hex(&bytes);
        ledger.lock().unwrap().upload_pending = Some((n, sha.clone()));
        let sent = client
            .put(format!("{base}/api/v1/me/appraisal/achievements/0/files/evidence.formal"))
            .header("origin", base)
            .query(&[("name", format!("证明{n}.doc"))])
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send();
        match sent {
            Ok(response) if response.status().as_u16() == 200 => {
                let answered: Value = response.json().unwrap_or(Value::Null);
                let mut ledger = ledger.lock().unwrap();
                if answered["sha256"].as_str() != Some(sha.as_str()) {
                    ledger.failures.push(format!("upload {n}: answered {answered}, sent {sha}"));
                }
                ledger.uploads.push((n, sha));
                ledger.upload_pending = None;
                true
            }
            Ok(response) => {
                let status = response.status();
                ledger.lock().unwrap().failures.push(format!("upload {n}: {status} {}", text(response)));
                true
            }
            Err(_) => false,
        }
    }
}

/// The city admin uploads a file and publishes it as a material (two acknowledged writes).
fn admin_step(base: &str, client: &Client, ledger: &Mutex<Ledger>, rng: &mut StdRng) -> bool {
    let n = {
        let mut ledger = ledger.lock().unwrap();
        ledger.next += 1;
        ledger.next
    };
    let size = rng.random_range(10_000..200_000);
    let bytes = unique_doc(rng, size);
    let sha = sha256_hex(&bytes);
    let sent = client
        .post(format!("{base}/api/v1/uploads"))
        .header("origin", base)
        .query(&[("name", format!("资料{n}.doc"))])
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send();
    match sent {
        Ok(response) if response.status().as_u16() == 200 => {
            ledger.lock().unwrap().uploads.push((n, sha.clone()));
        }
        Ok(response) => {
            let status = response.status();
            ledger.lock().unwrap().failures.push(format!("notice upload {n}: {status} {}", text(response)));
            return true;
        }
        Err(_) => return false,
    }
    let body = json!({"name": format!("崩溃测试资料{n}"), "file": {"sha256": sha, "name": format!("资料{n}.doc")}});
    match client.post(format!("{base}/api/v1/materials")).header("origin", base).json(&body).send() {
        Ok(response) if response.status().as_u16() == 200 => {
            let answered: Value = response.json().unwrap_or(Value::Null);
            let mut ledger = ledger.lock().unwrap();
            match answered["id"].as_u64() {
                Some(id) => ledger.materials.push((id, sha)),
                None => ledger.failures.push(format!("material {n}: no id in {answered}")),
            }
            true
        }
        Ok(response) => {
            let status = response.status();
            ledger.lock().unwrap().failures.push(format!("material {n}: {status} {}", text(response)));
            true
        }
        Err(_) => false,
    }
}

/// The ID numbers of import `n`: ten teachers born on a day of their own (from 1970 on, in a region the demo
/// does not use).
fn import_ids(n: u64) -> Vec<String> {
    let born = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(n as i64 * 3);
    (1..=10).map(|row| id_number(&format!("350102{}{row:03}", born.format("%Y%m%d")))).collect()
}

/// A filing that passes 提交 (with the files `prepare_submitter` uploaded).
fn complete_filing() -> Value {
    json!({
        "title_grade": "中级", "title_name": "一级教师", "title_date": "2015-09-01",
        "research_direction": "职业教育", "major_college": "无", "major_bachelor": "机械工程",
        "major_graduate": "教育学", "applied_subject": "机械", "teaching_subject": "机械基础",
        "confirmed_instructions": true,
        "achievements": [{
            "title": "崩溃测试专著", "level": "formal", "type_code": "monograph",
            "fields": {"published": "2019-05", "publisher": "高等教育出版社", "rank": "1/3", "cip": "2019102034"},
            "independent": true, "own_part": "全部"
        }]
    })
}

/// The submitter's draft: complete values and the two files 提交 requires.
fn prepare_submitter(server: &Server, client: &Client) {
    let saved = client.put(server.url("/api/v1/me/appraisal")).json(&complete_filing()).send().expect("save");
    assert_eq!(saved.status().as_u16(), 200, "{}", text(saved));
    for (slot, name, fixture) in
        [("achievement_file", "专著.pdf", "text.pdf"), ("evidence.formal", "CIP页.pdf", "scan.pdf")]
    {
        let uploaded = client
            .put(server.url(&format!("/api/v1/me/appraisal/achievements/0/files/{slot}")))
            .query(&[("name", name)])
            .header("content-type", "application/octet-stream")
            .body(fixture_bytes(fixture))
            .send()
            .expect("upload");
        assert_eq!(uploaded.status().as_u16(), 200, "{slot}: {}", text(uploaded));
    }
}

/// 提交 when the filing is a draft, 撤回 when it is submitted.
fn submit_step(base: &str, client: &Client, ledger: &Mutex<Ledger>) -> bool {
    let submit = !ledger.lock().unwrap().submitted;
    ledger.lock().unwrap().transition_pending = Some(submit);
    let sent = if submit {
        client.post(format!("{base}/api/v1/me/appraisal/submit")).header("origin", base).json(&complete_filing()).send()
    } else {
        client.post(format!("{base}/api/v1/me/appraisal/withdraw")).header("origin", base).send()
    };
    match sent {
        Ok(response) if response.status().as_u16() == 200 => {
            let mut ledger = ledger.lock().unwrap();
            ledger.submitted = submit;
            ledger.versions += u64::from(submit);
            ledger.transition_pending = None;
            true
        }
        Ok(response) => {
            let status = response.status();
            let what = if submit { "submit" } else { "withdraw" };
            ledger.lock().unwrap().failures.push(format!("{what}: {status} {}", text(response)));
            true
        }
        Err(_) => false,
    }
}

/// The submitter's state and number of versions on a server, checked against the ledger (the acknowledged
/// state, or the unanswered transition done), then booked as the truth.
pub fn verify_submitter(server: &Server, writer: &Writer, ledger: &mut Ledger, context: &str) {
    let json: Value = writer.client.get(server.url("/api/v1/me/appraisal")).send().expect("read").json().expect("json");
    let observed = (json["state"].as_str() == Some("submitted"), json["versions"].as_u64().unwrap_or(0));
    let acknowledged = (ledger.submitted, ledger.versions);
    let done = match ledger.transition_pending {
        Some(true) => Some((true, ledger.versions + 1)),
        Some(false) => Some((false, ledger.versions)),
        None => None,
    };
    assert!(
        observed == acknowledged || Some(observed) == done,
        "{context}: the submitter is {observed:?} (submitted, versions), acknowledged {acknowledged:?}, in flight \
         {:?}",
        ledger.transition_pending
    );
    (ledger.submitted, ledger.versions) = observed;
    ledger.transition_pending = None;
}

/// The city admin imports ten teachers from a CSV in one request (`strict`: all or nothing).
fn import_step(base: &str, client: &Client, ledger: &Mutex<Ledger>, school: u64) -> bool {
    let n = {
        let mut ledger = ledger.lock().unwrap();
        ledger.next += 1;
        ledger.next
    };
    let ids = import_ids(n);
    let mut csv = String::from("身份证号,姓名,最高学历,最高学位\n");
    for id in &ids {
        csv.push_str(&format!("{id},李导入,本科,学士\n"));
    }
    ledger.lock().unwrap().import_pending = Some(ids.clone());
    let sent = client
        .post(format!("{base}/api/v1/teachers/import"))
        .header("origin", base)
        .query(&[("school_id", school.to_string()), ("strict", "true".into())])
        .header("content-type", "application/octet-stream")
        .body(csv)
        .send();
    match sent {
        Ok(response) if response.status().as_u16() == 200 => {
            let report: Value = response.json().unwrap_or(Value::Null);
            let mut ledger = ledger.lock().unwrap();
            if report["created"].as_u64() != Some(10) {
                ledger.failures.push(format!("import {n}: {report}"));
            }
            ledger.imports.push(ids);
            ledger.import_pending = None;
            true
        }
        Ok(response) => {
            let status = response.status();
            ledger.lock().unwrap().failures.push(format!("import {n}: {status} {}", text(response)));
            true
        }
        Err(_) => false,
    }
}

/// Checks the admin's writes on a (restarted or restored) server: every acknowledged import complete, an
/// unanswered one complete or absent (then booked as what it is); every acknowledged notice upload's blob intact;
/// `materials` of them listed and downloading with their hash.
pub fn verify_admin(
    server: &Server,
    data: &Path,
    writer: &Writer,
    ledger: &mut Ledger,
    materials: usize,
    context: &str,
) {
    let Kind::Admin(school) = writer.kind else { panic!("not the admin writer") };
    let response = writer.client.get(server.url(&format!("/api/v1/schools/{school}/teachers"))).send().expect("list");
    assert_eq!(response.status().as_u16(), 200, "{context}: teacher list");
    let listed: Value = response.json().expect("json");
    let present: std::collections::HashSet<&str> =
        listed.as_array().expect("list").iter().filter_map(|teacher| teacher["id_number"].as_str()).collect();
    for (index, ids) in ledger.imports.iter().enumerate() {
        let missing: Vec<&String> = ids.iter().filter(|id| !present.contains(id.as_str())).collect();
        assert!(missing.is_empty(), "{context}: acknowledged import {index} lost {} of its teachers", missing.len());
    }
    if let Some(ids) = ledger.import_pending.take() {
        let found = ids.iter().filter(|id| present.contains(id.as_str())).count();
        assert!(
            found == 0 || found == ids.len(),
            "{context}: an interrupted import left {found} of {} teachers",
            ids.len()
        );
        if found > 0 {
            ledger.imports.push(ids);
        }
    }
    for (_, sha) in &ledger.uploads {
        assert_blob(data, sha, context);
    }
    for (id, sha) in ledger.materials.iter().rev().take(materials) {
        let hash = downloaded_hash(server, &writer.client, &format!("/api/v1/materials/{id}/download"));
        assert_eq!(&hash, sha, "{context}: material {id}");
    }
}

/// The stored 研究方向 counter and the evidence file of achievement 0 of a teacher, through the API.
pub fn stored_state(server: &Server, client: &Client) -> (Option<u64>, Option<String>) {
    let response = client.get(server.url("/api/v1/me/appraisal")).send().expect("read appraisal");
    assert_eq!(response.status().as_u16(), 200, "appraisal after restart");
    let json: Value = response.json().expect("json");
    let saved = json["research_direction"].as_str().and_then(|text| text.strip_prefix("崩溃测试-")?.parse().ok());
    let slot = json["achievements"][0]["evidence"]["formal"]["sha256"].as_str().map(str::to_string);
    (saved, slot)
}

/// Downloads a file through the API and returns the SHA-256 of what came back.
pub fn downloaded_hash(server: &Server, client: &Client, path: &str) -> String {
    let response = client.get(server.url(path)).send().expect("download");
    assert_eq!(response.status().as_u16(), 200, "download {path}");
    sha256_hex(&response.bytes().expect("bytes"))
}

/// The blob on disk exists and hashes to its name.
pub fn assert_blob(data: &Path, sha: &str, context: &str) {
    let path = data.join("files/blobs").join(&sha[..2]).join(sha);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{context}: blob {sha} missing: {error}"));
    assert_eq!(sha256_hex(&bytes), sha, "{context}: blob {sha} damaged");
}

pub fn stop_all(stop: &Arc<AtomicBool>, handles: Vec<std::thread::JoinHandle<()>>) {
    stop.store(true, Ordering::SeqCst);
    for handle in handles {
        handle.join().expect("writer thread");
    }
}

pub fn pause(millis: u64) {
    std::thread::sleep(Duration::from_millis(millis));
}
