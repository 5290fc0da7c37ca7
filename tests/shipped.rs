//! The shipped bundle in `pathways/`, tried as its users would: it validates
//! cleanly, its case packs pass with full coverage, its index cannot drift,
//! obvious emergencies end at 999 or A&E, and a person of every age band finds
//! a pathway for their complaint.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answer, AnswerValue, OutcomeView, Patient, Sex, Step};
use triage_core::session::Session;

fn built() -> &'static triage_core::Built {
    static BUILT: OnceLock<triage_core::Built> = OnceLock::new();
    BUILT.get_or_init(|| triage_core::build_dir(Path::new("pathways")))
}

fn bundle() -> &'static CompiledBundle {
    built()
        .bundle
        .as_ref()
        .expect("the shipped bundle builds without errors")
}

fn patient(age_years: u32, age_months: u32, sex: Sex) -> Patient {
    Patient::new(age_years, age_months, sex)
}

fn choice(word: &str) -> AnswerValue {
    AnswerValue::Choice(word.to_string())
}

fn choices(words: &[&str]) -> AnswerValue {
    AnswerValue::Choices(words.iter().map(|w| w.to_string()).collect())
}

/// Walks a journey and returns its outcome, failing with the question it stopped at.
fn outcome(pathway: &str, who: Patient, answers: &[(&str, AnswerValue)]) -> OutcomeView {
    let bundle = bundle();
    let mut session = Session::start(bundle, pathway, who).expect("the pathway starts");
    for (question, value) in answers {
        session
            .answer(bundle, Answer::new(*question, value.clone()))
            .unwrap_or_else(|e| panic!("{pathway}: answering {question}: {e}"));
    }
    match session.step(bundle).and_then(|view| view.render()) {
        Ok(Step::Outcome(o)) => o,
        Ok(Step::Question(q)) => panic!("{pathway}: stopped at question {} ({})", q.id, q.text),
        Err(e) => panic!("{pathway}: {e}"),
    }
}

#[test]
fn the_shipped_bundle_validates_with_no_errors_or_warnings() {
    let built = built();
    assert!(built.diagnostics.is_empty(), "{:#?}", built.diagnostics);
    let stats = bundle().stats();
    assert!(stats.pathways >= 35, "only {} pathways", stats.pathways);
    assert!(stats.modules >= 2, "only {} modules", stats.modules);
}

#[test]
fn every_case_passes_and_covers_every_edge_node_and_disposition() {
    let built = built();
    let report = triage_core::casepack::run(bundle(), built.ir.as_ref().expect("validated"));
    let failures: Vec<_> = report
        .cases
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.failure.clone().unwrap_or_default()))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let coverage = &report.coverage;
    assert_eq!(
        coverage.edges.covered, coverage.edges.total,
        "uncovered: {:#?}",
        coverage.uncovered_edges
    );
    assert_eq!(coverage.nodes.covered, coverage.nodes.total);
    assert_eq!(coverage.dispositions.covered, coverage.dispositions.total);
}

#[test]
fn every_pathway_and_module_has_a_case_pack_and_cites_sources() {
    let doc = &built().doc;
    let packs: Vec<(String, &str)> = doc
        .case_packs
        .iter()
        .map(|(file, pack)| {
            (
                pack.pathway.value.clone(),
                built().sources.files[*file].path.as_str(),
            )
        })
        .collect();
    for (_, pathway) in &doc.pathways {
        let id = &pathway.pathway.id.value;
        assert!(
            packs.iter().any(|(p, _)| p == id),
            "pathway {id} has no case pack"
        );
        assert!(!pathway.pathway.sources.is_empty(), "{id} cites no source");
    }
    for (_, module) in &doc.modules {
        let id = &module.module.id.value;
        let file = format!("modules/{id}.cases.yaml");
        assert!(
            packs.iter().any(|(_, path)| *path == file),
            "module {id} has no case pack {file}"
        );
    }
}

