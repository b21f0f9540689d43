//! Finding 3: a six-character Chinese search (18 bytes, the length of an ID number) panicked on a byte slice in
//! 用户管理, its export and `GET /api/v1/teachers`, and the client got no answer.

use crate::admin_support::*;
use crate::support::*;

#[test]
fn a_six_character_chinese_search_answers_on_the_page_the_api_and_the_exports() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let school = city.school_id(BEIHONG);
    // Six characters: 18 bytes, like an ID number.
    let name = "欧阳北虹中专";
    open_teacher(&city, school, "31010919850505123", name);
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);

    for q in [name, "北虹中等专业"] {
        let page = admin.get(server.url("/admin/teachers")).query(&[("q", q)]).send().expect("page");
        assert_eq!(page.status().as_u16(), 200, "page search {q}");
        // The search box repeats the query; a found teacher adds a row with the name.
        let shown = text(page).matches(name).count();
        assert!(if q == name { shown >= 2 } else { shown == 0 }, "page search {q}: the name shown {shown} times");

        let found = city.json(&format!("/teachers?q={}", percent(q)));
        let names: Vec<&str> =
            found["items"].as_array().expect("items").iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, if q == name { vec![name] } else { Vec::new() }, "API search {q}");

        let export = admin.get(server.url(&format!("/admin/teachers/export.xlsx?q={}", percent(q)))).send();
        let export = export.expect("export");
        assert_eq!(export.status().as_u16(), 200, "page export {q}");
        let rows = read_xlsx(&export.bytes().expect("bytes"));
        assert_eq!(rows.iter().any(|row| row.iter().any(|cell| cell == name)), q == name, "page export {q}");
        let export = city.get(&format!("/teachers/export?q={}", percent(q)));
        assert_eq!(export.status().as_u16(), 200, "API export {q}");
        let rows = read_xlsx(&export.bytes().expect("bytes"));
        assert_eq!(rows.iter().any(|row| row.iter().any(|cell| cell == name)), q == name, "API export {q}");
    }
}

/// Percent-encodes a query value.
fn percent(value: &str) -> String {
    value.bytes().map(|byte| format!("%{byte:02X}")).collect()
}
