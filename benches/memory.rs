//! Memory: the bytes one session takes (its own size plus the heap it owns)
//! and the heap of the compiled shipped bundle, measured by counting every
//! allocation; and how many allocations one journey makes on each path.
//!
//! `cargo bench --bench memory` prints the figures BENCHMARKS.md quotes.
//! Heap bytes are the sizes asked of the allocator; the system allocator adds
//! its own overhead per block (glibc: 8 bytes, rounded up to 16), so the
//! number of blocks is printed too.

// The one exception to the project's `forbid(unsafe_code)`: a global
// allocator can only be written with `unsafe impl`. It forwards every call
// to the system allocator unchanged and only adds to counters.
#![deny(unsafe_code)]

// Shared with tests/baselines.rs and benches/engine.rs; each uses part of it.
#[allow(dead_code)]
mod support;

use std::hint::black_box;
use std::mem::size_of;
use support::chest_pain_by_hand::{self as by_hand, Reply};
use support::chest_pain_logic;
use support::journeys::{self, Journey, CHEST_PAIN};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{self, Answer};
use triage_core::session::Session;

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

/// Heap bytes and blocks `make` leaves allocated in the value it returns.
fn heap_kept_by<T>(make: impl FnOnce() -> T) -> (T, usize, usize) {
    let (bytes_before, blocks_before) = counting::live();
    let value = make();
    let (bytes_after, blocks_after) = counting::live();
    (
        value,
        bytes_after.saturating_sub(bytes_before),
        blocks_after.saturating_sub(blocks_before),
    )
}

/// Allocations `run` makes per call, over many calls.
fn allocations_per_call<T>(mut run: impl FnMut() -> T) -> f64 {
    const CALLS: usize = 1_000;
    black_box(run());
    let before = counting::allocations();
    for _ in 0..CALLS {
        black_box(run());
    }
    (counting::allocations() - before) as f64 / CALLS as f64
}

fn session_after(bundle: &CompiledBundle, journey: &Journey, answers: &[Answer]) -> Session {
    let mut session = Session::start(bundle, &journey.pathway, journey.patient)
        .unwrap_or_else(|e| panic!("{}: {e}", journey.name));
    for answer in answers {
        if let Err(e) = session.answer(bundle, answer.clone()) {
            panic!("{}: {e}", journey.name);
        }
    }
    session
}

