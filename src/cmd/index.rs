//! `triage index DIR [--check]`: the table of pathways in `DIR/README.md`,
//! rewritten from the bundle, or checked against it.

use super::{list, Bundle};
use crate::output::{self, Status};

/// The command that rewrites the index, as messages name it.
const REGENERATE: &str = "triage index";

/// Rewrites the table of `README.md` in the bundle directory (the lines from
/// the `| Pathway |` header to the last row) from the bundle; with `check`,
/// only says whether it is up to date (exit 1 when not).
pub fn index(bundle: &Bundle, dir: &std::path::Path, check: bool) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let path = dir.join("README.md");
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return Ok(output::usage_error(&format!(
                "cannot read {shown}: {e}; the index is a table in the bundle's README.md, under a line starting `| Pathway |`"
            )))
        }
    };
    let Some(updated) = replace_table(&text, &list::index_table(compiled)) else {
        return Ok(output::usage_error(&format!(
            "{shown} has no index table; add a line starting `| Pathway |` where it should go, then run `{REGENERATE} {}`",
            dir.display()
        )));
    };
    if updated == text {
        output::print(&format!("{shown} is up to date\n"))?;
        return Ok(Status::Ok);
    }
    if check {
        output::eprint(&format!(
            "{shown} is out of date with the pathways: run `{REGENERATE} {}`\n",
            dir.display()
        ));
        return Ok(Status::Failed);
    }
    std::fs::write(&path, &updated)?;
    output::print(&format!("{shown}: index rewritten\n"))?;
    Ok(Status::Ok)
}

/// `text` with its Markdown table that starts at the `| Pathway |` header
/// replaced by `table`; `None` when there is no such table.
fn replace_table(text: &str, table: &str) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let start = lines.iter().position(|l| l.starts_with("| Pathway |"))?;
    let end = lines
        .iter()
        .skip(start)
        .position(|l| !l.starts_with('|'))
        .map_or(lines.len(), |n| start + n);
    let mut out: Vec<&str> = lines[..start].to_vec();
    out.extend(table.trim_end_matches('\n').split('\n'));
    out.extend(&lines[end..]);
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::replace_table;

    #[test]
    fn the_table_is_replaced_and_the_text_around_it_kept() {
        let text = "# Title\n\n| Pathway | x |\n|---|---|\n| old | 1 |\n\nAfter.\n";
        let new = replace_table(text, "| Pathway | x |\n|---|---|\n| new | 2 |\n").unwrap();
        assert_eq!(
            new,
            "# Title\n\n| Pathway | x |\n|---|---|\n| new | 2 |\n\nAfter.\n"
        );
        assert_eq!(replace_table("no table\n", "| Pathway |\n"), None);
    }
}
