//! The command line: `serve` (with `--demo`) and the operations commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::{app, obs};

#[derive(Parser)]
#[command(name = "zhiping", version, about = "职评 — 中职、技工学校教师高级职务教科研成果鉴定平台")]
struct Cli {
    /// Configuration file (TOML); `ZHIPING_*` environment variables override it.
    #[arg(long, global = true, env = "ZHIPING_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Load the demonstration data set and print its logins.
        #[arg(long)]
        demo: bool,
        /// Listen address (overrides the configuration), e.g. 127.0.0.1:0 for any free port.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Data directory (overrides the configuration).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Also generate a larger data set on top of the demo: `city` (200 schools, 20,000 teachers, 3,000
        /// submissions; for benchmarks) or `small` (for tests).
        #[arg(long, hide = true, value_name = "SCALE")]
        demo_scale: Option<String>,
    },
    /// Write a teacher import workbook of generated rows (for the import benchmark).
    #[command(hide = true)]
    BenchSheet {
        #[arg(long, default_value_t = 5000)]
        rows: usize,
        /// The school's full name, for the 学校 column.
        #[arg(long)]
        school: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = std::env::vars().filter(|(name, _)| name != "ZHIPING_CONFIG");
    let mut config = match Config::load(cli.config.as_deref(), env) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("配置错误：{error:#}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::BenchSheet { rows, school, out } => {
            let written = crate::service::demo_scale::bench_workbook(rows, &school)
                .map_err(|error| error.to_string())
                .and_then(|bytes| std::fs::write(&out, bytes).map_err(|error| error.to_string()));
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("错误：{error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve { demo, listen, data, demo_scale } => {
            let demo_scale = match demo_scale.as_deref().map(crate::service::demo_scale::Scale::named) {
                None => None,
                Some(Some(scale)) => Some(scale),
                Some(None) => {
                    eprintln!("--demo-scale 应为 city 或 small");
                    return ExitCode::from(2);
                }
            };
            if let Some(listen) = listen {
                config.listen = listen;
            }
            if let Some(data) = data {
                config.data_dir = data;
            }
            obs::init(&config);
            let admin_password = std::env::var("ZHIPING_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("无法启动运行时：{error}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(app::serve(
                config,
                app::ServeOptions { demo: demo || demo_scale.is_some(), admin_password, demo_scale },
            )) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("错误：{error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
