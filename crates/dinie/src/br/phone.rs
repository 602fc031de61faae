use std::fmt;
use std::str::FromStr;

use super::IdentifierError;

const KIND: &str = "phone";

/// Mobile or landline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// 9 digits starting with 9.
    Mobile,
    /// 8 digits starting with 2 to 5.
    Landline,
}

/// A Brazilian phone number, kept in E.164 (`+55` + area code + subscriber number).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    area: String,
    number: String,
}

impl Phone {
    /// Parses `(11) 98765-4321`, `11987654321`, `+55 11 98765-4321` or `5511987654321`.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(13);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => {
                    return Err(IdentifierError::InvalidCharacter {
                        kind: KIND,
                        character: c,
                        position: i + 1,
                    })
                }
            }
        }
        if digits.is_empty() {
            return Err(IdentifierError::Empty { kind: KIND });
        }
        let national = if plus {
            match digits.strip_prefix("55") {
                Some(rest) => rest.to_owned(),
                None => {
                    let code: String = digits.chars().take(3).collect();
                    return Err(IdentifierError::ForeignCountryCode(code));
                }
            }
        } else if (digits.len() == 12 || digits.len() == 13) && digits.starts_with("55") {
            digits[2..].to_owned()
        } else {
            // A leading trunk 0 (`011 98765-4321`) is how many people write long-distance numbers.
            digits.strip_prefix('0').unwrap_or(&digits).to_owned()
        };
        if national.len() != 10 && national.len() != 11 {
            return Err(IdentifierError::WrongLength {
                kind: KIND,
                expected: "10 or 11 (area code + number)",
                found: national.len(),
            });
        }
        let (area, number) = national.split_at(2);
        if area.starts_with('0') || area.ends_with('0') {
            return Err(IdentifierError::InvalidAreaCode(area.to_owned()));
        }
        let valid_number = match number.len() {
            9 => number.starts_with('9'),
            _ => matches!(number.as_bytes()[0], b'2'..=b'5'),
        };
        if !valid_number {
            return Err(IdentifierError::InvalidSubscriberNumber);
        }
        Ok(Self {
            area: area.to_owned(),
            number: number.to_owned(),
        })
    }

    /// `+5511987654321`: the form the API takes.
    pub fn e164(&self) -> String {
        format!("+55{}{}", self.area, self.number)
    }

    /// The two-digit area code (DDD).
    pub fn area_code(&self) -> &str {
        &self.area
    }

    /// Mobile or landline.
    pub fn kind(&self) -> PhoneKind {
        if self.number.len() == 9 {
            PhoneKind::Mobile
        } else {
            PhoneKind::Landline
        }
    }
}

impl FromStr for Phone {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Formats as `+55 (11) 98765-4321` (mobile) or `+55 (11) 3456-7890` (landline).
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let split = self.number.len() - 4;
        write!(
            f,
            "+55 ({}) {}-{}",
            self.area,
            &self.number[..split],
            &self.number[split..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_ways_of_writing_a_number() {
        for input in [
            "(11) 98765-4321",
            "11987654321",
            "+55 11 98765-4321",
            "5511987654321",
            "+5511987654321",
            "011 98765-4321",
        ] {
            let phone = Phone::parse(input).unwrap();
            assert_eq!(phone.e164(), "+5511987654321", "{input}");
            assert_eq!(phone.kind(), PhoneKind::Mobile);
        }
        let landline = Phone::parse("(21) 3456-7890").unwrap();
        assert_eq!(landline.kind(), PhoneKind::Landline);
        assert_eq!(landline.to_string(), "+55 (21) 3456-7890");
    }

    #[test]
    fn refuses_what_is_not_a_brazilian_number() {
        assert!(matches!(
            Phone::parse("+1 415 555 0100"),
            Err(IdentifierError::ForeignCountryCode(_))
        ));
        assert!(matches!(
            Phone::parse("(11) 88765-4321"),
            Err(IdentifierError::InvalidSubscriberNumber)
        ));
        assert!(matches!(
            Phone::parse("(10) 98765-4321"),
            Err(IdentifierError::InvalidAreaCode(_))
        ));
        assert!(matches!(
            Phone::parse("98765-4321"),
            Err(IdentifierError::WrongLength { .. })
        ));
        assert!(matches!(
            Phone::parse("11 9876x-4321"),
            Err(IdentifierError::InvalidCharacter { character: 'x', .. })
        ));
    }
}