#[test]
fn the_pathway_index_is_generated_from_the_bundle() {
    let output = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["list", "pathways", "--format", "markdown"])
        .output()
        .expect("triage runs");
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("UTF-8");
    let readme = std::fs::read_to_string("pathways/README.md").expect("pathways/README.md");
    let check = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["index", "pathways", "--check"])
        .output()
        .expect("triage runs");
    assert!(
        readme.contains(&table) && check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_stale_index_fails_its_check_with_the_command_that_rewrites_it() {
    let copy = tempfile::tempdir().expect("a temporary directory");
    support::copy_dir(std::path::Path::new("pathways"), copy.path());
    let readme = copy.path().join("README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md");
    let stale = text.replacen(
        "| Abdominal Pain (`abdominal-pain`,",
        "| Tummy ache (`abdominal-pain`,",
        1,
    );
    assert_ne!(stale, text);
    std::fs::write(&readme, &stale).expect("written");
    let run = |check: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_triage"));
        command.arg("index").arg(copy.path());
        if check {
            command.arg("--check");
        }
        command.output().expect("triage runs")
    };
    let check = run(true);
    assert_eq!(check.status.code(), Some(1));
    let message = String::from_utf8_lossy(&check.stderr);
    assert!(
        message.contains("out of date") && message.contains("triage index"),
        "{message}"
    );
    // Rewriting puts the table back as the bundle says, keeping the text around it.
    let write = run(false);
    assert!(
        write.status.success(),
        "{}",
        String::from_utf8_lossy(&write.stderr)
    );
    assert_eq!(std::fs::read_to_string(&readme).expect("README.md"), text);

    // Each pathway's flowchart page, linked from the table, is checked too.
    let page = copy.path().join("graphs/chest-pain.md");
    let chart = std::fs::read_to_string(&page).expect("the chest-pain flowchart page");
    assert!(chart.contains("```mermaid\n"), "{chart}");
    assert!(
        text.contains("[flowchart](graphs/chest-pain.md)"),
        "the index links it"
    );
    std::fs::write(&page, chart.replacen("flowchart TD", "flowchart LR", 1)).expect("written");
    let check = run(true);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stderr).contains("chest-pain.md"));
    assert!(run(false).status.success());
    assert!(run(true).status.success());
}

// -- obvious emergencies -------------------------------------------------------

#[test]
fn crushing_chest_pain_with_sweating_goes_to_999() {
    let o = outcome(
        "chest-pain",
        patient(58, 0, Sex::Male),
        &[
            ("emergency-screen/signs", choice("none")),
            ("pain-now", choice("now")),
            ("heart-signs", choices(&["heavy", "sweating-sick"])),
        ],
    );
    assert_eq!(
        o.disposition.service,
        triage_core::model::ServiceDoc::Ambulance
    );
    assert!(o.reasons.iter().any(|r| r.code == "chest-pain-heavy"));
}

#[test]
fn a_floppy_mottled_baby_goes_to_999() {
    let o = outcome(
        "unwell-baby",
        patient(0, 4, Sex::Female),
        &[(
            "emergency-screen/signs-baby",
            choices(&["unresponsive", "blue"]),
        )],
    );
    assert_eq!(o.disposition.id, "call-999-cat1");
    assert_eq!(o.reasons[0].code, "emergency-unresponsive");
    // Baby CPR starts with rescue breaths; the adult instruction would be wrong.
    let advice: Vec<&str> = o.care_advice.iter().map(|a| a.id.as_str()).collect();
    assert!(advice.contains(&"start-cpr-child"), "{advice:?}");
    assert!(!advice.contains(&"start-cpr"), "{advice:?}");
}

#[test]
fn a_sudden_worst_ever_headache_goes_to_999() {
    let o = outcome(
        "headache",
        patient(44, 0, Sex::Female),
        &[
            ("emergency-screen/signs", choice("none")),
            ("sudden", choice("yes")),
        ],
    );
    assert_eq!(
        o.disposition.service,
        triage_core::model::ServiceDoc::Ambulance
    );
}

#[test]
fn a_drooping_face_goes_to_999_from_the_stroke_pathway() {
    let o = outcome(
        "probable-stroke",
        patient(71, 0, Sex::Male),
        &[("emergency-screen/signs", choices(&["stroke"]))],
    );
    assert_eq!(
        o.disposition.service,
        triage_core::model::ServiceDoc::Ambulance
    );
    assert_eq!(o.reasons[0].code, "emergency-stroke");
}

