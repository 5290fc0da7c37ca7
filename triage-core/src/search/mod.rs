//! Symptom search: what a person types, ranked against each pathway's title,
//! topics, keywords and summary.
//!
//! One ranking for every caller (the CLI, the browser, any service). Text is
//! analysed the same way for the index and the query: lower case, words
//! split at anything but letters and digits, US spellings made British,
//! common words dropped, the bundle's synonym phrases (`synonyms.yaml`)
//! replaced by one concept each, and every other word reduced to its English
//! stem (Porter 2). Pathways are ranked with BM25F: a word counts for more in
//! a title than in a summary, and for less the more pathways use it, so
//! "pain" or "my" do not drown the word that decides. A query word the index
//! does not know is split into two words it knows ("bellyache"), or matched
//! to the indexed words it nearly spells or starts, at a reduced weight
//! ("diarea", "vommiting", "abdomin"); an indexed word made of two others
//! ("nosebleed") is found by either.
//!
//! The index is built once, when the bundle is compiled; a query touches
//! only the index.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// US spellings and their British forms, one `us<TAB>british` pair a line.
const SPELLINGS: &str = include_str!("spellings.tsv");

/// Words too common in a search to tell pathways apart.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but",
    "by", "can", "could", "did", "do", "does", "doing", "for", "from", "get", "getting", "got",
    "had", "has", "have", "having", "he", "her", "him", "his", "how", "i", "if", "im", "in",
    "into", "is", "it", "its", "ive", "just", "keep", "keeps", "kind", "like", "little", "lot",
    "me", "mine", "my", "of", "off", "on", "or", "our", "really", "she", "since", "so", "some",
    "still", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "to", "too", "very", "was", "we", "were", "what", "when", "which", "who", "why", "will",
    "with", "would", "you", "your", "youre",
];

/// How much a word counts in each field of a pathway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
pub(crate) enum Field {
    /// The pathway's title.
    Title,
    /// The titles of the 111 online topics it serves.
    Topic,
    /// Its search keywords.
    Keyword,
    /// Its one-line summary.
    Summary,
}

impl Field {
    const COUNT: usize = 4;

    fn weight(self) -> f64 {
        match self {
            Field::Title => 3.0,
            Field::Topic => 2.5,
            Field::Keyword => 2.0,
            Field::Summary => 0.6,
        }
    }
}

/// BM25's saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.5;
/// Weight of a word found by spelling tolerance rather than exactly.
const FUZZY: f64 = 0.7;
/// Weight of a word found two edits away, and not sounding the same.
const FAR: f64 = 0.4;
/// Weight of a word found as the start of an indexed word.
const PREFIX: f64 = 0.6;
/// Shortest part of a word made of two ("nose" + "bleed").
const SHORTEST_PART: usize = 3;

/// A term of the index: a stem, or a synonym group's concept.
type TermId = u32;

/// Text analysis shared by the index and queries. In a compiled artifact it
/// is its synonym phrases; the stemmer is made again when it is read.
#[derive(Serialize, Deserialize)]
#[serde(into = "AnalyserParts", from = "AnalyserParts")]
pub(crate) struct Analyser {
    stemmer: rust_stemmers::Stemmer,
    /// Synonym phrases by the stem of their first word: each phrase's word
    /// stems and its concept.
    phrases: HashMap<String, Vec<(Vec<String>, String)>>,
}

impl std::fmt::Debug for Analyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyser")
            .field("phrases", &self.phrases.len())
            .finish_non_exhaustive()
    }
}

impl Clone for Analyser {
    fn clone(&self) -> Analyser {
        Analyser {
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            phrases: self.phrases.clone(),
        }
    }
}

/// What an [`Analyser`] is made of, as a compiled artifact carries it.
#[derive(Serialize, Deserialize)]
struct AnalyserParts {
    #[serde(serialize_with = "crate::artifact::wire::sorted_map")]
    phrases: HashMap<String, Vec<(Vec<String>, String)>>,
}

impl From<Analyser> for AnalyserParts {
    fn from(analyser: Analyser) -> AnalyserParts {
        AnalyserParts {
            phrases: analyser.phrases,
        }
    }
}

impl From<AnalyserParts> for Analyser {
    fn from(parts: AnalyserParts) -> Analyser {
        Analyser {
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            phrases: parts.phrases,
        }
    }
}

fn spellings() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        SPELLINGS
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(us, british)| (us.trim(), british.trim()))
            .collect()
    })
}

