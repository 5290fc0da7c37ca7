//! Rendering diagnostics: graphical reports with source snippets (miette) for
//! people, and a flat JSON form for editors and scripts.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use triage_core::diag::{Diagnostic, Loc, Severity};

/// The files of a bundle as the user named them: the directory given on the
/// command line joined with each file's relative path.
pub struct BundleFiles {
    dir: String,
    files: Vec<BundleFile>,
}

/// One file: the path to show, its text, and where each line starts, so a
/// line is found without reading the file from its start.
struct BundleFile {
    path: String,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl BundleFiles {
    /// `files` are `(relative path, text)` in the loader's order, so that a
    /// diagnostic's file index finds its file.
    pub fn new<'a>(dir: &Path, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        BundleFiles {
            dir: dir.display().to_string(),
            files: files
                .into_iter()
                .map(|(path, text)| BundleFile {
                    path: crate::terminal::clean(&dir.join(path).display().to_string())
                        .into_owned(),
                    text: Arc::from(defanged(text).as_ref()),
                    line_starts: std::iter::once(0)
                        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The bundle directory as given.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// The path to show for a file index; the bundle directory itself when the
    /// index names no file (a problem with the directory as a whole).
    pub fn path(&self, file: usize) -> &str {
        self.files
            .get(file)
            .map_or(self.dir.as_str(), |f| f.path.as_str())
    }

    fn file(&self, file: usize) -> Option<&BundleFile> {
        self.files.get(file)
    }
}

/// `text` with each character that could steer a terminal (see
/// `triage_core::load::steers`) shown as `?`s of the same byte length, so
/// snippets echo no escape and every offset and line still holds.
fn defanged(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(triage_core::load::steers) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if triage_core::load::steers(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Counts of errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Tally {
    /// Counts `diagnostics` by severity.
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Tally {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}

/// `1 pathway`, `3 pathways`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Whether to colour diagnostics going to a stream: the same rule as
/// `triage run` (`NO_COLOR` wins, `CLICOLOR_FORCE` colours a pipe, else only
/// a terminal that supports colour).
pub fn use_color(stream_is_terminal: bool) -> bool {
    crate::terminal::use_color(clap::ColorChoice::Auto, stream_is_terminal)
}

/// Renders every diagnostic as a graphical report with a snippet of its file.
/// `color` adds ANSI colours (for a terminal).
pub fn human(files: &BundleFiles, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(SHOWN_IN_FULL) {
        // The heading reads as rustc's does, `error[E203]: there is no node
        // ...`: the severity and code stand where miette puts its icon.
        let mut theme = theme.clone();
        let (severity, mark) = match diagnostic.severity {
            Severity::Error => ("error", &mut theme.characters.error),
            Severity::Warning => ("warning", &mut theme.characters.warning),
        };
        *mark = format!("{severity}[{}]:", diagnostic.code);
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let report = Report::new(files, diagnostic);
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &report).is_err() {
            // Rendering into a String cannot fail; keep a plain line just in case.
            rendered = plain(files, diagnostic);
        }
        out.push_str(rendered.strip_prefix("  ").unwrap_or(&rendered));
        out.push('\n');
    }
    if let Some(rest) = diagnostics.get(SHOWN_IN_FULL..).filter(|r| !r.is_empty()) {
        out.push_str(&summary_of_rest(files, rest));
    }
    out
}

/// Most diagnostics shown in full; the rest are counted by code and file
/// (all of them are in `--format json`).
pub const SHOWN_IN_FULL: usize = 200;

/// The diagnostics past [`SHOWN_IN_FULL`], counted by code and by file.
fn summary_of_rest(files: &BundleFiles, rest: &[Diagnostic]) -> String {
    let mut by_code: Vec<(String, usize)> = Vec::new();
    let mut by_file: Vec<(usize, usize)> = Vec::new();
    for diagnostic in rest {
        let code = diagnostic.code.to_string();
        match by_code.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => by_code.push((code, 1)),
        }
        match by_file.iter_mut().find(|(f, _)| *f == diagnostic.loc.file) {
            Some((_, n)) => *n += 1,
            None => by_file.push((diagnostic.loc.file, 1)),
        }
    }
    by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_file.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let list = |items: Vec<String>| {
        let shown = items.len().min(10);
        let mut text = items
            .iter()
            .take(shown)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if items.len() > shown {
            text.push_str(&format!(", and {} more", items.len() - shown));
        }
        text
    };
    format!(
        "... and {} more not shown here (fix those above first, or see them all with --format json):\n  by code: {}\n  by file: {}\n\n",
        rest.len(),
        list(by_code.into_iter().map(|(c, n)| format!("{c} x {n}")).collect()),
        list(
            by_file
                .into_iter()
                .map(|(f, n)| format!("{} x {n}", crate::terminal::clean(files.path(f))))
                .collect()
        ),
    )
}

/// One line per diagnostic: `file:line:col: error[E203]: message`.
pub fn plain(files: &BundleFiles, diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "{}: {severity}[{}]: {}\n",
        location(files, diagnostic.loc),
        diagnostic.code,
        diagnostic.message
    )
}

fn location(files: &BundleFiles, loc: Loc) -> String {
    let path = files.path(loc.file);
    match (loc.line, loc.column) {
        (0, _) => path.to_owned(),
        (line, 0) => format!("{path}:{line}"),
        (line, column) => format!("{path}:{line}:{column}"),
    }
}

/// A diagnostic in the shape miette renders: message, code, help, and labelled
/// spans in a named source.
#[derive(Debug)]
struct Report {
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Window>,
    labels: Vec<LabeledSpan>,
    /// The related place when it is in another file (same-file ones are a second label).
    related: Vec<Report>,
}

impl Report {
    fn new(files: &BundleFiles, diagnostic: &Diagnostic) -> Report {
        let severity = match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut report = Report {
            message: diagnostic.message.clone(),
            severity,
            help: diagnostic.help.clone(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        match snippet(files, diagnostic.loc) {
            Some((source, span)) => {
                report.source = Some(source);
                report
                    .labels
                    .push(LabeledSpan::new_primary_with_span(None, span));
            }
            // No line to show: name the place in the message.
            None => {
                report.message = format!("{}: {}", location(files, diagnostic.loc), report.message)
            }
        }
        if let Some(related) = &diagnostic.related {
            let same_file = related.loc.file == diagnostic.loc.file && report.source.is_some();
            match snippet(files, related.loc) {
                Some((_, span)) if same_file => report.labels.push(LabeledSpan::new_with_span(
                    Some(related.message.clone()),
                    span,
                )),
                Some((source, span)) => report.related.push(Report {
                    message: related.message.clone(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(source),
                    labels: vec![LabeledSpan::new_primary_with_span(None, span)],
                    related: Vec::new(),
                }),
                None => report.related.push(Report {
                    message: format!("{}: {}", location(files, related.loc), related.message),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: None,
                    labels: Vec::new(),
                    related: Vec::new(),
                }),
            }
        }
        report
    }
}

/// The file as a named source and the span of the token at `loc`, when `loc`
/// names a line of a known file.
fn snippet(files: &BundleFiles, loc: Loc) -> Option<(Window, SourceSpan)> {
    if loc.line == 0 {
        return None;
    }
    let file = files.file(loc.file)?;
    let span = token_span(&file.text, &file.line_starts, loc.line, loc.column)?;
    let source = Window {
        name: file.path.clone(),
        text: Arc::clone(&file.text),
        line_starts: Arc::clone(&file.line_starts),
    };
    Some((source, span.into()))
}

/// A file as miette reads it, a few lines at a time: finding the lines
/// around a span from the line index, not by reading the file from its
/// start, keeps rendering linear in the number of diagnostics.
#[derive(Debug, Clone)]
struct Window {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let line_of = |offset: usize| {
            self.line_starts
                .partition_point(|s| *s <= offset)
                .saturating_sub(1)
        };
        let first = line_of(span.offset()).saturating_sub(context_lines_before);
        let last_line = line_of(span.offset() + span.len().saturating_sub(1));
        let after = last_line
            .saturating_add(context_lines_after)
            .saturating_add(1);
        let start = self.line_starts.get(first).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(after)
            .copied()
            .unwrap_or(self.text.len())
            .min(self.text.len());
        let window = self
            .text
            .get(start..end)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let local = SourceSpan::new(
            span.offset().saturating_sub(start).into(),
            span.len().min(window.len()),
        );
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let offset = inner.span().offset() + start;
        Ok(Box::new(
            miette::MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                SourceSpan::new(offset.into(), inner.span().len()),
                inner.line() + first,
                inner.column(),
                inner.line_count(),
            )
            .with_language("yaml"),
        ))
    }
}

/// Byte offset and length of the token starting at 1-based `line` and
/// character `column` (column 0: the line's first non-blank character).
/// A quoted token spans to its closing quote; otherwise the token ends at
/// whitespace or YAML punctuation.
fn token_span(text: &str, line_starts: &[usize], line: u32, column: u32) -> Option<(usize, usize)> {
    let line_index = usize::try_from(line).ok()?.checked_sub(1)?;
    let line_start = *line_starts.get(line_index)?;
    let rest = text.get(line_start..)?;
    let line_text = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let start = if column == 0 {
        line_text.len() - line_text.trim_start().len()
    } else {
        let skip = usize::try_from(column).ok()?.saturating_sub(1);
        line_text
            .char_indices()
            .nth(skip)
            .map_or(line_text.len(), |(i, _)| i)
    };
    let token = line_text.get(start..).unwrap_or("");
    let len = match token.chars().next() {
        Some(quote @ ('"' | '\'')) => token
            .get(1..)
            .and_then(|inner| inner.find(quote))
            .map_or(token.len(), |end| end + 2),
        _ => token
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}' | '[' | ']' | '#'))
            .unwrap_or(token.len()),
    };
    // A key's colon is not part of it.
    let len = if token.get(..len).is_some_and(|t| t.ends_with(':')) {
        len - 1
    } else {
        len
    };
    Some((line_start + start, len))
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    // The code is in the heading (see `human`), not on a line of its own.
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        None
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "nodes:\n  crushing:\n    question: { next: \"missing node\" }\n";

    fn starts() -> Vec<usize> {
        std::iter::once(0)
            .chain(TEXT.match_indices('\n').map(|(i, _)| i + 1))
            .collect()
    }

    #[test]
    fn token_span_covers_a_bare_word_without_its_colon() {
        let (offset, len) = token_span(TEXT, &starts(), 2, 3).unwrap();
        assert_eq!(&TEXT[offset..offset + len], "crushing");
    }

    #[test]
    fn token_span_covers_a_quoted_string() {
        let (offset, len) = token_span(TEXT, &starts(), 3, 23).unwrap();
        assert_eq!(&TEXT[offset..offset + len], "\"missing node\"");
    }

    #[test]
    fn token_span_refuses_lines_past_the_end() {
        assert_eq!(token_span(TEXT, &starts(), 9, 1), None);
    }

    #[test]
    fn graphical_report_shows_code_location_snippet_and_help() {
        let files = BundleFiles::new(Path::new("bundle"), [("pathways/p.yaml", TEXT)]);
        let diagnostic = Diagnostic::error(
            triage_core::diag::codes::UNKNOWN_NODE,
            Loc {
                file: 0,
                line: 3,
                column: 23,
            },
            "no node `missing node` in pathway p",
        )
        .with_help("define the node, or fix the id");
        let out = human(&files, &[diagnostic], false);
        assert!(out.contains("E203"), "{out}");
        assert!(out.contains("bundle/pathways/p.yaml:3:23"), "{out}");
        assert!(
            out.contains("question: { next: \"missing node\" }"),
            "{out}"
        );
        assert!(
            out.contains("help: define the node, or fix the id"),
            "{out}"
        );
    }

    #[test]
    fn whole_file_problems_name_the_file() {
        let files = BundleFiles::new(Path::new("b"), [("dispositions.yaml", "")]);
        let diagnostic = Diagnostic::error(
            triage_core::diag::codes::YAML_SYNTAX,
            Loc::file(0),
            "empty file",
        );
        let out = human(&files, &[diagnostic], false);
        assert!(out.contains("b/dispositions.yaml: empty file"), "{out}");
    }
}
