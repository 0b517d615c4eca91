//! Canonical composition (NFC, or NFKC on request), gated by the quick check so text that is
//! already normalized, which is nearly all of it, costs one scan.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use super::Step;

#[derive(Debug)]
pub(crate) struct UnicodeForm {
    compatibility: bool,
}

impl UnicodeForm {
    pub(crate) fn new(compatibility: bool) -> Self {
        Self { compatibility }
    }
}

impl Step for UnicodeForm {
    fn applies_to(&self, line: &str) -> bool {
        if line.is_ascii() {
            return false;
        }
        let quick = if self.compatibility { is_nfkc_quick(line.chars()) } else { is_nfc_quick(line.chars()) };
        quick != IsNormalized::Yes
    }

    fn apply(&self, line: &str, out: &mut String) {
        if self.compatibility {
            out.extend(line.nfkc());
        } else {
            out.extend(line.nfc());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_decomposed_text() {
        let nfc = UnicodeForm::new(false);
        let mut out = String::new();
        assert!(nfc.applies_to("Zu\u{308}rich"));
        nfc.apply("Zu\u{308}rich", &mut out);
        assert_eq!(out, "Z\u{fc}rich");
        assert!(!nfc.applies_to("Z\u{fc}rich 10\u{b3}"));
        assert!(UnicodeForm::new(true).applies_to("10\u{b3}"));
    }
}
