//! Crash safety: SIGKILL at random moments while teachers save, upload, submit and withdraw and the city admin
//! uploads, publishes and imports teachers; after each kill `zhiping check` must be clean, and after the restart
//! every acknowledged write must be there with its content. `CRASH_ROUNDS` (default 30) and `CRASH_SEED` change the
//! run (`ROUNDS=200 bash benches/backup.sh` runs 200).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

#[test]
fn every_acknowledged_write_survives_sigkill() {
    let rounds = env_number("CRASH_ROUNDS", 30);
    let seed = env_number("CRASH_SEED", 20_260_301);
    let started = std::time::Instant::now();
    let mut first = Server::demo();
    let data = first.data.clone();
    let writers = writers(&first);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut server: Option<Server> = None;
    let mut acknowledged = 0usize;
    let mut cut_off = 0usize;
    let mut imports = 0usize;
    let mut submissions = 0u64;
    for round in 0..=rounds {
        let context = format!("seed {seed}, round {round}");
        let current = match &server {
            Some(server) => server,
            None => &first,
        };
        if round > 0 {
            verify(current, &data, &writers, &context);
        }
        if round == rounds {
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let handles = drive(&current.base, &writers, seed ^ (round << 20), &stop);
        pause(rng.random_range(50..700));
        // SIGKILL, mid-whatever.
        match server.as_mut() {
            Some(server) => server.stop(),
            None => first.stop(),
        }
        stop_all(&stop, handles);
        for writer in &writers {
            let ledger = writer.ledger.lock().unwrap();
            assert!(ledger.failures.is_empty(), "{context}: refused writes: {:?}", ledger.failures);
            cut_off += usize::from(ledger.save_pending.is_some())
                + usize::from(ledger.upload_pending.is_some())
                + usize::from(ledger.import_pending.is_some())
                + usize::from(ledger.transition_pending.is_some());
        }
        assert_check_clean_but_orphans(&data, &format!("{context}, after the kill"));
        server = Some(Server::start(Options { data: Some(data.clone()), ..Options::default() }));
    }
    for writer in &writers {
        let ledger = writer.ledger.lock().unwrap();
        imports += ledger.imports.len();
        submissions += ledger.versions;
        acknowledged += ledger.uploads.len()
            + ledger.materials.len()
            + ledger.imports.len()
            + ledger.versions as usize
            + usize::from(ledger.saved.is_some());
    }
    // The last start removed the files the kills cut off before their records: stopped idle, the check is clean.
    if let Some(server) = server.as_mut() {
        server.stop();
    }
    assert_check_clean(&data, &format!("seed {seed}, after the last restart"));
    assert!(acknowledged > rounds as usize, "seed {seed}: too few writes were acknowledged ({acknowledged})");
    assert!(imports > 0 && submissions > 0, "seed {seed}: no import or no submission was acknowledged");
    eprintln!(
        "crash test: {rounds} rounds, {acknowledged} acknowledged writes checked ({imports} imports of 10 teachers, \
         {submissions} submitted versions), \
         {cut_off} requests unanswered at the kill, {:?}",
        started.elapsed()
    );
}

/// After a restart: the draft and the file slot hold the last acknowledged value (or the one in flight at the
/// kill), every acknowledged upload is stored intact and downloads with its hash, every material is listed.
fn verify(server: &Server, data: &Path, writers: &[Writer], context: &str) {
    for (index, writer) in writers.iter().enumerate() {
        let mut ledger = writer.ledger.lock().unwrap();
        match writer.kind {
            Kind::Admin(_) => {
                // The materials acknowledged lately (all of them are in the check's file hashing).
                verify_admin(server, data, writer, &mut ledger, 3, context);
                continue;
            }
            Kind::Submitter => {
                verify_submitter(server, writer, &mut ledger, context);
                continue;
            }
            Kind::Teacher => {}
        }
        let (saved, slot) = stored_state(server, &writer.client);
        assert!(
            saved == ledger.saved || (saved.is_some() && saved == ledger.save_pending),
            "{context}: teacher {index} has draft {saved:?}, acknowledged {:?}, in flight {:?}",
            ledger.saved,
            ledger.save_pending
        );
        let acked_slot = ledger.last_upload().map(str::to_string);
        let pending_slot = ledger.upload_pending.as_ref().map(|(_, sha)| sha.clone());
        assert!(
            slot == acked_slot || (slot.is_some() && slot == pending_slot),
            "{context}: teacher {index}'s evidence file is {slot:?}, acknowledged {acked_slot:?}, in flight \
             {pending_slot:?}"
        );
        for (_, sha) in &ledger.uploads {
            assert_blob(data, sha, context);
        }
        if let Some(sha) = &slot {
            let hash = downloaded_hash(server, &writer.client, &format!("/api/v1/files/{sha}"));
            assert_eq!(&hash, sha, "{context}: teacher {index}'s file downloads intact");
        }
        ledger.settle(saved, slot);
    }
}
