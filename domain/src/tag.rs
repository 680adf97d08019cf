//! Regulator package tags (Metrc's 24-character labels).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a regulator tag.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TagError {
    /// Wrong number of characters.
    #[error("a regulator tag has 24 characters; \"{input}\" has {len}")]
    Length {
        /// What was given.
        input: String,
        /// How many characters it had.
        len: usize,
    },
    /// A character other than A-Z or 0-9.
    #[error("a regulator tag holds only letters and digits; \"{input}\" has '{ch}' at position {position}")]
    Character {
        /// What was given.
        input: String,
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
}

/// A validated 24-character regulator tag, upper case. Parse once at the edge with [`RegulatorTag::parse`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[0-9A-Z]{24}$"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegulatorTag(String);

impl RegulatorTag {
    /// Length of every tag.
    pub const LEN: usize = 24;

    /// Parses a scanned or typed tag: surrounding spaces are ignored, letters are upper-cased.
    pub fn parse(raw: &str) -> Result<Self, TagError> {
        let s = raw.trim();
        let len = s.chars().count();
        if len != Self::LEN {
            return Err(TagError::Length {
                input: s.to_owned(),
                len,
            });
        }
        if let Some((i, ch)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            return Err(TagError::Character {
                input: s.to_owned(),
                ch,
                position: i + 1,
            });
        }
        Ok(Self(s.to_ascii_uppercase()))
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Short form for messages: first three, an ellipsis, last four ("1A4…0123").
    pub fn short(&self) -> String {
        format!("{}…{}", &self.0[..3], &self.0[Self::LEN - 4..])
    }

    /// The tag as staff read it off a label: groups of four, and the last six characters apart.
    /// Returns (leading groups, last six).
    pub fn grouped(&self) -> (String, &str) {
        let head = &self.0[..Self::LEN - 6];
        let groups: Vec<&str> = head
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("tags are ASCII"))
            .collect();
        (groups.join(" "), &self.0[Self::LEN - 6..])
    }
}

impl TryFrom<String> for RegulatorTag {
    type Error = TagError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegulatorTag> for String {
    fn from(t: RegulatorTag) -> String {
        t.0
    }
}

// Hash and Eq of the newtype are those of its string, so maps keyed by tag can be asked by `&str`.
impl std::borrow::Borrow<str> for RegulatorTag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegulatorTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scanned_tag_is_trimmed_and_upper_cased() {
        let t = RegulatorTag::parse(" 1a4ff0100000022000000123\n").unwrap();
        assert_eq!(t.as_str(), "1A4FF0100000022000000123");
        assert_eq!(t.short(), "1A4…0123");
        assert_eq!(t.grouped(), ("1A4F F010 0000 0220 00".to_owned(), "000123"));
    }

    #[test]
    fn a_short_tag_is_refused_with_its_length() {
        let err = RegulatorTag::parse("1A4FF01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a regulator tag has 24 characters; \"1A4FF01\" has 7"
        );
    }

    #[test]
    fn a_tag_with_punctuation_is_refused_naming_the_character() {
        let err = RegulatorTag::parse("1A4FF01000000220000-0123").unwrap_err();
        assert!(err.to_string().contains("'-' at position 20"), "{err}");
    }

    #[test]
    fn deserializing_validates() {
        let bad: Result<RegulatorTag, _> = serde_json::from_str("\"short\"");
        assert!(bad.is_err());
    }
}
