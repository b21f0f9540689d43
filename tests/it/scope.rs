//! SPEC §1: no account sees or changes data outside its scope — over pages and over the API.

use crate::signing_in::account_id_in_list;
use crate::support::*;

/// A second department with its own school, admin and teacher, created through the city console and the API.
struct Foreign {
    school_id: u64,
    teacher_id: u64,
}

fn city_token(server: &Server) -> String {
    let admin = signed_in(server, "admin", ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/tokens")).send().expect("tokens"));
    let csrf = csrf_of(&page);
    let created = text(
        admin
            .post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "测试集成")])
            .send()
            .expect("create"),
    );
    let start = created.find("zp_").expect("token shown once");
    created[start..start + 67].to_string()
}

fn make_foreign(server: &Server, token: &str) -> Foreign {
    let api = reqwest::blocking::Client::new();
    let department: serde_json::Value = api
        .post(server.url("/api/v1/departments"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "上海市浦东新区教育局"}))
        .send()
        .expect("dept")
        .json()
        .expect("json");
    let school: serde_json::Value = api
        .post(server.url("/api/v1/schools"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "上海市浦东职业学校", "department_id": department["id"], "school_type": "zhigao"}))
        .send()
        .expect("school")
        .json()
        .expect("json");
    let teacher: serde_json::Value = api
        .post(server.url("/api/v1/teachers"))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "school_id": school["id"], "id_number": id_number("31011519830303456"),
            "name": "钱浦东", "education": "本科", "degree": "学士"
        }))
        .send()
        .expect("teacher")
        .json()
        .expect("json");
    Foreign { school_id: school["id"].as_u64().expect("id"), teacher_id: teacher["id"].as_u64().expect("id") }
}

#[test]
fn a_school_admin_never_sees_or_resets_another_schools_teacher() {
    let server = Server::demo();
    let token = city_token(&server);
    let foreign = make_foreign(&server, &token);
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);

    // Page: the list shows only its own school, whatever school_id is asked for.
    let page =
        text(admin.get(server.url(&format!("/admin/teachers?school_id={}", foreign.school_id))).send().expect("list"));
    assert!(page.contains("刁彬彬"));
    assert!(!page.contains("钱浦东") && !page.contains("张琳"));
    // Page: resetting the foreign teacher is refused as "not found".
    let csrf = csrf_of(&page);
    let reset = admin
        .post(server.url(&format!("/admin/accounts/{}/reset-password", foreign.teacher_id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .expect("reset");
    assert_eq!(reset.status().as_u16(), 404);
    // Page: opening a teacher in a foreign school is refused.
    let create = admin
        .post(server.url("/admin/teachers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("school_id", &foreign.school_id.to_string()),
            ("id_number", &id_number("31011519830303999")),
            ("name", "越权"),
            ("education", "本科"),
            ("degree", "学士"),
        ])
        .send()
        .expect("create");
    // A school admin's school is implied: whatever school_id is posted, nothing lands in the foreign school.
    assert!(create.status().is_success() || create.status().is_client_error());
    let foreign_list: serde_json::Value = reqwest::blocking::Client::new()
        .get(server.url(&format!("/api/v1/schools/{}/teachers", foreign.school_id)))
        .bearer_auth(&token)
        .send()
        .expect("list")
        .json()
        .expect("json");
    let names: Vec<&str> = foreign_list.as_array().expect("array").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, vec!["钱浦东"], "must not open an account in another school");

    // API with the school admin's session: the foreign teacher and school do not exist for it.
    let read = admin.get(server.url(&format!("/api/v1/teachers/{}", foreign.teacher_id))).send().expect("get");
    assert_eq!(read.status().as_u16(), 404);
    let body: serde_json::Value = read.json().expect("json");
    assert_eq!(body["code"], "not_found");
    let list = admin.get(server.url(&format!("/api/v1/schools/{}/teachers", foreign.school_id))).send().expect("list");
    assert_eq!(list.status().as_u16(), 404);
    let reset = admin
        .post(server.url(&format!("/api/v1/accounts/{}/reset-password", foreign.teacher_id)))
        .send()
        .expect("reset");
    assert_eq!(reset.status().as_u16(), 404);
    let schools: serde_json::Value =
        admin.get(server.url("/api/v1/schools")).send().expect("schools").json().expect("json");
    let names: Vec<&str> = schools.as_array().expect("array").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, vec!["上海市南湖职业学校"]);
}

#[test]
fn a_department_admin_sees_only_its_own_schools() {
    let server = Server::demo();
    let token = city_token(&server);
    let foreign = make_foreign(&server, &token);
    let admin = signed_in(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let schools: serde_json::Value =
        admin.get(server.url("/api/v1/schools")).send().expect("schools").json().expect("json");
    let schools = schools.as_array().expect("array");
    assert_eq!(schools.len(), 4);
    assert!(schools.iter().all(|school| school["name"] != "上海市浦东职业学校"));
    let page = admin.get(server.url(&format!("/admin/teachers?school_id={}", foreign.school_id))).send().expect("page");
    assert_eq!(page.status().as_u16(), 404);
    let reset = admin
        .post(server.url(&format!("/api/v1/accounts/{}/reset-password", foreign.teacher_id)))
        .send()
        .expect("reset");
    assert_eq!(reset.status().as_u16(), 404);
    // Its own schools' teachers are within reach.
    let own = schools.iter().find(|school| school["name"] == "上海市南湖职业学校").expect("own school");
    let teachers = admin.get(server.url(&format!("/api/v1/schools/{}/teachers", own["id"]))).send().expect("list");
    assert_eq!(teachers.status().as_u16(), 200);
}

#[test]
fn teachers_reach_no_admin_function() {
    let server = Server::demo();
    let teacher = first_login(&server, &server.demo_username("刁彬彬"), "abc12345");
    for path in ["/admin/teachers", "/admin/orgs", "/admin/tokens"] {
        let status = teacher.get(server.url(path)).send().expect("get").status().as_u16();
        assert!(status == 403 || status == 404, "{path}: {status}");
    }
    let departments = teacher
        .post(server.url("/api/v1/departments"))
        .json(&serde_json::json!({"name": "越权部门"}))
        .send()
        .expect("post");
    assert_eq!(departments.status().as_u16(), 403);
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/teachers")).send().expect("list"));
    let other_teacher = account_id_in_list(&page, "陈昇");
    let read = teacher.get(server.url(&format!("/api/v1/teachers/{other_teacher}"))).send().expect("get");
    assert_eq!(read.status().as_u16(), 404);
}
