//! What the pathway list and symptom search show: pathways with their
//! header, topics and reachable dispositions, ranked for what a person types.

use super::{CompiledBundle, PathwayId};
use crate::ir::{SourceIr, UnitIdx, UnitKind};
use crate::model::SexDoc;
use crate::vocab::Patient;
use serde::Serialize;

/// What the pathway list and symptom search show about a pathway.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PathwayInfo<'a> {
    /// Id, e.g. `chest-pain`.
    pub id: &'a str,
    /// Title (English).
    pub title: &'a str,
    /// Content version.
    pub version: &'a str,
    /// One-line summary (English).
    pub summary: Option<&'a str>,
    /// Ages it is for.
    pub ages: AgesInfo,
    /// Sexes it is for.
    pub sexes: &'a [SexDoc],
    /// The NHS 111 online topics it serves.
    pub topics: Vec<TopicInfo<'a>>,
    /// Search keywords.
    pub keywords: &'a [String],
    /// Public guidance it follows.
    pub sources: Vec<SourceInfo<'a>>,
    /// Ids of the dispositions someone of the ages it serves can reach from
    /// its start, most urgent first (without the `authoring` feature, every
    /// disposition its graph reaches, whatever the age).
    pub dispositions: Vec<&'a str>,
}

/// A 111 online topic a pathway serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TopicInfo<'a> {
    /// Stable id, e.g. `arm-injury-blunt`; pass it as `topic` to start where it starts.
    pub id: &'a str,
    /// Title as 111 online shows it, e.g. `Arm Injury, Blunt`.
    pub title: &'a str,
    /// The node a journey for this topic starts at, when not the pathway's start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<&'a str>,
}

/// One result of [`CompiledBundle::search`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SearchHit<'a> {
    /// The pathway found.
    #[serde(flatten)]
    pub pathway: PathwayInfo<'a>,
    /// The topic of the pathway that fits the person and the words best;
    /// pass its id to start where it starts.
    pub topic: Option<TopicInfo<'a>>,
    /// How well the words matched (higher is better; 0 without words and
    /// for a catch-all added at the end).
    pub score: f64,
    /// The words typed that matched, as normalised (lower case, British spelling).
    pub matched: Vec<String>,
    /// A catch-all ("Other Symptoms") added at the end so that nobody is left
    /// without a pathway.
    pub fallback: bool,
}

/// The ages a pathway is for, in years.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgesInfo {
    /// Youngest, inclusive.
    pub from: f64,
    /// Age at which it stops applying, exclusive; `None` for no limit.
    pub to: Option<f64>,
}

/// A public source a pathway follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SourceInfo<'a> {
    /// Title.
    pub title: &'a str,
    /// URL.
    pub url: &'a str,
}

