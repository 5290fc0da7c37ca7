//! `triage_core::diff` on pairs of bundles with known changes: the base in
//! `tests/fixtures/diff/base` (a fever pathway with a number question, a
//! multiple choice, an age band and a jump; a cough and an earache pathway;
//! an emergency-screen module all three call) and a copy with one edit,
//! either committed (`tests/fixtures/diff/rerouted`) or made here.

#[allow(dead_code)]
mod support;

use std::path::Path;
use triage_core::diff::{BundleDiff, ChangeKind, JourneyChange, JourneyChangeKind, ServedChange};

const BASE: &str = "tests/fixtures/diff/base";

/// The base compared with a copy in which each `(file, old, new)` edit is made.
fn diff_after(edits: &[(&str, &str, &str)]) -> BundleDiff {
    let dir = tempfile::tempdir().expect("a temporary directory");
    support::copy_dir(Path::new(BASE), dir.path());
    for (file, old, new) in edits {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("the file to edit");
        assert!(text.contains(old), "{file} has no {old:?}");
        std::fs::write(&path, text.replacen(old, new, 1)).expect("the edit");
    }
    let build = |dir: &Path| {
        let built = triage_core::build_dir(dir);
        assert!(!built.has_errors(), "{:?}", built.diagnostics);
        built.bundle.expect("compiled")
    };
    triage_core::diff::diff(&build(Path::new(BASE)), &build(dir.path())).expect("compared")
}

fn journeys<'d>(diff: &'d BundleDiff, pathway: &str) -> Vec<&'d JourneyChange> {
    diff.pathways
        .iter()
        .filter(|p| p.id == pathway)
        .flat_map(|p| &p.journeys)
        .collect()
}

fn answered(journey: &JourneyChange, question: &str, answer: &str) -> bool {
    journey
        .new_answers
        .iter()
        .any(|g| g.question == question && g.answer == answer)
}

#[test]
fn a_bundle_compared_with_itself_has_no_change() {
    let diff = diff_after(&[]);
    assert!(diff.is_empty(), "{diff:#?}");
    assert_eq!(diff.pathways_compared, 3);
    assert!(diff.classes_compared > 10, "{}", diff.classes_compared);
    assert!(!diff.may_be_less_urgent());
}

#[test]
fn a_moved_threshold_names_the_numbers_that_now_go_elsewhere() {
    // 40 °C becomes 39 °C: 39 to 40 now counts as very high.
    let diff = diff_after(&[
        (
            "pathways/fever.yaml",
            "{ from: 38, below: 40, next: drinking",
            "{ from: 38, below: 39, next: drinking",
        ),
        (
            "pathways/fever.yaml",
            "{ from: 40, next: by-age",
            "{ from: 39, next: by-age",
        ),
    ]);
    let fever = journeys(&diff, "fever");
    assert!(!fever.is_empty(), "{diff:#?}");
    // More urgent, or to a GP as before but for another reason.
    assert!(
        fever.iter().all(|j| matches!(
            j.change,
            JourneyChangeKind::MoreUrgent | JourneyChangeKind::AdviceOrReasons
        )),
        "{fever:#?}"
    );
    assert!(
        fever
            .iter()
            .all(|j| answered(j, "temperature", "39 to under 40 °C")),
        "only temperatures from 39 to under 40 change: {fever:#?}"
    );
    // Everyone now parts at the temperature question and ends with a GP.
    let more = fever
        .iter()
        .find(|j| j.change == JourneyChangeKind::MoreUrgent)
        .expect("a more urgent change");
    assert_eq!(more.people.text, "1 to 15 years");
    let fork = more.fork.as_ref().expect("the journeys part");
    assert_eq!(fork.node, "temperature");
    assert_eq!(fork.new_edge, "answer 39 or more");
    assert_eq!(
        (fork.old_next.as_str(), fork.new_next.as_str()),
        ("drinking", "by-age")
    );
    assert_eq!(more.new.disposition, "gp-2h");
    assert!(journeys(&diff, "cough").is_empty() && journeys(&diff, "earache").is_empty());
    assert!(!diff.may_be_less_urgent());
}

