//! Gift card codes: 16 characters from an alphabet with no look-alikes (no 0/O, 1/I), the
//! last one a Luhn mod 32 check character, so a mistyped character or two swapped neighbours
//! are caught before any lookup — a typo is answered "check the code", never counted as a
//! guess against the card. The 15 random characters carry 75 bits: unguessable, and the
//! server stores only a keyed hash of the code.
//!
//! A code is shown grouped (`7QX4-M9RD-…`); input may be grouped by dashes or spaces, in any case.

use crate::DomainError;

/// The 32 characters a code is made of.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code, the check character included.
pub const CODE_CHARS: usize = 16;
/// Random characters in a code.
pub const RANDOM_CHARS: usize = CODE_CHARS - 1;

/// A well-formed gift card code, upper case and without separators.
#[derive(Clone, PartialEq, Eq)]
pub struct GiftCardCode(String);

impl std::fmt::Debug for GiftCardCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A code is a bearer secret: logs and panics show its last four characters only.
        write!(f, "GiftCardCode(…{})", self.last4())
    }
}

fn value_of(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|a| *a == c)
}

/// The Luhn mod 32 check character of `payload`.
fn check_char(payload: &[u8]) -> Option<u8> {
    let n = ALPHABET.len();
    let mut sum = 0;
    for (index, c) in payload.iter().rev().enumerate() {
        let mut value = value_of(*c)?;
        if index % 2 == 0 {
            value *= 2;
            value = value / n + value % n;
        }
        sum += value;
    }
    Some(ALPHABET[(n - sum % n) % n])
}

impl GiftCardCode {
    /// A code from 15 random bytes (the caller draws them: the domain has no randomness).
    pub fn from_random(bytes: [u8; RANDOM_CHARS]) -> Self {
        // 256 is a multiple of 32, so `% 32` draws every character equally often.
        let mut code: Vec<u8> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()]).collect();
        let check = check_char(&code).unwrap_or(ALPHABET[0]);
        code.push(check);
        Self(String::from_utf8_lossy(&code).into_owned())
    }

    /// Reads a code as a person typed it; `field` names the input in the refusal.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let cleaned: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        if cleaned.chars().count() != CODE_CHARS {
            return Err(DomainError::invalid(field, format!("a gift card code has {CODE_CHARS} characters")));
        }
        let bytes = cleaned.as_bytes();
        if bytes.iter().any(|b| value_of(*b).is_none()) {
            return Err(DomainError::invalid(
                field,
                "a gift card code has only letters and digits 2–9 (no 0, 1, I, O)",
            ));
        }
        let (payload, check) = bytes.split_at(RANDOM_CHARS);
        if check_char(payload) != Some(check[0]) {
            return Err(DomainError::invalid(field, "this is not a valid gift card code; check it was typed right"));
        }
        Ok(Self(cleaned))
    }

    /// The code as stored nowhere and hashed: 16 characters, no separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code grouped by four for people (`7QX4-M9RD-2KHP-WX3A`).
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
    }

    /// Its last four characters: what staff see to tell cards apart.
    pub fn last4(&self) -> &str {
        &self.0[CODE_CHARS - 4..]
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_drawn_code_reads_back_in_any_grouping_and_case() {
        let code = GiftCardCode::from_random([7; RANDOM_CHARS]);
        assert_eq!(code.as_str().len(), CODE_CHARS);
        let grouped = code.grouped();
        assert_eq!(grouped.len(), CODE_CHARS + 3);
        assert_eq!(GiftCardCode::parse("code", &grouped), Ok(code.clone()));
        assert_eq!(GiftCardCode::parse("code", &grouped.to_lowercase().replace('-', " ")), Ok(code.clone()));
        assert_eq!(code.last4(), &code.as_str()[12..]);
        assert!(!format!("{code:?}").contains(&code.as_str()[..12]), "Debug hides the code");
    }

    #[test]
    fn malformed_codes_are_refused_naming_the_field() {
        for raw in ["", "ABC", "0000-0000-0000-0000", "IIII-IIII-IIII-IIII", "ABCD-EFGH-JKMN-PQRST"] {
            let refused = GiftCardCode::parse("payments[0].reference", raw);
            assert!(
                matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "payments[0].reference"),
                "{raw}: {refused:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn one_wrong_character_is_caught(bytes in proptest::array::uniform15(any::<u8>()), at in 0..CODE_CHARS, by in 1..32usize) {
            let code = GiftCardCode::from_random(bytes);
            let mut typo = code.as_str().as_bytes().to_vec();
            let value = value_of(typo[at]).unwrap_or(0);
            typo[at] = ALPHABET[(value + by) % 32];
            let typo = String::from_utf8(typo).unwrap_or_default();
            prop_assert!(GiftCardCode::parse("code", &typo).is_err());
        }

        #[test]
        fn swapped_neighbours_are_caught_when_they_differ(bytes in proptest::array::uniform15(any::<u8>()), at in 0..CODE_CHARS - 1) {
            let code = GiftCardCode::from_random(bytes);
            let mut swapped = code.as_str().as_bytes().to_vec();
            prop_assume!(swapped[at] != swapped[at + 1]);
            // Luhn mod N misses one pair of values swapped (0 and N-1's twin); allow for it.
            let pair = (value_of(swapped[at]).unwrap_or(0), value_of(swapped[at + 1]).unwrap_or(0));
            prop_assume!(pair != (0, 31) && pair != (31, 0));
            swapped.swap(at, at + 1);
            let swapped = String::from_utf8(swapped).unwrap_or_default();
            prop_assert!(GiftCardCode::parse("code", &swapped).is_err());
        }
    }
}
