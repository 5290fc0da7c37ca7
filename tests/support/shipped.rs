//! The shipped bundle and the YAML data sets the content tests read
//! (`tests/corpus/`, `tests/eval/`), shared by the search and the
//! standardized-patient tests.

use serde::de::DeserializeOwned;
use std::sync::OnceLock;
use triage_core::compile::CompiledBundle;

/// The shipped bundle, built once per test binary.
pub fn bundle() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<triage_core::Built> = OnceLock::new();
    BUNDLE
        .get_or_init(|| triage_core::build_dir("pathways".as_ref()))
        .bundle
        .as_ref()
        .expect("the shipped bundle builds without errors")
}

/// Every `*.yaml` file of `dir`, in name order, read as `T`, with its path.
pub fn yaml_files<T: DeserializeOwned>(dir: &str) -> Vec<(String, T)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
                .path()
        })
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let value = serde_saphyr::from_str(&text).unwrap_or_else(|e| {
                panic!("{} is not of the documented shape: {e}", path.display())
            });
            (path.display().to_string(), value)
        })
        .collect()
}
