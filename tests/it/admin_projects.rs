//! Issue 4, projects as data: every setting edited by the city admin (Shanghai `datetime-local` inputs stored as
//! UTC), the catalogue editor with `Catalogue::validate`, 复制往年项目, and the rules that keep a project with
//! submissions from stranding them — over pages and the API.

use serde_json::{Value, json};

use crate::admin_support::*;
use crate::support::*;

fn settings_form(project: &Value) -> Vec<(String, String)> {
    let local = |key: &str| {
        let at = chrono::DateTime::parse_from_rfc3339(project[key].as_str().expect(key)).expect("time");
        (at + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M").to_string()
    };
    let mut form = vec![
        ("name".to_string(), project["name"].as_str().expect("name").to_string()),
        ("year".to_string(), project["year"].to_string()),
        ("max_achievements".to_string(), project["max_achievements"].to_string()),
        ("experts_per_submission".to_string(), project["experts_per_submission"].to_string()),
        ("subjects".to_string(), lines(&project["subjects"])),
        ("title_names".to_string(), lines(&project["title_names"])),
        ("grades".to_string(), lines(&project["grades"])),
    ];
    for key in [
        "filing_start",
        "filing_end",
        "school_review_end",
        "department_review_end",
        "expert_review_start",
        "expert_review_end",
    ] {
        form.push((key.to_string(), local(key)));
    }
    for school_type in project["school_types"].as_array().expect("types") {
        form.push(("school_types".into(), school_type.as_str().expect("type").to_string()));
    }
    for flag in ["department_review", "blind_review", "recuse_department"] {
        if project[flag] == true {
            form.push((flag.into(), "1".into()));
        }
    }
    form
}

fn lines(list: &Value) -> String {
    list.as_array().expect("list").iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
}

fn set(form: &mut Vec<(String, String)>, key: &str, value: &str) {
    form.retain(|(name, _)| name != key);
    form.push((key.to_string(), value.to_string()));
}

fn post(
    server: &Server,
    client: &reqwest::blocking::Client,
    action: &str,
    form: &[(String, String)],
) -> reqwest::blocking::Response {
    let csrf = csrf_at(server, client, "/admin/projects");
    let mut all = vec![("csrf".to_string(), csrf)];
    all.extend_from_slice(form);
    client.post(server.url(action)).form(&all).send().expect("post")
}

#[test]
fn the_city_admin_edits_every_setting_in_shanghai_time() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "项目"));
    // The demo's own project is in full swing (its review stages); a new one has no submissions to protect.
    let created = api.post(
        "/projects",
        &json!({"name": "新建鉴定项目", "year": 2026, "filing_start": "2026-02-01T00:00:00Z", "filing_end": "2026-02-28T09:00:00Z"}),
    );
    assert!(created.status().is_success(), "{}", text(created));
    let id = created.json::<Value>().expect("json")["id"].as_u64().expect("id");
    let updates_before = api.json("/audit?action=project.update")["total"].as_u64().expect("total");
    let project = api.json(&format!("/projects/{id}"));
    let mut form = settings_form(&project);
    set(&mut form, "name", "2026年中职、技工学校教师高级职务教科研成果鉴定（修订）");
    set(&mut form, "filing_start", "2026-03-01T08:00");
    set(&mut form, "filing_end", "2026-03-31T17:30");
    set(&mut form, "school_review_end", "2026-04-10T17:00");
    set(&mut form, "department_review_end", "2026-04-20T17:00");
    set(&mut form, "expert_review_start", "2026-04-21T09:00");
    set(&mut form, "expert_review_end", "2026-05-20T17:00");
    set(&mut form, "max_achievements", "3");
    set(&mut form, "experts_per_submission", "3");
    set(&mut form, "subjects", "语文\n数学\n机械");
    set(&mut form, "grades", "优秀\n合格\n不合格");
    form.retain(|(name, value)| !(name == "blind_review" || (name == "school_types" && value == "jigong")));
    let saved = post(&server, &city, &format!("/admin/projects/{id}"), &form);
    assert_eq!(saved.status().as_u16(), 303, "{}", text(saved));
    let now = api.json(&format!("/projects/{id}"));
    assert_eq!(now["filing_start"], "2026-03-01T00:00:00+00:00");
    assert_eq!(now["filing_end"], "2026-03-31T09:30:00+00:00");
    assert_eq!((now["max_achievements"].as_u64(), now["experts_per_submission"].as_u64()), (Some(3), Some(3)));
    assert_eq!(now["subjects"], json!(["语文", "数学", "机械"]));
    assert_eq!(now["grades"], json!(["优秀", "合格", "不合格"]));
    assert_eq!(now["blind_review"], false);
    assert_eq!(now["school_types"], json!(["zhongzhuan", "zhigao", "chengren"]));
    let page = text(city.get(server.url(&format!("/admin/projects/{id}"))).send().expect("page"));
    assert!(page.contains("value=\"2026-03-31T17:30\"") && page.contains("已有申报 <strong>0</strong> 份"));

    // Mistakes are shown under their fields and nothing is saved.
    set(&mut form, "filing_end", "2026-02-01T08:00");
    set(&mut form, "grades", "优秀");
    set(&mut form, "school_review_end", "不是时间");
    let refused = post(&server, &city, &format!("/admin/projects/{id}"), &form);
    assert_eq!(refused.status().as_u16(), 422);
    let body = text(refused);
    assert!(body.contains("请填写有效的时间"));
    let again = {
        set(&mut form, "school_review_end", "2026-04-10T17:00");
        text(post(&server, &city, &format!("/admin/projects/{id}"), &form))
    };
    assert!(again.contains("填报截止时间应晚于开始时间") && again.contains("鉴定等级至少应有2项"));
    assert_eq!(api.json(&format!("/projects/{id}"))["filing_end"], "2026-03-31T09:30:00+00:00");

    // The API replaces the settings the same way; a school admin may read but not change them.
    let mut body = now.clone();
    body.as_object_mut().expect("object").remove("catalogue");
    body["department_review"] = json!(false);
    assert_eq!(api.put(&format!("/projects/{id}"), &body).json::<Value>().expect("json")["department_review"], false);
    let mut unknown_type = body.clone();
    unknown_type["school_types"] = json!(["gaozhong"]);
    // School types are an enum in the document: an unknown one is refused while the request is parsed.
    assert_eq!(api.put(&format!("/projects/{id}"), &unknown_type).status().as_u16(), 400);
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(school.get(&format!("/projects/{id}")).status().as_u16(), 200);
    assert_eq!(school.put(&format!("/projects/{id}"), &body).status().as_u16(), 403);
    let school_page = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(
        school_page.get(server.url(&format!("/admin/projects/{id}"))).send().expect("get").status().as_u16(),
        403
    );
    assert_eq!(api.json("/audit?action=project.update")["total"], updates_before + 2);
}

