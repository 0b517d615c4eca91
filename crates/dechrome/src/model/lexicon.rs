//! The classifier's word lists (stop words, chrome keywords, month and weekday names) as one
//! table keyed by the hash of a lowercased word, so that looking up a token costs one hash.

use std::collections::HashMap;

use crate::identity_hash::IdentityHash;

/// Which lists a word is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WordKinds(u8);

impl WordKinds {
    pub(crate) const STOP: WordKinds = WordKinds(1);
    pub(crate) const CHROME: WordKinds = WordKinds(2);
    pub(crate) const DATE: WordKinds = WordKinds(4);

    pub(crate) fn has(self, kind: WordKinds) -> bool {
        self.0 & kind.0 != 0
    }
}

/// Words by the hash of their lowercase form. A token that is on no list could share a hash
/// with one that is, with odds of one in 2^64.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lexicon {
    words: HashMap<u64, WordKinds, IdentityHash>,
}

/// Lowercases a token into `buffer` (ASCII byte by byte, other letters by Unicode's rules).
pub(crate) fn lowercase_into<'a>(token: &'a str, buffer: &'a mut String) -> &'a str {
    if token.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
        return token;
    }
    buffer.clear();
    if token.is_ascii() {
        buffer.extend(token.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        buffer.extend(token.chars().flat_map(char::to_lowercase));
    }
    buffer
}

impl Lexicon {
    /// Adds `words` (lowercased here) to the list `kind`.
    pub(crate) fn add<'w>(&mut self, kind: WordKinds, words: impl IntoIterator<Item = &'w str>) {
        let mut buffer = String::new();
        for word in words {
            let word = word.trim();
            if word.is_empty() {
                continue;
            }
            let entry = self.words.entry(hash(lowercase_into(word, &mut buffer))).or_default();
            entry.0 |= kind.0;
        }
    }

    /// The lists `lowercase` (a lowercased token) is on.
    pub(crate) fn kinds(&self, lowercase: &str) -> WordKinds {
        self.words.get(&hash(lowercase)).copied().unwrap_or_default()
    }
}

fn hash(word: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whatever_their_case() {
        let mut lexicon = Lexicon::default();
        lexicon.add(WordKinds::STOP, ["the", "Und", "ЭТО"]);
        lexicon.add(WordKinds::CHROME, ["share", "the"]);
        let mut buffer = String::new();
        assert!(lexicon.kinds(lowercase_into("The", &mut buffer)).has(WordKinds::STOP));
        assert!(lexicon.kinds(lowercase_into("THE", &mut buffer)).has(WordKinds::CHROME));
        assert!(lexicon.kinds(lowercase_into("und", &mut buffer)).has(WordKinds::STOP));
        assert!(lexicon.kinds(lowercase_into("Это", &mut buffer)).has(WordKinds::STOP));
        assert!(!lexicon.kinds(lowercase_into("Share", &mut buffer)).has(WordKinds::STOP));
        assert_eq!(lexicon.kinds("market"), WordKinds::default());
    }
}
