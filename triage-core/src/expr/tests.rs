use super::check::{closest, edit_distance};
use super::*;

/// Node ids and answers of the test pathway.
const CHEST_PAIN: NodeIdx = 10;
const COLOUR: NodeIdx = 11;
const SYMPTOMS: NodeIdx = 12;
const TEMPERATURE: NodeIdx = 13;
const BREATHING: NodeIdx = 15;
const ONSET: NodeIdx = 16;

struct TestQuestion {
    id: &'static str,
    node: NodeIdx,
    kind: QuestionKindDoc,
    answers: Vec<String>,
}

struct TestScope {
    questions: Vec<TestQuestion>,
    variables: Vec<(&'static str, VariableKind)>,
}

fn question(
    id: &'static str,
    node: NodeIdx,
    kind: QuestionKindDoc,
    answers: &[&str],
) -> TestQuestion {
    TestQuestion {
        id,
        node,
        kind,
        answers: answers.iter().map(|a| (*a).to_owned()).collect(),
    }
}

fn scope() -> TestScope {
    use QuestionKindDoc::*;
    TestScope {
        questions: vec![
            question("chest-pain", CHEST_PAIN, YesNo, &["yes", "no", "not_sure"]),
            question("colour", COLOUR, Single, &["blue", "normal"]),
            question(
                "symptoms",
                SYMPTOMS,
                Multiple,
                &["rash", "stiff", "none", "not_sure"],
            ),
            question(
                "temperature",
                TEMPERATURE,
                Number,
                &["band-1", "band-2", "not_sure"],
            ),
            question("rate", 14, Number, &["band-1"]),
            question("breathing", BREATHING, YesNo, &["yes", "no"]),
            question("onset", ONSET, Single, &["3", "age", "2-days"]),
        ],
        variables: vec![
            ("cardiac", VariableKind::Bool),
            ("pain-level", VariableKind::Number),
            ("sepsis", VariableKind::Score),
        ],
    }
}

impl Scope for TestScope {
    fn question(&self, id: &str) -> Option<QuestionInfo<'_>> {
        self.questions
            .iter()
            .find(|q| q.id == id)
            .map(|q| QuestionInfo {
                node: q.node,
                kind: q.kind,
                answer_ids: &q.answers,
            })
    }

    fn variable(&self, name: &str) -> Option<(VariableIdx, VariableKind)> {
        let index = self.variables.iter().position(|(n, _)| *n == name)?;
        let (_, kind) = self.variables.get(index)?;
        Some((VariableIdx::try_from(index).ok()?, *kind))
    }

    fn question_ids(&self) -> Vec<&str> {
        self.questions.iter().map(|q| q.id).collect()
    }

    fn variable_names(&self) -> Vec<(&str, VariableKind)> {
        self.variables.clone()
    }
}

#[derive(Clone)]
struct TestFacts {
    age_years: f64,
    age_months: f64,
    sex: SexDoc,
    answers: Vec<(NodeIdx, AnswerFact)>,
    variables: [f64; 3],
}

impl TestFacts {
    fn new() -> TestFacts {
        TestFacts {
            age_years: 30.0,
            age_months: 360.0,
            sex: SexDoc::Female,
            answers: Vec::new(),
            variables: [0.0; 3],
        }
    }

    fn aged(years: f64) -> TestFacts {
        TestFacts {
            age_years: years,
            age_months: (years * 12.0).floor(),
            ..TestFacts::new()
        }
    }

    fn with(mut self, question: NodeIdx, fact: AnswerFact) -> TestFacts {
        self.answers.push((question, fact));
        self
    }
}

impl Facts for TestFacts {
    fn age_years(&self) -> f64 {
        self.age_years
    }
    fn age_months(&self) -> f64 {
        self.age_months
    }
    fn sex(&self) -> SexDoc {
        self.sex
    }
    fn answer(&self, question: NodeIdx) -> Option<AnswerFact> {
        self.answers
            .iter()
            .rev()
            .find(|(q, _)| *q == question)
            .map(|(_, fact)| *fact)
    }
    fn variable(&self, variable: VariableIdx) -> f64 {
        self.variables
            .get(usize::from(variable))
            .copied()
            .unwrap_or(0.0)
    }
}

fn checked_as(text: &str, expected: Type) -> Expr {
    let surface = parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e:?}"));
    check(&surface, &scope(), expected).unwrap_or_else(|e| panic!("{text:?} does not check: {e:?}"))
}

fn checked(text: &str) -> Expr {
    checked_as(text, Type::Bool)
}

