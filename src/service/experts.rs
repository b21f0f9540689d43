//! Expert accounts (专家, SPEC §1 and §6), kept by the city admin: the ID number as username (validated like a
//! teacher's), 姓名, the school or department the expert belongs to (never assigned a submission of it: 回避), and
//! the subjects the expert can appraise, chosen from the projects' subject lists.

use std::collections::BTreeSet;

use super::accounts::insert_account;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::paging::Paged;
use super::{Services, audit};
use crate::domain::FieldErrors;
use crate::domain::account::{Account, Role, check_person_name};
use crate::domain::idcard::IdNumber;
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::project::Project;
use crate::store::{Reader, WriteTx, org_key, tables};

/// What the city admin types for an expert. `id_number` is ignored on update (it is the username).
#[derive(Debug, Clone, Default)]
pub struct ExpertInput {
    pub id_number: String,
    pub name: String,
    /// The expert's own school or department (for recusal).
    pub org: Option<OrgRef>,
    pub subjects: Vec<String>,
}

/// Filters of the expert list.
#[derive(Debug, Clone, Default)]
pub struct ExpertQuery {
    /// Part of the name, or a whole ID number.
    pub q: String,
    pub subject: String,
    pub page: usize,
    pub per_page: usize,
}

impl Services {
    /// Every subject any project offers, newest project first, without repeats: what an expert may appraise.
    pub fn subject_choices(&self) -> ServiceResult<Vec<String>> {
        let mut projects = self.store.read()?.all::<Project>()?;
        projects.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
        let mut seen = BTreeSet::new();
        let mut subjects = Vec::new();
        for subject in projects.into_iter().flat_map(|project| project.subjects) {
            if seen.insert(subject.clone()) {
                subjects.push(subject);
            }
        }
        Ok(subjects)
    }

    fn check_expert(&self, tx: &impl Reader, input: &ExpertInput, errors: &mut FieldErrors) -> ServiceResult<()> {
        match input.org {
            Some(OrgRef::School(id)) if tx.get::<School>(id)?.is_some() => {}
            Some(OrgRef::Department(id)) if tx.get::<Department>(id)?.is_some() => {}
            _ => errors.add("org", "请选择专家所在的学校或主管部门（用于回避）"),
        }
        let offered = self.subject_choices()?;
        if input.subjects.is_empty() {
            errors.add("subjects", "请至少选择一个评审学科");
        } else if let Some(unknown) = input.subjects.iter().find(|subject| !offered.contains(subject)) {
            errors.add("subjects", format!("学科“{unknown}”不在鉴定项目的申报学科中"));
        }
        Ok(())
    }

    pub fn create_expert(&self, actor: &Actor, input: &ExpertInput) -> ServiceResult<Account> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以管理专家"));
        }
        let mut errors = FieldErrors::new();
        let id_number = match IdNumber::parse(&input.id_number, self.clock.today()) {
            Ok(id) => Some(id),
            Err(_) if input.id_number.trim().is_empty() => {
                errors.add("id_number", "身份证号不能为空");
                None
            }
            Err(error) => {
                errors.add("id_number", error.to_string());
                None
            }
        };
        let name = check_person_name(&input.name).map_err(|message| errors.add("name", message)).ok();
        self.store.write(|tx| {
            self.check_expert(tx, input, &mut errors)?;
            let (Some(id_number), Some(name), Some(org)) = (id_number, name, input.org) else {
                return Err(ServiceError::Invalid(errors));
            };
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let account = Account {
                id: 0,
                username: id_number.as_str().to_string(),
                name,
                role: Role::Expert,
                org,
                password_hash: None,
                must_change_password: true,
                failed_logins: 0,
                frozen_until: None,
                disabled: false,
                created_at: self.clock.now(),
                teacher: None,
                expert_subjects: input.subjects.clone(),
                moves: Vec::new(),
            };
            let account = insert_account(tx, account)?;
            let detail = format!("{}（{}）", account.name, account.expert_subjects.join("、"));
            audit::record(tx, Some(actor), "expert.create", &format!("account:{}", account.id), &detail)?;
            Ok(account)
        })
    }

    /// Changes an expert's 姓名, organisation (for recusal) and subjects.
    pub fn update_expert(&self, actor: &Actor, expert_id: u64, input: &ExpertInput) -> ServiceResult<Account> {
        self.store.write(|tx| {
            let mut expert = self.expert_in(tx, actor, expert_id)?;
            let mut errors = FieldErrors::new();
            let name = check_person_name(&input.name).map_err(|message| errors.add("name", message)).ok();
            self.check_expert(tx, input, &mut errors)?;
            let (Some(name), Some(org)) = (name, input.org) else {
                return Err(ServiceError::Invalid(errors));
            };
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            if org != expert.org {
                tx.multimap_remove(tables::ACCOUNTS_BY_ORG, &org_key(expert.org), expert.id)?;
                tx.multimap_insert(tables::ACCOUNTS_BY_ORG, &org_key(org), expert.id)?;
            }
            expert.name = name;
            expert.org = org;
            expert.expert_subjects = input.subjects.clone();
            tx.put(&expert)?;
            let detail = format!("{}（{}）", expert.name, expert.expert_subjects.join("、"));
            audit::record(tx, Some(actor), "expert.update", &format!("account:{}", expert.id), &detail)?;
            Ok(expert)
        })
    }

    fn expert_in(&self, tx: &WriteTx, actor: &Actor, expert_id: u64) -> ServiceResult<Account> {
        let expert = tx.get::<Account>(expert_id)?.ok_or(ServiceError::NotFound("专家不存在"))?;
        if expert.role != Role::Expert {
            return Err(ServiceError::NotFound("专家不存在"));
        }
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以管理专家"));
        }
        Ok(expert)
    }

    pub fn get_expert(&self, actor: &Actor, expert_id: u64) -> ServiceResult<Account> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以管理专家"));
        }
        let expert = self.store.read()?.get::<Account>(expert_id)?.ok_or(ServiceError::NotFound("专家不存在"))?;
        if expert.role != Role::Expert {
            return Err(ServiceError::NotFound("专家不存在"));
        }
        Ok(expert)
    }

    /// Experts matching the filters, in creation order. Experts are few (dozens to hundreds) and this list is
    /// rare, so it scans the accounts instead of keeping a role index.
    pub fn list_experts(&self, actor: &Actor, query: &ExpertQuery) -> ServiceResult<Paged<Account>> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以管理专家"));
        }
        let needle = query.q.trim().to_ascii_uppercase();
        let subject = query.subject.trim();
        let mut keep = |account: &Account| {
            account.role == Role::Expert
                && (needle.is_empty() || account.name.contains(&needle) || account.username == needle)
                && (subject.is_empty() || account.expert_subjects.iter().any(|s| s == subject))
        };
        let experts = self.store.read()?.range::<Account>(tables::ACCOUNTS, false, usize::MAX, &mut keep)?;
        Ok(Paged::of(experts, query.page, query.per_page))
    }

    /// The display name of an organisation (for the expert list).
    pub fn org_label(&self, org: OrgRef) -> ServiceResult<String> {
        let read = self.store.read()?;
        Ok(match org {
            OrgRef::City => self.config.operator.clone(),
            OrgRef::Department(id) => read.get::<Department>(id)?.map(|d| d.name).unwrap_or_default(),
            OrgRef::School(id) => read.get::<School>(id)?.map(|s| s.name).unwrap_or_default(),
        })
    }
}
