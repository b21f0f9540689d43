//! 首页: for teachers, 我的教科研成果鉴定状态 (the steps 填报 → 学校审核 → 主管部门审核 → 专家评审 → 公布等级) and the
//! latest 通知公告 / 资料下载; for admins and experts, their workbench.

use maud::{Markup, html};
use poem::{Response, handler};

use crate::domain::account::Role;
use crate::domain::home_steps::{HomeStep, StepMark};
use crate::service::review::messages::TeacherHome;
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

/// The five steps of SPEC §4, each with what is true of it now; the current one is marked for screen readers.
pub fn status_steps(steps: &[HomeStep; 5]) -> Markup {
    html! {
        ol.steps aria-label="我的教科研成果鉴定状态" {
            @for step in steps {
                @let current = step.mark == StepMark::Current;
                li.current[current] .done[step.mark == StepMark::Done] .returned[step.mark == StepMark::Returned]
                    aria-current=[current.then_some("step")] {
                    span.step-name { (step.name) }
                    span.step-state { (step.word) }
                }
            }
        }
    }
}

#[handler]
pub fn show(mut signed: Signed) -> Response {
    let role = signed.user().account.role;
    let body = match role {
        // One snapshot for the header's unread count, the pop-up, the status card and the results.
        Role::Teacher => match signed.services().teacher_home(signed.actor()) {
            Ok(home) => {
                signed.ctx.unread_messages = home.unread;
                teacher_home(home, &signed.ctx.csrf())
            }
            Err(error) => return errors::page(&signed.ctx, &error),
        },
        role => match admin_home(&signed, role) {
            Ok(markup) => markup,
            Err(error) => return errors::page(&signed.ctx, &error),
        },
    };
    let ctx = &signed.ctx;
    let body = html! { (body) (super::notices::home_boxes(&signed)) };
    ctx.finish(layout::page(ctx, "首页", "/", body))
}

/// The return pop-up, the status card, then the published grade with 打印 and 往年鉴定结果打印.
fn teacher_home(home: TeacherHome, csrf: &str) -> Markup {
    html! {
        (super::messages::return_popup(home.return_notice.as_ref(), csrf))
        (super::messages::status_card(home.status.as_ref()))
        (super::printing::home_results(home.results))
    }
}

fn admin_home(signed: &Signed, role: Role) -> Result<Markup, crate::service::ServiceError> {
    let actor = signed.actor();
    let (school, department) = signed.services().org_names(actor.org)?;
    let org_line = match role {
        Role::CityAdmin => signed.services().config.operator.clone(),
        Role::DepartmentAdmin => department,
        _ => format!("{school}（{department}）"),
    };
    Ok(html! {
        section.card {
            h1 { (role.label()) "工作台" }
            p { "所属单位：" (org_line) }
            ul.actions {
                @match role {
                    Role::SchoolAdmin => {
                        li { a.button href="/admin/teachers" { "用户管理" } " 开通教师账号、维护基本信息、重置密码" }
                        li { a.button href="/review" { "学校审核" } " 审核本校教师提交的教科研成果" }
                    }
                    Role::DepartmentAdmin | Role::CityAdmin => {
                        li { a.button href="/admin/orgs" { "单位管理" } " 主管部门、学校及管理员账号" }
                        li { a.button href="/review" { (super::review_list::title_of(role)) } " 鉴定成果的审核、受理与评审" }
                    }
                    _ => {
                        li { a.button href="/expert" { "专家评审" } " 分配给您的成果鉴定任务" }
                    }
                }
            }
        }
    })
}
