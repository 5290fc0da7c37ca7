//! `triage run`: the interactive triage in the terminal.

use super::*;

#[test]
fn run_asks_who_and_what_then_reaches_an_outcome() {
    let bundle = write_bundle(&tiny_files());
    // Who answers, age, sex, symptom words, the topic, then: breathing no,
    // blood no, none of these (option 3), 37 °C.
    let output = triage(
        &["run", path_arg(bundle.path())],
        "1\n30\n1\ncough\n1\n2\n2\n3\n37\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(text.contains("1. Cough"), "{text}");
    assert!(!text.contains("Period pain"), "{text}");
    assert!(
        text.contains("Question 4: What is your temperature?"),
        "{text}"
    );
    assert!(text.contains("== Look after yourself at home =="), "{text}");
    assert!(
        text.contains("Rest: Rest and drink plenty of fluids."),
        "{text}"
    );
}

#[test]
fn run_goes_back_from_the_first_question_to_the_symptom_search() {
    let bundle = write_bundle(&tiny_files());
    // A 30-year-old woman picks cough, goes back, then picks period pain: mild.
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--age",
            "30",
            "--sex",
            "female",
        ],
        "cough\n1\nb\nperiod\n1\n2\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("Question 1: Are you struggling to breathe?"),
        "{text}"
    );
    assert!(text.contains("Question 1: How bad is the pain?"), "{text}");
    assert!(text.contains("== Look after yourself at home =="), "{text}");
}

#[test]
fn run_shows_the_reasons_and_the_timeframe() {
    let bundle = write_bundle(&tiny_files());
    let output = run_cough(bundle.path(), "male", "2\n1\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("== Speak to a GP within 2 hours =="),
        "{text}"
    );
    assert!(text.contains("When: within 2 hours"), "{text}");
    assert!(text.contains("Why: Coughing up blood"), "{text}");
}

#[test]
fn the_999_outcome_says_call_now_and_never_gives_a_deadline() {
    let bundle = write_bundle(&tiny_files());
    // Struggling to breathe: yes.
    let args = ["--pathway", "cough", "--age", "30", "--sex", "male"];
    let output = triage(
        &[&["run", path_arg(bundle.path())][..], &args].concat(),
        "1\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(text.contains("When: now"), "{text}");
    // The ambulance response standard is the service's target, not the caller's time.
    assert!(!text.contains("40"), "{text}");
    assert!(!text.contains("minutes"), "{text}");

    let request = json!({
        "pathway": "cough",
        "patient": {"age_years": 30, "sex": "male"},
        "answers": [{"question": "emergency-screen/breathing", "answer": "yes"}],
    });
    let output = triage(&["next", path_arg(bundle.path())], &request.to_string());
    let step: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let disposition = &step["disposition"];
    assert_eq!(disposition["title"], "Call 999 now", "{step}");
    assert_eq!(disposition["act_within_minutes"], 0, "{step}");
    assert_eq!(disposition["service_standard_minutes"], 40, "{step}");
    assert!(disposition.get("within_minutes").is_none(), "{step}");
}

#[test]
fn run_goes_back_with_b() {
    let bundle = write_bundle(&tiny_files());
    // Breathing: no; then back to the breathing question and answer yes.
    let output = run_cough(bundle.path(), "male", "2\nb\n1\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert_eq!(
        text.matches("Question 1: Are you struggling to breathe?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("You answered: No (2)"), "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(text.contains("Why: Struggling to breathe"), "{text}");
    assert!(text.contains("While you wait: Unlock the door"), "{text}");
}

#[test]
fn run_asks_again_after_input_it_cannot_use() {
    let bundle = write_bundle(&tiny_files());
    // A number not listed, a word, several numbers for a yes/no question, then no; blood no;
    // "none" together with an option; then a long cough.
    let output = run_cough(bundle.path(), "male", "7\nhello\n1,2\n2\n2\n1,3\n2\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert_eq!(
        text.matches("Please type one number from 1 to 3.").count(),
        3,
        "{text}"
    );
    assert!(
        text.contains("cannot be chosen with other answers"),
        "{text}"
    );
    assert!(text.contains("Why: A long-lasting cough"), "{text}");
}

#[test]
fn run_refuses_a_number_outside_the_range() {
    let bundle = write_bundle(&tiny_files());
    let output = run_cough(bundle.path(), "male", "2\n2\n3\n50\n?\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("Please type a number from 34 to 43 °C, or ? if you are not sure."),
        "{text}"
    );
    assert!(text.contains("== See a pharmacist =="), "{text}");
}

#[test]
fn run_exits_2_when_the_input_ends_before_an_outcome() {
    let bundle = write_bundle(&tiny_files());
    let output = run_cough(bundle.path(), "male", "2\n");
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).contains("Are you coughing up blood?"));
    let output = triage(&["run", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 2);
}

#[test]
fn run_quits_with_q() {
    let bundle = write_bundle(&tiny_files());
    let output = run_cough(bundle.path(), "male", "q\n");
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("Stopped."));
}

/// `triage run` on the tiny bundle's cough pathway for a 30-year-old man.
const COUGH_RUN: [&str; 7] = ["run", "--pathway", "cough", "--age", "30", "--sex", "male"];

/// [`COUGH_RUN`] on the bundle in `dir`, with `extra` arguments.
fn cough_run<'a>(dir: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![COUGH_RUN[0], path_arg(dir)];
    args.extend(&COUGH_RUN[1..]);
    args.extend(extra);
    args
}

