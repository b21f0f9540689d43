//! Realistic sample data for the PDF tests: the manual's example teacher (刁彬彬, 上海市南湖职业学校) and the
//! largest form the submission rules allow.

use super::super::*;

pub(super) fn engine() -> PdfEngine {
    PdfEngine::new().expect("the embedded font parses")
}

pub(super) fn verification() -> Verification {
    Verification {
        code: "ZP7K-3M9Q-X2TD".to_owned(),
        url: "https://zhiping.example.edu.cn/verify?code=ZP7K-3M9Q-X2TD".to_owned(),
        issued_on: "2020-06-20".to_owned(),
    }
}

pub(super) fn form() -> RegistrationForm {
    RegistrationForm {
        name: "刁彬彬".to_owned(),
        birth: "1980年12月".to_owned(),
        research_direction: "中职数控技术专业课程与教学".to_owned(),
        education: "本科".to_owned(),
        degree: "学士".to_owned(),
        major_college: "无".to_owned(),
        major_bachelor: "机械设计制造及其自动化".to_owned(),
        major_graduate: "无".to_owned(),
        school: "上海市南湖职业学校".to_owned(),
        department: "上海市虹口区教育局".to_owned(),
        title: "中级 一级教师".to_owned(),
        title_date: "2012-09-01".to_owned(),
        teaching_subject: "数控加工技术".to_owned(),
        applied_subject: "机械加工类".to_owned(),
        achievements: vec![
            FormAchievement {
                title: "中等职业学校数控车削加工项目教程".to_owned(),
                level: "正式出版".to_owned(),
                kind: "教材".to_owned(),
                situation: "出版：于2019-08由上海科学技术出版社发表，排序/排名：1/3；CIP号为2019102034".to_owned(),
                own_part: "第一章至第五章的编写及全书统稿，约12万字".to_owned(),
                valid_this_year_only: false,
            },
            FormAchievement {
                title: "基于工作过程的中职数控专业校企合作课程开发实践".to_owned(),
                level: "公开发表".to_owned(),
                kind: "单位署名文章".to_owned(),
                situation: "发表：于2020-03在《职业教育研究》（ISSN 1672-5727）2020年第3期发表，排序/排名：1/1"
                    .to_owned(),
                own_part: "全部".to_owned(),
                valid_this_year_only: true,
            },
        ],
    }
}

/// The largest form the submission rules allow: two achievements with ~200-character titles, long 成果情况
/// sentences and 本人承担部分 at the 255-byte limit.
pub(super) fn maximal_form() -> RegistrationForm {
    let title = "基于产教融合与工作过程系统化理念的中等职业学校数控技术应用专业“岗课赛证”综合育人模式构建、\
                 课程体系重构与教学资源开发的实践研究——以上海市南湖职业学校数控加工专业群为例，兼论长三角地区\
                 智能制造产业转型升级背景下中职学生职业能力评价标准、实训基地建设、双师型教师队伍培养、校企协同\
                 育人机制与现代学徒制试点的推进路径和保障措施，并提出“三阶递进、四方协同”实施策略在区域内六所学校推广应用";
    let own_part = "负责课题总体设计与组织实施，撰写研究报告第一至第四章，主持课程体系重构与教学资源开发，\
                    完成校企合作调研报告及人才培养方案修订工作，统稿并定稿全书，承担结项材料汇编整理工作";
    assert_eq!(own_part.len(), 255, "本人承担部分 is at the 255-byte limit");
    let mut form = form();
    form.name = "欧阳喆堃".to_owned();
    form.school = "上海市城市科技学校（上海市城市科技职业技术培训中心）".to_owned();
    form.research_direction = "中等职业教育数控技术应用专业课程开发与教学评价研究".to_owned();
    form.achievements = vec![
        FormAchievement {
            title: title.to_owned(),
            level: "视作发表".to_owned(),
            kind: "课题成果".to_owned(),
            situation: "课题：市级重点课题，于2018-09由上海市教育科学研究院职业教育与成人教育研究所立项，2020-06结项，\
                        排序/排名：1/5；课题编号C18-0123，结项证书编号沪教科结字〔2020〕第0456号，鉴定结论优秀"
                .to_owned(),
            own_part: own_part.to_owned(),
            valid_this_year_only: true,
        },
        FormAchievement {
            title: format!("{title}（续篇）"),
            level: "公开发表".to_owned(),
            kind: "论文".to_owned(),
            situation:
                "发表：于2020-05在《中国职业技术教育》（ISSN 1004-9290，CN 11-3117/G4）2020年第14期（总第734期）\
                        发表，排序/排名：2/3；同时被中国知网、万方数据、维普资讯、超星期刊四大数据库全文收录"
                    .to_owned(),
            own_part: own_part.to_owned(),
            valid_this_year_only: false,
        },
    ];
    form
}

pub(super) fn opinion() -> AppraisalOpinion {
    AppraisalOpinion {
        project_name: "2020年中职、技工学校教师高级职务教科研成果鉴定".to_owned(),
        teacher_name: "刁彬彬".to_owned(),
        school: "上海市南湖职业学校".to_owned(),
        department: "上海市虹口区教育局".to_owned(),
        achievement_titles: form().achievements.into_iter().map(|achievement| achievement.title).collect(),
        grade: "合格".to_owned(),
        opinion: "该教材以数控车削典型工作任务为载体，体例新颖，内容贴近企业生产实际，符合中职学生认知规律，\
                  已在多所学校使用，效果良好。论文选题切合专业建设需要，论证较充分。\n\
                  建议进一步加强研究方法的规范性，提炼可推广的经验。"
            .to_owned(),
        valid_this_year_only: true,
        operator: "上海市教育评估院".to_owned(),
        published_on: "2020-07-15".to_owned(),
    }
}
