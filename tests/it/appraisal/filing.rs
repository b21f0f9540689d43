//! The form (SPEC §4.2): 暂存 keeps everything and only shows format problems, 提交 shows every failure in red
//! under its field and keeps all input, 新增成果 / 删除 without JavaScript, ★ types refused for 中专.

use super::*;

#[test]
fn save_keeps_everything_typed_and_shows_format_problems_without_blocking() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let client = &clients[0];
    let (page, csrf, submission_id) = form_page(&server, client);
    // The manual's form: grey basic info with the notice, the teacher's name and school.
    assert!(page.contains("不可修改。若信息有误，请联系学校管理员进行修改。"));
    assert!(page.contains("刁彬彬") && page.contains("上海市南湖职业学校") && page.contains("1980年12月28日"));
    assert!(page.contains("输入大专所学专业。如无，则填写无。") && page.contains("---请选择---"));
    assert!(page.contains("新增成果") && page.contains("填报说明"));
    assert!(page.contains("本人已认真阅读“填报说明”，并按照上述要求进行填报。"));
    assert!(page.contains("注：证明材料仅支持单个文件上传，如有多个文件，请整合成一个Word或PDF。"));
    assert!(page.contains("1.cip页、封面、封底扫描件 2.cip数据核字号查询页截图"));

    let fields = [
        ("submission_id", submission_id.as_str()),
        ("research_direction", "职业教育"),
        ("title_date", "2015/13/40"),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "半成品题目"),
        ("achievements.0.level", "formal"),
        ("achievements.0.type_code", "monograph"),
        ("achievements.0.t.monograph.cip", "12345"),
        ("achievements.0.t.monograph.rank", "4/3"),
        ("action", "save"),
    ];
    let saved = post_form(&server, client, &csrf, &fields, Vec::new());
    assert_eq!(saved.status().as_u16(), 303, "暂存 is never blocked");
    assert_eq!(location(&saved), "/appraisal?saved=1");
    let page = text(client.get(server.url("/appraisal?saved=1")).send().expect("reload"));
    assert!(page.contains("暂存成功"));
    for kept in ["职业教育", "2015/13/40", "半成品题目", "12345", "4/3"] {
        assert!(page.contains(kept), "{kept} kept after 暂存");
    }
    assert!(page.contains("CIP核字号为10位,前4位为年份,后6位为编号"), "format problems shown in red");
    assert!(page.contains("a0-fields-cip-error"));
    // No required-field checks on 暂存.
    assert!(!page.contains("研究方向不能为空") && !page.contains("题目不能为空"));
    let json = appraisal_json(&server, client);
    assert_eq!(json["state"], "draft");
    assert_eq!(json["achievements"][0]["fields"]["cip"], "12345");
}

#[test]
fn submit_shows_every_failure_under_its_field_then_succeeds_once_fixed() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let client = &clients[0];
    let (_, csrf, submission_id) = form_page(&server, client);
    let empty = post_form(
        &server,
        client,
        &csrf,
        &[
            ("submission_id", &submission_id),
            ("achievements.0.origin", "0"),
            ("research_direction", "保留的方向"),
            ("action", "submit"),
        ],
        Vec::new(),
    );
    assert_eq!(empty.status().as_u16(), 422);
    let page = text(empty);
    for message in [
        "取得日期不能为空",
        "大专所学专业不能为空",
        "申报学科不能为空",
        "本科所学专业不能为空",
        "研究生所学专业不能为空",
        "现任教学科不能为空",
        "题目不能为空",
        "成果层次不能为空",
        "本人承担部分不能为空",
        "成果上传不能为空",
    ] {
        assert!(page.contains(message), "missing {message}");
    }
    assert!(page.contains("id=\"title_date-error\"") && page.contains("aria-describedby=\"title_date-error\""));
    assert!(page.contains("保留的方向"), "input kept after a failed 提交");
    assert!(page.contains("请勾选"), "the confirmation checkbox is required");

    // Fix everything, upload the files in the same post: 提交成功.
    let fields = complete_fields(&submission_id);
    let mut pairs = as_pairs(&fields);
    pairs.push(("action", "submit"));
    let done = post_form(&server, client, &csrf, &pairs, complete_files());
    assert_eq!(done.status().as_u16(), 303, "{}", text(done));
    assert_eq!(location(&done), "/appraisal/submitted");
    let success = text(client.get(server.url("/appraisal/submitted")).send().expect("success"));
    assert!(success.contains("提交成功") && success.contains("在线预览") && success.contains("返回首页"));
    assert!(success.contains("在线打印") && success.contains("href=\"/filing/print\""));
    let print = client.get(server.url("/filing/print")).send().expect("print");
    assert_eq!(print.status().as_u16(), 200);
    assert_eq!(print.headers()["content-type"], "application/pdf");
    let preview = text(client.get(server.url("/appraisal/preview")).send().expect("preview"));
    assert!(preview.contains("点击查看") && preview.contains("专著全文.pdf"));
    assert!(preview.contains("出版：于2019-05由高等教育出版社发表，排序/排名：1/3；CIP号为2019102034"));
    // Read-only now, with 撤回; the home page says 待审核 at 学校审核.
    let form = text(client.get(server.url("/appraisal")).send().expect("read only"));
    assert!(!form.contains("id=\"filing-form\"") && form.contains("撤回"));
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("待审核"));
    let json = appraisal_json(&server, client);
    assert_eq!(json["state"], "submitted");
    assert_eq!(json["versions"], 1);
}

