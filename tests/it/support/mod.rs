//! Starts the real `zhiping` binary on a free port with a temporary data directory and talks HTTP to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;

pub const ADMIN_PASSWORD: &str = "Admin2026x";
pub const DEMO_ADMIN_PASSWORD: &str = "demo2026";

/// What each server process wrote to stderr (its log), by process id.
static LOGS: std::sync::Mutex<std::collections::BTreeMap<u32, Vec<String>>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());
/// The memory ceiling of every server the tests start, in MiB: `MEMORY_BASE_MIB` plus `MEMORY_PER_CORE_MIB` per
/// core (each core adds a tokio worker with its stack and a malloc arena), unless `TEST_SERVER_MEMORY_MIB` says
/// otherwise (`0` lifts it). Measured on 2 cores (debug build, `TEST_SERVER_PEAK_LOG`): the heaviest test server
/// (backup under load) peaks at 157 MiB resident and 159 MiB of data segment, and the whole suite passes at 256
/// MiB; the 384 MiB that 2 cores get is ~2.4 times that peak, yet a filing grown to a million achievements by one
/// request (issue 14) aborts the server.
pub const MEMORY_BASE_MIB: u64 = 256;
pub const MEMORY_PER_CORE_MIB: u64 = 64;

pub struct Server {
    child: Child,
    /// Set once the server is stopped, or a test has collected its own exit (`Server::exited`): no failure then.
    reaped: bool,
    pub base: String,
    pub data: PathBuf,
    _temp: Option<tempfile::TempDir>,
    /// Everything the server printed before it listened (logins, notices).
    pub banner: Vec<String>,
}

/// Options for a test server.
#[derive(Default, Clone)]
pub struct Options {
    pub demo: bool,
    pub env: Vec<(String, String)>,
    /// Reuse this data directory instead of a fresh temporary one.
    pub data: Option<PathBuf>,
    /// Extra arguments for `serve` (e.g. `--demo-scale small`).
    pub args: Vec<String>,
    /// Also write the server's stderr (its log) to this file.
    pub stderr_log: Option<PathBuf>,
    /// Start the server under this umask (through `sh`), e.g. 0 to see which modes it sets itself.
    pub umask: Option<u32>,
    /// Variables the server must not see (e.g. `ZHIPING_ADMIN_PASSWORD`, which every other server gets).
    pub unset: Vec<String>,
    /// This server's memory ceiling in MiB instead of `memory_ceiling_mib()`.
    pub memory_mib: Option<u64>,
    /// Run on the system's clock, as in production. Otherwise the server gets the hidden `--test-clock`, so a test
    /// moves its time (`Server::advance`) instead of sleeping through the pledge's 15 seconds or a freeze.
    pub system_clock: bool,
}

impl Options {
    pub fn demo() -> Self {
        Self { demo: true, ..Self::default() }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn unset(mut self, key: &str) -> Self {
        self.unset.push(key.to_string());
        self
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_zhiping")
}

/// The ceiling servers run under (MiB; `None` when lifted with `TEST_SERVER_MEMORY_MIB=0`).
pub fn memory_ceiling_mib() -> Option<u64> {
    let mib = match std::env::var("TEST_SERVER_MEMORY_MIB") {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("TEST_SERVER_MEMORY_MIB={value:?}: not a number")),
        Err(_) => {
            let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get() as u64);
            MEMORY_BASE_MIB + MEMORY_PER_CORE_MIB * cores
        }
    };
    (mib > 0).then_some(mib)
}

/// A command that runs the binary under a memory ceiling of `mib` MiB: `prlimit` sets RLIMIT_DATA and execs it,
/// so the child's pid is the server's. RLIMIT_DATA counts what the process writes to (heap, anonymous maps, thread
/// stacks) and not the address space glibc and tokio reserve without touching, which RLIMIT_AS would. Over the
/// ceiling an allocation fails and the Rust runtime aborts the server, which `Server::stop` reports.
pub fn capped_command(mib: Option<u64>) -> Command {
    match mib {
        Some(mib) => {
            let mut command = Command::new("prlimit");
            command.arg(format!("--data={}", mib * 1024 * 1024)).arg("--").arg(binary());
            command
        }
        None => Command::new(binary()),
    }
}

/// `zhiping` under the tests' memory ceiling, for tests that start a server their own way.
pub fn server_command() -> Command {
    capped_command(memory_ceiling_mib())
}

