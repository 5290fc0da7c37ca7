//! Loading: read a bundle's files and parse them into the spanned [`crate::model`].
//!
//! A bundle is a directory (natively) or a set of named texts (in the browser)
//! laid out as:
//!
//! ```text
//! dispositions.yaml          the disposition catalogue
//! care-advice.yaml           the care-advice catalogue (may also be split
//!                            into care-advice/*.yaml files)
//! synonyms.yaml              words that mean the same to a searcher (optional)
//! modules/NAME.yaml          shared modules
//! pathways/NAME.yaml         symptom pathways
//! */NAME.cases.yaml          case packs, beside the pathways they test
//! ```
//!
//! Loading never stops at the first problem: every file is read and every
//! problem reported. Input is bounded (file size, line length, file count,
//! YAML depth and nodes; anchors and aliases refused) so hostile files are refused quickly.

use crate::diag::{codes, Diagnostic, Loc};
use crate::model::{
    CareAdviceDoc, CareAdviceFileDoc, CasePackDoc, DispositionDoc, DispositionsFileDoc,
    ModuleFileDoc, NodeDoc, PathwayFileDoc, Spanned, SynonymsFileDoc,
};
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// Largest file the loader reads, in bytes.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Largest bundle the loader reads, in bytes (all files together).
pub const MAX_BUNDLE_BYTES: usize = 32 * 1024 * 1024;
/// Longest line the loader reads, in bytes.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Most files a bundle may hold.
pub const MAX_FILES: usize = 2_000;
/// Deepest directory nesting the loader walks.
const MAX_DIR_DEPTH: usize = 4;

/// One source file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the bundle root, with `/` separators, e.g. `pathways/chest-pain.yaml`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// The text of 1-based line `line`, without its line ending.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        self.text.lines().nth(index)
    }
}

/// The files of a bundle, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// The files, sorted by path.
    pub files: Vec<SourceFile>,
    /// The directory they were read from, if any (for messages).
    pub root: Option<std::path::PathBuf>,
    /// Indexes of files that were refused (too large, binary, not UTF-8): they
    /// are listed so diagnostics can name them, but hold no text to parse.
    pub refused: Vec<usize>,
}

impl Sources {
    /// Sources from named texts, as the browser gives them: `("pathways/x.yaml", text)`.
    ///
    /// Texts over the size limits are kept out and reported.
    ///
    /// ```
    /// use triage_core::load::Sources;
    /// let (sources, problems) = Sources::from_texts(vec![
    ///     ("dispositions.yaml".to_string(), "dispositions: []\n".to_string()),
    /// ]);
    /// assert_eq!(sources.files.len(), 1);
    /// assert!(problems.is_empty());
    /// ```
    pub fn from_texts(texts: Vec<(String, String)>) -> (Sources, Vec<Diagnostic>) {
        let mut sources = Sources::default();
        let mut problems = Vec::new();
        let mut total = 0usize;
        for (path, text) in texts {
            let path = path.replace('\\', "/").trim_start_matches("./").to_string();
            if sources.files.len() >= MAX_FILES {
                problems.push(too_many_files(&path));
                break;
            }
            if let Some(problem) = check_size(&path, text.len(), &mut total) {
                problems.push(problem);
                continue;
            }
            sources.files.push(SourceFile { path, text });
        }
        sources.files.sort_by(|a, b| a.path.cmp(&b.path));
        let problems = problems
            .into_iter()
            .map(|p| p.into_diagnostic(&mut sources))
            .collect();
        (sources, problems)
    }

    /// Reads every YAML file under `dir`, bounded by the size limits.
    ///
    /// Symbolic links and hidden files are skipped. Problems (unreadable, too
    /// large, not UTF-8, binary) are reported against the file's path.
    pub fn from_dir(dir: &Path) -> (Sources, Vec<Diagnostic>) {
        // A repository (or any folder) that holds the bundle one level down:
        // read as a bundle, its tests and fixtures would give a wall of
        // errors that all say the same thing.
        let nested = dir.join("pathways");
        if !dir.join("dispositions.yaml").exists() && nested.join("dispositions.yaml").is_file() {
            let message = format!(
                "{} is not a bundle: it has no dispositions.yaml, but {} has",
                dir.display(),
                nested.display()
            );
            let diagnostic = Diagnostic::error(codes::MISSING_FILE, Loc::file(usize::MAX), message)
                .with_help(format!("did you mean {}?", nested.display()));
            let sources = Sources {
                root: Some(dir.to_path_buf()),
                ..Sources::default()
            };
            return (sources, vec![diagnostic]);
        }
        let mut found = Vec::new();
        let mut problems = Vec::new();
        walk(dir, "", 0, &mut found, &mut problems);
        found.sort();
        let mut sources = Sources {
            root: Some(dir.to_path_buf()),
            ..Sources::default()
        };
        let mut total = 0usize;
        for relative in found {
            if sources.files.len() >= MAX_FILES {
                problems.push(too_many_files(&relative));
                break;
            }
            match read_bounded(&dir.join(&relative)) {
                Err(problem) => problems.push(problem.at(&relative)),
                Ok(bytes) => {
                    if let Some(problem) = check_size(&relative, bytes.len(), &mut total) {
                        problems.push(problem);
                        continue;
                    }
                    if bytes.contains(&0) {
                        problems.push(Problem::new(
                            &relative,
                            codes::BINARY_FILE,
                            "this file holds binary data, not YAML text",
                            "bundle files must be plain UTF-8 YAML; remove this file or replace it with the YAML it should hold",
                        ));
                        continue;
                    }
                    match String::from_utf8(bytes) {
                        Ok(text) => sources.files.push(SourceFile {
                            path: relative,
                            text,
                        }),
                        Err(e) => problems.push(Problem::new(
                            &relative,
                            codes::NOT_UTF8,
                            format!(
                                "this file is not UTF-8 text (bad byte at offset {})",
                                e.utf8_error().valid_up_to()
                            ),
                            "save the file as UTF-8",
                        )),
                    }
                }
            }
        }
        let problems = problems
            .into_iter()
            .map(|p| p.into_diagnostic(&mut sources))
            .collect();
        (sources, problems)
    }

