//! Issue 4, bulk import: per-row results (created / updated / unchanged / refused with the reason), dry run,
//! strict mode, nothing else changed, the page's preview-then-confirm flow, the template, and the refusals of an
//! oversized, empty, headerless or non-spreadsheet upload (clear 4xx, nothing staged left behind).

use serde_json::Value;

use crate::admin_support::*;
use crate::support::*;

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| (row["line"].as_u64().expect("line"), row["outcome"].as_str().expect("outcome").to_string()))
        .collect()
}

fn reasons(report: &Value, line: u64) -> String {
    let row = report["rows"].as_array().expect("rows").iter().find(|row| row["line"] == line).expect("row");
    row["reasons"].as_array().expect("reasons").iter().filter_map(Value::as_str).collect::<Vec<_>>().join("；")
}

#[test]
fn an_import_with_mixed_rows_reports_each_row_and_changes_nothing_else() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let foreign = make_foreign(&city);
    let pudong = city.json(&format!("/schools/{}", foreign.school_id))["name"].as_str().expect("name").to_string();
    let diao = server.demo_username("刁彬彬");
    let chen = server.demo_username("陈昇");
    let zhang = server.demo_username("张琳");
    let expert = server.demo_username("赵堃");
    let good = id_number("31010119900315123");
    let mut bad_checksum = id_number("31010119900316123");
    let last = bad_checksum.pop().expect("last");
    bad_checksum.push(if last == '5' { '6' } else { '5' });
    let duplicate = id_number("31010119900317123");
    let unknown_school = id_number("31010119900318123");
    let bad_education = id_number("31010119900319123");
    let wrong_birth = id_number("31010119900320123");
    let other_school = id_number("31010119900321123");
    let rows = vec![
        vec!["身份证号", "姓名", "最高学历", "最高学位", "出生年月", "学校"],
        vec![&good, "新教师甲", "本科", "学士", "1990-03", NANHU],
        vec![&bad_checksum, "校验错", "本科", "学士", "", NANHU],
        vec![&duplicate, "重复一", "本科", "学士", "", NANHU],
        vec![&duplicate, "重复二", "本科", "学士", "", NANHU],
        vec![&diao, "刁彬彬", "本科", "硕士", "", NANHU],
        vec![&zhang, "张琳", "本科", "学士", "", NANHU],
        vec![&unknown_school, "无校", "本科", "学士", "", "上海市不存在学校"],
        vec![&bad_education, "学历错", "博士后", "学士", "", NANHU],
        vec![&expert, "赵堃", "本科", "学士", "", NANHU],
        vec![&wrong_birth, "生日错", "本科", "学士", "1991-01", NANHU],
        vec![&chen, "陈昇", "本科", "学士", "", NANHU],
        vec![&other_school, "浦东新人", "大专", "无", "", &pudong],
    ];
    let file = xlsx(&rows);
    let expected: Vec<(u64, String)> = [
        (2, "created"),
        (3, "refused"),
        (4, "refused"),
        (5, "refused"),
        (6, "updated"),
        (7, "refused"),
        (8, "refused"),
        (9, "refused"),
        (10, "refused"),
        (11, "refused"),
        (12, "unchanged"),
        (13, "created"),
    ]
    .iter()
    .map(|(line, outcome)| (*line, outcome.to_string()))
    .collect();
    let before = city.teachers(None);

    let dry: Value = city.upload("/teachers/import?dry_run=true", file.clone()).json().expect("json");
    assert_eq!(outcomes(&dry), expected, "{dry}");
    assert_eq!((dry["dry_run"].as_bool(), dry["applied"].as_bool()), (Some(true), Some(false)));
    assert!(reasons(&dry, 3).contains("身份证号校验位错误"));
    assert_eq!(reasons(&dry, 4), "文件中第 4、5 行的身份证号重复");
    assert_eq!(reasons(&dry, 5), "文件中第 4、5 行的身份证号重复");
    assert!(reasons(&dry, 7).contains("已在其他学校开通账号"));
    assert_eq!(reasons(&dry, 8), "学校“上海市不存在学校”不存在或不在管理范围内");
    assert_eq!(reasons(&dry, 9), "最高学历应为大专、本科、研究生或其它");
    assert!(reasons(&dry, 10).contains("其他类型的账号"));
    assert_eq!(reasons(&dry, 11), "出生年月与身份证号不一致");
    assert!(!dry.to_string().contains(&good), "reports mask ID numbers");
    assert_eq!(city.teachers(None), before, "a dry run changes nothing");

    let done: Value = city.upload("/teachers/import", file).json().expect("json");
    assert_eq!(outcomes(&done), expected);
    assert_eq!(
        (done["applied"].as_bool(), done["created"].as_u64(), done["updated"].as_u64()),
        (Some(true), Some(2), Some(1))
    );
    let after = city.teachers(None);
    assert_eq!(after.len(), before.len() + 2);
    // Exactly the good rows changed: everyone else is as before.
    for teacher in &before {
        let now = after.iter().find(|t| t["id"] == teacher["id"]).expect("still there");
        if teacher["name"] == "刁彬彬" {
            assert_eq!((now["education"].as_str(), now["degree"].as_str()), (Some("本科"), Some("硕士")));
        } else {
            assert_eq!(now, teacher, "unchanged");
        }
    }
    let new = after.iter().find(|t| t["name"] == "新教师甲").expect("created");
    assert_eq!((new["school_name"].as_str(), new["birth_date"].as_str()), (Some(NANHU), Some("1990-03-15")));
    assert_eq!((new["must_change_password"].as_bool(), new["progress"].as_str()), (Some(true), Some("no_project")));
    assert!(after.iter().any(|t| t["name"] == "浦东新人" && t["school_id"] == foreign.school_id));
    assert_eq!(login(&server, &server.client(), &good, "00000000").status().as_u16(), 303);
    let audit = city.json("/audit?action=teacher.import");
    assert_eq!(audit["total"], 4, "one summary, two creations, one update");

    // Strict: one refused row and nothing at all is imported.
    let strict_file = xlsx(&[
        vec!["身份证号", "姓名", "最高学历", "最高学位", "学校"],
        vec![&id_number("31010119900322123"), "严格甲", "本科", "学士", NANHU],
        vec!["123", "严格乙", "本科", "学士", NANHU],
    ]);
    let strict: Value = city.upload("/teachers/import?strict=true", strict_file).json().expect("json");
    assert_eq!(
        (strict["applied"].as_bool(), strict["created"].as_u64(), strict["refused"].as_u64()),
        (Some(false), Some(1), Some(1))
    );
    assert_eq!(city.teachers(None).len(), after.len());

    // A department admin cannot import into another department; a school admin only into its own school.
    let hongkou = Api::signed(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let outside = xlsx(&[
        vec!["身份证号", "姓名", "最高学历", "最高学位", "学校"],
        vec![&id_number("31010119900323123"), "越区", "本科", "学士", &pudong],
    ]);
    let report: Value = hongkou.upload("/teachers/import", outside).json().expect("json");
    assert!(reasons(&report, 2).contains("不在管理范围内"));
    let school = Api::signed(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let other = xlsx(&[
        vec!["身份证号", "姓名", "最高学历", "最高学位", "学校"],
        vec![&id_number("31010119900324123"), "越校", "本科", "学士", BEIHONG],
    ]);
    let report: Value = school.upload("/teachers/import", other).json().expect("json");
    assert!(reasons(&report, 2).contains("不在管理范围内"));
    let own = xlsx(&[
        vec!["身份证号", "姓名", "最高学历", "最高学位"],
        vec![&id_number("31010119900325123"), "本校新人", "研究生", "博士"],
    ]);
    let report: Value = school.upload("/teachers/import", own).json().expect("json");
    assert_eq!(outcomes(&report), [(2, "created".to_string())]);
}

#[test]
fn the_page_previews_then_confirms_a_csv_in_gbk() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let text_csv = format!(
        "身份证号,姓名,最高学历,最高学位\n{},页面导入甲,本科,学士\n{},页面导入乙,研究生,硕士\n",
        id_number("31010119910101123"),
        id_number("31010119910102123")
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text_csv);
    let preview = upload_page(&server, &admin, &[], "教师.csv", gbk.to_vec());
    assert_eq!(preview.status().as_u16(), 200);
    let body = text(preview);
    assert!(body.contains("导入预览") && body.contains("将新增") && body.contains("页面导入乙"), "{body}");
    let token_start = body.find("name=\"token\" value=\"").expect("confirm form") + "name=\"token\" value=\"".len();
    let token = body[token_start..token_start + 32].to_string();
    let list = text(admin.get(server.url("/admin/teachers")).send().expect("list"));
    assert!(!list.contains("页面导入甲"), "nothing imported before the confirmation");
    // Another admin cannot use the staged file.
    let other = signed_in(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    let theirs = post_form(&server, &other, "/admin/teachers", "/admin/teachers/import/confirm", &[("token", &token)]);
    assert_eq!(theirs.status().as_u16(), 422);
    assert!(text(theirs).contains("导入文件已过期"));
    let confirmed =
        post_form(&server, &admin, "/admin/teachers", "/admin/teachers/import/confirm", &[("token", &token)]);
    let body = text(confirmed);
    assert!(body.contains("导入结果") && body.contains("已新增"), "{body}");
    let list = text(admin.get(server.url("/admin/teachers")).send().expect("list"));
    assert!(list.contains("页面导入甲") && list.contains("页面导入乙"));
    let again = post_form(&server, &admin, "/admin/teachers", "/admin/teachers/import/confirm", &[("token", &token)]);
    assert_eq!(again.status().as_u16(), 422);
    assert!(text(again).contains("导入文件已过期"));
    // Strict with a bad row: the preview offers no confirmation.
    let bad = format!(
        "身份证号,姓名,最高学历,最高学位\n{},严格丙,本科,学士\n123,严格丁,本科,学士\n",
        id_number("31010119910103123")
    );
    let preview = text(upload_page(&server, &admin, &[("strict", "1")], "bad.csv", bad.into_bytes()));
    assert!(preview.contains("没有可导入的行") && !preview.contains("确认导入"));
}

#[test]
fn oversized_empty_headerless_and_non_spreadsheet_uploads_are_refused() {
    let server = Server::start(Options::demo().env("ZHIPING_UPLOADS__IMPORT_MIB", "1"));
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let api = Api::new(&server, &token_for(&server, &admin, "学校"));
    let big = {
        let mut csv = String::from("身份证号,姓名,最高学历,最高学位\n");
        while csv.len() < 1_200_000 {
            csv.push_str("310101199001011234,某某某,本科,学士\n");
        }
        csv.into_bytes()
    };
    let too_big = api.upload("/teachers/import", big.clone());
    assert_eq!(too_big.status().as_u16(), 413);
    let body: Value = too_big.json().expect("json");
    assert_eq!(body["code"], "payload_too_large");
    assert!(body["message"].as_str().expect("message").contains("1 MiB"));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let image = api.upload("/teachers/import", png.clone());
    assert_eq!(image.status().as_u16(), 415);
    assert_eq!(image.json::<Value>().expect("json")["code"], "unsupported_media_type");
    let pdf = api.upload("/teachers/import", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec());
    assert_eq!(pdf.status().as_u16(), 415);
    let docx_like = {
        let mut cursor = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut cursor);
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).expect("entry");
        std::io::Write::write_all(&mut zip, b"not a workbook").expect("write");
        zip.finish().expect("zip");
        cursor.into_inner()
    };
    assert_eq!(api.upload("/teachers/import", docx_like).status().as_u16(), 415);
    let empty = api.upload("/teachers/import", Vec::new());
    assert_eq!(empty.status().as_u16(), 422);
    let headerless = api.upload("/teachers/import", "姓名,学历\n某某,本科\n".as_bytes().to_vec());
    assert_eq!(headerless.status().as_u16(), 422);
    assert!(
        headerless.json::<Value>().expect("json")["fields"][0]["message"]
            .as_str()
            .expect("m")
            .contains("表头缺少列：身份证号")
    );
    let header_only = api.upload("/teachers/import", "身份证号,姓名,最高学历,最高学位\n".as_bytes().to_vec());
    assert!(
        header_only.json::<Value>().expect("json")["fields"][0]["message"].as_str().expect("m").contains("没有数据行")
    );

    // The page says the same in its own words, with 4xx statuses.
    let page = upload_page(&server, &admin, &[], "big.csv", big);
    assert_eq!(page.status().as_u16(), 413);
    assert!(text(page).contains("文件超过 1 MiB 的上限"));
    let page = upload_page(&server, &admin, &[], "teachers.xlsx", png);
    assert_eq!(page.status().as_u16(), 415);
    assert!(text(page).contains("仅支持 .xlsx 或 .csv"));
    let missing_csrf = admin
        .post(server.url("/admin/teachers/import"))
        .multipart(reqwest::blocking::multipart::Form::new().text("file", "x"))
        .send()
        .expect("post");
    assert_eq!(missing_csrf.status().as_u16(), 403);

    // A teacher may not import, by page or API.
    let teacher = person(&server, "刁彬彬");
    let refused = upload_page(&server, &teacher, &[], "t.csv", b"a,b\n".to_vec());
    assert_eq!(refused.status().as_u16(), 403);
    let teacher_api = teacher
        .post(server.url("/api/v1/teachers/import"))
        .header("content-type", "application/octet-stream")
        .body("身份证号,姓名\n")
        .send()
        .expect("post");
    assert_eq!(teacher_api.status().as_u16(), 403);
    // Nothing staged is left behind.
    let staged = std::fs::read_dir(server.data.join("imports")).map(|entries| entries.count()).unwrap_or(0);
    assert_eq!(staged, 0);
}

