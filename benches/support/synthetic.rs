//! Synthetic bundles of any size, for measuring how the engine scales.
//!
//! Every bundle is valid: each journey ends at a disposition, "I'm not sure"
//! always goes to a GP or somewhere more urgent, and every text suits every
//! reader, so nothing depends on the shipped content. The pathways have the
//! shipped ones' shape: the emergency screen first, then 6 to 15 questions of
//! every kind (red flags most urgent first), a branch on age, a shared fever
//! check in about half of them, and a closing branch that chooses between a
//! GP, a pharmacist and care at home. Keywords are drawn from a fixed
//! vocabulary, plus one made-up word per pathway (so the set of indexed words
//! grows with the bundle, as it would with real content).
//!
//! The same `(pathways, seed)` always gives the same files, and pathway `i`
//! is the same in every bundle that holds it, so a journey through pathway 0
//! can be timed at every size.

use std::fmt::Write as _;

/// The first pathway's id: the one the timed journey goes through. It takes
/// every age and both sexes.
pub const FIRST_PATHWAY: &str = "p00000";

/// A keyword only the first pathway has.
pub const RARE_WORD: &str = "quinsy";

/// A keyword about a third of the pathways have.
pub const COMMON_WORD: &str = "pain";

/// A misspelling of a vocabulary word (`headache`), so search has to fall
/// back on its spelling tolerance.
pub const MISSPELT_WORD: &str = "hedache";

/// How big each pathway is, beyond the default shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Calls each pathway makes to the `assessment` module (0: the module is
    /// not in the bundle). Each call copies the module when compiled, so this
    /// multiplies compiled nodes without adding authored ones.
    pub assessment_calls: usize,
    /// Yes/no questions in the `assessment` module.
    pub assessment_questions: usize,
    /// Every pathway but the first jumps to the one before it, so one
    /// journey may cross every pathway: the worst case for anything that
    /// follows jumps pathway by pathway.
    pub chained_jumps: bool,
}

impl Shape {
    /// A shape whose compiled graph, at 10,000 pathways, is close to the
    /// engine's limit of 1,000,000 compiled nodes.
    pub fn near_node_limit() -> Shape {
        Shape {
            assessment_calls: 4,
            assessment_questions: 15,
            chained_jumps: false,
        }
    }

    /// The default shape, with every pathway jumping to the one before.
    pub fn chained() -> Shape {
        Shape {
            chained_jumps: true,
            ..Shape::default()
        }
    }
}

/// A valid bundle of `pathways` pathways in the default [`Shape`], as
/// `(relative path, YAML text)` pairs for `Sources::from_texts`.
pub fn synthetic_bundle(pathways: usize, seed: u64) -> Vec<(String, String)> {
    synthetic_bundle_with(pathways, seed, Shape::default())
}

/// [`synthetic_bundle`] with pathways of the given shape.
pub fn synthetic_bundle_with(pathways: usize, seed: u64, shape: Shape) -> Vec<(String, String)> {
    let mut files = vec![
        ("dispositions.yaml".to_string(), DISPOSITIONS.to_string()),
        ("care-advice.yaml".to_string(), CARE_ADVICE.to_string()),
        ("synonyms.yaml".to_string(), SYNONYMS.to_string()),
        (
            "modules/emergency-screen.yaml".to_string(),
            EMERGENCY_SCREEN.to_string(),
        ),
        (
            "modules/fever-check.yaml".to_string(),
            FEVER_CHECK.to_string(),
        ),
    ];
    if shape.assessment_calls > 0 {
        files.push((
            "modules/assessment.yaml".to_string(),
            assessment_module(shape.assessment_questions.max(1)),
        ));
    }
    files.reserve(pathways);
    for index in 0..pathways {
        let (id, text) = pathway(index, seed, shape);
        files.push((format!("pathways/{id}.yaml"), text));
    }
    files
}