    /// Index of the file at `path`, if loaded.
    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.files.iter().position(|f| f.path == path)
    }
}

/// A problem found before a file has an index in [`Sources`].
struct Problem {
    path: String,
    code: crate::diag::Code,
    message: String,
    help: String,
}

impl Problem {
    fn new(
        path: &str,
        code: crate::diag::Code,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.to_string(),
            code,
            message: message.into(),
            help: help.into(),
        }
    }

    fn at(mut self, path: &str) -> Problem {
        self.path = path.to_string();
        self
    }

    /// Files that could not be loaded still get an entry (with empty text) so
    /// a diagnostic can name them.
    fn into_diagnostic(self, sources: &mut Sources) -> Diagnostic {
        let file = match sources.index_of(&self.path) {
            Some(i) => i,
            None => {
                sources.files.push(SourceFile {
                    path: self.path.clone(),
                    text: String::new(),
                });
                sources.files.len() - 1
            }
        };
        if !sources.refused.contains(&file) {
            sources.refused.push(file);
        }
        Diagnostic::error(self.code, Loc::file(file), self.message).with_help(self.help)
    }
}

fn too_many_files(path: &str) -> Problem {
    Problem::new(
        path,
        codes::FILE_TOO_LARGE,
        format!("the bundle has more than {MAX_FILES} files; this and later files were not read"),
        "split the bundle, or remove files that are not part of it",
    )
}

