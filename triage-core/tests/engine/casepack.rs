use crate::fixture::*;
use triage_core::casepack::{run, TestReport};

/// Every edge of fever, of the screen module and of the part of cough that
/// fever jumps into. Nothing for period pain, and cough's own start is not used.
const FEVER_CASES: &str = "\
pathway: fever
cases:
  - name: struggling to breathe
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [breathing]
    expect: { disposition: call-999, reasons: [breathing], advice: [wait-999] }
  - name: rash
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [rash, stiff]
    expect: { disposition: ae-1h, reasons: [Non-fading rash, Stiff neck], advice: [rash-check] }
  - name: stiff neck
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [stiff]
    expect: { disposition: ae-1h }
  - name: unsure about the signs
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: not_sure
    expect: { disposition: call-999, reasons: [screen-unsure] }
  - name: child who travelled
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [travel]
      - temperature: 37
    expect: { disposition: gp-2h, reasons: [travel], advice: [travel, fever] }
  - name: child in contact with sepsis
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [contact]
      - temperature: 37
    expect: { disposition: ae-1h, reasons: [contact] }
  - name: child drinking normally
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [none]
      - temperature: 38.5
      - drinking: normal
    expect: { disposition: self-care, reasons: [], advice: [fever, rest] }
  - name: child drinking less
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - drinking: less
    expect: { disposition: own-gp }
  - name: child not drinking
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - drinking: not-at-all
    expect: { disposition: gp-2h, reasons: [not-drinking] }
  - name: hot baby
    patient: { age: 0, months: 6, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 38
    expect: { disposition: ae-1h }
  - name: baby
    patient: { age: 0, months: 6, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 37
    expect: { disposition: gp-2h }
  - name: confused adult
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 39
      - adult: yes
    expect: { disposition: ae-1h, reasons: [high-temp, confused] }
  - name: no thermometer
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: not_sure
    expect: { disposition: gp-2h }
  - name: unsure about confusion
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - adult: not_sure
    expect: { disposition: gp-2h }
  - name: short cough
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - adult: no
      - cough/how-long: 1
    expect: { disposition: self-care }
  - name: long cough
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - adult: no
      - cough/how-long: 3
    expect: { disposition: own-gp, reasons: [long-cough] }
";

fn report(extra: &[(&str, &str)]) -> TestReport {
    let (bundle, ir, _) = build_files(files(extra));
    run(&bundle, &ir)
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    index as u32 + 1
}

#[test]
fn a_passing_pack_reports_every_case_and_its_coverage() {
    let report = report(&[("pathways/fever.cases.yaml", FEVER_CASES)]);
    let failures: Vec<_> = report.cases.iter().filter(|c| !c.passed).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!((report.passed(), report.failed()), (16, 0));
    assert!(report.cases.iter().all(|c| c.pack_pathway == "fever"));
    assert_eq!(report.cases[0].name, "struggling to breathe");

    let coverage = &report.coverage;
    // 7 screen + 18 fever + 2 cough + 2 period-pain answer edges; period pain untested.
    assert_eq!((coverage.edges.covered, coverage.edges.total), (27, 29));
    assert!((coverage.edges.percent - 27.0 * 100.0 / 29.0).abs() < 1e-9);
    let line = line_of(PERIOD_PAIN, "yes: { next: gp }");
    assert_eq!(
        coverage.uncovered_edges,
        [
            format!("pathways/period-pain.yaml:{line} period-pain/severe yes"),
            format!(
                "pathways/period-pain.yaml:{} period-pain/severe no",
                line + 1
            ),
        ]
    );
    // Nodes: all but period pain's three and cough's module call.
    assert_eq!((coverage.nodes.covered, coverage.nodes.total), (18, 22));
    // Dispositions per pathway: fever reaches all 5; cough (4) and period pain (2) have no cases.
    assert_eq!(
        (coverage.dispositions.covered, coverage.dispositions.total),
        (5, 11)
    );
    let fever = coverage.pathways.iter().find(|p| p.pathway == "fever");
    assert!(fever.is_some_and(|p| p.reachable.len() == 5 && p.unreached.is_empty()));
    let cough = coverage.pathways.iter().find(|p| p.pathway == "cough");
    assert!(cough.is_some_and(|p| p.unreached == ["call-999", "ae-1h", "own-gp", "self-care"]));
}

#[test]
fn uncovered_answers_and_branch_cases_are_listed_where_they_are_written() {
    let pack = "\
pathway: fever
cases:
  - name: child drinking normally
    patient: { age: 5, sex: male }
    answers:
      - screen/signs: [none]
      - temperature: 37
      - drinking: normal
    expect: { disposition: self-care }
";
    let report = report(&[("pathways/fever.cases.yaml", pack)]);
    let uncovered = &report.coverage.uncovered_edges;
    let less = format!(
        "pathways/fever.yaml:{} fever/drinking less",
        line_of(FEVER, "id: less")
    );
    assert!(uncovered.contains(&less), "{uncovered:#?}");
    // A branch case by its condition, at its own line.
    let sepsis = line_of(FEVER, "when: 'score.sepsis >= 1'");
    assert!(
        uncovered.contains(&format!(
            "pathways/fever.yaml:{sepsis} fever/child case `when: score.sepsis >= 1`"
        )),
        "{uncovered:#?}"
    );
    let travelled = line_of(FEVER, "when: 'var.travelled'");
    assert!(uncovered.contains(&format!(
        "pathways/fever.yaml:{travelled} fever/child case `when: var.travelled`"
    )));
    let child = line_of(FEVER, "  child:");
    assert!(!uncovered.contains(&format!(
        "pathways/fever.yaml:{child} fever/child otherwise"
    )));
    // Bands by their bounds.
    let by_age = line_of(FEVER, "  by-age:");
    assert!(uncovered.contains(&format!(
        "pathways/fever.yaml:{by_age} fever/by-age band under 1"
    )));
    assert!(uncovered.contains(&format!(
        "pathways/fever.yaml:{by_age} fever/by-age band 16 or more"
    )));
    let rash = line_of(SCREEN, "id: rash");
    assert!(uncovered.contains(&format!("modules/screen.yaml:{rash} screen/signs rash")));
}

#[test]
fn failing_cases_say_what_went_wrong() {
    let pack = "\
pathway: fever
cases:
  - name: wrong disposition
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 39
      - adult: yes
    expect: { disposition: gp-2h }
  - name: too few answers
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 39
    expect: { disposition: gp-2h }
  - name: answers after the end
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [rash]
      - temperature: 39
    expect: { disposition: ae-1h }
  - name: wrong reasons
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [none]
      - temperature: 39
      - adult: yes
    expect: { disposition: ae-1h, reasons: [confused, high-temp] }
  - name: missing advice
    patient: { age: 30, sex: female }
    answers:
      - screen/signs: [rash]
    expect: { disposition: ae-1h, advice: [rest] }
  - name: answer to a question not asked
    patient: { age: 30, sex: female }
    answers:
      - temperature: 39
    expect: { disposition: ae-1h }
";
    let report = report(&[("pathways/fever.cases.yaml", pack)]);
    assert_eq!((report.passed(), report.failed()), (0, 6));
    let failure = |name: &str| {
        report
            .cases
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.failure.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        failure("wrong disposition"),
        "expected disposition gp-2h, got ae-1h after answers screen/signs=[none], temperature=39, adult=yes"
    );
    assert_eq!(
        failure("too few answers"),
        "journey stopped at question adult with no answer left"
    );
    assert_eq!(
        failure("answers after the end"),
        "answer 2 (temperature=39): the journey has ended; no more answers are taken"
    );
    assert_eq!(
        failure("wrong reasons"),
        "expected reasons [confused, high-temp], got [high-temp, confused]"
    );
    assert_eq!(
        failure("missing advice"),
        "expected care advice rest, not given (given: rash-check)"
    );
    assert!(failure("answer to a question not asked").contains("screen/signs"));

    let case = report.cases.iter().find(|c| c.name == "too few answers");
    assert_eq!(
        case.map(|c| c.line),
        Some(line_of(pack, "name: too few answers"))
    );
    let sources_file = case.map(|c| c.file);
    let (_, _, sources) = build_files(files(&[("pathways/fever.cases.yaml", pack)]));
    assert_eq!(
        sources_file
            .and_then(|f| sources.files.get(f))
            .map(|f| f.path.as_str()),
        Some("pathways/fever.cases.yaml")
    );
}

/// A pathway for everyone that splits by age, and a children's pathway that
/// jumps into it: the adult outcomes are not the children's to reach.
const SHARED_BY_AGE: &str = "\
pathway:
  id: shared
  title: Shared
  version: 1.0.0
  ages: { from: 0 }
  topics: [Cough]
  sexes: [female, male]
  keywords: [shared]
  sources:
    - { title: NHS cough, url: https://www.nhs.uk/conditions/cough/ }
  start: by-age
nodes:
  by-age:
    branch:
      cases:
        - { when: age < 16, next: by-months }
      otherwise: adult
  by-months:
    branch:
      on: age_months
      bands:
        - { below: 12, next: baby }
        - { from: 12, next: child }
  baby:
    outcome: { disposition: ae-1h, reason: A baby }
  child:
    outcome: { disposition: gp-2h, reason: A child }
  adult:
    outcome: { disposition: own-gp, reason: An adult }
";

const CHILD_JUMPS_IN: &str = "\
pathway:
  id: toddler-cough
  title: Toddler cough
  version: 1.0.0
  ages: { from: 1, to: 5 }
  topics: [Cough]
  sexes: [female, male]
  keywords: [toddler]
  sources:
    - { title: NHS cough, url: https://www.nhs.uk/conditions/cough/ }
  start: jump
nodes:
  jump:
    goto: { pathway: shared, at: by-age }
";

#[test]
fn dispositions_only_people_of_other_ages_can_reach_are_not_asked_of_a_pathway() {
    let report = report(&[
        ("pathways/shared.yaml", SHARED_BY_AGE),
        ("pathways/toddler-cough.yaml", CHILD_JUMPS_IN),
    ]);
    let reachable = |id: &str| {
        report
            .coverage
            .pathways
            .iter()
            .find(|p| p.pathway == id)
            .map(|p| p.reachable.clone())
    };
    // Everyone: all three. A child of 1 to 4: neither the baby's nor the adult's.
    assert_eq!(
        reachable("shared").as_deref(),
        Some(&["ae-1h", "gp-2h", "own-gp"].map(String::from)[..])
    );
    assert_eq!(
        reachable("toddler-cough").as_deref(),
        Some(&["gp-2h".to_string()][..])
    );
}