#[test]
fn a_project_is_copied_from_last_year_with_its_catalogue() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "项目"));
    let id = api.project_id();
    let source = api.json(&format!("/projects/{id}"));
    let year = source["year"].as_i64().expect("year");
    let copied = post_form(
        &server,
        &city,
        "/admin/projects",
        "/admin/projects",
        &[("kind", "copy"), ("source_id", &id.to_string()), ("year", &(year + 1).to_string())],
    );
    assert_eq!(copied.status().as_u16(), 303);
    let new_id: u64 =
        location(&copied).trim_start_matches("/admin/projects/").split('?').next().expect("id").parse().expect("id");
    let copy = api.json(&format!("/projects/{new_id}"));
    assert_eq!(
        copy["name"],
        source["name"].as_str().expect("name").replace(&year.to_string(), &(year + 1).to_string())
    );
    assert_eq!(copy["catalogue"], source["catalogue"]);
    assert_eq!(copy["subjects"], source["subjects"]);
    let shifted = |key: &str| {
        let old = chrono::DateTime::parse_from_rfc3339(source[key].as_str().expect(key)).expect("time");
        let new = chrono::DateTime::parse_from_rfc3339(copy[key].as_str().expect(key)).expect("time");
        (new - old).num_days()
    };
    assert!((365..=366).contains(&shifted("filing_start")) && (365..=366).contains(&shifted("expert_review_end")));
    // The same name again is refused; the API copies too.
    let twice = post_form(
        &server,
        &city,
        "/admin/projects",
        "/admin/projects",
        &[("kind", "copy"), ("source_id", &id.to_string()), ("year", &(year + 1).to_string())],
    );
    assert_eq!(twice.status().as_u16(), 422);
    assert!(text(twice).contains("已有同名的鉴定项目"));
    let by_api = api.post(&format!("/projects/{id}/copy"), &json!({"year": year + 2, "name": "第三年项目"}));
    assert_eq!(by_api.json::<Value>().expect("json")["name"], "第三年项目");
    let list = text(city.get(server.url("/admin/projects")).send().expect("list"));
    assert!(list.contains("第三年项目"));
}

