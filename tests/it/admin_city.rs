//! Issue 4, city console: departments and schools (create, rename, change type, disable / enable), their admin
//! accounts (create, disable, reset), experts, and the audit log viewer — over pages and the API, with refusals.

use serde_json::json;

use crate::admin_support::*;
use crate::support::*;

fn id_in(page: &str, prefix: &str, after: &str) -> u64 {
    let start = page.find(after).unwrap_or_else(|| panic!("{after} not in page"));
    let rest = &page[start..];
    let at = rest.find(prefix).unwrap_or_else(|| panic!("{prefix} not after {after}")) + prefix.len();
    rest[at..].split(|c: char| !c.is_ascii_digit()).next().expect("id").parse().expect("number")
}

#[test]
fn the_city_console_edits_departments_schools_and_their_admins() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let created = post_form(
        &server,
        &city,
        "/admin/orgs",
        "/admin/orgs",
        &[("kind", "department"), ("name", "上海市徐汇区教育局")],
    );
    assert_eq!(created.status().as_u16(), 200);
    let page = text(city.get(server.url("/admin/orgs")).send().expect("orgs"));
    let department_id = id_in(&page, "/admin/departments/", "上海市徐汇区教育局");

    // Rename; a blank name is refused under its field.
    let renamed = post_form(
        &server,
        &city,
        "/admin/orgs",
        &format!("/admin/departments/{department_id}"),
        &[("action", "rename"), ("name", "上海市徐汇区教育局（新）")],
    );
    assert_eq!(renamed.status().as_u16(), 303);
    assert!(location(&renamed).contains("notice=saved"));
    let blank = post_form(
        &server,
        &city,
        "/admin/orgs",
        &format!("/admin/departments/{department_id}"),
        &[("action", "rename"), ("name", " ")],
    );
    assert_eq!(blank.status().as_u16(), 422);
    assert!(text(blank).contains("名称不能为空"));

    // A school in it, then its type changes and it is disabled: no new teacher can be opened there.
    let school = post_form(
        &server,
        &city,
        "/admin/orgs",
        "/admin/orgs",
        &[
            ("kind", "school"),
            ("name", "上海市徐汇职业学校"),
            ("department_id", &department_id.to_string()),
            ("school_type", "zhigao"),
        ],
    );
    assert_eq!(school.status().as_u16(), 200);
    let page = text(city.get(server.url("/admin/orgs")).send().expect("orgs"));
    let school_id = id_in(&page, "/admin/schools/", "上海市徐汇职业学校");
    let school_page = format!("/admin/schools/{school_id}");
    let changed = post_form(
        &server,
        &city,
        &school_page,
        &school_page,
        &[("action", "update"), ("name", "上海市徐汇第二职业学校"), ("school_type", "chengren")],
    );
    assert_eq!(changed.status().as_u16(), 303);
    let shown = text(city.get(server.url(&school_page)).send().expect("school"));
    assert!(shown.contains("上海市徐汇第二职业学校") && shown.contains("成人中等专业学校"));
    let disabled = post_form(&server, &city, &school_page, &school_page, &[("action", "disable")]);
    assert_eq!(disabled.status().as_u16(), 303);
    assert!(text(city.get(server.url(&school_page)).send().expect("school")).contains("已停用"));
    let refused = post_form(
        &server,
        &city,
        "/admin/teachers",
        "/admin/teachers",
        &[
            ("school_id", &school_id.to_string()),
            ("id_number", &id_number("31010419900101123")),
            ("name", "停用校教师"),
            ("education", "本科"),
            ("degree", "学士"),
        ],
    );
    assert_eq!(refused.status().as_u16(), 422);
    assert!(text(refused).contains("该学校已停用"));
    let enabled = post_form(&server, &city, &school_page, &school_page, &[("action", "enable")]);
    assert_eq!(enabled.status().as_u16(), 303);

    // A school admin for it: opened, disabled (cannot sign in), enabled, reset.
    let opened = post_form(
        &server,
        &city,
        &school_page,
        &format!("{school_page}/admins"),
        &[("username", "xuhui_admin"), ("name", "徐汇管理员")],
    );
    assert_eq!(opened.status().as_u16(), 303);
    let first = first_login(&server, "xuhui_admin", "xuhui2026");
    drop(first);
    let shown = text(city.get(server.url(&school_page)).send().expect("school"));
    let admin_id = id_in(&shown, "/admin/accounts/", "xuhui_admin");
    let off = post_form(
        &server,
        &city,
        &school_page,
        &format!("/admin/accounts/{admin_id}/disable"),
        &[("back", &school_page)],
    );
    assert_eq!(off.status().as_u16(), 303);
    assert_eq!(location(&off), format!("{school_page}?notice=disabled"));
    let refused = login(&server, &server.client(), "xuhui_admin", "xuhui2026");
    assert_eq!(refused.status().as_u16(), 401);
    assert!(text(refused).contains("该账号已停用"));
    post_form(&server, &city, &school_page, &format!("/admin/accounts/{admin_id}/enable"), &[("back", &school_page)]);
    assert_eq!(login(&server, &server.client(), "xuhui_admin", "xuhui2026").status().as_u16(), 303);
    let reset = post_form(
        &server,
        &city,
        &school_page,
        &format!("/admin/accounts/{admin_id}/reset-password"),
        &[("back", &school_page)],
    );
    assert_eq!(location(&reset), format!("{school_page}?notice=reset"));
    let again = login(&server, &server.client(), "xuhui_admin", "00000000");
    assert_eq!(location(&again), "/password");

    // Every change is in the audit log.
    let audit = text(city.get(server.url("/admin/audit?per_page=100")).send().expect("audit"));
    for action in [
        "department.create",
        "department.update",
        "school.create",
        "school.update",
        "admin.create",
        "account.disable",
        "account.enable",
        "account.reset_password",
    ] {
        assert!(audit.contains(action), "audit lacks {action}");
    }
}

