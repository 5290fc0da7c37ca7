//! Scale: how building, memory, search and journeys grow with the size of a
//! bundle, on synthetic valid bundles of 100 to 10,000 pathways
//! (`support/synthetic.rs`) and one whose compiled graph is close to the
//! engine's limit of 1,000,000 nodes.
//!
//! ```sh
//! taskset -c 0 cargo bench --bench scale
//! TRIAGE_SCALE_SIZES=100,1000 taskset -c 0 cargo bench --bench scale
//! ```
//!
//! `TRIAGE_SCALE_SIZES` is a comma-separated list of pathway counts; `max`
//! for the bundle near the node limit (10,000 pathways, each calling a
//! 15-question module four times); and `NUMBERchain` (e.g. `2000chain`) for
//! that many pathways each jumping to the one before, the worst case for
//! what follows jumps. The default is `100,1000,10000,max`.
//! Each size prints a Markdown table row as soon as it is measured; the
//! growth exponents between consecutive sizes follow the table.
//!
//! Times are medians: of several whole builds, and of batches of calls for
//! the fast operations. Each is the time the benchmark thread ran, not
//! counting the time it waited for a CPU while other processes ran (see
//! [`Stopwatch`]); the run ends with how long that was. Heap bytes are
//! counted by a global allocator, as in `benches/memory.rs`, which also adds
//! a little to every allocation's time.

// The one exception to the project's `forbid(unsafe_code)`: a global
// allocator can only be written with `unsafe impl`. It forwards every call
// to the system allocator unchanged and only adds to counters.
#![deny(unsafe_code)]

#[path = "support/synthetic.rs"]
mod synthetic;

use std::hint::black_box;
use std::time::{Duration, Instant};
use synthetic::{Shape, COMMON_WORD, FIRST_PATHWAY, MISSPELT_WORD, RARE_WORD};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{self, Answer, AnswerValue, Patient, Sex, Step};
use triage_core::load::{SourceFile, Sources};
use triage_core::model::QuestionKindDoc;
use triage_core::BuildOptions;

#[path = "support/counting.rs"]
#[allow(dead_code)] // Counts allocations too, which only `memory` reports.
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

const SEED: u64 = 0x5EED_2026;

/// One bundle to measure.
#[derive(Debug, Clone, Copy)]
struct Size {
    pathways: usize,
    shape: Shape,
}

impl Size {
    fn name(&self) -> String {
        let pathways = thousands(self.pathways as u64);
        if self.shape == Shape::default() {
            pathways
        } else if self.shape.chained_jumps {
            format!("{pathways} (chained jumps)")
        } else {
            format!("{pathways} (near node limit)")
        }
    }
}

/// The sizes `TRIAGE_SCALE_SIZES` asks for, or the default.
fn sizes() -> Vec<Size> {
    let asked = std::env::var("TRIAGE_SCALE_SIZES").unwrap_or_else(|_| "100,1000,10000,max".into());
    asked
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s {
            "max" => Size {
                pathways: 10_000,
                shape: Shape::near_node_limit(),
            },
            _ => {
                let (count, shape) = match s.strip_suffix("chain") {
                    Some(count) => (count, Shape::chained()),
                    None => (s, Shape::default()),
                };
                Size {
                    pathways: count.replace('_', "").parse().unwrap_or_else(|_| {
                        panic!("TRIAGE_SCALE_SIZES: `{s}` is not a number, NUMBERchain or `max`")
                    }),
                    shape,
                }
            }
        })
        .collect()
}