fn error_as(text: &str, expected: Type) -> ExprError {
    let result = parse(text).and_then(|surface| check(&surface, &scope(), expected));
    match result {
        Err(error) => error,
        Ok(expr) => panic!("{text:?} was accepted as {expr:?}"),
    }
}

fn error(text: &str) -> ExprError {
    error_as(text, Type::Bool)
}

fn help(error: &ExprError) -> &str {
    error.help.as_deref().unwrap_or("")
}

fn holds(text: &str, facts: &TestFacts) -> bool {
    checked(text).eval_bool(facts)
}

/// The parsed tree in prefix form, to check grouping.
fn shape(expr: &SurfaceExpr) -> String {
    let join = |name: &str, items: &[SurfaceExpr]| {
        let inner: Vec<String> = items.iter().map(shape).collect();
        format!("({name} {})", inner.join(" "))
    };
    match &expr.kind {
        SurfaceKind::Bool(b) => b.to_string(),
        SurfaceKind::Number { text, .. } => text.clone(),
        SurfaceKind::Word(w) => w.clone(),
        SurfaceKind::Age => "age".to_owned(),
        SurfaceKind::AgeMonths => "age_months".to_owned(),
        SurfaceKind::Sex => "sex".to_owned(),
        SurfaceKind::Answer { id, .. } => format!("answer.{id}"),
        SurfaceKind::Answered { id, .. } => format!("answered({id})"),
        SurfaceKind::Var { name, .. } => format!("var.{name}"),
        SurfaceKind::Score { name, .. } => format!("score.{name}"),
        SurfaceKind::Compare {
            op, left, right, ..
        } => format!("({op} {} {})", shape(left), shape(right)),
        SurfaceKind::In {
            subject, low, high, ..
        } => format!("(in {} {low} {high})", shape(subject)),
        SurfaceKind::Has {
            subject, option, ..
        } => format!("(has {} {option})", shape(subject)),
        SurfaceKind::Not(inner) => format!("(not {})", shape(inner)),
        SurfaceKind::And(items) => join("and", items),
        SurfaceKind::Or(items) => join("or", items),
    }
}

fn parsed_shape(text: &str) -> String {
    shape(&parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e:?}")))
}

// --- parsing ---------------------------------------------------------

#[test]
fn precedence_is_or_then_and_then_not_then_comparison() {
    assert_eq!(
        parsed_shape("not age < 5 or var.a and score.b >= 2"),
        "(or (not (< age 5)) (and var.a (>= score.b 2)))"
    );
    assert_eq!(
        parsed_shape("a or b or c and d and e"),
        "(or a b (and c d e))"
    );
    assert_eq!(
        parsed_shape("not (age < 5 or sex == male)"),
        "(not (or (< age 5) (== sex male)))"
    );
    assert_eq!(parsed_shape("not not true"), "(not (not true))");
}

#[test]
fn precedence_decides_evaluation() {
    let facts = TestFacts::new();
    // `and` binds tighter than `or`: true or (false and false).
    assert!(holds("true or false and false", &facts));
    // `not` binds tighter than `or`: (not true) or true.
    assert!(holds("not true or true", &facts));
    // `not` binds looser than comparison: not (age < 5).
    assert!(holds("not age < 5", &facts));
    assert!(!holds("(true or false) and false", &facts));
}

#[test]
fn parses_names_literals_and_ranges() {
    assert_eq!(
        parsed_shape("answer.chest-pain == not_sure"),
        "(== answer.chest-pain not_sure)"
    );
    assert_eq!(
        parsed_shape("answered(temperature) and age_months < 3"),
        "(and answered(temperature) (< age_months 3))"
    );
    assert_eq!(parsed_shape("age in 1..5"), "(in age 1 5)");
    assert_eq!(parsed_shape("age in 0.5..1.5"), "(in age 0.5 1.5)");
    assert_eq!(parsed_shape("-1 < age"), "(< -1 age)");
    assert_eq!(
        parsed_shape("answer.symptoms has rash"),
        "(has answer.symptoms rash)"
    );
    assert_eq!(
        parsed_shape("answer.onset == 2-days"),
        "(== answer.onset 2-days)"
    );
    assert_eq!(
        parsed_shape("answer.1st-visit == yes"),
        "(== answer.1st-visit yes)"
    );
    assert_eq!(parsed_shape("\n age\t<=\r\n37.5 "), "(<= age 37.5)");
}

