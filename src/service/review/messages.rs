//! The teacher's side of the review chain: 消息提醒 (returns with their reason, published results), the unread
//! count of the header, the return notice that pops up on 首页, and the state shown on 首页.

use chrono::{DateTime, Utc};

use crate::domain::account::{Account, Role};
use crate::domain::home_steps::{FilingWindow, HomeStep, deadline_note, home_steps, returned_by};
use crate::domain::review::{Message, MessageKind, SubmissionSummary};
use crate::domain::submission::{Submission, SubmissionState};
use crate::service::projects::ProjectHeads;
use crate::service::{Actor, ServiceError, ServiceResult, Services};
use crate::store::{Reader, tables};

/// What 首页 shows of the teacher's current appraisal: the project, each step as it stands now, and the
/// deadline line (also before anything was filed).
#[derive(Debug, Clone)]
pub struct TeacherStatus {
    pub project_name: String,
    /// `None`: nothing filed yet (未填报).
    pub state: Option<SubmissionState>,
    pub steps: [HomeStep; 5],
    pub deadline: Option<String>,
}

impl Services {
    /// The teacher's messages, newest first. Only teachers have messages; anyone else is refused, so an
    /// integrator calling with the wrong token learns that instead of reading an empty list.
    pub fn messages(&self, actor: &Actor) -> ServiceResult<Vec<Message>> {
        if !actor.is(Role::Teacher) {
            return Err(ServiceError::Forbidden("消息提醒仅对申报教师开放"));
        }
        self.own_messages(actor)
    }

    /// The caller's own messages (none for roles other than teacher), for the header count and 首页.
    fn own_messages(&self, actor: &Actor) -> ServiceResult<Vec<Message>> {
        if !actor.is(Role::Teacher) {
            return Ok(Vec::new());
        }
        own_messages_in(&self.store.read()?, actor)
    }

    pub fn unread_messages(&self, actor: &Actor) -> ServiceResult<usize> {
        Ok(self.own_messages(actor)?.iter().filter(|message| message.read_at.is_none()).count())
    }

    /// The newest unread return, which pops up on 首页 (消息提醒 with 查看).
    pub fn pending_return_notice(&self, actor: &Actor) -> ServiceResult<Option<Message>> {
        Ok(newest_unread_return(self.own_messages(actor)?))
    }

    /// Viewing 消息提醒 marks every message read.
    pub fn mark_messages_read(&self, actor: &Actor) -> ServiceResult<()> {
        let unread: Vec<Message> = self.own_messages(actor)?.into_iter().filter(|m| m.read_at.is_none()).collect();
        if unread.is_empty() {
            return Ok(());
        }
        self.store.write(|tx| {
            let now = self.clock.now();
            for mut message in unread {
                message.read_at = Some(now);
                tx.put(&message)?;
            }
            Ok(())
        })
    }

    /// Closes the 首页 pop-up of one message for good: marks just that message read. Another teacher's message
    /// (or none) is "not found".
    pub fn mark_message_read(&self, actor: &Actor, message_id: u64) -> ServiceResult<()> {
        if !actor.is(Role::Teacher) {
            return Err(ServiceError::Forbidden("消息提醒仅对申报教师开放"));
        }
        self.store.write(|tx| {
            let Some(mut message) = tx.get::<Message>(message_id)?.filter(|m| m.teacher_id == actor.account_id) else {
                return Err(ServiceError::NotFound("消息不存在"));
            };
            if message.read_at.is_none() {
                message.read_at = Some(tx.now());
                tx.put(&message)?;
            }
            Ok(())
        })
    }

    /// The teacher's submission in its current project, for 首页.
    pub fn teacher_status(&self, actor: &Actor) -> ServiceResult<Option<TeacherStatus>> {
        if !actor.is(Role::Teacher) {
            return Ok(None);
        }
        let heads = self.project_heads()?;
        let read = self.store.read()?;
        let Some(account) = read.get::<Account>(actor.account_id)? else { return Ok(None) };
        teacher_status_in(&read, &heads, actor, &account, self.clock.now())
    }

    /// What 首页 shows a teacher, from one snapshot: the return pop-up, the status card and the published results.
    /// Like the separate calls, only the results may fail the page; the pop-up and the card fall back to nothing.
    pub fn teacher_home(&self, actor: &Actor) -> ServiceResult<TeacherHome> {
        if !actor.is(Role::Teacher) {
            return Err(ServiceError::Forbidden("鉴定结果仅对申报教师本人开放"));
        }
        let heads = self.project_heads()?;
        let read = self.store.read()?;
        let account = read.get::<Account>(actor.account_id)?;
        let messages = own_messages_in(&read, actor).ok();
        let unread = messages.as_ref().map(|messages| messages.iter().filter(|m| m.read_at.is_none()).count());
        let return_notice = messages.and_then(newest_unread_return);
        let status = match &account {
            Some(account) => teacher_status_in(&read, &heads, actor, account, self.clock.now()).ok().flatten(),
            None => None,
        };
        let current = account.and_then(|account| account.teacher).and_then(|profile| profile.project_id);
        let results = crate::service::printing::published_results_in(&read, &heads, actor, current)?;
        Ok(TeacherHome { unread, return_notice, status, results })
    }
}

/// What 首页 shows a teacher (see [`Services::teacher_home`]).
pub struct TeacherHome {
    /// The header's unread count; `None` when the messages could not be read (the header then asks again).
    pub unread: Option<usize>,
    pub return_notice: Option<Message>,
    pub status: Option<TeacherStatus>,
    pub results: Vec<crate::service::printing::PublishedResult>,
}

fn own_messages_in(read: &impl Reader, actor: &Actor) -> ServiceResult<Vec<Message>> {
    let mut messages = Vec::new();
    for id in read.multimap_values(tables::MESSAGES_BY_TEACHER, &format!("teacher:{}", actor.account_id))? {
        if let Some(message) = read.get::<Message>(id)?
            && message.teacher_id == actor.account_id
        {
            messages.push(message);
        }
    }
    messages.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    Ok(messages)
}

fn newest_unread_return(messages: Vec<Message>) -> Option<Message> {
    messages.into_iter().find(|message| message.read_at.is_none() && message.kind == MessageKind::Returned)
}

fn teacher_status_in(
    read: &impl Reader,
    heads: &ProjectHeads,
    actor: &Actor,
    account: &Account,
    now: DateTime<Utc>,
) -> ServiceResult<Option<TeacherStatus>> {
    let Some(project_id) = account.teacher.as_ref().and_then(|profile| profile.project_id) else {
        return Ok(None);
    };
    let Some(project) = heads.get(project_id) else { return Ok(None) };
    let key = format!("{project_id}:{}", actor.account_id);
    // The summary is the small row written with every submission; the filing itself is not read.
    let summary = match read.lookup(tables::SUBMISSION_BY_TEACHER, &key)? {
        Some(id) => read.get::<SubmissionSummary>(id)?,
        None => None,
    };
    let state = summary.as_ref().map(|summary| summary.state);
    // Only a return needs the record: its history says which level sent it back.
    let returned = match &summary {
        Some(summary) if summary.state == SubmissionState::Returned => read
            .get::<Submission>(summary.id)?
            .and_then(|submission| submission.return_reason().and_then(|transition| returned_by(transition.from))),
        _ => None,
    };
    let window = FilingWindow {
        start: project.filing_start,
        end: project.filing_end,
        school_review_end: project.school_review_end,
    };
    Ok(Some(TeacherStatus {
        project_name: project.name.clone(),
        state,
        steps: home_steps(state, returned, project.department_review),
        deadline: deadline_note(window, state, now),
    }))
}
