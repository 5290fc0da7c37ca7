//! `triage compile DIR -o FILE`: the validated, compiled bundle as one file
//! that loads without parsing YAML (`triage_core::artifact`).

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
