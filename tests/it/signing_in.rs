//! SPEC §2: ID usernames, the default password, forced change, the policy, lockout, reset, sessions, CSRF.

use crate::support::*;

fn teacher(server: &Server) -> String {
    server.demo_username("刁彬彬")
}

#[test]
fn forced_password_change_redirects_every_page_until_done() {
    let server = Server::demo();
    let client = signed_in(&server, &teacher(&server), "00000000");
    for path in ["/", "/admin/teachers", "/admin/orgs"] {
        let response = client.get(server.url(path)).send().expect("get");
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert_eq!(location(&response), "/password", "{path}");
    }
    let api = client.get(server.url("/api/v1/me")).send().expect("api");
    assert_eq!(api.status().as_u16(), 403);
    assert!(text(api).contains("password_change_required"));

    let page = text(client.get(server.url("/password")).send().expect("page"));
    assert!(page.contains("密码长度在6到18位之间数字和字母组合"));
    let csrf = csrf_of(&page);
    let response = client
        .post(server.url("/password"))
        .form(&[("current", "00000000"), ("new_password", "abc12345"), ("confirm", "abc12345"), ("csrf", &csrf)])
        .send()
        .expect("post");
    let body = text(response);
    assert!(body.contains("密码修改成功"));
    assert!(body.contains("关闭") && body.contains("href=\"/\""));
    let home = client.get(server.url("/")).send().expect("home");
    assert_eq!(home.status().as_u16(), 200);
    let home = text(home);
    assert!(home.contains("欢迎") && home.contains("刁彬彬") && home.contains("教师"));
    assert!(home.contains("我的教科研成果鉴定状态") && home.contains("未填报"));
}

#[test]
fn password_policy_messages() {
    let server = Server::demo();
    let username = teacher(&server);
    let client = signed_in(&server, &username, "00000000");
    let attempt = |new_password: &str, confirm: &str| {
        let csrf = csrf_of(&text(client.get(server.url("/password")).send().expect("page")));
        let response = client
            .post(server.url("/password"))
            .form(&[("current", "00000000"), ("new_password", new_password), ("confirm", confirm), ("csrf", &csrf)])
            .send()
            .expect("post");
        (response.status().as_u16(), text(response))
    };
    let cases = [
        ("ab12", "密码长度在6到18位之间"),
        ("abcdefghijk1234567890", "密码长度在6到18位之间"),
        ("abcdefgh", "密码须为数字和字母组合"),
        ("12345678", "密码须为数字和字母组合"),
        ("00000000", "不能使用默认密码"),
    ];
    for (password, message) in cases {
        let (status, body) = attempt(password, password);
        assert_eq!(status, 422, "{password}");
        assert!(body.contains(message), "{password}: expected {message}");
        assert!(body.contains("aria-describedby=\"new_password-error\""), "error tied to its field");
    }
    let digits = format!("a{}", &username[6..17]);
    let (status, body) = attempt(&digits, &digits);
    assert_eq!(status, 422);
    assert!(body.contains("密码不能包含用户名或身份证号"));
    let (status, body) = attempt("abc12345", "abc12346");
    assert_eq!(status, 422);
    assert!(body.contains("两次输入的新密码不一致"));
}