#[test]
fn parse_keeps_byte_offsets() {
    let surface = parse("age < 5 and answer.colour == blue").unwrap_or_else(|e| panic!("{e:?}"));
    let SurfaceKind::And(items) = &surface.kind else {
        panic!("not an and: {surface:?}");
    };
    let offsets: Vec<usize> = items.iter().map(|item| item.offset).collect();
    assert_eq!(offsets, [0, 12]);
    let Some(SurfaceKind::Compare {
        op_offset,
        left,
        right,
        ..
    }) = items.get(1).map(|item| &item.kind)
    else {
        panic!("not a comparison");
    };
    assert_eq!(*op_offset, 26);
    assert!(matches!(
        left.kind,
        SurfaceKind::Answer { id_offset: 19, .. }
    ));
    assert_eq!(right.offset, 29);
}

fn syntax_error_at(text: &str, offset: usize) -> ExprError {
    let error = parse(text)
        .err()
        .unwrap_or_else(|| panic!("{text:?} parsed"));
    assert_eq!(error.kind, ExprErrorKind::Syntax, "{text:?}: {error:?}");
    assert_eq!(error.offset, offset, "{text:?}: {error:?}");
    error
}

#[test]
fn syntax_errors_point_at_the_offending_token() {
    syntax_error_at("age < ", 6);
    assert!(help(&syntax_error_at("age = 5", 4)).contains("=="));
    assert!(help(&syntax_error_at("age < 5 age", 8)).contains("and"));
    assert!(syntax_error_at("(age < 5", 8).message.contains("`)`"));
    assert!(syntax_error_at("age < 5)", 7)
        .message
        .contains("no matching"));
    assert!(syntax_error_at("1 < age < 5", 8)
        .message
        .contains("chained"));
    assert!(syntax_error_at("age < 5 in 1..2", 8)
        .message
        .contains("chained"));
    assert!(help(&syntax_error_at("answer.colour == \"blue\"", 17)).contains("bare"));
    assert!(help(&syntax_error_at("age < 5 AND sex == male", 8)).contains("`and`"));
    assert!(syntax_error_at("age < 37.5c", 6)
        .message
        .contains("`37.5c`"));
    assert!(syntax_error_at("age in 5..1", 7).message.contains("empty"));
    syntax_error_at("age in 3..3", 7);
    syntax_error_at("age in 1...5", 10);
    syntax_error_at("age in 1..age", 10);
    syntax_error_at("age in 1", 8);
    syntax_error_at("", 0);
    syntax_error_at("   ", 0);
    assert!(help(&syntax_error_at("age < - 1", 6)).contains("arithmetic"));
    assert!(help(&syntax_error_at("age > 5 && sex == male", 8)).contains("and"));
    assert!(help(&syntax_error_at("!answered(colour)", 0)).contains("not"));
    assert!(help(&syntax_error_at("age + 1 > 5", 4)).contains("arithmetic"));
    syntax_error_at("answer colour == blue", 7);
    syntax_error_at("answer.", 7);
    syntax_error_at("answered colour", 9);
    syntax_error_at("answered(colour", 15);
    syntax_error_at("var.", 4);
    syntax_error_at("age < 5 and", 11);
    syntax_error_at("age < 5 or or true", 11);
    syntax_error_at("answer.symptoms has", 19);
    syntax_error_at("age == not true", 7);
    syntax_error_at("()", 1);
    syntax_error_at(&format!("age < 1{}", "0".repeat(400)), 6);
}

#[test]
fn non_ascii_is_refused_at_its_offset() {
    let error = syntax_error_at("âge < 5", 0);
    assert!(error.message.contains('â'), "{error:?}");
    let error = syntax_error_at("age < 5 – 1", 8);
    assert!(error.message.contains('–'), "{error:?}");
    syntax_error_at("age\u{a0}< 5", 3);
    syntax_error_at("age < 5 and 🚑", 12);
}

// --- names -----------------------------------------------------------

fn unknown(text: &str, offset: usize) -> ExprError {
    let error = error(text);
    assert_eq!(
        error.kind,
        ExprErrorKind::UnknownName,
        "{text:?}: {error:?}"
    );
    assert_eq!(error.offset, offset, "{text:?}: {error:?}");
    error
}

#[test]
fn unknown_question_suggests_the_near_one_and_lists_questions() {
    let error = unknown("answer.colur == blue", 7);
    assert!(error.message.contains("colur"));
    assert!(help(&error).contains("did you mean `colour`?"), "{error:?}");
    assert!(
        help(&error).contains("chest-pain, colour, symptoms"),
        "{error:?}"
    );
    let error = unknown("answered(nothing)", 9);
    assert!(!help(&error).contains("did you mean"), "{error:?}");
    let error = unknown("answer.temperature-1 > 37", 7);
    assert!(help(&error).contains("no subtraction"), "{error:?}");
}

