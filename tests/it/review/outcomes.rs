//! Issue 15 on the reviewers' side: every review action answers with a redirect (post/redirect/get) and its
//! outcome shows once as a fixed sentence; refused input still shows the form with its messages; 去审核 jumps to
//! the actions that follow the submission; the expert picker starts on a placeholder; the wording of the return
//! banner, 市级受理 and the expert's 已提交 says each thing once.

use chrono::{Duration, Utc};
use zhiping::domain::org::OrgRef;
use zhiping::domain::submission::PledgeAcceptance;

use super::fixture::{Chain, fixture};
use super::{page, post};
use crate::support::*;

/// A POST with the CSRF token of `from`, the raw answer (redirects are not followed).
fn raw_post(
    server: &Server,
    client: &reqwest::blocking::Client,
    from: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let csrf = csrf_of(&page(server, client, from));
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(server.url(path)).form(&form).send().expect("post")
}

#[test]
fn a_school_return_redirects_shows_its_notice_once_and_the_teacher_reads_one_full_stop() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        let mut submission = seed.submission(id);
        submission.pledge = Some(PledgeAcceptance {
            at: Utc::now() - Duration::days(1),
            address: "127.0.0.1".into(),
            text_version: "2026".into(),
            text_sha256: String::new(),
        });
        seed.store.write(|tx| tx.put(&submission)).expect("pledged");
    });
    let server = &chain.server;
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");

    // 去审核 at the top jumps to the actions, which follow the submission (read, then decide).
    let detail = page(server, &school, &from);
    let jump = detail.find("href=\"#review-actions\"").expect("去审核 link");
    let content = detail.find("填报内容").expect("the filing");
    let actions = detail.find("id=\"review-actions\"").expect("the actions' anchor");
    let approve = detail.find("/approve\"").expect("the approve form");
    assert!(jump < content && content < actions && actions < approve, "去审核 → content → actions");
    assert!(detail[jump..].starts_with("href=\"#review-actions\">去审核<"), "{}", &detail[jump..jump + 60]);

    // Refused input: the page again, with the message, nothing redirected.
    let response = raw_post(server, &school, &from, &format!("{from}/return"), &[("reason", "  ")]);
    assert_eq!(response.status().as_u16(), 422);
    let body = text(response);
    assert!(body.contains("退回原因不能为空") && body.contains("提交的信息有误"), "{body}");

    // Done: 303 to the page with a code; the notice shows there, and not again on the next visit.
    let response = raw_post(server, &school, &from, &format!("{from}/return"), &[("reason", "证明材料不全。")]);
    assert_eq!(response.status().as_u16(), 303);
    let landing = location(&response);
    assert_eq!(landing, format!("{from}?done=returned"));
    assert!(page(server, &school, &landing).contains("已退回，教师将收到消息提醒。"));
    assert!(!page(server, &school, &from).contains("教师将收到消息提醒"), "a one-time notice");
    // A hand-made code shows nothing and echoes nothing.
    let forged = page(server, &school, &format!("{from}?done=%3Cb%3Eforged"));
    assert!(!forged.contains("forged"), "nothing from the URL is shown");

    // The teacher's banner ends the reviewer's sentence once.
    let teacher = first_login(server, &server.demo_username("刁彬彬"), "abc12345");
    let form = page(server, &teacher, "/appraisal");
    assert!(form.contains("已退回：证明材料不全。请修改后重新提交。"), "{form}");
    assert!(!form.contains("。。"), "doubled full stop");
}

#[test]
fn city_and_expert_actions_redirect_and_say_each_thing_once() {
    let mut id = 0;
    let mut expert = String::new();
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        expert = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(id, zhiping::domain::submission::SubmissionState::Accepted);
        seed.edit_project(|project| project.experts_per_submission = 1);
    });
    let server = &chain.server;
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");

    // 受理 (no identity in the file): 303 with its outcome; 市级受理 said once.
    let response = raw_post(server, &city, &from, &format!("{from}/accept"), &[]);
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), format!("{from}?done=accepted"));
    let detail = page(server, &city, &location(&response));
    assert!(detail.contains("已受理，匿名检查通过"), "{detail}");
    assert!(detail.contains("市级受理：匿名检查未发现身份信息"), "{detail}");
    assert!(!detail.contains("受理：受理："), "doubled prefix");

    // The expert picker starts on a placeholder; choosing nothing is refused with a message.
    let select = &detail[detail.find("<select id=\"expert_id\"").expect("the picker")..];
    let select = &select[..select.find("</select>").expect("end of the picker")];
    assert!(select.contains("<option value=\"\">---请选择---</option>"), "{select}");
    assert!(!select.contains("selected"), "nothing preselected: {select}");
    let (status, body) = post(server, &city, &from, &format!("{from}/assign"), &[("expert_id", "")]);
    assert_eq!(status, 422);
    assert!(body.contains("请选择评审专家"), "{body}");
    // The seeded 钱评审 (the demo has experts of its own in the list too).
    let expert_id = select
        .split("<option value=\"")
        .find(|option| option.contains("钱评审"))
        .and_then(|rest| rest.split('"').next())
        .expect("the seeded expert");
    let response = raw_post(server, &city, &from, &format!("{from}/assign"), &[("expert_id", expert_id)]);
    assert_eq!(response.status().as_u16(), 303);
    assert!(page(server, &city, &location(&response)).contains("已分配专家。"));

    // The expert submits: 303, and 已提交 is said once on the page it lands on.
    let reviewer = first_login(server, &expert, "abc12345");
    let path = format!("/expert/submissions/{id}");
    let response = raw_post(
        server,
        &reviewer,
        &path,
        &path,
        &[("grade", "优秀"), ("opinion", "论证充分，成果扎实。"), ("action", "submit")],
    );
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), format!("{path}?done=submitted"));
    let landed = page(server, &reviewer, &location(&response));
    assert_eq!(landed.matches("鉴定意见已提交").count(), 1, "{landed}");
    // Later visits say it once too (the closed form's own line).
    let later = page(server, &reviewer, &path);
    assert_eq!(later.matches("鉴定意见已提交").count(), 1, "{later}");

    // Final grade and publication: both redirect; publication lands on the results with the count.
    let (status, body) =
        post(server, &city, &from, &format!("{from}/final"), &[("grade", "优秀"), ("opinion", "同意专家意见。")]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("已保存最终等级"), "{body}");
    let project_id = body
        .split("name=\"project_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("project id")
        .to_string();
    let response = raw_post(
        server,
        &city,
        &from,
        "/review/publish",
        &[("project_id", &project_id), ("ids", &id.to_string()), ("scope", "selected")],
    );
    assert_eq!(response.status().as_u16(), 303);
    let landing = location(&response);
    assert_eq!(landing, format!("/review/results?project_id={project_id}&done=published&n=1"));
    assert!(page(server, &city, &landing).contains("已公布 1 份成果的鉴定等级"));
}
