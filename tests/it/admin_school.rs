//! Issue 4, school console: basic info checked against the ID, disable / enable (never delete), 选择申报项目 one
//! and many, the progress list with filters, search and paging, and the exports — over pages and the API, with
//! the refusals for another school's teacher.

use serde_json::{Value, json};

use crate::admin_support::*;
use crate::support::*;

#[test]
fn basic_info_is_edited_and_checked_against_the_id_over_pages_and_api() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &admin, "学校"));
    let chen = api.teacher_named("陈昇");
    let id = chen["id"].as_u64().expect("id");
    let page = format!("/admin/teachers/{id}");
    let shown = text(admin.get(server.url(&page)).send().expect("page"));
    assert!(shown.contains("陈昇") && shown.contains("1985-06-12") && shown.contains("更换单位记录"));
    assert!(!shown.contains("调入学校"), "a school admin does not move teachers");

    let wrong = post_form(
        &server,
        &admin,
        &page,
        &page,
        &[("name", "陈昇"), ("education", "研究生"), ("degree", "博士后"), ("birth", "1985-07")],
    );
    assert_eq!(wrong.status().as_u16(), 422);
    let body = text(wrong);
    assert!(body.contains("出生年月与身份证号不一致") && body.contains("最高学位应为无、学士、硕士或博士"));
    assert!(body.contains("aria-describedby=\"birth-error\""), "errors are tied to their fields");
    let saved = post_form(
        &server,
        &admin,
        &page,
        &page,
        &[("name", "陈昇昇"), ("education", "研究生"), ("degree", "硕士"), ("birth", "1985年6月")],
    );
    assert_eq!(saved.status().as_u16(), 303);
    let row = api.json(&format!("/teachers/{id}/detail"));
    assert_eq!(
        (row["name"].as_str(), row["education"].as_str(), row["degree"].as_str()),
        (Some("陈昇昇"), Some("研究生"), Some("硕士"))
    );

    let updated = api.put(&format!("/teachers/{id}"), &json!({"name": "陈昇", "education": "本科", "degree": "学士"}));
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(updated.json::<Value>().expect("json")["name"], "陈昇");
    let refused = api
        .put(&format!("/teachers/{id}"), &json!({"name": "", "education": "x", "degree": "学士", "birth": "1990-01"}));
    assert_eq!(refused.status().as_u16(), 422);
    let fields: Vec<String> = refused.json::<Value>().expect("json")["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(fields, ["name", "education", "birth"]);

    // Another school's teacher is not there, by page or by API.
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let zhang = city.teacher_named("张琳")["id"].as_u64().expect("id");
    let foreign_page = format!("/admin/teachers/{zhang}");
    assert_eq!(admin.get(server.url(&foreign_page)).send().expect("get").status().as_u16(), 404);
    let post = post_form(
        &server,
        &admin,
        &page,
        &foreign_page,
        &[("name", "越权"), ("education", "本科"), ("degree", "学士")],
    );
    assert_eq!(post.status().as_u16(), 404);
    assert_eq!(api.get(&format!("/teachers/{zhang}/detail")).status().as_u16(), 404);
    assert_eq!(
        api.put(&format!("/teachers/{zhang}"), &json!({"name": "越权", "education": "本科", "degree": "学士"}))
            .status()
            .as_u16(),
        404
    );
    assert_eq!(api.post(&format!("/teachers/{zhang}/reset-password"), &json!({})).status().as_u16(), 404);
    assert_eq!(api.post(&format!("/teachers/{zhang}/disable"), &json!({})).status().as_u16(), 404);
    assert_eq!(city.json(&format!("/teachers/{zhang}/detail"))["name"], "张琳");
}