#[test]
fn unknown_answer_lists_the_questions_answers() {
    let error = unknown("answer.colour == bleu", 17);
    assert!(help(&error).contains("did you mean `blue`?"), "{error:?}");
    assert!(
        help(&error).contains("answers are: blue, normal"),
        "{error:?}"
    );
    let error = unknown("answer.chest-pain == maybe", 21);
    assert!(
        help(&error).contains("this question's answers are: yes, no, not_sure"),
        "{error:?}"
    );
    let error = unknown("answer.breathing == not_sure", 20);
    assert!(
        help(&error).contains("does not offer not_sure"),
        "{error:?}"
    );
    let error = unknown("answer.symptoms has fever", 20);
    assert!(
        help(&error).contains("rash, stiff, none, not_sure"),
        "{error:?}"
    );
    let error = unknown("answer.rate == not_sure", 15);
    assert!(error.message.contains("does not offer"), "{error:?}");
}

#[test]
fn variables_and_scores_need_the_right_prefix() {
    let error = unknown("var.sepsis > 2", 4);
    assert!(help(&error).contains("`score.sepsis`"), "{error:?}");
    let error = unknown("score.cardiac > 1", 6);
    assert!(help(&error).contains("`var.cardiac`"), "{error:?}");
    let error = unknown("score.pain-level > 1", 6);
    assert!(help(&error).contains("`var.pain-level`"), "{error:?}");
    let error = unknown("var.cardic", 4);
    assert!(
        help(&error).contains("did you mean `var.cardiac`?"),
        "{error:?}"
    );
    assert!(
        help(&error).contains("var.cardiac, var.pain-level, score.sepsis"),
        "{error:?}"
    );
    let error = unknown("score.seps > 1", 6);
    assert!(
        help(&error).contains("did you mean `score.sepsis`?"),
        "{error:?}"
    );
}

#[test]
fn bare_words_get_a_hint_at_what_was_meant() {
    assert!(help(&unknown("colour == blue", 0)).contains("`answer.colour`"));
    assert!(help(&unknown("cardiac", 0)).contains("`var.cardiac`"));
    assert!(help(&unknown("female", 0)).contains("sex == female"));
    assert!(help(&unknown("age < 5 and yes", 12)).contains("answer.ID == yes"));
    assert!(help(&unknown("fever", 0)).contains("names are"));
    let error = unknown("sex == other", 7);
    assert!(help(&error).contains("female"), "{error:?}");
}

// --- types -----------------------------------------------------------

fn type_error(text: &str, offset: usize) -> ExprError {
    let error = error(text);
    assert_eq!(error.kind, ExprErrorKind::Type, "{text:?}: {error:?}");
    assert_eq!(error.offset, offset, "{text:?}: {error:?}");
    error
}

#[test]
fn a_choice_answer_must_be_compared() {
    let error = type_error("answer.chest-pain", 0);
    assert_eq!(help(&error), "compare it: `answer.chest-pain == yes`");
    let error = type_error("true and answer.colour", 9);
    assert_eq!(help(&error), "compare it: `answer.colour == blue`");
    let error = type_error("answer.colour < 3", 0);
    assert!(help(&error).contains("answer.colour =="), "{error:?}");
    let error = type_error("answer.symptoms", 0);
    assert!(help(&error).contains("has rash"), "{error:?}");
    let error = type_error("answer.symptoms == rash", 0);
    assert!(
        help(&error).contains("answer.symptoms has rash"),
        "{error:?}"
    );
    let error = type_error("answer.colour == answer.chest-pain", 17);
    assert!(help(&error).contains("blue, normal"), "{error:?}");
    type_error("answer.colour == true", 17);
}

#[test]
fn has_needs_a_multiple_choice_question() {
    let error = type_error("answer.colour has blue", 14);
    assert!(help(&error).contains("answer.colour == blue"), "{error:?}");
    type_error("answer.temperature has band-1", 19);
    type_error("age has rash", 4);
}

#[test]
fn comparisons_need_matching_types() {
    type_error("var.cardiac < 1", 0);
    type_error("age >= var.cardiac", 7);
    let error = type_error("var.cardiac == 1", 15);
    assert!(error.message.contains("cannot compare"), "{error:?}");
    type_error("sex", 0);
    type_error("sex < 3", 0);
    type_error("sex == 3", 7);
    let error = type_error("not age", 4);
    assert!(error.message.contains("after `not`"), "{error:?}");
    type_error("age and true", 0);
    type_error("true or score.sepsis", 8);
    type_error("answered(colour) in 1..2", 0);
    let error = type_error("answer.temperature == high", 22);
    assert!(
        help(&error).contains("answer.temperature >= 38"),
        "{error:?}"
    );
    type_error("answer.temperature == true", 22);
}

