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
