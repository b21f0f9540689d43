//! The demonstration notices and materials of `serve --demo`: the season's notice with its contribution form
//! attached, notices for teachers only and for admins only, one scheduled a week ahead, and two materials
//! (generated Word forms, so their text is searchable like any upload).

use chrono::{DateTime, Duration, Utc};

use super::docx::{Block, document};
use super::internal;
use crate::domain::notice::{Audience, FileRef, Material, Notice, UploadedFile};
use crate::files::{self, FileKind};
use crate::service::{ServiceError, ServiceResult, Services, audit};
use crate::store::{Reader, tables};

const CONTRIBUTION_FORM: &str = "非独立完成的教育教学研究成果个人贡献情况表";
const FILING_GUIDE: &str = "教科研成果鉴定填报说明";

impl Services {
    /// Loads the demonstration notices and materials once (nothing happens when any notice exists).
    pub async fn load_demo_notices(&self) -> ServiceResult<()> {
        if !self.store.read()?.all::<Notice>()?.is_empty() {
            return Ok(());
        }
        let (blobs, clock) = (self.blobs.clone(), self.clock.clone());
        // Writing and reading the files back is blocking work.
        let files = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<(FileRef, UploadedFile)>> {
            let mut stored = Vec::new();
            for (name, bytes) in [(CONTRIBUTION_FORM, contribution_form()?), (FILING_GUIDE, filing_guide()?)] {
                let blob = blobs.put_bytes(&bytes)?;
                let path = blobs.path_of(&blob.sha256).ok_or_else(|| std::io::Error::other("blob address"))?;
                let text = files::extract_text(&path, FileKind::Docx).map_err(std::io::Error::other)?;
                let kind = files::extension_of(blob.kind).to_string();
                stored.push((
                    FileRef {
                        name: format!("{name}.docx"),
                        sha256: blob.sha256.clone(),
                        size: blob.size,
                        kind: kind.clone(),
                    },
                    UploadedFile {
                        sha256: blob.sha256,
                        size: blob.size,
                        kind,
                        text,
                        uploaded_by: 0,
                        uploaded_at: clock.now(),
                    },
                ));
            }
            Ok(stored)
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
        let now = self.clock.now();
        self.store.write(|tx| {
            let admin = tx.lookup(tables::ACCOUNT_BY_USERNAME, crate::service::bootstrap::FIRST_ADMIN)?.unwrap_or(0);
            for (_, uploaded) in &files {
                tx.put_keyed(tables::NOTICE_FILES, &uploaded.sha256, uploaded)?;
            }
            let form = files[0].0.clone();
            let guide = files[1].0.clone();
            let year = self.clock.today().format("%Y").to_string();
            let notices = [
                (
                    format!("关于开展{year}年中职、技工学校教师高级职务教科研成果鉴定工作的通知"),
                    season_notice(&year),
                    vec![form.clone()],
                    Audience::All,
                    now - Duration::days(6),
                ),
                (
                    "关于教科研成果鉴定中正式出版成果CIP核字号填报的说明".to_string(),
                    CIP_NOTICE.to_string(),
                    Vec::new(),
                    Audience::All,
                    now - Duration::days(4),
                ),
                (
                    "关于申报教师首次登录平台修改默认密码的提示".to_string(),
                    PASSWORD_NOTICE.to_string(),
                    Vec::new(),
                    Audience::Teachers,
                    now - Duration::days(3),
                ),
                (
                    "关于学校管理员做好职称评审材料审核工作的通知".to_string(),
                    REVIEW_NOTICE.to_string(),
                    vec![guide.clone()],
                    Audience::Admins,
                    now - Duration::days(2),
                ),
                (
                    format!("关于{year}年教科研成果鉴定结果公布安排的预告"),
                    RESULTS_NOTICE.to_string(),
                    Vec::new(),
                    Audience::All,
                    now + Duration::days(7),
                ),
            ];
            for (title, body, attachments, audience, publish_at) in notices {
                let notice = Notice {
                    id: tx.next_id()?,
                    title,
                    body,
                    attachments,
                    publish_at,
                    audience,
                    created_by: admin,
                    created_at: now,
                    updated_at: now,
                    withdrawn_at: None,
                };
                tx.put(&notice)?;
            }
            for (name, file, publish_at) in [
                (format!("《{CONTRIBUTION_FORM}》"), form, now - Duration::days(6)),
                (FILING_GUIDE.to_string(), guide, now - Duration::days(5)),
            ] {
                let material = Material {
                    id: tx.next_id()?,
                    name,
                    file,
                    publish_at: at_minute(publish_at),
                    created_by: admin,
                    created_at: now,
                    updated_at: now,
                    withdrawn_at: None,
                };
                tx.put(&material)?;
            }
            audit::record(tx, None, "demo.notices", "platform", "载入演示通知公告与资料")?;
            Ok::<_, ServiceError>(())
        })?;
        self.rebuild_search_index()?;
        Ok(())
    }
}

/// Drops seconds, as a publisher typing a time would.
fn at_minute(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp() - at.timestamp() % 60, 0).unwrap_or(at)
}

