//! The step written straight from the bundle is the step rendered, byte for
//! byte, at every step of every case-pack journey of the shipped bundle.

use crate::eval::{evaluate_request, Answer, Patient, Request, Step};
use crate::vocab::{Answering, Language};

fn shipped() -> crate::Built {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
    crate::build_dir(&dir)
}

#[test]
fn every_step_of_every_case_is_written_as_it_renders() {
    let built = shipped();
    let (Some(bundle), Some(ir)) = (&built.bundle, &built.ir) else {
        panic!("the shipped bundle builds");
    };
    let mut steps = 0;
    let mut outcomes = 0;
    for pack in &ir.case_packs {
        let pathway = bundle.pathway_id(crate::compile::PathwayId(pack.pathway));
        for case in &pack.cases {
            let answers: Vec<Answer> = case
                .answers
                .iter()
                .map(|a| Answer::new(a.question.clone(), a.value.clone()))
                .collect();
            // As the case's person, and as someone answering for them in Welsh.
            let readers = [
                (case.answering, Language::En),
                (Answering::SomeoneElse, Language::Cy),
            ];
            for (answering, language) in readers {
                let patient = Patient {
                    age_years: case.age_years,
                    age_months: case.age_months,
                    sex: case.sex,
                    answering,
                };
                for given in 0..=answers.len() {
                    let request = Request {
                        pathway: pathway.to_string(),
                        topic: None,
                        patient,
                        language,
                        answers: answers[..given].to_vec(),
                    };
                    let Ok(evaluation) = evaluate_request(bundle, &request) else {
                        continue;
                    };
                    let view = evaluation.view();
                    let rendered: Step = view.render().expect("a step renders");
                    let written = serde_json::to_string(&view).expect("a step is written");
                    assert_eq!(
                        written,
                        serde_json::to_string(&rendered).expect("a step is written"),
                        "{pathway}: {}, after {given} answers",
                        case.name
                    );
                    // Without the transcript: the same document, less that field.
                    let mut whole = serde_json::to_value(&rendered).expect("a value");
                    let short = serde_json::to_value(view.without_transcript()).expect("a value");
                    let transcript = serde_json::to_value(view.transcript_json()).expect("a value");
                    match &rendered {
                        Step::Outcome(outcome) => {
                            outcomes += 1;
                            assert_eq!(
                                whole.as_object_mut().and_then(|o| o.remove("transcript")),
                                Some(transcript.clone())
                            );
                            assert_eq!(
                                transcript,
                                serde_json::to_value(&outcome.transcript).expect("a value")
                            );
                            assert_eq!(view.transcript(), outcome.transcript);
                        }
                        Step::Question(_) => {
                            assert_eq!(transcript, serde_json::json!([]));
                        }
                    }
                    assert_eq!(short, whole, "{pathway}: {}", case.name);
                    steps += 1;
                }
            }
        }
    }
    assert!(
        steps > 10_000 && outcomes > 5_000,
        "{steps} steps, {outcomes} outcomes"
    );
}