#[test]
fn teachers_are_disabled_and_enabled_never_deleted() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &admin, "学校"));
    let teacher = person(&server, "刁彬彬");
    let id = api.teacher_named("刁彬彬")["id"].as_u64().expect("id");
    let off = post_form(
        &server,
        &admin,
        "/admin/teachers",
        &format!("/admin/accounts/{id}/disable"),
        &[("back", "/admin/teachers")],
    );
    assert_eq!(location(&off), "/admin/teachers?notice=disabled");
    // Its session ended; it cannot sign in; the list marks it.
    assert_eq!(location(&teacher.get(server.url("/")).send().expect("home")), "/login");
    let refused = login(&server, &server.client(), &server.demo_username("刁彬彬"), "abc12345");
    assert!(text(refused).contains("该账号已停用"));
    let list = text(admin.get(server.url("/admin/teachers?notice=disabled")).send().expect("list"));
    assert!(list.contains("账号已停用") && list.contains("已停用"));
    let on = api.post(&format!("/teachers/{id}/enable"), &json!({}));
    assert_eq!(on.status().as_u16(), 200);
    assert_eq!(login(&server, &server.client(), &server.demo_username("刁彬彬"), "abc12345").status().as_u16(), 303);
    // There is no delete anywhere.
    let delete = reqwest::blocking::Client::new()
        .delete(server.url(&format!("/api/v1/teachers/{id}")))
        .bearer_auth(&api.token)
        .send()
        .expect("delete");
    assert_eq!(delete.status().as_u16(), 405);
    assert!(!list.contains(">删除<"));
    let audit = Api::signed(&server, "admin", ADMIN_PASSWORD).json(&format!("/audit?target=account:{id}"));
    let actions: Vec<&str> =
        audit["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"account.disable") && actions.contains(&"account.enable"));
}

#[test]
fn projects_are_chosen_one_by_one_and_in_bulk() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let start = chrono::Utc::now();
    let second: Value = city
        .post(
            "/projects",
            &json!({"name": "2026年补充鉴定", "year": 2026, "filing_start": start, "filing_end": start + chrono::Duration::days(10)}),
        )
        .json()
        .expect("json");
    let second_id = second["id"].as_u64().expect("id");
    let only_zhongzhuan = ProjectSettings::of(&second).school_types(&["zhongzhuan"]);
    assert_eq!(city.put(&format!("/projects/{second_id}"), &only_zhongzhuan).status().as_u16(), 200);

    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &admin, "学校"));
    let nanhu = api.school_id(NANHU);
    let new_ids: Vec<u64> = (0..3)
        .map(|index| {
            open_teacher(
                &api,
                nanhu,
                &format!("3101011990{:02}15{:03}", index + 1, 200 + index),
                &format!("批量{index}"),
            )
        })
        .collect();
    let first_project = api.project_id();
    let first_project =
        if first_project == second_id { city.json("/projects")[1]["id"].as_u64().expect("id") } else { first_project };
    // Bulk by checkboxes (works without JavaScript: plain repeated fields).
    let ids: Vec<String> = new_ids.iter().map(u64::to_string).collect();
    let zhang = city.teacher_named("张琳")["id"].as_u64().expect("id").to_string();
    let project = first_project.to_string();
    let back = format!("/admin/teachers?school_id={nanhu}");
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    fields.push(("project_id", &project));
    fields.push(("back", &back));
    let applied = post_form(&server, &admin, "/admin/teachers", "/admin/teachers/project", &fields);
    assert_eq!(applied.status().as_u16(), 303);
    assert!(location(&applied).contains("notice=project"));
    for id in &new_ids {
        assert_eq!(api.json(&format!("/teachers/{id}/detail"))["project_id"], first_project);
    }
    // A foreign teacher among the ticked ones is reported and left alone; the others are applied.
    fields = vec![("ids", ids[0].as_str()), ("ids", zhang.as_str()), ("project_id", "none"), ("back", &back)];
    let mixed = post_form(&server, &admin, "/admin/teachers", "/admin/teachers/project", &fields);
    let body = text(mixed);
    assert!(body.contains("已为 1 名教师设置") && body.contains("账号不存在"), "{body}");
    assert_eq!(api.json(&format!("/teachers/{}/detail", ids[0]))["progress"], "no_project");
    assert!(city.json(&format!("/teachers/{zhang}/detail"))["project_id"].is_u64());
    // A project that does not serve 职业高中 is refused per teacher, over the API too.
    let outcomes: Value = api
        .post(
            "/teachers/project",
            &json!({"teacher_ids": [new_ids[1], zhang.parse::<u64>().expect("id")], "project_id": second_id}),
        )
        .json()
        .expect("json");
    assert_eq!(outcomes[0]["applied"], false);
    assert!(outcomes[0]["reason"].as_str().expect("reason").contains("不面向本校的学校类型"));
    assert_eq!(outcomes[1]["reason"], "账号不存在");
    // One at a time, by page and API.
    let single = post_form(
        &server,
        &admin,
        "/admin/teachers",
        &format!("/admin/teachers/{}/project", new_ids[2]),
        &[("project_id", "none")],
    );
    assert_eq!(single.status().as_u16(), 303);
    assert_eq!(api.json(&format!("/teachers/{}/detail", new_ids[2]))["project_id"], Value::Null);
    let chosen = api.post(&format!("/teachers/{}/project", new_ids[2]), &json!({"project_id": first_project}));
    assert_eq!(chosen.json::<Value>().expect("json")["progress"], "not_filed");
    let empty = post_form(&server, &admin, "/admin/teachers", "/admin/teachers/project", &[("project_id", "none")]);
    assert_eq!(empty.status().as_u16(), 422);
    assert!(text(empty).contains("请先勾选教师"));
}