/// A word's rough sound, for spelling tolerance: `ae` and `oe` as `e`, `ph`
/// and a final `ough` as `f` and `of`, `c` before `e`, `i` or `y` as `s`, `h`
/// after a letter dropped, doubled letters single ("diarrhoea", "diarhea" and
/// "diarea" all give "diarea"; "cough" and "coff" give "cof").
fn skeleton(word: &str) -> String {
    let mut word = word
        .replace("ae", "e")
        .replace("oe", "e")
        .replace("ph", "f")
        .replace("ce", "se")
        .replace("ci", "si")
        .replace("cy", "sy");
    if let Some(stem) = word.strip_suffix("ough") {
        word = format!("{stem}of");
    }
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        if (i > 0 && c == 'h') || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Lower-case words of `text`: letters and digits, apostrophes dropped
/// ("can't" is "cant"), US spellings made British.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            let british = spellings().get(word.as_str()).copied();
            out.push(british.map_or_else(|| std::mem::take(word), str::to_string));
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // Inside a word: "can't" -> "cant", "child's" -> "childs".
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl Analyser {
    /// An analyser with the bundle's synonym groups.
    pub(crate) fn new(synonyms: &[Vec<String>]) -> Analyser {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let mut phrases: HashMap<String, Vec<(Vec<String>, String)>> = HashMap::new();
        for (index, group) in synonyms.iter().enumerate() {
            let concept = format!("#{index}");
            for term in group {
                let stems: Vec<String> = words(term)
                    .iter()
                    .map(|w| stemmer.stem(w).into_owned())
                    .collect();
                if let Some(first) = stems.first() {
                    phrases
                        .entry(first.clone())
                        .or_default()
                        .push((stems, concept.clone()));
                }
            }
        }
        Analyser { stemmer, phrases }
    }

    fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }

    /// The term of one word: its synonym concept, or its stem.
    fn term_of(&self, word: &str) -> String {
        let stem = self.stem(word);
        self.phrases
            .get(&stem)
            .and_then(|candidates| candidates.iter().find(|(phrase, _)| phrase.len() == 1))
            .map_or(stem, |(_, concept)| concept.clone())
    }

    /// The terms of `text`, each with the word (or phrase) typed that gave
    /// it: synonym phrases as their concept, other words (not the common
    /// ones) as stems.
    pub(crate) fn analyse(&self, text: &str) -> Vec<(String, String)> {
        let words = words(text);
        let stems: Vec<String> = words.iter().map(|w| self.stem(w)).collect();
        let mut terms = Vec::new();
        let mut at = 0;
        while at < words.len() {
            // The longest phrase that starts here, so "being sick" wins over "sick".
            let longest = self
                .phrases
                .get(&stems[at])
                .into_iter()
                .flatten()
                .filter(|(phrase, _)| stems.get(at..at + phrase.len()) == Some(phrase.as_slice()))
                .max_by_key(|(phrase, _)| phrase.len());
            if let Some((phrase, concept)) = longest {
                let end = at + phrase.len();
                terms.push((concept.clone(), words[at..end].join(" ")));
                at = end;
                continue;
            }
            let word = &words[at];
            if !STOP_WORDS.contains(&word.as_str()) {
                terms.push((stems[at].clone(), word.clone()));
            }
            at += 1;
        }
        terms
    }
}

/// One pathway as the index holds it: how often each term occurs in each field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Document {
    /// `(term, field, count)`, sorted by term.
    postings: Vec<(TermId, Field, u16)>,
    /// Terms in each field.
    lengths: [u32; Field::COUNT],
}

/// A word seen in the index, as written (normalised): for spelling
/// tolerance, prefixes and compounds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Surface {
    word: String,
    skeleton: String,
    term: TermId,
}

/// The search index of a bundle's pathways.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Index {
    analyser: Analyser,
    #[serde(serialize_with = "crate::artifact::wire::sorted_map")]
    terms: HashMap<String, TermId>,
    /// Sorted by word.
    surfaces: Vec<Surface>,
    /// Indexed like the pathways given to [`Index::build`].
    documents: Vec<Document>,
    /// Pathways whose documents hold each term.
    document_frequency: Vec<u32>,
    /// The documents that hold each term, in order, so that a query scores
    /// only those. Made from `documents` (never read from an artifact).
    #[serde(skip)]
    holders: Vec<Vec<u32>>,
    average_lengths: [f64; Field::COUNT],
}

