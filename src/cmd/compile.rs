//! `triage compile DIR -o FILE`: the validated, compiled bundle as one file
//! that loads without parsing YAML (`triage_core::artifact`).

use super::Bundle;
use crate::output::{self, Status};
use std::io::Write;
use std::path::Path;

/// Compiles the bundle and writes its artifact to `out`: to a temporary file
/// beside it first, then renamed over it, so that `out` is never left half
/// written (a service may be reading it).
pub fn compile(bundle: &Bundle, out: &Path) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let bytes = triage_core::artifact::to_bytes(compiled);
    let shown = out.display();
    if out.is_dir() {
        return Ok(output::usage_error(&format!(
            "{shown} is a directory; give the file to write, e.g. `-o pathways.triage`"
        )));
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
    let stats = compiled.stats();
    output::eprint(&format!(
        "wrote {shown}: {} pathways, {} modules, {} compiled nodes, {} bytes; content hash {}\n",
        stats.pathways,
        stats.modules,
        compiled.compiled_nodes(),
        bytes.len(),
        compiled.hash()
    ));
    Ok(Status::Ok)
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