#[test]
fn add_and_delete_achievements_work_without_javascript() {
    let server = Server::demo();
    let clients = pledged(&server, &["陈昇"]);
    let client = &clients[0];
    let (_, csrf, submission_id) = form_page(&server, client);
    let base =
        [("submission_id", submission_id.as_str()), ("achievements.0.origin", "0"), ("achievements.0.title", "第一项")];
    let mut add = base.to_vec();
    add.push(("action", "add"));
    let added = post_form(&server, client, &csrf, &add, Vec::new());
    assert_eq!(added.status().as_u16(), 303);
    let page = text(client.get(server.url("/appraisal")).send().expect("form"));
    assert!(page.contains("id=\"achievement-1\"") && page.contains("第一项"));
    assert!(page.contains("value=\"remove:1\""), "删除 from the second achievement on");
    // At the maximum (2): the manual's prompt.
    let two = [
        ("submission_id", submission_id.as_str()),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "第一项"),
        ("achievements.1.origin", "1"),
        ("achievements.1.title", "第二项"),
    ];
    let mut again = two.to_vec();
    again.push(("action", "add"));
    let prompt = text(post_form(&server, client, &csrf, &again, Vec::new()));
    assert!(
        prompt.contains("提示")
            && prompt.contains("教科研成果数量至多为2项，不可再次添加。")
            && prompt.contains("确认")
    );
    // 删除 asks first, then deletes for good.
    let mut remove = two.to_vec();
    remove.push(("action", "remove:1"));
    let ask = text(post_form(&server, client, &csrf, &remove, Vec::new()));
    assert!(ask.contains("确定删除教研成果信息2吗？一旦删除，不可恢复。") && ask.contains("确认删除"));
    assert_eq!(appraisal_json(&server, client)["achievements"].as_array().map(Vec::len), Some(2));
    let mut confirmed = two.to_vec();
    confirmed.push(("action", "remove_confirmed:1"));
    let gone = post_form(&server, client, &csrf, &confirmed, Vec::new());
    assert_eq!(gone.status().as_u16(), 303);
    let json = appraisal_json(&server, client);
    assert_eq!(json["achievements"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["achievements"][0]["title"], "第一项");
    // A forged post with three achievements is refused.
    let mut three = two.to_vec();
    three.push(("achievements.2.title", "第三项"));
    let refused = post_form(&server, client, &csrf, &three, Vec::new());
    assert_eq!(refused.status().as_u16(), 422);
}

#[test]
fn restricted_types_are_not_offered_to_zhongzhuan_teachers_and_are_refused_by_the_server() {
    let server = Server::demo();
    let clients = pledged(&server, &["张琳", "李珺"]);
    let (zhang, li) = (&clients[0], &clients[1]);
    let (page, csrf, submission_id) = form_page(&server, zhang);
    assert!(!page.contains("value=\"deemed\""), "视作发表 not offered to 中专");
    assert!(!page.contains("value=\"school_course\"") && !page.contains("value=\"own_resource\""));
    assert!(!page.contains("value=\"unit_article\""));
    assert!(page.contains("value=\"monograph\""));
    let forged = post_form(
        &server,
        zhang,
        &csrf,
        &[
            ("submission_id", &submission_id),
            ("achievements.0.origin", "0"),
            ("achievements.0.title", "校本课程开发"),
            ("achievements.0.level", "exchange"),
            ("achievements.0.type_code", "school_course"),
            ("action", "save"),
        ],
        Vec::new(),
    );
    assert_eq!(forged.status().as_u16(), 422);
    let body = text(forged);
    assert!(body.contains("仅供职业高中和成人中等专业学校的申报教师填报"), "{body}");
    assert_eq!(appraisal_json(&server, zhang)["achievements"][0]["type_code"], "", "nothing stored");
    // The API refuses it the same way.
    let api = zhang
        .put(server.url("/api/v1/me/appraisal"))
        .json(&serde_json::json!({"achievements": [{"title": "获奖", "level": "deemed", "type_code": "award"}]}))
        .send()
        .expect("api");
    assert_eq!(api.status().as_u16(), 422);
    // A 成人中专 teacher is offered them.
    let (page, ..) = form_page(&server, li);
    assert!(page.contains("value=\"deemed\"") && page.contains("value=\"own_resource\""));
}

#[test]
fn a_forged_form_for_another_teachers_submission_is_not_found_and_changes_nothing() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬", "陈昇"]);
    let (diao, chen) = (&clients[0], &clients[1]);
    let (_, _, diao_submission) = form_page(&server, diao);
    let (_, chen_csrf, _) = form_page(&server, chen);
    let forged = post_form(
        &server,
        chen,
        &chen_csrf,
        &[("submission_id", &diao_submission), ("research_direction", "篡改"), ("achievements.0.origin", "0")],
        vec![upload("achievements.0.achievement_file", "x.pdf", fixture_bytes("text.pdf"))],
    );
    assert_eq!(forged.status().as_u16(), 404);
    assert_eq!(appraisal_json(&server, diao)["research_direction"], "");
    assert_eq!(appraisal_json(&server, chen)["research_direction"], "", "the forger's own draft is untouched too");
}
