//! Topic coverage: for every topic, age band and sex of the NHS 111 online
//! list, which pathways of a compiled bundle serve it.
//!
//! A topic is served for a band and a sex when the pathways that claim it
//! (`topics:`) and are for that sex cover every age of the band between them.

use crate::compile::CompiledBundle;
use crate::topics;
use crate::vocab::Sex;
use serde::Serialize;

/// The coverage of every topic, with totals.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage<'a> {
    /// Every topic of the list, then the reception points.
    pub topics: Vec<TopicCoverage<'a>>,
    /// How much of the list is served.
    pub totals: Totals,
}

/// One topic: each of its age bands.
#[derive(Debug, Clone, Serialize)]
pub struct TopicCoverage<'a> {
    /// The topic's title.
    pub title: &'a str,
    /// Its id.
    pub id: &'a str,
    /// Reached from the service's start rather than chosen from the list.
    pub reception_point: bool,
    /// Each band it is offered for, youngest first.
    pub bands: Vec<BandCoverage<'a>>,
}

/// One age band of a topic: who serves it for each sex.
#[derive(Debug, Clone, Serialize)]
pub struct BandCoverage<'a> {
    /// The band, as the list writes it (`0-1`, `1-5`, `5-16`, `16+`).
    pub band: &'static str,
    /// Served for every sex the topic is offered for.
    pub served: bool,
    /// Each sex the topic is offered for.
    pub sexes: Vec<SexCoverage<'a>>,
}

/// One sex in one band of a topic.
#[derive(Debug, Clone, Serialize)]
pub struct SexCoverage<'a> {
    /// The sex.
    pub sex: Sex,
    /// Pathways that claim the topic for some age of the band, for this sex.
    pub pathways: Vec<&'a str>,
    /// Whether those pathways cover every age of the band.
    pub served: bool,
}

/// How much of the list is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Topics on the 111 online list (122).
    pub topics: usize,
    /// Of those, the topics served in every band and for every sex listed.
    pub topics_served: usize,
    /// Topic-band pairs on the list (401).
    pub topic_bands: usize,
    /// Of those, the pairs served for every sex listed.
    pub topic_bands_served: usize,
    /// Reception point-band pairs (chest pain, probable stroke, recent fit; 12).
    pub reception_bands: usize,
    /// Of those, the pairs served.
    pub reception_bands_served: usize,
}

/// Which pathways of `bundle` serve each topic of the list.
pub fn coverage(bundle: &CompiledBundle) -> Coverage<'_> {
    let pathways: Vec<_> = bundle.pathways().collect();
    let topics: Vec<TopicCoverage<'_>> = topics::all()
        .iter()
        .map(|topic| {
            let bands = topic
                .bands()
                .map(|band| {
                    let sexes: Vec<SexCoverage<'_>> = topic
                        .sexes()
                        .map(|sex| {
                            let (low, high) = band.years();
                            let claims: Vec<_> = pathways
                                .iter()
                                .filter(|p| p.sexes.contains(&sex))
                                .filter(|p| p.topics.iter().any(|t| t.id == topic.id))
                                .filter(|p| {
                                    p.ages.from < high && low < p.ages.to.unwrap_or(f64::INFINITY)
                                })
                                .collect();
                            let served = covers(
                                claims
                                    .iter()
                                    .map(|p| (p.ages.from, p.ages.to.unwrap_or(f64::INFINITY))),
                                low,
                                high,
                            );
                            SexCoverage {
                                sex,
                                pathways: claims.iter().map(|p| p.id).collect(),
                                served,
                            }
                        })
                        .collect();
                    BandCoverage {
                        band: band.label(),
                        served: sexes.iter().all(|s| s.served),
                        sexes,
                    }
                })
                .collect();
            TopicCoverage {
                title: &topic.title,
                id: &topic.id,
                reception_point: topic.reception_point,
                bands,
            }
        })
        .collect();
    let totals = totals(&topics);
    Coverage { topics, totals }
}

fn totals(topics: &[TopicCoverage<'_>]) -> Totals {
    let (reception, listed): (Vec<_>, Vec<_>) = topics.iter().partition(|t| t.reception_point);
    let bands = |list: &[&TopicCoverage<'_>]| list.iter().map(|t| t.bands.len()).sum();
    let served = |list: &[&TopicCoverage<'_>]| {
        list.iter()
            .flat_map(|t| &t.bands)
            .filter(|b| b.served)
            .count()
    };
    Totals {
        topics: listed.len(),
        topics_served: listed
            .iter()
            .filter(|t| t.bands.iter().all(|b| b.served))
            .count(),
        topic_bands: bands(&listed),
        topic_bands_served: served(&listed),
        reception_bands: bands(&reception),
        reception_bands_served: served(&reception),
    }
}

/// Whether the age ranges `[from, to)` together cover every age in `[low, high)`.
fn covers(ranges: impl Iterator<Item = (f64, f64)>, low: f64, high: f64) -> bool {
    let mut ranges: Vec<(f64, f64)> = ranges.collect();
    ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reached = low;
    for (from, to) in ranges {
        if from > reached {
            break;
        }
        reached = reached.max(to);
    }
    reached >= high
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn ranges_cover_a_band_only_without_a_gap() {
        let inf = f64::INFINITY;
        assert!(covers([(0.0, 16.0)].into_iter(), 1.0, 5.0));
        assert!(covers([(3.0, inf), (0.0, 3.0)].into_iter(), 1.0, 5.0));
        assert!(!covers([(0.0, 2.0), (3.0, inf)].into_iter(), 1.0, 5.0));
        assert!(!covers([(2.0, inf)].into_iter(), 1.0, 5.0));
        assert!(covers([(16.0, inf)].into_iter(), 16.0, inf));
        assert!(!covers(std::iter::empty(), 16.0, inf));
    }
}