#[test]
fn the_template_has_the_columns_of_the_admins_level() {
    let server = Server::demo();
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let response = school.get(server.url("/admin/teachers/template.xlsx")).send().expect("template");
    assert!(response.headers()["content-disposition"].to_str().expect("header").contains("attachment"));
    let sheet = read_xlsx(&response.bytes().expect("bytes"));
    assert_eq!(sheet[0], ["身份证号", "姓名", "最高学历", "最高学位", "出生年月"]);
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let sheet = read_xlsx(&city.get("/teachers/template").bytes().expect("bytes"));
    assert_eq!(sheet[0], ["身份证号", "姓名", "最高学历", "最高学位", "出生年月", "学校"]);
}

/// One part of an .xlsx (a zip), as text.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx is a zip");
    let mut part = archive.by_name(name).unwrap_or_else(|_| panic!("no {name} in the xlsx"));
    let mut text = String::new();
    part.read_to_string(&mut text).expect("UTF-8 part");
    text
}

#[test]
fn the_template_catches_mistakes_in_excel_with_data_validation() {
    let server = Server::demo();
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let bytes =
        school.get(server.url("/admin/teachers/template.xlsx")).send().expect("template").bytes().expect("xlsx");
    let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    // 18 characters in 身份证号; drop-downs for 最高学历 and 最高学位; no 学校 column for a school.
    assert!(sheet.contains("<dataValidations"), "{sheet}");
    let id_rule = sheet.split("<dataValidation ").find(|rule| rule.contains("sqref=\"A2:A")).expect("ID rule");
    assert!(id_rule.contains("type=\"textLength\"") && id_rule.contains("<formula1>18</formula1>"), "{id_rule}");
    assert!(sheet.contains("<formula1>\"大专,本科,研究生,其它\"</formula1>"), "{sheet}");
    assert!(sheet.contains("<formula1>\"无,学士,硕士,博士\"</formula1>"), "{sheet}");
    assert!(!sheet.contains("学校名单"), "a school admin imports into its own school only");

    // A department admin picks 学校 from the schools in its scope (a hidden sheet).
    let department = signed_in(&server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let bytes =
        department.get(server.url("/admin/teachers/template.xlsx")).send().expect("template").bytes().expect("xlsx");
    let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let school_rule = sheet.split("<dataValidation ").find(|rule| rule.contains("sqref=\"F2:F")).expect("学校 rule");
    assert!(school_rule.contains("type=\"list\"") && school_rule.contains("'学校名单'!$A$1:$A$"), "{school_rule}");
    let workbook = xlsx_part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("name=\"学校名单\"") && workbook.contains("state=\"hidden\""), "{workbook}");
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let schools: Vec<String> =
        book.worksheet_range("学校名单").expect("list").rows().map(|row| row[0].to_string()).collect();
    assert!(schools.contains(&"上海市南湖职业学校".to_string()), "{schools:?}");
}
