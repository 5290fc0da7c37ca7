//! How people find a pathway: the 111 online topics each pathway serves,
//! and the bundle's synonyms.

use super::Validator;
use crate::diag::{codes, Diagnostic, Loc};
use crate::ir::{Applicability, TopicClaimIr, UnitKind};
use crate::load::BundleDoc;
use crate::model::TopicClaimDoc;
use crate::topics::{self, TopicIdx};
use crate::vocab::Sex;
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

/// A checked claim: the pathway (unit), the topic, where it is written.
struct Claim {
    unit: usize,
    topic: TopicIdx,
    loc: Loc,
}

impl Validator {
    /// Resolves each pathway's `topics:` against the 111 online list: the
    /// title must be on it (E311), offered for some of the pathway's ages and
    /// sexes (E312), and its `start` a node of the pathway (E203). Two
    /// pathways that claim a topic for the same person are warned about
    /// (W313), and so is a pathway with no `topics:` at all (W314).
    pub(super) fn topics(&mut self, doc: &BundleDoc) {
        let mut claims: Vec<Claim> = Vec::new();
        // Pathways are declared first, in order, so pathway `i` is unit `i`.
        for (unit, (file, pathway)) in doc.pathways.iter().enumerate() {
            let file = *file;
            let header = &pathway.pathway;
            let Some(UnitKind::Pathway(applicability)) = self.units.get(unit).map(|u| &u.kind)
            else {
                continue;
            };
            let (from, to, sexes) = (
                applicability.from_years,
                applicability.to_years,
                applicability.sexes.clone(),
            );
            // `topics: []` written out is a decision (reached by search or a
            // jump only); a missing list is more likely an oversight.
            if header.topics.is_none() {
                self.warning(
                    codes::NO_TOPICS,
                    Loc::at(file, header.id.referenced),
                    format!("pathway `{}` declares no 111 online topic", header.id.value),
                    "add `topics:` with the titles of the 111 online topics it serves, e.g. `topics: [Headache]` (`triage coverage` lists them), or `topics: []` if it is meant to be reached only by search or a jump",
                );
            }
            let mut resolved = Vec::new();
            for claim in header.topics.iter().flatten() {
                let (title, title_loc, start) = match &claim.value {
                    TopicClaimDoc::Title(title) => (title.as_str(), claim.referenced, None),
                    TopicClaimDoc::Full { title, start } => {
                        (title.value.as_str(), title.referenced, start.as_ref())
                    }
                };
                let loc = Loc::at(file, title_loc);
                let Some(topic) = topics::find(title) else {
                    let help = self.did_you_mean(
                        title,
                        topics::all().iter().map(|t| t.title.as_str()),
                        "use a title from the 111 online list exactly; `triage coverage` lists them",
                    );
                    self.error(
                        codes::UNKNOWN_TOPIC,
                        loc,
                        format!("`{title}` is not a 111 online topic"),
                        help,
                    );
                    continue;
                };
                let Some(entry) = topics::get(topic) else {
                    continue;
                };
                let ages_served = entry.bands().any(|band| {
                    let (low, high) = band.years();
                    low < to && from < high
                });
                let sexes_served = sexes.iter().any(|s| entry.has_sex(*s));
                if !ages_served || !sexes_served {
                    let bands: Vec<&str> = entry.bands().map(|b| b.label()).collect();
                    let topic_sexes: Vec<&str> = entry.sexes().map(sex_word).collect();
                    self.error(
                        codes::TOPIC_NOT_SERVED,
                        loc,
                        format!(
                            "`{}` is offered for ages {} ({}), and this pathway serves none of them",
                            entry.title,
                            bands.join(", "),
                            topic_sexes.join(" and "),
                        ),
                        "claim the topics this pathway's `ages:` and `sexes:` serve, or widen them",
                    );
                    continue;
                }
                let start = start.and_then(|start| {
                    match self
                        .node_ids
                        .get(unit)
                        .and_then(|ids| ids.get(start.value.as_str()))
                    {
                        Some(&node) => Some(node),
                        None => {
                            let help = self.did_you_mean(
                                &start.value,
                                self.node_ids
                                    .get(unit)
                                    .into_iter()
                                    .flat_map(|ids| ids.keys().map(String::as_str)),
                                "a topic's `start:` must name one of this file's nodes",
                            );
                            self.error(
                                codes::UNKNOWN_NODE,
                                Loc::at(file, start.referenced),
                                format!("the start node `{}` does not exist", start.value),
                                help,
                            );
                            None
                        }
                    }
                });
                if let Some(earlier) = claims.iter().find(|c| c.unit == unit && c.topic == topic) {
                    let earlier = earlier.loc;
                    self.diagnostics.push(
                        Diagnostic::warning(
                            codes::TOPIC_CLAIMED_TWICE,
                            loc,
                            format!("`{}` is claimed twice by this pathway", entry.title),
                        )
                        .with_help("remove one of the two claims")
                        .with_related(earlier, "claimed here first"),
                    );
                    continue;
                }
                claims.push(Claim { unit, topic, loc });
                resolved.push(TopicClaimIr { topic, start });
            }
            if let Some(UnitKind::Pathway(applicability)) =
                self.units.get_mut(unit).map(|u| &mut u.kind)
            {
                applicability.topics = resolved;
            }
        }
        self.report_shared_claims(&claims);
    }

    /// W313: two pathways claim one topic for someone both of them are for.
    fn report_shared_claims(&mut self, claims: &[Claim]) {
        let mut problems = Vec::new();
        for (i, later) in claims.iter().enumerate() {
            for earlier in &claims[..i] {
                if earlier.topic != later.topic || earlier.unit == later.unit {
                    continue;
                }
                let (Some(a), Some(b), Some(topic)) = (
                    self.applicability_of(earlier.unit),
                    self.applicability_of(later.unit),
                    topics::get(later.topic),
                ) else {
                    continue;
                };
                let shared_band = topic.bands().find(|band| {
                    let (low, high) = band.years();
                    let from = a.from_years.max(b.from_years).max(low);
                    let to = a.to_years.min(b.to_years).min(high);
                    from < to
                });
                let shared_sex = a
                    .sexes
                    .iter()
                    .find(|s| b.sexes.contains(s) && topic.has_sex(**s));
                if let (Some(band), Some(sex)) = (shared_band, shared_sex) {
                    problems.push((
                        later.loc,
                        earlier.loc,
                        format!(
                            "`{}` is also claimed by pathway `{}` for {} aged {}",
                            topic.title,
                            self.units[earlier.unit].id,
                            sex_word(*sex),
                            band.label(),
                        ),
                    ));
                }
            }
        }
        for (loc, earlier, message) in problems {
            self.diagnostics.push(
                Diagnostic::warning(codes::TOPIC_CLAIMED_TWICE, loc, message)
                    .with_help("a person who picks the topic would be offered two pathways: narrow one pathway's ages or sexes, or let one of them claim it")
                    .with_related(earlier, "the other claim"),
            );
        }
    }

    fn applicability_of(&self, unit: usize) -> Option<&Applicability> {
        match self.units.get(unit).map(|u| &u.kind) {
            Some(UnitKind::Pathway(a)) => Some(a),
            _ => None,
        }
    }
}

fn sex_word(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "females",
        Sex::Male => "males",
    }
}
