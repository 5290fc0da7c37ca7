//! `triage list`: symptom search from the command line.

use super::*;

fn listed(dir: &Path, filters: &[&str]) -> Vec<String> {
    let mut args = vec!["list", path_arg(dir), "--format", "json"];
    args.extend_from_slice(filters);
    let output = triage(&args, "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout_json(&output)
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn list_filters_by_age_sex_and_words() {
    let bundle = write_bundle(&tiny_files());
    let dir = bundle.path();
    assert_eq!(listed(dir, &[]), ["cough", "period-pain"]);
    assert_eq!(listed(dir, &["--sex", "male"]), ["cough"]);
    assert_eq!(listed(dir, &["--age", "12"]), ["period-pain"]);
    assert_eq!(
        listed(dir, &["--age", "0", "--months", "6"]),
        Vec::<String>::new()
    );
    assert_eq!(listed(dir, &["--search", "cramps"]), ["period-pain"]);
    assert_eq!(
        listed(
            dir,
            &["--age", "30", "--sex", "female", "--search", "chesty", "cough"]
        ),
        ["cough"]
    );
    assert_eq!(listed(dir, &["--search", "knee"]), Vec::<String>::new());
}

#[test]
fn list_json_names_the_reachable_dispositions() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "list",
            path_arg(bundle.path()),
            "--format",
            "json",
            "--search",
            "period",
        ],
        "",
    );
    let pathways = stdout_json(&output);
    assert_eq!(pathways[0]["dispositions"], json!(["gp-2h", "self-care"]));
    assert_eq!(pathways[0]["ages"], json!({"from": 10.0, "to": 60.0}));
}

#[test]
fn list_markdown_is_an_index_table() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &["list", path_arg(bundle.path()), "--format", "markdown"],
        "",
    );
    assert_eq!(code(&output), 0);
    let expected = "\
| Pathway | 111 online topics served | Ages (years) | 111 age bands | Sexes | Dispositions reachable | Sources |
|---|---|---|---|---|---|---|
| Cough (`cough`) | Cough | 16+ | 16+ | female, male | Call 999 now; Speak to a GP within 2 hours; See a pharmacist; Look after yourself at home | [NHS: Cough](https://www.nhs.uk/conditions/cough/) |
| Period pain (`period-pain`) | Sexual or Menstrual Concerns | 10-60 | 5-16, 16+ | female | Speak to a GP within 2 hours; Look after yourself at home | [NHS: Period pain](https://www.nhs.uk/conditions/period-pain/) |
";
    assert_eq!(stdout(&output), expected);
}

#[test]
fn list_human_says_when_nothing_matches() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["list", path_arg(bundle.path()), "--search", "knee"], "");
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "No pathway matches.\n");
}