/// Everything measured for one size.
#[derive(Debug, Clone, Default)]
struct Row {
    name: String,
    shape: Shape,
    pathways: usize,
    authored_nodes: usize,
    compiled_nodes: usize,
    files: usize,
    source_bytes: usize,
    past_loader_limits: bool,
    parse: Duration,
    validate: Duration,
    compile: Duration,
    build: Duration,
    build_peak_heap: usize,
    bundle_heap: usize,
    artifact_bytes: usize,
    artifact_write: Duration,
    artifact_load: Duration,
    loaded_heap: usize,
    load_peak_heap: usize,
    search_common: Duration,
    common_hits: usize,
    search_rare: Duration,
    search_misspelt: Duration,
    misspelt_hits: usize,
    journey_answers: usize,
    journey_ids: Duration,
    journey_strings: Duration,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let sizes = sizes();
    let run = (Instant::now(), waited_for_cpu());
    println!("Scale: synthetic bundles, seed {SEED:#x}, one build at a time; medians.\n");
    println!("| pathways | authored nodes | compiled nodes | source bytes | build (parse + validate + compile) | peak heap while building | compiled bundle heap | artifact bytes | artifact load (`from_bytes`) | search `{COMMON_WORD}` (hits) | search `{RARE_WORD}` | search `{MISSPELT_WORD}` (hits) | journey `evaluate_ids` | journey `evaluate` |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for size in sizes {
        let row = measure(size);
        print_row(&row);
        rows.push(row);
    }
    println!();
    print_stages(&rows);
    print_growth(&rows);
    if let (Some(before), Some(after)) = (run.1, waited_for_cpu()) {
        println!(
            "\nWaited for a CPU while other processes ran: {} of {} (not counted in the times above).",
            duration(after.saturating_sub(before)),
            duration(run.0.elapsed()),
        );
    }
    for row in &rows {
        if row.past_loader_limits {
            println!(
                "\n{}: {} files and {} bytes are past the loader's limits ({} files, {} bytes), so `Sources::from_texts` would refuse them; they were put in `Sources` directly.",
                row.name,
                thousands(row.files as u64),
                thousands(row.source_bytes as u64),
                thousands(triage_core::load::MAX_FILES as u64),
                thousands(triage_core::load::MAX_BUNDLE_BYTES as u64),
            );
        }
    }
}

