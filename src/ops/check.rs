//! `zhiping check`: everything that must hold in a data directory, read from one snapshot. The schema version;
//! redb's own structure check (when the database is opened exclusively); that every record decodes; referential
//! integrity — every file a record names (submissions' working copies and versions, notices, materials, the
//! `files` and `notice_files` tables) exists with its size and SHA-256, sessions and tokens belong to existing
//! accounts, the username / organisation / submission / expert / message indexes and the records agree both
//! ways; and the audit log's hash chain.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::domain::account::Account;
use crate::domain::audit::{AuditEntry, GENESIS};
use crate::domain::notice::UploadedFile;
use crate::domain::review::Message;
use crate::domain::stored_file::StoredFile;
use crate::domain::submission::Submission;
use crate::domain::verification::VerificationRecord;
use crate::files::BlobStore;
use crate::service::api_tokens::ApiToken;
use crate::service::sessions::Session;
use crate::store::tables::{self, AnyTable};
use crate::store::{ReadTx, SCHEMA_VERSION, StoreError, org_key};

/// While the server runs, blobs younger than this are not called orphans: an upload in progress stores its file
/// before the record naming it (a PDF's checks take seconds), and a refused one removes it right after.
const ORPHAN_GRACE: Duration = Duration::from_secs(3600);

/// Problems listed in full; beyond this only their number is printed.
const MAX_LISTED: usize = 200;

/// What redb's structure check said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrity {
    /// Checked with exclusive access: `true` when sound.
    Checked(bool),
    /// The server holds the database; the check needs it stopped.
    Skipped,
}

/// The outcome: counts per kind, problems (each one makes the check fail) and notes (for information).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub counts: Vec<(&'static str, u64)>,
    pub file_bytes: u64,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn count(&mut self, kind: &'static str, count: usize) {
        self.counts.push((kind, count as u64));
    }

    /// The summary as printed (Chinese), ending with the verdict.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec!["数据检查结果：".to_string()];
        for (kind, count) in &self.counts {
            lines.push(format!("  {kind}：{count}"));
        }
        lines.push(format!("  文件总大小：{} 字节", self.file_bytes));
        for note in &self.notes {
            lines.push(format!("  说明：{note}"));
        }
        if self.problems.is_empty() {
            lines.push("检查通过：未发现问题。".into());
        } else {
            lines.push(format!("发现 {} 个问题：", self.problems.len()));
            for problem in self.problems.iter().take(MAX_LISTED) {
                lines.push(format!("  - {problem}"));
            }
            if self.problems.len() > MAX_LISTED {
                lines.push(format!("  …… 另有 {} 个问题未列出", self.problems.len() - MAX_LISTED));
            }
        }
        lines
    }
}

/// A file some record names, with what it should be.
struct FileUse {
    size: Option<u64>,
    /// The first record naming it, for the message.
    by: String,
}

#[derive(Default)]
struct Files(BTreeMap<String, FileUse>);

impl Files {
    fn add(&mut self, sha256: &str, size: Option<u64>, by: impl FnOnce() -> String) {
        let entry = self.0.entry(sha256.to_string()).or_insert_with(|| FileUse { size: None, by: by() });
        if entry.size.is_none() {
            entry.size = size;
        }
    }
}

/// Every file reference inside a JSON record: any object with a `sha256` string (a `FileRef`, a `StoredFile`),
/// found wherever it sits, so new places that hold files are covered without touching this code.
pub fn file_refs(value: &serde_json::Value, out: &mut Vec<(String, Option<u64>)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(sha256)) = map.get("sha256") {
                out.push((sha256.clone(), map.get("size").and_then(serde_json::Value::as_u64)));
            }
            for inner in map.values() {
                file_refs(inner, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| file_refs(item, out)),
        _ => {}
    }
}