/// How a server that stopped on its own ended, for the test's failure message.
pub fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (_, Some(6)) => {
            "killed by SIGABRT (an allocation failed: over its memory ceiling, see the \"memory allocation of\" \
             line above, or a panic while panicking)"
                .to_string()
        }
        (_, Some(9)) => "killed by SIGKILL (the kernel's out-of-memory killer?)".to_string(),
        (_, Some(signal)) => format!("killed by signal {signal}"),
        (Some(code), None) => format!("exited with status {code}"),
        (None, None) => format!("{status}"),
    }
}

/// Spawns `zhiping serve`; returns the child and the lines it printed until it listened (or exited).
pub fn spawn(data: &Path, options: &Options) -> Result<(Child, Vec<String>, Option<String>), String> {
    let memory = options.memory_mib.or_else(memory_ceiling_mib);
    let mut command = match options.umask {
        Some(mask) => {
            let mut shell = Command::new("sh");
            shell.arg("-c").arg(format!("umask {mask:03o} && exec \"$0\" \"$@\""));
            match memory {
                Some(mib) => shell.arg("prlimit").arg(format!("--data={}", mib * 1024 * 1024)).arg("--").arg(binary()),
                None => shell.arg(binary()),
            };
            shell
        }
        None => capped_command(memory),
    };
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env_remove("ZHIPING_CONFIG")
        .env("ZHIPING_ADMIN_PASSWORD", ADMIN_PASSWORD)
        // Tests need many sign-ins; the cost parameters are exercised by the bench, not here.
        .env("ZHIPING_ARGON2__MEMORY_KIB", "1024")
        .env("ZHIPING_ARGON2__ITERATIONS", "1")
        .env("ZHIPING_LOG_LEVEL", "warn")
        // A nearly full disk on a test machine must not turn every upload into a 507; the disk-full test sets
        // its own reserve.
        .env("ZHIPING_UPLOADS__MIN_FREE_MIB", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if options.demo {
        command.arg("--demo");
    }
    if !options.system_clock {
        command.arg("--test-clock");
    }
    command.args(&options.args);
    for (key, value) in &options.env {
        command.env(key, value);
    }
    for key in &options.unset {
        command.env_remove(key);
    }
    let mut child = command.spawn().map_err(|error| format!("spawn: {error}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (sender, receiver) = mpsc::channel::<Option<String>>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(Some(line)).is_err() {
                break;
            }
        }
        let _ = sender.send(None);
    });
    let mut log = match &options.stderr_log {
        Some(path) => Some(std::fs::File::create(path).map_err(|error| format!("log file: {error}"))?),
        None => None,
    };
    let pid = child.id();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(file) = log.as_mut() {
                use std::io::Write;
                let _ = writeln!(file, "{line}");
            }
            eprintln!("[server] {line}");
            if line.starts_with("memory allocation of") {
                eprintln!("[server] ^^^ THE SERVER RAN OUT OF MEMORY: a request made it allocate past its ceiling ^^^");
            }
            LOGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(pid).or_default().push(line);
        }
    });
    let mut banner = Vec::new();
    loop {
        match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(line)) => {
                if let Some(url) = line.strip_prefix("zhiping listening on ") {
                    let url = url.trim().to_string();
                    // Keep draining stdout so the server never blocks on a full pipe.
                    std::thread::spawn(move || while let Ok(Some(_)) = receiver.recv() {});
                    return Ok((child, banner, Some(url)));
                }
                banner.push(line);
            }
            Ok(None) => {
                let _ = child.wait();
                return Ok((child, banner, None));
            }
            Err(_) => {
                let _ = child.kill();
                return Err("server did not start within 60 s".into());
            }
        }
    }
}

impl Server {
    pub fn start(options: Options) -> Self {
        let (temp, data) = match &options.data {
            Some(path) => (None, path.clone()),
            None => {
                let temp = tempfile::tempdir().expect("temp dir");
                let path = temp.path().join("data");
                (Some(temp), path)
            }
        };
        let (mut child, banner, url) = spawn(&data, &options).expect("start server");
        let Some(base) = url else {
            let how = child.wait().map(describe_exit).unwrap_or_default();
            panic!("server exited before listening ({how}): {banner:?}")
        };
        Server { child, reaped: false, base, data, _temp: temp, banner }
    }