fn check_size(path: &str, len: usize, total: &mut usize) -> Option<Problem> {
    if len > MAX_FILE_BYTES {
        return Some(Problem::new(
            path,
            codes::FILE_TOO_LARGE,
            format!(
                "this file is {len} bytes; the largest file accepted is {MAX_FILE_BYTES} bytes"
            ),
            "split the content into smaller pathways or modules",
        ));
    }
    *total += len;
    if *total > MAX_BUNDLE_BYTES {
        return Some(Problem::new(
            path,
            codes::FILE_TOO_LARGE,
            format!("the bundle is larger than {MAX_BUNDLE_BYTES} bytes; this file was not read"),
            "remove files that are not part of the bundle",
        ));
    }
    None
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, Problem> {
    let unreadable = |e: std::io::Error| {
        Problem::new(
            "",
            codes::FILE_UNREADABLE,
            format!("cannot read this file: {e}"),
            "check that the file exists and is readable",
        )
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    // Read one byte past the limit so an oversized file is detected without
    // reading all of it.
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    found: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Problem::new(
                if prefix.is_empty() { "." } else { prefix },
                codes::FILE_UNREADABLE,
                format!("cannot read directory {}: {e}", dir.display()),
                "check that the bundle directory exists and is readable",
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        if found.len() > MAX_FILES {
            return;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let relative = format!("{prefix}{name}");
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if depth < MAX_DIR_DEPTH {
                walk(
                    &entry.path(),
                    &format!("{relative}/"),
                    depth + 1,
                    found,
                    problems,
                );
            } else {
                problems.push(Problem::new(
                    &relative,
                    codes::FILE_UNREADABLE,
                    format!("this directory is nested more than {MAX_DIR_DEPTH} levels deep, so nothing in it is read"),
                    "move its files up: a bundle is dispositions.yaml, care advice, modules/ and pathways/",
                ));
            }
        } else if kind.is_file() {
            if is_yaml(&name) {
                found.push(relative);
            }
        } else if is_yaml(&name) {
            // Nothing is skipped without a word: a pathway that is a link
            // would otherwise vanish from the bundle.
            let what = if kind.is_symlink() {
                "a symbolic link"
            } else {
                "not a regular file (a pipe, socket or device)"
            };
            problems.push(Problem::new(
                &relative,
                codes::FILE_UNREADABLE,
                format!("this is {what}, and the loader reads only regular files"),
                "put the file itself here in place of the link",
            ));
        }
    }
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// What role a file plays in a bundle, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// `dispositions.yaml`.
    Dispositions,
    /// `care-advice.yaml`, or a part of the catalogue in `care-advice/NAME.yaml`.
    CareAdvice,
    /// `synonyms.yaml`.
    Synonyms,
    /// `modules/NAME.yaml`.
    Module,
    /// `pathways/NAME.yaml`.
    Pathway,
    /// `pathways/NAME.cases.yaml` or `modules/NAME.cases.yaml`.
    CasePack,
    /// Anything else (reported, not read).
    Other,
}

impl FileRole {
    /// The role of the file at `path`.
    pub fn of(path: &str) -> FileRole {
        let stem_ok = |rest: &str| !rest.contains('/') && is_yaml(rest);
        match path {
            "dispositions.yaml" | "dispositions.yml" => FileRole::Dispositions,
            "care-advice.yaml" | "care-advice.yml" => FileRole::CareAdvice,
            "synonyms.yaml" | "synonyms.yml" => FileRole::Synonyms,
            _ => {
                let (dir, rest) = path.split_once('/').unwrap_or(("", path));
                if dir == "care-advice" && stem_ok(rest) {
                    return FileRole::CareAdvice;
                }
                if !stem_ok(rest) || !matches!(dir, "modules" | "pathways") {
                    FileRole::Other
                } else if rest.ends_with(".cases.yaml") || rest.ends_with(".cases.yml") {
                    FileRole::CasePack
                } else if dir == "modules" {
                    FileRole::Module
                } else {
                    FileRole::Pathway
                }
            }
        }
    }
}

/// Everything a bundle's files say, parsed. Each entry keeps its file index.
#[derive(Debug, Clone, Default)]
pub struct BundleDoc {
    /// `dispositions.yaml`, if it parsed.
    pub dispositions: Option<(usize, DispositionsFileDoc)>,
    /// `care-advice.yaml` and `care-advice/*.yaml`, those that parsed.
    pub care_advice: Vec<(usize, CareAdviceFileDoc)>,
    /// `synonyms.yaml`, if there is one and it parsed.
    pub synonyms: Option<(usize, SynonymsFileDoc)>,
    /// Modules that parsed.
    pub modules: Vec<(usize, ModuleFileDoc)>,
    /// Pathways that parsed.
    pub pathways: Vec<(usize, PathwayFileDoc)>,
    /// Case packs that parsed.
    pub case_packs: Vec<(usize, CasePackDoc)>,
    /// Number of files that failed to parse (so summaries can count them).
    pub failed_files: usize,
    /// The roles of the files that could not be read or parsed, so later checks
    /// can tell a missing reference from one whose file is broken.
    pub failed: Vec<FileRole>,
    /// What was set aside because it did not read (a whole file, or one node,
    /// case or catalogue entry of it), already reported: a reference to it is
    /// not reported again.
    pub broken: Vec<BrokenEntry>,
}

/// Something a file holds that did not read, and was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEntry {
    /// The file.
    pub file: usize,
    /// Its role.
    pub role: FileRole,
    /// The pathway or module the file is (for a case pack, the pathway it
    /// tests), when that could be read.
    pub unit: Option<String>,
    /// The node id or catalogue id of the entry; `None` when the whole file
    /// did not read.
    pub entry: Option<String>,
}

impl BundleDoc {
    /// True when `entry` of a file of `role` (for `unit`, if given) was set
    /// aside as broken, or the whole of such a file was.
    pub fn is_broken(&self, role: FileRole, unit: Option<&str>, entry: &str) -> bool {
        self.broken.iter().any(|b| {
            b.role == role
                && (unit.is_none() || b.unit.as_deref() == unit)
                && b.entry.as_deref().is_none_or(|e| e == entry)
        })
    }

    /// True when the whole file of the pathway or module `unit` did not read.
    pub fn is_broken_unit(&self, unit: &str) -> bool {
        self.broken
            .iter()
            .any(|b| b.entry.is_none() && b.unit.as_deref() == Some(unit))
    }
}

/// Parses every file of `sources`, collecting every problem.
pub fn parse(sources: &Sources) -> (BundleDoc, Vec<Diagnostic>) {
    parse_with(sources, &crate::BuildOptions::default())
}

/// One file's parsed document, of the type its role says.
enum ParsedDoc {
    Dispositions(DispositionsFileDoc),
    CareAdvice(CareAdviceFileDoc),
    Synonyms(SynonymsFileDoc),
    Module(ModuleFileDoc),
    Pathway(PathwayFileDoc),
    #[cfg(feature = "authoring")]
    CasePack(CasePackDoc),
}

/// What parsing one file gave: the document (unless it did not read at
/// all), every mistake found, and what was set aside.
struct Parsed {
    doc: Option<ParsedDoc>,
    diagnostics: Vec<Diagnostic>,
    broken: Vec<BrokenEntry>,
}

impl Parsed {
    fn failed(diagnostic: Diagnostic) -> Parsed {
        Parsed {
            doc: None,
            diagnostics: vec![diagnostic],
            broken: Vec::new(),
        }
    }
}

/// Parses the file at `index` as its role says, entry by entry where one
/// broken entry should not hide the rest (nodes, cases, catalogue entries).
fn parse_role(index: usize, file: &SourceFile, role: FileRole) -> Parsed {
    match role {
        FileRole::Dispositions => parse_entries::<DispositionsFileDoc, DispositionDoc>(
            index,
            file,
            role,
            "dispositions",
            None,
            ParsedDoc::Dispositions,
        ),
        FileRole::CareAdvice => parse_entries::<CareAdviceFileDoc, CareAdviceDoc>(
            index,
            file,
            role,
            "care_advice",
            None,
            ParsedDoc::CareAdvice,
        ),
        FileRole::Synonyms => match parse_file(index, file) {
            Ok(doc) => Parsed {
                doc: Some(ParsedDoc::Synonyms(doc)),
                diagnostics: Vec::new(),
                broken: Vec::new(),
            },
            Err(d) => Parsed::failed(*d),
        },
        FileRole::Module => parse_entries::<ModuleFileDoc, Spanned<NodeDoc>>(
            index,
            file,
            role,
            "nodes",
            Some(&["module", "id"]),
            ParsedDoc::Module,
        ),
        FileRole::Pathway => parse_entries::<PathwayFileDoc, Spanned<NodeDoc>>(
            index,
            file,
            role,
            "nodes",
            Some(&["pathway", "id"]),
            ParsedDoc::Pathway,
        ),
        #[cfg(feature = "authoring")]
        FileRole::CasePack => parse_entries::<CasePackDoc, Spanned<crate::model::CaseTestDoc>>(
            index,
            file,
            role,
            "cases",
            Some(&["pathway"]),
            ParsedDoc::CasePack,
        ),
        #[cfg(not(feature = "authoring"))]
        FileRole::CasePack => Parsed::failed(unexpected_file(index)),
        FileRole::Other => Parsed::failed(unexpected_file(index)),
    }
}

/// Parses a file whose `entries` (nodes, cases, catalogue items) are read one
/// by one when the whole does not read: each broken entry is reported and set
/// aside, and the rest of the file is still read. `unit_at` is where the
/// file's pathway or module id is written.
fn parse_entries<T, E>(
    index: usize,
    file: &SourceFile,
    role: FileRole,
    entries: &str,
    unit_at: Option<&[&str]>,
    wrap: fn(T) -> ParsedDoc,
) -> Parsed
where
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    // A build for evaluation refuses a bundle with any error, so it reads a
    // file whole and stops at the first mistake: recovery is for authors
    // (and would cost the browser module its size budget).
    #[cfg(not(feature = "authoring"))]
    {
        let _ = (role, entries, unit_at, std::marker::PhantomData::<E>);
        match crate::yaml::from_str::<T>(&file.text) {
            Ok(doc) => Parsed {
                doc: Some(wrap(doc)),
                diagnostics: Vec::new(),
                broken: Vec::new(),
            },
            Err(e) => Parsed::failed(yaml_diagnostic(index, &e)),
        }
    }
    #[cfg(feature = "authoring")]
    parse_recovering::<T, E>(index, file, role, entries, unit_at, wrap)
}

