//! The first city admin: a password set by the operator is never echoed; a generated one is printed once and
//! must be changed at the first sign-in.

use crate::support::*;

#[test]
fn a_password_from_the_environment_is_never_printed() {
    let server = Server::start(Options::default());
    assert!(server.banner.iter().any(|line| line.contains("登录名：admin")), "{:?}", server.banner);
    assert!(!server.banner.iter().any(|line| line.contains(ADMIN_PASSWORD)), "{:?}", server.banner);
    // The operator's password is theirs: no forced change.
    let response = login(&server, &server.client(), "admin", ADMIN_PASSWORD);
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/");
}

#[test]
fn a_printed_random_password_must_be_changed() {
    let server = Server::start(Options::default().unset("ZHIPING_ADMIN_PASSWORD"));
    let line = server.banner.iter().find(|line| line.contains("初始密码：")).unwrap_or_else(|| {
        panic!("a generated password is printed once: {:?}", server.banner);
    });
    let start = line.find("初始密码：").expect("label") + "初始密码：".len();
    let password = line[start..].split_whitespace().next().expect("password").to_string();
    let client = server.client();
    let response = login(&server, &client, "admin", &password);
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/password", "the printed password must be changed first");
    let home = client.get(server.url("/admin/orgs")).send().expect("page");
    assert_eq!(location(&home), "/password");
}
