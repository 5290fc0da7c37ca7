//! Hostile input: `triage validate` refuses files built to exhaust a parser
//! (alias bombs, deep nesting, huge files and lines, millions of keys, bytes
//! that are not text) with an error that names the file, within 10 seconds and
//! 1 GiB of memory, and without crashing.
//!
//! Each bundle is the valid fixture (`tests/fixtures/valid/`) plus one hostile
//! file, generated in a temporary directory (nothing large is committed).

mod support;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use support::copy_dir;

/// How long `triage validate` may take on one hostile bundle.
const TIME_LIMIT: Duration = Duration::from_secs(10);
/// Address space the process may use, in KiB (1 GiB), set with `ulimit -v`.
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// What a run of `triage validate` did.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// A temporary bundle: the valid fixture's catalogues and pathways.
fn bundle() -> tempfile::TempDir {
    let dir =
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"));
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid"),
        dir.path(),
    );
    dir
}

/// Writes `bytes` to `relative` inside `dir`, creating parent directories.
fn put(dir: &Path, relative: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// Writes a large file piece by piece, without holding it all in memory.
fn put_streamed(dir: &Path, relative: &str, mut piece: impl FnMut(usize) -> Option<Vec<u8>>) {
    let path = dir.join(relative);
    let file = std::fs::File::create(&path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(file);
    let mut i = 0;
    while let Some(bytes) = piece(i) {
        out.write_all(&bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        i += 1;
    }
    out.flush()
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Runs `triage validate DIR --format FORMAT` under the memory limit,
/// killing it if it is still running after [`TIME_LIMIT`].
fn validate(dir: &Path, format: &str) -> Run {
    let mut child: Child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" validate \"$1\" --format \"$2\""
        ))
        .arg(env!("CARGO_BIN_EXE_triage"))
        .arg(dir)
        .arg(format)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run triage: {e}"));
    let stdout = drain(
        child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("no stdout pipe")),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .unwrap_or_else(|| panic!("no stderr pipe")),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "triage validate {} still running after {TIME_LIMIT:?}",
                    dir.display()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("cannot wait for triage: {e}"),
        }
    };
    let text = |pipe: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&pipe.join().unwrap_or_default()).into_owned()
    };
    Run {
        status,
        stdout: text(stdout),
        stderr: text(stderr),
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(4000).collect()
}

/// Asserts that `triage validate` refuses the bundle in `dir` cleanly: exit 1
/// or 2 (not a signal, which would be a crash or the memory limit), one error,
/// with one of `codes`, naming `file`, in the JSON and in the readable report.
fn assert_refused(dir: &Path, file: &str, codes: &[&str]) {
    let run = validate(dir, "json");
    assert!(
        matches!(run.status.code(), Some(1 | 2)),
        "expected exit 1 or 2, got {:?}; stdout:\n{}\nstderr:\n{}",
        run.status,
        excerpt(&run.stdout),
        excerpt(&run.stderr)
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            excerpt(&run.stdout),
            excerpt(&run.stderr)
        )
    });
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .map(|all| all.iter().filter(|d| d["severity"] == "error").collect())
        .unwrap_or_default();
    // One hostile file is one problem: a second error about the same file, or
    // errors elsewhere that follow from it, would bury the real one.
    assert!(
        errors.len() == 1
            && errors.iter().all(|d| {
                d["file"].as_str().is_some_and(|f| f.contains(file))
                    && codes.iter().any(|code| d["code"] == *code)
            }),
        "expected exactly one error, {codes:?}, naming {file}; got {errors:#?}"
    );

    let run = validate(dir, "human");
    let both = format!("{}{}", run.stdout, run.stderr);
    assert!(
        matches!(run.status.code(), Some(1 | 2)) && both.contains(file),
        "the readable report ({:?}) does not name {file}:\n{}",
        run.status,
        excerpt(&both)
    );
}

/// Codes an empty or null document may be refused with: nothing to read, or
/// the required keys missing.
const EMPTY: &[&str] = &["L004", "L006", "L007"];

/// Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn the_bundle_hostile_files_are_added_to_is_valid() {
    let dir = bundle();
    let run = validate(dir.path(), "json");
    assert_eq!(run.status.code(), Some(0), "{}", run.stdout);
}

/// A case pack whose one answer is `value`. An answer may be a word, a
/// number or a list, so a parser must read all of it before it can tell
/// which: hostile content placed here is read in full unless the loader's
/// budget stops it.
fn case_pack_answering(value: &str) -> String {
    format!(
        "pathway: cough\ncases:\n  - name: hostile\n    patient: {{ age: 30, sex: female }}\n    answers:\n      - weeks:{value}\n    expect:\n      disposition: self-care\n"
    )
}

