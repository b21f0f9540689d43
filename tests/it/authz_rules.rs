//! The API half of the authorization matrix: one rule per operation of the OpenAPI document — who may call it,
//! what its `{id}` names, and a well-formed body — so the matrix measures authorization, not input parsing.

use serde_json::{Value, json};
use zhiping::domain::account::Role;
use zhiping::web::{Access, Scope};

use crate::authz_matrix::World;
use crate::support::id_number;

/// What an API rule sends.
pub enum Payload {
    Empty,
    Json(Value),
    Bytes(Vec<u8>),
}

/// One operation of the OpenAPI document and who may call it.
pub struct Rule {
    pub method: &'static str,
    /// The document's path (`{id}` for the record).
    pub path: &'static str,
    pub access: Access,
    pub scope: Scope,
    pub body: fn(&World, usize, &str) -> Payload,
}

const SIGNED: Access = Access::Signed;
const ADMINS: Access = Access::Roles(&[Role::CityAdmin, Role::DepartmentAdmin, Role::SchoolAdmin]);
const UPPER: Access = Access::Roles(&[Role::CityAdmin, Role::DepartmentAdmin]);
const CITY: Access = Access::Roles(&[Role::CityAdmin]);
/// Operations of the filing, review, printing and notices areas: their per-record and per-role scope is proven by
/// those areas' own tests; the matrix checks that each is documented and refuses anyone not signed in.
const TEACHER: Access = Access::Roles(&[Role::Teacher]);
const EXPERT: Access = Access::Roles(&[Role::Expert]);

fn none(_: &World, _: usize, _: &str) -> Payload {
    Payload::Empty
}

fn settings(world: &World) -> Value {
    let mut body = world.project.clone();
    body.as_object_mut().expect("project").remove("catalogue");
    body
}

