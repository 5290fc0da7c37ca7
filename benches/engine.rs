//! Benchmarks of the evaluation hot path, each beside a baseline measured in
//! the same run: the chest-pain pathway written by hand in Rust (the physical
//! limit) and as JSON Logic for datalogic-rs (a peer rules engine).
//!
//! `cargo bench --bench engine` runs them and ends with a table of medians and
//! ratios (see BENCHMARKS.md). `tests/baselines.rs` checks that the baselines
//! reach the same disposition as the engine on every journey.

// Shared with tests/baselines.rs and benches/memory.rs; each uses part of it.
#[allow(dead_code)]
mod support;

use criterion::{BatchSize, Criterion};
use datalogic_rs::{Engine as LogicEngine, Logic, ParsedData};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::SystemTime;
use support::chest_pain_by_hand::{self as by_hand, Reply};
use support::chest_pain_logic;
use support::journeys::{self, Journey, CHEST_PAIN};
use triage_core::compile::{CompiledBundle, PathwayId};
use triage_core::eval::{self, AnswerIds, Position};
use triage_core::session::Session;

/// Everything a journey needs, prepared ahead in every form the benches take.
struct Prepared {
    journey: Journey,
    pathway: PathwayId,
    ids: Vec<AnswerIds>,
    replies: Vec<Reply>,
    logic_input: ParsedData,
}

impl Prepared {
    fn new(bundle: &CompiledBundle, journey: &Journey) -> Prepared {
        let (pathway, ids) =
            eval::resolve_answers(bundle, &journey.pathway, &journey.patient, &journey.answers)
                .unwrap_or_else(|e| panic!("{}: {e}", journey.name));
        let replies = if journey.pathway == CHEST_PAIN {
            journey
                .answers
                .iter()
                .map(Reply::parse)
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| panic!("{}: {e:?}", journey.name))
        } else {
            Vec::new()
        };
        let logic_input = ParsedData::from_json(&chest_pain_logic::input_json(
            &journey.patient,
            &journey.answers,
        ))
        .unwrap_or_else(|e| panic!("{}: {e}", journey.name));
        Prepared {
            journey: journey.clone(),
            pathway,
            ids,
            replies,
            logic_input,
        }
    }
}

/// Disposition id of each outcome node, so the pre-resolved path ends with a
/// disposition like the baselines do.
struct OutcomeNames(Vec<String>);

impl OutcomeNames {
    fn new(bundle: &CompiledBundle, prepared: &[Prepared]) -> OutcomeNames {
        let mut names = vec![String::new(); bundle.compiled_nodes()];
        for p in prepared {
            let patient = &p.journey.patient;
            if let (Ok(Position::Outcome(node)), Ok(step)) = (
                eval::evaluate_ids(bundle, p.pathway, patient, &p.ids),
                eval::step_at(bundle, p.pathway, patient, &p.ids, eval::Language::En),
            ) {
                if let (Some(slot), Some(outcome)) = (names.get_mut(node.index()), step.outcome()) {
                    slot.clone_from(&outcome.disposition.id);
                }
            }
        }
        OutcomeNames(names)
    }

    fn of(&self, position: Position) -> &str {
        match position {
            Position::Outcome(node) => self.0.get(node.index()).map_or("", String::as_str),
            Position::Question(_) => "",
        }
    }
}

struct Fixture {
    bundle: CompiledBundle,
    /// Every case of every shipped case pack.
    cases: Vec<Prepared>,
    /// The chest-pain cases.
    chest_pain: Vec<Prepared>,
    /// The one journey.
    journey: Prepared,
    outcomes: OutcomeNames,
    logic: LogicEngine,
    rule: Logic,
}

impl Fixture {
    fn new() -> Fixture {
        let built = journeys::build_shipped().unwrap_or_else(|e| panic!("{e}"));
        let all = journeys::case_pack_journeys(&built);
        let bundle = built.bundle.unwrap_or_else(|| panic!("no compiled bundle"));
        let cases: Vec<Prepared> = all.iter().map(|j| Prepared::new(&bundle, j)).collect();
        let chest_pain: Vec<Prepared> = all
            .iter()
            .filter(|j| j.pathway == CHEST_PAIN)
            .map(|j| Prepared::new(&bundle, j))
            .collect();
        let journey = journeys::timed_journey(&all).unwrap_or_else(|| panic!("no chest-pain case"));
        let journey = Prepared::new(&bundle, &journey);
        let outcomes = OutcomeNames::new(&bundle, &cases);
        let logic = LogicEngine::new();
        let rule = logic
            .compile(chest_pain_logic::rule().as_str())
            .unwrap_or_else(|e| panic!("the JSON Logic rule: {e}"));
        Fixture {
            bundle,
            cases,
            chest_pain,
            journey,
            outcomes,
            logic,
            rule,
        }
    }
}

