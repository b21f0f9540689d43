//! One 教研成果信息 block and its 证明材料 block. 成果层次 → 成果类型 → the 成果情况 sentence come from the project's
//! catalogue. Without JavaScript every type offered to the teacher shows its own labelled group of inputs (only
//! the chosen type's group is kept on save); with JavaScript only the chosen level's types and the chosen type's
//! group are shown. The blocks are also rendered once with the placeholder index `__I__` (shown number `__N__`)
//! into `<template>`s, from which the script adds achievements without a reload.

use maud::{Markup, html};

use crate::domain::FieldErrors;
use crate::domain::catalogue::FieldFormat;
use crate::domain::catalogue::{AchievementType, EvidenceSlot, SentencePart};
use crate::domain::filing::{Achievement, FileRef};
use crate::domain::formats::{OWN_PART_MAX_BYTES, own_part_room, utf8_bytes};
use crate::service::submissions::{Appraisal, FileSlot, FileTarget};
use crate::web::layout::{described_by, field_error};

/// The template's placeholder index.
pub const TEMPLATE: usize = usize::MAX;

pub struct BlockContext<'a> {
    pub appraisal: &'a Appraisal,
    pub errors: &'a FieldErrors,
    pub confirm_remove: Option<usize>,
    /// The id of the first error's field (see `form::field_anchor`): it gets `autofocus`.
    pub first_error: Option<&'a str>,
}

/// The index as it appears in names, and the number shown to people (1-based).
fn numbering(index: usize) -> (String, String) {
    if index == TEMPLATE { ("__I__".into(), "__N__".into()) } else { (index.to_string(), (index + 1).to_string()) }
}

