//! Properties over generated bundles and random journeys.
//!
//! A generator writes random but valid bundles (a random acyclic graph of
//! every kind of question and branch, outcomes, a module that returns, a
//! second pathway reached by `goto`), and random people walk them:
//!
//! - generated valid bundles validate with no errors;
//! - every journey of valid answers ends at a disposition within a bound, the
//!   stateless [`evaluate`] agrees with the [`Session`], and a journey with an
//!   "I'm not sure" answer never ends in self-care;
//! - random, mostly wrong answers never panic, and a refused answer leaves the
//!   session exactly as it was;
//! - sessions survive a JSON round trip unchanged.
//!
//! The same journeys are also walked on the shipped bundle (`pathways/`).

use proptest::prelude::*;
use std::fmt::Write as _;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{evaluate, Answer, AnswerValue, Patient, Sex, Step};
use triage_core::load::Sources;
use triage_core::model::{QuestionKindDoc, ServiceDoc};
use triage_core::session::Session;

// ---------------------------------------------------------------------------
// A small deterministic random source, so a failing case is replayed from its seed.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % ((high - low + 1).max(1) as u64)) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

const DISPOSITIONS: &str = "\
dispositions:
  - id: emergency
    code: Dx010
    title: Call 999 now
    service: ambulance
    act_within_minutes: 0
    rank: 1
  - id: urgent-gp
    code: Dx050
    title: Speak to a GP within 2 hours
    service: gp
    act_within_minutes: 120
    rank: 2
  - id: pharmacy
    code: Dx080
    title: Ask a pharmacist
    service: pharmacy
    rank: 3
  - id: home
    code: Dx100
    title: Look after yourself at home
    service: self_care
    rank: 4
    advice: [advice-a]
";

const CARE_ADVICE: &str = "\
care_advice:
  - id: advice-a
    title: Rest
    text: Rest and drink fluids.
  - id: advice-b
    title: If it gets worse
    text: Call 111 if it gets worse.
";

/// Outcome nodes every unit has. Not-sure answers go only to the first two.
const ENDS: &[(&str, &str)] = &[
    ("end-emergency", "emergency"),
    ("end-gp", "urgent-gp"),
    ("end-pharmacy", "pharmacy"),
    ("end-home", "home"),
];
const SAFE_ENDS: &[&str] = &["end-emergency", "end-gp"];

const MODULE_ID: &str = "screen";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    YesNo,
    Single,
    Multiple,
    Number,
    Cases,
    Bands,
    Call,
    Goto,
}

/// One node of a unit before it is written out.
struct Planned {
    id: String,
    kind: Kind,
    /// `single` / `multiple`: option ids.
    options: Vec<String>,
    /// `number`: inclusive range.
    range: (i64, i64),
}

/// The names a unit's answers and expressions may use.
struct Names {
    flag: String,
    level: String,
    score: String,
}

/// A unit being generated.
struct UnitGen<'r> {
    rng: &'r mut Rng,
    is_module: bool,
    nodes: Vec<Planned>,
    names: Names,
    /// The other pathway, for `goto`.
    goto_target: Option<(String, Vec<String>)>,
}

