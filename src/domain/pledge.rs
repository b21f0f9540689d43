//! The integrity pledge (诚信承诺书, SPEC §4.1) as versioned text. A teacher's acceptance stores the version and
//! the SHA-256 of the exact text shown, so a later change of wording never rewrites what someone signed: a new
//! wording gets a new `VERSION` and the old one stays readable in the stored acceptance.

use sha2::{Digest, Sha256};

/// The wording in force. Change it only together with the text below.
pub const VERSION: &str = "2020-06";

/// How long the pledge must be on screen before 同意 counts (the manual: 至少 15 秒).
pub const READ_SECONDS: i64 = 15;

pub const TITLE: &str = "上海市中等职业学校、技工学校教师高级专业技术职务任职资格评审诚信承诺书";

pub const INTRO: &str =
    "在申报上海市中等职业学校、技工学校教师高级专业技术职务任职资格评审过程中，本人自愿做出如下承诺：";

/// Items 一 to 三, word for word from the manual.
pub const ITEMS: [&str; 3] = [
    "一、我已通读有关评审文件，对评审条件已充分理解，认为本人所具有的资历水平和所提交的证明材料，均已达到或超过相关评审条件要求。",
    "二、我提供的所有申报材料，包括申报表、学历（学位）、专业技术资格证书、任教课程表、继续教育证书（进修证明）、年度考核情况、专业技术工作总结、各类专业技术工作业绩、成果证书（奖项、发明专利等）、论文著作（译著）及按规定提供的其他材料，都经本人认真核实过，保证本人申报评审所提供的个人信息、相关材料、证件真实、准确、完整，不弄虚作假，不伪造、不使用假材料、假证书。",
    "三、诚实守信，严守纪律。认真履行申报人员的义务。对因提供有关信息、材料、证件等，不齐全、不真实或违反有关纪律规定所造成的后果，本人自愿承担相应的责任。",
];

/// The checkbox label.
pub const CHECKBOX: &str = "本人已仔细阅读上述内容。";

/// Shown when 同意 is pressed with the box unticked (the manual's wording).
pub const UNTICKED: &str = "请勾选承诺";

/// Shown when 同意 arrives before the pledge has been on screen for `READ_SECONDS`.
pub fn too_early_message() -> String {
    format!("请仔细阅读承诺书内容至少{READ_SECONDS}秒后，再点击“同意”")
}

/// The exact text accepted: title, introduction, items and the checkbox line, one per line.
pub fn full_text() -> String {
    let mut text = format!("{TITLE}\n{INTRO}\n");
    for item in ITEMS {
        text.push_str(item);
        text.push('\n');
    }
    text.push_str(CHECKBOX);
    text
}

/// SHA-256 (hex) of `full_text()`, stored with every acceptance.
pub fn text_sha256() -> String {
    hex::encode(Sha256::digest(full_text().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_of_the_exact_text_and_stable() {
        assert_eq!(text_sha256(), hex::encode(Sha256::digest(full_text().as_bytes())));
        assert!(full_text().starts_with(TITLE));
        assert!(full_text().contains("不伪造、不使用假材料、假证书。"));
        assert_eq!(text_sha256().len(), 64);
    }
}