fn measure(size: Size) -> Row {
    let files = if size.shape == Shape::default() {
        synthetic::synthetic_bundle(size.pathways, SEED)
    } else {
        synthetic::synthetic_bundle_with(size.pathways, SEED, size.shape)
    };
    let file_count = files.len();
    let source_bytes = files.iter().map(|(_, text)| text.len()).sum();
    let (sources, past_loader_limits) = sources_of(files);
    let options = BuildOptions::for_evaluation();
    let runs = match size.pathways {
        0..=300 => 15,
        301..=3_000 => 7,
        _ => 3,
    };

    // The whole build, as a caller makes it, several times.
    let build = median_duration(runs, || {
        let input = sources.clone();
        let started = Stopwatch::start();
        let built = triage_core::build_with_options(input, &options);
        let took = started.elapsed();
        drop(black_box(built));
        took
    });

    // The same build by stage, to see which grows.
    let mut parse = Vec::new();
    let mut validate = Vec::new();
    let mut compile = Vec::new();
    for _ in 0..runs {
        let started = Stopwatch::start();
        let (doc, _) = triage_core::load::parse_with(&sources, &options);
        parse.push(started.elapsed());
        let started = Stopwatch::start();
        let (ir, diagnostics) = triage_core::validate::validate(&doc);
        validate.push(started.elapsed());
        let ir = ir.unwrap_or_else(|| {
            panic!(
                "{}: the synthetic bundle has errors: {:#?}",
                size.name(),
                diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .take(5)
                    .collect::<Vec<_>>()
            )
        });
        let started = Stopwatch::start();
        let compiled = triage_core::compile::compile(&ir, &sources);
        compile.push(started.elapsed());
        drop(black_box((doc, ir, compiled)));
    }

    // The build kept: its peak heap (the copy of the sources it is given
    // included), and what the compiled bundle alone keeps.
    let before = counting::live().0;
    counting::reset_peak();
    let mut built = triage_core::build_with_options(sources.clone(), &options);
    let build_peak_heap = counting::peak().saturating_sub(before);
    let errors: Vec<String> = built
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(10)
        .map(|d| format!("{} {:?}: {}", d.code, d.loc, d.message))
        .collect();
    assert!(
        errors.is_empty() && built.bundle.is_some(),
        "{}: the synthetic bundle has errors:\n{}",
        size.name(),
        errors.join("\n")
    );
    if let Some(first) = built.diagnostics.first() {
        let mut codes: Vec<&str> = built.diagnostics.iter().map(|d| d.code.0).collect();
        codes.sort_unstable();
        codes.dedup();
        eprintln!(
            "{}: {} warnings ({}), the first: {:?} {}",
            size.name(),
            built.diagnostics.len(),
            codes.join(", "),
            first.loc,
            first.message
        );
    }
    let bundle = built.bundle.take().unwrap_or_else(|| unreachable!());
    drop(built);
    let bundle_heap = counting::live().0.saturating_sub(before);
    drop(sources);

    // The compiled artifact: written once, read back several times.
    let artifact_write = median_duration(runs, || {
        let started = Stopwatch::start();
        let bytes = triage_core::artifact::to_bytes(&bundle);
        let took = started.elapsed();
        drop(black_box(bytes));
        took
    });
    let artifact = triage_core::artifact::to_bytes(&bundle);
    let artifact_load = median_duration(runs, || {
        let started = Stopwatch::start();
        let loaded = triage_core::artifact::from_bytes(black_box(&artifact));
        let took = started.elapsed();
        drop(black_box(loaded));
        took
    });
    let before = counting::live().0;
    counting::reset_peak();
    let loaded = triage_core::artifact::from_bytes(&artifact)
        .unwrap_or_else(|e| panic!("{}: reading the artifact back: {e}", size.name()));
    let load_peak_heap = counting::peak().saturating_sub(before);
    let loaded_heap = counting::live().0.saturating_sub(before);
    assert_eq!(
        loaded.hash(),
        bundle.hash(),
        "{}: the artifact's hash",
        size.name()
    );
    assert_eq!(loaded.compiled_nodes(), bundle.compiled_nodes());
    drop(loaded);

    let adult = Patient::new(40, 0, Sex::Female);
    let search = |words: &str| {
        let hits = bundle.search(Some(&adult), Some(words)).len();
        let took = median_per_call(|| bundle.search(Some(&adult), Some(black_box(words))));
        (took, hits)
    };
    let (search_common, common_hits) = search(COMMON_WORD);
    let (search_rare, rare_hits) = search(RARE_WORD);
    assert!(
        rare_hits >= 1,
        "{}: `{RARE_WORD}` found nothing",
        size.name()
    );
    let (search_misspelt, misspelt_hits) = search(MISSPELT_WORD);

    let answers = longest_journey(&bundle, &adult);
    let (pathway, ids) = eval::resolve_answers(&bundle, FIRST_PATHWAY, &adult, &answers)
        .unwrap_or_else(|e| panic!("{}: {e}", size.name()));
    let journey_ids = median_per_call(|| {
        eval::evaluate_ids(&bundle, pathway, black_box(&adult), black_box(&ids))
    });
    let journey_strings = median_per_call(|| {
        eval::evaluate(
            &bundle,
            FIRST_PATHWAY,
            black_box(&adult),
            black_box(&answers),
        )
        .map(|e| e.position())
    });

    Row {
        name: size.name(),
        shape: size.shape,
        pathways: size.pathways,
        authored_nodes: bundle.stats().nodes,
        compiled_nodes: bundle.compiled_nodes(),
        files: file_count,
        source_bytes,
        past_loader_limits,
        parse: median(parse),
        validate: median(validate),
        compile: median(compile),
        build,
        build_peak_heap,
        bundle_heap,
        artifact_bytes: artifact.len(),
        artifact_write,
        artifact_load,
        loaded_heap,
        load_peak_heap,
        search_common,
        common_hits,
        search_rare,
        search_misspelt,
        misspelt_hits,
        journey_answers: answers.len(),
        journey_ids,
        journey_strings,
    }
}

/// The files as `Sources`: through `Sources::from_texts` when the bundle is
/// within the loader's limits, else directly (sorted by path, as the loader
/// keeps them), so the engine past the loader can still be measured. True
/// when the limits were passed.
fn sources_of(files: Vec<(String, String)>) -> (Sources, bool) {
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let within =
        files.len() <= triage_core::load::MAX_FILES && bytes <= triage_core::load::MAX_BUNDLE_BYTES;
    if within {
        let (sources, problems) = Sources::from_texts(files);
        assert!(
            problems.is_empty(),
            "reading the synthetic bundle: {problems:#?}"
        );
        return (sources, false);
    }
    let mut files: Vec<SourceFile> = files
        .into_iter()
        .map(|(path, text)| SourceFile { path, text })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (
        Sources {
            files,
            ..Sources::default()
        },
        true,
    )
}