#[test]
fn a_rerouted_option_is_less_urgent_for_everyone_who_gives_it() {
    // The committed pair: `rerouted` is `base` with the stiff neck sent to a GP.
    let build = |dir: &str| {
        triage_core::build_dir(Path::new(dir))
            .bundle
            .expect("compiled")
    };
    let diff = triage_core::diff::diff(&build(BASE), &build("tests/fixtures/diff/rerouted"))
        .expect("compared");
    let fever = journeys(&diff, "fever");
    assert_eq!(fever.len(), 1, "{fever:#?}");
    let journey = fever[0];
    assert_eq!(journey.change, JourneyChangeKind::LessUrgent);
    assert_eq!(journey.people.text, "1 to 15 years");
    assert_eq!(
        (
            journey.old.disposition.as_str(),
            journey.new.disposition.as_str()
        ),
        ("ae-1h", "gp-2h")
    );
    assert!(
        answered(journey, "warning-signs", "stiff-neck"),
        "{journey:#?}"
    );
    let fork = journey.fork.as_ref().expect("the journeys part");
    assert_eq!(
        (fork.node.as_str(), fork.new_edge.as_str()),
        ("warning-signs", "answer stiff-neck")
    );
    assert_eq!(
        (fork.old_next.as_str(), fork.new_next.as_str()),
        ("ae-now", "gp-soon")
    );
    // A choice of the rash with a stiff neck still routes by the rash.
    assert!(!answered(journey, "warning-signs", "rash + stiff-neck"));
    assert!(diff.may_be_less_urgent());
    let fever_diff = diff
        .pathways
        .iter()
        .find(|p| p.id == "fever")
        .expect("fever changed");
    assert!(
        fever_diff
            .changes
            .iter()
            .any(|c| c.what == "answer `stiff-neck` of `warning-signs`"
                && c.field.as_deref() == Some("leads to")),
        "{:#?}",
        fever_diff.changes
    );
}

#[test]
fn an_inserted_question_shows_the_new_answers_that_change_the_end() {
    let diff = diff_after(&[
        (
            "pathways/fever.yaml",
            "      no: { next: how-long }",
            "      no: { next: vomiting }",
        ),
        (
            "pathways/fever.yaml",
            "  how-long:\n",
            "  vomiting:
    question:
      text:
        self: Have you been sick 3 times or more today?
        child: Has your child been sick 3 times or more today?
      kind: yes_no
      yes: { next: gp-soon, reason: Being sick 3 times or more }
      no: { next: how-long }
      not_sure: { next: gp-soon }

  how-long:\n",
        ),
    ]);
    let fever = journeys(&diff, "fever");
    assert!(!fever.is_empty());
    assert!(fever
        .iter()
        .any(|j| j.change == JourneyChangeKind::MoreUrgent));
    for journey in &fever {
        // More urgent, or to a GP as before but for being sick.
        assert!(
            matches!(
                journey.change,
                JourneyChangeKind::MoreUrgent | JourneyChangeKind::AdviceOrReasons
            ),
            "{journey:#?}"
        );
        assert!(
            answered(journey, "vomiting", "yes") || answered(journey, "vomiting", "not_sure"),
            "{journey:#?}"
        );
        assert!(journey.old_answers.iter().all(|g| g.question != "vomiting"));
        assert_eq!(journey.new.disposition, "gp-2h");
    }
    let fever_diff = diff
        .pathways
        .iter()
        .find(|p| p.id == "fever")
        .expect("fever changed");
    assert!(fever_diff
        .changes
        .iter()
        .any(|c| c.what == "question `vomiting`" && c.change == ChangeKind::Added));
}

#[test]
fn a_changed_module_shows_under_every_pathway_that_calls_it() {
    let diff = diff_after(&[(
        "modules/emergency-screen.yaml",
        "outcome: { disposition: call-999-cat2 }",
        "outcome: { disposition: ae-1h }",
    )]);
    for pathway in ["fever", "cough", "earache"] {
        let changed = journeys(&diff, pathway);
        assert_eq!(changed.len(), 1, "{pathway}: {changed:#?}");
        let journey = changed[0];
        assert_eq!(journey.change, JourneyChangeKind::LessUrgent);
        assert_eq!(journey.old.disposition, "call-999-cat2");
        assert_eq!(journey.new.disposition, "ae-1h");
        assert_eq!(journey.old.outcome, "emergency-screen/call-999");
        // Both "yes" and "not sure" to the breathing question end there (and
        // fever asks it again after its jump to cough).
        let expected = if pathway == "fever" { 4 } else { 2 };
        assert_eq!(journey.classes, expected, "{journey:#?}");
    }
    assert_eq!(diff.modules.len(), 1);
    assert_eq!(diff.modules[0].id, "emergency-screen");
}