/// A tiny xorshift64* generator: deterministic, and no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        // Mixes the stream in (splitmix64) so neighbouring pathways differ.
        let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        let span = (high - low + 1) as u64;
        low + (self.next() % span) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.between(0, words.len() - 1)]
    }
}

/// Symptom words keywords and titles are drawn from. `headache` must stay in
/// it ([`MISSPELT_WORD`]) and [`RARE_WORD`] must not.
#[rustfmt::skip]
const VOCABULARY: &[&str] = &[
    "ache", "ankle", "arm", "back", "belly", "bite", "bleeding", "blister", "bloating", "blood",
    "breath", "breathless", "bruise", "burn", "burning", "chest", "chills", "cold", "confusion",
    "constipation", "cough", "cramp", "cut", "diarrhoea", "discharge", "dizzy", "drowsy", "dry",
    "ear", "elbow", "eye", "face", "faint", "fall", "fever", "finger", "flu", "foot", "groin",
    "gum", "hand", "head", "headache", "hearing", "heartburn", "hip", "hives", "hoarse", "itch",
    "itchy", "jaw", "joint", "knee", "leg", "lump", "mouth", "muscle", "nausea", "neck",
    "nosebleed", "numb", "palpitations", "rash", "redness", "ringing", "runny", "scalp", "shaking",
    "shin", "shoulder", "sick", "sinus", "skin", "sneezing", "sore", "spots", "sprain", "sting",
    "stiff", "stomach", "swallowing", "sweating", "swelling", "swollen", "tender", "thirst",
    "throat", "tingling", "toe", "tooth", "tummy", "twitch", "ulcer", "urine", "vision",
    "vomiting", "weak", "wheeze", "wound", "wrist",
];

/// Syllables for each pathway's made-up word. No `q`, so none is [`RARE_WORD`].
const SYLLABLES: &[&str] = &[
    "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "ri", "so", "tu", "va",
    "we", "xi", "yo", "zu", "bra", "cle", "dri", "flo", "gru", "mar", "nel", "tor", "vin", "sel",
];

/// What each kind of answer leads to.
const OUTCOMES: &str = "
  call-999-now:
    outcome:
      disposition: call-999
      reason: A sign that needs an ambulance
      advice: [while-you-wait]
  ae-now:
    outcome:
      disposition: ae-1h
      reason: A sign that needs A&E
  gp-soon:
    outcome:
      disposition: gp-2h
      reason: A sign that a GP should check today
      advice: [while-you-wait-gp]
  own-gp:
    outcome:
      disposition: own-gp
      reason: Worth a routine check with a GP practice
  pharmacy:
    outcome:
      disposition: pharmacy
      reason: A pharmacist can help with this
      advice: [see-pharmacist]
  home:
    outcome:
      disposition: self-care
      reason: No warning signs
      advice: [rest-and-fluids]
";

/// How many of the first pathways are hubs that many others jump to.
const HUBS: usize = 10;

/// The urgent outcomes a red-flag answer may lead to, most urgent first.
const RED_FLAG_OUTCOMES: &[&str] = &["call-999-now", "ae-now", "gp-soon"];

fn made_up_word(rng: &mut Rng) -> String {
    (0..rng.between(2, 4))
        .map(|_| rng.pick(SYLLABLES))
        .collect()
}

