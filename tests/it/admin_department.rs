//! Issue 4, department console: its schools and their admin accounts, 更换单位 between its schools (history kept,
//! submissions follow), and the progress overview of its schools — with the refusals outside its department.

use serde_json::{Value, json};

use crate::admin_support::*;
use crate::support::*;

fn small_city() -> Server {
    let mut options = Options::demo();
    options.args = vec!["--demo-scale".into(), "small".into()];
    Server::start(options)
}

fn count(progress: &Value, code: &str) -> u64 {
    progress["counts"].as_array().expect("counts").iter().find(|c| c["code"] == code).expect(code)["count"]
        .as_u64()
        .expect("count")
}

#[test]
fn a_department_admin_moves_a_teacher_between_its_schools_and_the_filing_follows() {
    let server = small_city();
    let department = signed_in(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &department, "区"));
    let nanhu = api.school_id(NANHU);
    let beihong = api.school_id(BEIHONG);
    let teacher = api
        .teachers(Some(nanhu))
        .into_iter()
        .find(|t| t["progress"] != "not_filed" && t["progress"] != "no_project")
        .expect("the small set gives nanhu teachers with submissions");
    let id = teacher["id"].as_u64().expect("a nanhu teacher with a submission");
    let state = teacher["progress"].as_str().expect("progress").to_string();
    let before_from = count(&api.json(&format!("/schools/{nanhu}/progress")), &state);
    let before_to = count(&api.json(&format!("/schools/{beihong}/progress")), &state);

    // The page: the teacher's page offers the move; a school of another department is refused under its field.
    let page = format!("/admin/teachers/{id}");
    let shown = text(department.get(server.url(&page)).send().expect("page"));
    assert!(shown.contains("更换单位") && shown.contains(BEIHONG));
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let foreign = make_foreign(&city);
    let outside = post_form(
        &server,
        &department,
        &page,
        &format!("{page}/move"),
        &[("school_id", &foreign.school_id.to_string())],
    );
    assert_eq!(outside.status().as_u16(), 422);
    assert!(text(outside).contains("目标学校不存在或不在管理范围内"));
    let same = post_form(&server, &department, &page, &format!("{page}/move"), &[("school_id", &nanhu.to_string())]);
    assert!(text(same).contains("目标学校与当前学校相同"));
    let moved = post_form(
        &server,
        &department,
        &page,
        &format!("{page}/move"),
        &[("school_id", &beihong.to_string()), ("reason", "沪虹教〔2026〕12号")],
    );
    assert_eq!(moved.status().as_u16(), 303);
    let row = api.json(&format!("/teachers/{id}/detail"));
    assert_eq!((row["school_id"].as_u64(), row["progress"].as_str()), (Some(beihong), Some(state.as_str())));
    assert_eq!(row["moves"][0]["from_school"], NANHU);
    assert_eq!(row["moves"][0]["to_school"], BEIHONG);
    assert_eq!(row["moves"][0]["reason"], "沪虹教〔2026〕12号");
    assert_eq!(count(&api.json(&format!("/schools/{nanhu}/progress")), &state), before_from - 1);
    assert_eq!(count(&api.json(&format!("/schools/{beihong}/progress")), &state), before_to + 1);
    let history = text(department.get(server.url(&page)).send().expect("page"));
    assert!(history.contains("沪虹教〔2026〕12号") && history.contains("虹口区教育局管理员"));

    // The old school no longer sees the teacher; the new one does.
    let nanhu_admin = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(nanhu_admin.get(&format!("/teachers/{id}/detail")).status().as_u16(), 404);
    let beihong_admin = Api::signed(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(beihong_admin.json(&format!("/teachers/{id}/detail"))["name"], teacher["name"]);

    // A school admin cannot move (page and API); the department admin cannot reach another department's
    // teacher; the city admin moves across departments over the API.
    let school_page = signed_in(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    let refused = post_form(
        &server,
        &school_page,
        "/admin/teachers",
        &format!("{page}/move"),
        &[("school_id", &nanhu.to_string())],
    );
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(
        beihong_admin.post(&format!("/teachers/{id}/move"), &json!({"school_id": nanhu})).status().as_u16(),
        403
    );
    assert_eq!(
        api.post(&format!("/teachers/{}/move", foreign.teacher_id), &json!({"school_id": nanhu})).status().as_u16(),
        404
    );
    let across =
        city.post(&format!("/teachers/{id}/move"), &json!({"school_id": foreign.school_id, "reason": "跨区调动"}));
    assert_eq!(across.status().as_u16(), 200);
    let across: Value = across.json().expect("json");
    assert_eq!(across["moves"].as_array().map(Vec::len), Some(2));
    assert_eq!(api.get(&format!("/teachers/{id}/detail")).status().as_u16(), 404);
    let audit = city.json(&format!("/audit?action=teacher.move&target=account:{id}"));
    assert_eq!(audit["total"], 2);
    assert!(audit["items"][1]["detail"].as_str().expect("detail").contains("随迁申报 1 份"));
}

#[test]
fn a_department_admin_sees_the_progress_and_admins_of_its_schools_only() {
    let server = small_city();
    let department = signed_in(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &department, "区"));
    let departments = api.json("/departments");
    let own = departments[0]["id"].as_u64().expect("id");
    let lines = api.json(&format!("/departments/{own}/progress"));
    let lines = lines.as_array().expect("lines");
    assert_eq!(lines.len(), 4);
    let teachers: u64 = lines.iter().map(|line| line["teachers"].as_u64().expect("n")).sum();
    assert!(teachers >= 40, "the small set fills the demo schools: {teachers}");
    let filed: u64 =
        lines.iter().map(|line| count(line, "draft") + count(line, "submitted") + count(line, "returned")).sum();
    assert!(filed > 0);
    let page = text(department.get(server.url("/admin/progress")).send().expect("progress"));
    assert!(page.contains(NANHU) && page.contains(CHENGREN) && page.contains("合计"));
    assert!(!page.contains("黄浦"), "another department's schools are not listed");

    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let other = city
        .json("/departments")
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["id"] != own)
        .expect("other")["id"]
        .as_u64()
        .expect("id");
    assert_eq!(api.get(&format!("/departments/{other}/progress")).status().as_u16(), 404);
    assert_eq!(
        department
            .get(server.url(&format!("/admin/progress?department_id={other}")))
            .send()
            .expect("get")
            .status()
            .as_u16(),
        404
    );
    let all = city.json("/schools").as_array().expect("schools").len();
    assert_eq!(all, 10);
    let overview = city.json("/teachers?per_page=20");
    assert!(overview["total"].as_u64().expect("total") >= 95);

    // Its school's page: admins listed, one opened, reset and disabled; another department's school is not there.
    let nanhu = api.school_id(NANHU);
    let school_page = format!("/admin/schools/{nanhu}");
    let shown = text(department.get(server.url(&school_page)).send().expect("school"));
    assert!(shown.contains("nanhu_admin") && !shown.contains("修改学校信息"));
    let opened = post_form(
        &server,
        &department,
        &school_page,
        &format!("{school_page}/admins"),
        &[("username", "nanhu_vice"), ("name", "南湖副管理员")],
    );
    assert_eq!(opened.status().as_u16(), 303);
    let duplicate = post_form(
        &server,
        &department,
        &school_page,
        &format!("{school_page}/admins"),
        &[("username", "nanhu_vice"), ("name", "重复")],
    );
    assert_eq!(duplicate.status().as_u16(), 422);
    assert!(text(duplicate).contains("该登录名已被使用"));
    let admins = api.json(&format!("/admins?school_id={nanhu}"));
    let vice =
        admins.as_array().expect("admins").iter().find(|a| a["username"] == "nanhu_vice").expect("vice")["id"].clone();
    assert_eq!(api.post(&format!("/accounts/{vice}/disable"), &json!({})).status().as_u16(), 200);
    let other_school = city.json(&format!("/schools?department_id={other}"))[0]["id"].as_u64().expect("id");
    assert_eq!(
        department.get(server.url(&format!("/admin/schools/{other_school}"))).send().expect("get").status().as_u16(),
        404
    );
    assert_eq!(
        department.get(server.url(&format!("/admin/departments/{own}"))).send().expect("get").status().as_u16(),
        403
    );
    let update = post_form(&server, &department, &school_page, &school_page, &[("action", "disable")]);
    assert_eq!(update.status().as_u16(), 403);
}