impl UnitGen<'_> {
    /// Where node `i`'s answers may lead: a later node or an outcome (or, in
    /// the module, back to the caller).
    fn target(&mut self, i: usize) -> String {
        let later = self.nodes.len().saturating_sub(i + 1);
        if later > 0 && self.rng.chance(90) {
            let skip = if self.rng.chance(60) {
                0
            } else {
                self.rng.below(later.min(3))
            };
            let j = i + 1 + skip;
            return self.nodes[j].id.clone();
        }
        if self.is_module && self.rng.chance(50) {
            return "return".to_string();
        }
        self.rng.pick(ENDS).0.to_string()
    }

    fn safe_target(&mut self) -> String {
        self.rng.pick(SAFE_ENDS).to_string()
    }

    /// Optional extras of an answer: reason, report, advice, set, add.
    fn extras(&mut self, out: &mut String, indent: &str) {
        if self.rng.chance(30) {
            let code = self.rng.below(1000);
            let _ = writeln!(out, "{indent}reason: Reason {code}");
            let _ = writeln!(out, "{indent}reason_code: r-{code}");
        }
        if self.rng.chance(20) {
            let _ = writeln!(out, "{indent}report: \"Reported: {}\"", self.rng.below(100));
        }
        if self.rng.chance(20) {
            let advice = *self.rng.pick(&["advice-a", "advice-b"]);
            let _ = writeln!(out, "{indent}advice: [{advice}]");
        }
        if self.rng.chance(25) {
            if self.rng.chance(50) {
                let _ = writeln!(out, "{indent}set: {{ {}: true }}", self.names.flag);
            } else {
                let value = self.rng.between(0, 9);
                let _ = writeln!(out, "{indent}set: {{ {}: {value} }}", self.names.level);
            }
        }
        if self.rng.chance(25) {
            let value = self.rng.between(1, 3);
            let _ = writeln!(out, "{indent}add: {{ {}: {value} }}", self.names.score);
        }
    }

    fn answer(&mut self, out: &mut String, i: usize, head: &str, indent: &str) {
        let next = self.target(i);
        let _ = writeln!(out, "{head}next: {next}");
        self.extras(out, indent);
    }

    fn not_sure(&mut self, out: &mut String) {
        if self.rng.chance(60) {
            let next = self.safe_target();
            let _ = writeln!(out, "      not_sure:\n        next: {next}");
        }
    }

    /// A condition that holds exactly on one interval of one number.
    fn interval_condition(&mut self) -> String {
        let numbers: Vec<&Planned> = self
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::Number)
            .collect();
        let number = (!numbers.is_empty()).then(|| {
            let n = self.rng.pick(&numbers);
            (n.id.clone(), n.range)
        });
        match self.rng.below(6) {
            0 => format!("age < {}", self.rng.between(1, 90)),
            1 => format!("age >= {}", self.rng.between(1, 90)),
            2 => {
                let low = self.rng.between(0, 40);
                format!("age in {low}..{}", low + self.rng.between(1, 40))
            }
            3 => format!("age_months < {}", self.rng.between(1, 60)),
            4 => format!("{} > {}", self.var_level(), self.rng.between(0, 9)),
            _ => match number {
                Some((id, (min, max))) => format!("answer.{id} >= {}", self.rng.between(min, max)),
                None => format!("score.{} >= {}", self.names.score, self.rng.between(1, 5)),
            },
        }
    }

    fn var_level(&self) -> String {
        format!("var.{}", self.names.level)
    }

    /// A condition that is not a single interval on a number.
    fn other_condition(&mut self, depth: usize) -> String {
        let choices: Vec<&Planned> = self
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, Kind::YesNo | Kind::Single))
            .collect();
        let multiples: Vec<&Planned> = self
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::Multiple)
            .collect();
        let questions: Vec<&Planned> = self
            .nodes
            .iter()
            .filter(|n| {
                matches!(
                    n.kind,
                    Kind::YesNo | Kind::Single | Kind::Multiple | Kind::Number
                )
            })
            .collect();
        let choice = (!choices.is_empty()).then(|| {
            let q = self.rng.pick(&choices);
            let option = if q.kind == Kind::YesNo {
                self.rng.pick(&["yes", "no"]).to_string()
            } else {
                self.rng.pick(&q.options).clone()
            };
            (q.id.clone(), option)
        });
        let multiple = (!multiples.is_empty()).then(|| {
            let q = self.rng.pick(&multiples);
            (q.id.clone(), self.rng.pick(&q.options).clone())
        });
        let question = (!questions.is_empty()).then(|| self.rng.pick(&questions).id.clone());
        let pick = if depth > 1 {
            self.rng.below(6)
        } else {
            self.rng.below(10)
        };
        match pick {
            0 => format!("sex == {}", self.rng.pick(&["female", "male"])),
            1 => match choice {
                Some((q, o)) => format!("answer.{q} == {o}"),
                None => format!("var.{}", self.names.flag),
            },
            2 => match choice {
                Some((q, o)) => format!("answer.{q} != {o}"),
                None => format!("sex != {}", self.rng.pick(&["female", "male"])),
            },
            3 => match multiple {
                Some((q, o)) => format!("answer.{q} has {o}"),
                None => format!("not var.{}", self.names.flag),
            },
            4 => match question {
                Some(q) => format!("answered({q})"),
                None => format!("var.{}", self.names.flag),
            },
            5 => format!("var.{}", self.names.flag),
            6 => {
                let a = self.other_condition(depth + 1);
                let b = self.any_condition(depth + 1);
                format!("({a}) and ({b})")
            }
            7 => {
                let a = self.any_condition(depth + 1);
                let b = self.any_condition(depth + 1);
                format!("({a}) or ({b})")
            }
            _ => {
                let a = self.any_condition(depth + 1);
                format!("not ({a})")
            }
        }
    }

    fn any_condition(&mut self, depth: usize) -> String {
        if self.rng.chance(40) {
            self.interval_condition()
        } else {
            self.other_condition(depth)
        }
    }

    /// Split points strictly inside `low..high`, ascending, distinct.
    fn splits(&mut self, low: i64, high: i64, most: usize) -> Vec<i64> {
        let mut points: Vec<i64> = (0..1 + self.rng.below(most))
            .map(|_| self.rng.between(low + 1, high - 1))
            .collect();
        points.sort_unstable();
        points.dedup();
        points
    }

    fn bands(&mut self, out: &mut String, i: usize, points: &[i64], extras: bool) {
        for (k, point) in points.iter().enumerate() {
            if k == 0 {
                let _ = writeln!(out, "        - below: {point}");
            } else {
                let _ = writeln!(
                    out,
                    "        - from: {}\n          below: {point}",
                    points[k - 1]
                );
            }
            if extras {
                self.answer(out, i, "          ", "          ");
            } else {
                let next = self.target(i);
                let _ = writeln!(out, "          next: {next}");
            }
        }
        let _ = writeln!(
            out,
            "        - from: {}",
            points.last().copied().unwrap_or(0)
        );
        if extras {
            self.answer(out, i, "          ", "          ");
        } else {
            let next = self.target(i);
            let _ = writeln!(out, "          next: {next}");
        }
    }

    fn node(&mut self, out: &mut String, i: usize) {
        let id = self.nodes[i].id.clone();
        let kind = self.nodes[i].kind;
        let _ = writeln!(out, "  {id}:");
        match kind {
            Kind::YesNo => {
                let _ = writeln!(
                    out,
                    "    question:\n      text: Question {id}?\n      kind: yes_no"
                );
                if self.rng.chance(30) {
                    let _ = writeln!(out, "      help: Some help for {id}.");
                }
                self.answer(out, i, "      yes:\n        ", "        ");
                self.answer(out, i, "      no:\n        ", "        ");
                self.not_sure(out);
            }
            Kind::Single | Kind::Multiple => {
                let word = if kind == Kind::Single {
                    "single"
                } else {
                    "multiple"
                };
                let _ = writeln!(
                    out,
                    "    question:\n      text: Question {id}?\n      kind: {word}\n      options:"
                );
                for option in self.nodes[i].options.clone() {
                    let _ = writeln!(
                        out,
                        "        - id: {option}\n          label: Label {option}"
                    );
                    self.answer(out, i, "          ", "          ");
                }
                if kind == Kind::Multiple {
                    self.answer(out, i, "      none:\n        ", "        ");
                }
                self.not_sure(out);
            }
            Kind::Number => {
                let (min, max) = self.nodes[i].range;
                let _ = writeln!(
                    out,
                    "    question:\n      text: Question {id}?\n      kind: number\n      unit: units\n      range: {{ min: {min}, max: {max} }}\n      bands:"
                );
                let points = self.splits(min, max, 3);
                self.bands(out, i, &points, true);
                self.not_sure(out);
            }
            Kind::Cases => {
                let _ = writeln!(out, "    branch:\n      cases:");
                let mut interval_used = false;
                for _ in 0..1 + self.rng.below(3) {
                    // At most one case per branch is a bare interval, so cases
                    // never overlap on one number.
                    let when = if !interval_used && self.rng.chance(40) {
                        interval_used = true;
                        self.interval_condition()
                    } else {
                        self.other_condition(0)
                    };
                    let next = self.target(i);
                    let _ = writeln!(out, "        - when: \"{when}\"\n          next: {next}");
                }
                let otherwise = self.target(i);
                let _ = writeln!(out, "      otherwise: {otherwise}");
            }
            Kind::Bands => {
                let on = match self.rng.below(4) {
                    0 => ("age".to_string(), (0, 120)),
                    1 => ("age_months".to_string(), (0, 240)),
                    2 => (self.var_level(), (0, 10)),
                    _ => (format!("score.{}", self.names.score), (0, 10)),
                };
                let _ = writeln!(out, "    branch:\n      on: {}\n      bands:", on.0);
                let points = self.splits(on.1 .0, on.1 .1, 3);
                self.bands(out, i, &points, false);
            }
            Kind::Call => {
                let next = self.target(i);
                let _ = writeln!(
                    out,
                    "    call:\n      module: {MODULE_ID}\n      next: {next}"
                );
            }
            Kind::Goto => match self.goto_target.clone() {
                Some((pathway, nodes)) => {
                    let _ = writeln!(out, "    goto:\n      pathway: {pathway}");
                    if self.rng.chance(50) {
                        let _ = writeln!(out, "      at: {}", self.rng.pick(&nodes));
                    }
                }
                None => {
                    let _ = writeln!(out, "    outcome:\n      disposition: urgent-gp");
                }
            },
        }
    }

    fn write(&mut self, header: &str) -> String {
        let mut out = String::from(header);
        out.push_str("nodes:\n");
        for i in 0..self.nodes.len() {
            self.node(&mut out, i);
        }
        for (id, disposition) in ENDS {
            let _ = writeln!(
                out,
                "  {id}:\n    outcome:\n      disposition: {disposition}"
            );
            if self.rng.chance(30) {
                let _ = writeln!(out, "      advice: [advice-b]");
            }
        }
        out
    }
}

