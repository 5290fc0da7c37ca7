//! `triage graph DIR PATHWAY`: a pathway as a flowchart. Questions are boxes
//! with their answers as edges, branches are diamonds with their conditions,
//! modules are collapsed boxes (or drawn out with `--expand-modules`), jumps
//! to other pathways are boxes of their own, and outcomes are coloured by
//! urgency. Mermaid and Graphviz DOT are written as text; SVG is laid out and
//! drawn here (with `layout-rs`), so no Graphviz install is needed.

use super::Bundle;
use crate::output::{self, Status};
use crate::terminal::clean;
use std::collections::HashMap;
use triage_core::model::{AnswerDoc, BranchDoc, NodeDoc, NodeMapDoc, QuestionDoc, ServiceDoc};

/// How `graph` writes the flowchart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart text (GitHub and many editors draw it).
    Mermaid,
    /// Graphviz DOT text.
    Dot,
    /// An SVG picture, laid out by the tool itself.
    Svg,
}

/// The longest label text kept on a box or edge, in characters.
const MAX_LABEL: usize = 70;

/// What a box is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Question,
    Branch,
    Module,
    Jump,
    Outcome,
}

#[derive(Debug)]
struct FlowNode {
    key: String,
    shape: Shape,
    lines: Vec<String>,
    /// Fill colour of an outcome, by urgency.
    fill: Option<&'static str>,
}

impl FlowNode {
    /// The box's lines, each escaped for the output, joined by `break_with`.
    fn label(&self, escape: impl Fn(&str) -> String, break_with: &str) -> String {
        self.lines
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join(break_with)
    }
}

#[derive(Debug)]
struct FlowEdge {
    from: String,
    to: String,
    label: String,
}

/// The flowchart of one pathway, whatever it is written as.
#[derive(Debug, Default)]
struct Flow {
    title: String,
    nodes: Vec<FlowNode>,
    edges: Vec<FlowEdge>,
}

/// Runs `triage graph`.
pub fn graph(
    bundle: &Bundle,
    pathway: &str,
    format: GraphFormat,
    expand_modules: bool,
) -> std::io::Result<Status> {
    if bundle.compiled().is_err() {
        // The errors are shown; a picture of a broken pathway would mislead.
        return Ok(Status::Failed);
    }
    let Some(flow) = flow_of(bundle, pathway, expand_modules) else {
        return Ok(output::usage_error(&format!(
            "there is no pathway `{}`; `triage list pathways DIR` lists them",
            clean(pathway)
        )));
    };
    let text = match format {
        GraphFormat::Mermaid => mermaid(&flow),
        GraphFormat::Dot => dot(&flow),
        GraphFormat::Svg => match svg(&dot(&flow)) {
            Ok(svg) => svg,
            Err(message) => {
                output::eprint(&format!("error: cannot draw the SVG: {message}\n"));
                return Ok(Status::Failed);
            }
        },
    };
    output::print(&text)?;
    Ok(Status::Ok)
}

/// The Mermaid flowchart of `pathway`, if the bundle has it.
pub fn mermaid_of(bundle: &Bundle, pathway: &str) -> Option<String> {
    flow_of(bundle, pathway, false).map(|flow| mermaid(&flow))
}

/// The flowchart of `pathway`, read from its file as written.
fn flow_of(bundle: &Bundle, pathway: &str, expand_modules: bool) -> Option<Flow> {
    let doc = &bundle.built.doc;
    let (_, file) = doc
        .pathways
        .iter()
        .find(|(_, p)| p.pathway.id.value == pathway)?;
    let services: HashMap<&str, (ServiceDoc, &str)> = doc
        .dispositions
        .iter()
        .flat_map(|(_, d)| d.dispositions.iter())
        .map(|d| {
            (
                d.id.value.as_str(),
                (d.service.value, d.title.value.english()),
            )
        })
        .collect();
    let modules: HashMap<&str, &NodeMapDoc> = doc
        .modules
        .iter()
        .map(|(_, m)| (m.module.id.value.as_str(), &m.nodes))
        .collect();
    let mut builder = Builder {
        services: &services,
        modules: &modules,
        expand_modules,
        flow: Flow {
            title: format!("{} ({})", file.pathway.title.value.english(), pathway),
            ..Flow::default()
        },
        keys: HashMap::new(),
    };
    builder.unit("", &file.nodes, None);
    Some(builder.flow)
}

struct Builder<'a> {
    services: &'a HashMap<&'a str, (ServiceDoc, &'a str)>,
    modules: &'a HashMap<&'a str, &'a NodeMapDoc>,
    expand_modules: bool,
    flow: Flow,
    /// Box key of each (scope, node id).
    keys: HashMap<(String, String), String>,
}

