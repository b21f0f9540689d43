//! Printing (SPEC §7): the 成果鉴定登记表 of one submission, the published 鉴定意见, and a school's bundle of every
//! approved teacher's form, each with verification codes (`service::verification`).
//!
//! Who may print what, decided here only:
//! - a teacher prints its own registration form from its **working copy** (the preview print, also of a draft) and
//!   its own opinions once published;
//! - admins print the forms of submissions in their scope (city: all, department: its schools, school: its own)
//!   from the **latest submitted version** (what they review), and published opinions in scope;
//! - nobody else (experts included: they review blind); anything else answers "not found".
//!
//! Rendering is CPU work (tens of milliseconds a form, about a second for a large bundle), so it runs on
//! blocking threads behind a small semaphore, never on the async workers.

mod bundle;
mod forms;
mod lists;

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::Services;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::throttle::LoginThrottle;
use super::verification::{self, CodeRequest};
use crate::config::Config;
use crate::domain::account::{Account, Role};
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::project::Project;
use crate::domain::submission::{Submission, SubmissionState};
use crate::domain::verification::{DocumentKind, FormFacts, content_key};
use crate::pdf::{PdfEngine, PdfError};
use crate::store::{Reader, Store, tables};

pub use bundle::PdfStream;
pub(crate) use lists::published_results_in;
pub use lists::{PrintOverview, PrintRow, PublishedResult};

use forms::OrgNames;

/// Documents rendered at the same time; each holds a few MB while it is laid out (a 300-form bundle ~25 MB).
const CONCURRENT_PRINTS: usize = 4;

/// The printing machinery shared by every request: the PDF engine (its font parsed once), the bound on
/// concurrent rendering, and the per-address budget of the public verification page.
pub struct Printer {
    engine: PdfEngine,
    permits: Arc<Semaphore>,
    pub(crate) verify_throttle: LoginThrottle,
    /// `{scheme}://{address}` the server is bound to, for verification links when `public_url` is unset.
    listen_base: std::sync::OnceLock<String>,
}

impl Printer {
    pub fn new(config: &Config, clock: crate::clock::Clock) -> ServiceResult<Self> {
        let engine = PdfEngine::new().map_err(|error| ServiceError::Internal(error.to_string()))?;
        Ok(Self {
            engine,
            permits: Arc::new(Semaphore::new(CONCURRENT_PRINTS)),
            verify_throttle: LoginThrottle::new(config.security.verify_attempts_per_minute, clock),
            listen_base: std::sync::OnceLock::new(),
        })
    }

    /// The address the server is bound to (known only once it listens: the port may be chosen by the system).
    pub fn set_listen_base(&self, base: String) {
        let _ = self.listen_base.set(base);
    }
}

/// A rendered document, small enough to hold whole (one page, tens of KB).
#[derive(Debug)]
pub struct PrintedPdf {
    /// A file name for `Content-Disposition`, e.g. `成果鉴定登记表-刁彬彬.pdf`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Everything a print job needs on its blocking thread (all cheap clones).
#[derive(Clone)]
struct Job {
    store: Store,
    engine: PdfEngine,
    config: Arc<Config>,
    actor: Actor,
    /// The public address printed in verification links, without a trailing `/`.
    base_url: String,
}

impl Services {
    /// The public address printed in verification links: `public_url` when configured, else the address the
    /// server listens on. Never a request's `Host` header: a client could otherwise have a genuine document print
    /// a link to a look-alike site of its choosing.
    pub fn verify_base_url(&self) -> String {
        if let Some(configured) = self.config.public_base() {
            return configured.to_owned();
        }
        match self.printing.listen_base.get() {
            Some(bound) => bound.clone(),
            None => {
                let scheme = if self.config.tls_enabled() { "https" } else { "http" };
                format!("{scheme}://{}", self.config.listen)
            }
        }
    }

    /// 在线打印: the signed-in teacher's own registration form for its current project, from the working copy.
    pub async fn print_own_registration(&self, actor: &Actor) -> ServiceResult<PrintedPdf> {
        self.run(actor, |job| {
            let read = job.store.read()?;
            let not_found = ServiceError::NotFound("尚未填报教科研成果鉴定，暂无可打印的登记表");
            if !job.actor.is(Role::Teacher) {
                return Err(not_found);
            }
            let teacher = read.get::<Account>(job.actor.account_id)?.ok_or(ServiceError::Unauthenticated)?;
            let project_id = teacher.teacher.as_ref().and_then(|profile| profile.project_id).ok_or(not_found)?;
            let key = format!("{project_id}:{}", teacher.id);
            let id = read
                .lookup(tables::SUBMISSION_BY_TEACHER, &key)?
                .ok_or(ServiceError::NotFound("尚未填报教科研成果鉴定，暂无可打印的登记表"))?;
            drop(read);
            job.registration(id)
        })
        .await
    }

