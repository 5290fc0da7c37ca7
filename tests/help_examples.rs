//! Every example in `triage --help` and `triage <command> --help` runs as
//! written, and the JSON request `triage next --help` shows is one that
//! `triage next` accepts.
//!
//! The format the help texts keep: an `Examples:` (or `Example:`) line, then
//! one example per line indented by two spaces, until a blank line. A line
//! indented further continues the example above it (after a trailing `\`, or
//! inside quotes). Each example is a shell command line that runs `triage`; it
//! brings its own input when it needs some (`echo '{...}' | triage next ...`,
//! `printf '0\n1\n' | triage run ...`). It should exit 0, unless it ends with
//! a comment `# exits N`. An example that ends with `# serves until SIGTERM`
//! (`triage serve`) must start listening; it is then sent SIGTERM and must
//! stop cleanly, exiting 0.
//!
//! Each example runs under `sh -c` with the built `triage` first on PATH, in a
//! scratch directory holding copies of `pathways/` and `tests/fixtures/`, so
//! that an example that writes files cannot change the repository. Its
//! standard input is the single line `q`: an interactive `triage run` quits at
//! its first question, after checking its arguments, the bundle and the
//! pathway.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TRIAGE: &str = env!("CARGO_BIN_EXE_triage");

/// One example of a help text.
#[derive(Debug)]
struct Example {
    /// Where it was found, e.g. `triage next --help`.
    from: String,
    /// The shell command line, continuation lines included.
    line: String,
    /// The exit status it should end with.
    status: i32,
    /// It serves until stopped: stop it with SIGTERM once it listens.
    serves: bool,
}

fn help(args: &[&str]) -> String {
    let output = Command::new(TRIAGE)
        .args(args)
        .arg("--help")
        .output()
        .expect("run triage --help");
    assert!(
        output.status.success(),
        "triage {} --help failed",
        args.join(" ")
    );
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// The subcommands `triage --help` lists, but `help`.
fn subcommands(top: &str) -> Vec<String> {
    let listed: Vec<String> = top
        .lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(!listed.is_empty(), "triage --help lists no commands");
    listed
}

/// The examples of one help text, in order.
fn examples(from: &str, help: &str) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        let trimmed = line.trim();
        if !inside {
            inside = trimmed == "Examples:" || trimmed == "Example:";
            continue;
        }
        if trimmed.is_empty() {
            inside = false;
        } else if line.starts_with("   ") {
            let example = found
                .last_mut()
                .unwrap_or_else(|| panic!("{from}: an example starts indented: {line:?}"));
            example.line.push('\n');
            example.line.push_str(trimmed);
        } else if let Some(rest) = line.strip_prefix("  ") {
            found.push(Example {
                from: from.to_owned(),
                line: rest.to_owned(),
                status: 0,
                serves: false,
            });
        } else {
            panic!("{from}: an example line must be indented by two spaces: {line:?}");
        }
    }
    for example in &mut found {
        assert!(
            example.line.split(['|', '\n', ' ']).any(|w| w == "triage"),
            "{}: an example that does not run triage: {}",
            example.from,
            example.line
        );
        example.serves = example.line.ends_with("# serves until SIGTERM");
        if let Some((_, comment)) = example.line.rsplit_once("# exits ") {
            let code = comment.split(|c: char| !c.is_ascii_digit()).next();
            example.status = code
                .and_then(|code| code.parse().ok())
                .unwrap_or_else(|| panic!("{}: a bad `# exits N`: {}", example.from, example.line));
        }
    }
    found
}

/// A scratch directory with what the examples name, and a PATH with `triage` first.
fn scratch() -> (tempfile::TempDir, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a scratch directory");
    support::copy_dir(&root.join("pathways"), &dir.path().join("pathways"));
    support::copy_dir(
        &root.join("tests/fixtures"),
        &dir.path().join("tests/fixtures"),
    );
    let bin = PathBuf::from(TRIAGE)
        .parent()
        .expect("the binary's directory")
        .to_owned();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(paths).expect("a PATH");
    (dir, path.into_string().expect("a UTF-8 PATH"))
}