fn main() {
    // `cargo test --benches` runs this once as a smoke test; it lists no tests.
    if std::env::args().any(|a| a == "--list") {
        return;
    }

    let (built, built_bytes, built_blocks) = heap_kept_by(journeys::build_shipped);
    let built = built.unwrap_or_else(|e| panic!("{e}"));
    let cases = journeys::case_pack_journeys(&built);
    drop(built);
    // Build again, keeping only the compiled bundle, as a service would.
    counting::reset_peak();
    let (bundle, bundle_bytes, bundle_blocks) =
        heap_kept_by(|| journeys::build_shipped().map(|built| built.bundle));
    let build_peak = counting::peak();
    let bundle = bundle
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the shipped bundle does not compile"));
    let stats = bundle.stats();
    let stats_line = format!(
        "{} pathways, {} modules, {} authored nodes, {} compiled nodes, {} dispositions",
        stats.pathways,
        stats.modules,
        stats.nodes,
        bundle.compiled_nodes(),
        stats.dispositions
    );

    let journey = journeys::timed_journey(&cases).unwrap_or_else(|| panic!("no chest-pain case"));
    let half = journey.answers.len() / 2;

    println!("Memory (heap bytes as requested from the allocator; blocks in brackets)\n");
    println!("| what | bytes |");
    println!("|---|---:|");
    println!("| shipped bundle | {stats_line} |");
    println!(
        "| compiled shipped bundle: `size_of::<CompiledBundle>()` | {} |",
        size_of::<CompiledBundle>()
    );
    println!("| compiled shipped bundle: heap | {bundle_bytes} ({bundle_blocks} blocks) |");
    println!(
        "| everything `build` returns (sources, model, IR, bundle): heap | {built_bytes} ({built_blocks} blocks) |"
    );
    println!("| peak heap while loading, validating and compiling | {build_peak} |");
    println!("| `size_of::<Session>()` | {} |", size_of::<Session>());
    let at = |n: usize| journey.answers.get(..n).unwrap_or_default();
    for (label, answers) in [
        ("just started".to_string(), at(0)),
        (format!("after {half} answers"), at(half)),
        (
            format!("at the outcome, {} answers", journey.answers.len()),
            at(journey.answers.len()),
        ),
    ] {
        let (session, bytes, blocks) = heap_kept_by(|| session_after(&bundle, &journey, answers));
        let (copy, copy_bytes, copy_blocks) = heap_kept_by(|| session.clone());
        println!(
            "| session {label}: heap (as built / as cloned) | {bytes} ({blocks} blocks) / {copy_bytes} ({copy_blocks} blocks) |"
        );
        println!(
            "| session {label}: total, size_of + heap as built | {} |",
            size_of::<Session>() + bytes
        );
        println!(
            "| session {label}: saved JSON | {} |",
            session.to_json().len()
        );
        drop((session, copy));
    }

    // Allocations per journey on each path: the main cost the profile shows.
    let (pathway, ids) =
        eval::resolve_answers(&bundle, CHEST_PAIN, &journey.patient, &journey.answers)
            .unwrap_or_else(|e| panic!("{e}"));
    let replies: Vec<Reply> = journey
        .answers
        .iter()
        .filter_map(|a| Reply::parse(a).ok())
        .collect();
    let logic = datalogic_rs::Engine::new();
    let rule = logic
        .compile(chest_pain_logic::rule().as_str())
        .unwrap_or_else(|e| panic!("{e}"));
    let parsed = datalogic_rs::ParsedData::from_json(&chest_pain_logic::input_json(
        &journey.patient,
        &journey.answers,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut logic_session = logic.session();
    let patient = journey.patient;
    println!(
        "\nAllocations per {}-answer chest-pain journey ({:?})\n",
        journey.answers.len(),
        journey.name
    );
    println!("| path | allocations |");
    println!("|---|---:|");
    let rows: [(&str, f64); 7] = [
        (
            "hand-written tree, pre-parsed",
            allocations_per_call(|| by_hand::triage(&patient, &replies)),
        ),
        (
            "hand-written tree, from strings",
            allocations_per_call(|| by_hand::triage_answers(&patient, &journey.answers)),
        ),
        (
            "engine, pre-resolved ids (`evaluate_ids`)",
            allocations_per_call(|| eval::evaluate_ids(&bundle, pathway, &patient, &ids)),
        ),
        (
            "engine, strings (`evaluate`)",
            allocations_per_call(|| {
                eval::evaluate(&bundle, CHEST_PAIN, &patient, &journey.answers)
            }),
        ),
        (
            "engine, `Session::start` + each `answer`",
            allocations_per_call(|| session_after(&bundle, &journey, &journey.answers)),
        ),
        (
            "datalogic-rs, pre-parsed (session reset per journey)",
            allocations_per_call(|| {
                let found = logic_session
                    .eval_borrowed(&rule, &parsed)
                    .map(|v| v.as_str().map(str::len))
                    .ok();
                logic_session.reset();
                found
            }),
        ),
        (
            "datalogic-rs, input built per journey",
            allocations_per_call(|| {
                let input = chest_pain_logic::input(&patient, &journey.answers);
                let found = logic_session
                    .eval_borrowed(&rule, &input)
                    .map(|v| v.as_str().map(str::len))
                    .ok();
                logic_session.reset();
                found
            }),
        ),
    ];
    for (path, allocations) in rows {
        println!("| {path} | {allocations:.1} |");
    }
}