fn bench_build(c: &mut Criterion) {
    let dir = journeys::bundle_dir();
    let (sources, _) = triage_core::load::Sources::from_dir(&dir);
    let mut group = c.benchmark_group("build");
    group.bench_function("shipped-bundle-from-disk", |b| {
        b.iter(|| triage_core::build_dir(black_box(&dir)).bundle.is_some())
    });
    group.bench_function("shipped-bundle-in-memory", |b| {
        b.iter_batched(
            || sources.clone(),
            |sources| triage_core::build(sources).bundle.is_some(),
            BatchSize::LargeInput,
        )
    });
    // What a service that does not run the case packs would load.
    let without_case_packs: Vec<(String, String)> = sources
        .files
        .iter()
        .filter(|f| !f.path.ends_with(".cases.yaml"))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    group.bench_function("shipped-bundle-without-case-packs", |b| {
        b.iter_batched(
            || without_case_packs.clone(),
            |texts| {
                let (sources, _) = triage_core::load::Sources::from_texts(texts);
                triage_core::build(sources).bundle.is_some()
            },
            BatchSize::LargeInput,
        )
    });
    // What `triage compile` wrote, read back: no YAML, no validation.
    let compiled = triage_core::open(&dir).expect("the shipped bundle builds");
    let artifact = triage_core::artifact::to_bytes(&compiled);
    group.bench_function("shipped-artifact-in-memory", |b| {
        b.iter(|| triage_core::artifact::from_bytes(black_box(&artifact)).is_ok())
    });
    let artifact_path =
        std::env::temp_dir().join(format!("triage-bench-{}.triage", std::process::id()));
    std::fs::write(&artifact_path, &artifact).expect("write the artifact");
    group.bench_function("shipped-artifact-from-disk", |b| {
        b.iter(|| triage_core::open(black_box(&artifact_path)).is_ok())
    });
    let _ = std::fs::remove_file(&artifact_path);
    group.finish();
}

/// One chest-pain journey, by the engine and by both baselines.
fn bench_journey(c: &mut Criterion, f: &Fixture) {
    let p = &f.journey;
    let patient = &p.journey.patient;
    let answers = &p.journey.answers;
    let mut group = c.benchmark_group("journey");
    group.bench_function("by-hand-pre-parsed", |b| {
        b.iter(|| by_hand::triage(black_box(patient), black_box(&p.replies)))
    });
    group.bench_function("engine-ids", |b| {
        b.iter(|| {
            eval::evaluate_ids(&f.bundle, p.pathway, black_box(patient), black_box(&p.ids))
                .map(|position| f.outcomes.of(position).len())
        })
    });
    let mut session = f.logic.session();
    group.bench_function("datalogic-pre-parsed", |b| {
        b.iter(|| {
            let result = session
                .eval_borrowed(&f.rule, black_box(&p.logic_input))
                .map(|v| v.as_str().map(str::len));
            session.reset();
            result
        })
    });
    group.bench_function("by-hand-from-strings", |b| {
        b.iter(|| by_hand::triage_answers(black_box(patient), black_box(answers)))
    });
    group.bench_function("engine-strings", |b| {
        b.iter(|| {
            eval::evaluate(
                &f.bundle,
                CHEST_PAIN,
                black_box(patient),
                black_box(answers),
            )
        })
    });
    group.bench_function("engine-position", |b| {
        b.iter(|| {
            eval::evaluate_position(
                &f.bundle,
                CHEST_PAIN,
                black_box(patient),
                black_box(answers),
            )
        })
    });
    group.bench_function("datalogic-built-per-journey", |b| {
        b.iter(|| {
            let input = chest_pain_logic::input(black_box(patient), black_box(answers));
            let result = session
                .eval_borrowed(&f.rule, &input)
                .map(|v| v.as_str().map(str::len));
            session.reset();
            result
        })
    });
    group.bench_function("engine-session", |b| {
        b.iter(|| {
            let mut session = Session::start(&f.bundle, CHEST_PAIN, *black_box(patient))?;
            for answer in answers {
                session.answer(&f.bundle, answer.clone())?;
            }
            Ok::<_, eval::EvalError>(session)
        })
    });
    group.finish();
}

