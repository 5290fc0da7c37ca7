//! A small bundle that uses every feature the evaluator walks: a module called
//! from two pathways (with `next: return` from an option and from `none`), a
//! `goto` into another pathway, branches on age bands, on scores and on
//! variables, multiple choice, number bands and "I'm not sure".

use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answer, AnswerValue, EvalError, Patient, Sex, Step};
use triage_core::ir::BundleIr;
use triage_core::load::Sources;
use triage_core::session::Session;

pub const DISPOSITIONS: &str = "\
dispositions:
  - id: call-999
    code: Dx012
    title: Call 999
    service: ambulance
    act_within_minutes: 0
    service_standard_minutes: 40
    rank: 1
    advice: [wait-999]
  - id: ae-1h
    code: Dx02
    title: Go to A&E within 1 hour
    service: emergency_department
    act_within_minutes: 60
    rank: 2
  - id: gp-2h
    code: Dx05
    title: Speak to a GP within 2 hours
    service: gp
    act_within_minutes: 120
    rank: 3
  - id: own-gp
    code: Dx75
    title: See your GP
    service: own_gp
    rank: 4
  - id: self-care
    code: Dx35
    title: Look after yourself at home
    service: self_care
    rank: 5
    advice: [rest]
";

pub const CARE_ADVICE: &str = "\
care_advice:
  - { id: wait-999, title: While you wait, text: Unlock the door. }
  - { id: rest, title: Rest, text: Rest and drink plenty of fluids. }
  - { id: fever, title: Fever, text: Paracetamol can bring a temperature down. }
  - { id: rash-check, title: Glass test, text: Press a glass on the rash. }
  - { id: travel, title: Travel, text: Tell them where you have been. }
";