/// [`parse_entries`] for authors: entry by entry.
#[cfg(feature = "authoring")]
fn parse_recovering<T, E>(
    index: usize,
    file: &SourceFile,
    role: FileRole,
    entries: &str,
    unit_at: Option<&[&str]>,
    wrap: fn(T) -> ParsedDoc,
) -> Parsed
where
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    let unit = || {
        unit_at.and_then(|path| {
            crate::yaml::scalar_at(&file.text, path).or_else(|| unit_from_text(file, path))
        })
    };
    let recovered = match crate::yaml::from_str_recovering::<T, E>(&file.text, entries) {
        Ok(recovered) => recovered,
        Err(e) => {
            // Nothing of the file could be read; what refers to its pathway or
            // module is not reported again.
            // A syntax error from the parser speaks of its own state; a tab or
            // a key out of line is said in plain words where it is.
            let plain = match e.kind {
                crate::yaml::ErrorKind::Syntax(_) => tab_diagnostic(index, file, &e)
                    .or_else(|| indentation_diagnostic(index, file, &e)),
                _ => None,
            };
            let diagnostic = plain.unwrap_or_else(|| yaml_diagnostic(index, &e));
            let mut parsed = Parsed::failed(diagnostic);
            parsed.broken.push(BrokenEntry {
                file: index,
                role,
                unit: unit(),
                entry: None,
            });
            return parsed;
        }
    };
    let mut diagnostics = Vec::new();
    let mut broken = Vec::new();
    for (name, error) in &recovered.broken {
        diagnostics.push(yaml_diagnostic(index, error));
        broken.push(BrokenEntry {
            file: index,
            role,
            unit: unit(),
            entry: Some(name.clone()),
        });
    }
    let doc = match recovered.doc {
        Ok(doc) => Some(wrap(doc)),
        Err(error) => {
            diagnostics.push(yaml_diagnostic(index, &error));
            broken.push(BrokenEntry {
                file: index,
                role,
                unit: unit(),
                entry: None,
            });
            None
        }
    };
    Parsed {
        doc,
        diagnostics,
        broken,
    }
}

