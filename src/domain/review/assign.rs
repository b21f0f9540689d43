//! Expert assignment (SPEC §6): recusal (回避) and the automatic balanced assignment that matches 申报学科 to the
//! experts' subjects and spreads the load. Pure: the service gathers experts, submissions and current loads.

use std::collections::HashMap;

/// An expert as assignment sees it: where it belongs (for recusal) and what it appraises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertInfo {
    pub id: u64,
    /// The expert's school, if it belongs to one.
    pub school_id: Option<u64>,
    /// The expert's department: its own, or its school's.
    pub department_id: Option<u64>,
    pub subjects: Vec<String>,
}

/// Where the submission comes from and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub submission_id: u64,
    pub school_id: u64,
    pub department_id: u64,
    pub subject: String,
    /// Experts already on it, active or declined: none of them is chosen again.
    pub excluded: Vec<u64>,
    /// How many experts are still to be found.
    pub missing: usize,
}

/// Why an expert may not appraise a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recusal {
    SameSchool,
    SameDepartment,
}

impl Recusal {
    pub fn message(self) -> &'static str {
        match self {
            Recusal::SameSchool => "回避：该专家与申报教师同属一所学校",
            Recusal::SameDepartment => "回避：该专家与申报教师同属一个主管部门",
        }
    }
}

/// Never the teacher's own school; with `recuse_department`, not its department either.
pub fn recusal(expert: &ExpertInfo, school_id: u64, department_id: u64, recuse_department: bool) -> Option<Recusal> {
    if expert.school_id == Some(school_id) {
        return Some(Recusal::SameSchool);
    }
    if recuse_department && expert.department_id == Some(department_id) {
        return Some(Recusal::SameDepartment);
    }
    None
}

/// The result of an automatic assignment: pairs to store, and the submissions that could not be filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub pairs: Vec<(u64, u64)>,
    /// Submission id and why (in Chinese).
    pub unfilled: Vec<(u64, String)>,
}