/// The texts of one pathway to index, by field.
pub(crate) struct Indexed<'a> {
    pub(crate) fields: Vec<(Field, &'a str)>,
}

/// A pathway the query matched: its position among the pathways indexed, its
/// score, and the words of the query that matched it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub(crate) document: usize,
    pub(crate) score: f64,
    pub(crate) matched: Vec<String>,
}

/// The two parts of `word` that `known` recognises ("bellyache" -> belly,
/// ache), trying the longest first part first.
fn split<T>(word: &str, known: impl Fn(&str) -> Option<T>) -> Option<(T, T)> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    if chars.len() < 2 * SHORTEST_PART {
        return None;
    }
    (SHORTEST_PART..=chars.len() - SHORTEST_PART)
        .rev()
        .find_map(|at| {
            let (byte, _) = chars[at];
            let first = known(&word[..byte])?;
            let second = known(&word[byte..])?;
            Some((first, second))
        })
}

impl Index {
    /// How many documents (pathways) it indexes.
    pub(crate) fn documents(&self) -> usize {
        self.documents.len()
    }

    /// Indexes `pathways` (in the order later hits refer to) with `synonyms`.
    pub(crate) fn build(pathways: &[Indexed<'_>], synonyms: &[Vec<String>]) -> Index {
        let analyser = Analyser::new(synonyms);
        let mut terms: HashMap<String, TermId> = HashMap::new();
        let mut surfaces: BTreeMap<String, TermId> = BTreeMap::new();
        // Per pathway: (term, field) occurrences, and each word with its field.
        let mut occurrences: Vec<Vec<(TermId, Field)>> = Vec::with_capacity(pathways.len());
        let mut seen: Vec<Vec<(String, Field)>> = Vec::with_capacity(pathways.len());
        for pathway in pathways {
            let mut found = Vec::new();
            let mut written = Vec::new();
            for (field, text) in &pathway.fields {
                for (term, surface) in analyser.analyse(text) {
                    let next = TermId::try_from(terms.len()).unwrap_or(TermId::MAX);
                    let id = *terms.entry(term).or_insert(next);
                    surfaces.entry(surface.clone()).or_insert(id);
                    found.push((id, *field));
                    written.push((surface, *field));
                }
            }
            occurrences.push(found);
            seen.push(written);
        }
        // A word made of two indexed words also counts as both ("nosebleed").
        let known = |part: &str| terms.get(&analyser.term_of(part)).copied();
        for (found, written) in occurrences.iter_mut().zip(&seen) {
            for (surface, field) in written {
                if surface.contains(' ') {
                    continue;
                }
                if let Some((a, b)) = split(surface, known) {
                    found.push((a, *field));
                    found.push((b, *field));
                }
            }
        }
        let documents: Vec<Document> = occurrences
            .into_iter()
            .map(|found| {
                let mut document = Document::default();
                // Sorted by term, as `score` looks terms up.
                let mut counts: BTreeMap<(TermId, Field), u16> = BTreeMap::new();
                for (term, field) in found {
                    *counts.entry((term, field)).or_insert(0) += 1;
                    if let Some(length) = document.lengths.get_mut(field as usize) {
                        *length += 1;
                    }
                }
                document.postings = counts
                    .into_iter()
                    .map(|((term, field), count)| (term, field, count))
                    .collect();
                document
            })
            .collect();
        let mut document_frequency = vec![0u32; terms.len()];
        for document in &documents {
            let mut last = None;
            for (term, _, _) in &document.postings {
                if last != Some(*term) {
                    if let Some(df) = document_frequency.get_mut(*term as usize) {
                        *df += 1;
                    }
                    last = Some(*term);
                }
            }
        }
        let mut average_lengths = [0.0; Field::COUNT];
        for (field, average) in average_lengths.iter_mut().enumerate() {
            let total: u32 = documents.iter().map(|d| d.lengths[field]).sum();
            *average = f64::from(total) / documents.len().max(1) as f64;
        }
        let surfaces: Vec<Surface> = surfaces
            .into_iter()
            .map(|(word, term)| Surface {
                skeleton: skeleton(&word),
                word,
                term,
            })
            .collect();
        Index {
            analyser,
            terms,
            surfaces,
            documents,
            document_frequency,
            holders: Vec::new(),
            average_lengths,
        }
        .with_holders()
    }

    /// The index with its lists of documents per term made from its
    /// documents: after building, and after reading it from an artifact.
    pub(crate) fn with_holders(mut self) -> Index {
        let mut holders: Vec<Vec<u32>> = vec![Vec::new(); self.document_frequency.len()];
        for (index, document) in self.documents.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let mut last = None;
            for (term, _, _) in &document.postings {
                if last != Some(*term) {
                    if let Some(list) = holders.get_mut(*term as usize) {
                        list.push(index);
                    }
                    last = Some(*term);
                }
            }
        }
        self.holders = holders;
        self
    }

