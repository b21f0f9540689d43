//! The anonymisation gate (SPEC §6): does a file's text name the teacher? Looks for the name, the ID number and
//! the school's name, ignoring whitespace (PDF extraction often spaces out Chinese characters) and the case of
//! the ID number's `X`.

/// What identifies the teacher.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    pub school: &'a str,
}

/// The labels of the identifiers found in `text`, in the order 姓名, 身份证号, 学校名称.
pub fn find_identifiers(text: &str, identity: Identity<'_>) -> Vec<&'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let squeeze = |value: &str| value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let mut found = Vec::new();
    // A one-character name would match everywhere; such a name cannot be checked this way.
    let name = squeeze(identity.name);
    if name.chars().count() >= 2 && compact.contains(&name) {
        found.push("姓名");
    }
    let id_number = squeeze(identity.id_number);
    if id_number.len() >= 15 && compact.contains(&id_number) {
        found.push("身份证号");
    }
    if school_forms(&squeeze(identity.school)).iter().any(|form| compact.contains(form.as_str())) {
        found.push("学校名称");
    }
    found
}

/// The school's name as written in full and without the city prefix (上海市南湖职业学校 → 南湖职业学校), which is
/// how schools often sign. Forms shorter than four characters are too common to mean anything.
fn school_forms(school: &str) -> Vec<String> {
    let mut forms = vec![school.to_string()];
    for prefix in ["上海市", "上海"] {
        if let Some(short) = school.strip_prefix(prefix) {
            forms.push(short.to_string());
        }
    }
    forms.retain(|form| form.chars().count() >= 4);
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHO: Identity<'static> =
        Identity { name: "刁彬彬", id_number: "31010919801228301X", school: "上海市南湖职业学校" };

    #[test]
    fn finds_name_id_and_school_through_spacing_and_case() {
        assert_eq!(find_identifiers("作者：刁 彬 彬\n单位：南湖职业学校", WHO), ["姓名", "学校名称"]);
        assert_eq!(find_identifiers("身份证 310109198012283 01x", WHO), ["身份证号"]);
        assert!(find_identifiers("中职数学课堂教学改革研究", WHO).is_empty());
    }

    #[test]
    fn one_character_names_and_short_school_forms_are_not_matched() {
        let who = Identity { name: "李", id_number: "", school: "上海" };
        assert!(find_identifiers("李白 上海", who).is_empty());
    }
}