pub const API_RULES: &[Rule] = &[
    Rule { method: "get", path: "/me", access: SIGNED, scope: Scope::None, body: none },
    Rule { method: "get", path: "/departments", access: SIGNED, scope: Scope::None, body: none },
    Rule {
        method: "post",
        path: "/departments",
        access: CITY,
        scope: Scope::None,
        body: |_, n, _| Payload::Json(json!({"name": format!("矩阵部门{n}")})),
    },
    Rule { method: "get", path: "/departments/{id}", access: SIGNED, scope: Scope::Department, body: none },
    Rule {
        method: "put",
        path: "/departments/{id}",
        access: CITY,
        scope: Scope::Department,
        body: |_, _, _| Payload::Json(json!({})),
    },
    Rule { method: "get", path: "/departments/{id}/progress", access: ADMINS, scope: Scope::Department, body: none },
    Rule { method: "get", path: "/schools", access: SIGNED, scope: Scope::None, body: none },
    Rule {
        method: "post",
        path: "/schools",
        access: CITY,
        scope: Scope::None,
        body: |w, n, _| {
            Payload::Json(json!({"name": format!("矩阵学校{n}"), "department_id": w.hongkou, "school_type": "zhigao"}))
        },
    },
    Rule { method: "get", path: "/schools/{id}", access: SIGNED, scope: Scope::School, body: none },
    Rule {
        method: "put",
        path: "/schools/{id}",
        access: CITY,
        scope: Scope::School,
        body: |_, _, _| Payload::Json(json!({})),
    },
    Rule { method: "get", path: "/schools/{id}/progress", access: ADMINS, scope: Scope::School, body: none },
    Rule { method: "get", path: "/schools/{id}/teachers", access: ADMINS, scope: Scope::School, body: none },
    Rule { method: "get", path: "/admins", access: UPPER, scope: Scope::School, body: none },
    Rule {
        method: "post",
        path: "/admins",
        access: UPPER,
        scope: Scope::None,
        body: |w, n, _| {
            Payload::Json(
                json!({"role": "school_admin", "org_id": w.nanhu, "username": format!("matrix{n}"), "name": "矩阵管理员"}),
            )
        },
    },
    Rule { method: "post", path: "/accounts/{id}/reset-password", access: ADMINS, scope: Scope::Account, body: none },
    Rule { method: "post", path: "/accounts/{id}/disable", access: ADMINS, scope: Scope::Account, body: none },
    Rule { method: "post", path: "/accounts/{id}/enable", access: ADMINS, scope: Scope::Account, body: none },
    Rule { method: "get", path: "/experts", access: CITY, scope: Scope::None, body: none },
    Rule {
        method: "post",
        path: "/experts",
        access: CITY,
        scope: Scope::None,
        body: |w, n, _| {
            Payload::Json(
                json!({"id_number": id_number(&format!("31010119700101{:03}", n % 1000)), "name": "矩阵专家", "org_kind": "school", "org_id": w.nanhu, "subjects": ["语文"]}),
            )
        },
    },
    Rule { method: "get", path: "/experts/{id}", access: CITY, scope: Scope::Expert, body: none },
    Rule {
        method: "put",
        path: "/experts/{id}",
        access: CITY,
        scope: Scope::Expert,
        body: |w, _, _| {
            Payload::Json(json!({"name": "孙明", "org_kind": "school", "org_id": w.nanhu, "subjects": ["语文"]}))
        },
    },
    Rule { method: "get", path: "/audit", access: CITY, scope: Scope::None, body: none },
    Rule { method: "get", path: "/tokens", access: ADMINS, scope: Scope::None, body: none },
    Rule { method: "post", path: "/tokens/{id}/revoke", access: ADMINS, scope: Scope::Token, body: none },
    Rule { method: "get", path: "/teachers", access: ADMINS, scope: Scope::None, body: none },
    Rule {
        method: "post",
        path: "/teachers",
        access: ADMINS,
        scope: Scope::None,
        body: |w, n, _| {
            Payload::Json(
                json!({"school_id": w.nanhu, "id_number": id_number(&format!("31010119800101{:03}", n % 1000)), "name": "矩阵教师", "education": "本科", "degree": "学士"}),
            )
        },
    },
    Rule { method: "get", path: "/teachers/{id}", access: ADMINS, scope: Scope::Teacher, body: none },
    Rule {
        method: "put",
        path: "/teachers/{id}",
        access: ADMINS,
        scope: Scope::Teacher,
        body: |_, _, _| Payload::Json(json!({"name": "矩阵受测", "education": "本科", "degree": "学士"})),
    },
    Rule { method: "get", path: "/teachers/{id}/detail", access: ADMINS, scope: Scope::Teacher, body: none },
    Rule { method: "post", path: "/teachers/{id}/reset-password", access: ADMINS, scope: Scope::Teacher, body: none },
    Rule {
        method: "post",
        path: "/teachers/{id}/project",
        access: ADMINS,
        scope: Scope::Teacher,
        body: |_, _, _| Payload::Json(json!({"project_id": null})),
    },
    Rule {
        method: "post",
        path: "/teachers/project",
        access: ADMINS,
        scope: Scope::None,
        body: |w, _, _| Payload::Json(json!({"teacher_ids": [w.victim_nanhu], "project_id": null})),
    },
    Rule {
        method: "post",
        path: "/teachers/{id}/move",
        access: UPPER,
        scope: Scope::Teacher,
        body: |w, _, target| Payload::Json(json!({"school_id": w.school_of_teacher(target)})),
    },
    Rule { method: "post", path: "/teachers/{id}/disable", access: ADMINS, scope: Scope::Teacher, body: none },
    Rule { method: "post", path: "/teachers/{id}/enable", access: ADMINS, scope: Scope::Teacher, body: none },
    Rule {
        method: "post",
        path: "/teachers/import",
        access: ADMINS,
        scope: Scope::None,
        body: |_, n, _| {
            Payload::Bytes(
                format!(
                    "身份证号,姓名,最高学历,最高学位\n{},矩阵导入,本科,学士\n",
                    id_number(&format!("31010119900101{:03}", n % 1000))
                )
                .into_bytes(),
            )
        },
    },
    Rule { method: "get", path: "/teachers/template", access: ADMINS, scope: Scope::None, body: none },
    Rule { method: "get", path: "/teachers/export", access: ADMINS, scope: Scope::None, body: none },
    Rule { method: "get", path: "/progress/export", access: ADMINS, scope: Scope::None, body: none },
    Rule { method: "get", path: "/projects", access: SIGNED, scope: Scope::None, body: none },
    Rule {
        method: "post",
        path: "/projects",
        access: CITY,
        scope: Scope::None,
        body: |_, n, _| {
            let start = chrono::Utc::now();
            Payload::Json(
                json!({"name": format!("矩阵项目{n}"), "year": 2030, "filing_start": start, "filing_end": start + chrono::Duration::days(10)}),
            )
        },
    },
    Rule { method: "get", path: "/projects/{id}", access: SIGNED, scope: Scope::Project, body: none },
    Rule {
        method: "put",
        path: "/projects/{id}",
        access: CITY,
        scope: Scope::Project,
        body: |w, _, _| Payload::Json(settings(w)),
    },
    Rule {
        method: "put",
        path: "/projects/{id}/catalogue",
        access: CITY,
        scope: Scope::Project,
        body: |w, _, _| Payload::Json(w.project["catalogue"].clone()),
    },
    Rule {
        method: "post",
        path: "/projects/{id}/copy",
        access: CITY,
        scope: Scope::Project,
        body: |_, n, _| Payload::Json(json!({"year": 2031 + (n % 60) as i64, "name": format!("矩阵复制{n}")})),
    },
    Rule { method: "get", path: "/projects/{id}/usage", access: CITY, scope: Scope::Project, body: none },
    // Filing, review, printing and notices (Scope::Record).
    Rule { method: "get", path: "/notices", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/notices/{id}", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/notices/{id}/attachments/{index}", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/notices", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "put", path: "/notices/{id}", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/notices/{id}/withdraw", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/uploads", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/materials", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/materials/{id}", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/materials/{id}/download", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/materials", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "put", path: "/materials/{id}", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/materials/{id}/withdraw", access: CITY, scope: Scope::Record, body: none },
    Rule {
        method: "get",
        path: "/submissions/{id}/registration-form",
        access: SIGNED,
        scope: Scope::Record,
        body: none,
    },
    Rule { method: "get", path: "/submissions/{id}/opinion", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/schools/{id}/registration-forms", access: ADMINS, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/me/results", access: TEACHER, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/verifications/{code}", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/submissions", access: ADMINS, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/submissions/{id}", access: SIGNED, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/submissions/{id}/history", access: ADMINS, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/approve", access: ADMINS, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/return", access: ADMINS, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/accept", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/accept-risk", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/submissions/{id}/assignments", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/assignments", access: CITY, scope: Scope::Record, body: none },
    Rule {
        method: "post",
        path: "/submissions/{id}/assignments/{expert_id}/decline",
        access: CITY,
        scope: Scope::Record,
        body: none,
    },
    Rule { method: "get", path: "/assignments/experts", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/projects/{id}/auto-assign", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/projects/{id}/open-expert-review", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/submissions/{id}/result", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/projects/{id}/publish", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/projects/{id}/results", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/projects/{id}/results.xlsx", access: CITY, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/expert/assignments", access: EXPERT, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/expert/assignments/{id}", access: EXPERT, scope: Scope::Record, body: none },
    Rule { method: "put", path: "/expert/assignments/{id}", access: EXPERT, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/messages", access: TEACHER, scope: Scope::Record, body: none },
    Rule { method: "get", path: "/me/appraisal", access: TEACHER, scope: Scope::Record, body: none },
    Rule { method: "put", path: "/me/appraisal", access: TEACHER, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/me/appraisal/submit", access: TEACHER, scope: Scope::Record, body: none },
    Rule { method: "post", path: "/me/appraisal/withdraw", access: TEACHER, scope: Scope::Record, body: none },
    Rule {
        method: "put",
        path: "/me/appraisal/achievements/{index}/files/{slot}",
        access: TEACHER,
        scope: Scope::Record,
        body: none,
    },
    Rule {
        method: "delete",
        path: "/me/appraisal/achievements/{index}/files/{slot}",
        access: TEACHER,
        scope: Scope::Record,
        body: none,
    },
    Rule { method: "get", path: "/files/{sha256}", access: SIGNED, scope: Scope::Record, body: none },
];