/// One answer given to a session, and a session saved and resumed.
fn bench_session(c: &mut Criterion, f: &Fixture) {
    let p = &f.journey;
    let patient = p.journey.patient;
    let answers = &p.journey.answers;
    let Some((last, earlier)) = answers.split_last() else {
        return;
    };
    let start =
        Session::start(&f.bundle, CHEST_PAIN, patient).unwrap_or_else(|e| panic!("start: {e}"));
    let mut before_last = start.clone();
    for answer in earlier {
        let _ = before_last.answer(&f.bundle, answer.clone());
    }
    let mut finished = before_last.clone();
    let _ = finished.answer(&f.bundle, last.clone());
    let saved = finished.to_json();
    let first = answers.first().cloned().unwrap_or_else(|| last.clone());

    let mut group = c.benchmark_group("session");
    group.bench_function("answer-first", |b| {
        b.iter_batched(
            || (start.clone(), first.clone()),
            |(mut session, answer)| session.answer(&f.bundle, answer).map(|s| s.is_outcome()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("answer-last", |b| {
        b.iter_batched(
            || (before_last.clone(), last.clone()),
            |(mut session, answer)| session.answer(&f.bundle, answer).map(|s| s.is_outcome()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("save-resume", |b| {
        b.iter(|| Session::from_json(&f.bundle, &black_box(&finished).to_json()))
    });
    group.bench_function("resume", |b| {
        b.iter(|| Session::from_json(&f.bundle, black_box(&saved)))
    });
    group.finish();
}

/// Every case of the chest-pain pack in a loop, by the engine and both
/// baselines; and every case of every shipped pack by the engine.
fn bench_case_packs(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("chest-pain-cases");
    group.bench_function("by-hand-pre-parsed", |b| {
        b.iter(|| {
            f.chest_pain
                .iter()
                .filter(|p| by_hand::triage(&p.journey.patient, &p.replies).is_ok())
                .count()
        })
    });
    group.bench_function("engine-ids", |b| {
        b.iter(|| {
            f.chest_pain
                .iter()
                .filter_map(|p| {
                    eval::evaluate_ids(&f.bundle, p.pathway, &p.journey.patient, &p.ids).ok()
                })
                .map(|position| f.outcomes.of(position).len())
                .sum::<usize>()
        })
    });
    let mut session = f.logic.session();
    group.bench_function("datalogic-pre-parsed", |b| {
        b.iter(|| {
            let mut found = 0;
            for p in &f.chest_pain {
                if let Ok(v) = session.eval_borrowed(&f.rule, &p.logic_input) {
                    found += v.as_str().map_or(0, str::len);
                }
                session.reset();
            }
            found
        })
    });
    group.bench_function("by-hand-from-strings", |b| {
        b.iter(|| {
            f.chest_pain
                .iter()
                .filter(|p| by_hand::triage_answers(&p.journey.patient, &p.journey.answers).is_ok())
                .count()
        })
    });
    group.bench_function("engine-strings", |b| {
        b.iter(|| {
            f.chest_pain
                .iter()
                .filter(|p| {
                    eval::evaluate(
                        &f.bundle,
                        CHEST_PAIN,
                        &p.journey.patient,
                        &p.journey.answers,
                    )
                    .is_ok()
                })
                .count()
        })
    });
    group.bench_function("datalogic-built-per-journey", |b| {
        b.iter(|| {
            let mut found = 0;
            for p in &f.chest_pain {
                let input = chest_pain_logic::input(&p.journey.patient, &p.journey.answers);
                if let Ok(v) = session.eval_borrowed(&f.rule, &input) {
                    found += v.as_str().map_or(0, str::len);
                }
                session.reset();
            }
            found
        })
    });
    group.finish();

    let mut group = c.benchmark_group("all-cases");
    group.bench_function("engine-ids", |b| {
        b.iter(|| {
            f.cases
                .iter()
                .filter_map(|p| {
                    eval::evaluate_ids(&f.bundle, p.pathway, &p.journey.patient, &p.ids).ok()
                })
                .count()
        })
    });
    group.bench_function("engine-strings", |b| {
        b.iter(|| {
            f.cases
                .iter()
                .filter(|p| {
                    let j = &p.journey;
                    eval::evaluate(&f.bundle, &j.pathway, &j.patient, &j.answers).is_ok()
                })
                .count()
        })
    });
    group.finish();
}

/// Symptom search on the shipped bundle: a lay phrasing with a typo, a
/// synonym and common words, for an adult; and a word nothing matches.
fn bench_search(c: &mut Criterion, f: &Fixture) {
    let adult = triage_core::eval::Patient::new(40, 0, triage_core::eval::Sex::Female);
    let mut group = c.benchmark_group("search");
    group.bench_function("lay-phrasing", |b| {
        b.iter(|| {
            f.bundle
                .search(
                    Some(black_box(&adult)),
                    Some(black_box("my belly hurts and im vommiting")),
                )
                .len()
        })
    });
    group.bench_function("no-match", |b| {
        b.iter(|| {
            f.bundle
                .search(Some(black_box(&adult)), Some(black_box("zzxq")))
                .len()
        })
    });
    group.finish();
}

/// `triage diff` of the whole shipped bundle against itself: every journey
/// class of every pathway walked in both versions (target: under 10 s).
fn bench_diff(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    group.bench_function("shipped-bundle-against-itself", |b| {
        b.iter(|| {
            triage_core::diff::diff(black_box(&f.bundle), black_box(&f.bundle))
                .map(|d| d.classes_compared)
                .unwrap_or(0)
        })
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    let fixture = Fixture::new();
    bench_build(&mut c);
    bench_journey(&mut c, &fixture);
    bench_session(&mut c, &fixture);
    bench_case_packs(&mut c, &fixture);
    bench_search(&mut c, &fixture);
    bench_diff(&mut c, &fixture);
    c.final_summary();
    summary::print(started, &fixture);
}

/// The table for BENCHMARKS.md, from the estimates criterion wrote in this run.
mod summary {
    use super::{Fixture, PathBuf, SystemTime};

    fn criterion_dir() -> PathBuf {
        if let Some(home) = std::env::var_os("CRITERION_HOME") {
            return PathBuf::from(home);
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
        target.join("criterion")
    }

    /// Median in nanoseconds of `group/bench`, if it was measured in this run.
    fn median(group: &str, bench: &str, since: SystemTime) -> Option<f64> {
        let path = criterion_dir()
            .join(group)
            .join(bench)
            .join("new")
            .join("estimates.json");
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        if modified < since {
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.get("median")?.get("point_estimate")?.as_f64()
    }

    fn time(ns: f64) -> String {
        if ns >= 1e6 {
            format!("{:.2} ms", ns / 1e6)
        } else if ns >= 1e3 {
            format!("{:.2} µs", ns / 1e3)
        } else {
            format!("{ns:.1} ns")
        }
    }

    pub(super) fn print(since: SystemTime, f: &Fixture) {
        let rows: Vec<(&str, &str, String)> = vec![
            (
                "build",
                "shipped-bundle-from-disk",
                "load + validate + compile, files read from disk".into(),
            ),
            (
                "build",
                "shipped-bundle-in-memory",
                "parse + validate + compile, files already read".into(),
            ),
            (
                "build",
                "shipped-bundle-without-case-packs",
                "the same without the `*.cases.yaml` files".into(),
            ),
            (
                "build",
                "shipped-artifact-in-memory",
                "read the compiled artifact (`artifact::from_bytes`): check + decode".into(),
            ),
            (
                "build",
                "shipped-artifact-from-disk",
                "`triage_core::open` of the `.triage` file".into(),
            ),
            (
                "journey",
                "by-hand-pre-parsed",
                "hand-written tree, pre-parsed answers".into(),
            ),
            (
                "journey",
                "engine-ids",
                "engine, pre-resolved ids (`evaluate_ids`)".into(),
            ),
            (
                "journey",
                "datalogic-pre-parsed",
                "datalogic-rs, pre-parsed input".into(),
            ),
            (
                "journey",
                "by-hand-from-strings",
                "hand-written tree, answers parsed from strings".into(),
            ),
            (
                "journey",
                "engine-strings",
                "engine, string answers (`evaluate`; the step rendered on request)".into(),
            ),
            (
                "journey",
                "engine-position",
                "engine, string answers, where it ends only (`evaluate_position`)".into(),
            ),
            (
                "journey",
                "datalogic-built-per-journey",
                "datalogic-rs, input built from the answers".into(),
            ),
            (
                "journey",
                "engine-session",
                "engine, `Session::start` + one `answer` per question".into(),
            ),
            (
                "search",
                "lay-phrasing",
                "symptom search: five words, one misspelt, for an adult".into(),
            ),
            (
                "search",
                "no-match",
                "symptom search: a word nothing matches (spelling tolerance tried)".into(),
            ),
            (
                "diff",
                "shipped-bundle-against-itself",
                "`triage diff` of the shipped bundle against itself".into(),
            ),
            (
                "session",
                "answer-first",
                "`Session::answer`, first question".into(),
            ),
            (
                "session",
                "answer-last",
                "`Session::answer`, last question".into(),
            ),
            (
                "session",
                "save-resume",
                "`to_json` + `from_json` of the finished session".into(),
            ),
            (
                "session",
                "resume",
                "`from_json` of the finished session".into(),
            ),
            (
                "chest-pain-cases",
                "by-hand-pre-parsed",
                format!("{} cases: hand-written, pre-parsed", f.chest_pain.len()),
            ),
            (
                "chest-pain-cases",
                "engine-ids",
                format!("{} cases: engine, pre-resolved ids", f.chest_pain.len()),
            ),
            (
                "chest-pain-cases",
                "datalogic-pre-parsed",
                format!("{} cases: datalogic-rs, pre-parsed", f.chest_pain.len()),
            ),
            (
                "chest-pain-cases",
                "by-hand-from-strings",
                format!("{} cases: hand-written, from strings", f.chest_pain.len()),
            ),
            (
                "chest-pain-cases",
                "engine-strings",
                format!("{} cases: engine, strings", f.chest_pain.len()),
            ),
            (
                "chest-pain-cases",
                "datalogic-built-per-journey",
                format!("{} cases: datalogic-rs, input built", f.chest_pain.len()),
            ),
            (
                "all-cases",
                "engine-ids",
                format!(
                    "all {} shipped cases: engine, pre-resolved ids",
                    f.cases.len()
                ),
            ),
            (
                "all-cases",
                "engine-strings",
                format!("all {} shipped cases: engine, strings", f.cases.len()),
            ),
        ];
        let measured: Vec<_> = rows
            .iter()
            .filter_map(|(g, b, what)| median(g, b, since).map(|m| (*g, *b, what, m)))
            .collect();
        if measured.is_empty() {
            return;
        }
        let answers = f.journey.journey.answers.len();
        println!(
            "\nMedians of this run (journey: {answers} answers, {:?})\n",
            f.journey.journey.name
        );
        println!("| benchmark | what | median |");
        println!("|---|---|---:|");
        for (group, bench, what, m) in &measured {
            println!("| `{group}/{bench}` | {what} | {} |", time(*m));
        }
        let ratio = |group: &str, a: &str, b: &str| -> Option<(f64, f64, f64)> {
            let x = median(group, a, since)?;
            let y = median(group, b, since)?;
            Some((x, y, x / y))
        };
        let ratios = [
            (
                "build",
                "shipped-bundle-without-case-packs",
                "shipped-artifact-in-memory",
                "YAML build (no case packs) / artifact load",
            ),
            (
                "journey",
                "engine-ids",
                "by-hand-pre-parsed",
                "engine / hand-written (pre-parsed); target <= 5x",
            ),
            (
                "journey",
                "datalogic-pre-parsed",
                "engine-ids",
                "datalogic-rs / engine (pre-parsed); target >= 10x",
            ),
            (
                "journey",
                "engine-strings",
                "by-hand-from-strings",
                "engine / hand-written (from strings)",
            ),
            (
                "journey",
                "datalogic-built-per-journey",
                "engine-strings",
                "datalogic-rs / engine (from strings)",
            ),
            (
                "journey",
                "engine-position",
                "by-hand-from-strings",
                "engine, no rendering / hand-written (from strings)",
            ),
            (
                "chest-pain-cases",
                "engine-ids",
                "by-hand-pre-parsed",
                "case pack: engine / hand-written (pre-parsed)",
            ),
            (
                "chest-pain-cases",
                "datalogic-pre-parsed",
                "engine-ids",
                "case pack: datalogic-rs / engine (pre-parsed)",
            ),
            (
                "chest-pain-cases",
                "engine-strings",
                "by-hand-from-strings",
                "case pack: engine / hand-written (from strings)",
            ),
            (
                "chest-pain-cases",
                "datalogic-built-per-journey",
                "engine-strings",
                "case pack: datalogic-rs / engine (from strings)",
            ),
        ];
        println!("\n| ratio | of medians | value |");
        println!("|---|---|---:|");
        for (group, a, b, what) in ratios {
            if let Some((x, y, r)) = ratio(group, a, b) {
                println!("| {what} | {} / {} | {r:.2}x |", time(x), time(y));
            }
        }
    }
}
