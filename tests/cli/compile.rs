//! `triage compile`: one file that the evaluating commands load in place of
//! the directory, with the same hash and the same answers; damaged files
//! refused with the reason.

use super::*;

/// Compiles `dir` into `out`, failing the test if it does not succeed.
fn compile(dir: &Path, out: &Path) {
    let output = triage(&["compile", path_arg(dir), "-o", path_arg(out)], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("content hash"),
        "{}",
        stderr(&output)
    );
}

/// The tiny bundle, a scratch directory, and the bundle compiled into it.
fn compiled_tiny() -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let bundle = write_bundle(&tiny_files());
    let out = tempfile::tempdir().expect("temp dir");
    let artifact = out.path().join("tiny.triage");
    compile(bundle.path(), &artifact);
    (bundle, out, artifact)
}

#[test]
fn a_compiled_bundle_answers_as_its_directory_does() {
    let (bundle, _out, artifact) = compiled_tiny();

    // Every step of a journey, as `triage next` gives it, is the same.
    let mut answers = Vec::new();
    for answer in [
        json!({"question": "emergency-screen/breathing", "answer": "no"}),
        json!({"question": "blood", "answer": "no"}),
        json!({"question": "symptoms", "answer": "none"}),
        json!({"question": "temperature", "answer": 38.5}),
    ] {
        let request = json!({
            "pathway": "cough",
            "patient": {"age_years": 40, "sex": "female"},
            "answers": answers,
        });
        let from_dir = next(bundle.path(), &request);
        let from_file = next(&artifact, &request);
        assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
        assert_eq!(stdout(&from_file), stdout(&from_dir));
        answers.push(answer);
    }
    // The listing, search included, and the hash it shows are the same.
    for args in [
        vec!["--format", "json"],
        vec!["--search", "cough", "--age", "40"],
    ] {
        let listed = |path: &Path| {
            let mut all = vec!["list", path_arg(path)];
            all.extend(&args);
            stdout(&triage(&all, ""))
        };
        assert_eq!(listed(&artifact), listed(bundle.path()));
    }
    // An interactive run works from the file.
    let run = triage(
        &[
            "run",
            path_arg(&artifact),
            "--pathway",
            "cough",
            "--age",
            "40",
            "--sex",
            "female",
        ],
        "2\n2\n",
    );
    assert!(stdout(&run).contains("blood"), "{}", stdout(&run));
}

#[test]
fn compiling_a_bundle_with_errors_writes_nothing() {
    let broken = tiny_with("pathways/cough.yaml", "pathway: cough\nnodes: {}\n");
    let out = tempfile::tempdir().expect("temp dir");
    let artifact = out.path().join("broken.triage");
    let output = triage(
        &[
            "compile",
            path_arg(broken.path()),
            "-o",
            path_arg(&artifact),
        ],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(!artifact.exists());
    // Nor does it leave a temporary file behind.
    assert_eq!(std::fs::read_dir(out.path()).expect("list").count(), 0);

    let missing = triage(&["compile", "no/such/dir", "-o", path_arg(&artifact)], "");
    assert_eq!(code(&missing), 2);

    // Never over one of its own files.
    let good = write_bundle(&tiny_files());
    let catalogue = good.path().join("dispositions.yaml");
    let before = std::fs::read(&catalogue).expect("read");
    let over = triage(
        &["compile", path_arg(good.path()), "-o", path_arg(&catalogue)],
        "",
    );
    assert_eq!(code(&over), 2, "{}", stderr(&over));
    assert!(
        stderr(&over).contains("one of the bundle's own files"),
        "{}",
        stderr(&over)
    );
    assert_eq!(std::fs::read(&catalogue).expect("read"), before);
    let bundle = write_bundle(&tiny_files());
    let into_dir = triage(
        &[
            "compile",
            path_arg(bundle.path()),
            "-o",
            path_arg(out.path()),
        ],
        "",
    );
    assert_eq!(code(&into_dir), 2, "{}", stderr(&into_dir));
    assert!(
        stderr(&into_dir).contains("is a directory"),
        "{}",
        stderr(&into_dir)
    );
}

#[test]
fn a_compiled_bundle_can_be_written_to_standard_output() {
    let (bundle, out, artifact) = compiled_tiny();
    let piped = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["compile", path_arg(bundle.path()), "-o", "-"])
        .current_dir(out.path())
        .output()
        .expect("run triage");
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    assert_eq!(piped.stdout, std::fs::read(&artifact).expect("read"));
    assert!(!out.path().join("-").exists());
}