#[test]
fn organisation_edits_over_the_api_and_their_refusals() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let foreign = make_foreign(&city);
    let renamed = city
        .put(&format!("/departments/{}", foreign.department_id), &json!({"name": "浦东新区教育局", "disabled": true}));
    assert_eq!(renamed.status().as_u16(), 200);
    let body: serde_json::Value = renamed.json().expect("json");
    assert_eq!((body["name"].as_str(), body["disabled"].as_bool()), (Some("浦东新区教育局"), Some(true)));
    let school = city.put(&format!("/schools/{}", foreign.school_id), &json!({"school_type": "zhongzhuan"}));
    assert_eq!(school.json::<serde_json::Value>().expect("json")["school_type"], "zhongzhuan");
    // A value outside the documented enum is refused while the request is parsed.
    let bad_type = city.put(&format!("/schools/{}", foreign.school_id), &json!({"school_type": "gaozhong"}));
    assert_eq!(bad_type.status().as_u16(), 400);
    assert_eq!(bad_type.json::<serde_json::Value>().expect("json")["code"], "bad_request");
    let duplicate = city.put(&format!("/schools/{}", foreign.school_id), &json!({"name": NANHU}));
    assert_eq!(duplicate.status().as_u16(), 422);

    // Admin accounts through the API: a department admin for the foreign department, listed, disabled.
    let admin = city.post(
        "/admins",
        &json!({"role": "department_admin", "org_id": foreign.department_id, "username": "pudong_admin", "name": "浦东管理员"}),
    );
    assert_eq!(admin.status().as_u16(), 200);
    let admin: serde_json::Value = admin.json().expect("json");
    let listed = city.json(&format!("/admins?department_id={}", foreign.department_id));
    assert_eq!(listed.as_array().expect("admins").len(), 1);
    let off = city.post(&format!("/accounts/{}/disable", admin["id"]), &json!({}));
    assert_eq!(off.status().as_u16(), 200);
    assert_eq!(city.json(&format!("/admins?department_id={}", foreign.department_id))[0]["disabled"], true);

    // The department admin of 虹口: no edits of departments or schools, nothing of another department.
    let hongkou = Api::signed(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let nanhu = hongkou.school_id(NANHU);
    assert_eq!(hongkou.put(&format!("/schools/{nanhu}"), &json!({"name": "改名"})).status().as_u16(), 403);
    assert_eq!(
        hongkou.put(&format!("/schools/{}", foreign.school_id), &json!({"name": "改名"})).status().as_u16(),
        404
    );
    assert_eq!(hongkou.get(&format!("/departments/{}", foreign.department_id)).status().as_u16(), 404);
    assert_eq!(hongkou.get(&format!("/admins?department_id={}", foreign.department_id)).status().as_u16(), 404);
    let school_admin = hongkou.post(
        "/admins",
        &json!({"role": "school_admin", "org_id": foreign.school_id, "username": "intruder", "name": "越权"}),
    );
    assert_eq!(school_admin.status().as_u16(), 404);
    let own_admin = hongkou.post(
        "/admins",
        &json!({"role": "school_admin", "org_id": nanhu, "username": "nanhu_second", "name": "南湖第二管理员"}),
    );
    assert_eq!(own_admin.status().as_u16(), 200);
    let department_admin = hongkou.post(
        "/admins",
        &json!({"role": "department_admin", "org_id": foreign.department_id, "username": "intruder2", "name": "越权"}),
    );
    assert_eq!(department_admin.status().as_u16(), 403);
    // A school admin lists no admins and disables nobody but its teachers.
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(school.get(&format!("/admins?school_id={nanhu}")).status().as_u16(), 403);
    assert_eq!(school.post(&format!("/accounts/{}/disable", admin["id"]), &json!({})).status().as_u16(), 404);
}

