//! Backups of a running and of a stopped server, and what restore and check refuse: a non-empty directory, a
//! truncated archive, a flipped byte, a foreign file — each with a clear message, a non-zero exit and nothing left
//! behind — and a damaged or missing file after a restore.

use super::*;

fn path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The restore failed with a message containing `needle` and left no data in `dir`.
fn assert_refused(output: &Output, needle: &str, dir: &Path) {
    assert!(!output.status.success(), "restore should fail: {}", describe(output));
    assert!(stderr(output).contains(needle), "message should say {needle}: {}", describe(output));
    if dir.exists() {
        let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert!(left.is_empty(), "a refused restore left {left:?}");
    }
}

#[test]
fn restore_and_check_refuse_what_is_wrong() {
    let out = tempfile::tempdir().expect("temp");
    let mut server = Server::demo();
    let data = server.data.clone();
    // Leftovers of an interrupted backup are swept at the next start.
    std::fs::create_dir_all(data.join("backup-tmp")).unwrap();
    std::fs::write(data.join("backup-tmp/0123.redb"), b"partial snapshot").unwrap();

    // While the server runs: through the admin channel (and the check too); the success is a metric.
    let online = out.path().join("online.tar");
    let backup = zhiping(&["backup", "--out", &path(&online), "--data", &path(&data)]);
    assert!(backup.status.success(), "{}", describe(&backup));
    assert!(String::from_utf8_lossy(&backup.stdout).contains("由运行中的服务生成"), "{}", describe(&backup));
    let check = zhiping(&["check", "--data", &path(&data)]);
    assert!(check.status.success(), "{}", describe(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("跳过"), "online check notes the skipped part");
    let metrics = text(server.client().get(server.url("/metrics")).send().expect("metrics"));
    assert!(metrics.contains("zhiping_backup_last_success_timestamp_seconds"), "{metrics}");
    server.stop();
    let socket = data.join("admin.sock");
    assert!(socket.exists(), "the socket of the killed server is still there");

    // Stopped (a stale socket): straight from the data directory.
    let offline = out.path().join("offline.tar");
    let backup = zhiping(&["backup", "--out", &path(&offline), "--data", &path(&data)]);
    assert!(backup.status.success(), "{}", describe(&backup));
    assert!(String::from_utf8_lossy(&backup.stdout).contains("直接读取数据目录"), "{}", describe(&backup));
    let check = zhiping(&["check", "--data", &path(&data)]);
    assert!(check.status.success(), "{}", describe(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("数据库内部结构检查正常"), "{}", describe(&check));
    let bytes = std::fs::read(&offline).unwrap();

    // Into a directory that holds anything: refused, untouched.
    let busy = out.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), b"mine").unwrap();
    let restore = zhiping(&["restore", &path(&offline), "--data", &path(&busy)]);
    assert!(!restore.status.success());
    assert!(stderr(&restore).contains("不是空目录"), "{}", describe(&restore));
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);
    assert_eq!(std::fs::read(busy.join("keep.txt")).unwrap(), b"mine");

    // Truncated at several places.
    for (index, cut) in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 2_000].into_iter().enumerate() {
        let truncated = out.path().join(format!("truncated{index}.tar"));
        std::fs::write(&truncated, &bytes[..cut]).unwrap();
        let target = out.path().join(format!("t{index}"));
        let restore = zhiping(&["restore", &path(&truncated), "--data", &path(&target)]);
        assert!(!restore.status.success(), "{}", describe(&restore));
        let said = stderr(&restore);
        assert!(said.contains("不完整") || said.contains("已损坏"), "cut at {cut}: {said}");
        assert_refused(&restore, "恢复失败", &target);
    }
    // One byte flipped in the middle of the database snapshot, or of a file.
    for (index, wanted) in ["zhiping.redb", "files/blobs/"].into_iter().enumerate() {
        let mut tampered_bytes = bytes.clone();
        let middle = {
            let mut archive = tar::Archive::new(bytes.as_slice());
            let entry = archive
                .entries()
                .unwrap()
                .map(Result::unwrap)
                .find(|entry| entry.path().unwrap().to_string_lossy().starts_with(wanted))
                .expect("the entry");
            (entry.raw_file_position() + entry.size() / 2) as usize
        };
        tampered_bytes[middle] ^= 0x40;
        let tampered = out.path().join(format!("tampered{index}.tar"));
        std::fs::write(&tampered, &tampered_bytes).unwrap();
        let target = out.path().join(format!("tampered{index}"));
        std::fs::create_dir_all(&target).unwrap();
        let restore = zhiping(&["restore", &path(&tampered), "--data", &path(&target)]);
        assert_refused(&restore, "校验值不符", &target);
    }
    // Not a backup at all.
    let foreign = out.path().join("foreign.tar");
    std::fs::write(&foreign, b"just some text, not an archive").unwrap();
    let target = out.path().join("foreign");
    let restore = zhiping(&["restore", &path(&foreign), "--data", &path(&target)]);
    assert_refused(&restore, "不是 zhiping 备份文件", &target);

    // A good one restores and checks clean; then a file damaged or removed is found by the check.
    let restored = out.path().join("restored");
    let restore = zhiping(&["restore", &path(&online), "--data", &path(&restored)]);
    assert!(restore.status.success(), "{}", describe(&restore));
    assert!(!restored.join(".restore-tmp").exists());
    assert_check_clean(&restored, "restored");
    let blobs = walk_files(&restored.join("files/blobs"));
    assert!(blobs.len() >= 2, "the demo data has files: {blobs:?}");
    // A missing file: the backup carries everything else, names what is missing and exits non-zero.
    std::fs::remove_file(&blobs[1]).unwrap();
    let partial = out.path().join("partial.tar");
    let backup = zhiping(&["backup", "--out", &path(&partial), "--data", &path(&restored)]);
    assert_eq!(backup.status.code(), Some(1), "{}", describe(&backup));
    assert!(stderr(&backup).contains("缺失") && partial.exists(), "{}", describe(&backup));
    // A damaged file fails the backup (nothing is left under the name) and the check names both.
    let mut damaged = std::fs::read(&blobs[0]).unwrap();
    damaged[0] ^= 0x01;
    std::fs::write(&blobs[0], damaged).unwrap();
    let failed = out.path().join("failed.tar");
    let backup = zhiping(&["backup", "--out", &path(&failed), "--data", &path(&restored)]);
    assert!(!backup.status.success() && stderr(&backup).contains("已损坏"), "{}", describe(&backup));
    assert!(!failed.exists(), "a failed backup leaves no archive");
    let temporary = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_string_lossy().ends_with(".zhiping-part"))
        .count();
    assert_eq!(temporary, 0, "nor a temporary file");
    let check = zhiping(&["check", "--data", &path(&restored)]);
    assert_eq!(check.status.code(), Some(1), "{}", describe(&check));
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(said.contains("发现 2 个问题") && said.contains("已损坏") && said.contains("缺失"), "{said}");

    // A directory a restore was interrupted in is not served.
    let interrupted = out.path().join("interrupted");
    std::fs::create_dir_all(interrupted.join(".restore-tmp/files")).unwrap();
    let (mut child, banner, url) =
        spawn(&interrupted, &Options::default()).expect("spawn on the interrupted directory");
    let _ = child.wait();
    assert!(url.is_none(), "a half-restored directory must not be served: {banner:?}");
    assert!(!interrupted.join("zhiping.redb").exists(), "no fresh database was created there");

    // The swept leftovers.
    let server = Server::start(Options { data: Some(data.clone()), ..Options::default() });
    assert_eq!(std::fs::read_dir(data.join("backup-tmp")).unwrap().count(), 0, "backup leftovers swept");
    drop(server);
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk_files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}
