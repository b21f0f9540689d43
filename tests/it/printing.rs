//! SPEC §7 printing, end to end: the registration form (在线打印 and by submission), the published 鉴定意见 (home
//! page 打印 and 往年鉴定结果打印), the school bundle, verification codes and the public /verify page, and who may
//! print what. Every PDF is read back with poppler-utils; PNG renders land in `test-artifacts/print/`.
//!
//! The data is written straight into the store between two starts of the demo server (the server holds the
//! database lock while it runs), the way the teacher's filing and the review chain leave it.

mod poppler;

use chrono::{Datelike, Utc};
use reqwest::blocking::{Client, Response};
use zhiping::domain::account::Account;
use zhiping::domain::org::{OrgRef, School};
use zhiping::domain::project::Project;
use zhiping::domain::submission::{Submission, SubmissionState};
use zhiping::store::{Reader, Store, StoreError, WriteTx, tables};

use crate::print_data::{self, MAXIMAL_OWN_PART, MAXIMAL_TITLE, filing_diao, filing_maximal};
use crate::support::*;
use poppler::{Pdf, assert_contains_all, keep_page, printed_code};

const EARLIER_PROJECT: &str = "2024年中职、技工学校教师高级职务教科研成果鉴定";
const OPINION: &str =
    "该教材以数控车削典型工作任务为载体，体例新颖，内容贴近企业生产实际；论文选题切合专业建设需要，论证较充分。";
const EARLIER_OPINION: &str = "教材内容完整，结构合理，达到合格要求。";

/// The demo platform with submissions of 上海市南湖职业学校 (and one of 北虹) for the current project, and a
/// published result of an earlier project for 刁彬彬.
struct World {
    server: Server,
    _dir: tempfile::TempDir,
    project_name: String,
    nanhu: u64,
    /// 刁彬彬, current project: published (优秀) and so in the bundle; ★ 单位署名文章 → 当年有效.
    diao: u64,
    /// 刁彬彬, 2024: published (合格), no ★ type.
    diao_earlier: u64,
    /// 陈昇: accepted (in the bundle), the maximal filing.
    chen: u64,
    /// 王建国: school-approved (in the bundle).
    wang: u64,
    /// 李晓梅: submitted, not yet approved (not in the bundle).
    li: u64,
    /// 赵一鸣: a draft never submitted whose 本人承担部分 is far too long to print (暂存 keeps what was typed).
    zhao: u64,
    /// 张琳 of 上海市北虹中等专业学校: submitted.
    zhang: u64,
    usernames: Usernames,
}

struct Usernames {
    diao: String,
    chen: String,
    zhao: String,
}

/// Opens a school-admin API token through the console (shown once).
pub fn admin_token(server: &Server, username: &str) -> String {
    let admin = signed_in(server, username, DEMO_ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/tokens")).send().expect("tokens page"));
    let csrf = csrf_of(&page);
    let created = text(
        admin
            .post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "打印测试")])
            .send()
            .expect("create token"),
    );
    let start = created.find("zp_").expect("token shown once");
    created[start..start + 67].to_string()
}

fn open_teacher(server: &Server, token: &str, school_id: u64, first17: &str, name: &str) -> String {
    let id_number = id_number(first17);
    let response = reqwest::blocking::Client::new()
        .post(server.url("/api/v1/teachers"))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "school_id": school_id, "id_number": id_number, "name": name, "education": "本科", "degree": "学士"
        }))
        .send()
        .expect("open teacher");
    assert_eq!(response.status().as_u16(), 200, "{}", text(response));
    id_number
}