fn run(example: &Example, dir: &Path, path: &str) -> Output {
    if example.serves {
        return run_until_listening(example, dir, path);
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&example.line)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sh");
    // An example that pipes its own input may not read this at all.
    let _ = child.stdin.take().expect("stdin").write_all(b"q\n");
    child.wait_with_output().expect("wait for sh")
}

/// Runs a serving example until it says it is listening, then stops it
/// with SIGTERM; its output (stderr up to then) and exit status.
fn run_until_listening(example: &Example, dir: &Path, path: &str) -> Output {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec {}", example.line))
        .current_dir(dir)
        .env("PATH", path)
        .env("TRIAGE_LOG", "warn")
        .env_remove("TRIAGE_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sh");
    let mut stderr = Vec::new();
    let lines = BufReader::new(child.stderr.take().expect("stderr"));
    for line in lines.split(b'\n').map_while(Result::ok) {
        stderr.extend_from_slice(&line);
        stderr.push(b'\n');
        if String::from_utf8_lossy(&line).contains("listening on ") {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
    }
    // Stderr closed: it has stopped, or never listened.
    let status = child.wait().expect("wait for sh");
    Output {
        status,
        stdout: Vec::new(),
        stderr,
    }
}

#[test]
fn every_help_example_runs_as_written() {
    let top = help(&[]);
    let mut all = examples("triage --help", &top);
    for command in subcommands(&top) {
        let text = help(&[&command]);
        let found = examples(&format!("triage {command} --help"), &text);
        assert!(
            !found.is_empty(),
            "triage {command} --help has no examples (an `Examples:` section)"
        );
        all.extend(found);
    }

    let (dir, path) = scratch();
    // All at once: most of the time is spent loading the bundle.
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let running: Vec<_> = all
            .iter()
            .map(|example| scope.spawn(|| run(example, dir.path(), &path)))
            .collect();
        running
            .into_iter()
            .map(|handle| handle.join().expect("an example's thread"))
            .collect()
    });
    let mut failures = Vec::new();
    for (example, output) in all.iter().zip(&outputs) {
        let status = output.status.code();
        if status != Some(example.status) {
            failures.push(format!(
                "{}:\n  {}\nexited {status:?}, expected {}\n--- stdout\n{}--- stderr\n{}",
                example.from,
                example.line.replace('\n', "\n  "),
                example.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} help examples failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

/// The request shown under "Reads from stdin:" is one `triage next` accepts.
#[test]
fn the_request_in_next_help_is_accepted() {
    let text = help(&["next"]);
    let request: String = text
        .lines()
        .skip_while(|line| line.trim() != "Reads from stdin:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect::<Vec<_>>()
        .join("\n");
    let parsed: serde_json::Value = serde_json::from_str(&request).unwrap_or_else(|e| {
        panic!("the request in triage next --help is not JSON ({e}):\n{request}")
    });
    assert!(parsed["answers"].as_array().is_some_and(|a| !a.is_empty()));

    let mut child = Command::new(TRIAGE)
        .args(["next", "pathways"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run triage next");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.as_bytes())
        .expect("write the request");
    let output = child.wait_with_output().expect("wait for triage next");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "triage next refuses the request its help shows:\n{request}\n{stdout}"
    );
    let step: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON step");
    assert_eq!(step["type"], "question", "{stdout}");
}

/// The parser reads the format described at the top of this file.
#[test]
fn examples_are_read_as_documented() {
    let help = "\
Intro.

Examples:
  triage validate pathways
  echo '{\"a\": 1}' \\
    | triage next pathways
  triage validate broken    # exits 1: why

Exit codes: 0 fine.
  triage not-an-example
";
    let found = examples("test", help);
    let lines: Vec<(&str, i32)> = found.iter().map(|e| (e.line.as_str(), e.status)).collect();
    assert_eq!(
        lines,
        [
            ("triage validate pathways", 0),
            ("echo '{\"a\": 1}' \\\n| triage next pathways", 0),
            ("triage validate broken    # exits 1: why", 1),
        ]
    );
}
