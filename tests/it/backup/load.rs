//! A backup taken through the running server while teachers save and upload: restored into a new directory it
//! checks clean, and a server started on it serves everything acknowledged before the backup began — the same
//! listings, the same file hashes.

use super::*;

#[test]
fn a_backup_under_load_restores_what_was_acknowledged() {
    let server = Server::demo();
    let writers = writers(&server);
    let admin = &writers[writers.len() - 1].client;
    let schools_before = text(admin.get(server.url("/api/v1/schools")).send().expect("schools"));
    let notices_before = text(admin.get(server.url("/api/v1/notices")).send().expect("notices"));

    let stop = Arc::new(AtomicBool::new(false));
    let handles = drive(&server.base, &writers, 7, &stop);
    // Run the load until it has acknowledged a fair number of uploads (at least a second).
    let started = std::time::Instant::now();
    let acknowledged = || writers.iter().map(|writer| writer.ledger.lock().unwrap().uploads.len()).sum::<usize>();
    while started.elapsed() < Duration::from_secs(1) || acknowledged() < 8 {
        assert!(started.elapsed() < Duration::from_secs(60), "the load acknowledged only {} uploads", acknowledged());
        pause(100);
    }
    let before: Vec<Ledger> = writers.iter().map(|writer| writer.ledger.lock().unwrap().clone()).collect();
    let out = tempfile::tempdir().expect("temp");
    let archive = out.path().join("backup.tar");
    let backup = zhiping(&["backup", "--out", &archive.to_string_lossy(), "--data", &server.data.to_string_lossy()]);
    pause(300);
    stop_all(&stop, handles);
    assert!(backup.status.success(), "backup: {}", describe(&backup));
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("备份完成") && said.contains("由运行中的服务生成"), "{said}");
    let files: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(files, ["backup.tar"], "only the verified archive is left");
    for writer in &writers {
        let ledger = writer.ledger.lock().unwrap();
        assert!(ledger.failures.is_empty(), "refused writes: {:?}", ledger.failures);
    }

    let restored = out.path().join("restored");
    let restore = zhiping(&["restore", &archive.to_string_lossy(), "--data", &restored.to_string_lossy()]);
    assert!(restore.status.success(), "restore: {}", describe(&restore));
    assert!(String::from_utf8_lossy(&restore.stdout).contains("检查通过"), "{}", describe(&restore));
    assert_check_clean(&restored, "restored");

    // The same clients: their sessions are in the backup too.
    let copy = Server::start(Options { data: Some(restored.clone()), ..Options::default() });
    assert_eq!(text(admin.get(copy.url("/api/v1/schools")).send().expect("schools")), schools_before);
    assert_eq!(text(admin.get(copy.url("/api/v1/notices")).send().expect("notices")), notices_before);
    for (writer, before) in writers.iter().zip(&before) {
        match writer.kind {
            Kind::Admin(_) => {
                let mut before = before.clone();
                before.import_pending = None;
                verify_admin(&copy, &restored, writer, &mut before, usize::MAX, "restored");
                continue;
            }
            Kind::Submitter => {
                let json: Value =
                    writer.client.get(copy.url("/api/v1/me/appraisal")).send().expect("read").json().expect("json");
                let versions = json["versions"].as_u64().unwrap_or(0);
                assert!(versions >= before.versions, "restored {versions} versions, acknowledged {}", before.versions);
                continue;
            }
            Kind::Teacher => {}
        }
        let (saved, slot) = stored_state(&copy, &writer.client);
        // At least as new as what was acknowledged when the backup started.
        assert!(saved >= before.saved, "restored draft {saved:?} is older than acknowledged {:?}", before.saved);
        if let Some((sequence, _)) = before.uploads.last() {
            let after = writer.ledger.lock().unwrap();
            let restored_sequence = after
                .uploads
                .iter()
                .chain(after.upload_pending.iter())
                .find_map(|(n, sha)| (Some(sha) == slot.as_ref()).then_some(*n));
            assert!(
                restored_sequence.is_some_and(|n| n >= *sequence),
                "restored evidence {slot:?} is not the one acknowledged before the backup (#{sequence}) or later"
            );
        }
        for (_, sha) in &before.uploads {
            assert_eq!(downloaded_hash(&copy, &writer.client, &format!("/api/v1/files/{sha}")), *sha);
        }
    }
}
