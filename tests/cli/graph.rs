//! `triage graph`: a pathway as a flowchart, in Mermaid, DOT and SVG.

use super::*;
use std::collections::HashSet;

/// Checks Mermaid flowchart text line by line, the way a Mermaid parser
/// would: a front-matter title, `flowchart TD`, then node definitions (an id
/// and a quoted label in one of the shapes), `style` lines for defined nodes,
/// and edges between defined nodes with an optional quoted label. Returns
/// the node ids and the number of edges.
fn parse_mermaid(text: &str) -> Result<(HashSet<String>, usize), String> {
    let mut lines = text.lines();
    if lines.next() != Some("---") {
        return Err("no front matter".into());
    }
    let title = lines.next().unwrap_or("");
    if !title.starts_with("title: ") {
        return Err(format!("no title: {title}"));
    }
    if lines.next() != Some("---") || lines.next() != Some("flowchart TD") {
        return Err("no `flowchart TD` header".into());
    }
    let shapes = [
        ("([\"", "\"])"),
        ("[[\"", "\"]]"),
        ("[/\"", "\"/]"),
        ("{\"", "\"}"),
        ("[\"", "\"]"),
    ];
    let id_ok = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
    let mut nodes = HashSet::new();
    let mut edges = Vec::new();
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("style ") {
            let (id, fill) = rest.split_once(' ').ok_or(format!("bad style: {line}"))?;
            if !fill.starts_with("fill:#") {
                return Err(format!("bad style: {line}"));
            }
            edges.push((id.to_owned(), id.to_owned()));
            continue;
        }
        if let Some((from, rest)) = line.split_once(" -->") {
            let to = match rest.strip_prefix("|\"") {
                Some(labelled) => {
                    let (label, to) = labelled
                        .split_once("\"| ")
                        .ok_or(format!("bad edge: {line}"))?;
                    if label.contains('"') {
                        return Err(format!("a quote inside a label: {line}"));
                    }
                    to
                }
                None => rest.strip_prefix(' ').ok_or(format!("bad edge: {line}"))?,
            };
            if !id_ok(from) || !id_ok(to) {
                return Err(format!("bad edge: {line}"));
            }
            edges.push((from.to_owned(), to.to_owned()));
            continue;
        }
        let (id, label) = shapes
            .iter()
            .find_map(|(open, close)| {
                let (id, rest) = line.split_once(open)?;
                Some((id, rest.strip_suffix(close)?))
            })
            .ok_or(format!("not a node, edge or style: {line}"))?;
        if !id_ok(id) || label.contains('"') {
            return Err(format!("bad node: {line}"));
        }
        nodes.insert(id.to_owned());
    }
    for (from, to) in &edges {
        if !nodes.contains(from) || !nodes.contains(to) {
            return Err(format!(
                "an edge or style names an undefined node: {from} -> {to}"
            ));
        }
    }
    let count = edges.iter().filter(|(a, b)| a != b).count();
    Ok((nodes, count))
}

fn shipped() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/pathways")
}

#[test]
fn mermaid_output_parses_and_shows_every_answer_and_outcome() {
    let output = triage(&["graph", shipped(), "chest-pain"], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let (nodes, edges) = parse_mermaid(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(nodes.len() >= 15, "{text}");
    assert!(edges >= nodes.len() - 1, "{text}");
    // The module is one box; outcomes are coloured by urgency.
    assert!(text.contains("module emergency-screen"), "{text}");
    assert!(text.contains("(call-999-cat2)"), "{text}");
    assert!(text.contains("fill:#f28b82"), "{text}");
    // Answers are the option ids an author wrote.
    assert!(text.contains("|\"now\"|"), "{text}");

    let expanded = stdout(&triage(
        &["graph", shipped(), "chest-pain", "--expand-modules"],
        "",
    ));
    let (inner, _) = parse_mermaid(&expanded).unwrap_or_else(|e| panic!("{e}\n{expanded}"));
    assert!(
        inner.len() > nodes.len(),
        "the module's questions are drawn out"
    );
}

#[test]
fn svg_output_is_well_formed_and_needs_no_graphviz() {
    let output = triage(&["graph", shipped(), "chest-pain", "--format", "svg"], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let document = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not XML: {e}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let texts: String = root
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    assert!(texts.contains("pain-now"), "the questions are drawn");

    let dot = stdout(&triage(
        &["graph", shipped(), "chest-pain", "--format", "dot"],
        "",
    ));
    assert!(
        dot.starts_with("digraph \"") && dot.trim_end().ends_with('}'),
        "{dot}"
    );
    assert!(dot.contains("shape=diamond"), "{dot}");

    let output = triage(&["graph", shipped(), "no-such-pathway"], "");
    assert_eq!(code(&output), 2);
}