#[test]
fn the_top_level_type_must_be_the_expected_one() {
    let error = type_error("age", 0);
    assert!(help(&error).contains("age < 5"), "{error:?}");
    let error = error_as("age < 5", Type::Number);
    assert_eq!((error.kind, error.offset), (ExprErrorKind::Type, 0));
    assert_eq!(checked_as("age", Type::Number), Expr::AgeYears);
    assert_eq!(
        checked_as("answer.temperature", Type::Number),
        Expr::AnswerNumber(TEMPERATURE)
    );
    assert_eq!(
        checked_as("score.sepsis", Type::Number),
        Expr::NumberVariable(2)
    );
    assert_eq!(
        checked_as("(var.pain-level)", Type::Number),
        Expr::NumberVariable(1)
    );
    assert_eq!(checked_as("var.cardiac", Type::Bool), Expr::BoolVariable(0));
}

#[test]
fn answer_ids_that_look_like_numbers_or_names_are_answers() {
    for (text, answer) in [
        ("answer.onset == 3", 0),
        ("answer.onset == age", 1),
        ("answer.onset != 2-days", 2),
    ] {
        let expr = checked(text);
        let Expr::AnswerIs {
            question,
            answer: index,
            ..
        } = expr
        else {
            panic!("{text:?} checked as {expr:?}");
        };
        assert_eq!((question, index), (ONSET, answer), "{text:?}");
    }
    let error = type_error("answer.onset == 4", 16);
    assert!(help(&error).contains("3, age, 2-days"), "{error:?}");
}

// --- evaluation ------------------------------------------------------

#[test]
fn in_range_includes_the_low_end_and_excludes_the_high_end() {
    let cases = [(0.999, false), (1.0, true), (4.999, true), (5.0, false)];
    for (age, expected) in cases {
        assert_eq!(
            holds("age in 1..5", &TestFacts::aged(age)),
            expected,
            "age {age}"
        );
    }
    assert!(holds("age < 5", &TestFacts::aged(4.999)));
    assert!(!holds("age < 5", &TestFacts::aged(5.0)));
    assert!(holds("age <= 5", &TestFacts::aged(5.0)));
    assert!(holds("-1 < age", &TestFacts::aged(0.0)));
    assert!(holds("age_months < 3", &TestFacts::aged(0.2)));
    assert!(!holds("age_months < 3", &TestFacts::aged(0.25)));
}

#[test]
fn comparisons_on_a_missing_answer_are_false() {
    let facts = TestFacts::new();
    for text in [
        "answer.temperature >= 38",
        "answer.temperature < 38",
        "answer.temperature == 38",
        "answer.temperature != 38",
        "answer.temperature in 30..45",
        "38 <= answer.temperature",
        "answer.chest-pain == yes",
        "answer.chest-pain != yes",
        "answer.temperature == not_sure",
        "answer.temperature != not_sure",
        "answer.symptoms has rash",
        "answered(temperature)",
    ] {
        assert!(!holds(text, &facts), "{text:?}");
    }
    // `not` negates the result as it is.
    assert!(holds("not answer.temperature >= 38", &facts));
    assert!(holds("not answer.chest-pain == yes", &facts));
    assert_eq!(
        checked_as("answer.temperature", Type::Number).eval_number(&facts),
        None
    );
}

#[test]
fn number_answers_compare_as_numbers() {
    let facts = TestFacts::new().with(TEMPERATURE, AnswerFact::Number(38.0));
    assert!(holds("answer.temperature >= 38", &facts));
    assert!(!holds("answer.temperature > 38", &facts));
    assert!(holds("answer.temperature == 38", &facts));
    assert!(holds("(answer.temperature) in 37.5..38.5", &facts));
    assert!(holds("answered(temperature)", &facts));
    assert!(!holds("answer.temperature == not_sure", &facts));
    assert!(holds("answer.temperature != not_sure", &facts));
    let expr = checked_as("answer.temperature", Type::Number);
    assert_eq!(expr.eval_number(&facts), Some(38.0));
}

#[test]
fn not_sure_is_an_answer_like_any_other() {
    let not_sure = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(2));
    assert!(holds("answer.chest-pain == not_sure", &not_sure));
    assert!(!holds("answer.chest-pain == yes", &not_sure));
    assert!(holds("answer.chest-pain != yes", &not_sure));
    let number_not_sure = TestFacts::new().with(TEMPERATURE, AnswerFact::Choice(2));
    assert!(holds("answer.temperature == not_sure", &number_not_sure));
    assert!(holds("answered(temperature)", &number_not_sure));
    assert!(!holds("answer.temperature >= 0", &number_not_sure));
    assert!(!holds("answer.temperature < 0", &number_not_sure));
}

