//! Signing in does not tell whether an ID number has an account (same words, same time), and the per-address
//! budget counts failures, not a school's sign-ins behind one address.

use std::time::{Duration, Instant};

use crate::support::*;

/// The alert of a login page (the message a failed sign-in shows).
fn alert(body: &str) -> String {
    let start = body.find("role=\"alert\"").unwrap_or_else(|| panic!("no alert in {body}"));
    let end = body[start..].find("</div>").map_or(body.len(), |end| start + end);
    body[start..end].to_string()
}

/// An ID number with a valid check digit that no demo account uses.
const UNKNOWN_ID: &str = "310109199001011235";

#[test]
fn an_unknown_id_number_gets_the_same_answers_as_a_wrong_password() {
    let server = Server::demo();
    let known = server.demo_username("刁彬彬");
    let client = server.client();
    for attempt in 1..=6 {
        let known_answer = login(&server, &client, &known, "wrong1234");
        let unknown_answer = login(&server, &client, UNKNOWN_ID, "wrong1234");
        assert_eq!(known_answer.status(), unknown_answer.status(), "attempt {attempt}");
        let (known_alert, unknown_alert) = (alert(&text(known_answer)), alert(&text(unknown_answer)));
        assert_eq!(known_alert, unknown_alert, "attempt {attempt}");
        if attempt < 5 {
            assert!(known_alert.contains(&format!("再输错{}次", 5 - attempt)), "{known_alert}");
        } else {
            assert!(known_alert.contains("连续输错提示"), "{known_alert}");
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
fn an_unknown_id_number_costs_as_long_as_a_known_one() {
    // Production-like argon2 cost, so a skipped verification is measurable; no lockout or throttle in the way.
    let server = Server::start(
        Options::demo()
            .env("ZHIPING_ARGON2__MEMORY_KIB", "19456")
            .env("ZHIPING_ARGON2__ITERATIONS", "2")
            .env("ZHIPING_SECURITY__MAX_FAILED_LOGINS", "1000")
            .env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "1000"),
    );
    let teacher = server.demo_username("刁彬彬");
    let client = server.client();
    let csrf = csrf_of(&text(client.get(server.url("/login")).send().expect("login page")));
    let attempt = |username: &str| {
        let started = Instant::now();
        let response = client
            .post(server.url("/login"))
            .form(&[("username", username), ("password", "wrong1234"), ("csrf", csrf.as_str())])
            .send()
            .expect("login post");
        assert_eq!(response.status().as_u16(), 401);
        started.elapsed()
    };
    let (mut admin, mut teacher_default, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    // Interleaved, so load on the machine hits all three alike.
    for _ in 0..10 {
        admin.push(attempt("nanhu_admin"));
        teacher_default.push(attempt(&teacher));
        unknown.push(attempt(UNKNOWN_ID));
    }
    let (admin, teacher_default, unknown) = (median(admin), median(teacher_default), median(unknown));
    assert!(unknown * 2 >= admin, "unknown {unknown:?} vs known {admin:?}");
    assert!(teacher_default * 2 >= admin, "default password {teacher_default:?} vs hashed {admin:?}");
}

#[test]
fn the_address_budget_counts_failures_not_sign_ins() {
    let server = Server::start(Options::demo().env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "5"));
    for round in 0..100 {
        let client = server.client();
        let response = login(&server, &client, "nanhu_admin", DEMO_ADMIN_PASSWORD);
        assert_eq!(response.status().as_u16(), 303, "sign-in {round} from the same address");
    }
    let client = server.client();
    for _ in 0..5 {
        assert_eq!(login(&server, &client, "nanhu_admin", "wrong1234").status().as_u16(), 401);
    }
    let throttled = login(&server, &client, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(throttled.status().as_u16(), 429);
}
