//! The school bundle (SPEC §6 学校审核, §7): every approved teacher's registration form of one project as one PDF,
//! for the 材料袋. The PDF is streamed: the blocking print job writes it in 64 KiB chunks into a bounded channel
//! that the response body drains, so the file is never held whole in memory (a slow reader slows the job down;
//! a reader that goes away stops it).

use std::io::{self, Write};

use futures_util::Stream;
use tokio::sync::mpsc;

use super::{Job, Services, forms, internal, load, pdf_error};
use crate::domain::org::School;
use crate::domain::project::Project;
use crate::pdf::PdfError;
use crate::service::actor::Actor;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::verification;
use crate::store::Reader;

/// Bytes per chunk sent to the response.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the print job and the response (bounds the memory a slow reader can pin).
const CHANNEL_CHUNKS: usize = 4;

/// What the print job tells the response, in order: `Start`, then `Bytes`…, or `Failed` at any point.
enum Message {
    Start { file_name: String, forms: usize },
    Bytes(Vec<u8>),
    Failed(ServiceError),
}

/// A bundle being written: its file name, how many forms it holds, and its bytes as a stream. Created only once
/// the whole bundle was laid out and its first bytes written, so layout errors are reported as errors, not as a
/// broken download.
pub struct PdfStream {
    pub file_name: String,
    /// The number of registration forms (one page each).
    pub forms: usize,
    first: Vec<u8>,
    receiver: mpsc::Receiver<Message>,
}

impl std::fmt::Debug for PdfStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("PdfStream").field("file_name", &self.file_name).field("forms", &self.forms).finish()
    }
}

impl PdfStream {
    /// The PDF's bytes in chunks. A failure after the first bytes (storage, a vanished disk) ends the stream with
    /// an error, which aborts the response instead of passing a truncated file off as complete.
    pub fn into_stream(self) -> impl Stream<Item = io::Result<Vec<u8>>> + Send + 'static {
        use futures_util::StreamExt;
        let PdfStream { first, receiver, .. } = self;
        let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
            let item = match receiver.recv().await? {
                Message::Bytes(bytes) => Ok(bytes),
                Message::Failed(error) => {
                    tracing::warn!(%error, "school bundle failed while streaming");
                    Err(io::Error::other(error.to_string()))
                }
                Message::Start { .. } => Err(io::Error::other("unexpected start of a bundle")),
            };
            Some((item, receiver))
        });
        futures_util::stream::once(async move { Ok(first) }).chain(rest)
    }
}

impl Services {
    /// The registration forms of every teacher of `school_id` whose submission to `project_id` (default: the
    /// newest project) passed the school's review, one page each, in one PDF. The actor must administer the
    /// school (a school admin: its own); anyone else gets "not found".
    pub async fn print_school_bundle(
        &self,
        actor: &Actor,
        school_id: u64,
        project_id: Option<u64>,
    ) -> ServiceResult<PdfStream> {
        let permit = self.printing.permits.clone().acquire_owned().await.map_err(internal)?;
        let job = self.job(actor);
        let (sender, mut receiver) = mpsc::channel(CHANNEL_CHUNKS);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if let Err(error) = job.bundle(school_id, project_id, &sender)
                && sender.blocking_send(Message::Failed(error)).is_err()
            {
                tracing::debug!("school bundle abandoned: the reader went away");
            }
        });
        let (file_name, forms) = match receiver.recv().await {
            Some(Message::Start { file_name, forms }) => (file_name, forms),
            Some(Message::Failed(error)) => return Err(error),
            Some(Message::Bytes(_)) | None => return Err(internal("the bundle job ended before it started")),
        };
        let first = match receiver.recv().await {
            Some(Message::Bytes(bytes)) => bytes,
            Some(Message::Failed(error)) => return Err(error),
            Some(Message::Start { .. }) | None => return Err(internal("the bundle job wrote nothing")),
        };
        Ok(PdfStream { file_name, forms, first, receiver })
    }
}

impl Job {
    fn bundle(&self, school_id: u64, project_id: Option<u64>, sender: &mpsc::Sender<Message>) -> ServiceResult<()> {
        let read = self.store.read()?;
        let school = read
            .get::<School>(school_id)?
            .filter(|school| self.actor.manages_school(school))
            .ok_or(ServiceError::NotFound("学校不存在"))?;
        let project = match project_id {
            Some(id) => read.get::<Project>(id)?,
            None => super::lists::newest_project(&read)?,
        }
        .ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
        let mut forms = Vec::new();
        let mut requests = Vec::new();
        let mut names = Vec::new();
        for submission in super::lists::school_submissions(&read, school.id, project.id)? {
            if !submission.state.passed_school_review() {
                continue;
            }
            let loaded = load(&read, submission)?;
            let Some(version) = loaded.submission.latest_version() else { continue };
            let form = forms::registration_form(&loaded.teacher, &loaded.orgs, &loaded.project, &version.filing);
            requests.push(super::registration_request(&loaded, Some(version.number), &form)?);
            names.push(loaded.teacher.name.clone());
            forms.push(form);
        }
        drop(read);
        if forms.is_empty() {
            return Err(ServiceError::Conflict(format!(
                "{}在“{}”中暂无通过学校审核的教师，没有可打印的登记表",
                school.name, project.name
            )));
        }
        let records = verification::issue_codes(&self.store, &self.actor, &requests, &format!("school:{}", school.id))?;
        let start = Message::Start {
            file_name: format!("成果鉴定登记表汇总-{}-{}.pdf", school.name, project.year),
            forms: forms.len(),
        };
        if sender.blocking_send(start).is_err() {
            return Ok(()); // the reader went away before the first byte
        }
        let pages =
            forms.into_iter().zip(&records).map(|(form, record)| (form, verification::footer(record, &self.base_url)));
        let mut writer = ChannelWriter { sender: sender.clone(), buffer: Vec::with_capacity(CHUNK_BYTES) };
        match self.engine.registration_bundle(pages, &mut writer) {
            Ok(()) => Ok(()),
            Err(PdfError::BundleItem { index, source }) => {
                let name = names.get(index).map(String::as_str).unwrap_or_default();
                Err(ServiceError::field("print", format!("{name}的登记表无法打印：{source}，请精简后再打印")))
            }
            Err(error) => Err(pdf_error(error)),
        }
    }
}

/// Collects the PDF in chunks and hands each to the response; an error once the response is gone.
struct ChannelWriter {
    sender: mpsc::Sender<Message>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        self.sender
            .blocking_send(Message::Bytes(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader of the bundle went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() { Ok(()) } else { self.send() }
    }
}
