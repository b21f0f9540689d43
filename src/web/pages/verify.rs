//! 打印文件验证 (`/verify`, public, no sign-in): takes the verification code printed at the foot of a registration
//! form or 鉴定意见 and shows what the platform issued under it — document kind, project, masked name, date,
//! (registration forms) the version and the achievement titles, (opinions) the grade — so a school can tell a genuine print from an edited one. Look-ups are rate-limited per
//! client address by the service.

use maud::html;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::service::verification::UNKNOWN_CODE;
use crate::web::ctx::Ctx;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

#[derive(Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    code: String,
}

/// The form, and the result when a code was given (the printed link carries it: `/verify?code=…`).
#[handler]
pub fn show(ctx: Ctx, Query(query): Query<VerifyQuery>) -> Response {
    let typed = query.code.trim().chars().take(64).collect::<String>();
    let (status, found) = if typed.is_empty() {
        (StatusCode::OK, None)
    } else {
        match ctx.services.verify_code(&ctx.address, &typed) {
            Ok(Some(record)) => (StatusCode::OK, Some(record)),
            Ok(None) => (StatusCode::NOT_FOUND, None),
            Err(error) => return errors::page(&ctx, &error),
        }
    };
    let error = (status == StatusCode::NOT_FOUND).then_some(UNKNOWN_CODE);
    let body = html! {
        section.card.narrow {
            h1 { "打印文件验证" }
            p.hint { "请输入成果鉴定登记表或鉴定意见页脚的验证码，核对该打印件是否由本平台出具。" }
            form method="get" action="/verify" {
                div.field.has-error[error.is_some()] {
                    label for="verify-code" { "验证码" }
                    input #verify-code type="text" name="code" value=(typed) autocomplete="off" spellcheck="false"
                        placeholder="如 7K3M9-QX2TD-5RB8W-Z0H1N" aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[described_by("verify-code", error)];
                    (field_error("verify-code", error))
                }
                button.primary type="submit" { "查验" }
            }
        }
        @if let Some(record) = &found {
            section.card.narrow aria-labelledby="verify-result" {
                h2 #verify-result { "验证结果" }
                (layout::notice("success", "验证通过：该验证码对应的文件由本平台出具，请核对以下信息与打印件一致。"))
                table.data.facts {
                    tbody {
                        tr { th scope="row" { "文件类型" } td { (record.kind.label()) } }
                        tr { th scope="row" { "鉴定项目" } td { (record.project_name) } }
                        tr { th scope="row" { "姓名" } td { (record.masked_name) } }
                        @if let Some(form) = &record.form {
                            tr { th scope="row" { "版本" } td { (form.version_label()) } }
                            tr {
                                th scope="row" { "成果题目" }
                                td { ol { @for title in &form.titles { li { (title) } } } }
                            }
                        }
                        tr { th scope="row" { "打印日期" } td { (clock::day(record.issued_at)) } }
                        @if let Some(grade) = &record.grade {
                            tr { th scope="row" { "鉴定等级" } td { (grade) } }
                        }
                    }
                }
            }
        }
    };
    ctx.finish((status, layout::page(&ctx, "打印文件验证", "", body)))
}
