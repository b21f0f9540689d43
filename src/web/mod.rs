//! The server-rendered pages (maud). Handlers are adapters: parse the form, call a service, render. Every route of
//! the site is in `routes()`.

pub mod assets;
pub mod ctx;
pub mod errors;
pub mod layout;
pub mod pages;

use poem::{Route, get, post};

use pages::{admin_orgs, admin_teachers, admin_tokens, browser, home, login, password};

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
        .at("/appraisal", get(pages::appraisal::show).post(pages::appraisal::post))
        .at("/appraisal/pledge", post(pages::appraisal::pledge))
        .at("/appraisal/withdraw", post(pages::appraisal::withdraw))
        .at("/appraisal/submitted", get(pages::appraisal::submitted))
        .at("/appraisal/preview", get(pages::appraisal::preview))
        .at("/files/:sha256/:name", get(pages::appraisal::download))
}