/// Plans `count` nodes named `prefix0`, `prefix1`, ...
fn plan(rng: &mut Rng, prefix: &str, count: usize, kinds: &[Kind]) -> Vec<Planned> {
    const OPTION_IDS: &[&str] = &["red", "green", "blue", "grey", "pale"];
    (0..count)
        .map(|i| {
            let kind = *rng.pick(kinds);
            let options = OPTION_IDS[..2 + rng.below(OPTION_IDS.len() - 1)]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let min = rng.between(-10, 50);
            let range = (min, min + rng.between(5, 100));
            Planned {
                id: format!("{prefix}{i}"),
                kind,
                options,
                range,
            }
        })
        .collect()
}

/// A generated bundle: its files, its pathways, and the most questions any
/// journey can ask.
struct Generated {
    files: Vec<(String, String)>,
    pathways: Vec<String>,
    most_questions: usize,
}

impl Generated {
    fn describe(&self) -> String {
        self.files
            .iter()
            .map(|(path, text)| format!("--- {path}\n{text}"))
            .collect()
    }
}

fn header(kind: &str, id: &str, start: &str, names: &Names) -> String {
    let applicability = if kind == "pathway" {
        "  ages: { from: 0 }\n  sexes: [female, male]\n  keywords: [generated]\n"
    } else {
        ""
    };
    format!(
        "{kind}:\n  id: {id}\n  title: Generated {id}\n  version: 1.0.0\n{applicability}  sources:\n    - title: Generated\n      url: https://example.org/\n  start: {start}\n  variables:\n    {}: bool\n    {}: number\n  scores: [{}]\n",
        names.flag, names.level, names.score
    )
}