    /// The terms a query word stands for, each with its weight: itself when
    /// indexed, else the two indexed words it is made of, else the indexed
    /// words it nearly spells or starts.
    fn expand(&self, term: &str, surface: &str) -> Vec<Vec<(TermId, f64)>> {
        if let Some(&id) = self.terms.get(term) {
            return vec![vec![(id, 1.0)]];
        }
        if term.starts_with('#') || surface.contains(' ') {
            return Vec::new();
        }
        let known = |part: &str| self.terms.get(&self.analyser.term_of(part)).copied();
        if let Some((a, b)) = split(surface, known) {
            return vec![vec![(a, 1.0)], vec![(b, 1.0)]];
        }
        let length = surface.chars().count();
        let allowed = match length {
            0..=3 => return Vec::new(),
            4..=5 => 1,
            _ => 2,
        };
        let sound = skeleton(surface);
        let mut found: Vec<(TermId, f64)> = Vec::new();
        let mut add = |id: TermId, weight: f64| match found.iter_mut().find(|(t, _)| *t == id) {
            Some((_, w)) => *w = w.max(weight),
            None => found.push((id, weight)),
        };
        // Typing mistakes seldom change the first letter: only words that
        // start with the same one are tried (they sit together, sorted).
        let Some(first) = surface.chars().next() else {
            return Vec::new();
        };
        let mut buffer = [0u8; 4];
        let first = &*first.encode_utf8(&mut buffer);
        let from = self.surfaces.partition_point(|s| s.word.as_str() < first);
        let same_first = self.surfaces[from..]
            .iter()
            .take_while(|s| s.word.starts_with(first));
        for candidate in same_first {
            let word = candidate.word.as_str();
            if word.len() > surface.len() && word.starts_with(surface) {
                add(candidate.term, PREFIX);
                continue;
            }
            let distance = if word.chars().count().abs_diff(length) <= allowed {
                strsim::osa_distance(word, surface)
            } else {
                usize::MAX
            };
            // Short words must sound the same; longer ones may differ by a letter.
            let sounds_alike = if length >= 5 {
                candidate.skeleton.len().abs_diff(sound.len()) <= 1
                    && strsim::osa_distance(&candidate.skeleton, &sound) <= 1
            } else {
                candidate.skeleton == sound
            };
            if sounds_alike || distance <= 1 {
                add(candidate.term, FUZZY);
            } else if distance <= allowed {
                add(candidate.term, FAR);
            }
        }
        if found.is_empty() {
            Vec::new()
        } else {
            vec![found]
        }
    }

    /// BM25F score of `term` in `document`.
    fn score(&self, document: &Document, term: TermId) -> f64 {
        let start = document.postings.partition_point(|(t, _, _)| *t < term);
        let weighted: f64 = document.postings[start..]
            .iter()
            .take_while(|(t, _, _)| *t == term)
            .map(|(_, field, count)| {
                let index = *field as usize;
                let length = f64::from(document.lengths[index]);
                let average = self.average_lengths[index].max(1.0);
                field.weight() * f64::from(*count) / (1.0 - B + B * length / average)
            })
            .sum();
        if weighted == 0.0 {
            return 0.0;
        }
        let n = self.documents.len() as f64;
        let df = f64::from(
            self.document_frequency
                .get(term as usize)
                .copied()
                .unwrap_or(0),
        );
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        idf * weighted * (K1 + 1.0) / (weighted + K1)
    }

