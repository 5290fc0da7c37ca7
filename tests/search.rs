//! Symptom search on the shipped bundle, as patients phrase things: the
//! held-out corpus in `tests/corpus/*.yaml` (lay words, misspellings, parents
//! describing a child, slang; one file per area of content) must put a
//! pathway that serves one of the expected topics (or, for a pathway reached
//! only by search, is one of the expected pathways) in the first three
//! results for at least 95% of phrasings, in every file and overall.

#[path = "support/shipped.rs"]
mod shipped;

use serde::Deserialize;
use shipped::bundle;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Patient, Sex};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    phrasings: Vec<Phrasing>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Phrasing {
    text: String,
    age: u32,
    #[serde(default)]
    months: u32,
    sex: Sex,
    #[serde(default)]
    topics: Vec<String>,
    /// Pathways that serve the person without a 111 online topic of their
    /// own (`topics: []`, such as `indigestion`).
    #[serde(default)]
    pathways: Vec<String>,
}

/// The lowest share of phrasings whose topic must be in the first three results.
const TOP_THREE_TARGET: f64 = 0.95;

/// Every corpus file, by name, in name order.
fn corpus_files() -> Vec<(String, Corpus)> {
    shipped::yaml_files("tests/corpus")
}

fn corpus() -> Corpus {
    Corpus {
        phrasings: corpus_files()
            .into_iter()
            .flat_map(|(_, corpus)| corpus.phrasings)
            .collect(),
    }
}

#[test]
fn every_corpus_file_finds_its_topic_in_the_first_three_results() {
    let bundle = bundle();
    let files = corpus_files();
    assert!(files.len() >= 2, "the corpus has {} files", files.len());
    for (name, corpus) in &files {
        assert!(!corpus.phrasings.is_empty(), "{name} has no phrasings");
        let top3 = corpus
            .phrasings
            .iter()
            .filter(|p| rank(bundle, p).is_some_and(|r| r < 3))
            .count();
        let share = top3 as f64 / corpus.phrasings.len() as f64;
        println!(
            "{name}: {} phrasings; top-3 {:.1}%",
            corpus.phrasings.len(),
            100.0 * share
        );
        assert!(
            share >= TOP_THREE_TARGET,
            "{name}: top-3 is {:.1}%, under the {:.0}% target",
            100.0 * share,
            100.0 * TOP_THREE_TARGET
        );
    }
}

/// The rank (0-based) of the first result serving one of `topics`, if any.
fn rank(bundle: &CompiledBundle, phrasing: &Phrasing) -> Option<usize> {
    let patient = Patient::new(phrasing.age, phrasing.months, phrasing.sex);
    bundle
        .search(Some(&patient), Some(&phrasing.text))
        .iter()
        .position(|hit| {
            phrasing.pathways.iter().any(|want| want == hit.pathway.id)
                || hit
                    .pathway
                    .topics
                    .iter()
                    .any(|t| phrasing.topics.iter().any(|want| want == t.title))
        })
}

#[test]
fn the_phrasing_corpus_finds_its_topic_in_the_first_three_results() {
    let bundle = bundle();
    let corpus = corpus();
    assert!(
        corpus.phrasings.len() >= 250,
        "the corpus has {} phrasings",
        corpus.phrasings.len()
    );
    let ranks: Vec<Option<usize>> = corpus.phrasings.iter().map(|p| rank(bundle, p)).collect();
    let total = ranks.len() as f64;
    let top1 = ranks.iter().filter(|r| **r == Some(0)).count();
    let top3 = ranks.iter().filter(|r| r.is_some_and(|r| r < 3)).count();
    println!(
        "search corpus: {} phrasings; top-1 {:.1}% ({top1}), top-3 {:.1}% ({top3})",
        ranks.len(),
        100.0 * top1 as f64 / total,
        100.0 * top3 as f64 / total,
    );
    let misses: Vec<String> = corpus
        .phrasings
        .iter()
        .zip(&ranks)
        .filter(|(_, r)| !r.is_some_and(|r| r < 3))
        .map(|(p, r)| {
            let patient = Patient::new(p.age, p.months, p.sex);
            let found: Vec<String> = bundle
                .search(Some(&patient), Some(&p.text))
                .iter()
                .take(3)
                .map(|h| h.pathway.id.to_string())
                .collect();
            format!(
                "  {:?} (age {}, {:?}): want {:?}, rank {:?}, got {:?}",
                p.text, p.age, p.sex, p.topics, r, found
            )
        })
        .collect();
    println!("not in the first three:\n{}", misses.join("\n"));
    assert!(
        top3 as f64 / total >= TOP_THREE_TARGET,
        "top-3 is {:.1}%, under the {:.0}% target",
        100.0 * top3 as f64 / total,
        100.0 * TOP_THREE_TARGET
    );
}

#[test]
fn every_search_ends_with_a_catch_all_and_names_what_matched() {
    let bundle = bundle();
    for (patient, words) in [
        (Patient::new(30, 0, Sex::Female), "zzzz qqqq"),
        (Patient::new(7, 0, Sex::Male), "tummy hurts"),
        (Patient::new(0, 4, Sex::Female), "not herself"),
    ] {
        let hits = bundle.search(Some(&patient), Some(words));
        // The catch-all for the person is always there: found by the words,
        // or added at the end.
        let catch_all = hits
            .iter()
            .position(|h| ["other-symptoms", "unwell-baby"].contains(&h.pathway.id));
        assert!(
            catch_all.is_some_and(|at| !hits[at].fallback || at + 1 == hits.len()),
            "{words:?}: {:?}",
            hits.iter().map(|h| h.pathway.id).collect::<Vec<_>>()
        );
        assert!(hits.iter().all(|h| h.fallback || !h.matched.is_empty()));
    }
    let hits = bundle.search(Some(&Patient::new(7, 0, Sex::Male)), Some("Tummy HURTS!"));
    assert_eq!(hits[0].pathway.id, "abdominal-pain-child");
    assert!(
        hits[0].matched.contains(&"tummy".to_string()),
        "{:?}",
        hits[0].matched
    );
    assert!(hits[0].score > 0.0);
    // The same words always give the same list.
    assert_eq!(
        hits,
        bundle.search(Some(&Patient::new(7, 0, Sex::Male)), Some("Tummy HURTS!"))
    );
}