#[test]
fn the_catalogue_is_edited_and_validated() {
    let server = Server::demo();
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "项目"));
    let id = api.project_id();
    let page = text(city.get(server.url(&format!("/admin/projects/{id}/catalogue"))).send().expect("page"));
    assert!(page.contains("专著") && page.contains("{published}") && page.contains("新增成果类型"));
    let blocks: usize = {
        let start = page.find("name=\"blocks\" value=\"").expect("blocks") + "name=\"blocks\" value=\"".len();
        page[start..].split('"').next().expect("n").parse().expect("n")
    };
    // Re-post the form as shown, removing 自创资源 and adding a type in the empty block.
    let mut form: Vec<(String, String)> = vec![("blocks".into(), blocks.to_string())];
    let catalogue = api.json(&format!("/projects/{id}"))["catalogue"].clone();
    for (index, item) in catalogue.as_array().expect("types").iter().enumerate() {
        let prefix = format!("t{index}");
        form.push((format!("{prefix}.code"), item["code"].as_str().expect("code").into()));
        form.push((format!("{prefix}.name"), item["name"].as_str().expect("name").into()));
        form.push((format!("{prefix}.level"), item["level"].as_str().expect("level").into()));
        form.push((format!("{prefix}.template"), item["template"].as_str().expect("template").into()));
        let fields: Vec<String> = item["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| {
                format!(
                    "{}|{}|{}|{}|{}",
                    f["key"].as_str().unwrap_or(""),
                    f["label"].as_str().unwrap_or(""),
                    f["format"].as_str().unwrap_or(""),
                    f["placeholder"].as_str().unwrap_or(""),
                    f["hint"].as_str().unwrap_or("")
                )
            })
            .collect();
        form.push((format!("{prefix}.fields"), fields.join("\n")));
        for school_type in item["allowed_school_types"].as_array().expect("types") {
            form.push((format!("{prefix}.school_types"), school_type.as_str().expect("t").into()));
        }
        for slot in item["required_slots"].as_array().expect("slots") {
            form.push((format!("{prefix}.slots"), slot.as_str().expect("s").into()));
        }
        if item["allows_media"] == true {
            form.push((format!("{prefix}.media"), "1".into()));
        }
        if item["code"] == "own_resource" {
            form.push((format!("{prefix}.remove"), "1".into()));
        }
    }
    let new = format!("t{}", blocks - 1);
    form.extend([
        (format!("{new}.code"), "patent".to_string()),
        (format!("{new}.name"), "专利".to_string()),
        (format!("{new}.level"), "deemed".to_string()),
        (format!("{new}.fields"), "granted|授权时间|year_month\nnumber|专利号|text||示例 ZL2019…".to_string()),
        (format!("{new}.template"), "专利：于{granted}获授权，专利号{number}".to_string()),
        (format!("{new}.school_types"), "zhigao".to_string()),
        (format!("{new}.slots"), "award".to_string()),
    ]);
    let saved = post(&server, &city, &format!("/admin/projects/{id}/catalogue"), &form);
    assert_eq!(saved.status().as_u16(), 303, "{}", text(saved));
    let now = api.json(&format!("/projects/{id}"))["catalogue"].clone();
    let codes: Vec<&str> = now.as_array().expect("types").iter().filter_map(|t| t["code"].as_str()).collect();
    assert!(codes.contains(&"patent") && !codes.contains(&"own_resource"));
    let patent = now.as_array().expect("types").iter().find(|t| t["code"] == "patent").expect("patent");
    assert_eq!(patent["fields"][1]["hint"], "示例 ZL2019…");
    assert_eq!(patent["fields"][0]["placeholder"], "请输入授权时间");

    // A sentence that names a missing field, a broken brace, a bad format: refused with the reason.
    let mut broken = form.clone();
    broken.retain(|(name, _)| name != &format!("{new}.template"));
    broken.push((format!("{new}.template"), "专利：于{granted}获授权，{missing}".to_string()));
    let body = text(post(&server, &city, &format!("/admin/projects/{id}/catalogue"), &broken));
    assert!(body.contains("未保存") && body.contains("不存在的字段“missing”"), "{body}");
    broken.retain(|(name, _)| name != &format!("{new}.template"));
    broken.push((format!("{new}.template"), "专利：于{granted".to_string()));
    assert!(text(post(&server, &city, &format!("/admin/projects/{id}/catalogue"), &broken)).contains("未闭合"));
    let mut bad_format = form.clone();
    bad_format.retain(|(name, _)| name != &format!("{new}.fields"));
    bad_format.push((format!("{new}.fields"), "granted|授权时间|colour".to_string()));
    assert!(
        text(post(&server, &city, &format!("/admin/projects/{id}/catalogue"), &bad_format))
            .contains("格式“colour”无效")
    );

    // The API replaces the catalogue with the same checks.
    let mut types = now.as_array().expect("types").clone();
    types.retain(|t| t["code"] != "patent");
    let replaced = api.put(&format!("/projects/{id}/catalogue"), &json!(types));
    assert_eq!(replaced.status().as_u16(), 200);
    types[0]["code"] = json!("textbook");
    let duplicate = api.put(&format!("/projects/{id}/catalogue"), &json!(types));
    assert_eq!(duplicate.status().as_u16(), 422);
    assert!(duplicate.json::<Value>().expect("json").to_string().contains("重复"));
    assert_eq!(api.json("/audit?action=project.catalogue")["total"], 2);
}

