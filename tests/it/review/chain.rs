//! The whole chain: submitted → school return → 消息提醒 → resubmit → school approve (with what changed) →
//! department approve → city acceptance → automatic assignment with recusal → two experts grade (blind) →
//! final grade → publication → the teacher sees the grade; plus the API and the export on the way.

use zhiping::domain::org::OrgRef;

use super::file_and_submit;
use super::fixture::Chain;
use super::{page, post, unread_badge};
use crate::appraisal::{appraisal_json, fixture_bytes, pledged, upload};
use crate::support::*;

struct Ids {
    expert_a: String,
    expert_b: String,
}

/// Two 机械 experts outside the demo department (赵堃, 机械, is of the teachers' department: recused).
fn start() -> (Chain, Ids) {
    let mut ids = Ids { expert_a: String::new(), expert_b: String::new() };
    let chain = Chain::start(|seed| {
        let (department, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        ids.expert_a = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["机械"]);
        ids.expert_b = seed.expert("吴评审", "31011519710202222", OrgRef::Department(department), &["机械", "数学"]);
    });
    (chain, ids)
}

#[test]
fn review_chain_from_return_to_published_grade() {
    let (chain, ids) = start();
    let teacher_name = chain.server.demo_username("刁彬彬");
    // Both teachers file through the real form (one pledge wait for both); 陈昇 uploads the same achievement file.
    let clients = pledged(&chain.server, &["刁彬彬", "陈昇"]);
    let teacher = &clients[0];
    let book = || upload("achievements.0.achievement_file", "刁彬彬的专著.pdf", fixture_bytes("with-meta.pdf"));
    let proof = || upload("achievements.0.evidence.formal", "CIP页.pdf", fixture_bytes("scan.pdf"));
    file_and_submit(&chain.server, teacher, "课程改革", vec![book(), proof()]);
    file_and_submit(&chain.server, &clients[1], "课程改革", vec![book(), proof()]);
    let id: u64 = appraisal_json(&chain.server, teacher)["submission_id"].as_u64().expect("submission id");
    let school = signed_in(&chain.server, "nanhu_admin", DEMO_ADMIN_PASSWORD);

    // 学校审核: the list by state with counts and a name search; the duplicate is flagged.
    let list = page(&chain.server, &school, "/review?q=%E5%88%81");
    assert!(list.contains("刁彬彬") && !list.contains("陈昇"), "search by name");
    assert!(list.contains("待学校审核"));
    assert!(list.contains("重复成果"), "the duplicate signal in the list");
    let detail = page(&chain.server, &school, &format!("/review/submissions/{id}"));
    assert!(detail.contains("中职机械基础课程项目化教学研究") && detail.contains("点击查看"));
    assert!(detail.contains("重复成果提示") && detail.contains("另一位教师的成果中有相同文件"));
    assert!(detail.contains("/files/") && detail.contains("材料真实性核查"));

    // Return without a reason is refused; with one it goes back to the teacher.
    let path = format!("/review/submissions/{id}/return");
    let from = format!("/review/submissions/{id}");
    let (status, body) = post(&chain.server, &school, &from, &path, &[("reason", "  ")]);
    assert_eq!(status, 422);
    assert!(body.contains("退回原因不能为空"));
    let (status, body) = post(&chain.server, &school, &from, &path, &[("reason", "证明材料填写不规范")]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("已退回"));

    // 消息提醒: the pop-up on 首页 with 查看, the unread count, the page; viewing marks read.
    let home = page(&chain.server, teacher, "/");
    assert!(home.contains("id=\"message-popup\"") && home.contains("查看") && home.contains("证明材料填写不规范"));
    assert_eq!(unread_badge(&home), 1);
    assert!(home.contains("退回"), "home step shows 退回");
    let messages = page(&chain.server, teacher, "/messages");
    assert!(messages.contains("成果鉴定消息提醒") && messages.contains("申报材料消息提醒"));
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"));
    assert!(messages.contains(&format!("{} 证明材料填写不规范", today.format("%Y-%m-%d"))));
    assert!(messages.contains("学校审核") && messages.contains("返回"));
    let home = page(&chain.server, teacher, "/");
    assert_eq!(unread_badge(&home), 0);
    assert!(!home.contains("id=\"message-popup\""));

    // The teacher fixes and resubmits through the form (the files stay); the school sees what changed.
    file_and_submit(&chain.server, teacher, "语文课程与教学", Vec::new());
    let server = &chain.server;
    let detail = page(server, &school, &format!("/review/submissions/{id}"));
    assert!(detail.contains("第2次提交") && detail.contains("修改内容"));
    assert!(detail.contains("研究方向") && detail.contains("课程改革") && detail.contains("语文课程与教学"));

    // Approval needs 材料真实性核查.
    let approve = format!("/review/submissions/{id}/approve");
    let (status, body) = post(server, &school, &from, &approve, &[]);
    assert_eq!(status, 422);
    assert!(body.contains("已核，与原件一致"));
    let (status, body) = post(server, &school, &from, &approve, &[("verification", "已核，与原件一致")]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("待主管部门审核"));

    // 主管部门审核.
    let department = signed_in(server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let list = page(server, &department, "/review?state=school_approved");
    assert!(list.contains("刁彬彬"));
    let (status, body) = post(server, &department, &from, &approve, &[("verification", "已核，与原件一致")]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("待分配专家"));

    // City: assignment before acceptance is refused; 受理 clears it (no identity in the files' text).
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let token = city_token(server, &city);
    let api = reqwest::blocking::Client::new();
    let experts: serde_json::Value = api
        .get(server.url("/api/v1/assignments/experts"))
        .bearer_auth(&token)
        .send()
        .expect("experts")
        .json()
        .expect("json");
    let expert_id = |name: &str| -> u64 {
        experts.as_array().expect("array").iter().find(|e| e["name"] == name).expect("expert")["id"]
            .as_u64()
            .expect("id")
    };
    let early = api
        .post(server.url(&format!("/api/v1/submissions/{id}/assignments")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"expert_id": expert_id("钱评审")}))
        .send()
        .expect("assign");
    assert_eq!(early.status().as_u16(), 409, "assignment before acceptance");
    let (status, body) = post(server, &city, &from, &format!("/review/submissions/{id}/accept"), &[]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("匿名检查通过"), "{body}");

    // Recusal: 赵堃 (机械) is of the teacher's department; 孙明 of its own school.
    let recused = api
        .post(server.url(&format!("/api/v1/submissions/{id}/assignments")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"expert_id": expert_id("赵堃")}))
        .send()
        .expect("assign");
    assert_eq!(recused.status().as_u16(), 422);
    assert!(text(recused).contains("回避"));

    // Automatic balanced assignment picks the two experts outside the department.
    let project_id = project_id(server, &token);
    let auto: serde_json::Value = api
        .post(server.url(&format!("/api/v1/projects/{project_id}/auto-assign")))
        .bearer_auth(&token)
        .send()
        .expect("auto")
        .json()
        .expect("json");
    assert_eq!(auto["assigned"], 2, "{auto}");
    let assigned: serde_json::Value = api
        .get(server.url(&format!("/api/v1/submissions/{id}/assignments")))
        .bearer_auth(&token)
        .send()
        .expect("assignments")
        .json()
        .expect("json");
    let names: Vec<&str> =
        assigned.as_array().expect("array").iter().filter_map(|a| a["expert_name"].as_str()).collect();
    assert!(names.contains(&"钱评审") && names.contains(&"吴评审") && !names.contains(&"赵堃"), "{names:?}");

    // Experts: blind pages, API and files; 孙明 (not assigned) cannot open it.
    let sun = first_login(server, &server.demo_username("孙明"), "abc12345");
    let refused = sun.get(server.url(&format!("/expert/submissions/{id}"))).send().expect("get");
    assert_eq!(refused.status().as_u16(), 404);
    let teacher_id_number = teacher_name.clone();
    for (username, grade) in [(&ids.expert_a, "优秀"), (&ids.expert_b, "优秀")] {
        let expert = first_login(server, username, "abc12345");
        let list = page(server, &expert, "/expert");
        let view = page(server, &expert, &format!("/expert/submissions/{id}"));
        let json = text(expert.get(server.url(&format!("/api/v1/expert/assignments/{id}"))).send().expect("api"));
        let tasks = text(expert.get(server.url("/api/v1/expert/assignments")).send().expect("api"));
        for blind in ["刁彬彬", teacher_id_number.as_str(), "南湖", "虹口", "刁彬彬的专著", "CIP页.pdf"] {
            for (what, body) in [("list", &list), ("page", &view), ("api", &json), ("tasks", &tasks)] {
                assert!(!body.contains(blind), "expert {what} shows {blind}");
            }
        }
        assert!(view.contains("中职机械基础课程项目化教学研究") && view.contains("成果1.pdf"));
        let file = expert.get(server.url(&format!("/expert/submissions/{id}/files/1"))).send().expect("file");
        assert_eq!(file.status().as_u16(), 200);
        let disposition = file.headers()["content-disposition"].to_str().expect("header").to_string();
        assert!(disposition.contains("%E6%88%90%E6%9E%9C1.pdf"), "{disposition}");
        let bytes = file.bytes().expect("bytes");
        assert!(bytes.starts_with(b"%PDF"));
        assert_pdf_metadata_free(&bytes, "王小明");

        // Save, come back, submit.
        let expert_path = format!("/expert/submissions/{id}");
        let (status, body) = post(
            server,
            &expert,
            &expert_path,
            &expert_path,
            &[("grade", grade), ("opinion", "草稿"), ("action", "save")],
        );
        assert_eq!(status, 303, "{body}");
        assert!(page(server, &expert, &expert_path).contains("草稿"));
        let (status, body) = post(
            server,
            &expert,
            &expert_path,
            &expert_path,
            &[("grade", grade), ("opinion", "论证充分，成果扎实。"), ("action", "submit")],
        );
        assert_eq!(status, 303, "{body}");
        assert!(body.contains("鉴定意见已提交"));
        let again = expert
            .put(server.url(&format!("/api/v1/expert/assignments/{id}")))
            .json(&serde_json::json!({"grade": "合格", "opinion": "改", "submit": true}))
            .send()
            .expect("put");
        assert_eq!(again.status().as_u16(), 409, "a submitted appraisal is final");
    }

    // Final grade: side by side; a differing grade needs a reason; agreement is the default.
    let detail = page(server, &city, &from);
    assert!(detail.contains("钱评审") && detail.contains("吴评审") && detail.contains("最终等级"));
    let final_path = format!("/review/submissions/{id}/final");
    let (status, body) = post(server, &city, &from, &final_path, &[("grade", "良好"), ("opinion", "同意")]);
    assert_eq!(status, 422);
    assert!(body.contains("请填写理由"));
    let (status, body) =
        post(server, &city, &from, &final_path, &[("grade", "优秀"), ("opinion", "同意专家意见，评为优秀。")]);
    assert_eq!(status, 303, "{body}");

    // Publication (a batch of one) → the teacher sees the grade and gets a message.
    let (status, body) = post(
        server,
        &city,
        &from,
        "/review/publish",
        &[("project_id", &project_id.to_string()), ("ids", &id.to_string()), ("scope", "selected")],
    );
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("已公布 1 份"));
    let home = page(server, teacher, "/");
    assert!(home.contains("已公布") && home.contains("鉴定等级") && home.contains("优秀"), "{home}");
    assert!(home.contains(&format!("/print/opinion/{id}")), "打印 of the appraisal opinion");
    assert_eq!(unread_badge(&home), 1);
    assert!(page(server, teacher, "/messages").contains("鉴定结果已公布：优秀"));

    // The school follows its own teachers' published results read-only; another school sees none of them.
    let results = format!("/review/results?project_id={project_id}");
    let nanhu = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let own = page(server, &nanhu, &results);
    assert!(own.contains("刁彬彬") && own.contains("优秀"), "{own}");
    assert!(!own.contains("全部公布") && !own.contains("专家评审进度"), "publishing stays with the city");
    let beihong = signed_in(server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    assert!(!page(server, &beihong, &results).contains("刁彬彬"));

    // API: history with who / where / why; results; export.
    let history: serde_json::Value = api
        .get(server.url(&format!("/api/v1/submissions/{id}/history")))
        .bearer_auth(&token)
        .send()
        .expect("history")
        .json()
        .expect("json");
    let transitions = history["transitions"].as_array().expect("transitions");
    assert!(
        transitions
            .iter()
            .any(|t| t["to"] == "returned" && t["reason"] == "证明材料填写不规范" && t["address"] == "127.0.0.1")
    );
    assert!(transitions.iter().any(|t| t["to"] == "published"));
    assert!(history["versions"][1]["changes"].as_array().expect("changes").iter().any(|c| c["field"] == "研究方向"));
    let list: serde_json::Value = api
        .get(server.url(&format!("/api/v1/submissions?project_id={project_id}&state=published&per_page=1")))
        .bearer_auth(&token)
        .send()
        .expect("list")
        .json()
        .expect("json");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["teacher_name"], "刁彬彬");
    let export = city.get(server.url(&format!("/review/results.xlsx?project_id={project_id}"))).send().expect("xlsx");
    assert_eq!(export.status().as_u16(), 200);
    assert!(export.bytes().expect("bytes").starts_with(b"PK"));
}

/// A bearer token of the signed-in city admin.
pub fn city_token(server: &Server, city: &reqwest::blocking::Client) -> String {
    let csrf = csrf_of(&text(city.get(server.url("/admin/tokens")).send().expect("tokens")));
    let created = text(
        city.post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "评审测试")])
            .send()
            .expect("create"),
    );
    let start = created.find("zp_").expect("token shown once");
    created[start..start + 67].to_string()
}

/// This year's project (the newest; the demo also holds last year's).
pub fn project_id(server: &Server, token: &str) -> u64 {
    let list: serde_json::Value = reqwest::blocking::Client::new()
        .get(server.url("/api/v1/projects"))
        .bearer_auth(token)
        .send()
        .expect("list")
        .json()
        .expect("json");
    list[0]["id"].as_u64().expect("project id")
}

/// `pdfinfo` of the served file must not name `who` (the fixture's Author/Title/Keywords do).
fn assert_pdf_metadata_free(bytes: &[u8], who: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("served.pdf");
    std::fs::write(&path, bytes).expect("write");
    let output = std::process::Command::new("pdfinfo").arg(&path).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "pdfinfo failed");
    assert!(!info.contains(who), "metadata still names {who}: {info}");
}
