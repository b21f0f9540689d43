//! zhiping (职评): the research-achievement appraisal platform for senior professional-title review of Shanghai
//! vocational and technical school teachers. See ARCHITECTURE.md for the module map and the invariants.

pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod files;
pub mod obs;
pub mod ops;
pub mod pdf;
pub mod private_fs;
pub mod search;
pub mod service;
pub mod store;
pub mod web;
