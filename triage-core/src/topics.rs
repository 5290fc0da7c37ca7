//! The symptom topics of NHS 111 online: the list a person starts from, with
//! the age bands and sexes each topic is offered for.
//!
//! `topics.csv` is the list as published (December 2019 starting pathways,
//! 122 topics, 401 topic-band pairs); the three reception points that the
//! service reached from its start (chest pain, probable stroke, recent fit)
//! are added for every age band. Pathways declare the topics they serve
//! (`topics:`); the validator checks the claims and `triage coverage`
//! reports the gaps.

use crate::vocab::Sex;
use std::sync::OnceLock;

/// The list as published: `title,age_bands,sexes`, one topic a line.
const LIST: &str = include_str!("topics.csv");

/// Reception points: reached from the start of 111 online, for everyone.
const RECEPTION_POINTS: [&str; 3] = ["Chest and Upper Back Pain", "Probable Stroke", "Recent Fit"];

/// An age band of the list, in years: `[from, below)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBand {
    /// Under 1 (infant).
    Infant,
    /// 1 to 4 (toddler).
    Toddler,
    /// 5 to 15 (child).
    Child,
    /// 16 and over (adult).
    Adult,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Infant,
        AgeBand::Toddler,
        AgeBand::Child,
        AgeBand::Adult,
    ];

    /// The band's ages in years, `[from, below)`; the adult band has no upper limit.
    pub fn years(self) -> (f64, f64) {
        match self {
            AgeBand::Infant => (0.0, 1.0),
            AgeBand::Toddler => (1.0, 5.0),
            AgeBand::Child => (5.0, 16.0),
            AgeBand::Adult => (16.0, f64::INFINITY),
        }
    }

    /// As the list writes it: `0-1`, `1-5`, `5-16`, `16+`.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Infant => "0-1",
            AgeBand::Toddler => "1-5",
            AgeBand::Child => "5-16",
            AgeBand::Adult => "16+",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The band a person of `age` years is in.
    pub fn of_age(age: f64) -> AgeBand {
        AgeBand::ALL
            .into_iter()
            .rev()
            .find(|band| age >= band.years().0)
            .unwrap_or(AgeBand::Infant)
    }
}

/// One topic of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// The title as 111 online shows it, e.g. `Arm Injury, Blunt`.
    pub title: String,
    /// A stable id made from the title, e.g. `arm-injury-blunt`.
    pub id: String,
    bands: u8,
    sexes: u8,
    /// Reached from the service's start rather than chosen from the list.
    pub reception_point: bool,
}

impl Topic {
    /// The age bands it is offered for, youngest first.
    pub fn bands(&self) -> impl Iterator<Item = AgeBand> + '_ {
        AgeBand::ALL
            .into_iter()
            .filter(|band| self.bands & band.bit() != 0)
    }

    /// Whether it is offered for `band`.
    pub fn has_band(&self, band: AgeBand) -> bool {
        self.bands & band.bit() != 0
    }

    /// The sexes it is offered for.
    pub fn sexes(&self) -> impl Iterator<Item = Sex> + '_ {
        [Sex::Female, Sex::Male]
            .into_iter()
            .filter(|sex| self.sexes & sex_bit(*sex) != 0)
    }

    /// Whether it is offered for `sex`.
    pub fn has_sex(&self, sex: Sex) -> bool {
        self.sexes & sex_bit(sex) != 0
    }

    /// Whether it is offered for a person of `age` years and `sex`.
    pub fn offered(&self, age: f64, sex: Sex) -> bool {
        self.has_band(AgeBand::of_age(age)) && self.has_sex(sex)
    }
}

fn sex_bit(sex: Sex) -> u8 {
    match sex {
        Sex::Female => 1,
        Sex::Male => 2,
    }
}

/// A topic's index in [`all`].
pub type TopicIdx = u16;

/// Every topic: the published list in its order, then the reception points.
pub fn all() -> &'static [Topic] {
    static TOPICS: OnceLock<Vec<Topic>> = OnceLock::new();
    TOPICS.get_or_init(|| {
        let mut topics: Vec<Topic> = LIST.lines().skip(1).filter_map(parse_line).collect();
        topics.extend(RECEPTION_POINTS.iter().map(|title| Topic {
            title: (*title).to_string(),
            id: slug(title),
            bands: AgeBand::ALL.iter().fold(0, |set, b| set | b.bit()),
            sexes: 3,
            reception_point: true,
        }));
        topics
    })
}

/// The topic with this title (or id), ignoring case.
pub fn find(title: &str) -> Option<TopicIdx> {
    let wanted = title.trim();
    all()
        .iter()
        .position(|t| t.title.eq_ignore_ascii_case(wanted) || t.id == wanted)
        .and_then(|i| TopicIdx::try_from(i).ok())
}

/// The topic at `index`.
pub fn get(index: TopicIdx) -> Option<&'static Topic> {
    all().get(usize::from(index))
}

/// Lower-case words joined by `-`: `Arm Injury, Blunt` -> `arm-injury-blunt`.
fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// One line of the list: a title (quoted when it holds a comma), the bands
/// (`0-1 1-5 5-16 16-200`) and the sexes (`Female Male`).
fn parse_line(line: &str) -> Option<Topic> {
    let (title, rest) = match line.strip_prefix('"') {
        Some(quoted) => {
            let (title, rest) = quoted.split_once('"')?;
            (title, rest.strip_prefix(',')?)
        }
        None => line.split_once(',')?,
    };
    let (bands, sexes) = rest.split_once(',')?;
    let bands = bands.split_whitespace().fold(0, |set, band| {
        set | match band {
            "0-1" => AgeBand::Infant.bit(),
            "1-5" => AgeBand::Toddler.bit(),
            "5-16" => AgeBand::Child.bit(),
            _ => AgeBand::Adult.bit(),
        }
    });
    let sexes = sexes.split_whitespace().fold(0, |set, sex| {
        set | match sex {
            "Female" => sex_bit(Sex::Female),
            _ => sex_bit(Sex::Male),
        }
    });
    Some(Topic {
        title: title.to_string(),
        id: slug(title),
        bands,
        sexes,
        reception_point: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_122_topics_and_401_topic_band_pairs() {
        let listed: Vec<&Topic> = all().iter().filter(|t| !t.reception_point).collect();
        assert_eq!(listed.len(), 122);
        assert_eq!(listed.iter().map(|t| t.bands().count()).sum::<usize>(), 401);
        assert_eq!(all().len(), 125);
    }

    #[test]
    fn titles_with_commas_bands_and_sexes_are_read() {
        let arm = get(find("Arm Injury, Blunt").unwrap()).unwrap();
        assert_eq!(arm.id, "arm-injury-blunt");
        assert_eq!(arm.bands().count(), 4);
        let vaginal = get(find("foreign body, vaginal").unwrap()).unwrap();
        assert!(vaginal.has_sex(Sex::Female) && !vaginal.has_sex(Sex::Male));
        let teething = get(find("teething").unwrap()).unwrap();
        assert!(teething.offered(0.5, Sex::Male) && !teething.offered(5.0, Sex::Male));
        assert!(get(find("recent-fit").unwrap()).unwrap().reception_point);
        assert_eq!(find("Headaches"), None);
    }

    #[test]
    fn every_id_is_unique() {
        let mut ids: Vec<&str> = all().iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
    }
}