#[test]
fn five_wrong_passwords_freeze_and_the_freeze_runs_out() {
    let server = Server::demo();
    let username = teacher(&server);
    let client = server.client();
    for attempt in 1..=4 {
        let response = login(&server, &client, &username, "wrong1234");
        assert_eq!(response.status().as_u16(), 401);
        let body = text(response);
        assert!(body.contains("用户名或密码错误"), "attempt {attempt}");
        assert!(body.contains(&format!("再输错{}次", 5 - attempt)), "attempt {attempt}: {body}");
        assert!(!body.contains("连续输错提示"));
    }
    let fifth = text(login(&server, &client, &username, "wrong1234"));
    assert!(fifth.contains("连续输错提示") && fifth.contains("已被冻结"), "{fifth}");
    assert_eq!(fifth.matches("连续输错提示").count(), 1, "the title once, not again in the sentence: {fifth}");
    // Frozen: even the right password is refused.
    let right = login(&server, &client, &username, "00000000");
    assert_eq!(right.status().as_u16(), 401);
    assert!(text(right).contains("连续输错提示"));
    // The manual's 60 minutes, by the server's clock: still frozen after 59, thawed after 61.
    server.advance(std::time::Duration::from_secs(59 * 60));
    let still = login(&server, &client, &username, "00000000");
    assert_eq!(still.status().as_u16(), 401);
    assert!(text(still).contains("连续输错提示"));
    server.advance(std::time::Duration::from_secs(2 * 60));
    let after = login(&server, &client, &username, "00000000");
    assert_eq!(after.status().as_u16(), 303, "auto-unfreeze");
    assert_eq!(location(&after), "/password");
}

#[test]
fn a_success_resets_the_failure_counter() {
    let server = Server::demo();
    let username = teacher(&server);
    let client = server.client();
    for _ in 0..4 {
        login(&server, &client, &username, "wrong1234");
    }
    assert_eq!(login(&server, &client, &username, "00000000").status().as_u16(), 303);
    let other = server.client();
    for _ in 0..4 {
        let body = text(login(&server, &other, &username, "wrong1234"));
        assert!(!body.contains("连续输错提示"), "counter restarted after the success");
    }
}

