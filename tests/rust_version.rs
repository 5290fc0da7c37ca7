//! The declared minimum Rust version is honest: no locked dependency needs a
//! newer one, every workspace crate declares the same one, and the README
//! states it.

use serde_json::Value;
use std::process::Command;

/// A Rust version as `(major, minor, patch)`; a missing part counts as 0.
fn parse(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.').map(str::parse::<u64>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    match parts.next() {
        None => Some((major, minor, patch)),
        Some(_) => None,
    }
}

/// The resolved graph of the workspace, for every platform, as Cargo.lock pins it.
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--manifest-path", manifest])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo} metadata: {e}"));
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

fn text<'a>(package: &'a Value, key: &str) -> &'a str {
    package[key].as_str().unwrap_or("?")
}

#[test]
fn the_declared_rust_version_covers_every_locked_dependency_and_the_readme() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().expect("packages");
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .map(|id| id.as_str().expect("a package id"))
        .collect();
    let is_member = |p: &Value| members.contains(&text(p, "id"));

    let root = packages
        .iter()
        .find(|p| is_member(p) && text(p, "name") == "triage")
        .expect("the triage package");
    let declared = root["rust_version"]
        .as_str()
        .expect("the workspace declares a rust-version");
    let minimum = parse(declared).unwrap_or_else(|| panic!("bad rust-version {declared:?}"));

    // Every crate of the workspace inherits the one declaration.
    for member in packages.iter().filter(|p| is_member(p)) {
        assert_eq!(
            member["rust_version"].as_str(),
            Some(declared),
            "{} declares rust-version {:?}, the workspace {declared}: \
             use `rust-version.workspace = true`",
            text(member, "name"),
            member["rust_version"].as_str(),
        );
    }

    // No dependency, for any platform, needs a newer Rust.
    let mut too_new: Vec<((u64, u64, u64), String)> = packages
        .iter()
        .filter(|p| !is_member(p))
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            let (name, version) = (text(p, "name"), text(p, "version"));
            let rust = parse(needs).unwrap_or_else(|| {
                panic!("{name} {version} has an unreadable rust-version {needs:?}")
            });
            (rust > minimum).then(|| (rust, format!("{name} {version} needs Rust {needs}")))
        })
        .collect();
    // The highest need first: that is the version to declare.
    too_new.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let too_new: Vec<String> = too_new.into_iter().map(|(_, line)| line).collect();
    assert!(
        too_new.is_empty(),
        "Cargo.toml declares rust-version = \"{declared}\", but locked dependencies need more:\n  {}\n\
         Raise rust-version (and the README's quick start) to the first of these.",
        too_new.join("\n  ")
    );

    // The README's quick start states the same minimum.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let stated: Vec<&str> = readme
        .match_indices("Rust toolchain (")
        .filter_map(|(at, found)| readme[at + found.len()..].split_once(" or later)"))
        .map(|(version, _)| version)
        .collect();
    assert!(
        !stated.is_empty(),
        "README.md no longer says \"a Rust toolchain (X or later)\""
    );
    for version in stated {
        assert_eq!(
            parse(version),
            Some(minimum),
            "README.md asks for Rust {version}, Cargo.toml declares rust-version = \"{declared}\""
        );
    }
}

#[test]
fn versions_compare_by_their_numbers() {
    assert_eq!(parse("1.89"), Some((1, 89, 0)));
    assert_eq!(parse("1.88.0"), Some((1, 88, 0)));
    assert!(parse("1.89").unwrap() > parse("1.88.1").unwrap());
    assert!(parse("1.100").unwrap() > parse("1.99").unwrap());
    assert_eq!(parse("1.89-beta"), None);
}
