//! One way to turn a fieldless enum into its word and back: the word on the wire,
//! in query strings and in the database. Parsing refuses unknown words, so bad data
//! is an error where it is read, never a silent default.

use std::fmt;

/// An enum written as one lower-case word (its serde name).
pub trait Word: Copy + PartialEq + Sized + 'static {
    /// Every value, in the order lists and pickers show them.
    const ALL: &'static [Self];

    /// The word (the serde name, also the value stored in the database).
    fn as_str(self) -> &'static str;

    /// The value whose word is exactly `word`; `None` for any other text.
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == word)
    }

    /// [`Word::parse`] as a `Result`, for decoding stored data.
    fn decode(word: &str) -> Result<Self, UnknownWord> {
        Self::parse(word).ok_or_else(|| UnknownWord { word: word.to_string(), expected: words::<Self>() })
    }
}

/// Every word of `W`, comma-separated, for messages ("new, open, waiting").
pub fn words<W: Word>() -> String {
    W::ALL.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(", ")
}

/// Text that is not one of the words of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub word: String,
    /// The words that would have been accepted.
    pub expected: String,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not one of {}", self.word, self.expected)
    }
}

impl std::error::Error for UnknownWord {}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::agent::Role;
    use crate::api::audit::{AuditAction, AuditTarget};
    use crate::api::organization::Relation;
    use crate::api::outbox::OutboxStatus;
    use crate::api::tickets::{FollowerKind, GroupBy, ItemStatus, ItemType, MessageKind, Priority};
    use crate::contact::ContactKind;
    use crate::properties::PropertyKind;

    /// Every value's word is its serde name and parses back; nothing else parses.
    fn check<W: Word + Serialize + fmt::Debug>() {
        assert!(!W::ALL.is_empty());
        for &value in W::ALL {
            assert_eq!(serde_json::to_string(&value).unwrap(), format!("\"{}\"", value.as_str()));
            assert_eq!(W::parse(value.as_str()), Some(value));
            assert_eq!(W::decode(value.as_str()), Ok(value));
            assert_eq!(W::parse(&value.as_str().to_uppercase()), None, "words are exact");
        }
        assert_eq!(W::parse(""), None);
        let err = W::decode("nonsense").unwrap_err();
        assert_eq!(err.word, "nonsense");
        assert_eq!(err.expected, words::<W>());
    }

    #[test]
    fn every_word_is_the_serde_name_and_reads_back() {
        check::<ItemStatus>();
        check::<Priority>();
        check::<ItemType>();
        check::<GroupBy>();
        check::<MessageKind>();
        check::<FollowerKind>();
        check::<Role>();
        check::<OutboxStatus>();
        check::<PropertyKind>();
        check::<ContactKind>();
        check::<Relation>();
        check::<AuditAction>();
        check::<AuditTarget>();
    }

    #[test]
    fn an_unknown_word_names_the_accepted_ones() {
        let err = ItemStatus::decode("done").unwrap_err();
        assert_eq!(err.to_string(), "\"done\" is not one of new, open, waiting, resolved, closed");
    }
}