pub const SCREEN: &str = "\
module:
  id: screen
  title: Emergency screen
  version: 1.0.0
  sources:
    - { title: When to call 999, url: https://www.nhs.uk/ }
  start: signs
  variables: { travelled: bool }
  scores: [sepsis]
nodes:
  signs:
    question:
      text: Any of these?
      kind: multiple
      options:
        - { id: breathing, label: Struggling to breathe, next: call, reason: Struggling to breathe, reason_code: breathing, advice: [wait-999] }
        - { id: rash, label: A rash that does not fade, next: ae, reason: Non-fading rash, reason_code: rash, advice: [rash-check] }
        - { id: stiff, label: A stiff neck, next: ae, reason: Stiff neck }
        - { id: travel, label: Been abroad recently, next: return, reason: Recent travel, reason_code: travel, set: { travelled: true }, advice: [travel] }
        - { id: contact, label: Close to someone with sepsis, next: return, reason: Sepsis contact, reason_code: contact, add: { sepsis: 1 } }
      none: { next: return }
      not_sure: { next: call, reason: Unsure about emergency signs, reason_code: screen-unsure }
  call:
    outcome: { disposition: call-999 }
  ae:
    outcome: { disposition: ae-1h }
";

pub const FEVER: &str = "\
pathway:
  id: fever
  title: Fever
  version: 2.1.0
  summary: A high temperature.
  ages: { from: 0 }
  topics: [Fever]
  sexes: [female, male]
  keywords: [temperature, hot, fever]
  sources:
    - { title: NHS fever in adults, url: https://www.nhs.uk/conditions/fever-in-adults/ }
  start: screen
nodes:
  screen:
    call: { module: screen, next: temperature }
  temperature:
    question:
      text: What is the temperature?
      help: Use a thermometer if you have one.
      kind: number
      unit: °C
      range: { min: 30, max: 45 }
      bands:
        - { below: 38, next: by-age }
        - { from: 38, below: 39, next: by-age, advice: [fever] }
        - { from: 39, next: by-age, add: { sepsis: 1 }, reason: Very high temperature, reason_code: high-temp, advice: [fever] }
      not_sure: { next: gp }
  by-age:
    branch:
      on: age
      bands:
        - { below: 1, next: infant }
        - { from: 1, below: 16, next: child }
        - { from: 16, next: adult }
  infant:
    branch:
      cases:
        - { when: 'answer.temperature >= 38', next: ae }
      otherwise: gp
  child:
    branch:
      cases:
        - { when: 'score.sepsis >= 1', next: ae }
        - { when: 'var.travelled', next: gp }
      otherwise: drinking
  adult:
    question:
      text: { self: Do you feel confused?, other: Do they feel confused? }
      kind: yes_no
      yes: { next: ae, reason: Confusion with a fever, reason_code: confused, report: 'Confused: yes' }
      no: { next: to-cough, report: 'Confused: no' }
      not_sure: { next: gp }
  drinking:
    question:
      text: Is the child drinking?
      kind: single
      options:
        - { id: not-at-all, label: Not at all, next: gp, reason: Not drinking, reason_code: not-drinking }
        - { id: less, label: Less than usual, next: own-gp }
        - { id: normal, label: As usual, next: home }
  to-cough:
    goto: { pathway: cough, at: how-long }
  ae:
    outcome: { disposition: ae-1h }
  gp:
    outcome: { disposition: gp-2h, advice: [fever] }
  own-gp:
    outcome: { disposition: own-gp }
  home:
    outcome: { disposition: self-care, advice: [fever] }
";

pub const COUGH: &str = "\
pathway:
  id: cough
  title: Cough
  version: 1.0.0
  ages: { from: 16 }
  topics: [Cough]
  sexes: [female, male]
  keywords: [cough, chesty, coughing]
  sources:
    - { title: NHS cough, url: https://www.nhs.uk/conditions/cough/ }
  start: screen
nodes:
  screen:
    call: { module: screen, next: how-long }
  how-long:
    question:
      text: { self: How many weeks have you had the cough?, other: How many weeks have they had the cough? }
      kind: number
      unit: weeks
      range: { min: 0, max: 52 }
      bands:
        - { below: 3, next: home }
        - { from: 3, next: own-gp, reason: Cough for 3 weeks or more, reason_code: long-cough }
  home:
    outcome: { disposition: self-care }
  own-gp:
    outcome: { disposition: own-gp }
";

pub const PERIOD_PAIN: &str = "\
pathway:
  id: period-pain
  title: Period pain
  version: 1.0.0
  ages: { from: 10, to: 60 }
  topics: [Sexual or Menstrual Concerns]
  sexes: [female]
  keywords: [period, cramps, pain]
  sources:
    - { title: NHS period pain, url: https://www.nhs.uk/conditions/period-pain/ }
  start: severe
nodes:
  severe:
    question:
      text: Is the pain severe?
      kind: yes_no
      yes: { next: gp }
      no: { next: home }
  gp:
    outcome: { disposition: gp-2h }
  home:
    outcome: { disposition: self-care }
";

/// The fixture's files, with `extra` files added (case packs, or replacements).
pub fn files(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = [
        ("dispositions.yaml", DISPOSITIONS),
        ("care-advice.yaml", CARE_ADVICE),
        ("modules/screen.yaml", SCREEN),
        ("pathways/fever.yaml", FEVER),
        ("pathways/cough.yaml", COUGH),
        ("pathways/period-pain.yaml", PERIOD_PAIN),
    ]
    .iter()
    .filter(|(path, _)| !extra.iter().any(|(p, _)| p == path))
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    files.extend(extra.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    files
}

/// Builds the given files; fails the test with every diagnostic if they have errors.
pub fn build_files(files: Vec<(String, String)>) -> (CompiledBundle, BundleIr, Sources) {
    let (sources, problems) = Sources::from_texts(files);
    assert!(problems.is_empty(), "{problems:?}");
    let built = triage_core::build(sources);
    let errors: Vec<_> = built.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "fixture has errors: {errors:#?}");
    let (Some(bundle), Some(ir)) = (built.bundle, built.ir) else {
        panic!("fixture did not compile");
    };
    (bundle, ir, built.sources)
}

/// The fixture bundle.
pub fn bundle() -> CompiledBundle {
    build_files(files(&[])).0
}

pub fn adult() -> Patient {
    Patient {
        age_years: 30,
        age_months: 0,
        sex: Sex::Female,
        answering: Default::default(),
    }
}

pub fn child() -> Patient {
    Patient {
        age_years: 5,
        age_months: 0,
        sex: Sex::Male,
        answering: Default::default(),
    }
}

pub fn infant() -> Patient {
    Patient {
        age_years: 0,
        age_months: 6,
        sex: Sex::Female,
        answering: Default::default(),
    }
}

pub fn choice(question: &str, value: &str) -> Answer {
    Answer::new(question, AnswerValue::Choice(value.to_string()))
}

pub fn choices(question: &str, values: &[&str]) -> Answer {
    Answer::new(
        question,
        AnswerValue::Choices(values.iter().map(|v| v.to_string()).collect()),
    )
}

pub fn number(question: &str, value: f64) -> Answer {
    Answer::new(question, AnswerValue::Number(value))
}

/// No emergency signs.
pub fn no_signs() -> Answer {
    choices("screen/signs", &["none"])
}

/// The step `eval::evaluate` reaches, rendered in full (the tests read its texts).
pub fn evaluate(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Step, EvalError> {
    triage_core::eval::evaluate(bundle, pathway, patient, answers).and_then(|e| e.render())
}

/// A session's current step, rendered in full.
pub trait Shown {
    /// The step, rendered; panics on another bundle (a test mistake).
    fn shown(&self, bundle: &CompiledBundle) -> Step;
}

impl Shown for Session {
    fn shown(&self, bundle: &CompiledBundle) -> Step {
        self.step(bundle)
            .and_then(|view| view.render())
            .expect("the session's step renders with its bundle")
    }
}