#[test]
fn an_alias_bomb_is_refused() {
    // Ten levels of nine aliases each: 9^10 (3.4 billion) strings if expanded.
    let dir = bundle();
    let mut levels = vec![format!("&a0 [{}]", ["lol"; 9].join(", "))];
    for level in 1..10 {
        let alias = format!("*a{}", level - 1);
        levels.push(format!("&a{level} [{}]", [alias.as_str(); 9].join(", ")));
    }
    let value = format!(
        "\n          [\n          {}\n          ]",
        levels.join(",\n          ")
    );
    put(
        dir.path(),
        "pathways/evil.cases.yaml",
        case_pack_answering(&value).as_bytes(),
    );
    assert_refused(dir.path(), "evil.cases.yaml", &["L008"]);
}

#[test]
fn deep_flow_nesting_is_refused() {
    let dir = bundle();
    let value = format!(
        "\n{}{}",
        "          [\n".repeat(10_000),
        "          ]\n".repeat(10_000)
    );
    put(
        dir.path(),
        "pathways/evil.cases.yaml",
        case_pack_answering(&value).as_bytes(),
    );
    assert_refused(dir.path(), "evil.cases.yaml", &["L008"]);
}

#[test]
fn deep_flow_nesting_on_one_line_is_refused() {
    let dir = bundle();
    let value = format!(" {}{}", "[".repeat(10_000), "]".repeat(10_000));
    put(
        dir.path(),
        "pathways/evil.cases.yaml",
        case_pack_answering(&value).as_bytes(),
    );
    assert_refused(dir.path(), "evil.cases.yaml", &["L003"]);
}

#[test]
fn deep_block_nesting_is_refused() {
    // 10,000 levels of block mappings, one more space of indentation per level
    // (50 MB in all).
    let dir = bundle();
    put_streamed(dir.path(), "pathways/evil.yaml", |level| match level {
        0 => Some(b"pathway:\n".to_vec()),
        1..=10_000 => Some(format!("{}n:\n", " ".repeat(level)).into_bytes()),
        _ => None,
    });
    assert_refused(dir.path(), "evil.yaml", &["L003"]);
}

#[test]
fn deep_block_nesting_within_the_size_limits_is_refused() {
    // Short lines and under 1 MB, so it reaches the parser; far deeper than
    // any bundle needs.
    let dir = bundle();
    let mut value = String::new();
    for level in 1..=1_000 {
        value.push_str(&format!("\n{}n:", " ".repeat(level + 9)));
    }
    put(
        dir.path(),
        "pathways/evil.cases.yaml",
        case_pack_answering(&value).as_bytes(),
    );
    assert_refused(dir.path(), "evil.cases.yaml", &["L008"]);
}

#[test]
fn a_100_megabyte_file_is_refused() {
    let dir = bundle();
    let line = b"# a comment that pads the file out to a hundred megabytes.......\n";
    let lines = 100 * 1024 * 1024 / line.len();
    put_streamed(dir.path(), "pathways/evil.yaml", |i| {
        (i < lines).then(|| line.to_vec())
    });
    assert_refused(dir.path(), "evil.yaml", &["L003"]);
}

#[test]
fn a_20_megabyte_line_is_refused() {
    let dir = bundle();
    put_streamed(dir.path(), "pathways/evil.yaml", |i| match i {
        0 => Some(b"pathway: ".to_vec()),
        1..=20 => Some(vec![b'x'; 1024 * 1024]),
        21 => Some(b"\n".to_vec()),
        _ => None,
    });
    assert_refused(dir.path(), "evil.yaml", &["L003"]);
}

#[test]
fn a_million_keys_are_refused() {
    let dir = bundle();
    put_streamed(dir.path(), "pathways/evil.yaml", |i| match i {
        0 => Some(b"nodes:\n".to_vec()),
        1..=1_000_000 => Some(format!("  k{i}: {i}\n").into_bytes()),
        _ => None,
    });
    assert_refused(dir.path(), "evil.yaml", &["L003"]);
}

#[test]
fn bytes_that_are_not_utf8_are_refused() {
    let dir = bundle();
    put(
        dir.path(),
        "pathways/evil.yaml",
        b"pathway:\n  id: caf\xe9\n  title: \xff\xfe\xfd\nnodes: {}\n",
    );
    assert_refused(dir.path(), "evil.yaml", &["L002"]);
}

