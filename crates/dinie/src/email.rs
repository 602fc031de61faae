//! The e-mail check Dinie applies to registrations: shared by the sandbox (which answers 422
//! with it) and the app (which checks while the agent types), so that both agree.

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enter an e-mail address like nome@exemplo.com.br")]
pub struct InvalidEmail;

/// Checks the shape of an address: one `@`, a non-empty local part, a dotted domain without
/// empty labels, no spaces, at most 254 characters. Whether the mailbox exists is not known.
pub fn check(address: &str) -> Result<(), InvalidEmail> {
    let valid = address.chars().count() <= 254
        && !address.chars().any(char::is_whitespace)
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && domain.split('.').all(|label| !label.is_empty())
        });
    if valid {
        Ok(())
    } else {
        Err(InvalidEmail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(check("ana+fix@example.com.br").is_ok());
        for bad in [
            "ana",
            "ana@",
            "@x.com",
            "ana@x",
            "a b@x.com",
            "a@x..com",
            "a@.x.com",
            "a@x.com.",
            "a@b@c.com",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