fn names(tag: &str) -> Names {
    Names {
        flag: format!("flag_{tag}"),
        level: format!("level_{tag}"),
        score: format!("score_{tag}"),
    }
}

fn questions(nodes: &[Planned]) -> usize {
    nodes
        .iter()
        .filter(|n| {
            matches!(
                n.kind,
                Kind::YesNo | Kind::Single | Kind::Multiple | Kind::Number
            )
        })
        .count()
}

/// A random valid bundle of up to `size` nodes per unit.
fn generate(seed: u64, size: usize) -> Generated {
    let rng = &mut Rng::new(seed);
    let question_kinds = [
        Kind::YesNo,
        Kind::Single,
        Kind::Multiple,
        Kind::Number,
        Kind::Cases,
        Kind::Bands,
    ];
    let module_size = 1 + rng.below(size.min(4));
    let module_nodes = plan(rng, "m", module_size, &question_kinds);
    let two_pathways = rng.chance(50);
    let second_nodes = if two_pathways {
        let mut kinds = question_kinds.to_vec();
        kinds.push(Kind::Call);
        let second_size = size.div_ceil(2) + rng.below(size / 2 + 1);
        plan(rng, "q", second_size, &kinds)
    } else {
        Vec::new()
    };
    let mut first_kinds = question_kinds.to_vec();
    first_kinds.extend([Kind::Call, Kind::Call]);
    if two_pathways {
        first_kinds.push(Kind::Goto);
    }
    let first_size = size.div_ceil(2) + rng.below(size / 2 + 1);
    let first_nodes = plan(rng, "n", first_size, &first_kinds);

    let calls = first_nodes
        .iter()
        .chain(&second_nodes)
        .filter(|n| n.kind == Kind::Call)
        .count();
    let most_questions =
        questions(&first_nodes) + questions(&second_nodes) + calls * questions(&module_nodes);

    let mut files = vec![
        ("dispositions.yaml".to_string(), DISPOSITIONS.to_string()),
        ("care-advice.yaml".to_string(), CARE_ADVICE.to_string()),
    ];
    let module_names = names("m");
    let module_header = header("module", MODULE_ID, &module_nodes[0].id, &module_names);
    let module = UnitGen {
        rng,
        is_module: true,
        nodes: module_nodes,
        names: module_names,
        goto_target: None,
    }
    .write(&module_header);
    files.push((format!("modules/{MODULE_ID}.yaml"), module));

    let mut pathways = vec!["first".to_string()];
    let mut goto_target = None;
    if two_pathways {
        let node_ids = second_nodes.iter().map(|n| n.id.clone()).collect();
        let second_names = names("q");
        let second_header = header("pathway", "second", &second_nodes[0].id, &second_names);
        let second = UnitGen {
            rng,
            is_module: false,
            nodes: second_nodes,
            names: second_names,
            goto_target: None,
        }
        .write(&second_header);
        files.push(("pathways/second.yaml".to_string(), second));
        pathways.push("second".to_string());
        goto_target = Some(("second".to_string(), node_ids));
    }
    let first_names = names("n");
    let first_header = header("pathway", "first", &first_nodes[0].id, &first_names);
    let first = UnitGen {
        rng,
        is_module: false,
        nodes: first_nodes,
        names: first_names,
        goto_target,
    }
    .write(&first_header);
    files.push(("pathways/first.yaml".to_string(), first));
    Generated {
        files,
        pathways,
        most_questions,
    }
}