impl CompiledBundle {
    /// Every pathway, in load order.
    pub fn pathways(&self) -> impl Iterator<Item = PathwayInfo<'_>> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.kind, UnitKind::Pathway(_)))
            .filter_map(|(index, _)| self.pathway_info(PathwayId(UnitIdx::try_from(index).ok()?)))
    }

    /// What the list and search show about one pathway.
    pub fn pathway_info(&self, pathway: PathwayId) -> Option<PathwayInfo<'_>> {
        let unit = self.units.get(usize::from(pathway.0))?;
        let UnitKind::Pathway(applicability) = &unit.kind else {
            return None;
        };
        Some(PathwayInfo {
            id: &unit.id,
            title: unit.title.english(),
            version: &unit.version,
            summary: unit.summary.as_ref().map(|s| s.english()),
            ages: AgesInfo {
                from: applicability.from_years,
                to: applicability
                    .to_years
                    .is_finite()
                    .then_some(applicability.to_years),
            },
            sexes: &applicability.sexes,
            topics: applicability
                .topics
                .iter()
                .filter_map(|claim| {
                    let topic = crate::topics::get(claim.topic)?;
                    let start = claim
                        .start
                        .and_then(|node| self.ir_nodes.get(node as usize))
                        .map(|node| node.id.as_str());
                    Some(TopicInfo {
                        id: &topic.id,
                        title: &topic.title,
                        start,
                    })
                })
                .collect(),
            keywords: &applicability.keywords,
            sources: unit
                .sources
                .iter()
                .map(|SourceIr { title, url }| SourceInfo { title, url })
                .collect(),
            dispositions: self
                .reachable
                .get(usize::from(pathway.0))
                .map(|ds| {
                    ds.iter()
                        .filter_map(|d| self.dispositions.get(usize::from(*d)))
                        .map(|d| d.id.as_str())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Symptom search, as on 111 online: the pathways for this person (if
    /// given) that match the words (if given), best first, each with its
    /// score, the words that matched and the topic it matched best.
    ///
    /// Without words, every pathway for the person is listed by title. With
    /// words, the catch-all pathways (`fallback: true`, such as "Other
    /// Symptoms") for the person come last if the words did not find them,
    /// so nobody is left without a pathway. The same bundle and words always
    /// give the same list. Words are matched by stem, by synonym, across compound words and with spelling tolerance.
    ///
    /// ```
    /// # let built = triage_core::build_dir("../pathways".as_ref());
    /// # let bundle = built.bundle.unwrap();
    /// use triage_core::eval::{Patient, Sex};
    /// let adult = Patient::new(40, 0, Sex::Female);
    /// let hits = bundle.search(Some(&adult), Some("throwing up and the runs"));
    /// assert_eq!(hits[0].pathway.id, "diarrhoea-and-vomiting");
    /// assert!(hits.last().unwrap().fallback);
    /// ```
    pub fn search(&self, patient: Option<&Patient>, words: Option<&str>) -> Vec<SearchHit<'_>> {
        let admits = |unit: UnitIdx| patient.is_none_or(|p| self.applicable(PathwayId(unit), p));
        let words = words.map(str::trim).filter(|w| !w.is_empty());
        let mut hits: Vec<SearchHit<'_>> = match words {
            None => {
                let mut all: Vec<SearchHit<'_>> = self
                    .search_units
                    .iter()
                    .filter(|unit| admits(**unit))
                    .filter_map(|unit| self.hit(*unit, patient, 0.0, Vec::new(), false))
                    .collect();
                all.sort_by(|a, b| {
                    a.pathway
                        .title
                        .to_lowercase()
                        .cmp(&b.pathway.title.to_lowercase())
                        .then_with(|| a.pathway.id.cmp(b.pathway.id))
                });
                return all;
            }
            Some(words) => self
                .search
                .query(words, |document| {
                    self.search_units.get(document).is_some_and(|u| admits(*u))
                })
                .into_iter()
                .filter_map(|hit| {
                    let unit = *self.search_units.get(hit.document)?;
                    let score = (hit.score * 1000.0).round() / 1000.0;
                    self.hit(unit, patient, score, hit.matched, false)
                })
                .collect(),
        };
        for unit in &self.fallbacks {
            if admits(*unit) && !hits.iter().any(|h| h.pathway.id == self.unit_id(*unit)) {
                hits.extend(self.hit(*unit, patient, 0.0, Vec::new(), true));
            }
        }
        hits
    }

    /// One search result for pathway `unit`.
    fn hit(
        &self,
        unit: UnitIdx,
        patient: Option<&Patient>,
        score: f64,
        matched: Vec<String>,
        fallback: bool,
    ) -> Option<SearchHit<'_>> {
        let pathway = self.pathway_info(PathwayId(unit))?;
        // The topic offered to this person that shares most words with the
        // query; the first listed of those that share as many.
        let claims = match self.unit(unit).map(|u| &u.kind) {
            Some(UnitKind::Pathway(a)) => a.topics.as_slice(),
            _ => &[],
        };
        let offered = |index: &usize| {
            let topic = claims.get(*index).and_then(|c| crate::topics::get(c.topic));
            match (patient, topic) {
                (Some(p), Some(t)) => t.offered(p.age_in_years(), p.sex),
                (None, Some(_)) => true,
                (_, None) => false,
            }
        };
        let shared = |index: usize| {
            pathway.topics.get(index).map_or(0, |topic| {
                matched
                    .iter()
                    .filter(|w| {
                        topic
                            .title
                            .split(|c: char| !c.is_alphanumeric())
                            .any(|t| t.eq_ignore_ascii_case(w))
                    })
                    .count()
            })
        };
        let topic = (0..pathway.topics.len())
            .filter(offered)
            .max_by_key(|i| (shared(*i), std::cmp::Reverse(*i)))
            .and_then(|i| pathway.topics.get(i).cloned());
        Some(SearchHit {
            pathway,
            topic,
            score,
            matched,
            fallback,
        })
    }
}