#[test]
fn binary_data_is_refused() {
    let dir = bundle();
    let mut bytes = noise(64 * 1024, 0x5eed_cafe_f00d_beef);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    put(dir.path(), "pathways/evil.yaml", &bytes);
    assert_refused(dir.path(), "evil.yaml", &["L011"]);
}

#[test]
fn an_empty_pathway_file_is_refused() {
    let dir = bundle();
    put(dir.path(), "pathways/evil.yaml", b"");
    assert_refused(dir.path(), "evil.yaml", EMPTY);
}

#[test]
fn a_file_of_only_a_document_marker_is_refused() {
    let dir = bundle();
    put(dir.path(), "pathways/evil.yaml", b"---\n");
    assert_refused(dir.path(), "evil.yaml", EMPTY);
}

#[test]
fn a_file_of_only_null_is_refused() {
    let dir = bundle();
    put(dir.path(), "pathways/evil.yaml", b"~\n");
    assert_refused(dir.path(), "evil.yaml", EMPTY);
}

#[test]
fn empty_catalogues_are_refused() {
    for catalogue in ["dispositions.yaml", "care-advice.yaml"] {
        let dir = bundle();
        put(dir.path(), catalogue, b"");
        assert_refused(dir.path(), catalogue, EMPTY);
    }
}

#[test]
fn three_thousand_files_are_refused() {
    let dir = bundle();
    for i in 0..3_000 {
        let text = format!(
            "pathway:\n  id: p{i:04}\n  title: P\n  version: 1.0.0\n  ages: {{ from: 0 }}\n  sexes: [female, male]\n  keywords: [p]\n  sources:\n    - {{ title: S, url: https://example.org/ }}\n  start: end\nnodes:\n  end:\n    outcome: {{ disposition: speak-to-gp }}\n"
        );
        put(
            dir.path(),
            &format!("pathways/p{i:04}.yaml"),
            text.as_bytes(),
        );
    }
    assert_refused(dir.path(), "pathways/p", &["L003"]);
}

/// A pathway file of `count` nodes, each made by `node(i)`, with a valid header.
fn many_nodes(count: usize, node: impl Fn(usize) -> String) -> String {
    let mut text = String::from(
        "pathway:\n  id: many\n  title: Many\n  version: 1.0.0\n  ages: { from: 16 }\n  sexes: [female, male]\n  topics: []\n  keywords: [many]\n  sources:\n    - { title: T, url: https://example.org }\n  start: n0\n\nnodes:\n",
    );
    for i in 0..count {
        text.push_str(&node(i));
        text.push('\n');
    }
    text
}

#[test]
fn thirty_thousand_mistakes_are_reported_with_the_first_in_full_and_the_rest_counted() {
    let dir = bundle();
    let text = many_nodes(30_000, |i| {
        format!("  n{i}: {{ outcome: {{ disposition: none-{i} }} }}")
    });
    put(dir.path(), "pathways/many.yaml", text.as_bytes());
    let human = validate(dir.path(), "human");
    assert_eq!(human.status.code(), Some(1), "{}", excerpt(&human.stderr));
    let shown = human.stdout.matches("error[E204]").count();
    assert_eq!(shown, 200, "the first 200 in full");
    assert!(
        human
            .stdout
            .contains("... and 29800 more not shown here (fix those above first, or see them all with --format json)"),
        "{}",
        excerpt(&human.stdout)
    );
    assert!(human.stdout.contains("by code: E204 x 29800"));
    assert!(human.stdout.len() < 500_000, "{} bytes", human.stdout.len());
    let json = validate(dir.path(), "json");
    let report: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(report["summary"]["errors"], 30_000);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(30_000));
}

#[test]
fn twenty_thousand_wrong_references_among_twenty_thousand_nodes_do_not_stall_suggestions() {
    // Each did-you-mean compares a wrong id with every node: 400 million
    // edit distances without the bundle's budget for suggestions.
    let dir = bundle();
    let text = many_nodes(20_000, |i| {
        format!("  n{i}: {{ call: {{ module: breathing-screen, next: missing-{i} }} }}")
    });
    put(dir.path(), "pathways/many.yaml", text.as_bytes());
    let human = validate(dir.path(), "human");
    assert_eq!(human.status.code(), Some(1), "{}", excerpt(&human.stderr));
    assert!(
        human.stdout.contains("error[E203]"),
        "{}",
        excerpt(&human.stdout)
    );
    assert!(
        human.stdout.contains("20000 errors"),
        "{}",
        excerpt(&human.stdout)
    );
}