/// A file to parse: its index, and its role.
type Job = (usize, FileRole);

/// Parses `jobs`, on several threads when there are cores to spare (files
/// are independent). Results are in `jobs` order.
fn parse_jobs(sources: &Sources, jobs: &[Job]) -> Vec<Parsed> {
    let parse_one = |&(index, role): &Job| match sources.files.get(index) {
        Some(file) => parse_role(index, file, role),
        None => Parsed::failed(unexpected_file(index)),
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_PARSE_THREADS)
            .min(jobs.len());
        if threads > 1 {
            if let Some(results) = parse_in_parallel(sources, jobs, threads, &parse_one) {
                return results;
            }
        }
    }
    jobs.iter().map(parse_one).collect()
}

/// Most threads a build parses with.
#[cfg(not(target_arch = "wasm32"))]
const MAX_PARSE_THREADS: usize = 8;

/// Parses `jobs` on `threads` threads, largest file first, each thread taking
/// the next file when it is free. `None` if no thread could be started.
#[cfg(not(target_arch = "wasm32"))]
fn parse_in_parallel<F>(
    sources: &Sources,
    jobs: &[Job],
    threads: usize,
    parse_one: &F,
) -> Option<Vec<Parsed>>
where
    F: Fn(&Job) -> Parsed + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let size = |job: &Job| sources.files.get(job.0).map_or(0, |f| f.text.len());
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs.get(i).map_or(0, size)));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let taken = next.fetch_add(1, Ordering::Relaxed);
            let Some(&position) = order.get(taken) else {
                return done;
            };
            if let Some(job) = jobs.get(position) {
                done.push((position, parse_one(job)));
            }
        }
    };
    let mut results: Vec<(usize, Parsed)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        if helpers.is_empty() {
            return None;
        }
        let mut all = work();
        for helper in helpers {
            // A helper that panicked has lost its files: parse them again here.
            all.extend(helper.join().unwrap_or_default());
        }
        Some(all)
    })?;
    if results.len() != jobs.len() {
        return None;
    }
    results.sort_by_key(|(position, _)| *position);
    Some(results.into_iter().map(|(_, result)| result).collect())
}

/// The warning for a file outside the bundle layout.
fn unexpected_file(index: usize) -> Diagnostic {
    Diagnostic::warning(
        codes::UNEXPECTED_FILE,
        Loc::file(index),
        "this file is not part of the bundle layout and was not read",
    )
    .with_help(
        "pathways go in pathways/, modules in modules/, case packs end in .cases.yaml; \
         catalogues are dispositions.yaml and care-advice.yaml at the top",
    )
}

/// Parses the files of `sources` that `options` asks for, collecting every
/// problem. Without case packs, `*.cases.yaml` files are neither parsed nor
/// reported on.
pub fn parse_with(
    sources: &Sources,
    options: &crate::BuildOptions,
) -> (BundleDoc, Vec<Diagnostic>) {
    let mut doc = BundleDoc::default();
    let mut diagnostics = Vec::new();
    let mut seen_dispositions = false;
    let mut seen_advice = false;
    // First the cheap checks, in file order; then the parsing, which may run
    // on several threads; then the results, in file order again.
    let mut jobs: Vec<Job> = Vec::new();
    for (index, file) in sources.files.iter().enumerate() {
        let role = FileRole::of(&file.path);
        // Case packs are read only when asked for, and only by builds for authors.
        if role == FileRole::CasePack && !(options.case_packs && cfg!(feature = "authoring")) {
            continue;
        }
        if sources.refused.contains(&index) {
            // A placeholder for a file that could not be read; already reported.
            doc.failed_files += 1;
            doc.failed.push(role);
            doc.broken.push(unread(index, file, role));
            continue;
        }
        if let Some(line) = long_line(&file.text) {
            diagnostics.push(
                Diagnostic::error(
                    codes::FILE_TOO_LARGE,
                    Loc {
                        file: index,
                        line,
                        column: 1,
                    },
                    format!("this line is longer than {MAX_LINE_BYTES} bytes"),
                )
                .with_help("break long text over several lines with a YAML block scalar (`>`)"),
            );
            doc.failed_files += 1;
            doc.failed.push(role);
            doc.broken.push(unread(index, file, role));
            continue;
        }
        diagnostics.extend(steering_characters(index, &file.text));
        match role {
            FileRole::Dispositions => seen_dispositions = true,
            FileRole::CareAdvice => seen_advice = true,
            FileRole::Other => {
                diagnostics.push(unexpected_file(index));
                continue;
            }
            _ => {}
        }
        jobs.push((index, role));
    }
    let results = parse_jobs(sources, &jobs);
    for (&(index, role), result) in jobs.iter().zip(results) {
        diagnostics.extend(result.diagnostics);
        doc.broken.extend(result.broken);
        match result.doc {
            Some(ParsedDoc::Dispositions(parsed)) => doc.dispositions = Some((index, parsed)),
            Some(ParsedDoc::CareAdvice(parsed)) => doc.care_advice.push((index, parsed)),
            Some(ParsedDoc::Synonyms(parsed)) => doc.synonyms = Some((index, parsed)),
            Some(ParsedDoc::Module(parsed)) => doc.modules.push((index, parsed)),
            Some(ParsedDoc::Pathway(parsed)) => doc.pathways.push((index, parsed)),
            #[cfg(feature = "authoring")]
            Some(ParsedDoc::CasePack(parsed)) => doc.case_packs.push((index, parsed)),
            None => {
                doc.failed_files += 1;
                doc.failed.push(role);
            }
        }
    }
    for (seen, role, name, what) in [
        (
            seen_dispositions,
            FileRole::Dispositions,
            "dispositions.yaml",
            "the disposition catalogue",
        ),
        (
            seen_advice,
            FileRole::CareAdvice,
            "care-advice.yaml",
            "the care-advice catalogue, nor a care-advice/ directory",
        ),
    ] {
        if !seen {
            // Reported once here, not again at every reference to an entry.
            doc.failed.push(role);
            let message = format!("the bundle has no {name} ({what})");
            diagnostics.push(
                Diagnostic::error(codes::MISSING_FILE, Loc::file(usize::MAX), message)
                    .with_help(format!("add {name} at the top of the bundle directory")),
            );
        }
    }
    (doc, diagnostics)
}