#[test]
fn run_offers_back_start_again_and_quit_after_the_outcome() {
    let bundle = write_bundle(&tiny_files());
    // Breathing no, blood yes: a GP. Back to blood and answer no, then a long
    // cough: a GP again. Start again; struggling to breathe: 999. Input ends.
    let output = triage(&cough_run(bundle.path(), &[]), "2\n1\nb\n2\n2\ns\n1\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(
        text.contains("Type b to go back and change an answer, s to start again, or q to quit:"),
        "{text}"
    );
    assert_eq!(
        text.matches("Question 2: Are you coughing up blood?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("You answered: Yes (1)"), "{text}");
    assert!(text.contains("Why: A long-lasting cough"), "{text}");
    assert_eq!(
        text.matches("Question 1: Are you struggling to breathe?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn run_ends_with_q_after_the_outcome_without_calling_it_stopped() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&cough_run(bundle.path(), &[]), "1\nq\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(!text.contains("Stopped."), "{text}");
}

#[test]
fn run_says_none_of_these_the_same_way_in_the_prompt_and_the_error() {
    let bundle = write_bundle(&tiny_files());
    // Breathing no, blood no, then 0 (not how none is said here), then 3.
    let output = triage(&cough_run(bundle.path(), &[]), "2\n2\n0\n3\n37\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    let wanted = "every number that applies, e.g. 1,2, or 3 for none of these";
    assert!(text.contains("  3. None of these"), "{text}");
    assert!(text.contains(&format!("Type {wanted} (b = back")), "{text}");
    assert!(
        text.contains(&format!(
            "\"0\" is not one of the numbers. Please type {wanted}."
        )),
        "{text}"
    );
    assert!(text.contains("== Look after yourself at home =="), "{text}");
}

#[test]
fn run_writes_no_escape_codes_to_a_pipe() {
    let bundle = write_bundle(&tiny_files());
    let output = triage_with_env(&cough_run(bundle.path(), &[]), "1\n", &[]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("== Call 999 now =="));
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
}

/// The line of `text` that shows the outcome's title.
fn title_line<'t>(text: &'t str, title: &str) -> &'t str {
    text.lines()
        .find(|line| line.contains(title))
        .unwrap_or_else(|| panic!("no {title:?} in:\n{text}"))
}

#[test]
fn run_colours_the_outcome_by_urgency_when_colour_is_forced() {
    let bundle = write_bundle(&tiny_files());
    let force = [("CLICOLOR_FORCE", "1")];
    let emergency = stdout(&triage_with_env(
        &cough_run(bundle.path(), &[]),
        "1\n",
        &force,
    ));
    // Bold red.
    assert!(
        title_line(&emergency, "Call 999 now").contains("\u{1b}[31m"),
        "{emergency:?}"
    );
    let urgent = stdout(&triage_with_env(
        &cough_run(bundle.path(), &[]),
        "2\n1\n",
        &force,
    ));
    // Bold yellow.
    assert!(
        title_line(&urgent, "Speak to a GP").contains("\u{1b}[33m"),
        "{urgent:?}"
    );
    // `--color always` colours a pipe without the variable.
    let always = stdout(&triage_with_env(
        &cough_run(bundle.path(), &["--color", "always"]),
        "1\n",
        &[],
    ));
    assert!(title_line(&always, "Call 999 now").contains('\u{1b}'));
}

#[test]
fn run_leaves_colour_off_when_no_color_or_never_says_so() {
    let bundle = write_bundle(&tiny_files());
    // NO_COLOR wins over CLICOLOR_FORCE, as no-color.org asks.
    let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
    let output = triage_with_env(&cough_run(bundle.path(), &[]), "1\n", &both);
    assert!(stdout(&output).contains("== Call 999 now =="));
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
    let never = cough_run(bundle.path(), &["--color", "never"]);
    let output = triage_with_env(&never, "1\n", &[("CLICOLOR_FORCE", "1")]);
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
}

#[test]
fn a_folder_that_holds_the_bundle_one_level_down_says_which_folder_to_pass() {
    // The repository itself: its test fixtures would otherwise give hundreds of errors.
    let root = env!("CARGO_MANIFEST_DIR");
    let output = triage(&["validate", root, "--format", "json"], "");
    assert_eq!(code(&output), 1);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "L012", "{report}");
    let pathways = Path::new(root).join("pathways");
    assert_eq!(
        first["help"],
        format!("did you mean {}?", pathways.display()),
        "{report}"
    );
    assert!(report["summary"]["errors"].as_u64() < Some(5), "{report}");
}

#[test]
fn validate_colours_diagnostics_by_the_same_rule_as_run() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken/dangling-next");
    let args = ["validate", fixture.to_str().expect("a UTF-8 path")];
    let printed = |env: &[(&str, &str)]| {
        let output = triage_with_env(&args, "", env);
        assert_eq!(code(&output), 1);
        format!("{}{}", stdout(&output), stderr(&output))
    };
    assert!(!printed(&[]).contains('\u{1b}'), "a pipe is not coloured");
    assert!(printed(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
    assert!(!printed(&both).contains('\u{1b}'), "NO_COLOR wins");
}

#[test]
fn run_wraps_to_columns_at_word_boundaries() {
    let long = "Have you been coughing up blood, or phlegm with streaks of blood in it, \
                at any time in the last two weeks?";
    let cough = COUGH.replace(
        "{ self: Are you coughing up blood?,",
        &format!("{{ self: \"{long}\","),
    );
    let bundle = tiny_with("pathways/cough.yaml", &cough);
    let answers = ["2", "1", "q"];
    let output = triage_with_env(
        &cough_run(bundle.path(), &[]),
        &answers.map(|a| format!("{a}\n")).concat(),
        &[("COLUMNS", "40")],
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    for line in text.lines() {
        // A prompt is followed by the answer echoed on the same line.
        let shown = match line.rsplit_once(": ") {
            Some((prompt, typed)) if answers.contains(&typed) => prompt,
            _ => line,
        };
        assert!(shown.chars().count() <= 40, "{shown:?} in:\n{text}");
    }
    // No word is broken: the question's lines put back together are the question.
    let question: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("Question 2:"))
        .take_while(|line| !line.starts_with("  1. "))
        .collect();
    assert!(question.len() > 2, "{text}");
    assert_eq!(question.join(" "), format!("Question 2: {long}"));
}

#[test]
fn run_refuses_a_bundle_whose_text_carries_escape_characters_and_echoes_none() {
    // A question text carrying a terminal escape (YAML writes ESC as \e):
    // refused before any question is shown, and the escape is not echoed.
    let cough = COUGH.replace(
        "{ self: Are you coughing up blood?,",
        "{ self: \"\\e[2J\\e]0;owned\\aAre you coughing up blood?\",",
    );
    let bundle = tiny_with("pathways/cough.yaml", &cough);
    let output = triage(&cough_run(bundle.path(), &[]), "2\n1\n");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(errors.contains("error[L013]"), "{errors}");
    for shown in [stdout(&output), errors] {
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        assert!(!shown.contains('\u{7}'), "{shown:?}");
    }
}

#[test]
fn run_refuses_an_unknown_pathway_or_one_not_for_the_person() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "knee-pain",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "",
    );
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("knee-pain"), "{}", stderr(&output));
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "period-pain",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "",
    );
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not for this person"),
        "{}",
        stderr(&output)
    );
}

/// `triage run` on the tiny bundle's cough pathway for a 30-year-old of `sex`, with `input` typed.
fn run_cough(bundle: &Path, sex: &str, input: &str) -> Output {
    triage(
        &[
            "run",
            path_arg(bundle),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            sex,
        ],
        input,
    )
}
