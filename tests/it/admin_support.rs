//! Helpers for the administration tests: bearer-token API calls, console pages, the demo's ids, a foreign
//! department built through the API, and spreadsheets written with rust_xlsxwriter.
#![allow(dead_code)]

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

use crate::support::*;

/// Creates an API token for `username` through the console and returns it (shown once).
pub fn token_for(server: &Server, client: &Client, name: &str) -> String {
    let page = text(client.get(server.url("/admin/tokens")).send().expect("tokens"));
    let csrf = csrf_of(&page);
    let created = text(
        client
            .post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", name)])
            .send()
            .expect("create"),
    );
    let start = created.find("zp_").expect("token shown once");
    created[start..start + 67].to_string()
}

/// A bearer-token API client.
pub struct Api<'a> {
    pub server: &'a Server,
    pub token: String,
    client: Client,
}

impl<'a> Api<'a> {
    pub fn new(server: &'a Server, token: &str) -> Self {
        Self { server, token: token.to_string(), client: Client::new() }
    }

    /// Signs `username` in, creates a token and returns the client for it.
    pub fn signed(server: &'a Server, username: &str, password: &str) -> Self {
        let client = signed_in(server, username, password);
        let token = token_for(server, &client, "测试");
        Self::new(server, &token)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.server.url(&format!("/api/v1{path}"))).bearer_auth(&self.token).send().expect("get")
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.server.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .expect("post")
    }

    pub fn put(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(self.server.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .expect("put")
    }

    pub fn upload(&self, path: &str, bytes: Vec<u8>) -> Response {
        self.client
            .post(self.server.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .expect("upload")
    }

    /// GET that must answer 200; the JSON body.
    pub fn json(&self, path: &str) -> Value {
        let response = self.get(path);
        let status = response.status().as_u16();
        let body: Value = response.json().expect("json");
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The id of the school named `name`.
    pub fn school_id(&self, name: &str) -> u64 {
        let schools = self.json("/schools");
        schools.as_array().expect("schools").iter().find(|s| s["name"] == name).expect(name)["id"].as_u64().expect("id")
    }

    /// Every teacher of the caller's scope (all pages), optionally of one school.
    pub fn teachers(&self, school_id: Option<u64>) -> Vec<Value> {
        let filter = school_id.map(|id| format!("&school_id={id}")).unwrap_or_default();
        let page = self.json(&format!("/teachers?per_page=300{filter}"));
        page["items"].as_array().expect("items").clone()
    }

    pub fn teacher_named(&self, name: &str) -> Value {
        self.teachers(None).into_iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no teacher {name}"))
    }

    pub fn project_id(&self) -> u64 {
        self.json("/projects")[0]["id"].as_u64().expect("project id")
    }
}

/// The demo's school names.
pub const NANHU: &str = "上海市南湖职业学校";
pub const BEIHONG: &str = "上海市北虹中等专业学校";
pub const JIGONG: &str = "上海市虹口区技工学校";
pub const CHENGREN: &str = "上海市虹口成人中等专业学校";
pub const HONGKOU: &str = "上海市虹口区教育局";

/// Another department with one school and one teacher, outside the demo's department.
pub struct Foreign {
    pub department_id: u64,
    pub school_id: u64,
    pub teacher_id: u64,
}

pub fn make_foreign(city: &Api) -> Foreign {
    let department: Value = city.post("/departments", &json!({"name": "上海市浦东新区教育局"})).json().expect("json");
    let school: Value = city
        .post(
            "/schools",
            &json!({"name": "上海市浦东职业学校", "department_id": department["id"], "school_type": "zhigao"}),
        )
        .json()
        .expect("json");
    let teacher: Value = city
        .post(
            "/teachers",
            &json!({"school_id": school["id"], "id_number": id_number("31011519830303456"), "name": "钱浦东",
                    "education": "本科", "degree": "学士"}),
        )
        .json()
        .expect("json");
    Foreign {
        department_id: department["id"].as_u64().expect("id"),
        school_id: school["id"].as_u64().expect("id"),
        teacher_id: teacher["id"].as_u64().expect("id"),
    }
}

/// Opens a teacher through the API and returns its id.
pub fn open_teacher(api: &Api, school_id: u64, first17: &str, name: &str) -> u64 {
    let response = api.post(
        "/teachers",
        &json!({"school_id": school_id, "id_number": id_number(first17), "name": name, "education": "本科", "degree": "学士"}),
    );
    let status = response.status().as_u16();
    let body: Value = response.json().expect("json");
    assert_eq!(status, 200, "open teacher {name}: {body}");
    body["id"].as_u64().expect("id")
}

/// An .xlsx of text cells (first row = header).
pub fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

/// The rows of the first sheet of an .xlsx, as text.
pub fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = workbook.worksheet_range_at(0).expect("sheet").expect("range");
    range.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}

/// The CSRF token of the page at `path`.
pub fn csrf_at(server: &Server, client: &Client, path: &str) -> String {
    csrf_of(&text(client.get(server.url(path)).send().expect("page")))
}

/// A POST of a console form with the CSRF token of `page`; redirects are not followed.
pub fn post_form(server: &Server, client: &Client, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
    let csrf = csrf_at(server, client, page);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(server.url(action)).form(&form).send().expect("post")
}

/// A multipart upload of `file` to the import page with the CSRF token.
pub fn upload_page(server: &Server, client: &Client, fields: &[(&str, &str)], name: &str, file: Vec<u8>) -> Response {
    let csrf = csrf_at(server, client, "/admin/teachers/import");
    let mut form = reqwest::blocking::multipart::Form::new().text("csrf", csrf);
    for (key, value) in fields {
        form = form.text(key.to_string(), value.to_string());
    }
    let part = reqwest::blocking::multipart::Part::bytes(file).file_name(name.to_string());
    form = form.part("file", part);
    client.post(server.url("/admin/teachers/import")).multipart(form).send().expect("upload")
}

/// Signs a demo teacher or expert in and replaces the default password.
pub fn person(server: &Server, name: &str) -> Client {
    first_login(server, &server.demo_username(name), "abc12345")
}