#[test]
fn school_admin_reset_unfreezes_and_ends_sessions() {
    let server = Server::demo();
    let username = teacher(&server);
    let teacher_client = first_login(&server, &username, "abc12345");
    assert_eq!(teacher_client.get(server.url("/")).send().expect("home").status().as_u16(), 200);
    let attacker = server.client();
    for _ in 0..5 {
        login(&server, &attacker, &username, "wrong1234");
    }
    assert!(text(login(&server, &attacker, &username, "abc12345")).contains("连续输错提示"));

    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/teachers")).send().expect("list"));
    assert!(page.contains("刁彬彬") && page.contains("已冻结"));
    let id = account_id_in_list(&page, "刁彬彬");
    let csrf = csrf_of(&page);
    let reset = admin
        .post(server.url(&format!("/admin/accounts/{id}/reset-password")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .expect("reset");
    assert_eq!(reset.status().as_u16(), 200);
    assert!(text(reset).contains("重置为 00000000"));
    // The teacher's existing session has ended.
    let home = teacher_client.get(server.url("/")).send().expect("home");
    assert_eq!(location(&home), "/login");
    // The account is unfrozen, holds the default password again, and must change it.
    let again = login(&server, &server.client(), &username, "00000000");
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(location(&again), "/password");
}

/// The account id used in a teacher row's reset form.
pub fn account_id_in_list(page: &str, name: &str) -> u64 {
    let row_start = page.find(&format!("<td>{name}</td>")).expect("row");
    let rest = &page[row_start..];
    let marker = "/admin/accounts/";
    let start = rest.find(marker).expect("reset form") + marker.len();
    rest[start..].split('/').next().expect("id").parse().expect("number")
}

#[test]
fn logout_and_password_change_end_sessions() {
    let server = Server::demo();
    let username = teacher(&server);
    let first = first_login(&server, &username, "abc12345");
    let second = signed_in(&server, &username, "abc12345");
    assert_eq!(second.get(server.url("/")).send().expect("home").status().as_u16(), 200);

    // A password change in the first session ends the second one but keeps the first.
    let csrf = csrf_of(&text(first.get(server.url("/password")).send().expect("page")));
    let changed = first
        .post(server.url("/password"))
        .form(&[("current", "abc12345"), ("new_password", "xyz98765"), ("confirm", "xyz98765"), ("csrf", &csrf)])
        .send()
        .expect("change");
    assert!(text(changed).contains("密码修改成功"));
    assert_eq!(location(&second.get(server.url("/")).send().expect("home")), "/login");
    assert_eq!(first.get(server.url("/")).send().expect("home").status().as_u16(), 200);

    // 退出 ends the first.
    let csrf = csrf_of(&text(first.get(server.url("/")).send().expect("home")));
    let out = first.post(server.url("/logout")).form(&[("csrf", csrf.as_str())]).send().expect("logout");
    assert_eq!(location(&out), "/login");
    assert_eq!(location(&first.get(server.url("/")).send().expect("home")), "/login");
}

#[test]
fn forms_without_the_right_csrf_token_are_refused() {
    let server = Server::demo();
    let username = teacher(&server);
    let client = server.client();
    client.get(server.url("/login")).send().expect("page");
    let refused = client
        .post(server.url("/login"))
        .form(&[("username", username.as_str()), ("password", "00000000"), ("csrf", "forged")])
        .send()
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    let signed = first_login(&server, &username, "abc12345");
    let refused = signed
        .post(server.url("/password"))
        .form(&[("current", "abc12345"), ("new_password", "qwe12345"), ("confirm", "qwe12345"), ("csrf", "")])
        .send()
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    assert!(text(refused).contains("页面已过期"));
    let logout = signed.post(server.url("/logout")).form(&[("csrf", "nope")]).send().expect("post");
    assert_eq!(logout.status().as_u16(), 403);
}

#[test]
fn sign_in_attempts_are_throttled_per_address() {
    let server = Server::start(Options::demo().env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3"));
    let client = server.client();
    for _ in 0..3 {
        assert_eq!(login(&server, &client, "nobody", "wrong1234").status().as_u16(), 401);
    }
    let throttled = login(&server, &client, "nobody", "wrong1234");
    assert_eq!(throttled.status().as_u16(), 429);
    assert!(text(throttled).contains("登录尝试过于频繁"));
}

#[test]
fn id_numbers_are_validated_when_an_account_is_opened() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let open = |id: &str, birth: &str| {
        let page = text(admin.get(server.url("/admin/teachers")).send().expect("page"));
        let school_id = {
            let marker = "name=\"school_id\" value=\"";
            let start = page.find(marker).expect("school id") + marker.len();
            page[start..].split('"').next().expect("id").to_string()
        };
        let csrf = csrf_of(&page);
        let response = admin
            .post(server.url("/admin/teachers"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("school_id", school_id.as_str()),
                ("id_number", id),
                ("name", "测试教师"),
                ("education", "本科"),
                ("degree", "学士"),
                ("birth", birth),
            ])
            .send()
            .expect("post");
        (response.status().as_u16(), text(response))
    };
    let good = id_number("31010419900101123");
    let last = good.chars().last().expect("check");
    let wrong_check = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    let (status, body) = open(&wrong_check, "");
    assert_eq!(status, 422);
    assert!(body.contains("身份证号校验位错误"));
    let (status, body) = open("3101041990010112", "");
    assert_eq!(status, 422);
    assert!(body.contains("身份证号应为18位"));
    let (status, body) = open(&id_number("31010419900230123"), "");
    assert_eq!(status, 422);
    assert!(body.contains("出生日期无效"));
    let (status, body) = open(&good, "1991-01");
    assert_eq!(status, 422);
    assert!(body.contains("出生年月与身份证号不一致"));

    // A lower-case x is stored as X; the birth date comes from the number.
    let with_x = (0..1000)
        .map(|n| id_number(&format!("31010419850704{n:03}")))
        .find(|id| id.ends_with('X'))
        .expect("an X number");
    let (status, body) = open(&with_x.to_lowercase(), "1985-07");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("已开通") && body.contains("1985年07月"));
    let (status, body) = open(&with_x, "");
    assert_eq!(status, 422);
    assert!(body.contains("该身份证号已开通账号"));
    // And the teacher can sign in with the upper-case number and the default password.
    assert_eq!(location(&login(&server, &server.client(), &with_x, "00000000")), "/password");
}