pub fn block(context: &BlockContext, index: usize, item: &Achievement, origin: Option<usize>) -> Markup {
    let appraisal = context.appraisal;
    let errors = if index == TEMPLATE { &FieldErrors::new() } else { context.errors };
    let (i, number) = numbering(index);
    let key = |name: &str| format!("achievements.{i}.{name}");
    let id = |name: &str| format!("a{i}-{name}");
    let catalogue = &appraisal.project.catalogue;
    let school_type = appraisal.school.school_type;
    let levels = catalogue.levels_offered_to(school_type);
    let offered: Vec<&AchievementType> = catalogue.offered_to(school_type).collect();
    let chosen = offered.iter().copied().find(|candidate| candidate.code == item.type_code);
    let level_error = errors.get(&key("level"));
    let type_error = errors.get(&key("type_code"));
    let title_error = errors.get(&key("title"));
    let own_error = errors.get(&key("own_part"));
    let independent_error = errors.get(&key("independent"));
    let contribution_error = errors.get(&key("contribution_file"));
    let file_error = errors.get(&key("achievement_file"));
    let any_media = offered.iter().any(|candidate| candidate.allows_media);
    let focus = |name: &str| index != TEMPLATE && context.first_error == Some(id(name).as_str());
    html! {
        fieldset.achievement #(format!("achievement-{i}")) data-index=(i) {
            legend { "教研成果信息 " span.number { (number) } }
            @if index > 0 {
                button.danger.small.remove-achievement type="submit" name="action" value=(format!("remove:{i}"))
                    data-confirm=(format!("确定删除教研成果信息{number}吗？一旦删除，不可恢复。"))
                    data-confirm-value=(format!("remove_confirmed:{i}")) { "删除" }
            }
            @if context.confirm_remove == Some(index) && index != TEMPLATE {
                div.notice.warn role="alertdialog" aria-labelledby=(id("confirm")) {
                    p #(id("confirm")) { "确定删除教研成果信息" (number) "吗？一旦删除，不可恢复。" }
                    button.danger type="submit" name="action" value=(format!("remove_confirmed:{i}")) autofocus { "确认删除" }
                    " "
                    a.button href="/appraisal" { "取消" }
                }
            }
            input type="hidden" name=(key("origin")) value=(origin.map(|origin| origin.to_string()).unwrap_or_default());
            div.field.has-error[title_error.is_some()] {
                label for=(id("title")) { "题目：" }
                input id=(id("title")) name=(key("title")) type="text" value=(item.title) placeholder="请输入"
                    autofocus[focus("title")]
                    aria-invalid=[title_error.map(|_| "true")] aria-describedby=[described_by(&id("title"), title_error)];
                (field_error(&id("title"), title_error))
            }
            fieldset.radios.levels.has-error[level_error.is_some()] #(id("level"))
                aria-describedby=[described_by(&id("level"), level_error)] {
                legend { "成果层次：" }
                @for (position, level) in levels.iter().enumerate() {
                    label {
                        input type="radio" name=(key("level")) value=(level.code()) checked[item.level == Some(*level)]
                            autofocus[position == 0 && focus("level")];
                        " " (level.label())
                    }
                }
                (field_error(&id("level"), level_error))
            }
            fieldset.radios.types.has-error[type_error.is_some()] #(id("type_code"))
                aria-describedby=[described_by(&id("type_code"), type_error)] {
                legend { "成果类型：" }
                @for level in &levels {
                    span.type-group data-level=(level.code()) {
                        span.type-level { (level.label()) "：" }
                        @for candidate in offered.iter().filter(|candidate| candidate.level == *level) {
                            label {
                                input type="radio" name=(key("type_code")) value=(candidate.code)
                                    data-level=(level.code()) data-media=[candidate.allows_media.then_some("1")]
                                    data-slots=(candidate.required_slots.iter().map(|slot| slot.code()).collect::<Vec<_>>().join(" "))
                                    checked[item.type_code == candidate.code];
                                " " (candidate.name)
                            }
                        }
                    }
                }
                (field_error(&id("type_code"), type_error))
            }
            div.field.situation {
                span.label { "成果情况：" }
                p.hint.no-js-only { "请填写与所选成果类型对应的一组内容。" }
                @for candidate in &offered {
                    (type_fields(&i, candidate, item, if chosen.is_some_and(|c| c.code == candidate.code) { Some(errors) } else { None },
                        context.first_error.filter(|_| index != TEMPLATE)))
                }
            }
            fieldset.radios.independent.has-error[independent_error.is_some() || contribution_error.is_some()] #(id("independent")) {
                legend { "是否独立完成：" }
                label {
                    input type="radio" name=(key("independent")) value="1" checked[item.independent == Some(true)]
                        autofocus[focus("independent")];
                    " 独立完成"
                }
                label { input type="radio" name=(key("independent")) value="0" checked[item.independent == Some(false)]; " 非独立完成" }
                (field_error(&id("independent"), independent_error))
                div.contribution {
                    (file_input(context, index, FileSlot::Contribution, item.contribution_file.as_ref(), ".pdf,.doc,.docx"))
                    p.hint { "说明：请上传《非独立完成的教育教学研究成果个人贡献情况表》" }
                }
            }
            div.field.has-error[own_error.is_some()] {
                label for=(id("own_part")) { "本人承担部分：" }
                input id=(id("own_part")) name=(key("own_part")) type="text" value=(item.own_part) class="own-part"
                    data-max-bytes=(OWN_PART_MAX_BYTES) placeholder="独立完成请填写“全部”；非独立完成请填写主要的承担部分"
                    autofocus[focus("own_part")] aria-invalid=[own_error.map(|_| "true")]
                    aria-describedby=(format!("{} {}", id("own_part-count"), described_by(&id("own_part"), own_error).unwrap_or_default()).trim());
                @let over = utf8_bytes(item.own_part.trim()).saturating_sub(OWN_PART_MAX_BYTES);
                p.hint.byte-count.over[over > 0] #(id("own_part-count")) aria-live="polite" {
                    "限" (OWN_PART_MAX_BYTES) "字节（含标点符号，一个汉字占3字节），"
                    span.remaining { (own_part_room(&item.own_part)) }
                }
                (field_error(&id("own_part"), own_error))
            }
            div.field.achievement-file.has-error[file_error.is_some()] {
                (file_input(context, index, FileSlot::Achievement, item.achievement_file.as_ref(),
                    if any_media { ".pdf,.doc,.docx,.mp4,.zip" } else { ".pdf,.doc,.docx" }))
                p.hint.required { "*必填，请上传成果附件" }
                p.hint { "注：成果上传的文件大小限制：一般文件如：WORD、PDF 等为 20M 以下，自创教学资源可上传视频，格式为 MP4、ZIP 格式，大小在 500M 以下。" }
            }
        }
    }
}

