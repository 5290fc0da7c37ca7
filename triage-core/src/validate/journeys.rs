//! What journeys show: every text has words for each person who can reach
//! it (E407), and every outcome says why it was reached (W408).
//!
//! Both are found by one forward pass over the (acyclic) graph in
//! topological order. Who can reach a node is tracked as a set of age
//! cells, narrowed by branches on `age` and `age_months`; a module's nodes
//! get the union of their callers', so the sets only ever over-approximate
//! and a missing variant is never overlooked.

use super::Validator;
use crate::diag::{codes, Loc};
use crate::expr::Interval;
use crate::ir::*;
use crate::model::{LanguageText, TextDoc};
use crate::vocab::{Audience, Language, YOUNGEST_ANSWERING_ALONE};

/// Ages at which the audiences a person can be change, in years.
const CELLS: [(f64, f64); 4] = [
    (0.0, 1.0),
    (1.0, YOUNGEST_ANSWERING_ALONE),
    (YOUNGEST_ANSWERING_ALONE, 16.0),
    (16.0, f64::INFINITY),
];

/// A set of age cells, one bit per entry of [`CELLS`].
type Cells = u8;

/// The cells an age interval (in years) touches.
fn cells_of(interval: &Interval) -> Cells {
    CELLS
        .iter()
        .enumerate()
        .filter(|(_, (from, below))| Interval::band(*from, *below).overlaps(interval))
        .fold(0, |set, (i, _)| set | 1 << i)
}

/// The audiences a person in `cells` can be, answering either way, as [`Audience`] bits.
fn audiences_of(cells: Cells) -> u8 {
    let each = [
        Audience::Baby.bit(),
        Audience::Toddler.bit(),
        Audience::Child.bit() | Audience::Myself.bit(),
        Audience::Myself.bit() | Audience::Other.bit(),
    ];
    each.iter()
        .enumerate()
        .filter(|(i, _)| cells & (1 << i) != 0)
        .fold(0, |set, (_, bits)| set | bits)
}

/// The audiences a set of variants serves: its own, and toddlers where it has
/// `child` words but none for toddlers.
fn with_fallbacks(given: u8) -> u8 {
    if given & Audience::Child.bit() != 0 {
        given | Audience::Toddler.bit()
    } else {
        given
    }
}

