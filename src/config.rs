//! Configuration: built-in defaults ← TOML file ← `ZHIPING_*` environment variables. Every path is derived from
//! the data directory, so one setting moves the whole installation.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Everything the server reads at start. `config.example.toml` documents each field with its default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Directory holding the database, the files and the search index.
    pub data_dir: PathBuf,
    /// PEM certificate chain; with `tls_key`, the server speaks HTTPS itself.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Shown in every page header.
    pub site_name: String,
    /// The operating organisation, named in the footer and on printed opinions.
    pub operator: String,
    /// Footer line under every page.
    pub footer: String,
    /// Public base URL used in printed verification links (e.g. `https://zhiping.example.edu.cn`).
    pub public_url: String,
    pub session: SessionConfig,
    pub security: SecurityConfig,
    pub uploads: UploadConfig,
    pub argon2: Argon2Config,
    pub backup: BackupConfig,
    pub metrics: MetricsConfig,
    /// `tracing` filter, e.g. `info` or `zhiping=debug,info`.
    pub log_level: String,
    /// `text` or `json`.
    pub log_format: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused for this long ends.
    pub idle_minutes: u64,
    /// A session ends this long after sign-in, used or not.
    pub absolute_hours: u64,
    /// Mark cookies `Secure` even when neither `tls_cert` nor an `https://` `public_url` says the site is served
    /// over HTTPS (a TLS proxy in front and no `public_url`).
    pub secure_cookie: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Consecutive wrong passwords that freeze an account (the manual: 5).
    pub max_failed_logins: u32,
    /// How long a frozen account stays frozen (the manual: 60 minutes).
    pub freeze_seconds: u64,
    /// Sign-in attempts allowed per client address per minute before answering 429.
    pub login_attempts_per_minute: u32,
    /// Trust `X-Forwarded-For` for the client address (only behind a reverse proxy you control).
    pub trust_forwarded_for: bool,
    /// Verification-code look-ups (public /verify page and API) allowed per client address per minute.
    pub verify_attempts_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadConfig {
    /// Limit for PDF / DOC / DOCX files, in MiB (SPEC §9: 20).
    pub document_mib: u64,
    /// Limit for MP4 / ZIP of 自创资源, in MiB (SPEC §9: 500).
    pub media_mib: u64,
    /// Limit for spreadsheets uploaded for import, in MiB.
    pub import_mib: u64,
    /// Free space (MiB) the data directory's file system must keep: below it uploads and saves are refused
    /// with HTTP 507 and `/healthz` answers 503. 0 turns the check off.
    pub min_free_mib: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Argon2Config {
    /// Memory cost in KiB (OWASP: 19456).
    pub memory_kib: u32,
    /// Iterations (OWASP: 2).
    pub iterations: u32,
    /// Lanes (OWASP: 1).
    pub parallelism: u32,
    /// Hashes computed at the same time; each holds `memory_kib` of memory and a core. Default: one less than the
    /// cores (at least 1), so a login storm always leaves a core for serving pages.
    pub max_concurrent: usize,
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A bearer token Prometheus must send (`Authorization: Bearer …`). Empty: `/metrics` answers only requests
    /// from the loopback address that came through no proxy.
    pub token: String,
}

/// The scheduled daily backup (`zhiping backup` works without it).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// Directory for the daily archives; empty turns the schedule off.
    pub dir: PathBuf,
    /// Local server time of the daily backup, `HH:MM`.
    pub at: String,
    /// How many daily archives to keep; older ones are deleted after each new backup.
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self { dir: PathBuf::new(), at: "02:30".into(), keep: 7 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("zhiping-data"),
            tls_cert: None,
            tls_key: None,
            site_name: "上海市普教教师职称评审平台".into(),
            operator: "上海市教育评估院".into(),
            footer: "Copyright@ 上海市教育评估院".into(),
            public_url: String::new(),
            session: SessionConfig::default(),
            security: SecurityConfig::default(),
            uploads: UploadConfig::default(),
            argon2: Argon2Config::default(),
            backup: BackupConfig::default(),
            metrics: MetricsConfig::default(),
            log_level: "info".into(),
            log_format: "text".into(),
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self { idle_minutes: 30, absolute_hours: 12, secure_cookie: false }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            max_failed_logins: 5,
            freeze_seconds: 60 * 60,
            login_attempts_per_minute: 30,
            trust_forwarded_for: false,
            verify_attempts_per_minute: 20,
        }
    }
}

impl Default for UploadConfig {
    fn default() -> Self {
        Self { document_mib: 20, media_mib: 500, import_mib: 10, min_free_mib: 512 }
    }
}

impl Default for Argon2Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self { memory_kib: 19456, iterations: 2, parallelism: 1, max_concurrent: cores.saturating_sub(1).max(1) }
    }
}