/// Builds a generated bundle, failing with the bundle's text when it has errors.
fn compile(generated: &Generated) -> Result<CompiledBundle, TestCaseError> {
    let (sources, problems) = Sources::from_texts(generated.files.clone());
    prop_assert!(problems.is_empty(), "{problems:?}");
    let built = triage_core::build(sources);
    let errors: Vec<String> = built
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let file = built
                .sources
                .files
                .get(d.loc.file)
                .map_or("<bundle>", |f| f.path.as_str());
            format!(
                "{} {file}:{}:{} {}",
                d.code, d.loc.line, d.loc.column, d.message
            )
        })
        .collect();
    prop_assert!(
        errors.is_empty(),
        "a generated valid bundle has errors:\n{}\n{}",
        errors.join("\n"),
        generated.describe()
    );
    match built.bundle {
        Some(bundle) => Ok(bundle),
        None => Err(TestCaseError::fail(format!(
            "no compiled bundle although there are no errors\n{}",
            generated.describe()
        ))),
    }
}

// ---------------------------------------------------------------------------
// Journeys
// ---------------------------------------------------------------------------

fn patient(rng: &mut Rng) -> Patient {
    Patient {
        age_years: rng.between(0, 110) as u32,
        age_months: rng.between(0, 11) as u32,
        sex: if rng.chance(50) {
            Sex::Female
        } else {
            Sex::Male
        },
        answering: Default::default(),
    }
}