/// The SHA-256 of every blob the snapshot references (what a backup must carry), with the expected sizes.
pub fn referenced_files(read: &ReadTx) -> Result<BTreeMap<String, Option<u64>>, StoreError> {
    let mut files = BTreeMap::new();
    let mut add = |bytes: &[u8]| {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            let mut found = Vec::new();
            file_refs(&value, &mut found);
            for (sha256, size) in found {
                let entry: &mut Option<u64> = files.entry(sha256).or_default();
                if entry.is_none() {
                    *entry = size;
                }
            }
        }
    };
    for table in tables::ALL {
        match *table {
            AnyTable::U64Json(definition) => read.visit_records(definition, &mut |_, bytes| add(bytes))?,
            AnyTable::StrJson(definition) => read.visit_keyed(definition, &mut |_, bytes| add(bytes))?,
            _ => {}
        }
    }
    Ok(files)
}

/// Runs every check on `read`, reading and hashing the blobs it names; `progress` receives a line now and then.
pub fn run(
    read: &ReadTx,
    blobs: &BlobStore,
    integrity: Integrity,
    progress: &mut dyn FnMut(String),
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    match read.schema_version()? {
        None => report.problem("数据库中没有结构版本（schema_version）：不是 zhiping 的数据库或已损坏".into()),
        Some(found) if found > SCHEMA_VERSION => report
            .problem(format!("数据结构版本为 {found}，本程序只支持到 {SCHEMA_VERSION}：请使用更新版本的 zhiping 检查")),
        Some(found) if found < SCHEMA_VERSION => {
            report.notes.push(format!("数据结构版本为 {found}，启动服务时将迁移到 {SCHEMA_VERSION}"))
        }
        Some(_) => report.notes.push(format!("数据结构版本 {SCHEMA_VERSION}")),
    }
    match integrity {
        Integrity::Checked(true) => report.notes.push("数据库内部结构检查正常".into()),
        Integrity::Checked(false) => report.problem("数据库内部结构检查未通过（redb 报告文件损坏）".into()),
        Integrity::Skipped => {
            report.notes.push("服务正在运行，数据库内部结构检查已跳过（停止服务后运行 check 可检查）".into())
        }
    }
    let known: Vec<&str> = tables::ALL.iter().map(AnyTable::name).collect();
    for name in read.table_names()? {
        if !known.contains(&name.as_str()) {
            report.problem(format!("数据库中有本程序不认识的表 {name}"));
        }
    }
    progress("正在检查账号、会话与索引……".into());
    let accounts = check_accounts(read, &mut report)?;
    let mut files = Files::default();
    progress("正在检查申报与评审记录……".into());
    check_submissions(read, &accounts, &mut files, &mut report)?;
    check_notices(read, &mut files, &mut report)?;
    check_audit(read, &mut report)?;
    check_blobs(blobs, &files, &mut report, progress);
    let referenced = referenced_files(read)?;
    // While the server runs, an upload stores its blob a moment before the record naming it is committed.
    let grace = match integrity {
        Integrity::Skipped => ORPHAN_GRACE,
        Integrity::Checked(_) => Duration::ZERO,
    };
    check_orphans(blobs, &referenced, grace, &mut report);
    Ok(report)
}

fn decode<T: DeserializeOwned>(report: &mut Report, kind: &str, key: &str, bytes: &[u8]) -> Option<T> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Some(value),
        Err(error) => {
            report.problem(format!("{kind} {key} 的记录无法解析：{error}"));
            None
        }
    }
}

/// Records of a u64-keyed table, decoded; undecodable ones are reported.
fn records<T: DeserializeOwned>(
    read: &ReadTx,
    table: redb::TableDefinition<u64, &[u8]>,
    kind: &str,
    report: &mut Report,
) -> Result<BTreeMap<u64, T>, StoreError> {
    let mut out = BTreeMap::new();
    read.visit_records(table, &mut |id, bytes| {
        if let Some(record) = decode(report, kind, &format!("#{id}"), bytes) {
            out.insert(id, record);
        }
    })?;
    Ok(out)
}