#[test]
fn choices_compare_by_answer() {
    let yes = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(0));
    let no = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(1));
    assert!(holds("answer.chest-pain == yes", &yes));
    assert!(holds("yes == answer.chest-pain", &yes));
    assert!(!holds("answer.chest-pain == yes", &no));
    assert!(holds("answer.chest-pain != yes", &no));
    assert!(holds("answer.chest-pain == no", &no));
    let blue = TestFacts::new().with(COLOUR, AnswerFact::Choice(0));
    assert!(holds("answer.colour == blue or var.cardiac", &blue));
    assert!(!holds("answer.colour == normal", &blue));
}

#[test]
fn has_tests_one_option_of_a_multiple_answer() {
    let rash_and_stiff = TestFacts::new().with(SYMPTOMS, AnswerFact::Multiple(0b11));
    assert!(holds("answer.symptoms has rash", &rash_and_stiff));
    assert!(holds("answer.symptoms has stiff", &rash_and_stiff));
    assert!(!holds("answer.symptoms has none", &rash_and_stiff));
    assert!(!holds("not answer.symptoms has rash", &rash_and_stiff));
    let none = TestFacts::new().with(SYMPTOMS, AnswerFact::Multiple(0b100));
    assert!(holds("answer.symptoms has none", &none));
    assert!(!holds("answer.symptoms has rash", &none));
    let not_sure = TestFacts::new().with(SYMPTOMS, AnswerFact::Choice(3));
    assert!(holds("answer.symptoms has not_sure", &not_sure));
    assert!(!holds("answer.symptoms has rash", &not_sure));
}

#[test]
fn sex_and_variables_evaluate() {
    let mut facts = TestFacts::new();
    assert!(holds("sex == female", &facts));
    assert!(holds("female == sex", &facts));
    assert!(holds("sex != male", &facts));
    facts.sex = SexDoc::Male;
    assert!(!holds("sex == female", &facts));
    assert!(!holds("var.cardiac", &facts));
    assert!(holds("var.cardiac == false", &facts));
    facts.variables = [1.0, 7.0, 3.0];
    assert!(holds("var.cardiac", &facts));
    assert!(holds("var.cardiac != false", &facts));
    assert!(holds(
        "var.pain-level >= 7 and score.sepsis in 3..4",
        &facts
    ));
    assert!(!holds("score.sepsis > 3", &facts));
}

#[test]
fn a_number_expression_is_not_a_condition() {
    let facts = TestFacts::new();
    assert!(!Expr::AgeYears.eval_bool(&facts));
    assert_eq!(Expr::Bool(true).eval_number(&facts), None);
    assert_eq!(checked("age < 5").ty(), Type::Bool);
    assert_eq!(checked_as("age_months", Type::Number).ty(), Type::Number);
}

// --- helpers for the validator ---------------------------------------

fn interval_of(text: &str) -> Option<(NumSubject, Interval)> {
    checked(text).interval()
}

fn iv(low: f64, low_inclusive: bool, high: f64, high_inclusive: bool) -> Interval {
    Interval {
        low,
        low_inclusive,
        high,
        high_inclusive,
    }
}

#[test]
fn intervals_of_single_number_conditions() {
    let inf = f64::INFINITY;
    let age = NumSubject::AgeYears;
    assert_eq!(
        interval_of("age < 5"),
        Some((age, iv(-inf, false, 5.0, false)))
    );
    assert_eq!(
        interval_of("age <= 5"),
        Some((age, iv(-inf, false, 5.0, true)))
    );
    assert_eq!(
        interval_of("age > 5"),
        Some((age, iv(5.0, false, inf, false)))
    );
    assert_eq!(
        interval_of("age >= 5"),
        Some((age, iv(5.0, true, inf, false)))
    );
    assert_eq!(
        interval_of("5 <= age"),
        Some((age, iv(5.0, true, inf, false)))
    );
    assert_eq!(
        interval_of("5 > age"),
        Some((age, iv(-inf, false, 5.0, false)))
    );
    assert_eq!(
        interval_of("age in 1..5"),
        Some((age, iv(1.0, true, 5.0, false)))
    );
    assert_eq!(
        interval_of("answer.temperature == 38"),
        Some((NumSubject::Answer(TEMPERATURE), iv(38.0, true, 38.0, true)))
    );
    assert_eq!(
        interval_of("(age >= 1 and age < 5)"),
        Some((age, iv(1.0, true, 5.0, false)))
    );
    assert_eq!(
        interval_of("age_months >= 1 and age_months <= 3 and age_months in 0..2"),
        Some((NumSubject::AgeMonths, iv(1.0, true, 2.0, false)))
    );
    assert_eq!(
        interval_of("score.sepsis >= 2"),
        Some((NumSubject::Variable(2), iv(2.0, true, inf, false)))
    );
    let empty = interval_of("age < 1 and age > 5");
    assert!(
        empty.is_some_and(|(_, interval)| interval.is_empty()),
        "{empty:?}"
    );
}