/// A valid answer to `step`'s question, and whether it is "I'm not sure".
fn valid_answer(rng: &mut Rng, step: &Step) -> Option<(Answer, bool)> {
    let q = step.question()?;
    let not_sure_offered = q.options.iter().any(|o| o.id == "not_sure");
    if not_sure_offered && rng.chance(10) {
        return Some((
            Answer::new(q.id.clone(), AnswerValue::Choice("not_sure".into())),
            true,
        ));
    }
    let value = match q.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => {
            let real: Vec<&str> = q
                .options
                .iter()
                .map(|o| o.id.as_str())
                .filter(|id| *id != "not_sure")
                .collect();
            AnswerValue::Choice(rng.pick(&real).to_string())
        }
        QuestionKindDoc::Multiple => {
            let real: Vec<&str> = q
                .options
                .iter()
                .map(|o| o.id.as_str())
                .filter(|id| *id != "not_sure" && *id != "none")
                .collect();
            let chosen: Vec<String> = real
                .iter()
                .filter(|_| rng.chance(35))
                .map(|s| s.to_string())
                .collect();
            if chosen.is_empty() {
                AnswerValue::Choice("none".into())
            } else {
                AnswerValue::Choices(chosen)
            }
        }
        QuestionKindDoc::Number => {
            let (min, max) = q.range.unwrap_or((0.0, 100.0));
            let fraction = (rng.next() % 10_001) as f64 / 10_000.0;
            let mut value = min + (max - min) * fraction;
            if rng.chance(50) {
                value = value.round().clamp(min, max);
            }
            AnswerValue::Number(value)
        }
    };
    Some((Answer::new(q.id.clone(), value), false))
}

/// Walks `pathway` with random valid answers and checks the journey.
fn random_walk(
    bundle: &CompiledBundle,
    pathway: &str,
    rng: &mut Rng,
    most_questions: usize,
) -> Result<(), TestCaseError> {
    let person = patient(rng);
    let mut session = match Session::start(bundle, pathway, person) {
        Ok(session) => session,
        Err(e) => return Err(TestCaseError::fail(format!("cannot start {pathway}: {e}"))),
    };
    let mut answers = Vec::new();
    let mut unsure = false;
    loop {
        // The stateless call and the session agree at every step.
        let stateless = evaluate(bundle, pathway, &person, &answers);
        prop_assert_eq!(
            stateless.and_then(|e| e.render()).ok(),
            Some(shown(&session, bundle))
        );
        let saved = session.to_json();
        let restored = Session::from_json(bundle, &saved);
        prop_assert_eq!(
            restored.as_ref().ok(),
            Some(&session),
            "JSON round trip changed the session: {}",
            saved
        );

        let Some((answer, is_not_sure)) = valid_answer(rng, &shown(&session, bundle)) else {
            break;
        };
        prop_assert!(
            answers.len() < most_questions,
            "more than {most_questions} questions on {pathway}: {answers:?}"
        );
        unsure |= is_not_sure;
        if let Err(e) = session.answer(bundle, answer.clone()) {
            return Err(TestCaseError::fail(format!(
                "valid answer {answer:?} refused after {answers:?}: {e}"
            )));
        }
        answers.push(answer);
    }
    let outcome = shown(&session, bundle).outcome().cloned();
    prop_assert!(outcome.is_some());
    if let Some(outcome) = outcome {
        prop_assert!(bundle.disposition(&outcome.disposition.id).is_some());
        prop_assert!(
            !(unsure && outcome.disposition.service == ServiceDoc::SelfCare),
            "a journey with \"I'm not sure\" ended in self-care: {answers:?}"
        );
    }
    Ok(())
}

