//! Standardized patients, replayed: `tests/eval/*.yaml` holds lay case
//! stories, the level UK guidance gives each, and the journey a player who
//! had not read the pathways took through `triage list` and `triage next`
//! (the final `next` request). Each journey is replayed on the shipped
//! bundle and scored against its level (`CONTENT.md`, "How to check it").
//!
//! Per file: no emergency (999 or A&E) ends below A&E; no pharmacy or
//! self-care case ends at 999 or A&E; at least 90% end at their level or at
//! a neighbour the case names as acceptable. A journey that no longer
//! replays (a question was added, an option renamed) fails with the case
//! named, so the pathway change that broke it is played again by someone
//! who has not read it. `scripts/standardized-patients.sh` prints the table.

#[path = "support/shipped.rs"]
mod shipped;

use serde::Deserialize;
use shipped::bundle;
use std::fmt;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{evaluate_request, Request, Step};
use triage_core::model::ServiceDoc;

/// The lowest share of cases per file that must end at their level or an
/// acceptable neighbour.
const MET_TARGET: f64 = 0.90;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSet {
    /// What the set covers.
    set: String,
    /// When it was played.
    played: String,
    cases: Vec<EvalCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalCase {
    id: String,
    /// The story as the player was given it.
    story: String,
    /// The level UK guidance gives.
    level: Level,
    /// Neighbouring levels that also count as met.
    #[serde(default)]
    acceptable: Vec<Level>,
    /// Why the level is what it is.
    #[expect(dead_code, reason = "read by reviewers of the set, not by the test")]
    #[serde(default)]
    guidance: Option<String>,
    /// The words the player searched with.
    #[expect(dead_code, reason = "read by reviewers of the set, not by the test")]
    #[serde(default)]
    searched: Option<String>,
    /// The journey as the player ended it: a `triage next` request.
    request: Request,
    /// The disposition the player reached when the set was played.
    reached: String,
    /// What the player stumbled on.
    #[expect(dead_code, reason = "read by reviewers of the set, not by the test")]
    #[serde(default)]
    notes: Option<String>,
}

/// How urgent an outcome is, as a reviewer scores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
enum Level {
    #[serde(rename = "999")]
    Ambulance,
    #[serde(rename = "emergency")]
    Emergency,
    #[serde(rename = "urgent")]
    Urgent,
    #[serde(rename = "gp")]
    Gp,
    #[serde(rename = "pharmacy")]
    Pharmacy,
    #[serde(rename = "self-care")]
    SelfCare,
}

impl Level {
    /// The level of an outcome: by the service, and for dental services by
    /// how soon the person must act (within the hour is an emergency).
    fn of(service: ServiceDoc, act_within_minutes: Option<u32>) -> Level {
        match service {
            ServiceDoc::Ambulance => Level::Ambulance,
            ServiceDoc::EmergencyDepartment
            | ServiceDoc::EyeCasualty
            | ServiceDoc::Maternity
            | ServiceDoc::MentalHealthCrisis => Level::Emergency,
            ServiceDoc::Dental => match act_within_minutes {
                Some(minutes) if minutes <= 60 => Level::Emergency,
                Some(_) => Level::Urgent,
                None => Level::Gp,
            },
            ServiceDoc::UrgentTreatmentCentre | ServiceDoc::ClinicianCallBack | ServiceDoc::Gp => {
                Level::Urgent
            }
            ServiceDoc::OwnGp | ServiceDoc::SexualHealth => Level::Gp,
            ServiceDoc::Pharmacy => Level::Pharmacy,
            ServiceDoc::SelfCare => Level::SelfCare,
        }
    }

    fn is_emergency(self) -> bool {
        self <= Level::Emergency
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Ambulance => "999",
            Level::Emergency => "emergency",
            Level::Urgent => "urgent",
            Level::Gp => "gp",
            Level::Pharmacy => "pharmacy",
            Level::SelfCare => "self-care",
        })
    }
}

fn eval_sets() -> Vec<(String, EvalSet)> {
    shipped::yaml_files("tests/eval")
}

/// One case replayed.
struct Replayed<'c> {
    case: &'c EvalCase,
    /// The disposition and its level, or why the journey did not replay.
    outcome: Result<(String, Level), String>,
}

