//! The server-rendered pages (maud). Handlers are adapters: parse the form, call a service, render. Every route of
//! the site is in `routes::PAGE_ROUTES`, from which `routes()` builds the router.

pub mod assets;
pub mod ctx;
pub mod errors;
pub mod layout;
pub mod multipart;
pub mod pages;

pub mod routes;
pub mod widgets;

pub use routes::{Access, Body, PAGE_ROUTES, PageRoute, Scope, routes};