impl Builder<'_> {
    fn key(&mut self, scope: &str, node: &str) -> String {
        let next = format!("n{}", self.keys.len());
        self.keys
            .entry((scope.to_owned(), node.to_owned()))
            .or_insert(next)
            .clone()
    }

    /// Adds the nodes of a pathway (scope "") or of a module called at
    /// `scope`; `back` is where a module's `return` goes.
    fn unit(&mut self, scope: &str, nodes: &NodeMapDoc, back: Option<&str>) {
        for (id, node) in &nodes.0 {
            let key = self.key(scope, &id.value);
            let target = |builder: &mut Self, next: &str| -> String {
                match (next, back) {
                    ("return", Some(back)) => back.to_owned(),
                    _ => builder.key(scope, next),
                }
            };
            match &node.value {
                NodeDoc::Question(question) => {
                    self.flow.nodes.push(FlowNode {
                        key: key.clone(),
                        shape: Shape::Question,
                        lines: vec![id.value.clone(), short(question.text.value.english())],
                        fill: None,
                    });
                    for (label, answer) in answers(question) {
                        let to = target(self, &answer.next.value);
                        self.edge(&key, to, label);
                    }
                }
                NodeDoc::Branch(branch) => {
                    self.flow.nodes.push(FlowNode {
                        key: key.clone(),
                        shape: Shape::Branch,
                        lines: vec![id.value.clone(), branch_subject(branch)],
                        fill: None,
                    });
                    for (label, next) in branch_edges(branch) {
                        let to = target(self, &next);
                        self.edge(&key, to, label);
                    }
                }
                NodeDoc::Outcome(outcome) => {
                    let id_text = outcome.disposition.value.as_str();
                    let (service, title) = self
                        .services
                        .get(id_text)
                        .copied()
                        .unwrap_or((ServiceDoc::SelfCare, id_text));
                    self.flow.nodes.push(FlowNode {
                        key,
                        shape: Shape::Outcome,
                        lines: vec![short(title), format!("({id_text})")],
                        fill: Some(urgency_colour(service)),
                    });
                }
                NodeDoc::Call(call) => {
                    let next = target(self, &call.next.value);
                    let module = call.module.value.as_str();
                    let expanded = self.expand_modules && scope.is_empty();
                    match self.modules.get(module).copied().filter(|_| expanded) {
                        Some(module_nodes) => {
                            // The module's own boxes, once per call; its start follows the call.
                            let inner = format!("{}/{}", id.value, module);
                            self.flow.nodes.push(FlowNode {
                                key: key.clone(),
                                shape: Shape::Module,
                                lines: vec![format!("module {module}")],
                                fill: None,
                            });
                            if let Some((first, _)) = module_nodes.0.first() {
                                let start = self.key(&inner, &first.value);
                                self.edge(&key, start, String::new());
                            }
                            self.unit(&inner, module_nodes, Some(&next));
                        }
                        None => {
                            self.flow.nodes.push(FlowNode {
                                key: key.clone(),
                                shape: Shape::Module,
                                lines: vec![format!("module {module}")],
                                fill: None,
                            });
                            self.edge(&key, next, "returns".to_owned());
                        }
                    }
                }
                NodeDoc::Goto(goto) => {
                    let at = goto
                        .at
                        .as_ref()
                        .map(|a| format!(" at {}", a.value))
                        .unwrap_or_default();
                    self.flow.nodes.push(FlowNode {
                        key,
                        shape: Shape::Jump,
                        lines: vec![format!("on in {}{at}", goto.pathway.value)],
                        fill: None,
                    });
                }
            }
        }
    }

    fn edge(&mut self, from: &str, to: String, label: String) {
        self.flow.edges.push(FlowEdge {
            from: from.to_owned(),
            to,
            label,
        });
    }
}

/// What an answer of a question is, for naming it.
pub(super) enum AnswerName<'a> {
    Yes,
    No,
    /// An option: its id and its label.
    Option(&'a str, &'a str),
    /// A number band: from (inclusive), below (exclusive).
    Band(Option<f64>, Option<f64>),
    NoneOfThese,
    NotSure,
}

/// Every answer of a question, in the order written: yes and no, options,
/// number bands, "none of these", "not sure".
pub(super) fn answer_list(question: &QuestionDoc) -> Vec<(AnswerName<'_>, &AnswerDoc)> {
    let mut out = Vec::new();
    if let Some(yes) = &question.yes {
        out.push((AnswerName::Yes, &yes.value));
    }
    if let Some(no) = &question.no {
        out.push((AnswerName::No, &no.value));
    }
    for option in question.options.iter().flat_map(|o| o.value.iter()) {
        let id = option.value.id.as_ref().map_or("", |i| i.value.as_str());
        let label = option
            .value
            .label
            .as_ref()
            .map_or("", |l| l.value.english());
        out.push((AnswerName::Option(id, label), &option.value));
    }
    for band in question.bands.iter().flat_map(|b| b.value.iter()) {
        let from = band.value.from.as_ref().map(|f| f.value);
        let below = band.value.below.as_ref().map(|b| b.value);
        out.push((AnswerName::Band(from, below), &band.value));
    }
    if let Some(none) = &question.none {
        out.push((AnswerName::NoneOfThese, &none.value));
    }
    if let Some(not_sure) = &question.not_sure {
        out.push((AnswerName::NotSure, &not_sure.value));
    }
    out
}