#[test]
fn experts_have_valid_ids_an_organisation_for_recusal_and_known_subjects() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "专家"));
    let nanhu = api.school_id(NANHU);
    let org = format!("s{nanhu}");
    let valid = id_number("31010119750505123");
    let mut wrong_check = valid.clone();
    let last = wrong_check.pop().expect("last");
    wrong_check.push(if last == '1' { '2' } else { '1' });
    let refused = post_form(
        &server,
        &city,
        "/admin/experts",
        "/admin/experts",
        &[("id_number", &wrong_check), ("name", ""), ("org", ""), ("subjects", "天文学")],
    );
    assert_eq!(refused.status().as_u16(), 422);
    let body = text(refused);
    for message in
        ["身份证号校验位错误", "姓名不能为空", "请选择专家所在的学校或主管部门", "学科“天文学”不在鉴定项目的申报学科中"]
    {
        assert!(body.contains(message), "missing {message}");
    }
    let created = post_form(
        &server,
        &city,
        "/admin/experts",
        "/admin/experts",
        &[("id_number", &valid), ("name", "周专家"), ("org", &org), ("subjects", "机械"), ("subjects", "数学")],
    );
    assert_eq!(created.status().as_u16(), 303);
    let listed = api.json("/experts?subject=数学");
    assert_eq!(listed["total"], 1);
    let expert = &listed["items"][0];
    assert_eq!((expert["name"].as_str(), expert["org_kind"].as_str()), (Some("周专家"), Some("school")));
    // The page edit moves the expert to a department and changes subjects.
    let hongkou = api.json("/departments")[0]["id"].as_u64().expect("id");
    let edit = post_form(
        &server,
        &city,
        "/admin/experts",
        &format!("/admin/experts/{}", expert["id"]),
        &[("name", "周专家"), ("org", &format!("d{hongkou}")), ("subjects", "语文")],
    );
    assert_eq!(edit.status().as_u16(), 303);
    let again = api.json(&format!("/experts/{}", expert["id"]));
    assert_eq!((again["org_kind"].as_str(), again["subjects"][0].as_str()), (Some("department"), Some("语文")));
    // The API refuses the same mistakes; the same ID cannot be used twice; a school admin manages no experts.
    let duplicate = api.post(
        "/experts",
        &json!({"id_number": valid, "name": "重复", "org_kind": "school", "org_id": nanhu, "subjects": ["机械"]}),
    );
    assert_eq!(duplicate.status().as_u16(), 422);
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(school.get("/experts").status().as_u16(), 403);
    assert_eq!(
        school
            .post(
                "/experts",
                &json!({"id_number": "x", "name": "x", "org_kind": "school", "org_id": nanhu, "subjects": []})
            )
            .status()
            .as_u16(),
        403
    );
    let audit = api.json("/audit?action=expert.");
    assert_eq!(audit["total"], 2);
}

#[test]
fn the_audit_viewer_filters_pages_and_verifies_the_chain() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "审计"));
    let nanhu = api.school_id(NANHU);
    for index in 0..25 {
        open_teacher(&api, nanhu, &format!("310101198001{:02}123", index + 1), &format!("审计{index}"));
    }
    let all = api.json("/audit?action=teacher.create&per_page=20");
    assert_eq!((all["total"].as_u64(), all["items"].as_array().map(Vec::len)), (Some(25), Some(20)));
    assert_eq!(all["chain_intact"], true);
    // Newest first; page 2 holds the rest.
    let first_seq = all["items"][0]["seq"].as_u64().expect("seq");
    assert!(first_seq > all["items"][19]["seq"].as_u64().expect("seq"));
    let second = api.json("/audit?action=teacher.create&per_page=20&page=2");
    assert_eq!(second["items"].as_array().map(Vec::len), Some(5));
    // By target, actor and date.
    let target = all["items"][0]["target"].as_str().expect("target").to_string();
    assert_eq!(api.json(&format!("/audit?target={target}"))["total"], 1);
    assert_eq!(api.json("/audit?actor=市级管理员&action=teacher.create")["total"], 25);
    assert_eq!(api.json("/audit?actor=nobody")["total"], 0);
    assert_eq!(api.json("/audit?to=2000-01-01")["total"], 0);
    let today = api.json("/audit?per_page=20")["items"][0]["at"].as_str().expect("at")[..10].to_string();
    assert!(api.json(&format!("/audit?from={today}&action=teacher.create"))["total"].as_u64().expect("n") >= 1);
    // The page shows the chain state, filters and a pager; nobody else may read it.
    let page = text(city.get(server.url("/admin/audit?action=teacher.create&per_page=20")).send().expect("page"));
    assert!(page.contains("哈希链校验通过") && page.contains("共25条记录") && page.contains("page=2"));
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(school.get(server.url("/admin/audit")).send().expect("page").status().as_u16(), 403);
    let school_api = Api::new(&server, &token_for(&server, &school, "学校"));
    assert_eq!(school_api.get("/audit").status().as_u16(), 403);
}
