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
        /// With `--demo-scale`: give every generated submission a generated PDF of this many KiB (backup bench).
        #[arg(long, hide = true, default_value_t = 0)]
        demo_file_kib: usize,
        /// For the integration tests only: a clock they can move forward through a loopback-only route.
        #[arg(long, hide = true)]
        test_clock: bool,
    },
    /// Back up the database and every referenced file into one archive (through the running server if there is
    /// one, else directly from the data directory).
    Backup {
        /// The archive to write (written to a temporary file, verified, then renamed).
        #[arg(long)]
        out: PathBuf,
        /// Data directory (overrides the configuration).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Restore an archive into an empty (or new) data directory, then check it.
    Restore {
        /// The archive written by `zhiping backup`.
        file: PathBuf,
        /// The data directory to restore into; must be empty or absent.
        #[arg(long)]
        data: PathBuf,
    },
    /// Check the data directory: schema, database structure, references to files (hashes), accounts, sessions,
    /// indexes and the audit chain. Exit code 0 when clean, 1 on a problem, 2 when the check cannot run.
    Check {
        /// Data directory (overrides the configuration).
        #[arg(long)]
        data: Option<PathBuf>,
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
    // Before anything is created: the data directory and backups are private whatever umask we were given.
    crate::private_fs::restrict_umask();
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
        Command::Backup { out, data } => {
            if let Some(data) = data {
                config.data_dir = data;
            }
            ops_backup(&config, &out)
        }
        Command::Restore { file, data } => {
            config.data_dir = data;
            ops_restore(&config, &file)
        }
        Command::Check { data } => {
            if let Some(data) = data {
                config.data_dir = data;
            }
            ops_check(&config)
        }
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
        Command::Serve { demo, listen, data, demo_scale, demo_file_kib, test_clock } => {
            let demo_scale = match demo_scale.as_deref().map(crate::service::demo_scale::Scale::named) {
                None => None,
                Some(Some(scale)) => Some(crate::service::demo_scale::Scale { file_kib: demo_file_kib, ..scale }),
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
                app::ServeOptions { demo: demo || demo_scale.is_some(), admin_password, demo_scale, test_clock },
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

fn ops_backup(config: &Config, out: &std::path::Path) -> ExitCode {
    let started = std::time::Instant::now();
    match crate::ops::backup(config, out, &mut |line| eprintln!("{line}")) {
        Ok((summary, via)) => {
            let via = match via {
                crate::ops::Via::Server => "由运行中的服务生成",
                crate::ops::Via::Directly => "直接读取数据目录",
            };
            let size = std::fs::metadata(out).map(|meta| meta.len()).unwrap_or(0);
            println!(
                "备份完成（{via}）：{}，{} 字节，含数据库快照与 {} 个文件，用时 {:.1} 秒，已校验。",
                out.display(),
                size,
                summary.files,
                started.elapsed().as_secs_f64()
            );
            if !summary.missing.is_empty() {
                eprintln!(
                    "警告：数据库引用的 {} 个文件在数据目录中缺失，未能备份；请运行 zhiping check 查看。",
                    summary.missing.len()
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("备份失败：{error}");
            ExitCode::FAILURE
        }
    }
}

fn ops_restore(config: &Config, file: &std::path::Path) -> ExitCode {
    match crate::ops::restore(file, config) {
        Ok(manifest) => {
            println!(
                "已恢复到 {}：备份时间 {}（zhiping {}），数据库快照与 {} 个文件，全部校验通过。",
                config.data_dir.display(),
                manifest.created_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"),
                manifest.zhiping_version,
                manifest.blob_count()
            );
            println!("正在检查恢复的数据……");
            ops_check(config)
        }
        Err(error) => {
            eprintln!("恢复失败：{error}");
            eprintln!("（目标目录中没有留下任何恢复的数据。）");
            ExitCode::FAILURE
        }
    }
}

fn ops_check(config: &Config) -> ExitCode {
    let mut print = |progress: bool, line: String| {
        if progress {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    match crate::ops::check(config, &mut print) {
        Ok((true, _)) => ExitCode::SUCCESS,
        Ok((false, _)) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("检查失败：{error}");
            ExitCode::from(2)
        }
    }
}