/// The settings of a project as the PUT body, with a chosen set of school types.
struct ProjectSettings(Value);

impl ProjectSettings {
    fn of(project: &Value) -> Self {
        let mut body = project.clone();
        if let Some(object) = body.as_object_mut() {
            object.remove("id");
            object.remove("catalogue");
        }
        Self(body)
    }

    fn school_types(mut self, types: &[&str]) -> Value {
        self.0["school_types"] = json!(types);
        self.0
    }
}

#[test]
fn the_progress_list_searches_filters_pages_and_exports() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &admin, "学校"));
    let nanhu = api.school_id(NANHU);
    let mut rows = vec![vec!["身份证号", "姓名", "最高学历", "最高学位"]];
    let ids: Vec<String> =
        (0..58).map(|index| id_number(&format!("3101011985{:02}{:02}321", index % 12 + 1, index % 28 + 1))).collect();
    let names: Vec<String> = (0..58).map(|index| format!("进度{index:02}")).collect();
    for (id, name) in ids.iter().zip(&names) {
        rows.push(vec![id.as_str(), name.as_str(), "本科", "学士"]);
    }
    let report: Value = api.upload("/teachers/import", xlsx(&rows)).json().expect("json");
    assert_eq!(report["created"], 58, "{report}");
    // 60 teachers: 刁彬彬 and 陈昇 have the project, the 58 imported have none.
    let page = text(admin.get(server.url("/admin/teachers?per_page=20&page=2")).send().expect("list"));
    assert!(page.contains("共60条记录") && page.contains("page=3") && page.contains("aria-current=\"page\">2<"));
    assert_eq!(page.matches("name=\"ids\"").count(), 20);
    let searched = text(admin.get(server.url("/admin/teachers?q=进度0")).send().expect("search"));
    assert!(searched.contains("共10条记录"));
    let by_id = text(admin.get(server.url(&format!("/admin/teachers?q={}", ids[5]))).send().expect("search"));
    assert!(by_id.contains("共1条记录") && by_id.contains("进度05"));
    let no_project = api.json(&format!("/teachers?school_id={nanhu}&progress=no_project"));
    assert_eq!(no_project["total"], 58);
    let not_filed = text(admin.get(server.url("/admin/teachers?progress=not_filed")).send().expect("filter"));
    assert!(not_filed.contains("共2条记录") && not_filed.contains("刁彬彬") && not_filed.contains("陈昇"));
    // Progress is an enum in the document: an unknown code is refused while the request is parsed.
    assert_eq!(api.get("/teachers?progress=nonsense").status().as_u16(), 400);
    // 300 rows per page are allowed (and no more).
    assert_eq!(api.json("/teachers?per_page=1000")["per_page"], 300);

    // The progress overview of the school and its export.
    let progress = text(admin.get(server.url("/admin/progress")).send().expect("progress"));
    assert!(progress.contains("未选择项目") && progress.contains(NANHU) && !progress.contains(BEIHONG));
    let counts = api.json(&format!("/schools/{nanhu}/progress"));
    assert_eq!(counts["teachers"], 60);
    let count_of = |code: &str| {
        counts["counts"].as_array().expect("counts").iter().find(|c| c["code"] == code).expect(code)["count"].clone()
    };
    assert_eq!((count_of("no_project"), count_of("not_filed")), (json!(58), json!(2)));

    let export = admin.get(server.url("/admin/teachers/export.xlsx?progress=not_filed")).send().expect("export");
    assert_eq!(export.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let sheet = read_xlsx(&export.bytes().expect("bytes"));
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[0][..3], ["序号", "姓名", "身份证号"]);
    assert!(sheet.iter().any(|row| row[1] == "刁彬彬" && row[9] == "未填报"));
    let all = read_xlsx(&api.get("/teachers/export").bytes().expect("bytes"));
    assert_eq!(all.len(), 61);
    let overview = read_xlsx(
        &admin.get(server.url("/admin/progress/export.xlsx")).send().expect("export").bytes().expect("bytes"),
    );
    assert_eq!(overview.len(), 2);
    assert_eq!((overview[1][1].as_str(), overview[1][2].as_str()), (NANHU, "60"));
}