#[test]
fn intervals_are_none_for_anything_else() {
    for text in [
        "age != 5",
        "not age < 5",
        "age < 5 or age > 10",
        "age < 5 and sex == female",
        "age >= 1 and age_months < 5",
        "age < var.pain-level",
        "1 < 2",
        "answer.temperature == not_sure",
        "var.cardiac",
    ] {
        assert_eq!(interval_of(text), None, "{text:?}");
    }
}

#[test]
fn intervals_overlap_only_when_they_share_a_number() {
    let of = |text: &str| interval_of(text).map(|(_, interval)| interval);
    let below_5 = of("age < 5").unwrap_or(Interval::ALL);
    let from_5 = of("age in 5..10").unwrap_or(Interval::ALL);
    let up_to_5 = of("age <= 5").unwrap_or(Interval::ALL);
    let exactly_5 = of("age == 5").unwrap_or(Interval::ALL);
    assert!(!below_5.overlaps(&from_5));
    assert!(up_to_5.overlaps(&from_5));
    assert!(exactly_5.overlaps(&from_5));
    assert!(!exactly_5.overlaps(&below_5));
    assert!(!exactly_5.is_empty());
    assert!(Interval::band(5.0, 5.0).is_empty());
    assert!(Interval::band(f64::NEG_INFINITY, 1.0).contains(-1e300));
    assert!(!Interval::band(1.0, 2.0).contains(2.0));
    assert_eq!(below_5.to_string(), "(-inf, 5)");
    assert_eq!(from_5.to_string(), "[5, 10)");
    assert_eq!(exactly_5.to_string(), "[5, 5]");
}

#[test]
fn questions_and_answer_references_are_found() {
    let expr = checked(
        "age < 5 and (answer.temperature > 38 or answered(colour)) and answer.temperature < 40",
    );
    assert!(expr.references_answer());
    assert_eq!(expr.questions(), [TEMPERATURE, COLOUR]);
    let expr = checked("not answer.symptoms has rash or answer.chest-pain == yes");
    assert_eq!(expr.questions(), [SYMPTOMS, CHEST_PAIN]);
    let expr = checked("age < 5 and var.cardiac or sex == male or score.sepsis >= 2");
    assert!(!expr.references_answer());
    assert!(expr.questions().is_empty());
}

#[test]
fn checked_expressions_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>(value: T) -> T {
        value
    }
    let expr = shareable(checked("age < 5"));
    let handle = std::thread::spawn(move || expr.eval_bool(&TestFacts::aged(3.0)));
    assert!(handle.join().unwrap_or(false));
}

// --- hostile input ---------------------------------------------------

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let nested = |depth: usize| format!("{}age < 5{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse(&nested(MAX_NESTING)).is_ok());
    let error = syntax_error_at(&nested(MAX_NESTING + 1), MAX_NESTING);
    assert!(error.message.contains("nested"), "{error:?}");
    assert!(parse(&format!("{}true", "not ".repeat(MAX_NESTING))).is_ok());
    syntax_error_at(
        &format!("{}true", "not ".repeat(MAX_NESTING + 1)),
        4 * MAX_NESTING,
    );
    // Past the length limit, refused before reading.
    syntax_error_at(&nested(10_000), 0);
    syntax_error_at(&"(".repeat(999), MAX_NESTING);
    syntax_error_at(&"not ".repeat(250), 4 * MAX_NESTING);
}

#[test]
fn long_text_is_refused() {
    let error = syntax_error_at(&"a".repeat(1 << 20), 0);
    assert!(error.message.contains("1000"), "{error:?}");
    let mut text = "true".to_owned();
    while text.len() + " or true".len() <= MAX_TEXT_LEN {
        text.push_str(" or true");
    }
    text.push_str(&" ".repeat(MAX_TEXT_LEN - text.len()));
    assert_eq!(text.len(), MAX_TEXT_LEN);
    assert!(parse(&text).is_ok());
    text.push(' ');
    syntax_error_at(&text, 0);
}

#[test]
fn long_chains_stay_shallow() {
    let text = vec!["age > 1"; 40].join(" and ");
    let expr = checked(&text);
    let Expr::And(items) = &expr else {
        panic!("not an and: {expr:?}");
    };
    assert_eq!(items.len(), 40);
}

