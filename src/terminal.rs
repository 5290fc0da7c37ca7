//! Text for a person at a terminal: colour only where it can be seen, lines
//! that fit the window, and bundle text that cannot steer the terminal.

use anstyle::{AnsiColor, Style};
use clap::ColorChoice;
use std::borrow::Cow;
use textwrap::{WordSeparator, WordSplitter};

/// Narrowest width wrapped to: narrower windows get lines of this width.
pub const MIN_WIDTH: usize = 20;
/// Widest width wrapped to: longer lines are hard to read.
pub const MAX_WIDTH: usize = 120;
/// The width when neither the terminal nor `COLUMNS` says.
const DEFAULT_WIDTH: usize = 80;

/// Headings and questions.
pub const BOLD: Style = Style::new().bold();
/// Help and hints: there to read, not to answer.
pub const DIM: Style = Style::new().dimmed();
/// An outcome that needs an ambulance or A&E.
pub const EMERGENCY: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
/// An outcome that needs another service within a day.
pub const URGENT: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
/// An outcome that can wait, or care at home.
pub const CALM: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));

/// Whether to colour stdout: `--color always` and `never` decide; `auto`
/// colours a terminal unless `NO_COLOR` is set (it wins over everything
/// else, as no-color.org asks), and `CLICOLOR_FORCE` colours even a pipe.
pub fn use_color(choice: ColorChoice, stdout_is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if anstyle_query::no_color() {
                false
            } else if anstyle_query::clicolor_force() {
                true
            } else {
                stdout_is_terminal && anstyle_query::term_supports_color()
            }
        }
    }
}

/// The width to wrap at: the terminal's when stdout is one, else `COLUMNS`,
/// else 80; kept within [`MIN_WIDTH`] and [`MAX_WIDTH`].
pub fn width(stdout_is_terminal: bool) -> usize {
    let of_terminal = || {
        stdout_is_terminal
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(width, _)| usize::from(width.0))
    };
    let of_columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|columns| columns.trim().parse::<usize>().ok())
    };
    of_terminal()
        .or_else(of_columns)
        .filter(|&width| width > 0)
        .unwrap_or(DEFAULT_WIDTH)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

/// `text` without the characters that could steer a terminal: every C0 and
/// C1 control (ESC among them) and every bidirectional override is dropped,
/// a tab becomes a space, and only line breaks stay. Bundle text passes through this before it is shown,
/// so only the styles written here reach the terminal as escapes.
pub fn clean(text: &str) -> Cow<'_, str> {
    let steers = |c: char| c != '\n' && (matches!(c, '\t' | '\r') || triage_core::load::steers(c));
    if !text.chars().any(steers) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if steers(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// How text is laid out on this terminal.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    /// Whether styles are written.
    pub color: bool,
    /// The width lines are wrapped to.
    pub width: usize,
}

impl Screen {
    /// `text` in `style`, or as it is without colour.
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// `text` cleaned and wrapped at spaces: the first line starts with
    /// `first`, later ones with `rest` (a hanging indent), and each line is
    /// painted in `style`. A word longer than a line is the only one broken.
    pub fn wrap(&self, text: &str, first: &str, rest: &str, style: Style) -> Vec<String> {
        let options = textwrap::Options::new(self.width)
            .initial_indent(first)
            .subsequent_indent(rest)
            .word_separator(WordSeparator::AsciiSpace)
            .word_splitter(WordSplitter::NoHyphenation);
        textwrap::wrap(&clean(text), options)
            .iter()
            .map(|line| self.paint(style, line))
            .collect()
    }

    /// As [`Screen::wrap`], as one string ending in a newline.
    pub fn block(&self, text: &str, first: &str, rest: &str, style: Style) -> String {
        let mut lines = self.wrap(text, first, rest, style).join("\n");
        lines.push('\n');
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Screen = Screen {
        color: false,
        width: 20,
    };

    #[test]
    fn cleaning_drops_escapes_and_controls_but_keeps_line_breaks() {
        assert_eq!(clean("\u{1b}[2JHi\u{7}"), "[2JHi");
        assert_eq!(clean("a\u{9b}31mb"), "a31mb");
        assert_eq!(clean("a\tb\r\nc"), "a b\nc");
        assert!(matches!(clean("Chest pain"), Cow::Borrowed(_)));
    }

    #[test]
    fn wrapping_breaks_at_spaces_with_a_hanging_indent() {
        assert_eq!(
            PLAIN.wrap(
                "A cough for more than 3 weeks",
                "  1. ",
                "     ",
                Style::new()
            ),
            ["  1. A cough for", "     more than 3", "     weeks"]
        );
        // A hyphenated word stays whole; only a word longer than the line is broken.
        assert_eq!(
            PLAIN.wrap("a cough, long-lasting", "", "", Style::new()),
            ["a cough,", "long-lasting"]
        );
        assert_eq!(
            PLAIN.wrap("Pneumonoultramicroscopic", "", "", Style::new()),
            ["Pneumonoultramicrosc", "opic"]
        );
    }

    #[test]
    fn wrapping_cleans_bundle_text() {
        let lines = PLAIN.wrap("\u{1b}]0;owned\u{7}Title", "", "", Style::new());
        assert_eq!(lines, ["]0;ownedTitle"]);
    }

    #[test]
    fn paint_writes_escapes_only_with_colour() {
        assert_eq!(PLAIN.paint(BOLD, "Hi"), "Hi");
        let colored = Screen {
            color: true,
            ..PLAIN
        };
        assert_eq!(colored.paint(BOLD, "Hi"), "\u{1b}[1mHi\u{1b}[0m");
    }

    #[test]
    fn explicit_colour_choices_override_the_environment() {
        assert!(use_color(ColorChoice::Always, false));
        assert!(!use_color(ColorChoice::Never, true));
    }
}