    /// The registration form of submission `id`: the teacher's own (working copy) or one in an admin's scope
    /// (latest submitted version).
    pub async fn print_registration(&self, actor: &Actor, id: u64) -> ServiceResult<PrintedPdf> {
        self.run(actor, move |job| job.registration(id)).await
    }

    /// The published 鉴定意见 of submission `id` (the teacher's own, or in an admin's scope).
    pub async fn print_opinion(&self, actor: &Actor, id: u64) -> ServiceResult<PrintedPdf> {
        self.run(actor, move |job| job.opinion(id)).await
    }

    /// Runs `work` on a blocking thread once a rendering permit is free.
    async fn run<T: Send + 'static>(
        &self,
        actor: &Actor,
        work: impl FnOnce(Job) -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let permit = self.printing.permits.clone().acquire_owned().await.map_err(internal)?;
        let job = self.job(actor);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(job)
        })
        .await
        .map_err(internal)?
    }

    fn job(&self, actor: &Actor) -> Job {
        Job {
            store: self.store.clone(),
            engine: self.printing.engine.clone(),
            config: self.config.clone(),
            actor: actor.clone(),
            base_url: self.verify_base_url(),
        }
    }
}

/// Which copy of the filing a reader prints.
enum Source {
    /// The teacher's working copy (its own preview print).
    Working,
    /// The latest submitted version (what the admins review).
    LatestSubmitted,
}

/// Does an admin's scope cover `submission`? (City: all; department: its schools' submissions; school: its own.)
fn admin_sees(actor: &Actor, submission: &Submission) -> bool {
    match actor.role {
        Role::CityAdmin => true,
        Role::DepartmentAdmin => actor.org == OrgRef::Department(submission.department_id),
        Role::SchoolAdmin => actor.org == OrgRef::School(submission.school_id),
        Role::Expert | Role::Teacher => false,
    }
}

fn is_own(actor: &Actor, submission: &Submission) -> bool {
    actor.is(Role::Teacher) && submission.teacher_id == actor.account_id
}

/// The copy `actor` may print of `submission`'s registration form, if any. Admins never see a draft that was never
/// submitted: it is still the teacher's alone.
fn registration_copy(actor: &Actor, submission: &Submission) -> Option<Source> {
    if is_own(actor, submission) {
        return Some(Source::Working);
    }
    let submitted = submission.state != SubmissionState::Draft && submission.latest_version().is_some();
    (submitted && admin_sees(actor, submission)).then_some(Source::LatestSubmitted)
}

/// A submission with the records its documents print.
struct Loaded {
    submission: Submission,
    teacher: Account,
    project: Project,
    orgs: OrgNames,
}

