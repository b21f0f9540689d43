//! Every page route of the site in one table, `PAGE_ROUTES`, from which `routes()` builds the router. Each entry
//! states who may use it (`Access`) and what its `:id` (or `?school_id=` / `?department_id=`) names (`Scope`),
//! so the authorization matrix test can walk every route × every role × own and foreign scope, and a route added
//! without a rule cannot exist. The rule here is the expectation the test checks; the services still decide.

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::{EndpointExt, Route, RouteMethod};

use super::assets;
use super::pages::{
    admin_audit, admin_experts, admin_import, admin_notices, admin_orgs, admin_progress, admin_projects, admin_teacher,
    admin_teachers, admin_tokens, appraisal, browser, expert, home, login, messages, notices, password, printing,
    review_detail, review_list, review_results, verify,
};
use crate::domain::account::Role;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Signed,
    /// Signed-in accounts of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (Access::Signed, role) => role.is_some(),
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
            (Access::Roles(_), None) => false,
        }
    }
}

/// What the route's record parameter names; its value goes into `:id`, or (when the path has none) into the
/// query string as `school_id` / `department_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// No record: the route is about the signed-in account, or lists the actor's own scope.
    None,
    /// A teacher account.
    Teacher,
    /// Any account the actor may manage (reset, disable, enable).
    Account,
    /// An expert account.
    Expert,
    School,
    Department,
    Project,
    /// One of the actor's API tokens.
    Token,
    /// An embedded asset's file name.
    Asset,
    /// A record of the filing, review, printing or notices areas (submission, notice, material, message,
    /// verification code). Its per-record scope is proven by that area's own tests; the matrix checks here that
    /// the route refuses anyone not signed in.
    Record,
}

/// What a state-changing request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// A GET: nothing.
    None,
    /// A urlencoded form with the CSRF token.
    Form,
    /// A multipart form (file upload) with the CSRF token first.
    Upload,
}

pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub scope: Scope,
    pub body: Body,
    endpoint: fn() -> BoxEndpoint<'static>,
}

const ADMINS: &[Role] = &[Role::CityAdmin, Role::DepartmentAdmin, Role::SchoolAdmin];
const UPPER: &[Role] = &[Role::CityAdmin, Role::DepartmentAdmin];
const CITY: &[Role] = &[Role::CityAdmin];
const TEACHER: &[Role] = &[Role::Teacher];
const EXPERT: &[Role] = &[Role::Expert];

const fn get(path: &'static str, access: Access, scope: Scope, endpoint: fn() -> BoxEndpoint<'static>) -> PageRoute {
    PageRoute { method: Method::GET, path, access, scope, body: Body::None, endpoint }
}

const fn post(path: &'static str, access: Access, scope: Scope, endpoint: fn() -> BoxEndpoint<'static>) -> PageRoute {
    PageRoute { method: Method::POST, path, access, scope, body: Body::Form, endpoint }
}

const fn upload(path: &'static str, access: Access, scope: Scope, endpoint: fn() -> BoxEndpoint<'static>) -> PageRoute {
    PageRoute { method: Method::POST, path, access, scope, body: Body::Upload, endpoint }
}

use Access::{Public, Roles, Signed};

