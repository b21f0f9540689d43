//! The `zhiping` binary: parse the command line and hand over to the library. Nothing else lives here.

fn main() -> std::process::ExitCode {
    zhiping::cli::main()
}