#[test]
fn damaged_or_foreign_files_are_refused_with_what_to_do() {
    let (_bundle, out, artifact) = compiled_tiny();
    let bytes = std::fs::read(&artifact).expect("read artifact");
    let request =
        r#"{"pathway": "cough", "patient": {"age_years": 40, "sex": "female"}, "answers": []}"#;

    let write = |name: &str, bytes: &[u8]| {
        let path = out.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let mut corrupted = bytes.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x40;
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(triage_core::artifact::FORMAT_VERSION + 1).to_le_bytes());
    let cases = [
        (write("corrupted.triage", &corrupted), "corrupted"),
        (
            write("cut.triage", &bytes[..bytes.len() - 100]),
            "corrupted",
        ),
        (write("short.triage", &bytes[..20]), "cut short"),
        (write("newer.triage", &newer), "format"),
        (
            write("notes.txt", b"not a bundle\n"),
            "not a compiled bundle",
        ),
    ];
    for (path, reason) in cases {
        let output = triage(&["next", path_arg(&path)], request);
        assert_eq!(code(&output), 1, "{}", path.display());
        let message = stderr(&output);
        assert!(message.contains(reason), "{}: {message}", path.display());
        assert!(
            message.contains("triage compile"),
            "{}: {message}",
            path.display()
        );
        assert!(stdout(&output).is_empty());
    }
    // Commands that read the pathway files say so, rather than failing oddly.
    let output = triage(&["validate", path_arg(&artifact)], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("give the directory it was compiled from"),
        "{}",
        stderr(&output)
    );
}

/// Splits `dir` into `folder`, failing the test if it does not succeed.
fn split(dir: &Path, folder: &Path) -> Output {
    let output = triage(&["compile", path_arg(dir), "--split", path_arg(folder)], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    output
}

/// The tiny bundle split into a folder, and a second bundle (the tiny one
/// with another title) split into another.
fn split_tiny() -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let bundle = write_bundle(&tiny_files());
    let out = tempfile::tempdir().expect("temp dir");
    let folder = out.path().join("site");
    let output = split(bundle.path(), &folder);
    assert!(stderr(&output).contains("parts"), "{}", stderr(&output));
    (bundle, out, folder)
}

/// `triage run FOLDER --pathway cough` with the answers given.
fn run_split(folder: &Path, input: &str) -> Output {
    triage(
        &[
            "run",
            path_arg(folder),
            "--pathway",
            "cough",
            "--age",
            "40",
            "--sex",
            "female",
        ],
        input,
    )
}

#[test]
fn a_split_bundle_is_a_catalog_and_a_part_per_pathway_that_runs_as_the_whole() {
    let (bundle, _out, folder) = split_tiny();
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "catalog.triage",
            "cough.part.triage",
            "period-pain.part.triage"
        ]
    );
    let from_split = run_split(&folder, "2\n2\n");
    let from_dir = run_split(bundle.path(), "2\n2\n");
    assert!(
        stdout(&from_split).contains("blood"),
        "{}",
        stderr(&from_split)
    );
    assert_eq!(stdout(&from_split), stdout(&from_dir));
    assert_eq!(code(&from_split), code(&from_dir));
    // The same bundle splits into the same bytes.
    let again = tempfile::tempdir().expect("temp dir");
    split(bundle.path(), again.path());
    for name in &names {
        assert_eq!(
            std::fs::read(folder.join(name)).expect("read"),
            std::fs::read(again.path().join(name)).expect("read"),
            "{name}"
        );
    }
    // A split folder runs one pathway at a time.
    let output = triage(&["run", path_arg(&folder)], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--pathway"), "{}", stderr(&output));
}

#[test]
fn a_damaged_part_another_format_or_a_part_of_another_bundle_is_refused() {
    let (_bundle, out, folder) = split_tiny();
    let part = folder.join("cough.part.triage");
    let bytes = std::fs::read(&part).expect("read part");
    // Another bundle: the tiny one with another title, split elsewhere.
    let other_bundle = tiny_with(
        "pathways/cough.yaml",
        &COUGH.replacen("title: ", "title: Another ", 1),
    );
    let other = out.path().join("other");
    split(other_bundle.path(), &other);
    let foreign = std::fs::read(other.join("cough.part.triage")).expect("read");

    let mut corrupted = bytes.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0x40;
    let mut older = bytes.clone();
    older[8..12].copy_from_slice(&1u32.to_le_bytes());
    let catalog = std::fs::read(folder.join("catalog.triage")).expect("read");
    for (damaged, reason) in [
        (corrupted, "corrupted"),
        (older, "format 1"),
        (foreign, "another bundle"),
        (catalog, "not a part"),
    ] {
        std::fs::write(&part, &damaged).expect("write");
        let output = run_split(&folder, "2\n2\n");
        assert_eq!(code(&output), 1, "{reason}");
        let message = stderr(&output);
        assert!(message.contains(reason), "{reason}: {message}");
        assert!(message.contains("cough.part.triage"), "{message}");
        assert!(stdout(&output).is_empty());
    }
}