#[test]
fn a_narrowed_age_range_names_who_is_no_longer_served() {
    let diff = diff_after(&[(
        "pathways/fever.yaml",
        "ages: { from: 1, to: 16 }",
        "ages: { from: 2, to: 16 }",
    )]);
    let fever = diff
        .pathways
        .iter()
        .find(|p| p.id == "fever")
        .expect("fever changed");
    assert_eq!(fever.people.len(), 1, "{:#?}", fever.people);
    assert_eq!(fever.people[0].change, ServedChange::NoLongerServed);
    assert_eq!(fever.people[0].people.text, "1 year");
    assert!(
        fever.journeys.is_empty(),
        "the others' journeys are as they were"
    );
    assert!(diff.may_be_less_urgent());
}

#[test]
fn a_branch_that_splits_people_names_each_group() {
    // Girls from 12 now see a GP, as everyone else does.
    let diff = diff_after(&[(
        "pathways/earache.yaml",
        "when: sex == female and age >= 12\n          next: pharmacy",
        "when: sex == female and age >= 12\n          next: gp",
    )]);
    let earache = journeys(&diff, "earache");
    assert_eq!(earache.len(), 1, "{earache:#?}");
    assert_eq!(earache[0].change, JourneyChangeKind::MoreUrgent);
    assert_eq!(earache[0].people.text, "12 to 15 years, female");
}

#[test]
fn a_new_single_choice_answer_is_walked_against_every_old_answer() {
    let diff = diff_after(&[(
        "pathways/fever.yaml",
        "        - { id: under-a-day, label: Less than a day, next: decide }\n",
        "        - { id: under-a-day, label: Less than a day, next: decide }\n        - { id: getting-better, label: Getting better, next: home-care }\n",
    )]);
    let fever = journeys(&diff, "fever");
    assert!(!fever.is_empty(), "{diff:#?}");
    assert!(fever
        .iter()
        .all(|j| answered(j, "how-long", "getting-better")));
    let worst = fever
        .iter()
        .find(|j| j.change == JourneyChangeKind::LessUrgent)
        .expect("someone who would have seen a GP now cares for it at home");
    assert_eq!(worst.new.disposition, "self-care");
    let fork = worst.fork.as_ref().expect("the journeys part");
    assert_eq!(
        (fork.node.as_str(), fork.old_edge.as_str()),
        ("how-long", "no such answer")
    );
    assert!(diff.may_be_less_urgent());
}

#[test]
fn a_journey_too_long_to_walk_leaves_its_pathway_not_compared_in_full() {
    // 3,000 questions one after another: longer than the walk follows.
    let mut nodes = String::new();
    for i in 0..3000 {
        let next = if i + 1 < 3000 {
            format!("q{}", i + 1)
        } else {
            "home-care".to_owned()
        };
        nodes.push_str(&format!(
            "  q{i}: {{ question: {{ text: Is it {i}?, kind: yes_no, yes: {{ next: {next} }}, no: {{ next: {next} }} }} }}\n"
        ));
    }
    let diff = diff_after(&[(
        "pathways/fever.yaml",
        "  screen:\n    call: { module: emergency-screen, next: warning-signs }\n",
        &format!("  screen:\n    call: {{ module: emergency-screen, next: q0 }}\n{nodes}"),
    )]);
    let fever = diff
        .pathways
        .iter()
        .find(|p| p.id == "fever")
        .expect("fever");
    assert!(fever.incomplete, "{:?}", fever.classes);
    assert!(
        diff.may_be_less_urgent(),
        "an unchecked pathway fails --fail-on less-urgent"
    );
}
