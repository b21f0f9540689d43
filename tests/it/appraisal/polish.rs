//! Issue 15, the teacher's side: a failed 提交 shows every error at once and says nothing was submitted; the home
//! steps say what is true now; the home card names the project and the deadline; a teacher who never filed is
//! told so after the deadline; the 消息提醒 pop-up can be closed for good; the title must fit its grade.

use zhiping::domain::submission::SubmissionState;

use super::*;
use crate::review::fixture::{Chain, fixture as review_fixture};
use crate::review::{page, post};

/// The state word shown under the home step `name`.
fn step_word(home: &str, name: &str) -> String {
    let marker = format!("<span class=\"step-name\">{name}</span>");
    let start = home.find(&marker).unwrap_or_else(|| panic!("no step {name}: {home}")) + marker.len();
    let rest = &home[start..];
    let word = rest.strip_prefix("<span class=\"step-state\">").unwrap_or_else(|| panic!("no word for {name}: {rest}"));
    word.split('<').next().unwrap_or("").to_string()
}

#[test]
fn a_submit_with_a_refused_file_shows_every_error_at_once_and_keeps_the_draft() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let client = &clients[0];
    let (_, csrf, submission_id) = form_page(&server, client);
    let fields = [
        ("submission_id", submission_id.as_str()),
        ("research_direction", "职业教育课程改革"),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "中职机械基础课程项目化教学研究"),
        ("achievements.0.level", "formal"),
        ("achievements.0.type_code", "monograph"),
        ("action", "submit"),
    ];
    // An image-only scan as the achievement file is refused; the 证明材料 is accepted.
    let uploads = vec![
        upload("achievements.0.achievement_file", "扫描.pdf", fixture_bytes("scan.pdf")),
        upload("achievements.0.evidence.formal", "CIP页.pdf", fixture_bytes("text.pdf")),
    ];
    let response = post_form(&server, client, &csrf, &fields, uploads);
    assert_eq!(response.status().as_u16(), 422);
    let page = text(response);
    // Nothing submitted, said plainly; the draft kept.
    assert!(page.contains("提交未成功，材料尚未提交"), "{page}");
    assert!(page.contains("上传成功的文件已暂存"), "{page}");
    // The file's refusal and every 提交 check together.
    assert!(page.contains("不接受图片扫描转PDF格式"), "the file's own message: {page}");
    for message in ["取得日期不能为空", "本人承担部分不能为空", "是否独立完成不能为空", "申报学科不能为空"]
    {
        assert!(page.contains(message), "{message} missing: {page}");
    }
    // The summary links to each field; the first field in the page takes the focus (no script needed).
    assert!(page.contains("class=\"notice error error-summary\""), "{page}");
    for anchor in ["#title_grade", "#title_date", "#a0-independent", "#a0-achievement_file", "#confirmed_instructions"]
    {
        assert!(page.contains(&format!("href=\"{anchor}\"")), "summary link {anchor}: {page}");
    }
    assert!(page.contains("id=\"title_grade\" name=\"title_grade\" autofocus"), "first error focused: {page}");
    assert_eq!(page.matches(" autofocus").count(), 1, "one autofocus");
    // Stored as 暂存: the typed text and the accepted file, not a submission.
    let json = appraisal_json(&server, client);
    assert_eq!(json["state"], "draft");
    assert_eq!(json["versions"], 0);
    assert_eq!(json["research_direction"], "职业教育课程改革");
    assert_eq!(json["achievements"][0]["evidence"]["formal"]["name"], "CIP页.pdf");
    assert!(json["achievements"][0]["achievement_file"].is_null(), "the refused file is not stored");

    // A renamed text file refused the same way, with everything else valid: still not submitted.
    let (_, csrf, submission_id) = form_page(&server, client);
    let mut fields = complete_fields(&submission_id);
    fields.push(("action".into(), "submit".into()));
    let renamed = vec![upload("achievements.0.achievement_file", "专著.pdf", b"just some text, not a PDF".to_vec())];
    let response = post_form(&server, client, &csrf, &as_pairs(&fields), renamed);
    assert_eq!(response.status().as_u16(), 422);
    let page = text(response);
    assert!(page.contains("提交未成功，材料尚未提交") && page.contains("href=\"#a0-achievement_file\""), "{page}");
    assert_eq!(appraisal_json(&server, client)["state"], "draft");
}