/// A question's answers as edge labels: `yes`, option ids, number bands,
/// `none`, `not sure`.
fn answers(question: &QuestionDoc) -> Vec<(String, &AnswerDoc)> {
    answer_list(question)
        .into_iter()
        .map(|(name, answer)| {
            let label = match name {
                AnswerName::Yes => "yes".to_owned(),
                AnswerName::No => "no".to_owned(),
                AnswerName::Option(id, _) => id.to_owned(),
                AnswerName::Band(from, below) => band_label(from, below),
                AnswerName::NoneOfThese => "none".to_owned(),
                AnswerName::NotSure => "not sure".to_owned(),
            };
            (label, answer)
        })
        .collect()
}

fn band_label(from: Option<f64>, below: Option<f64>) -> String {
    match (from, below) {
        (Some(from), Some(below)) => format!("{from} to under {below}"),
        (Some(from), None) => format!("{from} or more"),
        (None, Some(below)) => format!("under {below}"),
        (None, None) => "any".to_owned(),
    }
}

fn branch_subject(branch: &BranchDoc) -> String {
    match &branch.on {
        Some(on) => short(&format!("by {}", on.value)),
        None => "branch".to_owned(),
    }
}

fn branch_edges(branch: &BranchDoc) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = branch
        .cases
        .iter()
        .flat_map(|c| c.value.iter())
        .map(|case| (short(&case.when.value), case.next.value.clone()))
        .collect();
    if let Some(otherwise) = &branch.otherwise {
        out.push(("otherwise".to_owned(), otherwise.value.clone()));
    }
    for band in branch.bands.iter().flat_map(|b| b.value.iter()) {
        out.push((
            band_label(
                band.value.from.as_ref().map(|f| f.value),
                band.value.below.as_ref().map(|b| b.value),
            ),
            band.value.next.value.clone(),
        ));
    }
    out
}

/// Fill colours by urgency: red for 999, orange for A&E, amber for a same-day
/// service, yellow for a GP, green for a pharmacist or self-care.
fn urgency_colour(service: ServiceDoc) -> &'static str {
    use ServiceDoc::*;
    match service {
        Ambulance => "#f28b82",
        EmergencyDepartment | EyeCasualty | MentalHealthCrisis | Maternity => "#fbbc7c",
        UrgentTreatmentCentre | ClinicianCallBack | Dental => "#fde68a",
        Gp | OwnGp | SexualHealth => "#fff6b0",
        Pharmacy | SelfCare => "#b7e4c7",
    }
}

/// `text` cleaned of control characters, on one line, cut to [`MAX_LABEL`].
fn short(text: &str) -> String {
    let one_line: String = clean(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_LABEL {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX_LABEL - 1).collect();
    format!("{}…", cut.trim_end())
}

fn mermaid(flow: &Flow) -> String {
    // Quotes in a label are written as Mermaid's entity; line breaks as <br/>.
    let text = |s: &str| s.replace('"', "#quot;");
    let mut out = format!("---\ntitle: {}\n---\nflowchart TD\n", text(&flow.title));
    for node in &flow.nodes {
        let label = node.label(text, "<br/>");
        let (open, close) = match node.shape {
            Shape::Question => ("[\"", "\"]"),
            Shape::Branch => ("{\"", "\"}"),
            Shape::Module => ("[[\"", "\"]]"),
            Shape::Jump => ("[/\"", "\"/]"),
            Shape::Outcome => ("([\"", "\"])"),
        };
        out.push_str(&format!("    {}{open}{label}{close}\n", node.key));
        if let Some(fill) = node.fill {
            out.push_str(&format!("    style {} fill:{fill}\n", node.key));
        }
    }
    for edge in &flow.edges {
        if edge.label.is_empty() {
            out.push_str(&format!("    {} --> {}\n", edge.from, edge.to));
        } else {
            out.push_str(&format!(
                "    {} -->|\"{}\"| {}\n",
                edge.from,
                text(&edge.label),
                edge.to
            ));
        }
    }
    out
}

fn dot(flow: &Flow) -> String {
    let text = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!(
        "digraph \"{}\" {{\n  node [fontname=\"Helvetica\"];\n",
        text(&flow.title)
    );
    for node in &flow.nodes {
        let label = node.label(text, "\\n");
        let shape = match node.shape {
            Shape::Question | Shape::Module | Shape::Jump | Shape::Outcome => "box",
            Shape::Branch => "diamond",
        };
        let style = match (node.shape, node.fill) {
            (_, Some(fill)) => format!(", style=filled, fillcolor=\"{fill}\""),
            (Shape::Module, None) => ", style=dashed".to_owned(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {} [shape={shape}, label=\"{label}\"{style}];\n",
            node.key
        ));
    }
    for edge in &flow.edges {
        out.push_str(&format!(
            "  {} -> {} [label=\"{}\"];\n",
            edge.from,
            edge.to,
            text(&edge.label)
        ));
    }
    out.push_str("}\n");
    out
}

/// Lays out and draws the DOT text as SVG, without Graphviz.
fn svg(dot: &str) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let mut parser = DotParser::new(dot);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}
