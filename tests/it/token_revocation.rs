//! An account's API tokens end with a password reset or when it is disabled, and re-enabling does not revive them.

use serde_json::{Value, json};

use crate::admin_support::Api;
use crate::support::*;

fn status_of(server: &Server, token: &str) -> u16 {
    reqwest::blocking::Client::new()
        .get(server.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .expect("me")
        .status()
        .as_u16()
}

fn account_id(api: &Api) -> u64 {
    api.json("/me")["id"].as_u64().expect("id")
}

#[test]
fn a_password_reset_ends_the_accounts_tokens() {
    let server = Server::demo();
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status_of(&server, &school.token), 200);
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let reset = city.post(&format!("/accounts/{}/reset-password", account_id(&school)), &json!({}));
    assert_eq!(reset.status().as_u16(), 200);
    assert_eq!(status_of(&server, &school.token), 401);
    let audit = signed_in(&server, "admin", ADMIN_PASSWORD)
        .get(server.url("/admin/audit?action=api_token.revoke"))
        .send()
        .expect("audit");
    assert!(text(audit).contains("测试（重置密码）"), "the revocation is audited with its reason");
}

#[test]
fn disabling_ends_the_accounts_tokens_for_good() {
    let server = Server::demo();
    let school = Api::signed(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status_of(&server, &school.token), 200);
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let id = account_id(&school);
    assert_eq!(city.post(&format!("/accounts/{id}/disable"), &json!({})).status().as_u16(), 200);
    assert_eq!(status_of(&server, &school.token), 401);
    assert_eq!(city.post(&format!("/accounts/{id}/enable"), &json!({})).status().as_u16(), 200);
    assert_eq!(status_of(&server, &school.token), 401, "re-enabling must not revive the token");
    // The account itself works again: a new sign-in and a new token do.
    let again = Api::signed(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status_of(&server, &again.token), 200);
    let _: Value = again.json("/me");
}