/// Pathway `index`: its id and its file.
fn pathway(index: usize, seed: u64, shape: Shape) -> (String, String) {
    let mut rng = Rng::new(seed, index as u64);
    let id = format!("p{index:05}");
    let own_word = made_up_word(&mut rng);
    let subject = rng.pick(VOCABULARY);
    let mut keywords: Vec<String> = vec![own_word.clone(), subject.to_string()];
    for _ in 0..rng.between(3, 12) {
        let word = rng.pick(VOCABULARY);
        // Some keywords are phrases, as the shipped ones often are.
        if rng.chance(30) {
            keywords.push(format!("{word} {}", rng.pick(VOCABULARY)));
        } else {
            keywords.push(word.to_string());
        }
    }
    if rng.chance(33) {
        keywords.push(COMMON_WORD.to_string());
    }
    if index == 0 {
        keywords.push(RARE_WORD.to_string());
    }
    keywords.sort();
    keywords.dedup();

    // Who it is for, and the age within that range where the branch on age
    // splits. The first pathway takes everyone, so one person can take the
    // timed journey.
    const AGES: [(&str, f64); 5] = [
        ("{ from: 0 }", 12.0),
        ("{ from: 16 }", 65.0),
        ("{ from: 1, to: 16 }", 5.0),
        ("{ from: 5 }", 12.0),
        ("{ from: 0, to: 1 }", 0.5),
    ];
    let ((ages, split_age), sexes) = if index == 0 {
        (AGES[0], "[female, male]")
    } else {
        let ages = AGES[rng.between(0, AGES.len() - 1)];
        let sexes = match rng.between(0, 9) {
            0 => "[female]",
            1 => "[male]",
            _ => "[female, male]",
        };
        (ages, sexes)
    };

    let questions = rng.between(6, 15);
    // Where the branch on age and the call to the fever check go (after
    // which question), if anywhere.
    let age_branch_after = rng.between(2, questions - 2);
    let fever_after = if rng.chance(50) {
        Some(rng.between(1, questions - 1))
    } else {
        None
    };

    let mut out = String::with_capacity(4096);
    let title = format!("{} {subject}", capitalised(&own_word));
    let _ = write!(
        out,
        "# yaml-language-server: $schema=../../docs/schema/pathway.schema.json
pathway:
  id: {id}
  title: {title}
  version: 1.0.0
  summary: A synthetic pathway about {subject}, for benchmarks.
  ages: {ages}
  sexes: {sexes}
  topics: []
  keywords: [{keywords}]
  sources:
    - title: \"NHS website: Health A to Z\"
      url: https://www.nhs.uk/conditions/
  start: screen
  scores: [severity]

nodes:
  screen:
    call: {{ module: emergency-screen, next: {first} }}
",
        keywords = keywords.join(", "),
        first = if shape.assessment_calls > 0 {
            "assess-1".to_string()
        } else {
            "q1".to_string()
        },
    );
    for call in 1..=shape.assessment_calls {
        let next = if call == shape.assessment_calls {
            "q1".to_string()
        } else {
            format!("assess-{}", call + 1)
        };
        let _ = write!(
            out,
            "
  assess-{call}:
    call: {{ module: assessment, next: {next} }}
"
        );
    }

    // Which red-flag outcomes the questions so far lead to: the last
    // question is a multiple choice (which leads to all of them) unless all
    // are used, so that no outcome is unreachable.
    let mut used = [false; RED_FLAG_OUTCOMES.len()];
    // Most pathways, like the shipped ones, offer to carry on in another
    // ("the main problem is something else"): often one of a few hub
    // pathways, otherwise any earlier one. Only earlier ones, so no journey
    // loops. The first choice question takes it (the last question is one
    // if no other is).
    let mut jump = match index {
        0 => None,
        _ if shape.chained_jumps => Some(index - 1),
        _ if rng.chance(20) => None,
        _ if rng.chance(55) => Some(rng.between(0, index.min(HUBS) - 1)),
        _ => Some(rng.between(0, index - 1)),
    };
    let jumps_to = jump;
    for q in 1..=questions {
        let next = match q {
            _ if q == questions => "decide".to_string(),
            _ if q == age_branch_after => "by-age".to_string(),
            _ if Some(q) == fever_after => "fever".to_string(),
            _ => format!("q{}", q + 1),
        };
        let kind = if q == questions && (used.contains(&false) || jump.is_some()) {
            Kind::Multiple
        } else {
            *[Kind::YesNo, Kind::Single, Kind::Multiple, Kind::Number]
                .get(rng.between(0, 3))
                .unwrap_or(&Kind::YesNo)
        };
        question(
            &mut out,
            &mut rng,
            Question {
                number: q,
                kind,
                next: &next,
                subject,
            },
            &mut used,
            &mut jump,
        );
    }

    // The branch on age skips a question for the younger (there is one
    // after it: it comes at most two before the last), so a later question
    // is unanswered on some journeys.
    let skip_to = format!("q{}", age_branch_after + 2);
    let after_branch = if fever_after == Some(age_branch_after) {
        "fever".to_string()
    } else {
        format!("q{}", age_branch_after + 1)
    };
    let _ = write!(
        out,
        "
  by-age:
    branch:
      on: age
      bands:
        - {{ below: {split_age}, next: {skip_to} }}
        - {{ from: {split_age}, next: {after_branch} }}
"
    );
    if let Some(after) = fever_after {
        let _ = write!(
            out,
            "
  fever:
    call: {{ module: fever-check, next: q{} }}
",
            after + 1
        );
    }
    out.push_str(
        "
  decide:
    branch:
      cases:
        - { when: score.severity >= 3, next: own-gp }
        - { when: score.severity in 1..3, next: pharmacy }
        - { when: age >= 65, next: pharmacy }
      otherwise: home
",
    );
    if let (Some(target), None) = (jumps_to, jump) {
        let _ = write!(
            out,
            "
  elsewhere:
    goto: {{ pathway: p{target:05}, at: q1 }}
"
        );
    }
    out.push_str(OUTCOMES);
    (id, out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    YesNo,
    Single,
    Multiple,
    Number,
}

/// The option of a choice question that carries on in another pathway.
const JUMP_OPTION: &str = "        - id: something-else
          label: The main problem is something else
          next: elsewhere
";

/// [`JUMP_OPTION`] when `jump` is pending and the question offers choices
/// (the jump is then taken), else nothing.
fn jump_option(kind: Kind, jump: &mut Option<usize>) -> &'static str {
    if matches!(kind, Kind::Single | Kind::Multiple) && jump.take().is_some() {
        JUMP_OPTION
    } else {
        ""
    }
}

