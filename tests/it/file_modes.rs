//! What zhiping writes — data directory, database, uploaded files, staged imports, search index, backups — is
//! private to its user (0600 / 0700), even when it is started with a permissive umask.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

use crate::admin_support::Api;
use crate::appraisal::pledged;
use crate::backup::{describe, unique_doc};
use crate::support::*;

/// Every path under `root` (itself included) whose mode gives the group or others any access.
fn readable_by_others(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = std::fs::symlink_metadata(&path).expect("metadata");
        let mode = metadata.permissions().mode();
        if mode & 0o077 != 0 {
            found.push(format!("{:o} {}", mode & 0o777, path.display()));
        }
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read dir") {
                pending.push(entry.expect("entry").path());
            }
        }
    }
    found
}

#[test]
fn data_files_and_backups_are_private_whatever_the_umask() {
    let server = Server::start(Options { umask: Some(0), ..Options::demo() });
    // An upload (a blob), a staged import and a saved draft.
    let teacher = pledged(&server, &["刁彬彬"]).remove(0);
    let saved = teacher
        .put(server.url("/api/v1/me/appraisal"))
        .json(&json!({"research_direction": "权限测试", "achievements": [{"title": "权限测试成果"}]}))
        .send()
        .expect("save");
    assert_eq!(saved.status().as_u16(), 200, "{}", text(saved));
    let uploaded = teacher
        .put(server.url("/api/v1/me/appraisal/achievements/0/files/evidence.formal"))
        .query(&[("name", "证明.doc")])
        .header("content-type", "application/octet-stream")
        .body(unique_doc(&mut StdRng::seed_from_u64(7), 30_000))
        .send()
        .expect("upload");
    assert_eq!(uploaded.status().as_u16(), 200, "{}", text(uploaded));
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let staged = school.upload("/teachers/import?dry_run=true", "身份证号,姓名\n".as_bytes().to_vec());
    assert!(staged.status().as_u16() < 500);

    let temp = tempfile::tempdir().expect("temp");
    let archive = temp.path().join("backups/zhiping.tar");
    std::fs::create_dir_all(archive.parent().expect("parent")).expect("backup dir");
    let output = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" \"$@\"")
        .arg(binary())
        .args(["backup", "--out", &archive.to_string_lossy(), "--data", &server.data.to_string_lossy()])
        .env_remove("ZHIPING_CONFIG")
        .env("ZHIPING_LOG_LEVEL", "warn")
        .output()
        .expect("backup");
    assert!(output.status.success(), "{}", describe(&output));

    assert!(server.data.join("files/blobs").is_dir() && server.data.join("imports").is_dir());
    let open = readable_by_others(&server.data);
    assert!(open.is_empty(), "readable by group or others: {open:#?}");
    let archive_mode = std::fs::metadata(&archive).expect("archive").permissions().mode() & 0o777;
    assert_eq!(archive_mode, 0o600, "the backup archive");
}