/// The audiences named in an [`Audience`] bit set, as authors write them.
fn audience_words(set: u8) -> String {
    Audience::ALL
        .iter()
        .filter(|a| set & a.bit() != 0)
        .map(|a| format!("`{}`", a.word()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The audiences an English text speaks to by its words: "your baby",
/// "your child", "you", or "they" and "the person"; none for neutral words.
fn implied_audiences(text: &str) -> u8 {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let phrase = |p: &str| words.windows(2).any(|pair| pair.join(" ") == p);
    let mut set = 0;
    if phrase("your baby") {
        set |= Audience::Baby.bit();
    }
    if phrase("your child") || phrase("your son") || phrase("your daughter") {
        set |= Audience::Child.bit() | Audience::Toddler.bit();
    }
    if phrase("your toddler") {
        set |= Audience::Toddler.bit();
    }
    if set != 0 {
        return set;
    }
    if ["you", "your", "yourself", "you're", "you've"]
        .iter()
        .any(|w| has(w))
    {
        set |= Audience::Myself.bit();
    }
    if phrase("the person")
        || ["they", "them", "their", "they're", "they've"]
            .iter()
            .any(|w| has(w))
    {
        set |= Audience::Other.bit();
    }
    set
}

/// Who reaches each node, and whether a journey can reach it without any reason.
struct Reach {
    cells: Vec<Cells>,
    /// Some journey reaches the node having met no reason.
    unexplained: Vec<bool>,
}

impl Reach {
    fn add(&mut self, target: &Target, cells: Cells, unexplained: bool) {
        if let Target::Node(n) = target {
            if let Some(slot) = self.cells.get_mut(*n as usize) {
                *slot |= cells;
            }
            if let Some(slot) = self.unexplained.get_mut(*n as usize) {
                *slot |= unexplained;
            }
        }
    }
}

impl Validator {
    /// E407 and W408 (see the module docs).
    pub(super) fn check_journey_texts(&mut self, topological: &[NodeIdx]) {
        let count = self.nodes.len();
        let returns_unexplained = self.returns_unexplained(topological);
        let mut reach = Reach {
            cells: vec![0; count],
            unexplained: vec![false; count],
        };
        for unit in &self.units {
            if let UnitKind::Pathway(a) = &unit.kind {
                let ages = Interval::band(a.from_years, a.to_years);
                reach.add(&Target::Node(unit.start), cells_of(&ages), true);
            }
        }
        // Who reaches each catalogue entry: outcomes and answers that give it.
        let mut disposition_cells = vec![0 as Cells; self.dispositions.len()];
        let mut advice_cells = vec![0 as Cells; self.advice.len()];
        let mut give = |advice: &[AdviceIdx], cells: Cells| {
            for a in advice {
                if let Some(slot) = advice_cells.get_mut(*a as usize) {
                    *slot |= cells;
                }
            }
        };
        let mut unexplained_outcomes = Vec::new();
        for &n in topological {
            let (cells, unexplained) = (reach.cells[n as usize], reach.unexplained[n as usize]);
            if cells == 0 && !unexplained {
                continue;
            }
            let Some(node) = self.node(n) else { continue };
            match &node.kind {
                NodeKindIr::Question(q) => {
                    for answer in &q.answers {
                        give(&answer.advice, cells);
                        let still = unexplained && answer.reason.is_none();
                        reach.add(&answer.next, cells, still);
                    }
                }
                NodeKindIr::Branch(BranchIr::Cases {
                    cases, otherwise, ..
                }) => {
                    for (condition, target) in cases {
                        let narrowed = condition
                            .age_interval()
                            .map_or(cells, |ages| cells & cells_of(&ages));
                        reach.add(target, narrowed, unexplained);
                    }
                    reach.add(otherwise, cells, unexplained);
                }
                NodeKindIr::Branch(BranchIr::Bands { on, bands }) => {
                    for (from, below, target) in bands {
                        let narrowed = on
                            .age_band(*from, *below)
                            .map_or(cells, |ages| cells & cells_of(&ages));
                        reach.add(target, narrowed, unexplained);
                    }
                }
                NodeKindIr::Outcome(o) => {
                    give(&o.advice, cells);
                    if let Some(slot) = disposition_cells.get_mut(o.disposition as usize) {
                        *slot |= cells;
                    }
                    if unexplained && o.reason.is_none() {
                        unexplained_outcomes.push(n);
                    }
                }
                NodeKindIr::Call { module, next } => {
                    let start = self.units[*module as usize].start;
                    reach.add(&Target::Node(start), cells, unexplained);
                    let after = unexplained && returns_unexplained[start as usize];
                    reach.add(next, cells, after);
                }
                NodeKindIr::Goto { at, .. } => reach.add(&Target::Node(*at), cells, unexplained),
            }
        }
        for (d, disposition) in self.dispositions.iter().enumerate() {
            for a in &disposition.advice {
                if let Some(slot) = advice_cells.get_mut(*a as usize) {
                    *slot |= disposition_cells[d];
                }
            }
        }
        self.report_audiences(&reach.cells, &disposition_cells, &advice_cells);
        for n in unexplained_outcomes {
            let Some(node) = self.node(n) else { continue };
            let (loc, id) = (node.loc, node.id.clone());
            self.warning(
                codes::NO_REASON,
                loc,
                format!("a journey can reach outcome `{id}` without meeting any reason, so the person would not be told why"),
                "add `reason:` to the outcome, in words the person will understand (e.g. `reason: None of the warning signs of a sore throat`), or give the answers that lead here a `reason:`",
            );
        }
    }

    /// For each node, whether some journey from it reaches its module's
    /// `return` without meeting a reason (read at calls).
    fn returns_unexplained(&self, topological: &[NodeIdx]) -> Vec<bool> {
        let mut free = vec![false; self.nodes.len()];
        let leads = |free: &[bool], t: &Target| match t {
            Target::Return => true,
            Target::Node(n) => free.get(*n as usize).copied().unwrap_or(false),
        };
        for &n in topological.iter().rev() {
            let Some(node) = self.node(n) else { continue };
            let value = match &node.kind {
                NodeKindIr::Question(q) => q
                    .answers
                    .iter()
                    .any(|a| a.reason.is_none() && leads(&free, &a.next)),
                NodeKindIr::Branch(BranchIr::Cases {
                    cases, otherwise, ..
                }) => cases.iter().any(|(_, t)| leads(&free, t)) || leads(&free, otherwise),
                NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
                    bands.iter().any(|(_, _, t)| leads(&free, t))
                }
                NodeKindIr::Call { module, next } => {
                    let start = self.units[*module as usize].start as usize;
                    free.get(start).copied().unwrap_or(false) && leads(&free, next)
                }
                NodeKindIr::Outcome(_) | NodeKindIr::Goto { .. } => false,
            };
            free[n as usize] = value;
        }
        free
    }

    /// E407 for every text whose audiences do not cover those who reach it;
    /// W409 for a question's plain text that speaks to one audience ("Do you
    /// ...?") when others reach it too.
    fn report_audiences(&mut self, cells: &[Cells], dispositions: &[Cells], advice: &[Cells]) {
        let mut problems: Vec<(Loc, String, u8)> = Vec::new();
        let mut voices: Vec<(Loc, String, u8, u8)> = Vec::new();
        let mut check = |text: &TextDoc, what: &str, where_: &str, loc: Loc, cells: Cells| {
            let needed = audiences_of(cells);
            for (language, words) in text.languages() {
                let Some(given) = words.audiences().map(with_fallbacks) else {
                    // Help, advice and titles speak to the reader, whoever that is;
                    // a question's words speak about the person.
                    let spoken = matches!(what, "text" | "label" | "reason");
                    let implied = match words {
                        LanguageText::All(text) if spoken && language == Language::En => {
                            implied_audiences(text)
                        }
                        _ => 0,
                    };
                    if implied != 0 && needed & !implied != 0 {
                        voices.push((
                            loc,
                            format!("the {what} of {where_}"),
                            implied,
                            needed & !implied,
                        ));
                    }
                    continue;
                };
                let missing = needed & !given;
                if missing != 0 {
                    let language = match language {
                        Language::En => "",
                        Language::Cy => " (Welsh)",
                    };
                    problems.push((loc, format!("the {what}{language} of {where_}"), missing));
                }
            }
        };
        for (n, node) in self.nodes.iter().enumerate() {
            let (Some(node), Some(&reached)) = (node, cells.get(n)) else {
                continue;
            };
            if reached == 0 {
                continue;
            }
            let where_ = format!("`{}`", node.id);
            match &node.kind {
                NodeKindIr::Question(q) => {
                    check(&q.text, "text", &where_, node.loc, reached);
                    if let Some(help) = &q.help {
                        check(help, "help", &where_, node.loc, reached);
                    }
                    if let Some(unit) = &q.unit {
                        check(unit, "unit", &where_, node.loc, reached);
                    }
                    for a in &q.answers {
                        let answer = format!("answer `{}` of `{}`", a.id, node.id);
                        check(&a.label, "label", &answer, a.loc, reached);
                        if let Some(reason) = &a.reason {
                            check(&reason.text, "reason", &answer, a.loc, reached);
                        }
                    }
                }
                NodeKindIr::Outcome(o) => {
                    if let Some(reason) = &o.reason {
                        check(&reason.text, "reason", &where_, node.loc, reached);
                    }
                }
                _ => {}
            }
        }
        for (d, disposition) in self.dispositions.iter().enumerate() {
            let reached = dispositions.get(d).copied().unwrap_or(0);
            let where_ = format!("disposition `{}`", disposition.id);
            check(
                &disposition.title,
                "title",
                &where_,
                disposition.loc,
                reached,
            );
            if let Some(description) = &disposition.description {
                check(
                    description,
                    "description",
                    &where_,
                    disposition.loc,
                    reached,
                );
            }
        }
        for (i, entry) in self.advice.iter().enumerate() {
            let reached = advice.get(i).copied().unwrap_or(0);
            let where_ = format!("care advice `{}`", entry.id);
            check(&entry.title, "heading", &where_, entry.loc, reached);
            check(&entry.text, "advice", &where_, entry.loc, reached);
        }
        for (loc, what, implied, others) in voices {
            self.warning(
                codes::ONE_VOICE,
                loc,
                format!(
                    "{what} speaks to {}, but {} can reach it too",
                    audience_words(implied),
                    audience_words(others)
                ),
                "write it per audience (`self`: \"Do you...\", `other`: \"Do they...\", `child`: \"Does your child...\", `baby`: \"Does your baby...\") for those who reach it, or in words that suit everyone",
            );
        }
        for (loc, what, missing) in problems {
            self.error(
                codes::AUDIENCE_MISSING,
                loc,
                format!("{what} has no words for {}, who can reach it", audience_words(missing)),
                "add the missing audiences (`self`: the person, \"Do you...\"; `other`: someone answering for an adult, \"Do they...\"; `child`: someone answering for a child of 5 to 15; `toddler`: a parent of a child of 1 to 4, where the `child` words do not suit; `baby`: a parent of a baby), or write one text for everyone",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Audience::{Baby, Child, Myself, Other, Toddler};

    fn set(audiences: &[Audience]) -> u8 {
        audiences.iter().fold(0, |set, a| set | a.bit())
    }

    #[test]
    fn the_words_of_a_text_say_whom_it_speaks_to() {
        let cases: [(&str, &[Audience]); 14] = [
            ("Is your baby feeding?", &[Baby]),
            ("Can your child swallow?", &[Child, Toddler]),
            ("Is your son drowsy?", &[Child, Toddler]),
            ("Is your daughter drowsy?", &[Child, Toddler]),
            ("Is your toddler drinking?", &[Toddler]),
            ("Are your baby and your toddler both ill?", &[Baby, Toddler]),
            ("Do you have a cough?", &[Myself]),
            ("Your cough: how long?", &[Myself]),
            ("Have you've been abroad?", &[Myself]),
            ("Do they have a cough?", &[Other]),
            ("Is the person awake?", &[Other]),
            ("They're breathing fast", &[Other]),
            ("Do you or they smoke?", &[Myself, Other]),
            ("What is the temperature?", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(implied_audiences(text), set(expected), "{text}");
        }
    }

    #[test]
    fn ages_map_to_cells_and_cells_to_the_audiences_a_person_can_be() {
        let band = |from: f64, below: f64| cells_of(&Interval::band(from, below));
        assert_eq!(band(0.0, f64::INFINITY), 0b1111);
        assert_eq!(band(0.0, 1.0), 0b0001);
        assert_eq!(band(1.0, 5.0), 0b0010);
        assert_eq!(band(0.5, 5.0), 0b0011);
        assert_eq!(band(5.0, 16.0), 0b0100);
        assert_eq!(band(16.0, f64::INFINITY), 0b1000);
        assert_eq!(band(10.0, 20.0), 0b1100);
        assert_eq!(audiences_of(0b0001), set(&[Baby]));
        assert_eq!(audiences_of(0b0010), set(&[Toddler]));
        assert_eq!(audiences_of(0b0100), set(&[Child, Myself]));
        assert_eq!(audiences_of(0b1000), set(&[Myself, Other]));
        assert_eq!(audiences_of(0b0101), set(&[Baby, Child, Myself]));
        assert_eq!(
            audiences_of(0b1111),
            set(&[Baby, Toddler, Child, Myself, Other])
        );
        assert_eq!(audiences_of(0), 0);
    }

    #[test]
    fn child_words_serve_toddlers_too_and_sets_are_named_as_authors_write_them() {
        assert_eq!(with_fallbacks(set(&[Child])), set(&[Child, Toddler]));
        assert_eq!(with_fallbacks(set(&[Myself, Other])), set(&[Myself, Other]));
        assert_eq!(with_fallbacks(set(&[Baby])), set(&[Baby]));
        assert_eq!(audience_words(set(&[Other, Baby])), "`other`, `baby`");
        assert_eq!(audience_words(set(&[Myself])), "`self`");
        assert_eq!(audience_words(0), "");
    }
}