/// The journey through the first pathway that answers every question it
/// can without ending the journey ("no", "none of these", the last option,
/// the lowest number), then ends it: the longest the pathway offers.
fn longest_journey(bundle: &CompiledBundle, patient: &Patient) -> Vec<Answer> {
    let mut answers: Vec<Answer> = Vec::new();
    loop {
        let step = eval::evaluate(bundle, FIRST_PATHWAY, patient, &answers)
            .and_then(|e| e.render())
            .unwrap_or_else(|e| panic!("walking {FIRST_PATHWAY}: {e}"));
        let Step::Question(question) = step else {
            return answers;
        };
        let mut candidates: Vec<AnswerValue> = match question.kind {
            QuestionKindDoc::YesNo => vec![AnswerValue::Choice("no".into())],
            QuestionKindDoc::Multiple => vec![AnswerValue::Choices(vec!["none".into()])],
            QuestionKindDoc::Single => question
                .options
                .iter()
                .rev()
                .filter(|o| o.id != "not_sure")
                .map(|o| AnswerValue::Choice(o.id.clone()))
                .collect(),
            QuestionKindDoc::Number => {
                let (low, _) = question.range.unwrap_or((0.0, 0.0));
                vec![AnswerValue::Number(low)]
            }
        };
        let mut ending = None;
        let mut chosen = None;
        for value in candidates.drain(..) {
            let answer = Answer::new(question.id.clone(), value);
            let mut longer = answers.clone();
            longer.push(answer.clone());
            match eval::evaluate(bundle, FIRST_PATHWAY, patient, &longer).and_then(|e| e.render()) {
                Ok(Step::Question(_)) => {
                    chosen = Some(answer);
                    break;
                }
                Ok(Step::Outcome(_)) => {
                    ending.get_or_insert(answer);
                }
                Err(_) => {}
            }
        }
        match chosen.or(ending) {
            Some(answer) => answers.push(answer),
            None => panic!("walking {FIRST_PATHWAY}: no answer to {}", question.id),
        }
    }
}

/// Times a stretch of work on this thread: the wall time, less the time the
/// thread spent waiting for a CPU while other processes ran (the scheduler's
/// `run_delay`, from `/proc/thread-self/schedstat`), so that a machine busy
/// with other work skews the figures less. Where the scheduler does not say,
/// it is the wall time.
struct Stopwatch {
    started: Instant,
    waited: Option<Duration>,
}

impl Stopwatch {
    fn start() -> Stopwatch {
        let waited = waited_for_cpu();
        Stopwatch {
            started: Instant::now(),
            waited,
        }
    }

    fn elapsed(&self) -> Duration {
        let wall = self.started.elapsed();
        match (self.waited, waited_for_cpu()) {
            (Some(before), Some(now)) => wall.saturating_sub(now.saturating_sub(before)),
            _ => wall,
        }
    }
}

/// How long this thread has waited for a CPU, all told. The field is
/// brought up to date whenever the thread is given a CPU, so it is current
/// while the thread runs (unlike the run time beside it).
fn waited_for_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The median of `runs` timings, each taken by `run`.
fn median_duration(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    median((0..runs).map(|_| run()).collect())
}

/// The median time of one call of `run`, from batches long enough to time.
fn median_per_call<T>(mut run: impl FnMut() -> T) -> Duration {
    const BATCHES: usize = 15;
    const BATCH: Duration = Duration::from_millis(5);
    let started = Stopwatch::start();
    black_box(run());
    let once = started.elapsed().max(Duration::from_nanos(1));
    let calls = (BATCH.as_nanos() / once.as_nanos()).clamp(1, 1_000_000) as u32;
    let batches = (0..BATCHES)
        .map(|_| {
            let started = Stopwatch::start();
            for _ in 0..calls {
                black_box(run());
            }
            started.elapsed() / calls
        })
        .collect();
    median(batches)
}