fn check_accounts(read: &ReadTx, report: &mut Report) -> Result<BTreeMap<u64, Account>, StoreError> {
    let accounts: BTreeMap<u64, Account> = records(read, tables::ACCOUNTS, "账号", report)?;
    report.count("账号", accounts.len());
    for (id, account) in &accounts {
        if account.id != *id {
            report.problem(format!("账号 #{id} 的记录写着编号 {}", account.id));
        }
    }
    let by_username: HashMap<String, u64> = read.lookup_entries(tables::ACCOUNT_BY_USERNAME)?.into_iter().collect();
    for (username, id) in &by_username {
        match accounts.get(id) {
            None => report.problem(format!("登录名索引中的一项指向不存在的账号 #{id}")),
            Some(account) if &account.username != username => {
                report.problem(format!("登录名索引与账号 #{id} 的登录名不一致"))
            }
            Some(_) => {}
        }
    }
    for (id, account) in &accounts {
        if by_username.get(&account.username) != Some(id) {
            report.problem(format!("账号 #{id} 不在登录名索引中（或索引指向别的账号）"));
        }
    }
    let by_org: HashSet<(String, u64)> = read.multimap_entries(tables::ACCOUNTS_BY_ORG)?.into_iter().collect();
    for (key, id) in &by_org {
        match accounts.get(id) {
            None => report.problem(format!("单位索引 {key} 指向不存在的账号 #{id}")),
            Some(account) if &org_key(account.org) != key => {
                report.problem(format!("单位索引 {key} 列出账号 #{id}，但该账号属于 {}", org_key(account.org)))
            }
            Some(_) => {}
        }
    }
    for (id, account) in &accounts {
        if !by_org.contains(&(org_key(account.org), *id)) {
            report.problem(format!("账号 #{id} 不在其单位 {} 的索引中", org_key(account.org)));
        }
    }
    let mut sessions: HashMap<String, u64> = HashMap::new();
    read.visit_keyed(tables::SESSIONS, &mut |key, bytes| {
        if let Some(session) = decode::<Session>(report, "会话", &short(key), bytes) {
            sessions.insert(key.to_string(), session.account_id);
        }
    })?;
    report.count("会话", sessions.len());
    for account_id in sessions.values() {
        if !accounts.contains_key(account_id) {
            report.problem(format!("一个会话属于不存在的账号 #{account_id}"));
        }
    }
    let links: HashSet<(u64, String)> = read.session_links()?.into_iter().collect();
    for (account_id, key) in &links {
        if sessions.get(key) != Some(account_id) {
            report.problem(format!("账号 #{account_id} 的会话索引指向不存在（或属于别人）的会话"));
        }
    }
    for (key, account_id) in &sessions {
        if !links.contains(&(*account_id, key.clone())) {
            report.problem(format!("账号 #{account_id} 的一个会话不在其会话索引中（重置密码时不会被结束）"));
        }
    }
    let mut tokens = 0;
    read.visit_keyed(tables::API_TOKENS, &mut |key, bytes| {
        if let Some(token) = decode::<ApiToken>(report, "接口令牌", &short(key), bytes) {
            tokens += 1;
            if !accounts.contains_key(&token.account_id) {
                report.problem(format!("接口令牌 #{} 属于不存在的账号 #{}", token.id, token.account_id));
            }
        }
    })?;
    report.count("接口令牌", tokens);
    Ok(accounts)
}

