//! Case packs: each case's pathway, patient, answers and expectations
//! resolved and checked against the bundle (E601 to E607). Authoring only:
//! a build for evaluation (the browser) neither reads nor checks them.

use super::*;
use crate::vocab::AnswerValue;

impl Validator {
    pub(super) fn case_packs(&mut self, doc: &BundleDoc) {
        for (file, pack) in &doc.case_packs {
            let file = *file;
            let pathway = match self.unit_ids.get(pack.pathway.value.as_str()) {
                Some(&p) if !self.is_module(p as usize) => p,
                // The pathway may be in a file that could not be read; that
                // error is reported already.
                None if doc.failed_files > 0 => continue,
                _ => {
                    let names: Vec<String> = self
                        .units
                        .iter()
                        .filter(|u| matches!(u.kind, UnitKind::Pathway(_)))
                        .map(|u| u.id.clone())
                        .collect();
                    let help = self.did_you_mean(
                        &pack.pathway.value,
                        names.iter().map(String::as_str),
                        "`pathway:` must name a pathway of this bundle",
                    );
                    self.error(
                        codes::CASE_UNKNOWN_PATHWAY,
                        Loc::at(file, pack.pathway.referenced),
                        format!("there is no pathway `{}`", pack.pathway.value),
                        help,
                    );
                    continue;
                }
            };
            let mut cases = Vec::new();
            for case in &pack.cases {
                if let Some(c) =
                    self.case(file, pathway, &case.value, Loc::at(file, case.referenced))
                {
                    cases.push(c);
                }
            }
            self.case_packs.push(CasePackIr {
                file,
                pathway,
                cases,
            });
        }
    }