impl Replayed<'_> {
    fn met(&self) -> bool {
        match &self.outcome {
            Ok((_, level)) => *level == self.case.level || self.case.acceptable.contains(level),
            Err(_) => false,
        }
    }
}

fn replay(bundle: &CompiledBundle, case: &EvalCase) -> Result<(String, Level), String> {
    match evaluate_request(bundle, &case.request).and_then(|e| e.render()) {
        Ok(Step::Outcome(outcome)) => {
            let d = &outcome.disposition;
            Ok((d.id.clone(), Level::of(d.service, d.act_within_minutes)))
        }
        Ok(Step::Question(question)) => Err(format!(
            "the journey now stops at question `{}`: play the case again",
            question.id
        )),
        Err(e) => Err(format!(
            "the journey no longer replays ({e}): play the case again"
        )),
    }
}

/// Each pathway's cases in a set and how many were met, as `pathway: met/cases`.
fn print_by_pathway(replayed: &[Replayed]) {
    let mut by_pathway: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for r in replayed {
        let entry = by_pathway.entry(&r.case.request.pathway).or_default();
        entry.1 += 1;
        if r.met() {
            entry.0 += 1;
        }
    }
    let parts: Vec<String> = by_pathway
        .iter()
        .map(|(pathway, (met, total))| format!("{pathway} {met}/{total}"))
        .collect();
    println!("by pathway: {}", parts.join(", "));
}

#[test]
fn standardized_patients_end_at_their_level() {
    let bundle = bundle();
    let sets = eval_sets();
    assert!(!sets.is_empty(), "tests/eval has no eval sets");
    let mut failures = Vec::new();
    for (name, set) in &sets {
        assert!(!set.cases.is_empty(), "{name} has no cases");
        let replayed: Vec<Replayed> = set
            .cases
            .iter()
            .map(|case| Replayed {
                case,
                outcome: replay(bundle, case),
            })
            .collect();
        println!("\n{name}: {} (played {})", set.set, set.played);
        println!("| case | pathway | level | reached then | reached now | met |");
        println!("|---|---|---|---|---|---|");
        for r in &replayed {
            let now = match &r.outcome {
                Ok((id, level)) => format!("{id} ({level})"),
                Err(why) => why.clone(),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.case.id,
                r.case.request.pathway,
                r.case.level,
                r.case.reached,
                now,
                if r.met() { "yes" } else { "no" }
            );
            match &r.outcome {
                Err(why) => failures.push(format!("{name} case {}: {why}", r.case.id)),
                Ok((id, level)) => {
                    if r.case.level.is_emergency() && !level.is_emergency() {
                        failures.push(format!(
                            "{name} case {}: an emergency ({}) ended at {id} ({level})",
                            r.case.id, r.case.level
                        ));
                    }
                    if r.case.level >= Level::Pharmacy && level.is_emergency() {
                        failures.push(format!(
                            "{name} case {}: a {} case ended at {id} ({level})",
                            r.case.id, r.case.level
                        ));
                    }
                }
            }
        }
        print_by_pathway(&replayed);
        let met = replayed.iter().filter(|r| r.met()).count();
        let share = met as f64 / replayed.len() as f64;
        println!(
            "{met} of {} met ({:.0}%); emergencies below A&E: {}",
            replayed.len(),
            100.0 * share,
            replayed
                .iter()
                .filter(|r| r.case.level.is_emergency()
                    && r.outcome.as_ref().is_ok_and(|(_, l)| !l.is_emergency()))
                .count()
        );
        if share < MET_TARGET {
            failures.push(format!(
                "{name}: {met} of {} met ({:.0}%), under the {:.0}% target",
                replayed.len(),
                100.0 * share,
                100.0 * MET_TARGET
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_case_names_its_story_and_what_the_player_reached() {
    for (name, set) in eval_sets() {
        for case in &set.cases {
            assert!(
                !case.story.trim().is_empty(),
                "{name} case {} has no story",
                case.id
            );
            assert!(
                bundle().disposition(&case.reached).is_some(),
                "{name} case {}: `reached` names no disposition of the bundle: {}",
                case.id,
                case.reached
            );
        }
    }
}