/// An answer that is mostly wrong: unknown questions, options not offered,
/// numbers that are not finite or out of range, lists where one is expected.
fn wild_answer(rng: &mut Rng, step: &Step, known_ids: &[String]) -> Answer {
    let current = step.question().map(|q| q.id.clone()).unwrap_or_default();
    let question = match rng.below(10) {
        0 => rng.pick(known_ids).clone(),
        1 => String::new(),
        2 => rng
            .pick(&["n0/n0", "screen/", "/m0", "ünï/cødé", "n0\0", "screen/m0/x"])
            .to_string(),
        _ => current,
    };
    let offered: Vec<String> = step
        .question()
        .map(|q| q.options.iter().map(|o| o.id.clone()).collect())
        .unwrap_or_default();
    let word = |rng: &mut Rng| -> String {
        if !offered.is_empty() && rng.chance(50) {
            rng.pick(&offered).clone()
        } else {
            rng.pick(&[
                "yes", "no", "none", "not_sure", "", "red", "YES", " yes", "1e3", "NaN", "-0",
            ])
            .to_string()
        }
    };
    let value = match rng.below(4) {
        0 => AnswerValue::Choice(word(rng)),
        1 => AnswerValue::Choices((0..rng.below(4)).map(|_| word(rng)).collect()),
        _ => {
            let whole = rng.between(-100, 200) as f64;
            AnswerValue::Number(*rng.pick(&[
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.0,
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                f64::EPSILON,
                -1.0,
                0.5,
                37.5,
                1e9,
                whole,
            ]))
        }
    };
    Answer::new(question, value)
}

/// Every question id of `generated`, as public ids from the first pathway.
fn known_ids(generated: &Generated) -> Vec<String> {
    let mut ids = Vec::new();
    for (path, text) in &generated.files {
        let unit = if path.starts_with("modules/") {
            Some(MODULE_ID)
        } else if path == "pathways/second.yaml" {
            Some("second")
        } else if path == "pathways/first.yaml" {
            None
        } else {
            continue;
        };
        for line in text.lines() {
            let Some(id) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) else {
                continue;
            };
            if id.starts_with(' ') || id.contains(' ') {
                continue;
            }
            ids.push(match unit {
                Some(unit) => format!("{unit}/{id}"),
                None => id.to_string(),
            });
        }
    }
    ids.push("nothing-like-this".to_string());
    ids
}