#[test]
fn check_refuses_hand_built_deep_trees() {
    let mut surface = SurfaceExpr {
        offset: 0,
        kind: SurfaceKind::Bool(true),
    };
    for _ in 0..10_000 {
        surface = SurfaceExpr {
            offset: 0,
            kind: SurfaceKind::Not(Box::new(surface)),
        };
    }
    let error = check(&surface, &scope(), Type::Bool).err();
    assert!(error.is_some_and(|e| e.message.contains("nested")));
    // Dismantle iteratively so the test does not depend on a deep recursive drop.
    while let SurfaceKind::Not(inner) = surface.kind {
        surface = *inner;
    }
}

#[test]
fn suggestions_catch_typos_but_not_unrelated_names() {
    assert_eq!(edit_distance("bleu", "blue"), 1);
    assert_eq!(edit_distance("colur", "colour"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(
        closest("seps", ["sepsis", "cardiac"].into_iter()),
        Some("sepsis")
    );
    assert_eq!(closest("age", ["rate", "sex"].into_iter()), None);
    assert_eq!(closest("blue", ["blue"].into_iter()), None);
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "(",
        ")",
        "not",
        "and",
        "or",
        "in",
        "has",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "..",
        ".",
        "age",
        "age_months",
        "sex",
        "female",
        "male",
        "true",
        "false",
        "answer.colour",
        "answer.chest-pain",
        "answer.symptoms",
        "answer.temperature",
        "answered(colour)",
        "var.cardiac",
        "var.pain-level",
        "score.sepsis",
        "yes",
        "no",
        "not_sure",
        "rash",
        "blue",
        "1",
        "5",
        "37.5",
        "-1",
        "2..8",
        "-",
        "answer",
        "var",
    ];

    fn run_everything(text: &str) {
        let Ok(surface) = parse(text) else { return };
        for expected in [Type::Bool, Type::Number] {
            if let Ok(expr) = check(&surface, &scope(), expected) {
                let facts = TestFacts::aged(3.0)
                    .with(COLOUR, AnswerFact::Choice(1))
                    .with(SYMPTOMS, AnswerFact::Multiple(u64::MAX))
                    .with(TEMPERATURE, AnswerFact::Number(f64::NAN));
                let _ = expr.eval_bool(&facts);
                let _ = expr.eval_number(&facts);
                let _ = expr.interval();
                let _ = expr.questions();
            }
        }
    }

    proptest! {
        #[test]
        fn any_text_is_handled_without_panic(text in "\\PC{0,200}") {
            run_everything(&text);
        }

        #[test]
        fn any_bytes_are_handled_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            run_everything(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn token_soup_is_handled_without_panic(
            tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..30)
        ) {
            run_everything(&tokens.join(" "));
        }

        /// `interval()` must describe exactly when the condition holds, or the
        /// overlap check built on it would be wrong.
        #[test]
        fn interval_agrees_with_evaluation(
            parts in prop::collection::vec(
                (0usize..7, prop::sample::select(&[-1.0f64, 0.0, 1.0, 2.5, 5.0, 16.0][..]), 0.5f64..4.0, any::<bool>()),
                1..4,
            ),
            probes in prop::collection::vec(-3.0f64..25.0, 0..8),
        ) {
            let ops = ["<", "<=", ">", ">=", "=="];
            let conditions: Vec<String> = parts
                .iter()
                .map(|(op, limit, width, flipped)| match ops.get(*op) {
                    Some(op) if *flipped => format!("{limit} {} age", CompareOp::flipped(match *op {
                        "<" => CompareOp::Lt, "<=" => CompareOp::Le, ">" => CompareOp::Gt,
                        ">=" => CompareOp::Ge, _ => CompareOp::Eq,
                    })),
                    Some(op) => format!("age {op} {limit}"),
                    None => format!("age in {limit}..{}", limit + width),
                })
                .collect();
            let text = conditions.join(" and ");
            let expr = checked(&text);
            let interval = expr.interval();
            prop_assert!(interval.is_some(), "{} has no interval", text);
            let Some((subject, interval)) = interval else { return Ok(()) };
            prop_assert_eq!(subject, NumSubject::AgeYears);
            let mut ages = probes;
            for (_, limit, width, _) in &parts {
                ages.extend([*limit, limit - 0.001, limit + 0.001, limit + width]);
            }
            for age in ages {
                prop_assert_eq!(
                    expr.eval_bool(&TestFacts::aged(age)),
                    interval.contains(age),
                    "{} at age {} with {}", text, age, interval
                );
            }
        }
    }
}