fn check_submissions(
    read: &ReadTx,
    accounts: &BTreeMap<u64, Account>,
    files: &mut Files,
    report: &mut Report,
) -> Result<(), StoreError> {
    let departments: BTreeMap<u64, serde_json::Value> = records(read, tables::DEPARTMENTS, "主管部门", report)?;
    let schools: BTreeMap<u64, serde_json::Value> = records(read, tables::SCHOOLS, "学校", report)?;
    let projects: BTreeMap<u64, serde_json::Value> = records(read, tables::PROJECTS, "项目", report)?;
    report.count("主管部门", departments.len());
    report.count("学校", schools.len());
    report.count("项目", projects.len());

    let mut stored: BTreeMap<String, StoredFile> = BTreeMap::new();
    read.visit_keyed(tables::FILES, &mut |key, bytes| {
        if let Some(file) = decode::<StoredFile>(report, "文件记录", &short(key), bytes) {
            stored.insert(key.to_string(), file);
        }
    })?;

    let by_teacher: HashMap<String, u64> = read.lookup_entries(tables::SUBMISSION_BY_TEACHER)?.into_iter().collect();
    let by_key: HashSet<(String, u64)> = read.multimap_entries(tables::SUBMISSIONS_BY_KEY)?.into_iter().collect();
    let mut submissions: BTreeMap<u64, (u64, u64, u64, u64)> = BTreeMap::new();
    let mut problems = Vec::new();
    read.visit_records(tables::SUBMISSIONS, &mut |id, bytes| {
        let Some(submission) = decode::<Submission>(report, "申报", &format!("#{id}"), bytes) else { return };
        let what = format!("申报 #{id}");
        if submission.id != id {
            problems.push(format!("{what} 的记录写着编号 {}", submission.id));
        }
        if !accounts.contains_key(&submission.teacher_id) {
            problems.push(format!("{what} 属于不存在的教师账号 #{}", submission.teacher_id));
        }
        if !projects.contains_key(&submission.project_id) {
            problems.push(format!("{what} 属于不存在的项目 #{}", submission.project_id));
        }
        if !schools.contains_key(&submission.school_id) {
            problems.push(format!("{what} 属于不存在的学校 #{}", submission.school_id));
        }
        if by_teacher.get(&format!("{}:{}", submission.project_id, submission.teacher_id)) != Some(&id) {
            problems.push(format!("{what} 不在“每位教师每个项目一份申报”的索引中"));
        }
        for key in [
            format!("project:{}", submission.project_id),
            format!("school:{}", submission.school_id),
            format!("department:{}", submission.department_id),
            format!("teacher:{}", submission.teacher_id),
        ] {
            if !by_key.contains(&(key.clone(), id)) {
                problems.push(format!("{what} 不在索引 {key} 中"));
            }
        }
        submissions
            .insert(id, (submission.project_id, submission.teacher_id, submission.school_id, submission.department_id));
        // Every file of the working copy and of every submitted version.
        let mut found = Vec::new();
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            file_refs(&value, &mut found);
        }
        for (sha256, size) in found {
            files.add(&sha256, size, || what.clone());
            match stored.get(&sha256) {
                None => problems.push(format!("{what} 引用的文件 {} 没有文件记录（无法下载）", short(&sha256))),
                Some(file) if !file.submissions.contains(&id) => {
                    problems.push(format!("{what} 引用的文件 {} 的记录未列出该申报（无法下载）", short(&sha256)))
                }
                Some(_) => {}
            }
        }
    })?;
    report.problems.append(&mut problems);
    report.count("申报", submissions.len());
    for (key, id) in &by_teacher {
        match submissions.get(id) {
            None => report.problem(format!("申报索引 {key} 指向不存在的申报 #{id}")),
            Some((project, teacher, ..)) if &format!("{project}:{teacher}") != key => {
                report.problem(format!("申报索引 {key} 指向的申报 #{id} 属于别的教师或项目"))
            }
            Some(_) => {}
        }
    }
    for (key, id) in &by_key {
        let Some((project, teacher, school, department)) = submissions.get(id) else {
            report.problem(format!("申报索引 {key} 指向不存在的申报 #{id}"));
            continue;
        };
        let expected = match key.split_once(':') {
            Some(("project", _)) => format!("project:{project}"),
            Some(("teacher", _)) => format!("teacher:{teacher}"),
            Some(("school", _)) => format!("school:{school}"),
            Some(("department", _)) => format!("department:{department}"),
            _ => String::new(),
        };
        if &expected != key {
            report.problem(format!("申报索引 {key} 列出申报 #{id}，但该申报现为 {expected}"));
        }
    }
    for (sha256, file) in &stored {
        if &file.sha256 != sha256 {
            report.problem(format!("文件记录 {} 写着别的校验值", short(sha256)));
        }
        files.add(sha256, Some(file.size), || format!("文件记录 {}", short(sha256)));
        for id in &file.submissions {
            if !submissions.contains_key(id) {
                report.problem(format!("文件记录 {} 列出不存在的申报 #{id}", short(sha256)));
            }
        }
    }
    report.count("申报文件记录", stored.len());

    let mut summaries = 0;
    read.visit_records(tables::SUBMISSION_SUMMARIES, &mut |id, _| {
        summaries += 1;
        if !submissions.contains_key(&id) {
            report.problem(format!("列表摘要 #{id} 没有对应的申报"));
        }
    })?;
    if summaries != submissions.len() {
        report.notes.push("列表摘要与申报数量不一致，启动服务时会重建".into());
    }
    let reviews: BTreeMap<u64, serde_json::Value> = records(read, tables::REVIEWS, "评审记录", report)?;
    for id in reviews.keys() {
        if !submissions.contains_key(id) {
            report.problem(format!("评审记录 #{id} 没有对应的申报"));
        }
    }
    report.count("评审记录", reviews.len());
    for (key, id) in read.multimap_entries(tables::SUBMISSIONS_BY_EXPERT)? {
        if !submissions.contains_key(&id) {
            report.problem(format!("专家索引 {key} 指向不存在的申报 #{id}"));
        }
        let expert = key.strip_prefix("expert:").and_then(|id| id.parse::<u64>().ok());
        if !expert.is_some_and(|expert| accounts.contains_key(&expert)) {
            report.problem(format!("专家索引 {key} 不是存在的专家账号"));
        }
    }
    let messages: BTreeMap<u64, Message> = records(read, tables::MESSAGES, "消息", report)?;
    report.count("消息", messages.len());
    for (key, id) in read.multimap_entries(tables::MESSAGES_BY_TEACHER)? {
        match messages.get(&id) {
            None => report.problem(format!("消息索引 {key} 指向不存在的消息 #{id}")),
            Some(message) if key != format!("teacher:{}", message.teacher_id) => {
                report.problem(format!("消息索引 {key} 列出别的教师的消息 #{id}"))
            }
            Some(_) => {}
        }
    }
    let mut codes = HashSet::new();
    read.visit_keyed(tables::VERIFICATIONS, &mut |code, bytes| {
        if let Some(record) = decode::<VerificationRecord>(report, "验证码", code, bytes) {
            if !submissions.contains_key(&record.submission_id) {
                report.problem(format!("验证码 {code} 指向不存在的申报 #{}", record.submission_id));
            }
            codes.insert(code.to_string());
        }
    })?;
    report.count("打印验证码", codes.len());
    read.visit_keyed(tables::VERIFICATION_BY_CONTENT, &mut |key, bytes| {
        if let Some(code) = decode::<String>(report, "验证码索引", &short(key), bytes)
            && !codes.contains(&code)
        {
            report.problem(format!("验证码索引 {} 指向不存在的验证码", short(key)));
        }
    })?;
    Ok(())
}