#[test]
fn a_project_with_submissions_keeps_what_they_use() {
    let mut options = Options::demo();
    options.args = vec!["--demo-scale".into(), "small".into()];
    let server = Server::start(options);
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &city, "项目"));
    let id = api.project_id();
    let usage = api.json(&format!("/projects/{id}/usage"));
    // The generated set next to the demo's own review stages (a 专著 each).
    assert_eq!(usage["submissions"], 45);
    assert!(usage["in_expert_review"].as_u64().expect("n") > 0 && usage["past_school_review"].as_u64().expect("n") > 0);
    assert_eq!(usage["types_filed"], json!(["journal_paper", "monograph"]));
    let project = api.json(&format!("/projects/{id}"));
    let mut body = project.clone();
    body.as_object_mut().expect("object").remove("catalogue");

    let refuse = |change: &dyn Fn(&mut Value), field: &str, words: &str| {
        let mut changed = body.clone();
        change(&mut changed);
        let response = api.put(&format!("/projects/{id}"), &changed);
        assert_eq!(response.status().as_u16(), 422, "{field}");
        let error: Value = response.json().expect("json");
        let message = error["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|f| f["field"] == field)
            .unwrap_or_else(|| panic!("{field}: {error}"))["message"]
            .as_str()
            .expect("message")
            .to_string();
        assert!(message.contains(words), "{field}: {message}");
    };
    refuse(&|b| b["school_types"] = json!(["zhongzhuan"]), "school_types", "已有申报");
    refuse(&|b| b["department_review"] = json!(false), "department_review", "已有申报通过学校审核");
    refuse(&|b| b["grades"] = json!(["合格", "不合格"]), "grades", "专家评审已开始");
    refuse(&|b| b["blind_review"] = json!(false), "blind_review", "专家评审已开始");
    refuse(
        &|b| {
            let subjects: Vec<Value> = b["subjects"].as_array().expect("subjects").iter().skip(3).cloned().collect();
            b["subjects"] = json!(subjects);
        },
        "subjects",
        "已被提交的申报使用",
    );
    // Renaming and moving a deadline stay possible.
    let mut renamed = body.clone();
    renamed["name"] = json!("2026年鉴定（已有申报）");
    assert_eq!(api.put(&format!("/projects/{id}"), &renamed).status().as_u16(), 200);

    // The catalogue: the type in use cannot go or change its fields; its wording can.
    let mut types = project["catalogue"].as_array().expect("types").clone();
    let paper = types.iter().position(|t| t["code"] == "journal_paper").expect("paper");
    let mut without = types.clone();
    without.remove(paper);
    let removed = api.put(&format!("/projects/{id}/catalogue"), &json!(without));
    assert_eq!(removed.status().as_u16(), 422);
    assert!(removed.json::<Value>().expect("json").to_string().contains("已被申报使用，不能删除"));
    let mut more_fields = types.clone();
    more_fields[paper]["fields"]
        .as_array_mut()
        .expect("fields")
        .push(json!({"key": "doi", "label": "DOI", "format": "text"}));
    let template = format!("{}，DOI：{{doi}}", more_fields[paper]["template"].as_str().expect("template"));
    more_fields[paper]["template"] = json!(template);
    assert!(
        api.put(&format!("/projects/{id}/catalogue"), &json!(more_fields))
            .json::<Value>()
            .expect("json")
            .to_string()
            .contains("不能增删字段")
    );
    // A field format outside the closed set is refused while the body is parsed (400, the API's error shape).
    let mut unknown_format = types.clone();
    unknown_format[paper]["fields"][0]["format"] = json!("isbn");
    let refused = api.put(&format!("/projects/{id}/catalogue"), &json!(unknown_format));
    assert_eq!(refused.status().as_u16(), 400);
    let answer: Value = refused.json().expect("json");
    assert!(answer["code"].is_string() && answer["message"].is_string(), "{answer}");
    types[paper]["name"] = json!("期刊论文");
    assert_eq!(api.put(&format!("/projects/{id}/catalogue"), &json!(types)).status().as_u16(), 200);
    // The page shows the counts and marks the type in use.
    let page = text(city.get(server.url(&format!("/admin/projects/{id}/catalogue"))).send().expect("page"));
    assert!(page.contains("已有提交的申报"));
}