fn season_notice(year: &str) -> String {
    format!(
        "各区教育局，各中等职业学校、技工学校：\n\n\
         根据本市中小学（中职）教师职称评审工作的有关规定，现将{year}年中职、技工学校教师高级职务教科研成果鉴定工作通知如下。\n\n\
         一、**鉴定对象**\n拟申报{year}年中职、技工学校教师高级专业技术职务任职资格（职称评审）的教师。\n\n\
         二、**成果要求**\n申报教师可填写1-2项教科研成果。正式出版的成果须填写CIP核字号（10位，前4位为年份，后6位为编号，例如2019102034），并上传cip页、封面、封底扫描件及cip数据核字号查询页截图。\
         非独立完成的成果须同时上传《非独立完成的教育教学研究成果个人贡献情况表》（见附件，亦可在[资料下载](/materials)中获取）。\n\n\
         三、**时间安排**\n申报教师在平台完成填报并提交后，由学校审核、主管部门审核，再进入专家评审。请各单位按时完成审核。\n\n\
         四、**注意事项**\n所有申报材料请以WORD或PDF格式上传（不接受图片扫描转PDF格式），大小限制为20M以下。\n\n\
         上海市教育评估院"
    )
}

const CIP_NOTICE: &str = "各申报教师：\n\n\
    填报“正式出版”层次的成果（专著、教材、论文）时，请在成果情况中准确填写出版时间、出版社名称、排序/排名及CIP核字号。\n\
    CIP核字号为10位数字，前4位为年份，后6位为编号，示例：2019102034。\n\n\
    请在证明材料中上传CIP数据核字号查询页截图，以便职称评审专家核验。CIP核字号填写不规范的，学校审核时将予以退回。";

const PASSWORD_NOTICE: &str = "各位申报教师：\n\n\
    平台账号的用户名为本人身份证号，初始密码为00000000。首次登录后须修改密码，新密码长度在6到18位之间，须为数字和字母组合。\n\n\
    连续输错密码5次，账号将被冻结，60分钟后自动解冻，或联系学校管理员重置密码。";

const REVIEW_NOTICE: &str = "各学校管理员、主管部门管理员：\n\n\
    请在审核截止日期前完成本单位申报教师教科研成果鉴定材料的审核。审核通过前须核对材料原件，确认“已核，与原件一致”；\
    材料不符合要求的，请退回并写明原因。\n\n\
    附件为**教科研成果鉴定填报说明**，请转发本单位申报教师。";

const RESULTS_NOTICE: &str = "各区教育局，各中等职业学校、技工学校：\n\n\
    本年度教科研成果鉴定专家评审结束后，鉴定结果将在平台公布。申报教师可在首页“我的教科研成果鉴定状态”中查看鉴定等级并打印鉴定意见。";

fn contribution_form() -> std::io::Result<Vec<u8>> {
    document(&[
        Block::Title(CONTRIBUTION_FORM),
        Block::Paragraph("（中职、技工学校教师高级职务教科研成果鉴定用）"),
        Block::Table(vec![
            vec!["申报人姓名", "", "工作单位", ""],
            vec!["成果题目", "", "成果层次及类型", ""],
            vec!["全部作者（按排序）", "", "本人排序/排名", ""],
            vec!["本人承担部分", "", "", ""],
            vec!["本人贡献说明", "", "", ""],
            vec!["合作者确认（签名）", "", "", ""],
            vec!["工作单位意见（盖章）", "", "日期", ""],
        ]),
        Block::Paragraph(
            "说明：非独立完成的教育教学研究成果须填写本表，经合作者签名确认、工作单位盖章后扫描，在“是否独立完成”处选择“非独立完成”并上传。",
        ),
    ])
}

fn filing_guide() -> std::io::Result<Vec<u8>> {
    document(&[
        Block::Title(FILING_GUIDE),
        Block::Paragraph(
            "1.关于成果类型：成果层次中的“视作发表”、“交流”中的“校本课程”和“自创资源”，以及单位署名文章四类成果仅供职业高中和成人中等专业学校的申报教师填报，中专学校和技工学校的申报教师不得填报。填报此类成果的申报人，鉴定结果为当年有效。",
        ),
        Block::Paragraph(
            "2.关于成果格式：除自创资源外，所有申报材料请以WORD或PDF格式（不接受图片扫描转PDF格式），合并为一个文档上传，大小限制为20M以下；自创教学资源可上传视频，格式为MP4，大小限制为500M以下。",
        ),
        Block::Paragraph("3.正式出版的成果须填写CIP核字号：10位数字，前4位为年份，后6位为编号，示例：2019102034。"),
    ])
}