/// Every page route. Add new routes here (with their rule); the router and the matrix test follow.
pub const PAGE_ROUTES: &[PageRoute] = &[
    get("/", Signed, Scope::None, || home::show.boxed()),
    get("/login", Public, Scope::None, || login::show.boxed()),
    post("/login", Public, Scope::None, || login::submit.boxed()),
    post("/logout", Public, Scope::None, || login::logout.boxed()),
    get("/password", Signed, Scope::None, || password::show.boxed()),
    post("/password", Signed, Scope::None, || password::submit.boxed()),
    get("/browser", Public, Scope::None, || browser::show.boxed()),
    get("/assets/:name", Public, Scope::Asset, || assets::serve.boxed()),
    // 单位管理: departments, schools and their admin accounts.
    get("/admin/orgs", Roles(UPPER), Scope::None, || admin_orgs::show.boxed()),
    post("/admin/orgs", Roles(UPPER), Scope::None, || admin_orgs::submit.boxed()),
    get("/admin/departments/:id", Roles(CITY), Scope::Department, || admin_orgs::department_page.boxed()),
    post("/admin/departments/:id", Roles(CITY), Scope::Department, || admin_orgs::update_department.boxed()),
    get("/admin/schools/:id", Roles(UPPER), Scope::School, || admin_orgs::school_page.boxed()),
    post("/admin/schools/:id", Roles(CITY), Scope::School, || admin_orgs::update_school.boxed()),
    post("/admin/schools/:id/admins", Roles(UPPER), Scope::School, || admin_orgs::create_school_admin.boxed()),
    // Any managed account: reset password, disable, enable.
    post("/admin/accounts/:id/reset-password", Roles(ADMINS), Scope::Account, || {
        admin_teachers::reset_password.boxed()
    }),
    post("/admin/accounts/:id/disable", Roles(ADMINS), Scope::Account, || admin_teacher::disable.boxed()),
    post("/admin/accounts/:id/enable", Roles(ADMINS), Scope::Account, || admin_teacher::enable.boxed()),
    // 用户管理: teachers.
    get("/admin/teachers", Roles(ADMINS), Scope::None, || admin_teachers::show.boxed()),
    post("/admin/teachers", Roles(ADMINS), Scope::None, || admin_teachers::create.boxed()),
    post("/admin/teachers/project", Roles(ADMINS), Scope::None, || admin_teachers::bulk_project.boxed()),
    get("/admin/teachers/export.xlsx", Roles(ADMINS), Scope::None, || admin_teachers::export_xlsx.boxed()),
    get("/admin/teachers/import", Roles(ADMINS), Scope::None, || admin_import::show.boxed()),
    upload("/admin/teachers/import", Roles(ADMINS), Scope::None, || admin_import::preview.boxed()),
    post("/admin/teachers/import/confirm", Roles(ADMINS), Scope::None, || admin_import::confirm.boxed()),
    get("/admin/teachers/template.xlsx", Roles(ADMINS), Scope::None, || admin_import::template.boxed()),
    get("/admin/teachers/:id", Roles(ADMINS), Scope::Teacher, || admin_teacher::show.boxed()),
    post("/admin/teachers/:id", Roles(ADMINS), Scope::Teacher, || admin_teacher::update.boxed()),
    post("/admin/teachers/:id/project", Roles(ADMINS), Scope::Teacher, || admin_teacher::set_project.boxed()),
    post("/admin/teachers/:id/move", Roles(UPPER), Scope::Teacher, || admin_teacher::move_school.boxed()),
    // 填报进度.
    get("/admin/progress", Roles(ADMINS), Scope::None, || admin_progress::show.boxed()),
    get("/admin/progress/export.xlsx", Roles(ADMINS), Scope::None, || admin_progress::export_xlsx.boxed()),
    // 专家管理.
    get("/admin/experts", Roles(CITY), Scope::None, || admin_experts::show.boxed()),
    post("/admin/experts", Roles(CITY), Scope::None, || admin_experts::create.boxed()),
    get("/admin/experts/:id", Roles(CITY), Scope::Expert, || admin_experts::edit.boxed()),
    post("/admin/experts/:id", Roles(CITY), Scope::Expert, || admin_experts::update.boxed()),
    // 鉴定项目.
    get("/admin/projects", Roles(CITY), Scope::None, || admin_projects::list.boxed()),
    post("/admin/projects", Roles(CITY), Scope::None, || admin_projects::create.boxed()),
    get("/admin/projects/:id", Roles(CITY), Scope::Project, || admin_projects::edit.boxed()),
    post("/admin/projects/:id", Roles(CITY), Scope::Project, || admin_projects::update.boxed()),
    get("/admin/projects/:id/catalogue", Roles(CITY), Scope::Project, || admin_projects::catalogue_page.boxed()),
    post("/admin/projects/:id/catalogue", Roles(CITY), Scope::Project, || admin_projects::save_catalogue.boxed()),
    // 审计日志.
    get("/admin/audit", Roles(CITY), Scope::None, || admin_audit::show.boxed()),
    // 接口令牌.
    get("/admin/tokens", Roles(ADMINS), Scope::None, || admin_tokens::show.boxed()),
    post("/admin/tokens", Roles(ADMINS), Scope::None, || admin_tokens::create.boxed()),
    post("/admin/tokens/:id/revoke", Roles(ADMINS), Scope::Token, || admin_tokens::revoke.boxed()),
    // 通知公告 / 资料下载.
    get("/notices", Signed, Scope::None, || notices::notices.boxed()),
    get("/notices/:id", Signed, Scope::Record, || notices::notice_detail.boxed()),
    get("/notices/:id/attachments/:index", Signed, Scope::Record, || notices::notice_attachment.boxed()),
    get("/materials", Signed, Scope::None, || notices::materials.boxed()),
    get("/materials/:id/download", Signed, Scope::Record, || notices::material_download.boxed()),
    get("/admin/notices", Roles(CITY), Scope::None, || admin_notices::manage_notices.boxed()),
    upload("/admin/notices", Roles(CITY), Scope::Record, || admin_notices::create_notice.boxed()),
    get("/admin/notices/new", Roles(CITY), Scope::None, || admin_notices::new_notice_form.boxed()),
    upload("/admin/notices/:id", Roles(CITY), Scope::Record, || admin_notices::update_notice.boxed()),
    get("/admin/notices/:id/edit", Roles(CITY), Scope::Record, || admin_notices::edit_notice_form.boxed()),
    post("/admin/notices/:id/withdraw", Roles(CITY), Scope::Record, || admin_notices::withdraw_notice.boxed()),
    get("/admin/materials", Roles(CITY), Scope::None, || admin_notices::manage_materials.boxed()),
    upload("/admin/materials", Roles(CITY), Scope::Record, || admin_notices::create_material.boxed()),
    get("/admin/materials/new", Roles(CITY), Scope::None, || admin_notices::new_material_form.boxed()),
    upload("/admin/materials/:id", Roles(CITY), Scope::Record, || admin_notices::update_material.boxed()),
    get("/admin/materials/:id/edit", Roles(CITY), Scope::Record, || admin_notices::edit_material_form.boxed()),
    post("/admin/materials/:id/withdraw", Roles(CITY), Scope::Record, || admin_notices::withdraw_material.boxed()),
    // 打印 and 验证.
    get("/filing/print", Roles(TEACHER), Scope::Record, || printing::own_registration.boxed()),
    get("/print/registration/:id", Signed, Scope::Record, || printing::registration.boxed()),
    get("/print/opinion/:id", Signed, Scope::Record, || printing::opinion.boxed()),
    get("/print/school/:id", Roles(ADMINS), Scope::Record, || printing::school_bundle.boxed()),
    get("/admin/print", Roles(ADMINS), Scope::None, || printing::admin_overview.boxed()),
    get("/verify", Public, Scope::None, || verify::show.boxed()),
    // 消息提醒 and the review chain.
    get("/messages", Roles(TEACHER), Scope::None, || messages::show.boxed()),
    post("/messages/:id/read", Roles(TEACHER), Scope::Record, || messages::mark_read.boxed()),
    get("/review", Roles(ADMINS), Scope::None, || review_list::show.boxed()),
    post("/review/accept-all", Roles(CITY), Scope::Record, || review_list::accept_all.boxed()),
    post("/review/auto-assign", Roles(CITY), Scope::Record, || review_list::auto_assign.boxed()),
    post("/review/open-expert-review", Roles(CITY), Scope::Record, || review_list::open_expert_review.boxed()),
    post("/review/publish", Roles(CITY), Scope::Record, || review_results::publish.boxed()),
    get("/review/results", Roles(ADMINS), Scope::Record, || review_results::show.boxed()),
    get("/review/results.xlsx", Roles(ADMINS), Scope::Record, || review_results::export.boxed()),
    get("/review/submissions/:id", Roles(ADMINS), Scope::Record, || review_detail::show.boxed()),
    post("/review/submissions/:id/approve", Roles(ADMINS), Scope::Record, || review_detail::approve.boxed()),
    post("/review/submissions/:id/return", Roles(ADMINS), Scope::Record, || review_detail::return_back.boxed()),
    post("/review/submissions/:id/accept", Roles(CITY), Scope::Record, || review_detail::accept.boxed()),
    post("/review/submissions/:id/accept-risk", Roles(CITY), Scope::Record, || review_detail::accept_risk.boxed()),
    post("/review/submissions/:id/assign", Roles(CITY), Scope::Record, || review_detail::assign.boxed()),
    post("/review/submissions/:id/assignments/:expert_id/decline", Roles(CITY), Scope::Record, || {
        review_detail::decline.boxed()
    }),
    post("/review/submissions/:id/final", Roles(CITY), Scope::Record, || review_detail::final_grade.boxed()),
    get("/expert", Roles(EXPERT), Scope::None, || expert::list.boxed()),
    get("/expert/submissions/:id", Roles(EXPERT), Scope::Record, || expert::show.boxed()),
    post("/expert/submissions/:id", Roles(EXPERT), Scope::Record, || expert::save.boxed()),
    post("/expert/submissions/:id/decline", Roles(EXPERT), Scope::Record, || expert::decline.boxed()),
    get("/expert/submissions/:id/files/:number", Roles(EXPERT), Scope::Record, || expert::file.boxed()),
    // 教科研成果鉴定: the teacher's filing.
    get("/appraisal", Roles(TEACHER), Scope::Record, || appraisal::show.boxed()),
    upload("/appraisal", Roles(TEACHER), Scope::Record, || appraisal::post.boxed()),
    post("/appraisal/pledge", Roles(TEACHER), Scope::Record, || appraisal::pledge.boxed()),
    post("/appraisal/withdraw", Roles(TEACHER), Scope::Record, || appraisal::withdraw.boxed()),
    get("/appraisal/submitted", Roles(TEACHER), Scope::Record, || appraisal::submitted.boxed()),
    get("/appraisal/preview", Roles(TEACHER), Scope::Record, || appraisal::preview.boxed()),
    get("/files/:sha256/:name", Signed, Scope::Record, || appraisal::download.boxed()),
];

/// The router, built from `PAGE_ROUTES` (one `RouteMethod` per path).
pub fn routes() -> Route {
    let mut paths: Vec<&'static str> = Vec::new();
    for route in PAGE_ROUTES {
        if !paths.contains(&route.path) {
            paths.push(route.path);
        }
    }
    let mut router = Route::new();
    for path in paths {
        let mut methods = RouteMethod::new();
        for route in PAGE_ROUTES.iter().filter(|route| route.path == path) {
            methods = methods.method(route.method.clone(), (route.endpoint)());
        }
        // Around the methods, so a refused method (405) is labelled with the path's pattern too.
        router = router.at(path, crate::obs::routed(path, methods));
    }
    router
}
