//! The README's promises: its library example runs as written, and its quick
//! start names commands that exist.

/// The README's library example is a whole program: rustdoc compiles and
/// runs it from the README text itself (`triage-core/src/lib.rs` includes
/// README.md as a doctest). This keeps that link, and the example whole.
#[test]
fn the_readme_library_example_is_a_whole_program_run_as_a_doctest() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let rust_blocks: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .collect();
    assert_eq!(
        rust_blocks.len(),
        1,
        "README.md should have one Rust example"
    );
    let example = rust_blocks[0];
    for needed in [
        "fn main()",
        "triage_core::open(",
        "Session::begin(",
        "session.answer(",
        "println!(",
    ] {
        assert!(
            example.contains(needed),
            "the README example lost `{needed}`"
        );
    }
    // Every other code block is marked, so that rustdoc does not take it for Rust.
    for (number, line) in readme.lines().enumerate() {
        if line == "```" {
            let before = readme
                .lines()
                .take(number)
                .filter(|l| l.starts_with("```"))
                .count();
            assert!(
                before % 2 == 1,
                "README.md line {}: a code block without a language",
                number + 1
            );
        }
    }
    let lib = std::fs::read_to_string("triage-core/src/lib.rs").expect("lib.rs");
    assert!(
        lib.contains("#[cfg(doctest)]\n#[doc = include_str!(\"../../README.md\")]"),
        "triage-core no longer runs the README's example as a doctest"
    );
}

#[test]
fn the_quick_start_commands_exist() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(readme.contains("cargo run -- run pathways"));
    assert!(readme.contains("scripts/test.sh"));
    assert!(std::path::Path::new("scripts/test.sh").exists());
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    assert!(
        ci.contains("scripts/test.sh"),
        ".ci/run must run the README's test command"
    );
}

/// Every diagnostic code has exactly one row in the authors' guide, and the
/// guide lists no code the engine does not have.
#[test]
fn every_diagnostic_code_is_documented_once() {
    let guide = std::fs::read_to_string("docs/pathway-language.md").expect("the guide");
    let rows: Vec<&str> = guide
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|code| {
            code.len() == 4
                && code.starts_with(['L', 'E', 'W'])
                && code[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    for (code, title) in triage_core::diag::codes::ALL {
        let count = rows.iter().filter(|row| **row == code.0).count();
        assert_eq!(count, 1, "{code} ({title}) has {count} rows in the guide");
    }
    for row in &rows {
        assert!(
            triage_core::diag::codes::ALL
                .iter()
                .any(|(c, _)| c.0 == *row),
            "the guide documents {row}, which the engine does not have"
        );
    }
}
