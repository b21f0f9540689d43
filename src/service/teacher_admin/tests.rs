//! 更换单位 must carry the teacher's submissions and their index keys along (read by the school and department
//! review lists, which another module owns).

use std::sync::Arc;

use super::*;
use crate::config::Config;
use crate::domain::org::Department;
use crate::service::demo_scale::Scale;
use crate::store::Reader;

fn services() -> (tempfile::TempDir, Services) {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut config = Config { data_dir: temp.path().join("data"), ..Config::default() };
    config.argon2.memory_kib = 1024;
    config.argon2.iterations = 1;
    let services = Services::open(Arc::new(config)).expect("services");
    (temp, services)
}

fn city() -> Actor {
    Actor {
        account_id: 0,
        name: "市级管理员".into(),
        role: Role::CityAdmin,
        org: OrgRef::City,
        department_id: None,
        address: "127.0.0.1".into(),
    }
}

fn keyed(services: &Services, key: &str) -> Vec<u64> {
    services.store.read().expect("read").multimap_values(tables::SUBMISSIONS_BY_KEY, key).expect("values")
}

#[test]
fn a_moved_teachers_submissions_and_index_keys_follow_it() {
    let (_temp, services) = services();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(services.load_scale(Scale::SMALL)).expect("small set");
    let read = services.store.read().expect("read");
    let schools = read.all::<School>().expect("schools");
    let departments = read.all::<Department>().expect("departments");
    let from = schools[0].clone();
    let same_department =
        schools.iter().find(|s| s.id != from.id && s.department_id == from.department_id).expect("sibling");
    let other_department = schools.iter().find(|s| s.department_id != from.department_id).expect("other").clone();
    assert!(departments.len() >= 2);
    let teacher = read
        .multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(from.id)))
        .expect("accounts")
        .into_iter()
        .find(|id| !keyed(&services, &format!("teacher:{id}")).is_empty())
        .expect("a teacher with a submission");
    let submission = keyed(&services, &format!("teacher:{teacher}"))[0];
    drop(read);

    services.move_teacher(&city(), teacher, same_department.id, "").expect("move");
    assert!(!keyed(&services, &format!("school:{}", from.id)).contains(&submission));
    assert!(keyed(&services, &format!("school:{}", same_department.id)).contains(&submission));
    assert_eq!(
        keyed(&services, &format!("department:{}", from.department_id)).iter().filter(|id| **id == submission).count(),
        1
    );

    services.move_teacher(&city(), teacher, other_department.id, "跨区").expect("move across");
    let read = services.store.read().expect("read");
    let stored = read.get::<Submission>(submission).expect("get").expect("submission");
    assert_eq!((stored.school_id, stored.department_id), (other_department.id, other_department.department_id));
    assert!(!keyed(&services, &format!("department:{}", from.department_id)).contains(&submission));
    assert!(keyed(&services, &format!("department:{}", other_department.department_id)).contains(&submission));
    assert!(keyed(&services, &format!("teacher:{teacher}")).contains(&submission));
    assert!(keyed(&services, &format!("project:{}", stored.project_id)).contains(&submission));
    let account = read.get::<Account>(teacher).expect("get").expect("teacher");
    assert_eq!(account.org, OrgRef::School(other_department.id));
    assert_eq!(account.moves.len(), 2);
    let in_old = read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(from.id))).expect("old");
    assert!(!in_old.contains(&teacher));
}