fn account(tx: &WriteTx, username: &str) -> Result<Account, StoreError> {
    let id = tx.lookup(tables::ACCOUNT_BY_USERNAME, username)?.expect("account exists");
    Ok(tx.get::<Account>(id)?.expect("account record"))
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let options = Options { demo: true, data: Some(data.clone()), ..Options::default() };
    let mut first = Server::start(options.clone());
    let usernames = Usernames {
        diao: first.demo_username("刁彬彬"),
        chen: first.demo_username("陈昇"),
        zhao: id_number("31010919900101123"),
    };
    let zhang_username = first.demo_username("张琳");
    let token = admin_token(&first, "nanhu_admin");
    let me: serde_json::Value = reqwest::blocking::Client::new()
        .get(first.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .expect("me")
        .json()
        .expect("json");
    let nanhu = me["school_id"].as_u64().expect("school id");
    let wang_username = open_teacher(&first, &token, nanhu, "31010919830505234", "王建国");
    let li_username = open_teacher(&first, &token, nanhu, "31010919870707345", "李晓梅");
    open_teacher(&first, &token, nanhu, &usernames.zhao[..17], "赵一鸣");
    first.stop();

    let store = Store::open(&data.join("zhiping.redb")).expect("open the stopped server's store");
    let ids = store
        .write(|tx| -> Result<_, StoreError> {
            let project = tx.all::<Project>()?.into_iter().next().expect("the demo project");
            let now = Utc::now();
            let earlier = Project::with_defaults(
                tx.next_id()?,
                EARLIER_PROJECT.into(),
                2024,
                (now - chrono::Duration::days(800), now - chrono::Duration::days(770)),
                now,
            );
            tx.put(&earlier)?;
            let insert = |username: &str, project: &Project, state, filing| -> Result<u64, StoreError> {
                let mut teacher = account(tx, username)?;
                if let Some(profile) = teacher.teacher.as_mut() {
                    profile.project_id = Some(project.id);
                }
                tx.put(&teacher)?;
                let OrgRef::School(school_id) = teacher.org else { panic!("a teacher belongs to a school") };
                let school = tx.get::<School>(school_id)?.expect("school");
                let submission =
                    print_data::submission(project.id, teacher.id, school.id, school.department_id, state, filing);
                print_data::insert(tx, submission)
            };
            let mut earlier_filing = filing_diao();
            earlier_filing.achievements.truncate(1);
            let diao_earlier = insert(&usernames.diao, &earlier, SubmissionState::Published, earlier_filing)?;
            let diao = insert(&usernames.diao, &project, SubmissionState::Published, filing_diao())?;
            let chen = insert(&usernames.chen, &project, SubmissionState::Accepted, filing_maximal())?;
            let mut wang_filing = filing_diao();
            wang_filing.achievements[0].title = "数控铣削编程与加工实训指导书".into();
            let wang = insert(&wang_username, &project, SubmissionState::SchoolApproved, wang_filing)?;
            let li = insert(&li_username, &project, SubmissionState::Submitted, filing_diao())?;
            let mut draft = filing_diao();
            draft.achievements[0].own_part = "负责全部章节的编写、统稿与校对工作。".repeat(120);
            let zhao = insert(&usernames.zhao, &project, SubmissionState::Draft, draft)?;
            let zhang = insert(&zhang_username, &project, SubmissionState::Submitted, filing_diao())?;
            // Publish: the current project a day ago, the earlier one two years ago.
            for (id, grade, opinion, days) in [(diao, "优秀", OPINION, 1), (diao_earlier, "合格", EARLIER_OPINION, 700)]
            {
                let submission = tx.get::<Submission>(id)?.expect("submission");
                let published = print_data::publish(submission, grade, opinion, now - chrono::Duration::days(days));
                tx.put(&published)?;
            }
            Ok((project.name, [diao, diao_earlier, chen, wang, li, zhao, zhang]))
        })
        .expect("seed submissions");
    drop(store);
    let (project_name, [diao, diao_earlier, chen, wang, li, zhao, zhang]) = ids;
    let server = Server::start(options);
    World { server, _dir: dir, project_name, nanhu, diao, diao_earlier, chen, wang, li, zhao, zhang, usernames }
}

fn get(client: &Client, server: &Server, path: &str) -> Response {
    client.get(server.url(path)).send().unwrap_or_else(|error| panic!("GET {path}: {error}"))
}

fn status(client: &Client, server: &Server, path: &str) -> u16 {
    get(client, server, path).status().as_u16()
}

/// A PDF response: checks the headers every served PDF carries and returns the document.
fn pdf(response: Response, file_name: &str) -> Pdf {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().expect("body");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().expect("ASCII header");
    let encoded: String = file_name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    assert!(disposition.starts_with("inline; "), "{disposition}");
    assert!(disposition.ends_with(&format!("filename*=UTF-8''{encoded}")), "{disposition} for {file_name}");
    assert!(headers["cache-control"].to_str().expect("ASCII").contains("no-store"));
    Pdf::new(&bytes)
}

fn shanghai_today() -> String {
    (Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string()
}

#[test]
fn the_registration_form_prints_every_label_and_value_on_one_page_with_a_working_code() {
    let world = world();
    let server = &world.server;
    let diao = first_login(server, &world.usernames.diao, "Diao2026x");

    let form = pdf(get(&diao, server, "/filing/print"), "成果鉴定登记表-刁彬彬.pdf");
    assert_eq!(form.pages(), 1);
    form.assert_fonts_embedded_and_subset();
    let text = form.text();
    assert_contains_all(
        &text,
        &[
            "上海市中等职业学校、技工学校教师高级专业技术职务任职资格评审教科研成果鉴定登记表",
            "姓名",
            "刁彬彬",
            "出生年月",
            "1980年12月",
            "研究方向",
            "中职数控技术专业课程与教学",
            "最高学历",
            "研究生",
            "最高学位",
            "硕士",
            "大专",
            "无",
            "本科",
            "机械设计制造及其自动化",
            "研究生",
            "机械工程",
            "工作单位",
            "上海市南湖职业学校",
            "上级主管部门",
            "上海市虹口区教育局",
            "现专技职务",
            "中级 一级教师",
            "取得日期",
            "2012-09-01",
            "现任教学科",
            "数控加工技术",
            "申报学科",
            "机械",
            "成果题目1",
            "中等职业学校数控车削加工项目教程",
            "成果层次",
            "正式出版",
            "成果类型",
            "教材",
            "成果情况",
            "出版：于2019-08由上海科学技术出版社发表，排序/排名：1/3；CIP号为2019102034",
            "本人承担部分",
            "第一章至第五章的编写及全书统稿，约12万字",
            "成果题目2",
            "基于工作过程的中职数控专业校企合作课程开发实践",
            "公开发表",
            "单位署名文章（当年有效）",
            "发表：于2020-03在《职业教育研究》（ISSN 1672-5727）2020年第3期发表，排序/排名：1/1",
            "全部",
            "工作单位公章",
            "上级主管部门公章",
            "此表一式两份，由申报人填写，经工作单位聘任委员会审核无误后，加盖公章分别粘贴于（两个）材料袋封面。",
        ],
    );
    assert!(!text.contains("教材（当年有效）"), "教材 is open to every school type");
    let code = printed_code(&text);
    assert_contains_all(
        &text,
        &[&format!("查验地址：{}/verify?code={code}", server.base), &format!("打印日期：{}", shanghai_today())],
    );
    form.keep("registration", 1);
    // Tagged for screen readers and archives: a document title and the language.
    assert_eq!(form.info("Title"), "教科研成果鉴定登记表");
    assert_eq!(form.language(), "zh-CN");

    // The printed code works on the public page, without signing in, and shows only the masked name.
    let anonymous = server.client();
    let page = text_of(get(&anonymous, server, &format!("/verify?code={code}")));
    assert!(page.contains("验证通过"), "{page}");
    keep_page("verify-registration", &page);
    for expected in ["成果鉴定登记表", "刁*彬", world.project_name.as_str(), &shanghai_today()] {
        assert!(page.contains(expected), "missing {expected} in {page}");
    }
    assert!(!page.contains("刁彬彬"), "the public page never shows the full name");
    // The version and the achievement titles printed, so an edited print is caught.
    assert!(page.contains("第1版"), "the version: {page}");
    for title in ["中等职业学校数控车削加工项目教程", "基于工作过程的中职数控专业校企合作课程开发实践"]
    {
        assert!(page.contains(title), "missing the title {title} in {page}");
    }
    // Typed by hand: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    assert!(text_of(get(&anonymous, server, &format!("/verify?code={typed}"))).contains("刁*彬"));

    // Reprinting the same content reuses the code; the school's print of the submitted version is the same content.
    let again = pdf(get(&diao, server, "/filing/print"), "成果鉴定登记表-刁彬彬.pdf");
    assert_eq!(printed_code(&again.text()), code);
    let admin = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let by_admin =
        pdf(get(&admin, server, &format!("/print/registration/{}", world.diao)), "成果鉴定登记表-刁彬彬.pdf");
    assert_eq!(printed_code(&by_admin.text()), code);

    // Two maximal achievements still fit one page.
    let maximal = pdf(get(&admin, server, &format!("/print/registration/{}", world.chen)), "成果鉴定登记表-陈昇.pdf");
    assert_eq!(maximal.pages(), 1);
    maximal.assert_fonts_embedded_and_subset();
    let text = maximal.text();
    assert_contains_all(
        &text,
        &[
            "陈昇",
            MAXIMAL_TITLE,
            MAXIMAL_OWN_PART,
            "成果题目2",
            "课题成果（当年有效）",
            "上海市教育科学研究院职业教育与成人教育研究所",
        ],
    );
    assert_ne!(printed_code(&text), code);
    maximal.keep("registration-maximal", 1);

    // The same through the API (bearer token of the school admin).
    let token = admin_token(server, "nanhu_admin");
    let response = reqwest::blocking::Client::new()
        .get(server.url(&format!("/api/v1/submissions/{}/registration-form", world.chen)))
        .bearer_auth(&token)
        .send()
        .expect("api registration form");
    assert_eq!(pdf(response, "成果鉴定登记表-陈昇.pdf").pages(), 1);
}

#[test]
fn published_opinions_print_from_the_home_page_with_their_grade_and_earlier_years() {
    let world = world();
    let server = &world.server;
    let diao = first_login(server, &world.usernames.diao, "Diao2026x");

    let home = text_of(get(&diao, server, "/"));
    for expected in [
        "鉴定结果",
        "优秀",
        "当年有效",
        &format!("href=\"/print/opinion/{}\"", world.diao),
        "往年鉴定结果打印",
        EARLIER_PROJECT,
        "合格",
        &format!("href=\"/print/opinion/{}\"", world.diao_earlier),
    ] {
        assert!(home.contains(expected), "missing {expected} on the home page:\n{home}");
    }
    keep_page("home-results", &home);

    let opinion = pdf(
        get(&diao, server, &format!("/print/opinion/{}", world.diao)),
        &format!("鉴定意见-{}-刁彬彬.pdf", world.project_name.chars().take(4).collect::<String>()),
    );
    assert_eq!(opinion.pages(), 1);
    opinion.assert_fonts_embedded_and_subset();
    let published = Utc::now() - chrono::Duration::days(1) + chrono::Duration::hours(8);
    let text = opinion.text();
    assert_contains_all(
        &text,
        &[
            &world.project_name,
            "鉴定意见",
            "姓名",
            "刁彬彬",
            "工作单位",
            "上海市南湖职业学校",
            "上级主管部门",
            "上海市虹口区教育局",
            "成果题目",
            "中等职业学校数控车削加工项目教程",
            "基于工作过程的中职数控专业校企合作课程开发实践",
            "鉴定等级",
            "优秀",
            OPINION,
            "当年有效",
            "上海市教育评估院",
            &format!("{}年{}月{}日", published.year(), published.month(), published.day()),
        ],
    );
    opinion.keep("opinion", 1);
    assert_eq!(opinion.info("Title"), "教科研成果鉴定意见");
    assert_eq!(opinion.language(), "zh-CN");
    let code = printed_code(&text);
    let page = text_of(get(&server.client(), server, &format!("/verify?code={code}")));
    for expected in ["鉴定意见", "刁*彬", "鉴定等级", "优秀", world.project_name.as_str()] {
        assert!(page.contains(expected), "missing {expected} in {page}");
    }

    // 往年鉴定结果打印: the 2024 result, which rests on no ★ type.
    let earlier =
        pdf(get(&diao, server, &format!("/print/opinion/{}", world.diao_earlier)), "鉴定意见-2024-刁彬彬.pdf");
    let text = earlier.text();
    assert_contains_all(&text, &[EARLIER_PROJECT, "合格", EARLIER_OPINION]);
    assert!(!text.contains("当年有效"), "{text}");
    earlier.keep("opinion-earlier", 1);

    // The API: the teacher's results (session cookie) and the public verification look-up.
    let results: serde_json::Value = get(&diao, server, "/api/v1/me/results").json().expect("results");
    let results = results.as_array().expect("a list");
    assert_eq!(results.len(), 2);
    assert_eq!((results[0]["grade"].as_str(), results[0]["current"].as_bool()), (Some("优秀"), Some(true)));
    assert_eq!((results[1]["project_year"].as_i64(), results[1]["current"].as_bool()), (Some(2024), Some(false)));
    let verified: serde_json::Value =
        get(&server.client(), server, &format!("/api/v1/verifications/{code}")).json().expect("verification");
    assert_eq!(verified["masked_name"], "刁*彬");
    assert_eq!(verified["kind"], "appraisal_opinion");
    assert_eq!(verified["grade"], "优秀");
    assert_eq!(verified["code"], code.as_str());
    let response = get(&diao, server, &format!("/api/v1/submissions/{}/opinion", world.diao_earlier));
    assert_eq!(pdf(response, "鉴定意见-2024-刁彬彬.pdf").pages(), 1);

    // Without a published result there is nothing to print, and the home page shows no result section.
    let chen = first_login(server, &world.usernames.chen, "Chen2026x");
    let home = text_of(get(&chen, server, "/"));
    assert!(!home.contains("往年鉴定结果打印") && !home.contains("鉴定结果"), "{home}");
    assert_eq!(status(&chen, server, &format!("/print/opinion/{}", world.chen)), 404);
    let admin = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status(&admin, server, &format!("/print/opinion/{}", world.chen)), 404, "accepted, not published");
    assert_eq!(status(&admin, server, &format!("/print/opinion/{}", world.diao)), 200, "published, in scope");
}

#[test]
fn nobody_prints_outside_their_scope() {
    let world = world();
    let server = &world.server;
    let diao = first_login(server, &world.usernames.diao, "Diao2026x");
    // A teacher prints its own forms and opinions only.
    assert_eq!(status(&diao, server, &format!("/print/registration/{}", world.diao)), 200);
    for path in [
        format!("/print/registration/{}", world.chen),
        format!("/print/registration/{}", world.zhang),
        format!("/print/opinion/{}", world.chen),
        format!("/print/school/{}", world.nanhu),
        "/admin/print".to_string(),
        format!("/api/v1/submissions/{}/registration-form", world.chen),
    ] {
        assert_eq!(status(&diao, server, &path), 404, "{path}");
    }
    // A school admin of another school: 404 for the form, the opinion and the bundle; its own teacher prints.
    let beihong = signed_in(server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    for path in [
        format!("/print/registration/{}", world.diao),
        format!("/print/opinion/{}", world.diao),
        format!("/print/school/{}", world.nanhu),
        format!("/admin/print?school_id={}", world.nanhu),
    ] {
        let response = get(&beihong, server, &path);
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert!(!text_of(response).contains("刁彬彬"), "{path}");
    }
    assert_eq!(status(&beihong, server, &format!("/print/registration/{}", world.zhang)), 200);
    let token = admin_token(server, "beihong_admin");
    let response = reqwest::blocking::Client::new()
        .get(server.url(&format!("/api/v1/submissions/{}/registration-form", world.diao)))
        .bearer_auth(&token)
        .send()
        .expect("api");
    assert_eq!(response.status().as_u16(), 404);
    let body: serde_json::Value = response.json().expect("JSON error");
    assert_eq!(body["code"], "not_found");

    // The own school's admin sees submitted forms, never a draft; the department admin sees its schools'.
    let nanhu = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status(&nanhu, server, &format!("/print/registration/{}", world.li)), 200);
    assert_eq!(status(&nanhu, server, &format!("/print/registration/{}", world.zhao)), 404, "a draft");
    assert_eq!(status(&nanhu, server, &format!("/print/registration/{}", world.zhang)), 404, "another school");
    let hongkou = signed_in(server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(status(&hongkou, server, &format!("/print/registration/{}", world.diao)), 200);
    assert_eq!(status(&hongkou, server, &format!("/print/registration/{}", world.zhang)), 200);
    // Signed out: the sign-in page.
    let anonymous = server.client();
    let response = get(&anonymous, server, &format!("/print/registration/{}", world.diao));
    assert_eq!((response.status().as_u16(), location(&response)), (303, "/login".to_string()));

    // A draft whose text cannot fit one page is refused with a message naming the field, never a 5xx.
    let zhao = first_login(server, &world.usernames.zhao, "Zhao2026x");
    let response = get(&zhao, server, "/filing/print");
    assert_eq!(response.status().as_u16(), 422);
    let page = text_of(response);
    assert!(page.contains("内容过长") && page.contains("本人承担部分"), "{page}");
}

#[test]
fn the_school_bundle_has_one_page_per_approved_teacher() {
    let world = world();
    let server = &world.server;
    let admin = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let overview = text_of(get(&admin, server, "/admin/print"));
    for expected in ["打印成果鉴定登记表", "刁彬彬", "陈昇", "王建国", "李晓梅", "待学校审核", "（3份）"]
    {
        assert!(overview.contains(expected), "missing {expected} in {overview}");
    }
    assert!(!overview.contains("赵一鸣"), "drafts are the teacher's alone");
    keep_page("admin-print", &overview);
    assert!(!overview.contains("张琳"), "another school");
    let marker = format!("/print/school/{}?project_id=", world.nanhu);
    let start = overview.find(&marker).expect("the bundle link");
    let link: String = overview[start..].chars().take_while(|c| *c != '"').collect();

    let response = get(&admin, server, &link);
    assert!(response.headers().get("content-length").is_none(), "streamed, not buffered whole");
    let year = world.project_name.chars().take(4).collect::<String>();
    let bundle = pdf(response, &format!("成果鉴定登记表汇总-上海市南湖职业学校-{year}.pdf"));
    assert_eq!(bundle.pages(), 3);
    bundle.assert_fonts_embedded_and_subset();
    let mut codes = Vec::new();
    for (page, name) in [(1, "刁彬彬"), (2, "陈昇"), (3, "王建国")] {
        let text = bundle.page_text(page);
        assert_contains_all(&text, &[name, "成果鉴定登记表", "工作单位公章"]);
        codes.push(printed_code(&text));
    }
    assert!(!bundle.text().contains("李晓梅"), "not approved by the school yet");
    assert_eq!(bundle.language(), "zh-CN");
    bundle.keep("bundle-page1", 1);
    bundle.keep("bundle-page2", 2);
    // Each page has its own code; 刁彬彬's is the one its own print carries (same content).
    assert!(codes[0] != codes[1] && codes[1] != codes[2]);
    let verified = text_of(get(&server.client(), server, &format!("/verify?code={}", codes[1])));
    assert!(verified.contains("陈*") && verified.contains("成果鉴定登记表"), "{verified}");
    let diao = first_login(server, &world.usernames.diao, "Diao2026x");
    let own = pdf(get(&diao, server, "/filing/print"), "成果鉴定登记表-刁彬彬.pdf");
    assert_eq!(printed_code(&own.text()), codes[0]);

    // The API streams the same bundle; the department admin reaches it too; the wang page is the approved one.
    let token = admin_token(server, "hongkou_admin");
    let response = reqwest::blocking::Client::new()
        .get(server.url(&format!("/api/v1/schools/{}/registration-forms", world.nanhu)))
        .bearer_auth(&token)
        .send()
        .expect("api bundle");
    let again = pdf(response, &format!("成果鉴定登记表汇总-上海市南湖职业学校-{year}.pdf"));
    assert_eq!(again.pages(), 3);
    assert_eq!(printed_code(&again.page_text(3)), codes[2], "reprints reuse the codes ({})", world.wang);
}

#[test]
fn the_verify_page_says_plainly_when_a_code_is_wrong_and_is_rate_limited() {
    let server = Server::start(Options::demo().env("ZHIPING_SECURITY__VERIFY_ATTEMPTS_PER_MINUTE", "4"));
    let client = server.client();
    // The printing operations are documented with the rest of the API.
    let document: serde_json::Value = get(&client, &server, "/api/openapi.json").json().expect("spec");
    for path in [
        "/submissions/{id}/registration-form",
        "/submissions/{id}/opinion",
        "/schools/{id}/registration-forms",
        "/me/results",
        "/verifications/{code}",
    ] {
        assert!(document["paths"].get(path).is_some(), "missing {path}");
    }
    // The empty form does not count against the budget.
    for _ in 0..6 {
        let page = text_of(get(&client, &server, "/verify"));
        assert!(page.contains("打印文件验证") && page.contains("<label for=\"verify-code\">验证码</label>"), "{page}");
    }
    // Wrong and malformed codes: the same plain message.
    for code in ["7K3M9-QX2TD-5RB8W-Z0H1N", "abc"] {
        let response = get(&client, &server, &format!("/verify?code={code}"));
        assert_eq!(response.status().as_u16(), 404);
        let page = text_of(response);
        assert!(page.contains("验证码不存在，请核对"), "{page}");
        keep_page("verify-unknown", &page);
        assert!(page.contains("aria-describedby=\"verify-code-error\""), "{page}");
    }
    let response = get(&client, &server, "/api/v1/verifications/7K3M9-QX2TD-5RB8W-Z0H1N");
    assert_eq!(response.status().as_u16(), 404);
    let body: serde_json::Value = response.json().expect("JSON error");
    assert_eq!((body["code"].as_str(), body["message"].as_str()), (Some("not_found"), Some("验证码不存在，请核对")));
    // The fourth look-up was the last of this minute's budget: the page and the API answer 429.
    let response = get(&client, &server, "/verify?code=7K3M9-QX2TD-5RB8W-Z0H1M");
    assert_eq!(response.status().as_u16(), 404);
    let response = get(&client, &server, "/verify?code=7K3M9-QX2TD-5RB8W-Z0H1P");
    assert_eq!(response.status().as_u16(), 429);
    assert!(text_of(response).contains("操作过于频繁"));
    let response = get(&client, &server, "/api/v1/verifications/7K3M9-QX2TD-5RB8W-Z0H1N");
    assert_eq!(response.status().as_u16(), 429);
    let body: serde_json::Value = response.json().expect("JSON error");
    assert_eq!(body["code"], "throttled");
}

fn text_of(response: Response) -> String {
    text(response)
}