#[test]
fn a_simple_cold_in_an_adult_ends_at_self_care_or_a_pharmacist() {
    let o = outcome(
        "cold-or-flu",
        patient(30, 0, Sex::Male),
        &[
            ("emergency-screen/signs", choice("none")),
            ("emergency-signs", choice("none")),
            ("worse-again", choice("no")),
            ("three-weeks", choice("no")),
            ("high-risk", choice("none")),
            ("flu-like", choice("no")),
            ("cold-bother", choice("no")),
        ],
    );
    assert!(
        matches!(
            o.disposition.service,
            triage_core::model::ServiceDoc::SelfCare | triage_core::model::ServiceDoc::Pharmacy
        ),
        "{:?}",
        o.disposition
    );
    // No warning sign was met, so the outcome gives its own reason, once.
    assert_eq!(o.reasons.len(), 1, "{:?}", o.reasons);
    assert!(!o.reasons[0].text.is_empty());
}

// -- symptom search by age band ----------------------------------------------------

/// The pathway ids a person finds for `words`, best match first.
fn search(age_years: u32, age_months: u32, sex: Sex, words: &str) -> Vec<String> {
    let who = patient(age_years, age_months, sex);
    bundle()
        .search(Some(&who), Some(words))
        .iter()
        .map(|hit| hit.pathway.id.to_string())
        .collect()
}

#[test]
fn a_person_of_every_age_band_finds_a_pathway_for_their_complaint() {
    let expectations: &[(u32, u32, Sex, &str, &str)] = &[
        (0, 3, Sex::Female, "high temperature", "unwell-baby"),
        (0, 9, Sex::Male, "teeth", "teething"),
        (1, 0, Sex::Female, "temperature", "fever-toddler"),
        (3, 0, Sex::Male, "cough", "cough-and-breathing-child"),
        (4, 6, Sex::Female, "rash", "rash-child"),
        (7, 0, Sex::Male, "earache", "earache-child"),
        (10, 0, Sex::Female, "tummy ache", "abdominal-pain-child"),
        (12, 0, Sex::Male, "fever", "fever-child"),
        (15, 11, Sex::Female, "bumped head", "head-injury-child"),
        (16, 0, Sex::Male, "chest pain", "chest-pain"),
        (34, 0, Sex::Female, "bleeding pregnant", "vaginal-bleeding"),
        (45, 0, Sex::Male, "back pain", "lower-back-pain"),
        (80, 0, Sex::Female, "dizzy", "dizziness"),
    ];
    for (years, months, sex, words, expected) in expectations {
        let found = search(*years, *months, *sex, words);
        assert!(
            found.iter().take(3).any(|id| id == expected),
            "age {years}y{months}m {sex:?} searching {words:?} found {found:?}, wanted {expected} in the top 3"
        );
    }
}

#[test]
fn pathways_are_offered_only_to_the_ages_and_sexes_they_are_for() {
    assert!(!search(30, 0, Sex::Male, "chest pain").is_empty());
    assert!(search(30, 0, Sex::Male, "testicle")
        .iter()
        .any(|id| id == "testicular-pain"));
    assert!(!search(30, 0, Sex::Female, "testicle")
        .iter()
        .any(|id| id == "testicular-pain"));
    assert!(!search(0, 6, Sex::Female, "chest pain")
        .iter()
        .any(|id| id == "chest-pain"));
}

#[test]
fn every_pathway_declares_its_topics_and_coverage_counts_the_whole_list() {
    for pathway in bundle().pathways() {
        if !pathway.topics.is_empty() {
            continue;
        }
        // A pathway that serves no topic (`topics: []`) is reached by
        // search: someone of its ages who types its first keyword finds it.
        let keyword = pathway
            .keywords
            .first()
            .unwrap_or_else(|| panic!("{} has neither topics nor keywords", pathway.id));
        let age = pathway.ages.from.ceil() as u32;
        let sex = *pathway.sexes.first().expect("a pathway serves some sex");
        assert!(
            search(age, 0, sex, keyword).contains(&pathway.id.to_string()),
            "{} declares no topic and a search for `{keyword}` does not find it",
            pathway.id
        );
    }
    let output = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["coverage", "pathways", "--format", "json"])
        .output()
        .expect("triage runs");
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["totals"]["topics"], 122);
    assert_eq!(report["totals"]["topic_bands"], 401);
    assert_eq!(report["totals"]["reception_bands"], 12);
    let fever = report["topics"]
        .as_array()
        .and_then(|topics| topics.iter().find(|t| t["title"] == "Fever"))
        .expect("Fever is on the list");
    for band in fever["bands"].as_array().expect("bands") {
        assert_eq!(band["served"], true, "{band}");
    }
    assert_eq!(
        fever["bands"][3]["sexes"][0]["pathways"],
        serde_json::json!(["fever"])
    );
}
