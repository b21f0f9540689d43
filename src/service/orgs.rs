//! Departments and schools (SPEC §1): the city admin creates and edits them; everyone else sees its own scope.

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::Role;
use crate::domain::org::{Department, OrgRef, School, check_org_name};
use crate::store::Reader;

impl Services {
    /// Departments the actor may see: all for the city, its own for a department admin, the parent department
    /// for school-level accounts.
    pub fn list_departments(&self, actor: &Actor) -> ServiceResult<Vec<Department>> {
        let departments = self.store.read()?.all::<Department>()?;
        Ok(departments
            .into_iter()
            .filter(|department| match actor.role {
                Role::CityAdmin => true,
                _ => actor.department_id == Some(department.id),
            })
            .collect())
    }

    pub fn get_department(&self, actor: &Actor, id: u64) -> ServiceResult<Department> {
        self.list_departments(actor)?
            .into_iter()
            .find(|department| department.id == id)
            .ok_or(ServiceError::NotFound("主管部门不存在"))
    }

    pub fn create_department(&self, actor: &Actor, name: &str) -> ServiceResult<Department> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以新建主管部门"));
        }
        let name = check_org_name(name).map_err(|message| ServiceError::field("name", message))?;
        self.store.write(|tx| {
            if tx.all::<Department>()?.iter().any(|department| department.name == name) {
                return Err(ServiceError::field("name", "已有同名的主管部门"));
            }
            let department = Department { id: tx.next_id()?, name, disabled: false, created_at: self.clock.now() };
            tx.put(&department)?;
            audit::record(
                tx,
                Some(actor),
                "department.create",
                &format!("department:{}", department.id),
                &department.name,
            )?;
            Ok(department)
        })
    }

    /// Schools the actor may see, optionally of one department, ordered by id.
    pub fn list_schools(&self, actor: &Actor, department_id: Option<u64>) -> ServiceResult<Vec<School>> {
        let schools = self.store.read()?.all::<School>()?;
        Ok(schools
            .into_iter()
            .filter(|school| department_id.is_none_or(|id| school.department_id == id))
            .filter(|school| match actor.role {
                Role::CityAdmin | Role::DepartmentAdmin => actor.manages_school(school),
                Role::SchoolAdmin | Role::Teacher | Role::Expert => actor.org == OrgRef::School(school.id),
            })
            .collect())
    }

    pub fn get_school(&self, actor: &Actor, id: u64) -> ServiceResult<School> {
        let school = self.store.read()?.get::<School>(id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
        let visible = actor.manages_school(&school) || actor.org == OrgRef::School(id);
        if !visible {
            return Err(ServiceError::NotFound("学校不存在"));
        }
        Ok(school)
    }

    pub fn create_school(
        &self,
        actor: &Actor,
        department_id: u64,
        name: &str,
        school_type: SchoolType,
    ) -> ServiceResult<School> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以新建学校"));
        }
        let name = check_org_name(name).map_err(|message| ServiceError::field("name", message))?;
        self.store.write(|tx| {
            if tx.get::<Department>(department_id)?.is_none() {
                return Err(ServiceError::field("department_id", "主管部门不存在"));
            }
            if tx.all::<School>()?.iter().any(|school| school.name == name) {
                return Err(ServiceError::field("name", "已有同名的学校"));
            }
            let school = School {
                id: tx.next_id()?,
                name,
                department_id,
                school_type,
                disabled: false,
                created_at: self.clock.now(),
            };
            tx.put(&school)?;
            audit::record(
                tx,
                Some(actor),
                "school.create",
                &format!("school:{}", school.id),
                &format!("{}（{}）", school.name, school_type.label()),
            )?;
            Ok(school)
        })
    }
}
