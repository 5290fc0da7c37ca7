//! `CompiledBundle::questions`: every question a pathway can ask, each once,
//! as a page or an export lists them. Checked against journeys: every
//! question any case of the shipped case packs is asked is in its pathway's
//! list, and nothing is listed twice.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use triage_core::vocab::{Language, Reader};

#[test]
fn every_question_a_case_is_asked_is_listed_once_for_its_pathway() {
    let built = triage_core::build_dir(Path::new("pathways"));
    let bundle = built.bundle.as_ref().expect("the shipped bundle compiles");
    let mut listed: HashMap<String, BTreeSet<String>> = HashMap::new();
    for pathway in bundle.pathways() {
        let questions = bundle
            .questions(pathway.id, Reader::default())
            .expect("a listed pathway");
        let ids: BTreeSet<String> = questions.iter().map(|q| q.id.clone()).collect();
        assert_eq!(
            ids.len(),
            questions.len(),
            "{} lists a question twice",
            pathway.id
        );
        assert!(questions.iter().all(|q| q.step == 0 && !q.text.is_empty()));
        listed.insert(pathway.id.to_string(), ids);
    }
    let mut checked = 0;
    for (_, pack) in &built.doc.case_packs {
        let Some(ids) = listed.get(&pack.pathway.value) else {
            panic!("a case pack for an unknown pathway {}", pack.pathway.value);
        };
        for case in &pack.cases {
            for answer in &case.value.answers {
                for (question, _) in &answer.value.0 {
                    assert!(
                        ids.contains(question.value.as_str()),
                        "{} asks {} but questions() does not list it",
                        pack.pathway.value,
                        question.value
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1_000, "only {checked} answers checked");
    assert!(bundle
        .questions("no-such-pathway", Reader::default())
        .is_none());
    // Worded for the reader: a parent of a child reads "your child".
    let child = Reader {
        language: Language::En,
        audience: triage_core::vocab::Audience::Child,
    };
    let questions = bundle
        .questions("cough-and-breathing-child", child)
        .unwrap();
    assert!(questions.iter().any(|q| q.text.contains("your child")));
}
