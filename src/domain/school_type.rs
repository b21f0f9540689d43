//! The four school types of SPEC §1; they decide which achievement types a teacher may file.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SchoolType {
    /// 中等专业学校（中专）
    Zhongzhuan,
    /// 技工学校
    Jigong,
    /// 职业高中
    Zhigao,
    /// 成人中等专业学校
    Chengren,
}

impl SchoolType {
    pub const ALL: [SchoolType; 4] =
        [SchoolType::Zhongzhuan, SchoolType::Jigong, SchoolType::Zhigao, SchoolType::Chengren];

    /// The stable code used in URLs, forms, the API and imports.
    pub fn code(self) -> &'static str {
        match self {
            SchoolType::Zhongzhuan => "zhongzhuan",
            SchoolType::Jigong => "jigong",
            SchoolType::Zhigao => "zhigao",
            SchoolType::Chengren => "chengren",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|school_type| school_type.code() == code)
    }

    /// The label shown to people (SPEC §1 table).
    pub fn label(self) -> &'static str {
        match self {
            SchoolType::Zhongzhuan => "中等专业学校（中专）",
            SchoolType::Jigong => "技工学校",
            SchoolType::Zhigao => "职业高中",
            SchoolType::Chengren => "成人中等专业学校",
        }
    }
}