    pub fn demo() -> Self {
        Self::start(Options::demo())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them), and names this
    /// server as the origin of its requests, as a browser on its pages does (the API refuses cookie-authenticated
    /// changes from elsewhere).
    pub fn client(&self) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, self.base.parse().expect("origin header"));
        Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// Moves the server's clock forward by `by` (the server runs with `--test-clock`): what a test did before
    /// with a sleep, without the wait.
    pub fn advance(&self, by: Duration) {
        let response = Client::new()
            .post(self.url(&format!("/__test/clock?ms={}", by.as_millis())))
            .send()
            .expect("advance the test clock");
        assert_eq!(response.status().as_u16(), 200, "the server's clock did not move (started with a system clock?)");
    }

    /// The username printed for a demo login whose line contains `who`.
    pub fn demo_username(&self, who: &str) -> String {
        let line =
            self.banner.iter().find(|line| line.contains(who)).unwrap_or_else(|| panic!("no demo login for {who}"));
        let start = line.find("用户名：").expect("username label") + "用户名：".len();
        line[start..].split_whitespace().next().expect("username").to_string()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KiB (`VmRSS` of /proc/<pid>/status), to prove a request did not balloon it.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("server status");
        let line = status.lines().find(|line| line.starts_with("VmRSS:")).expect("VmRSS line");
        line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmRSS value")
    }

    /// The lines the server logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        LOGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&self.child.id()).cloned().unwrap_or_default()
    }

    /// How the server ended if it has stopped on its own, within `wait`; the test then owns that outcome.
    pub fn exited(&mut self, wait: Duration) -> Option<ExitStatus> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.reaped = true;
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (SIGKILL) and waits for it. A server that had already died (e.g. aborted over its memory
    /// ceiling) fails the test, loudly, even when every request so far looked fine.
    pub fn stop(&mut self) {
        if self.reaped {
            return;
        }
        if let Ok(Some(status)) = self.child.try_wait() {
            self.reaped = true;
            if !std::thread::panicking() {
                panic!("the server at {} died during the test: {}", self.base, describe_exit(status));
            }
            return;
        }
        record_peak(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.reaped = true;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// With `TEST_SERVER_PEAK_LOG=<file>`, appends the server's peak resident memory and its data segment (what the
/// ceiling counts) to that file, one line per server, to choose the ceiling from the heaviest test.
fn record_peak(pid: u32) {
    let Some(path) = std::env::var_os("TEST_SERVER_PEAK_LOG") else { return };
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return };
    let field = |name: &str| {
        status.lines().find_map(|line| line.strip_prefix(name)).map(|rest| rest.trim().to_string()).unwrap_or_default()
    };
    let test = std::env::args().skip(1).find(|arg| !arg.starts_with('-')).unwrap_or_default();
    let line = format!("VmHWM {} VmData {} VmPeak {} {test}\n", field("VmHWM:"), field("VmData:"), field("VmPeak:"));
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = std::io::Write::write_all(&mut file, line.as_bytes());
    }
}

/// The CSRF token in a page's first form.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no csrf field in page:\n{html}")) + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

pub fn text(response: Response) -> String {
    response.text().expect("body")
}

pub fn location(response: &Response) -> String {
    response.headers().get("location").and_then(|value| value.to_str().ok()).unwrap_or("").to_string()
}

/// Signs in through the login form; returns the response to the POST (a 303 on success).
pub fn login(server: &Server, client: &Client, username: &str, password: &str) -> Response {
    let page = text(client.get(server.url("/login")).send().expect("login page"));
    let csrf = csrf_of(&page);
    client
        .post(server.url("/login"))
        .form(&[("username", username), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .expect("login post")
}

/// Signs in and asserts success; returns the client.
pub fn signed_in(server: &Server, username: &str, password: &str) -> Client {
    let client = server.client();
    let response = login(server, &client, username, password);
    assert_eq!(response.status().as_u16(), 303, "login of {username} failed: {}", text(response));
    client
}

/// Signs in a default-password account and replaces the password with `new_password`.
pub fn first_login(server: &Server, username: &str, new_password: &str) -> Client {
    let client = signed_in(server, username, "00000000");
    let page = text(client.get(server.url("/password")).send().expect("password page"));
    let csrf = csrf_of(&page);
    let response = client
        .post(server.url("/password"))
        .form(&[("current", "00000000"), ("new_password", new_password), ("confirm", new_password), ("csrf", &csrf)])
        .send()
        .expect("change password");
    let body = text(response);
    assert!(body.contains("密码修改成功"), "password change failed: {body}");
    client
}

/// A valid ID number from 17 digits (GB 11643 check character).
pub fn id_number(first17: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let checks = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.bytes().zip(weights).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    format!("{first17}{}", checks[(sum % 11) as usize])
}