fn check_notices(read: &ReadTx, files: &mut Files, report: &mut Report) -> Result<(), StoreError> {
    let mut uploaded = BTreeSet::new();
    read.visit_keyed(tables::NOTICE_FILES, &mut |key, bytes| {
        if let Some(file) = decode::<UploadedFile>(report, "通知附件记录", &short(key), bytes) {
            if file.sha256 != key {
                report.problem(format!("通知附件记录 {} 写着别的校验值", short(key)));
            }
            files.add(key, Some(file.size), || format!("通知附件记录 {}", short(key)));
            uploaded.insert(key.to_string());
        }
    })?;
    for (table, kind) in [(tables::NOTICES, "通知"), (tables::MATERIALS, "资料")] {
        let mut count = 0;
        read.visit_records(table, &mut |id, bytes| {
            let Some(value) = decode::<serde_json::Value>(report, kind, &format!("#{id}"), bytes) else { return };
            count += 1;
            let mut found = Vec::new();
            file_refs(&value, &mut found);
            for (sha256, size) in found {
                files.add(&sha256, size, || format!("{kind} #{id}"));
                if !uploaded.contains(&sha256) {
                    report.problem(format!("{kind} #{id} 的文件 {} 没有上传记录", short(&sha256)));
                }
            }
        })?;
        report.count(kind, count);
    }
    Ok(())
}

