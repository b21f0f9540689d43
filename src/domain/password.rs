//! The password policy of SPEC §2: 6–18 characters mixing digits and letters, never the default password and
//! never the account's own username (for teachers: their ID digits).

/// Every new or reset account starts with this password and must change it before anything else.
pub const DEFAULT_PASSWORD: &str = "00000000";

/// The manual's wording for the rule, shown beside the form.
pub const RULE_TEXT: &str = "密码长度在6到18位之间数字和字母组合";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    /// Shorter than 6 or longer than 18 characters.
    #[error("密码长度在6到18位之间")]
    Length,
    /// Missing digits or letters, or holding other characters.
    #[error("密码须为数字和字母组合")]
    Mix,
    /// The default password `00000000`.
    #[error("不能使用默认密码")]
    Default,
    /// Equal to, or containing, the username / ID number digits.
    #[error("密码不能包含用户名或身份证号")]
    ContainsUsername,
    /// The confirmation differs from the new password.
    #[error("两次输入的新密码不一致")]
    Mismatch,
}

/// Checks a proposed new password for the account named `username`.
pub fn check(new_password: &str, username: &str) -> Result<(), PasswordPolicyError> {
    let length = new_password.chars().count();
    if !(6..=18).contains(&length) {
        return Err(PasswordPolicyError::Length);
    }
    if new_password == DEFAULT_PASSWORD {
        return Err(PasswordPolicyError::Default);
    }
    let has_digit = new_password.chars().any(|c| c.is_ascii_digit());
    let has_letter = new_password.chars().any(|c| c.is_ascii_alphabetic());
    if !has_digit || !has_letter || !new_password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(PasswordPolicyError::Mix);
    }
    let lower = new_password.to_ascii_lowercase();
    let username_lower = username.to_ascii_lowercase();
    let digits: String = username.chars().filter(char::is_ascii_digit).collect();
    if lower.contains(&username_lower)
        || (digits.len() >= 6 && (lower.contains(&digits) || digits.contains(&lower_digits(&lower))))
    {
        return Err(PasswordPolicyError::ContainsUsername);
    }
    Ok(())
}

/// The digit run of a password, used to refuse a password built from a slice of the ID number.
fn lower_digits(password: &str) -> String {
    let digits: String = password.chars().filter(char::is_ascii_digit).collect();
    // A slice shorter than 6 digits says nothing about the ID; make it impossible to match.
    if digits.len() < 6 { "-".into() } else { digits }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "310109198012283011";

    #[test]
    fn accepts_mixed_passwords_of_the_right_length() {
        assert_eq!(check("abc123", ID), Ok(()));
        assert_eq!(check("Abcdefgh12345678xy", ID), Ok(()));
    }

    #[test]
    fn refuses_each_broken_rule() {
        assert_eq!(check("ab12", ID), Err(PasswordPolicyError::Length));
        assert_eq!(check("abcdefgh123456789xy", ID), Err(PasswordPolicyError::Length));
        assert_eq!(check("abcdefgh", ID), Err(PasswordPolicyError::Mix));
        assert_eq!(check("12345678", ID), Err(PasswordPolicyError::Mix));
        assert_eq!(check("abc 123", ID), Err(PasswordPolicyError::Mix));
        assert_eq!(check("00000000", ID), Err(PasswordPolicyError::Default));
        assert_eq!(check("a198012283011", ID), Err(PasswordPolicyError::ContainsUsername));
        assert_eq!(check("x310109198012283011", ID), Err(PasswordPolicyError::Length));
        assert_eq!(check("admin1x", "admin1"), Err(PasswordPolicyError::ContainsUsername));
    }
}
