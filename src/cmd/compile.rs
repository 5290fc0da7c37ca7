//! `triage compile DIR -o FILE`: the validated, compiled bundle as one file
//! that loads without parsing YAML (`triage_core::artifact`); `--split
//! FOLDER`: the same bundle as a catalog and one part per pathway, for pages
//! that download only what a person needs.

use super::Bundle;
use crate::output::{self, Status};
use std::io::Write;
use std::path::Path;

/// Compiles the bundle in `dir` and writes its artifact to `out` (`-` for
/// standard output): to a temporary file beside it first, then renamed over
/// it, so that `out` is never left half written (a service may be reading
/// it).
pub fn compile(bundle: &Bundle, dir: &Path, out: &Path) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let bytes = triage_core::artifact::to_bytes(compiled);
    if out == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&bytes)?;
        stdout.flush()?;
        output::eprint(&summary(compiled, "standard output", bytes.len()));
        return Ok(Status::Ok);
    }
    let shown = out.display();
    if out.is_dir() {
        return Ok(output::usage_error(&format!(
            "{shown} is a directory; give the file to write, e.g. `-o pathways.triage`"
        )));
    }
    // Never over one of the files it was compiled from.
    if let Ok(target) = out.canonicalize() {
        let is_source = bundle.built.sources.files.iter().any(|file| {
            dir.join(&file.path)
                .canonicalize()
                .is_ok_and(|source| source == target)
        });
        if is_source {
            return Ok(output::usage_error(&format!(
                "{shown} is one of the bundle's own files; write the compiled bundle elsewhere, e.g. `-o pathways.triage`"
            )));
        }
    }
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let written = tempfile_in(folder).and_then(|(mut file, temporary)| {
        let result = file
            .write_all(&bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&temporary, out));
        if result.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        result
    });
    if let Err(error) = written {
        output::eprint(&format!("error: cannot write {shown}: {error}\n"));
        return Ok(Status::Failed);
    }
    output::eprint(&summary(compiled, &shown.to_string(), bytes.len()));
    Ok(Status::Ok)
}

/// Splits the bundle in `dir` and writes its catalog and parts into
/// `folder` (made if missing), each file written whole before it is renamed
/// into place. Files of an earlier split that this one does not write are
/// left alone.
pub fn split(bundle: &Bundle, dir: &Path, folder: &Path) -> std::io::Result<Status> {
    if let Err(status) = bundle.compiled() {
        return Ok(status);
    }
    let split = match bundle.built.split() {
        Some(Ok(split)) => split,
        Some(Err(error)) => {
            output::eprint(&format!("error: the bundle cannot be split: {error}\n"));
            return Ok(Status::Failed);
        }
        None => return Ok(Status::Failed),
    };
    let shown = folder.display();
    if folder.is_file() {
        return Ok(output::usage_error(&format!(
            "{shown} is a file; give the folder to write the split bundle into"
        )));
    }
    if let (Ok(target), Ok(source)) = (folder.canonicalize(), dir.canonicalize()) {
        if target.starts_with(&source) {
            return Ok(output::usage_error(&format!(
                "{shown} is inside the bundle's own folder; write the split bundle elsewhere"
            )));
        }
    }
    if let Err(error) = std::fs::create_dir_all(folder) {
        output::eprint(&format!("error: cannot make {shown}: {error}\n"));
        return Ok(Status::Failed);
    }
    let mut files = vec![(
        triage_core::compile::CATALOG_FILE.to_string(),
        triage_core::artifact::to_bytes(&split.catalog),
    )];
    for (pathway, part) in &split.parts {
        files.push((
            triage_core::compile::part_file_name(pathway),
            triage_core::artifact::to_bytes(part),
        ));
    }
    let mut sizes: Vec<usize> = files.iter().skip(1).map(|(_, b)| b.len()).collect();
    sizes.sort_unstable();
    for (name, bytes) in &files {
        if let Err(error) = write_whole(folder, &folder.join(name), bytes) {
            output::eprint(&format!(
                "error: cannot write {}: {error}\n",
                folder.join(name).display()
            ));
            return Ok(Status::Failed);
        }
    }
    let catalog = files.first().map_or(0, |(_, b)| b.len());
    output::eprint(&format!(
        "wrote {shown}: {} ({catalog} bytes) and {} parts ({} to {} bytes, median {}); content hash {}\n",
        triage_core::compile::CATALOG_FILE,
        sizes.len(),
        sizes.first().copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0),
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        split.catalog.hash()
    ));
    Ok(Status::Ok)
}

/// Writes `bytes` to a temporary file in `folder`, then renames it to `out`.
fn write_whole(folder: &Path, out: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (mut file, temporary) = tempfile_in(folder)?;
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, out));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// What was written, and where, for stderr.
fn summary(compiled: &triage_core::compile::CompiledBundle, to: &str, bytes: usize) -> String {
    let stats = compiled.stats();
    format!(
        "wrote {to}: {} pathways, {} modules, {} compiled nodes, {bytes} bytes; content hash {}\n",
        stats.pathways,
        stats.modules,
        compiled.compiled_nodes(),
        compiled.hash()
    )
}

/// A new file in `folder` with a name no other writer uses.
fn tempfile_in(folder: &Path) -> std::io::Result<(std::fs::File, std::path::PathBuf)> {
    let mut attempt = 0u32;
    loop {
        let path = folder.join(format!(
            ".triage-compile-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, path)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}