fn print_row(row: &Row) {
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} ({}) | {} | {} |",
        row.name,
        thousands(row.authored_nodes as u64),
        thousands(row.compiled_nodes as u64),
        thousands(row.source_bytes as u64),
        duration(row.build),
        thousands(row.build_peak_heap as u64),
        thousands(row.bundle_heap as u64),
        thousands(row.artifact_bytes as u64),
        duration(row.artifact_load),
        duration(row.search_common),
        thousands(row.common_hits as u64),
        duration(row.search_rare),
        duration(row.search_misspelt),
        thousands(row.misspelt_hits as u64),
        duration(row.journey_ids),
        duration(row.journey_strings),
    );
}

fn print_stages(rows: &[Row]) {
    println!("| pathways | parse | validate | compile | artifact write (`to_bytes`) | artifact loaded, heap | peak heap while loading it | journey answers |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            duration(row.parse),
            duration(row.validate),
            duration(row.compile),
            duration(row.artifact_write),
            thousands(row.loaded_heap as u64),
            thousands(row.load_peak_heap as u64),
            row.journey_answers,
        );
    }
    println!();
}

/// A column of the table: its name, and its value in a row.
type Column = (&'static str, fn(&Row) -> f64);

/// Each column's growth exponent between consecutive rows: `k` in
/// `value ~ size^k`, where size is the pathway count, or the compiled node
/// count between two rows with the same pathway count. 1 is linear; n log n
/// shows as a little over 1 (about 1.1 to 1.2 over a factor of 10).
fn print_growth(rows: &[Row]) {
    let columns: [Column; 20] = [
        ("authored nodes", |r| r.authored_nodes as f64),
        ("compiled nodes", |r| r.compiled_nodes as f64),
        ("source bytes", |r| r.source_bytes as f64),
        ("build", |r| r.build.as_secs_f64()),
        ("parse", |r| r.parse.as_secs_f64()),
        ("validate", |r| r.validate.as_secs_f64()),
        ("compile", |r| r.compile.as_secs_f64()),
        ("peak heap while building", |r| r.build_peak_heap as f64),
        ("compiled bundle heap", |r| r.bundle_heap as f64),
        ("artifact bytes", |r| r.artifact_bytes as f64),
        ("artifact write", |r| r.artifact_write.as_secs_f64()),
        ("artifact load", |r| r.artifact_load.as_secs_f64()),
        ("artifact loaded, heap", |r| r.loaded_heap as f64),
        ("peak heap while loading it", |r| r.load_peak_heap as f64),
        ("search common word", |r| r.search_common.as_secs_f64()),
        ("search rare word", |r| r.search_rare.as_secs_f64()),
        ("search misspelling", |r| r.search_misspelt.as_secs_f64()),
        ("journey answers", |r| r.journey_answers as f64),
        ("journey `evaluate_ids`", |r| r.journey_ids.as_secs_f64()),
        ("journey `evaluate`", |r| r.journey_strings.as_secs_f64()),
    ];
    if rows.len() < 2 {
        return;
    }
    let steps: Vec<(String, &Row, &Row, f64)> = rows
        .windows(2)
        .filter_map(|pair| {
            let [a, b] = pair else { return None };
            // Like with like: sizes of one shape by pathways, and two shapes
            // of one size by compiled nodes.
            let (from, to, by) = if a.shape == b.shape {
                (a.pathways as f64, b.pathways as f64, "pathways")
            } else if a.pathways == b.pathways {
                (
                    a.compiled_nodes as f64,
                    b.compiled_nodes as f64,
                    "compiled nodes",
                )
            } else {
                return None;
            };
            let ratio = (to / from).ln();
            (ratio.abs() > 1e-9)
                .then(|| (format!("{} → {} (by {by})", a.name, b.name), a, b, ratio))
        })
        .collect();
    println!("Growth exponent k (value ~ size^k) between consecutive sizes:\n");
    let header: Vec<&str> = steps.iter().map(|(name, ..)| name.as_str()).collect();
    println!("| column | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(steps.len()));
    for (column, value) in columns {
        let cells: Vec<String> = steps
            .iter()
            .map(|(_, a, b, ratio)| {
                let (va, vb) = (value(a), value(b));
                if va > 0.0 && vb > 0.0 {
                    format!("{:.2}", (vb / va).ln() / ratio)
                } else {
                    "n/a".into()
                }
            })
            .collect();
        println!("| {column} | {} |", cells.join(" | "));
    }
}

fn duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