fn check_audit(read: &ReadTx, report: &mut Report) -> Result<(), StoreError> {
    let mut seq = 0u64;
    let mut hash = GENESIS.to_string();
    let mut broken: Option<String> = None;
    read.visit_records(tables::AUDIT, &mut |key, bytes| {
        if broken.is_some() {
            return;
        }
        let entry: AuditEntry = match serde_json::from_slice(bytes) {
            Ok(entry) => entry,
            Err(error) => {
                broken = Some(format!("审计日志第 {key} 条无法解析：{error}"));
                return;
            }
        };
        if key != seq + 1 || entry.seq != key || entry.prev_hash != hash || entry.compute_hash() != entry.hash {
            broken = Some(format!("审计日志的哈希链在第 {key} 条断开（记录被修改或删除）"));
            return;
        }
        seq = key;
        hash = entry.hash;
    })?;
    report.count("审计日志", seq as usize);
    match broken {
        Some(problem) => report.problem(problem),
        None => report.notes.push(format!("审计日志哈希链完整（{seq} 条）")),
    }
    Ok(())
}

fn check_blobs(blobs: &BlobStore, files: &Files, report: &mut Report, progress: &mut dyn FnMut(String)) {
    let total = files.0.len();
    let mut last = Instant::now();
    let mut bytes = 0u64;
    for (index, (sha256, usage)) in files.0.iter().enumerate() {
        if last.elapsed() > Duration::from_secs(2) {
            progress(format!("正在校验文件 {index}/{total}……"));
            last = Instant::now();
        }
        let Some(path) = blobs.path_of(sha256) else {
            report.problem(format!("{} 引用的文件校验值格式无效：{sha256}", usage.by));
            continue;
        };
        let size = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta.len(),
            _ => {
                report.problem(format!("{} 引用的文件 {} 缺失", usage.by, short(sha256)));
                continue;
            }
        };
        bytes += size;
        if let Some(expected) = usage.size
            && expected != size
        {
            report.problem(format!(
                "{} 引用的文件 {} 大小应为 {expected} 字节，实际 {size} 字节",
                usage.by,
                short(sha256)
            ));
            continue;
        }
        match blobs.verify(sha256) {
            Ok(true) => {}
            Ok(false) => {
                report.problem(format!("{} 引用的文件 {} 内容与校验值不符（已损坏）", usage.by, short(sha256)))
            }
            Err(error) => report.problem(format!("{} 引用的文件 {} 无法读取：{error}", usage.by, short(sha256))),
        }
    }
    report.count("文件（已逐个校验 SHA-256）", total);
    report.file_bytes = bytes;
}