/// What a question is about, and where answers that carry on lead.
struct Question<'a> {
    number: usize,
    kind: Kind,
    next: &'a str,
    subject: &'a str,
}

/// Writes a question; marks in `used` the red-flag outcomes it leads to. A
/// choice question takes `jump`, if there is one, as an option that leads
/// to the node `elsewhere`.
fn question(
    out: &mut String,
    rng: &mut Rng,
    question: Question<'_>,
    used: &mut [bool],
    jump: &mut Option<usize>,
) {
    let Question {
        number: q,
        kind,
        next,
        subject,
    } = question;
    let flag = rng.between(0, RED_FLAG_OUTCOMES.len() - 1);
    let red_flag = RED_FLAG_OUTCOMES[flag];
    let word = rng.pick(VOCABULARY);
    let _ = write!(out, "\n  q{q}:\n    question:\n");
    match kind {
        Kind::YesNo => {
            used[flag] = true;
            let _ = write!(
                out,
                "      text: Is there {word} as well as the {subject}?
      help: Answer for how things are now.
      kind: yes_no
      yes:
        next: {red_flag}
        reason: The {subject} came with {word}
        report: \"{word}: yes\"
      no: {{ next: {next} }}
      not_sure: {{ next: gp-soon, reason: Not sure about {word} }}
"
            );
        }
        Kind::Single => {
            used[flag] = true;
            let options = rng.between(3, 5);
            let _ = write!(
                out,
                "      text: Which best describes the {subject}?
      kind: single
      options:
        - id: sudden-and-severe
          label: It came on suddenly and is severe
          next: {red_flag}
          reason: Sudden and severe {subject}
"
            );
            for option in 1..options {
                let adds = if option == 1 {
                    "\n          add: { severity: 1 }"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "        - id: kind-{option}
          label: It is like {} {}
          next: {next}{adds}
",
                    rng.pick(VOCABULARY),
                    rng.pick(VOCABULARY)
                );
            }
            out.push_str(jump_option(kind, jump));
            out.push_str("      not_sure: { next: gp-soon, reason: Not sure how it started }\n");
        }
        Kind::Multiple => {
            used.fill(true);
            let options = rng.between(3, 6);
            out.push_str("      text: Any of these?\n      help: Choose all that apply.\n      kind: multiple\n      options:\n");
            for option in 0..options {
                let target = RED_FLAG_OUTCOMES
                    .get(option * RED_FLAG_OUTCOMES.len() / options)
                    .unwrap_or(&"gp-soon");
                let sign = rng.pick(VOCABULARY);
                let _ = write!(
                    out,
                    "        - id: sign-{option}
          label: Sudden {sign} with the {subject}
          next: {target}
          reason: Sudden {sign} with the {subject}
"
                );
            }
            out.push_str(jump_option(kind, jump));
            let _ = write!(
                out,
                "      none: {{ next: {next} }}
      not_sure: {{ next: gp-soon, reason: Not sure about the warning signs }}
"
            );
        }
        Kind::Number => {
            let _ = write!(
                out,
                "      text: How many days has the {subject} lasted?
      kind: number
      unit: days
      range: {{ min: 0, max: 365 }}
      bands:
        - {{ below: 3, next: {next} }}
        - {{ from: 3, below: 21, next: {next}, add: {{ severity: 1 }} }}
        - {{ from: 21, next: gp-soon, reason: The {subject} has lasted 3 weeks or more }}
      not_sure: {{ next: gp-soon, reason: Not sure how long it has lasted }}
"
            );
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A module of `questions` yes/no questions in a row; "no" to the last returns.
fn assessment_module(questions: usize) -> String {
    let mut out = String::from(
        "# yaml-language-server: $schema=../../docs/schema/module.schema.json
module:
  id: assessment
  title: General assessment
  version: 1.0.0
  summary: General questions asked several times, to make compiled graphs large.
  sources:
    - title: \"NHS website: Health A to Z\"
      url: https://www.nhs.uk/conditions/
  start: a1

nodes:
",
    );
    for q in 1..=questions {
        let next = if q == questions {
            "return".to_string()
        } else {
            format!("a{}", q + 1)
        };
        let _ = write!(
            out,
            "  a{q}:
    question:
      text: Is there anything else new, number {q}?
      kind: yes_no
      yes: {{ next: gp-soon, reason: Something new (number {q}) }}
      no: {{ next: {next} }}
      not_sure: {{ next: gp-soon, reason: Not sure about something new }}
"
        );
    }
    out.push_str(
        "  gp-soon:
    outcome: { disposition: gp-2h, reason: Something new that a GP should check }
",
    );
    out
}

const DISPOSITIONS: &str = "# yaml-language-server: $schema=../docs/schema/dispositions.schema.json
dispositions:
  - id: call-999
    code: Dx011
    title: Call 999 now
    description: This needs an ambulance. Call 999 now.
    service: ambulance
    act_within_minutes: 0
    service_standard_minutes: 40
    rank: 10
    advice: [while-you-wait]
  - id: ae-1h
    code: Dx02
    title: Go to A&E within 1 hour
    service: emergency_department
    act_within_minutes: 60
    rank: 20
  - id: gp-2h
    code: Dx05
    title: Speak to a GP within 2 hours
    service: gp
    act_within_minutes: 120
    rank: 30
  - id: own-gp
    code: Dx75
    title: Contact a GP practice in the next few days
    service: own_gp
    rank: 40
  - id: pharmacy
    code: Dx08
    title: See a pharmacist within 12 hours
    service: pharmacy
    rank: 50
  - id: self-care
    code: Dx35
    title: Look after this at home
    service: self_care
    rank: 60
    advice: [worse-call-111]
";

const CARE_ADVICE: &str = "# yaml-language-server: $schema=../docs/schema/care-advice.schema.json
care_advice:
  - id: while-you-wait
    title: While you wait for the ambulance
    text: Unlock the front door and keep a phone close. Call 999 again if things get worse.
  - id: while-you-wait-gp
    title: While you wait to speak to a GP
    text: Keep a phone close. Call 999 if things get much worse.
  - id: see-pharmacist
    title: What a pharmacist can do
    text: A pharmacist can look at this and suggest medicines you can buy.
  - id: rest-and-fluids
    title: Looking after this at home
    text: Rest, drink plenty of fluids and use pain relief from a pharmacy if needed.
  - id: worse-call-111
    title: If things get worse
    text: Contact 111 if things get worse or you are worried.
";

const SYNONYMS: &str = "# yaml-language-server: $schema=../docs/schema/synonyms.schema.json
synonyms:
  - [tummy, stomach, belly]
  - [sick, vomiting, throwing up]
  - [breathless, short of breath]
  - [rash, spots]
";

const EMERGENCY_SCREEN: &str =
    "# yaml-language-server: $schema=../../docs/schema/module.schema.json
module:
  id: emergency-screen
  title: Emergency screen
  version: 1.0.0
  summary: Signs that need an ambulance, asked first by every pathway.
  sources:
    - title: \"NHS website: When to call 999\"
      url: https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/
  start: who

nodes:
  who:
    branch:
      on: age
      bands:
        - { below: 1, next: signs-baby }
        - { from: 1, next: signs }

  signs:
    question:
      text: Any of these right now?
      help: Choose all that apply.
      kind: multiple
      options:
        - id: not-breathing
          label: Not breathing, or too breathless to speak
          next: ambulance
          reason: Struggling to breathe
          reason_code: emergency-breathing
        - id: unresponsive
          label: Unconscious, or very hard to wake
          next: ambulance
          reason: Unconscious or very hard to wake
        - id: bleeding
          label: Bleeding a lot, and it will not stop
          next: ambulance
          reason: Severe bleeding
        - id: fitting
          label: A fit (seizure) now
          next: ambulance
          reason: A fit now
      none: { next: return }
      not_sure: { next: ambulance, reason: Not sure about the signs of an emergency }

  signs-baby:
    question:
      text: Any of these right now?
      kind: multiple
      options:
        - id: floppy
          label: Floppy, or not responding
          next: ambulance
          reason: A floppy baby
        - id: blue
          label: Blue or grey lips or tongue
          next: ambulance
          reason: Blue or grey lips or tongue
      none: { next: return }
      not_sure: { next: ambulance, reason: Not sure about the signs of an emergency }

  ambulance:
    outcome: { disposition: call-999 }
";

const FEVER_CHECK: &str = "# yaml-language-server: $schema=../../docs/schema/module.schema.json
module:
  id: fever-check
  title: Fever check
  version: 1.0.0
  summary: A high temperature, and how unwell it makes someone feel.
  sources:
    - title: \"NHS website: High temperature (fever) in adults\"
      url: https://www.nhs.uk/conditions/fever-in-adults/
  start: temperature
  scores: [severity]

nodes:
  temperature:
    question:
      text: What is the temperature now?
      help: Use a thermometer if there is one.
      kind: number
      unit: °C
      range: { min: 34, max: 43 }
      bands:
        - { below: 38, next: return }
        - { from: 38, below: 40, next: unwell, add: { severity: 1 } }
        - { from: 40, next: gp-soon, reason: A temperature of 40°C or more }
      not_sure: { next: gp-soon, reason: Not sure of the temperature }

  unwell:
    question:
      text: Is it hard to do normal things, like getting up or eating?
      kind: yes_no
      yes: { next: gp-soon, reason: A high temperature and feeling very unwell }
      no: { next: return }
      not_sure: { next: gp-soon, reason: Not sure how unwell }

  gp-soon:
    outcome: { disposition: gp-2h, reason: A high temperature that a GP should check }
";