fn load(reader: &impl Reader, submission: Submission) -> ServiceResult<Loaded> {
    let teacher = reader.get::<Account>(submission.teacher_id)?.ok_or(ServiceError::NotFound("教师账号不存在"))?;
    let project = reader.get::<Project>(submission.project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
    let school = reader.get::<School>(submission.school_id)?.map(|school| school.name).unwrap_or_default();
    let department =
        reader.get::<Department>(submission.department_id)?.map(|department| department.name).unwrap_or_default();
    Ok(Loaded { submission, teacher, project, orgs: OrgNames { school, department } })
}

impl Job {
    fn registration(&self, id: u64) -> ServiceResult<PrintedPdf> {
        let not_found = || ServiceError::NotFound("登记表不存在");
        let read = self.store.read()?;
        let submission = read.get::<Submission>(id)?.ok_or_else(not_found)?;
        let copy = registration_copy(&self.actor, &submission).ok_or_else(not_found)?;
        let loaded = load(&read, submission)?;
        drop(read);
        let filing = match copy {
            Source::Working => &loaded.submission.filing,
            Source::LatestSubmitted => &loaded.submission.latest_version().ok_or_else(not_found)?.filing,
        };
        let form = forms::registration_form(&loaded.teacher, &loaded.orgs, &loaded.project, filing);
        let version = match copy {
            // A working copy is a submitted version only while the teacher cannot edit it.
            Source::Working if loaded.submission.state.editable_by_teacher() => None,
            _ => loaded.submission.latest_version().map(|version| version.number),
        };
        let request = registration_request(&loaded, version, &form)?;
        let records = verification::issue_codes(&self.store, &self.actor, &[request], &format!("submission:{id}"))?;
        let footer = records.first().map(|record| verification::footer(record, &self.base_url)).unwrap_or_default();
        let bytes = self.engine.registration_form(&form, &footer).map_err(pdf_error)?;
        Ok(PrintedPdf { file_name: format!("成果鉴定登记表-{}.pdf", loaded.teacher.name), bytes })
    }

    fn opinion(&self, id: u64) -> ServiceResult<PrintedPdf> {
        let not_found = || ServiceError::NotFound("鉴定意见不存在或尚未公布");
        let read = self.store.read()?;
        let submission = read.get::<Submission>(id)?.ok_or_else(not_found)?;
        if !(is_own(&self.actor, &submission) || admin_sees(&self.actor, &submission)) {
            return Err(not_found());
        }
        let result = submission.published_result().cloned().ok_or_else(not_found)?;
        let published_at = result.published_at.ok_or_else(not_found)?;
        let loaded = load(&read, submission)?;
        drop(read);
        // The opinion is about what the experts appraised: the latest submitted version.
        let filing = loaded.submission.latest_version().map_or(&loaded.submission.filing, |version| &version.filing);
        let opinion = forms::appraisal_opinion(
            &loaded.teacher,
            &loaded.orgs,
            &loaded.project,
            filing,
            &result,
            published_at,
            &self.config.operator,
        );
        let request = code_request(DocumentKind::AppraisalOpinion, &loaded, Some(result.grade.clone()), &opinion)?;
        let records = verification::issue_codes(&self.store, &self.actor, &[request], &format!("submission:{id}"))?;
        let footer = records.first().map(|record| verification::footer(record, &self.base_url)).unwrap_or_default();
        let bytes = self.engine.appraisal_opinion(&opinion, &footer).map_err(pdf_error)?;
        Ok(PrintedPdf { file_name: format!("鉴定意见-{}-{}.pdf", loaded.project.year, loaded.teacher.name), bytes })
    }
}

/// The code request for a registration form: it names the version and the titles, and the version is part of
/// the content key (the same content submitted again is another version).
fn registration_request(
    loaded: &Loaded,
    version: Option<u32>,
    form: &crate::pdf::RegistrationForm,
) -> ServiceResult<CodeRequest> {
    let titles = form.achievements.iter().map(|achievement| achievement.title.clone()).collect();
    let mut request = code_request(DocumentKind::RegistrationForm, loaded, None, &(version, form))?;
    request.form = Some(FormFacts { version, titles });
    Ok(request)
}

/// The code request for a document about to be printed, keyed by its exact printed content.
fn code_request(
    kind: DocumentKind,
    loaded: &Loaded,
    grade: Option<String>,
    printed: &impl serde::Serialize,
) -> ServiceResult<CodeRequest> {
    let json = serde_json::to_vec(printed).map_err(internal)?;
    Ok(CodeRequest {
        kind,
        submission_id: loaded.submission.id,
        project_name: loaded.project.name.clone(),
        teacher_name: loaded.teacher.name.clone(),
        grade,
        form: None,
        content_sha256: content_key(kind, loaded.submission.id, &json),
    })
}

/// A document that cannot be laid out is the user's to fix (shorten a text); anything else is ours.
fn pdf_error(error: PdfError) -> ServiceError {
    match error {
        PdfError::TextTooLong { .. } => ServiceError::field("print", format!("{error}，请精简后再打印")),
        other => ServiceError::Internal(other.to_string()),
    }
}

fn internal(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(error.to_string())
}

/// A `Host` header value worth printing: a name or address with an optional port, nothing that could smuggle a
/// path or markup into the printed link.
#[cfg(test)]
mod tests {
    use super::*;

    fn services(public_url: &str) -> (tempfile::TempDir, Services) {
        let temp = tempfile::tempdir().expect("temp dir");
        let config = Config { data_dir: temp.path().join("data"), public_url: public_url.into(), ..Config::default() };
        let services = Services::open(Arc::new(config)).expect("services");
        (temp, services)
    }

    #[test]
    fn verification_links_use_the_configured_or_the_bound_address() {
        let (_temp, unset) = services("");
        assert_eq!(unset.verify_base_url(), "http://127.0.0.1:8080", "before binding: the listen setting");
        unset.printing.set_listen_base("http://127.0.0.1:41234".into());
        assert_eq!(unset.verify_base_url(), "http://127.0.0.1:41234");
        let (_temp, configured) = services("https://zhiping.example.edu.cn/");
        configured.printing.set_listen_base("http://127.0.0.1:41234".into());
        assert_eq!(configured.verify_base_url(), "https://zhiping.example.edu.cn");
    }
}
