//! 成果目录 of one project (city admin): every achievement type as a block of plain inputs — code, name, level,
//! allowed school types, required evidence slots, media allowance, its fields (one per line
//! `代码|名称|格式|提示文字|说明`) and its sentence template (`{代码}` marks an input) — plus an empty block to add a
//! type. Saved with `Catalogue::validate` and the usage rules; no JavaScript needed.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};

use super::admin_orgs::NoticeQuery;
use crate::domain::catalogue::{AchievementType, Catalogue, EvidenceSlot, FieldFormat, FieldSpec, Level, SentencePart};
use crate::domain::project_rules::ProjectUsage;
use crate::domain::{FieldErrors, SchoolType};
use crate::service::ServiceError;
use crate::web::ctx::Signed;
use crate::web::layout::field_error;
use crate::web::widgets::{Fields, notice_text, redirect_with_notice};
use crate::web::{errors, layout};

fn fields_text(achievement_type: &AchievementType) -> String {
    achievement_type
        .fields
        .iter()
        .map(|field| {
            format!(
                "{}|{}|{}|{}|{}",
                field.key,
                field.label,
                field.format.code(),
                field.placeholder,
                field.hint.clone().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn type_block(index: usize, achievement_type: Option<&AchievementType>, usage: &ProjectUsage) -> Markup {
    let prefix = format!("t{index}");
    let id = |name: &str| format!("{prefix}-{name}");
    let name = |name: &str| format!("{prefix}.{name}");
    let code = achievement_type.map(|t| t.code.clone()).unwrap_or_default();
    let in_use = usage.types_used.contains(&code);
    let filed = usage.types_filed.contains(&code);
    html! {
        fieldset.card.catalogue-type {
            legend {
                @match achievement_type {
                    Some(t) => { (t.level.label()) " · " (t.name) @if t.restricted() { " ★" } }
                    None => { "新增成果类型（不填代码则忽略）" }
                }
                @if filed { " " span.badge.warn { "已有提交的申报" } } @else if in_use { " " span.badge { "已被暂存使用" } }
            }
            div.grid {
                div.field { label for=(id("code")) { "代码（小写字母、数字、下划线）" } input id=(id("code")) name=(name("code")) type="text" value=(code); }
                div.field { label for=(id("name")) { "成果类型名称" } input id=(id("name")) name=(name("name")) type="text" value=(achievement_type.map(|t| t.name.as_str()).unwrap_or("")); }
                div.field {
                    label for=(id("level")) { "成果层次" }
                    select id=(id("level")) name=(name("level")) {
                        @for level in Level::ALL { option value=(level.code()) selected[achievement_type.is_some_and(|t| t.level == level)] { (level.label()) } }
                    }
                }
            }
            fieldset.field {
                legend { "适用的学校类型" }
                @for school_type in SchoolType::ALL {
                    @let check = format!("{prefix}-type-{}", school_type.code());
                    label.check for=(check) {
                        input id=(check) type="checkbox" name=(name("school_types")) value=(school_type.code())
                            checked[achievement_type.is_none_or(|t| t.allows(school_type))];
                        " " (school_type.label())
                    }
                }
            }
            fieldset.field {
                legend { "必传的证明材料" }
                @for slot in EvidenceSlot::ALL {
                    @let check = format!("{prefix}-slot-{}", slot.code());
                    label.check for=(check) {
                        input id=(check) type="checkbox" name=(name("slots")) value=(slot.code())
                            checked[achievement_type.is_some_and(|t| t.required_slots.contains(&slot))];
                        " " (slot.label())
                    }
                }
            }
            div.field {
                label.check for=(id("media")) {
                    input id=(id("media")) type="checkbox" name=(name("media")) value="1" checked[achievement_type.is_some_and(|t| t.allows_media)];
                    " 成果文件也可为 MP4 或 ZIP（至多 500 MB）"
                }
            }
            div.columns {
                div.field {
                    label for=(id("fields")) { "成果情况字段（每行：代码|名称|格式|提示文字|说明）" }
                    textarea id=(id("fields")) name=(name("fields")) rows="5" { (achievement_type.map(fields_text).unwrap_or_default()) }
                    p.hint { "格式：" @for (i, format) in FieldFormat::ALL.iter().enumerate() { @if i > 0 { "、" } (format.code()) "（" (format.label()) "）" } }
                }
                div.field {
                    label for=(id("template")) { "句式（用 {代码} 表示输入框，换行表示另起一行）" }
                    textarea id=(id("template")) name=(name("template")) rows="5" { (achievement_type.map(|t| SentencePart::to_template(&t.sentence)).unwrap_or_default()) }
                }
            }
            @if achievement_type.is_some() {
                div.field {
                    label.check for=(id("remove")) {
                        input id=(id("remove")) type="checkbox" name=(name("remove")) value="1";
                        " 删除此成果类型" @if in_use { "（已被申报使用，不能删除）" }
                    }
                }
            }
        }
    }
}

/// The catalogue typed in the form; a message names the first block that cannot be read.
fn catalogue_of(fields: &Fields, blocks: usize) -> Result<Catalogue, String> {
    let mut types = Vec::new();
    for index in 0..blocks {
        let get = |name: &str| fields.get(&format!("t{index}.{name}")).to_string();
        let code = get("code");
        if code.is_empty() || fields.has(&format!("t{index}.remove")) {
            continue;
        }
        let level = Level::from_code(&get("level")).ok_or_else(|| format!("成果类型“{code}”的成果层次无效"))?;
        let mut specs = Vec::new();
        for line in get("fields").lines().map(str::trim).filter(|line| !line.is_empty()) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (key, label) = match (parts.first(), parts.get(1)) {
                (Some(key), Some(label)) => (key.to_string(), label.to_string()),
                _ => return Err(format!("成果类型“{code}”的字段行“{line}”应为 代码|名称|格式|提示文字|说明")),
            };
            let format_text = parts.get(2).copied().unwrap_or("text");
            let format = FieldFormat::from_code(format_text)
                .ok_or_else(|| format!("成果类型“{code}”的字段“{label}”的格式“{format_text}”无效"))?;
            let placeholder = parts.get(3).filter(|text| !text.is_empty()).map(|text| text.to_string());
            let hint = parts.get(4).filter(|text| !text.is_empty()).map(|text| text.to_string());
            specs.push(FieldSpec {
                placeholder: placeholder.unwrap_or_else(|| format!("请输入{label}")),
                key,
                label,
                format,
                hint,
            });
        }
        let sentence = SentencePart::parse_template(&get("template"))?;
        types.push(AchievementType {
            code: code.clone(),
            level,
            name: get("name"),
            allowed_school_types: fields
                .all(&format!("t{index}.school_types"))
                .iter()
                .filter_map(|c| SchoolType::from_code(c))
                .collect(),
            fields: specs,
            sentence,
            required_slots: fields
                .all(&format!("t{index}.slots"))
                .iter()
                .filter_map(|c| EvidenceSlot::from_code(c))
                .collect(),
            allows_media: fields.has(&format!("t{index}.media")),
        });
    }
    Ok(Catalogue { types })
}

fn page(
    signed: &Signed,
    id: u64,
    shown: Option<&Catalogue>,
    message: Option<&str>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let loaded = services.project_usage(actor, id).and_then(|usage| Ok((services.get_project(actor, id)?, usage)));
    let (project, usage) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let catalogue = shown.unwrap_or(&project.catalogue);
    let mut errors_of = FieldErrors::new();
    if let Some(message) = message {
        errors_of.add("catalogue", message);
    }
    let body = html! {
        (layout::breadcrumb(&["鉴定项目", &project.name, "成果目录"]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if let Some(message) = message { (layout::notice("error", &format!("未保存：{message}"))) }
        section.card {
            h2 { "成果目录：" (project.name) }
            p.hint { "★ 表示仅部分学校类型可用（当年有效）。已被申报使用的成果类型不能删除或更换层次；已有提交的类型不能增删字段、增加必传证明材料或减少适用学校类型。" }
            p { a href=(format!("/admin/projects/{id}")) { "返回项目设置" } }
        }
        form method="post" action=(format!("/admin/projects/{id}/catalogue")) novalidate {
            input type="hidden" name="csrf" value=(signed.ctx.csrf());
            input type="hidden" name="blocks" value=(catalogue.types.len() + 1);
            (field_error("catalogue", errors_of.get("catalogue")))
            @for (index, achievement_type) in catalogue.types.iter().enumerate() { (type_block(index, Some(achievement_type), &usage)) }
            (type_block(catalogue.types.len(), None, &usage))
            p { button.primary type="submit" { "保存成果目录" } }
        }
    };
    (status, layout::page(&signed.ctx, "成果目录", "/admin/projects", body)).into_response()
}

#[handler]
pub fn catalogue_page(signed: Signed, Path(id): Path<u64>, Query(query): Query<NoticeQuery>) -> Response {
    page(&signed, id, None, None, notice_text(&query.notice), StatusCode::OK)
}

#[handler]
pub fn save_catalogue(signed: Signed, Path(id): Path<u64>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    if let Err(error) = signed.services().project_usage(signed.actor(), id) {
        return errors::page(&signed.ctx, &error);
    }
    let blocks = fields.number("blocks").unwrap_or(0).min(200) as usize;
    let catalogue = match catalogue_of(&fields, blocks) {
        Ok(catalogue) => catalogue,
        Err(message) => return page(&signed, id, None, Some(&message), None, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match signed.services().update_catalogue(signed.actor(), id, &catalogue) {
        Ok(_) => redirect_with_notice(&format!("/admin/projects/{id}/catalogue"), "saved"),
        Err(ServiceError::Invalid(errors_of)) => {
            let message = errors_of.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            page(&signed, id, Some(&catalogue), Some(&message), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