/// The 成果情况 group of one type: its sentence with inputs. `errors` is given only for the chosen type, whose
/// group shows the messages of `achievements.{i}.fields.{key}`.
fn type_fields(
    i: &str,
    candidate: &AchievementType,
    item: &Achievement,
    errors: Option<&FieldErrors>,
    first_error: Option<&str>,
) -> Markup {
    let chosen = errors.is_some();
    let field_error_of = |key: &str| errors.and_then(|errors| errors.get(&format!("achievements.{i}.fields.{key}")));
    html! {
        div.type-fields data-type=(candidate.code) data-chosen=[chosen.then_some("1")] {
            p.type-caption.no-js-only { "“" (candidate.level.label()) " · " (candidate.name) "”填写：" }
            p.sentence {
                @for part in &candidate.sentence {
                    @match part {
                        SentencePart::Text(text) => span { (text) },
                        SentencePart::LineBreak => br;,
                        SentencePart::Field(key) => {
                            @if let Some(spec) = candidate.field(key) {
                                @let input_id = format!("a{i}-{}-{}", candidate.code, key);
                                @let message = field_error_of(key);
                                // Dates get the browser's picker from appraisal.js (text without it).
                                @let picker = match spec.format {
                                    FieldFormat::Date => Some("date"),
                                    FieldFormat::YearMonth => Some("month"),
                                    _ => None,
                                };
                                span.sentence-input {
                                    label.sr-only for=(input_id) { (spec.label) }
                                    input id=(input_id) type="text" name=(format!("achievements.{i}.t.{}.{}", candidate.code, key))
                                        value=(item.fields.get(key).map(String::as_str).unwrap_or_default())
                                        placeholder=(spec.placeholder) class.invalid[message.is_some()] data-picker=[picker]
                                        autofocus[chosen && first_error == Some(input_id.as_str())]
                                        aria-invalid=[message.map(|_| "true")]
                                        aria-describedby=[described_by(&format!("a{i}-fields-{key}"), message)];
                                    @if let Some(hint) = &spec.hint { span.hint { (hint) } }
                                }
                            }
                        }
                    }
                }
            }
            @for spec in &candidate.fields {
                (field_error(&format!("a{i}-fields-{}", spec.key), field_error_of(&spec.key)))
            }
        }
    }
}

pub fn evidence_block(context: &BlockContext, index: usize, item: &Achievement) -> Markup {
    let (i, number) = numbering(index);
    let required: Vec<EvidenceSlot> = context
        .appraisal
        .project
        .catalogue
        .get(&item.type_code)
        .map(|found| found.required_slots.clone())
        .unwrap_or_default();
    html! {
        fieldset.evidence #(format!("evidence-{i}")) data-index=(i) {
            legend { "证明材料" span.number { (number) } }
            div.slots {
                @for slot in EvidenceSlot::ALL {
                    div.slot.required[required.contains(&slot)] data-slot=(slot.code()) {
                        (file_input(context, index, FileSlot::Evidence(slot), item.evidence.get(&slot), ".pdf,.doc,.docx"))
                        p.hint { (slot.guidance()) }
                    }
                }
            }
            p.hint { "注：证明材料仅支持单个文件上传，如有多个文件，请整合成一个Word或PDF。" }
        }
    }
}

/// A file input with its label, the stored file (点击查看, 删除此文件) and its error.
fn file_input(context: &BlockContext, index: usize, slot: FileSlot, stored: Option<&FileRef>, accept: &str) -> Markup {
    let (i, _) = numbering(index);
    let key = if index == TEMPLATE {
        format!("achievements.__I__.{}", slot.code())
    } else {
        FileTarget { achievement: index, slot }.key()
    };
    let id = format!("a{i}-{}", slot.code().replace('.', "-"));
    let message = if index == TEMPLATE { None } else { context.errors.get(&key) };
    let label = match slot {
        FileSlot::Achievement => "成果上传".to_string(),
        FileSlot::Contribution => "个人贡献情况表".to_string(),
        FileSlot::Evidence(slot) => slot.label().to_string(),
    };
    html! {
        div.file-input.has-error[message.is_some()] {
            label for=(id) { (label) "：" }
            input id=(id) type="file" name=(key) accept=(accept)
                autofocus[index != TEMPLATE && context.first_error == Some(id.as_str())]
                aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(&id, message)];
            @if let Some(file) = stored {
                span.stored-file {
                    a href=(file_url(file)) target="_blank" rel="noopener" { "点击查看" }
                    " " span.file-name { (file.name) } " " span.file-size { "（" (size_label(file.size)) "）" }
                    label.remove-file {
                        input type="checkbox" name=(format!("achievements.{i}.remove")) value=(slot.code());
                        " 删除此文件"
                    }
                }
            }
            (field_error(&id, message))
        }
    }
}

/// `/files/{sha}/{name}`: the name is only for the browser (saving, tab title); access is decided by the hash.
pub fn file_url(file: &FileRef) -> String {
    let name = percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC);
    format!("/files/{}/{name}", file.sha256)
}

pub fn size_label(size: u64) -> String {
    if size >= 1024 * 1024 {
        format!("{:.1} MB", size as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", size.div_ceil(1024))
    }
}