/// Throws random answers (and `back`s) at a session; refused ones must change nothing.
fn hostile_walk(
    bundle: &CompiledBundle,
    pathway: &str,
    rng: &mut Rng,
    known: &[String],
) -> Result<(), TestCaseError> {
    let Ok(mut session) = Session::start(bundle, pathway, patient(rng)) else {
        return Err(TestCaseError::fail(format!("cannot start {pathway}")));
    };
    for _ in 0..60 {
        let before = session.clone();
        let before_json = session.to_json();
        if rng.chance(10) {
            if session.back(bundle).is_err() {
                prop_assert_eq!(&session, &before);
            }
            continue;
        }
        let answer = if rng.chance(30) {
            match valid_answer(rng, &shown(&session, bundle)) {
                Some((answer, _)) => answer,
                None => wild_answer(rng, &shown(&session, bundle), known),
            }
        } else {
            wild_answer(rng, &shown(&session, bundle), known)
        };
        if let Err(e) = session.answer(bundle, answer.clone()) {
            prop_assert_eq!(
                &session,
                &before,
                "refused {:?} ({}) but the session changed",
                answer,
                e
            );
            prop_assert_eq!(session.to_json(), before_json);
        } else {
            prop_assert_eq!(session.answers().len(), before.answers().len() + 1);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_valid_bundles_validate(seed in any::<u64>(), size in 1usize..16) {
        compile(&generate(seed, size))?;
    }

    #[test]
    fn every_journey_ends_at_a_disposition(seed in any::<u64>(), size in 1usize..16) {
        let generated = generate(seed, size);
        let bundle = compile(&generated)?;
        let rng = &mut Rng::new(seed.rotate_left(17));
        for pathway in &generated.pathways {
            for _ in 0..8 {
                random_walk(&bundle, pathway, rng, generated.most_questions + 1)?;
            }
        }
    }

    #[test]
    fn wrong_answers_never_panic_and_change_nothing(seed in any::<u64>(), size in 1usize..16) {
        let generated = generate(seed, size);
        let bundle = compile(&generated)?;
        let known = known_ids(&generated);
        let rng = &mut Rng::new(seed.rotate_left(29));
        for pathway in &generated.pathways {
            hostile_walk(&bundle, pathway, rng, &known)?;
        }
    }

    #[test]
    fn sessions_round_trip_through_json(seed in any::<u64>(), size in 1usize..16, steps in 0usize..20) {
        let generated = generate(seed, size);
        let bundle = compile(&generated)?;
        let rng = &mut Rng::new(seed.rotate_left(41));
        let Ok(mut session) = Session::start(&bundle, "first", patient(rng)) else {
            return Err(TestCaseError::fail("cannot start the first pathway"));
        };
        for _ in 0..steps {
            let Some((answer, _)) = valid_answer(rng, &shown(&session, &bundle)) else { break };
            prop_assert!(session.answer(&bundle, answer).is_ok());
        }
        let json = session.to_json();
        let restored = Session::from_json(&bundle, &json);
        prop_assert_eq!(restored.as_ref().ok(), Some(&session), "{}", json);
        if let Ok(restored) = restored {
            prop_assert_eq!(restored.to_json(), json);
        }
    }
}

// ---------------------------------------------------------------------------
// The shipped bundle
// ---------------------------------------------------------------------------

/// The shipped bundle and its pathway ids, built once for every case.
fn shipped() -> &'static (CompiledBundle, Vec<String>) {
    static SHIPPED: std::sync::OnceLock<(CompiledBundle, Vec<String>)> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pathways");
        let built = triage_core::build_dir(&dir);
        let errors: Vec<String> = built
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        let Some(bundle) = built.bundle else {
            panic!("the shipped bundle does not build: {errors:?}");
        };
        let pathways: Vec<String> = bundle.pathways().map(|p| p.id.to_string()).collect();
        assert!(!pathways.is_empty(), "the shipped bundle has no pathways");
        (bundle, pathways)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn shipped_journeys_end_at_a_disposition(seed in any::<u64>()) {
        let (bundle, pathways) = shipped();
        let rng = &mut Rng::new(seed);
        for pathway in pathways {
            let person = patient(rng);
            if !bundle.pathway_index(pathway).is_some_and(|p| bundle.applicable(p, &person)) {
                continue;
            }
            let mut answers = Vec::new();
            let Ok(mut session) = Session::start(bundle, pathway, person) else {
                return Err(TestCaseError::fail(format!("cannot start {pathway} for {person:?}")));
            };
            let mut unsure = false;
            while let Some((answer, is_not_sure)) = valid_answer(rng, &shown(&session, bundle)) {
                prop_assert!(answers.len() < 200, "{pathway}: no end after 200 answers");
                unsure |= is_not_sure;
                if let Err(e) = session.answer(bundle, answer.clone()) {
                    return Err(TestCaseError::fail(format!("{pathway}: valid answer {answer:?} refused: {e}")));
                }
                answers.push(answer);
            }
            let outcome = shown(&session, bundle).outcome().cloned();
            prop_assert!(outcome.is_some());
            if let Some(outcome) = outcome {
                prop_assert!(
                    !(unsure && outcome.disposition.service == ServiceDoc::SelfCare),
                    "{pathway}: \"I'm not sure\" ended in self-care: {answers:?}"
                );
            }
            let json = session.to_json();
            let restored = Session::from_json(bundle, &json).ok();
            prop_assert_eq!(restored.as_ref(), Some(&session));
        }
    }
}

/// A session's current step, rendered in full.
fn shown(session: &Session, bundle: &CompiledBundle) -> Step {
    session
        .step(bundle)
        .and_then(|view| view.render())
        .unwrap_or_else(|e| panic!("the step renders: {e}"))
}