    fn case(
        &mut self,
        file: usize,
        pathway: UnitIdx,
        case: &CaseTestDoc,
        loc: Loc,
    ) -> Option<CaseIr> {
        let patient = case.patient.value;
        let patient_loc = Loc::at(file, case.patient.referenced);
        let mut ok = true;
        if patient.months > 11 {
            self.error(
                codes::CASE_BAD_PATIENT,
                patient_loc,
                format!("`months: {}` should be 0 to 11", patient.months),
                "write whole years in `age` and the rest in `months`",
            );
            ok = false;
        }
        if let UnitKind::Pathway(a) = &self.units[pathway as usize].kind {
            let age = f64::from(patient.age) + f64::from(patient.months.min(11)) / 12.0;
            if age < a.from_years || age >= a.to_years || !a.sexes.contains(&patient.sex) {
                let message = format!(
                    "a {} aged {} cannot start `{}` (it is for {}, {})",
                    sex_word(patient.sex),
                    patient.age,
                    self.units[pathway as usize].id,
                    a.ages_in_words(),
                    a.sexes
                        .iter()
                        .map(|s| sex_word(*s))
                        .collect::<Vec<_>>()
                        .join(" and ")
                );
                self.error(
                    codes::CASE_BAD_PATIENT,
                    patient_loc,
                    message,
                    "change the patient's age or sex to fit the pathway",
                );
                ok = false;
            }
        }
        let mut answers = Vec::with_capacity(case.answers.len());
        for entry in &case.answers {
            let entry_loc = Loc::at(file, entry.referenced);
            let [(question, value)] = entry.value.0.as_slice() else {
                self.error(
                    codes::CASE_BAD_ANSWER,
                    entry_loc,
                    format!(
                        "this answer has {} entries; write one `question-id: answer` per line",
                        entry.value.0.len()
                    ),
                    "write each answer as its own list item, e.g. `- crushing-pain: yes`",
                );
                ok = false;
                continue;
            };
            match self.case_answer(file, pathway, question, value) {
                Some(a) => answers.push(a),
                None => ok = false,
            }
        }
        let expect = &case.expect.value;
        let expect_disposition = match self.disposition_ids.get(expect.disposition.value.as_str()) {
            Some(&d) => Some(d),
            None if self.dispositions_unknown => None,
            None if self.broken_entry(FileRole::Dispositions, &expect.disposition.value) => None,
            None => {
                let help = self.did_you_mean(
                    &expect.disposition.value,
                    self.disposition_ids.keys().map(String::as_str),
                    "use a disposition id from dispositions.yaml; `triage list dispositions DIR` lists them",
                );
                self.error(
                    codes::CASE_UNKNOWN_DISPOSITION,
                    Loc::at(file, expect.disposition.referenced),
                    format!(
                        "disposition `{}` is not in dispositions.yaml",
                        expect.disposition.value
                    ),
                    help,
                );
                None
            }
        };
        let mut expect_advice = Vec::new();
        for key in &expect.advice {
            match self.advice_ids.get(key.value.as_str()) {
                Some(&a) => expect_advice.push(a),
                None if self.advice_unknown => ok = false,
                None if self.broken_entry(FileRole::CareAdvice, &key.value) => ok = false,
                None => {
                    self.unknown_advice(
                        codes::CASE_UNKNOWN_ADVICE,
                        Loc::at(file, key.referenced),
                        &key.value,
                        "use a care-advice key; `triage list advice DIR` lists each with its file",
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        Some(CaseIr {
            name: case.name.value.clone(),
            loc,
            age_years: patient.age,
            age_months: patient.months,
            sex: patient.sex,
            answering: patient.answering,
            answers,
            expect_disposition: expect_disposition?,
            expect_reasons: expect
                .reasons
                .as_ref()
                .map(|r| r.iter().map(|s| s.value.clone()).collect()),
            expect_advice,
        })
    }

    fn case_answer(
        &mut self,
        file: usize,
        pathway: UnitIdx,
        question: &Spanned<String>,
        value: &Spanned<AnswerValueDoc>,
    ) -> Option<CaseAnswerIr> {
        let qloc = Loc::at(file, question.referenced);
        let vloc = Loc::at(file, value.referenced);
        let (unit, node_id) = match question.value.split_once('/') {
            Some((unit, node)) => (self.unit_ids.get(unit).copied(), node),
            None => (Some(pathway), question.value.as_str()),
        };
        let node = unit
            .and_then(|u| self.node_ids[u as usize].get(node_id).copied())
            .and_then(|n| self.node(n))
            .and_then(|n| match &n.kind {
                NodeKindIr::Question(q) => Some(q.clone()),
                _ => None,
            });
        let Some(q) = node else {
            let unit_id = match question.value.split_once('/') {
                Some((unit, _)) => unit.to_string(),
                None => self.units[pathway as usize].id.clone(),
            };
            if self.broken_in_unit(&unit_id, Some(node_id)) {
                // The question's node (or its file) did not read: reported there.
                return None;
            }
            let questions: Vec<String> = unit
                .map(|u| {
                    self.units[u as usize]
                        .nodes
                        .clone()
                        .filter_map(|n| self.node(n))
                        .filter(|n| matches!(n.kind, NodeKindIr::Question(_)))
                        .map(|n| n.id.clone())
                        .collect()
                })
                .unwrap_or_default();
            let help = self.did_you_mean(
                node_id,
                questions.iter().map(String::as_str),
                "write the question's node id; for a module's question write `module-id/node-id`; `triage list questions DIR --pathway ID` lists them",
            );
            self.error(
                codes::CASE_UNKNOWN_QUESTION,
                qloc,
                format!("there is no question `{}`", question.value),
                help,
            );
            return None;
        };
        let offered: Vec<&str> = q.answers.iter().map(|a| a.id.as_str()).collect();
        let choice_ids: Vec<&str> = q
            .answers
            .iter()
            .filter(|a| a.band.is_none())
            .map(|a| a.id.as_str())
            .collect();
        let bad = |v: &mut Self, what: String| {
            v.error(
                codes::CASE_UNKNOWN_OPTION,
                vloc,
                what,
                format!(
                    "`{}` takes: {}",
                    question.value,
                    describe_answers(&q, &choice_ids)
                ),
            );
        };
        let answer = match (&value.value, q.kind) {
            (AnswerValueDoc::Bool(b), _) => {
                let word = if *b { "yes" } else { "no" };
                if !offered.contains(&word) {
                    bad(
                        self,
                        format!("`{word}` is not an answer to `{}`", question.value),
                    );
                    return None;
                }
                AnswerValue::Choice(word.into())
            }
            (AnswerValueDoc::Number(n), QuestionKindDoc::Number) => {
                let (min, max) = q.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                if !(min..=max).contains(n) {
                    bad(
                        self,
                        format!("{n} is outside the allowed range {min} to {max}"),
                    );
                    return None;
                }
                AnswerValue::Number(*n)
            }
            (AnswerValueDoc::Text(t), _) => {
                if !choice_ids.contains(&t.as_str()) {
                    bad(
                        self,
                        format!("`{t}` is not an answer to `{}`", question.value),
                    );
                    return None;
                }
                AnswerValue::Choice(t.clone())
            }
            (AnswerValueDoc::List(items), QuestionKindDoc::Multiple) => {
                if let Some(wrong) = items.iter().find(|i| !choice_ids.contains(&i.as_str())) {
                    bad(
                        self,
                        format!("`{wrong}` is not an option of `{}`", question.value),
                    );
                    return None;
                }
                AnswerValue::Choices(items.clone())
            }
            (other, _) => {
                bad(
                    self,
                    format!(
                        "{other:?} is not an answer to a `{}` question",
                        kind_word(q.kind)
                    ),
                );
                return None;
            }
        };
        Some(CaseAnswerIr {
            question: question.value.clone(),
            value: answer,
            loc: qloc,
        })
    }
}

fn describe_answers(q: &QuestionIr, choice_ids: &[&str]) -> String {
    match (q.kind, q.range) {
        (QuestionKindDoc::Number, Some((min, max))) => {
            let mut s = format!("a number from {min} to {max}");
            if q.not_sure().is_some() {
                s.push_str(", or not_sure");
            }
            s
        }
        (QuestionKindDoc::Multiple, _) => {
            format!("a list of options, or one of: {}", choice_ids.join(", "))
        }
        _ => choice_ids.join(", "),
    }
}