/// Blobs no record names: a refused upload that was not cleaned up, or a record lost after its file was stored.
/// Either way disk is spent on a file nobody can reach, and a backup would not carry it.
fn check_orphans(blobs: &BlobStore, referenced: &BTreeMap<String, Option<u64>>, grace: Duration, report: &mut Report) {
    let stored = match blobs.list() {
        Ok(stored) => stored,
        Err(error) => {
            report.problem(format!("无法列出文件存储中的文件：{error}"));
            return;
        }
    };
    let now = crate::clock::file_time();
    let mut recent = 0;
    for (sha256, modified) in stored {
        if referenced.contains_key(&sha256) {
            continue;
        }
        if !grace.is_zero() && (modified > now || now.duration_since(modified).is_ok_and(|age| age < grace)) {
            recent += 1;
            continue;
        }
        report.problem(format!("文件 {} 没有任何记录引用（孤立文件，可在确认后删除）", short(&sha256)));
    }
    if recent > 0 {
        report.notes.push(format!("{recent} 个未被引用的文件写入不足一小时，可能是正在进行的上传，未计为问题"));
    }
}

/// The first 12 hex digits: enough to find a file, short enough to read.
fn short(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Role;
    use crate::domain::org::OrgRef;
    use crate::store::{Store, WriteTx};

    fn account(id: u64, username: &str) -> Account {
        Account {
            id,
            username: username.into(),
            name: "测试".into(),
            role: Role::CityAdmin,
            org: OrgRef::City,
            password_hash: None,
            must_change_password: true,
            failed_logins: 0,
            frozen_until: None,
            disabled: false,
            created_at: crate::clock::Clock::system().now(),
            teacher: None,
            expert_subjects: Vec::new(),
            moves: Vec::new(),
        }
    }

    fn report_of(work: impl FnOnce(&WriteTx) -> Result<(), StoreError>) -> Report {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("zhiping.redb")).unwrap();
        let blobs = BlobStore::open(&dir.path().join("files")).unwrap();
        store.write(work).unwrap();
        let read = store.read().unwrap();
        run(&read, &blobs, Integrity::Skipped, &mut |_| {}).unwrap()
    }

    #[test]
    fn a_blob_no_record_names_is_an_orphan() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.redb")).unwrap();
        let blobs = BlobStore::open(&dir.path().join("files")).unwrap();
        let kept = blobs.put_bytes(b"referenced").unwrap();
        let orphan = blobs.put_bytes(b"nobody's").unwrap();
        store
            .write(|tx| {
                let file = UploadedFile {
                    sha256: kept.sha256.clone(),
                    size: kept.size,
                    kind: "bin".into(),
                    text: String::new(),
                    uploaded_by: 1,
                    uploaded_at: crate::clock::Clock::system().now(),
                };
                tx.put_keyed(tables::NOTICE_FILES, &kept.sha256, &file)
            })
            .unwrap();
        let read = store.read().unwrap();
        let report = run(&read, &blobs, Integrity::Checked(true), &mut |_| {}).unwrap();
        let orphans: Vec<&String> = report.problems.iter().filter(|problem| problem.contains("孤立文件")).collect();
        assert_eq!(orphans.len(), 1, "{:?}", report.problems);
        assert!(orphans[0].contains(&orphan.sha256[..12]));
        // While the server runs, a fresh one may be an upload in progress.
        let report = run(&read, &blobs, Integrity::Skipped, &mut |_| {}).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
    }

    #[test]
    fn a_consistent_database_is_clean() {
        let report = report_of(|tx| {
            tx.put(&account(5, "admin"))?;
            tx.set_lookup(tables::ACCOUNT_BY_USERNAME, "admin", 5)?;
            tx.multimap_insert(tables::ACCOUNTS_BY_ORG, "city", 5)
        });
        assert!(report.is_clean(), "{:?}", report.problems);
        assert!(report.lines().last().is_some_and(|line| line.contains("检查通过")));
    }

    #[test]
    fn broken_references_indexes_sessions_and_audit_chain_are_found() {
        let report = report_of(|tx| {
            // An account missing from both of its indexes, and index entries pointing nowhere.
            tx.put(&account(5, "admin"))?;
            tx.set_lookup(tables::ACCOUNT_BY_USERNAME, "ghost", 99)?;
            tx.multimap_insert(tables::ACCOUNTS_BY_ORG, "school:3", 5)?;
            // A session of an account that does not exist, not linked to it.
            let now = crate::clock::Clock::system().now();
            let session = Session {
                account_id: 77,
                created_at: now,
                last_seen: now,
                csrf: "x".into(),
                pledge_served: Default::default(),
            };
            tx.put_keyed(tables::SESSIONS, &"ab".repeat(32), &session)?;
            // An audit entry whose hash does not match.
            let mut entry = AuditEntry {
                seq: 1,
                at: now,
                actor_id: None,
                actor_name: String::new(),
                address: String::new(),
                action: "test".into(),
                target: String::new(),
                detail: String::new(),
                prev_hash: GENESIS.into(),
                hash: String::new(),
            };
            entry.hash = entry.compute_hash();
            entry.detail = "edited afterwards".into();
            tx.put_at(tables::AUDIT, 1, &entry)?;
            // A notice naming a file that was never uploaded (and is not stored).
            let notice = serde_json::json!({"id": 9, "attachments": [{"sha256": "cd".repeat(32), "size": 3}]});
            tx.put_at(tables::NOTICES, 9, &notice)?;
            // A submission of nobody, in no index, with a file the files table does not list.
            let mut filing = crate::domain::filing::Filing::default();
            filing.achievements[0].achievement_file = Some(crate::domain::filing::FileRef {
                sha256: "ef".repeat(32),
                name: "成果.pdf".into(),
                size: 4,
                kind: "pdf".into(),
            });
            tx.put(&Submission {
                id: 20,
                project_id: 1,
                teacher_id: 66,
                school_id: 2,
                department_id: 3,
                state: crate::domain::submission::SubmissionState::Draft,
                filing,
                pledge: None,
                versions: Vec::new(),
                history: Vec::new(),
                result: None,
                created_at: now,
                updated_at: now,
            })
        });
        let all = report.problems.join("\n");
        for expected in [
            "登录名索引中的一项指向不存在的账号 #99",
            "账号 #5 不在登录名索引中",
            "单位索引 school:3 列出账号 #5",
            "账号 #5 不在其单位 city 的索引中",
            "一个会话属于不存在的账号 #77",
            "不在其会话索引中",
            "审计日志的哈希链在第 1 条断开",
            "通知 #9 的文件 cdcdcdcdcdcd 没有上传记录",
            "通知 #9 引用的文件 cdcdcdcdcdcd 缺失",
            "申报 #20 属于不存在的教师账号 #66",
            "申报 #20 属于不存在的项目 #1",
            "申报 #20 不在“每位教师每个项目一份申报”的索引中",
            "申报 #20 不在索引 teacher:66 中",
            "申报 #20 引用的文件 efefefefefef 没有文件记录",
        ] {
            assert!(all.contains(expected), "missing “{expected}” in:\n{all}");
        }
        assert!(!report.is_clean());
        assert!(report.lines().iter().any(|line| line.contains("发现")));
    }

    #[test]
    fn file_references_are_found_wherever_they_sit() {
        let value = serde_json::json!({
            "filing": {"achievements": [{"achievement_file": {"sha256": "aa", "size": 3},
                                         "evidence": {"formal": {"sha256": "bb", "size": 4}}}]},
            "versions": [{"filing": {"achievements": [{"contribution_file": {"sha256": "cc"}}]}}],
            "pledge": {"text_sha256": "not a file"}
        });
        let mut found = Vec::new();
        file_refs(&value, &mut found);
        found.sort();
        assert_eq!(found, [("aa".into(), Some(3)), ("bb".into(), Some(4)), ("cc".into(), None)]);
    }
}
