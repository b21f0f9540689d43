//! The server-rendered pages (maud). Handlers are adapters: parse the form, call a service, render. Every route of
//! the site is in `routes()`.

pub mod assets;
pub mod ctx;
pub mod errors;
pub mod layout;
pub mod pages;

use poem::{Route, get, post};

use pages::{
    admin_notices, admin_orgs, admin_teachers, admin_tokens, browser, home, login, notices, password, printing, verify,
};
use pages::{expert, messages, review_detail, review_list, review_results};

/// Every page route, in one list (the authorization matrix test walks it).
pub fn routes() -> Route {
    Route::new()
        .at("/", get(home::show))
        .at("/login", get(login::show).post(login::submit))
        .at("/logout", post(login::logout))
        .at("/password", get(password::show).post(password::submit))
        .at("/browser", get(browser::show))
        .at("/admin/orgs", get(admin_orgs::show).post(admin_orgs::submit))
        .at("/admin/teachers", get(admin_teachers::show).post(admin_teachers::create))
        .at("/admin/accounts/:id/reset-password", post(admin_teachers::reset_password))
        .at("/admin/tokens", get(admin_tokens::show).post(admin_tokens::create))
        .at("/admin/tokens/:id/revoke", post(admin_tokens::revoke))
        .at("/assets/:name", get(assets::serve))
        .at("/notices", get(notices::notices))
        .at("/notices/:id", get(notices::notice_detail))
        .at("/notices/:id/attachments/:index", get(notices::notice_attachment))
        .at("/materials", get(notices::materials))
        .at("/materials/:id/download", get(notices::material_download))
        .at("/admin/notices", get(admin_notices::manage_notices).post(admin_notices::create_notice))
        .at("/admin/notices/new", get(admin_notices::new_notice_form))
        .at("/admin/notices/:id", post(admin_notices::update_notice))
        .at("/admin/notices/:id/edit", get(admin_notices::edit_notice_form))
        .at("/admin/notices/:id/withdraw", post(admin_notices::withdraw_notice))
        .at("/admin/materials", get(admin_notices::manage_materials).post(admin_notices::create_material))
        .at("/admin/materials/new", get(admin_notices::new_material_form))
        .at("/admin/materials/:id", post(admin_notices::update_material))
        .at("/admin/materials/:id/edit", get(admin_notices::edit_material_form))
        .at("/admin/materials/:id/withdraw", post(admin_notices::withdraw_material))
        .at("/filing/print", get(printing::own_registration))
        .at("/print/registration/:id", get(printing::registration))
        .at("/print/opinion/:id", get(printing::opinion))
        .at("/print/school/:id", get(printing::school_bundle))
        .at("/admin/print", get(printing::admin_overview))
        .at("/verify", get(verify::show))
        .at("/messages", get(messages::show))
        .at("/review", get(review_list::show))
        .at("/review/accept-all", post(review_list::accept_all))
        .at("/review/auto-assign", post(review_list::auto_assign))
        .at("/review/publish", post(review_results::publish))
        .at("/review/results", get(review_results::show))
        .at("/review/results.xlsx", get(review_results::export))
        .at("/review/submissions/:id", get(review_detail::show))
        .at("/review/submissions/:id/approve", post(review_detail::approve))
        .at("/review/submissions/:id/return", post(review_detail::return_back))
        .at("/review/submissions/:id/accept", post(review_detail::accept))
        .at("/review/submissions/:id/accept-risk", post(review_detail::accept_risk))
        .at("/review/submissions/:id/assign", post(review_detail::assign))
        .at("/review/submissions/:id/assignments/:expert_id/decline", post(review_detail::decline))
        .at("/review/submissions/:id/final", post(review_detail::final_grade))
        .at("/expert", get(expert::list))
        .at("/expert/submissions/:id", get(expert::show).post(expert::save))
        .at("/expert/submissions/:id/decline", post(expert::decline))
        .at("/expert/submissions/:id/files/:number", get(expert::file))
}