    /// The documents `text` matches, with their scores and matched words,
    /// best first (ties by position); only documents `wanted` admits.
    pub(crate) fn query(&self, text: &str, wanted: impl Fn(usize) -> bool) -> Vec<Hit> {
        // Each query word: the terms it may stand for, and the word as typed.
        let mut query: Vec<(Vec<(TermId, f64)>, &str)> = Vec::new();
        let analysed = self.analyser.analyse(text);
        for (term, surface) in &analysed {
            if query.iter().any(|(_, s)| s == surface) {
                continue;
            }
            for alternatives in self.expand(term, surface) {
                query.push((alternatives, surface));
            }
        }
        // Only the documents that hold a term of the query can match.
        let mut candidates: Vec<u32> = query
            .iter()
            .flat_map(|(terms, _)| terms.iter())
            .filter_map(|(term, _)| self.holders.get(*term as usize))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits = Vec::new();
        for index in candidates {
            let index = index as usize;
            let Some(document) = self.documents.get(index) else {
                continue;
            };
            if !wanted(index) {
                continue;
            }
            let mut score = 0.0;
            let mut matched: Vec<String> = Vec::new();
            for (terms, surface) in &query {
                let best = terms
                    .iter()
                    .map(|(term, weight)| weight * self.score(document, *term))
                    .fold(0.0, f64::max);
                if best > 0.0 {
                    score += best;
                    if !matched.iter().any(|m| m == surface) {
                        matched.push((*surface).to_string());
                    }
                }
            }
            if score > 0.0 {
                hits.push(Hit {
                    document: index,
                    score,
                    matched,
                });
            }
        }
        // Best first; documents are visited in order and the sort is
        // stable, so an equal score keeps the earlier document first.
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(pathways: &[&[(Field, &str)]], synonyms: &[&[&str]]) -> Index {
        let synonyms: Vec<Vec<String>> = synonyms
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect();
        let indexed: Vec<Indexed<'_>> = pathways
            .iter()
            .map(|fields| Indexed {
                fields: fields.to_vec(),
            })
            .collect();
        Index::build(&indexed, &synonyms)
    }

    fn best(index: &Index, text: &str) -> Option<usize> {
        index.query(text, |_| true).first().map(|h| h.document)
    }

    #[test]
    fn words_are_lower_case_british_and_without_apostrophes() {
        assert_eq!(
            words("Can't stop the DIARRHEA!"),
            ["cant", "stop", "the", "diarrhoea"]
        );
        assert_eq!(skeleton("diarrhoea"), "diarea");
        assert_eq!(skeleton("diarhea"), "diarea");
        assert_eq!(skeleton("cough"), skeleton("coff"));
        assert_eq!(skeleton("sliced"), skeleton("slised"));
    }

    #[test]
    fn endings_synonyms_spellings_compounds_and_typos_find_the_pathway() {
        let index = index(
            &[
                &[
                    (Field::Title, "Diarrhoea and vomiting"),
                    (Field::Keyword, "stomach bug"),
                ],
                &[
                    (Field::Title, "Abdominal pain"),
                    (Field::Keyword, "tummy ache"),
                ],
                &[(Field::Title, "Burns and scalds"), (Field::Keyword, "burn")],
                &[
                    (Field::Title, "Nosebleed"),
                    (Field::Keyword, "bleeding gums"),
                ],
            ],
            &[
                &["being sick", "vomit", "throw up"],
                &["tummy", "stomach", "belly", "abdomen", "abdominal"],
                &["nose", "snout"],
            ],
        );
        assert_eq!(best(&index, "vomited"), Some(0));
        assert_eq!(best(&index, "keep throwing up"), Some(0));
        assert_eq!(best(&index, "diarrhea"), Some(0));
        assert_eq!(best(&index, "diarea"), Some(0));
        assert_eq!(best(&index, "diahorrea"), Some(0));
        assert_eq!(best(&index, "vommiting"), Some(0));
        assert_eq!(best(&index, "belly hurts"), Some(1));
        assert_eq!(best(&index, "bellyache"), Some(1));
        assert_eq!(best(&index, "abdomin"), Some(1));
        assert_eq!(best(&index, "burnt my hand"), Some(2));
        assert_eq!(best(&index, "my nose is bleeding"), Some(3));
        assert_eq!(best(&index, "xyz"), None);
    }

    #[test]
    fn common_words_count_for_less_than_the_word_that_decides() {
        let index = index(
            &[
                &[
                    (Field::Title, "Chest pain"),
                    (Field::Keyword, "pain in chest"),
                ],
                &[
                    (Field::Title, "Back pain"),
                    (Field::Keyword, "pain in back"),
                ],
                &[(Field::Title, "Ear pain"), (Field::Keyword, "pain in ear")],
            ],
            &[],
        );
        let hits = index.query("pain in my back", |_| true);
        assert_eq!(hits[0].document, 1);
        assert_eq!(hits[0].matched, ["pain", "back"]);
        assert!(hits[0].score > 2.0 * hits[1].score, "{hits:?}");
    }
}
