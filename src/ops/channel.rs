//! The local admin channel: while the server runs it holds redb's exclusive lock, so `zhiping backup` and
//! `zhiping check` ask the server instead. The server listens on a Unix domain socket `admin.sock` in the data
//! directory (mode 0600: only the account running the server — and root — can connect). A request is one line
//! (`backup` or `check`); the answer is a sequence of frames — a tag byte, a big-endian u32 length, the payload:
//! `D` archive bytes, `P` a progress line, `L` a report line, then `O` (success; for `check` the payload is the
//! exit code) or `E` (an error message).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Ops;
use super::check::{self, Integrity};

pub const SOCKET_NAME: &str = "admin.sock";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Binds the socket (under a temporary name, restricted to the owner, then renamed over any stale one) and serves
/// it on a thread of its own, one thread per connection.
pub fn serve(data_dir: &Path, ops: Arc<Ops>) -> io::Result<PathBuf> {
    let path = socket_path(data_dir);
    let temp = data_dir.join(format!(".{SOCKET_NAME}.{:08x}", rand::random::<u32>()));
    let listener = UnixListener::bind(&temp)?;
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::rename(&temp, &path)?;
    std::thread::Builder::new().name("admin-channel".into()).spawn(move || {
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => {
                    let ops = ops.clone();
                    let spawned = std::thread::Builder::new().name("admin-request".into()).spawn(move || {
                        if let Err(error) = answer(stream, &ops) {
                            tracing::warn!(%error, "admin channel request failed");
                        }
                    });
                    if let Err(error) = spawned {
                        tracing::warn!(%error, "admin channel: no thread for a request");
                    }
                }
                Err(error) => tracing::warn!(%error, "admin channel accept failed"),
            }
        }
    })?;
    Ok(path)
}

fn answer(stream: UnixStream, ops: &Ops) -> io::Result<()> {
    let mut request = String::new();
    BufReader::new(stream.try_clone()?).take(64).read_line(&mut request)?;
    let mut out = FrameWriter { inner: io::BufWriter::with_capacity(256 * 1024, stream) };
    match request.trim() {
        "backup" => {
            tracing::info!("backup requested over the admin channel");
            let mut progress = |line: String| tracing::debug!(%line, "backup progress");
            let result = ops.produce(&mut out, &mut progress);
            match result {
                Ok(summary) => {
                    tracing::info!(rows = summary.rows, files = summary.files, "backup streamed");
                    out.frame(b'O', b"")?;
                }
                Err(error) => {
                    tracing::error!(%error, "backup failed");
                    out.frame(b'E', error.to_string().as_bytes())?;
                }
            }
        }
        "check" => {
            tracing::info!("check requested over the admin channel");
            let report = {
                let read = ops.store.read();
                match read {
                    Ok(read) => {
                        let report = check::run(&read, &ops.blobs, Integrity::Skipped, &mut |line| {
                            let _ = out.frame(b'P', line.as_bytes()).and_then(|()| out.flush());
                        });
                        report.map_err(|error| error.to_string())
                    }
                    Err(error) => Err(error.to_string()),
                }
            };
            match report {
                Ok(report) => {
                    for line in report.lines() {
                        out.frame(b'L', line.as_bytes())?;
                    }
                    out.frame(b'O', &[u8::from(!report.is_clean())])?;
                }
                Err(error) => out.frame(b'E', error.as_bytes())?,
            }
        }
        other => out.frame(b'E', format!("未知的请求：{other}").as_bytes())?,
    }
    out.inner.flush()
}

/// Archive bytes written through it become `D` frames.
struct FrameWriter<W: Write> {
    inner: W,
}

impl<W: Write> FrameWriter<W> {
    fn frame(&mut self, tag: u8, payload: &[u8]) -> io::Result<()> {
        self.inner.write_all(&[tag])?;
        self.inner.write_all(&(payload.len() as u32).to_be_bytes())?;
        self.inner.write_all(payload)?;
        Ok(())
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let chunk = &buf[..buf.len().min(1 << 20)];
        self.frame(b'D', chunk)?;
        Ok(chunk.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Connects to a running server's channel. `Ok(None)` when no server listens (no socket, a stale one, or a data
/// directory whose path is too long for a socket address — the server could not listen there either).
pub fn connect(data_dir: &Path) -> io::Result<Option<UnixStream>> {
    match UnixStream::connect(socket_path(data_dir)) {
        Ok(stream) => Ok(Some(stream)),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused | io::ErrorKind::InvalidInput
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// How a request ended.
#[derive(Debug)]
pub enum Outcome {
    /// `O` with its payload.
    Done(Vec<u8>),
    /// `E` with the server's message.
    Failed(String),
}

/// Sends `request` and hands every frame to the callbacks: archive bytes to `data`, lines to `line` (with
/// whether it is progress).
pub fn request(
    mut stream: UnixStream,
    request: &str,
    data: &mut dyn Write,
    line: &mut dyn FnMut(bool, String),
) -> io::Result<Outcome> {
    stream.write_all(format!("{request}\n").as_bytes())?;
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let mut head = [0u8; 5];
        match reader.read_exact(&mut head) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                return Ok(Outcome::Failed("服务端在完成前断开了连接".into()));
            }
            Err(error) => return Err(error),
        }
        let length = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if length > buffer.len() {
            return Ok(Outcome::Failed("服务端的回应格式无效".into()));
        }
        let payload = &mut buffer[..length];
        reader.read_exact(payload)?;
        match head[0] {
            b'D' => data.write_all(payload)?,
            b'P' => line(true, String::from_utf8_lossy(payload).into_owned()),
            b'L' => line(false, String::from_utf8_lossy(payload).into_owned()),
            b'O' => return Ok(Outcome::Done(payload.to_vec())),
            b'E' => return Ok(Outcome::Failed(String::from_utf8_lossy(payload).into_owned())),
            _ => return Ok(Outcome::Failed("服务端的回应格式无效".into())),
        }
    }
}
