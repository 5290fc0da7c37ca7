//! How people find a pathway: the bundle's synonyms.

use super::Validator;
use crate::diag::{codes, Loc};
use crate::load::BundleDoc;
use std::collections::HashMap;

impl Validator {
    /// Checks `synonyms.yaml`: each group has two or more terms, none empty,
    /// and no term stands in two groups (a search for it would be ambiguous).
    pub(super) fn synonyms(&mut self, doc: &BundleDoc) {
        let Some((file, synonyms)) = &doc.synonyms else {
            return;
        };
        let file = *file;
        let mut first: HashMap<String, Loc> = HashMap::new();
        for group in &synonyms.synonyms {
            let loc = Loc::at(file, group.referenced);
            if group.value.len() < 2 {
                self.error(
                    codes::BAD_SYNONYMS,
                    loc,
                    "a synonym group needs at least two terms".into(),
                    "list the words that mean the same, e.g. `- [tummy, stomach, belly]`, or remove the group",
                );
            }
            let mut terms = Vec::with_capacity(group.value.len());
            for term in &group.value {
                let at = Loc::at(file, term.referenced);
                let key = term.value.trim().to_lowercase();
                if key.is_empty() {
                    self.error(
                        codes::BAD_SYNONYMS,
                        at,
                        "an empty synonym".into(),
                        "write the word or phrase, or remove it",
                    );
                    continue;
                }
                if let Some(&earlier) = first.get(&key) {
                    self.error_related(
                        codes::BAD_SYNONYMS,
                        at,
                        format!("`{key}` is already in another synonym group"),
                        "a term may stand in one group only: merge the two groups, or remove one of them",
                        (earlier, "the group it is already in"),
                    );
                    continue;
                }
                first.insert(key, at);
                terms.push(term.value.trim().to_string());
            }
            self.synonyms.push(terms);
        }
    }
}