/// Fills every need with experts whose subjects include its 申报学科, who are not recused and not excluded,
/// choosing the least-loaded first (ties: lower id, so the plan is reproducible). The most constrained
/// submissions (fewest candidates) are served first, so scarce experts go where nobody else can. A submission
/// that cannot get all of its missing experts gets none and is reported, so no half-assigned submission starts.
/// `load` holds each expert's current active assignments and is updated.
pub fn auto_assign(
    needs: &[Need],
    experts: &[ExpertInfo],
    load: &mut HashMap<u64, usize>,
    recuse_department: bool,
) -> Plan {
    let mut candidates: Vec<(&Need, Vec<&ExpertInfo>)> = needs
        .iter()
        .filter(|need| need.missing > 0)
        .map(|need| {
            let eligible = experts
                .iter()
                .filter(|expert| expert.subjects.contains(&need.subject))
                .filter(|expert| !need.excluded.contains(&expert.id))
                .filter(|expert| recusal(expert, need.school_id, need.department_id, recuse_department).is_none())
                .collect();
            (need, eligible)
        })
        .collect();
    candidates.sort_by_key(|(need, eligible)| (eligible.len(), need.submission_id));

    let mut plan = Plan::default();
    for (need, mut eligible) in candidates {
        if eligible.len() < need.missing {
            plan.unfilled.push((
                need.submission_id,
                format!(
                    "申报学科“{}”可分配的专家不足（需要{}位，回避后仅有{}位）",
                    need.subject,
                    need.missing,
                    eligible.len()
                ),
            ));
            continue;
        }
        eligible.sort_by_key(|expert| (load.get(&expert.id).copied().unwrap_or(0), expert.id));
        for expert in eligible.into_iter().take(need.missing) {
            *load.entry(expert.id).or_insert(0) += 1;
            plan.pairs.push((need.submission_id, expert.id));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expert(id: u64, school: Option<u64>, department: u64, subjects: &[&str]) -> ExpertInfo {
        ExpertInfo {
            id,
            school_id: school,
            department_id: Some(department),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn need(id: u64, school: u64, department: u64, subject: &str, missing: usize) -> Need {
        Need {
            submission_id: id,
            school_id: school,
            department_id: department,
            subject: subject.into(),
            excluded: vec![],
            missing,
        }
    }

    #[test]
    fn recusal_excludes_own_school_always_and_department_when_set() {
        let same_school = expert(1, Some(10), 100, &["语文"]);
        let same_department = expert(2, Some(11), 100, &["语文"]);
        let department_expert = ExpertInfo { id: 3, school_id: None, department_id: Some(100), subjects: vec![] };
        assert_eq!(recusal(&same_school, 10, 100, false), Some(Recusal::SameSchool));
        assert_eq!(recusal(&same_department, 10, 100, true), Some(Recusal::SameDepartment));
        assert_eq!(recusal(&same_department, 10, 100, false), None);
        assert_eq!(recusal(&department_expert, 10, 100, true), Some(Recusal::SameDepartment));
        assert_eq!(recusal(&expert(4, Some(20), 200, &[]), 10, 100, true), None);
    }

    #[test]
    fn assigns_matching_unrecused_experts_and_spreads_the_load() {
        let experts = vec![
            expert(1, Some(10), 100, &["语文"]), // the teachers' own school
            expert(2, Some(20), 200, &["语文", "数学"]),
            expert(3, Some(30), 300, &["语文"]),
            expert(4, Some(40), 400, &["语文"]),
            expert(5, Some(50), 500, &["机械"]),
        ];
        let needs: Vec<Need> = (1..=6).map(|id| need(id, 10, 100, "语文", 2)).collect();
        let mut load = HashMap::new();
        let plan = auto_assign(&needs, &experts, &mut load, true);
        assert!(plan.unfilled.is_empty());
        assert_eq!(plan.pairs.len(), 12);
        assert!(plan.pairs.iter().all(|(_, expert)| [2, 3, 4].contains(expert)));
        assert_eq!((load[&2], load[&3], load[&4]), (4, 4, 4));
        for id in 1..=6 {
            let chosen: Vec<u64> = plan.pairs.iter().filter(|(s, _)| *s == id).map(|(_, e)| *e).collect();
            assert_eq!(chosen.len(), 2);
            assert_ne!(chosen[0], chosen[1]);
        }
    }

    #[test]
    fn reports_what_cannot_be_filled_and_never_half_fills() {
        let experts = vec![expert(1, Some(10), 100, &["机械"]), expert(2, Some(20), 200, &["机械"])];
        let mut needs = vec![need(1, 30, 300, "机械", 2), need(2, 20, 200, "机械", 2), need(3, 30, 300, "语文", 2)];
        needs[0].excluded = vec![];
        let mut load = HashMap::new();
        let plan = auto_assign(&needs, &experts, &mut load, true);
        assert_eq!(plan.pairs, vec![(1, 1), (1, 2)]);
        let unfilled: Vec<u64> = plan.unfilled.iter().map(|(id, _)| *id).collect();
        assert_eq!(unfilled.len(), 2);
        assert!(unfilled.contains(&2) && unfilled.contains(&3));
        assert!(plan.unfilled.iter().any(|(_, why)| why.contains("回避后仅有1位")));
    }

    #[test]
    fn a_declined_expert_is_not_chosen_again_when_topping_up() {
        let experts = vec![
            expert(1, Some(10), 100, &["数学"]),
            expert(2, Some(20), 200, &["数学"]),
            expert(3, Some(30), 300, &["数学"]),
        ];
        let mut top_up = need(7, 40, 400, "数学", 1);
        top_up.excluded = vec![1, 2];
        let plan = auto_assign(&[top_up], &experts, &mut HashMap::new(), true);
        assert_eq!(plan.pairs, vec![(7, 3)]);
    }
}