#[test]
fn the_title_must_fit_the_chosen_grade() {
    let server = Server::demo();
    let clients = pledged(&server, &["陈昇"]);
    let client = &clients[0];
    let (page, csrf, submission_id) = form_page(&server, client);
    // Each title names its grade for the script's filter; 其它 fits every grade.
    assert!(page.contains("value=\"一级教师\" data-grade=\"中级\""), "{page}");
    assert!(page.contains("value=\"高级讲师\" data-grade=\"副高级\""));
    assert!(page.contains("<option value=\"其它\">"), "其它 has no grade");
    // The date fields carry their picker kind (the script turns them into date / month inputs).
    assert!(page.contains("id=\"title_date\" name=\"title_date\" type=\"text\" value=\"\" placeholder=\"请输入，如 2015-09-01\" data-picker=\"date\""));
    assert!(page.contains("data-picker=\"month\""), "year-month fields: month pickers");
    let mut fields = complete_fields(&submission_id);
    for (key, value) in fields.iter_mut() {
        if key == "title_grade" {
            *value = "副高级".into();
        }
    }
    fields.push(("action".into(), "submit".into()));
    let response = post_form(&server, client, &csrf, &as_pairs(&fields), complete_files());
    assert_eq!(response.status().as_u16(), 422);
    let page = text(response);
    assert!(page.contains("“一级教师”属于中级职务，与所选等级“副高级”不符"), "{page}");
    assert_eq!(appraisal_json(&server, client)["state"], "draft");
}

#[test]
fn the_home_card_names_the_project_and_the_deadline_before_anything_is_filed() {
    let server = Server::demo();
    let client = teacher(&server, "刁彬彬");
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("年中职、技工学校教师高级职务教科研成果鉴定"), "the project's name: {home}");
    assert!(home.contains("填报截止：") && home.contains("还剩"), "the deadline: {home}");
    assert_eq!(step_word(&home, "填报"), "未填报");
    assert_eq!(step_word(&home, "学校审核"), "未开始");
}

#[test]
fn after_the_deadline_a_teacher_who_never_filed_is_told_so_plainly() {
    let mut server = Server::demo();
    server.stop();
    close_filing_window(&server.data);
    let server = Server::start(Options { data: Some(server.data.clone()), ..Options::demo() });
    let client = teacher(&server, "刁彬彬");
    let page = text(client.get(server.url("/appraisal")).send().expect("appraisal"));
    assert!(page.contains("您未在截止前填报教科研成果鉴定材料，现已不能填报"), "{page}");
    assert!(!page.contains("现仅可查看"), "nothing to view: {page}");
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("您未提交教科研成果鉴定材料，不能再填报"), "{home}");
}

#[test]
fn each_home_step_says_what_is_true_now() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &review_fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(id, SubmissionState::Accepted);
    });
    let server = &chain.server;
    let client = teacher(server, "刁彬彬");
    let home = page(server, &client, "/");
    // The department approved: its step passed; expert review is only waited for, not passed.
    assert_eq!(step_word(&home, "填报"), "已提交");
    assert_eq!(step_word(&home, "学校审核"), "通过");
    assert_eq!(step_word(&home, "主管部门审核"), "通过");
    assert_eq!(step_word(&home, "专家评审"), "等待评审");
    assert_eq!(step_word(&home, "公布等级"), "未开始");
    assert!(home.contains("aria-current=\"step\"><span class=\"step-name\">专家评审"), "the current step: {home}");
}

#[test]
fn the_message_pop_up_closes_for_good_without_javascript() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &review_fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
    });
    let server = &chain.server;
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, body) = post(server, &school, &from, &format!("{from}/return"), &[("reason", "证明材料填写不规范。")]);
    assert!(status == 200 || status == 303, "return: {status} {body}");
    let client = teacher(server, "刁彬彬");
    let home = page(server, &client, "/");
    assert!(home.contains("id=\"message-popup\""), "{home}");
    assert!(home.contains("证明材料填写不规范。") && !home.contains("。。"), "no doubled 。: {home}");
    assert_eq!(step_word(&home, "学校审核"), "退回");
    assert_eq!(step_word(&home, "填报"), "待修改");
    let marker = "action=\"/messages/";
    let start = home.find(marker).expect("the 关闭 form") + marker.len();
    let message_id: u64 = home[start..].split('/').next().and_then(|n| n.parse().ok()).expect("message id");
    assert!(home.contains("关闭"));

    // Another teacher cannot close it; the teacher can, and it stays closed.
    let other = teacher(server, "陈昇");
    let other_csrf = csrf_of(&page(server, &other, "/"));
    let path = format!("/messages/{message_id}/read");
    let refused = other.post(server.url(&path)).form(&[("csrf", other_csrf.as_str())]).send().expect("post");
    assert_eq!(refused.status().as_u16(), 404);
    let csrf = csrf_of(&home);
    let closed = client.post(server.url(&path)).form(&[("csrf", csrf.as_str())]).send().expect("close");
    assert_eq!(closed.status().as_u16(), 303);
    assert_eq!(closed.headers().get("location").and_then(|v| v.to_str().ok()), Some("/"));
    let home = page(server, &client, "/");
    assert!(!home.contains("id=\"message-popup\""), "stays closed: {home}");
    assert_eq!(crate::review::unread_badge(&home), 0);
    // The message itself is still listed.
    assert!(page(server, &client, "/messages").contains("证明材料填写不规范"));
}