/// A file none of which could be read, with its pathway or module id as far
/// as its text or name tells.
fn unread(index: usize, file: &SourceFile, role: FileRole) -> BrokenEntry {
    BrokenEntry {
        file: index,
        role,
        unit: unit_of_unread(file, role),
        entry: None,
    }
}

#[cfg(feature = "authoring")]
fn unit_of_unread(file: &SourceFile, role: FileRole) -> Option<String> {
    let path: &[&str] = match role {
        FileRole::Pathway => &["pathway", "id"],
        FileRole::Module => &["module", "id"],
        FileRole::CasePack => &["pathway"],
        _ => return None,
    };
    unit_from_text(file, path)
}

/// Without authoring, a bundle with any error is refused whole: no need to
/// know which unit a broken file held.
#[cfg(not(feature = "authoring"))]
fn unit_of_unread(_: &SourceFile, _: FileRole) -> Option<String> {
    None
}

#[cfg(feature = "authoring")]
/// The id of a file that is not valid YAML, read from its text: the first
/// `id:` under the `pathway:` or `module:` line (or, for a case pack, the
/// top-level `pathway:`), else the file's name.
fn unit_from_text(file: &SourceFile, path: &[&str]) -> Option<String> {
    let value = |line: &str, key: &str| {
        line.strip_prefix(key)
            .map(|rest| rest.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    };
    let from_text = match path {
        [top] => file.text.lines().find_map(|l| value(l, &format!("{top}:"))),
        [top, key] => file
            .text
            .lines()
            .skip_while(|l| l.trim_end() != format!("{top}:"))
            .find_map(|l| value(l.trim_start(), &format!("{key}:"))),
        _ => None,
    };
    from_text.or_else(|| {
        let name = file.path.rsplit('/').next()?;
        let stem = name.split('.').next()?;
        (!stem.is_empty()).then(|| stem.to_string())
    })
}

#[cfg(feature = "authoring")]
/// For a syntax error at a `key:` line indented differently from the keys
/// around it, a diagnostic that names the key, says how far it is indented
/// and what it should line up with.
fn indentation_diagnostic(
    index: usize,
    file: &SourceFile,
    error: &crate::yaml::Error,
) -> Option<Diagnostic> {
    let lines: Vec<&str> = file.text.lines().collect();
    let at = usize::try_from(error.line).ok()?.checked_sub(1)?;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let key = |l: &str| {
        let t = l.trim_start();
        let name = t.split(':').next()?;
        (t.len() > name.len()
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then(|| name.to_string())
    };
    let content = |l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let line = lines.get(at)?;
    let name = key(line)?;
    let previous_content = lines.get(..at)?.iter().rposition(&content)?;
    // The nearest key above that could be this key's sibling: indented about
    // as far (a deeper key ends a nested block above).
    let (candidate_at, candidate) = lines
        .get(..at)?
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| content(l) && key(l).is_some() && indent(l) <= indent(line) + 2)?;
    // A key just above that opens a block (`question:`) is this key's parent:
    // it lines up with the next key instead.
    let parent = candidate_at == previous_content && candidate.trim_end().ends_with(':');
    let (other_at, other) = if parent {
        lines
            .iter()
            .enumerate()
            .skip(at + 1)
            .find(|(_, l)| content(l) && key(l).is_some() && indent(l) > indent(candidate))?
    } else {
        (candidate_at, candidate)
    };
    let other_key = key(other)?;
    let (mine, theirs) = (indent(line), indent(other));
    if mine == theirs {
        return None;
    }
    Some(syntax_at(
        index,
        usize::try_from(error.line).unwrap_or(usize::MAX),
        mine + 1,
        format!(
            "`{name}` is indented by {mine} spaces, out of line with `{other_key}` on line {} ({theirs} spaces)",
            other_at + 1
        ),
        format!("keys of one mapping line up: indent `{name}` by {theirs} spaces, like `{other_key}`"),
    ))
}

/// Whether a character could steer a terminal or reorder what a page shows:
/// C0 controls but tab, line feed and carriage return; DEL and the C1
/// controls; and the bidirectional embeddings, overrides and isolates.
pub fn steers(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why a steering character is refused (see [`steers`]).
pub(crate) const STEERS: &str = "it could steer a terminal or a page that shows it";

/// What to do about one.
pub(crate) const PLAIN_TEXT: &str = "delete it: bundle files hold plain text";

/// An error for each of the first few characters of `text` that could steer
/// a terminal or a page (see [`steers`]), wherever it is: a text, an id or a
/// comment, all of which can be shown.
fn steering_characters(file: usize, text: &str) -> Vec<Diagnostic> {
    const MOST: usize = 10;
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for (column, c) in line.chars().enumerate().filter(|(_, c)| steers(*c)) {
            if found.len() == MOST {
                return found;
            }
            found.push(
                Diagnostic::error(
                    codes::STEERING_CHARACTER,
                    Loc {
                        file,
                        line: u32::try_from(number + 1).unwrap_or(u32::MAX),
                        column: u32::try_from(column + 1).unwrap_or(u32::MAX),
                    },
                    format!(
                        "control character U+{:04X} in this line: {STEERS}",
                        u32::from(c)
                    ),
                )
                .with_help(PLAIN_TEXT),
            );
        }
    }
    found
}

#[cfg(feature = "authoring")]
/// For a syntax error caused by a tab in a line's indentation, a diagnostic
/// that says so and points at the tab: YAML indents with spaces only, and
/// the parser's own words (and column) do not make that plain.
fn tab_diagnostic(
    index: usize,
    file: &SourceFile,
    error: &crate::yaml::Error,
) -> Option<Diagnostic> {
    let last = usize::try_from(error.line).ok().filter(|&l| l > 0)?;
    let (line, column) = file
        .text
        .lines()
        .take(last)
        .enumerate()
        .find_map(|(i, text)| {
            let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
            text[..indent].find('\t').map(|at| (i + 1, at + 1))
        })?;
    Some(syntax_at(
        index,
        line,
        column,
        "a tab in the indentation of this line".to_owned(),
        "YAML indents with spaces only: replace the tab with spaces, lining the line up with the others at its level (set your editor to insert spaces for Tab)".to_owned(),
    ))
}

/// A YAML syntax error (L004) at a 1-based line and column, in plain words.
#[cfg(feature = "authoring")]
fn syntax_at(
    index: usize,
    line: usize,
    column: usize,
    message: String,
    help: String,
) -> Diagnostic {
    let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Diagnostic::error(
        codes::YAML_SYNTAX,
        Loc {
            file: index,
            line: at(line),
            column: at(column),
        },
        message,
    )
    .with_help(help)
}

fn long_line(text: &str) -> Option<u32> {
    text.split('\n')
        .position(|line| line.len() > MAX_LINE_BYTES)
        .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// Parses one file as `T`, turning a YAML or shape error into a located diagnostic.
pub fn parse_file<T: DeserializeOwned>(
    index: usize,
    file: &SourceFile,
) -> Result<T, Box<Diagnostic>> {
    crate::yaml::from_str(&file.text).map_err(|e| Box::new(yaml_diagnostic(index, &e)))
}

fn yaml_diagnostic(index: usize, error: &crate::yaml::Error) -> Diagnostic {
    use crate::yaml::ErrorKind as K;
    let loc = if error.line > 0 {
        Loc {
            file: index,
            line: error.line,
            column: error.column,
        }
    } else {
        Loc::file(index)
    };
    let (code, help): (_, String) = match &error.kind {
        K::Syntax(_) => (
            codes::YAML_SYNTAX,
            "check indentation, colons, quotes and brackets near this line".to_string(),
        ),
        K::Budget(_) => (
            codes::YAML_BUDGET,
            "pathway files are small and shallow; remove deep nesting, anchors and aliases"
                .to_string(),
        ),
        K::UnknownField { field, expected } => (
            codes::UNKNOWN_KEY,
            if *field == "within_minutes" {
                // Renamed: one number read both as the person's deadline and a service target.
                "`within_minutes` was split in two: `act_within_minutes` is how soon the person \
                 should act (0 for now), `service_standard_minutes` is a service's own target \
                 (the ambulance response standard, the call-back time), never shown as a deadline"
                    .to_string()
            } else if expected.is_empty() {
                format!("remove `{field}`: nothing is allowed here")
            } else {
                crate::diag::did_you_mean(
                    field,
                    expected.iter().copied(),
                    &format!(
                        "remove `{field}` or correct its spelling; allowed here: {}",
                        expected.join(", ")
                    ),
                )
            },
        ),
        K::MissingField(field) => (
            codes::MISSING_KEY,
            format!("add `{field}:` here (see docs/pathway-language.md)"),
        ),
        K::UnknownVariant { variant, expected } => (
            codes::WRONG_TYPE,
            crate::diag::did_you_mean(
                variant,
                expected.iter().copied(),
                &format!(
                    "`{variant}` is not allowed here; use one of: {}",
                    expected.join(", ")
                ),
            ),
        ),
        K::Invalid(_) => (
            codes::WRONG_TYPE,
            "check the value's type against docs/pathway-language.md".to_string(),
        ),
        K::DuplicateField(_) => (
            codes::DUPLICATE_KEY,
            "each key may appear once in a mapping; remove or rename the repeat".to_string(),
        ),
        K::Steering(_) => (codes::STEERING_CHARACTER, PLAIN_TEXT.to_string()),
    };
    let mut message = error.to_string();
    if message.is_empty() {
        message = "the YAML could not be read".to_string();
    }
    let d = Diagnostic::error(code, loc, message).with_help(help);
    match error.first {
        Some((line, column)) if (line, column) != (error.line, error.column) => d.with_related(
            Loc {
                file: index,
                line,
                column,
            },
            "first written here",
        ),
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, text: &str) -> (Sources, Vec<Diagnostic>) {
        Sources::from_texts(vec![(path.to_string(), text.to_string())])
    }

    #[test]
    fn roles_follow_the_layout() {
        assert_eq!(FileRole::of("dispositions.yaml"), FileRole::Dispositions);
        assert_eq!(FileRole::of("care-advice.yaml"), FileRole::CareAdvice);
        assert_eq!(FileRole::of("care-advice/fever.yaml"), FileRole::CareAdvice);
        assert_eq!(FileRole::of("modules/sepsis.yaml"), FileRole::Module);
        assert_eq!(FileRole::of("pathways/cough.yaml"), FileRole::Pathway);
        assert_eq!(
            FileRole::of("pathways/cough.cases.yaml"),
            FileRole::CasePack
        );
        assert_eq!(FileRole::of("modules/x.cases.yml"), FileRole::CasePack);
        assert_eq!(FileRole::of("pathways/sub/cough.yaml"), FileRole::Other);
        assert_eq!(FileRole::of("notes.yaml"), FileRole::Other);
    }

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let (sources, _) = one(
            "dispositions.yaml",
            "dispositions:\n  - id: a\n    code: Dx1\n    titel: A\n",
        );
        let (_, diags) = parse(&sources);
        let d = diags.iter().find(|d| d.code == codes::UNKNOWN_KEY).unwrap();
        assert_eq!((d.loc.line, d.loc.column), (4, 5));
        assert!(d.message.contains("titel"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("title"));
    }

    #[test]
    fn missing_key_points_at_the_start_of_its_mapping() {
        let (sources, _) = one(
            "dispositions.yaml",
            "dispositions:\n  - id: a\n    code: Dx1\n    service: gp\n    rank: 1\n  - id: b\n    title: B\n    code: Dx2\n    service: gp\n    rank: 2\n",
        );
        let (_, diags) = parse(&sources);
        let d = diags.iter().find(|d| d.code == codes::MISSING_KEY).unwrap();
        assert!(d.message.contains("title"), "{d:?}");
        assert_eq!(d.loc.line, 2, "{d:?}");
    }

    #[test]
    fn syntax_error_is_located() {
        let (sources, _) = one("pathways/x.yaml", "pathway: [\n");
        let (_, diags) = parse(&sources);
        let d = diags.iter().find(|d| d.code == codes::YAML_SYNTAX).unwrap();
        assert_eq!(d.loc.line, 1);
    }

    #[test]
    fn missing_catalogues_are_reported() {
        let (sources, _) = one("pathways/x.cases.yaml", "pathway: x\ncases: []\n");
        let (doc, diags) = parse(&sources);
        assert_eq!(doc.case_packs.len(), 1);
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.code == codes::MISSING_FILE)
                .count(),
            2
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let (sources, _) = one("dispositions.yaml", &text);
        let (doc, diags) = parse(&sources);
        assert!(doc.dispositions.is_none());
        assert!(diags.iter().any(|d| d.code == codes::YAML_BUDGET
            || d.code == codes::UNKNOWN_KEY
            || d.code == codes::WRONG_TYPE));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!(
            "dispositions:\n{}{}\n",
            "[\n".repeat(10_000),
            "]\n".repeat(10_000)
        );
        let (sources, _) = one("dispositions.yaml", &text);
        let (_, diags) = parse(&sources);
        assert!(diags
            .iter()
            .any(|d| d.code == codes::YAML_BUDGET || d.code == codes::YAML_SYNTAX));
    }

    #[test]
    fn long_lines_and_large_texts_are_refused() {
        let (sources, _) = one(
            "dispositions.yaml",
            &format!("dispositions: []\n# {}\n", "x".repeat(MAX_LINE_BYTES + 1)),
        );
        let (_, diags) = parse(&sources);
        let d = diags
            .iter()
            .find(|d| d.code == codes::FILE_TOO_LARGE)
            .unwrap();
        assert_eq!(d.loc.line, 2);

        let (sources, diags) = one("dispositions.yaml", &"#\n".repeat(MAX_FILE_BYTES));
        assert_eq!(diags[0].code, codes::FILE_TOO_LARGE);
        assert_eq!(sources.files[0].text, "");
    }
}
