//! Black-box tests: every test starts the real binary with a temporary data directory and talks HTTP to it.
//! One test binary (modules by area) keeps link time down.

mod support;

mod api;
mod notices;
mod operation;
mod print_data;
mod printing;
mod review;
mod scope;
mod signing_in;