impl Config {
    /// Defaults, then the file (if given), then `ZHIPING_*` variables from `env`.
    pub fn load(file: Option<&Path>, env: impl Iterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let mut table = match file {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("无法读取配置文件 {}", path.display()))?;
                text.parse::<toml::Table>().with_context(|| format!("配置文件 {} 格式错误", path.display()))?
            }
            None => toml::Table::new(),
        };
        for (name, value) in env {
            let Some(key) = name.strip_prefix("ZHIPING_") else { continue };
            if matches!(key, "ADMIN_PASSWORD") {
                continue; // read once by the bootstrap, never part of the configuration
            }
            apply_env(&mut table, key, &value)?;
        }
        let config: Config = toml::Value::Table(table).try_into().context("配置项无效")?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            bail!("tls_cert 与 tls_key 必须同时配置");
        }
        if chrono::NaiveTime::parse_from_str(&self.backup.at, "%H:%M").is_err() {
            bail!("backup.at 应为 HH:MM 格式的时间，例如 \"02:30\"");
        }
        if self.backup.keep == 0 {
            bail!("backup.keep 必须大于 0");
        }
        if self.security.max_failed_logins == 0 || self.argon2.max_concurrent == 0 {
            bail!("max_failed_logins 与 argon2.max_concurrent 必须大于 0");
        }
        Ok(())
    }

    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// Whether browsers reach the site over HTTPS: zhiping's own TLS, a TLS proxy named by an `https://`
    /// `public_url`, or `session.secure_cookie`. Cookies are then marked `Secure`.
    pub fn served_over_https(&self) -> bool {
        self.tls_enabled()
            || self.public_url.trim().get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
            || self.session.secure_cookie
    }

    /// The public base URL without a trailing `/`, if configured.
    pub fn public_base(&self) -> Option<&str> {
        Some(self.public_url.trim().trim_end_matches('/')).filter(|base| !base.is_empty())
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("zhiping.redb")
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// `uploads.min_free_mib` in bytes.
    pub fn min_free_bytes(&self) -> u64 {
        self.uploads.min_free_mib.saturating_mul(1024 * 1024)
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

/// `ZHIPING_SESSION__IDLE_MINUTES=5` sets `session.idle_minutes`; a double underscore separates sections.
/// Values are parsed as TOML scalars when they look like one, else kept as strings.
fn apply_env(table: &mut toml::Table, key: &str, value: &str) -> anyhow::Result<()> {
    let path: Vec<String> = key.split("__").map(|part| part.to_ascii_lowercase()).collect();
    let (last, sections) = path.split_last().context("空的环境变量名")?;
    let mut current = table;
    for section in sections {
        let entry = current.entry(section.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(inner) => inner,
            _ => bail!("环境变量 ZHIPING_{key} 与配置结构冲突"),
        };
    }
    let parsed = format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut parsed| parsed.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    current.insert(last.clone(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_nested_sections() {
        let env = vec![
            ("ZHIPING_LISTEN".to_string(), "127.0.0.1:9999".to_string()),
            ("ZHIPING_SESSION__IDLE_MINUTES".to_string(), "5".to_string()),
            ("ZHIPING_SITE_NAME".to_string(), "测试平台".to_string()),
            ("ZHIPING_ADMIN_PASSWORD".to_string(), "ignored1".to_string()),
            ("OTHER".to_string(), "x".to_string()),
        ];
        let config = Config::load(None, env.into_iter()).expect("config");
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.session.idle_minutes, 5);
        assert_eq!(config.site_name, "测试平台");
        assert_eq!(config.security.max_failed_logins, 5);
    }

    #[test]
    fn cookies_are_secure_behind_tls_or_a_tls_proxy() {
        let load = |pairs: &[(&str, &str)]| {
            let env = pairs.iter().map(|(key, value)| (key.to_string(), value.to_string()));
            Config::load(None, env).expect("config").served_over_https()
        };
        assert!(!load(&[]));
        assert!(!load(&[("ZHIPING_PUBLIC_URL", "http://zhiping.example.edu.cn")]));
        assert!(load(&[("ZHIPING_PUBLIC_URL", "https://zhiping.example.edu.cn")]));
        assert!(load(&[("ZHIPING_PUBLIC_URL", " HTTPS://职评.example.cn/")]));
        assert!(load(&[("ZHIPING_SESSION__SECURE_COOKIE", "true")]));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let env = vec![("ZHIPING_NO_SUCH_THING".to_string(), "1".to_string())];
        assert!(Config::load(None, env.into_iter()).is_err());
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    /// config.example.toml documents every setting: it must parse and hold exactly the defaults.
    #[test]
    fn the_example_file_is_valid_and_shows_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let config = Config::load(Some(&path), std::iter::empty()).expect("example config");
        let defaults = Config::default();
        assert_eq!(config.listen, defaults.listen);
        assert_eq!(config.data_dir, defaults.data_dir);
        assert_eq!(config.security.freeze_seconds, defaults.security.freeze_seconds);
        assert_eq!(config.security.verify_attempts_per_minute, defaults.security.verify_attempts_per_minute);
        assert_eq!(config.argon2.memory_kib, defaults.argon2.memory_kib);
        assert_eq!(config.argon2.max_concurrent, defaults.argon2.max_concurrent);
        assert_eq!(config.uploads.media_mib, defaults.uploads.media_mib);
        assert_eq!(config.uploads.min_free_mib, defaults.uploads.min_free_mib);
        assert_eq!(config.site_name, defaults.site_name);
        assert_eq!(config.backup.dir, defaults.backup.dir);
        assert_eq!(config.backup.at, defaults.backup.at);
        assert_eq!(config.backup.keep, defaults.backup.keep);
        assert_eq!(config.metrics.token, defaults.metrics.token);
        assert_eq!(config.session.secure_cookie, defaults.session.secure_cookie);
    }

    #[test]
    fn argon2_leaves_a_core_for_pages() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let bound = Argon2Config::default().max_concurrent;
        assert!(bound >= 1 && (bound < cores || cores == 1), "{bound} hashes at once on {cores} cores");
    }

    #[test]
    fn a_bad_backup_time_is_refused() {
        let env = vec![("ZHIPING_BACKUP__AT".to_string(), "25:00".to_string())];
        assert!(Config::load(None, env.into_iter()).is_err());
        let env = vec![("ZHIPING_BACKUP__AT".to_string(), "03:15".to_string())];
        assert_eq!(Config::load(None, env.into_iter()).expect("config").backup.at, "03:15");
    }
}
