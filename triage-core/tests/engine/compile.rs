use crate::fixture::*;
use triage_core::compile::{compile, CompileError, MAX_COMPILED_NODES};
use triage_core::diag::Loc;
use triage_core::eval::Sex;
use triage_core::ir::{
    Applicability, BranchIr, BundleIr, DispositionIr, NodeIr, NodeKindIr, OutcomeIr, Target,
    UnitIr, UnitKind,
};
use triage_core::load::Sources;
use triage_core::model::{ServiceDoc, TextDoc};
use triage_core::BuildOptions;

#[test]
fn stats_count_authored_content() {
    let stats = bundle().stats();
    assert_eq!(
        (stats.pathways, stats.modules, stats.dispositions),
        (3, 1, 5)
    );
    // 3 module nodes + 12 fever + 4 cough + 3 period-pain.
    assert_eq!(stats.nodes, 22);
}

#[test]
fn a_module_called_from_two_pathways_is_compiled_once_per_call() {
    let bundle = bundle();
    // 19 pathway nodes once each, plus the module's 3 nodes per call site (2).
    assert_eq!(bundle.compiled_nodes(), 19 + 3 * 2);
}

#[test]
fn the_content_hash_is_hex_sha256_and_follows_every_byte() {
    let (a, _, _) = build_files(files(&[]));
    assert_eq!(a.hash().len(), 64);
    assert!(a
        .hash()
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let changed = FEVER.replace("version: 2.1.0", "version: 2.1.1");
    let (b, _, _) = build_files(files(&[("pathways/fever.yaml", &changed)]));
    assert_ne!(a.hash(), b.hash());
    // The order files are given in does not matter.
    let mut reversed = files(&[]);
    reversed.reverse();
    let (c, _, _) = build_files(reversed);
    assert_eq!(a.hash(), c.hash());
}

#[test]
fn pathways_are_listed_with_their_header_and_reachable_dispositions() {
    let bundle = bundle();
    let ids: Vec<&str> = bundle.pathways().map(|p| p.id).collect();
    assert_eq!(ids.len(), 3);
    let Some(fever) = bundle.pathways().find(|p| p.id == "fever") else {
        panic!("no fever pathway");
    };
    assert_eq!(fever.title, "Fever");
    assert_eq!(fever.version, "2.1.0");
    assert_eq!(fever.summary, Some("A high temperature."));
    assert_eq!(fever.ages.from, 0.0);
    assert_eq!(fever.ages.to, None);
    assert_eq!(fever.sexes, [Sex::Female, Sex::Male]);
    assert_eq!(fever.keywords, ["temperature", "hot", "fever"]);
    assert_eq!(fever.sources.len(), 1);
    // Through the module and the goto into cough, most urgent first.
    assert_eq!(
        fever.dispositions,
        ["call-999", "ae-1h", "gp-2h", "own-gp", "self-care"]
    );
    let Some(period) = bundle.pathways().find(|p| p.id == "period-pain") else {
        panic!("no period-pain pathway");
    };
    assert_eq!(period.ages.to, Some(60.0));
    assert_eq!(period.dispositions, ["gp-2h", "self-care"]);
}

#[test]
fn pathways_are_found_by_id_and_checked_for_a_person() {
    let bundle = bundle();
    let Some(cough) = bundle.pathway_index("cough") else {
        panic!("cough not found");
    };
    assert_eq!(bundle.pathway_id(cough), "cough");
    assert!(
        bundle.pathway_index("screen").is_none(),
        "modules are not pathways"
    );
    assert!(bundle.pathway_index("nope").is_none());
    assert!(bundle.applicable(cough, &adult()));
    assert!(!bundle.applicable(cough, &child()));
}

#[test]
fn search_filters_by_person_and_ranks_by_words() {
    let bundle = bundle();
    let ids = |found: Vec<triage_core::compile::SearchHit<'_>>| {
        found
            .iter()
            .map(|h| h.pathway.id.to_string())
            .collect::<Vec<_>>()
    };
    // No words: everything for the person, by title.
    assert_eq!(
        ids(bundle.search(Some(&adult()), None)),
        ["cough", "fever", "period-pain"]
    );
    assert_eq!(ids(bundle.search(Some(&child()), None)), ["fever"]);
    assert_eq!(ids(bundle.search(None, Some("  "))).len(), 3);
    // Title words beat keywords; case does not matter; words are found by their start.
    assert_eq!(ids(bundle.search(None, Some("COUGH"))), ["cough"]);
    assert_eq!(ids(bundle.search(None, Some("Temperature"))), ["fever"]);
    assert_eq!(ids(bundle.search(None, Some("cramp"))), ["period-pain"]);
    assert_eq!(
        ids(bundle.search(None, Some("period pain, hot"))),
        ["period-pain", "fever"]
    );
    assert!(bundle.search(None, Some("zebra")).is_empty());
    assert!(bundle.search(Some(&child()), Some("cough")).is_empty());
}

fn text(s: &str) -> TextDoc {
    TextDoc::Plain(s.to_string())
}

/// A pathway whose start calls module 0; module `i` calls module `i + 1` twice
/// in a row, so the last module is copied `2^depth` times.
fn doubling_ir(depth: u16) -> BundleIr {
    let loc = Loc::default();
    let unit = |id: String, kind, start, nodes| UnitIr {
        id,
        kind,
        title: text("t"),
        summary: None,
        version: "1".into(),
        sources: Vec::new(),
        start,
        nodes,
        file: 0,
    };
    let node = |unit, id: &str, kind| NodeIr {
        unit,
        id: id.to_string(),
        loc,
        kind,
    };
    let mut units = vec![unit(
        "p".into(),
        UnitKind::Pathway(Applicability {
            from_years: 0.0,
            to_years: f64::INFINITY,
            sexes: vec![Sex::Female, Sex::Male],
            keywords: Vec::new(),
            topics: Vec::new(),
            fallback: false,
        }),
        0,
        0..2,
    )];
    let mut nodes = vec![
        node(
            0,
            "go",
            NodeKindIr::Call {
                module: 1,
                next: Target::Node(1),
            },
        ),
        node(
            0,
            "end",
            NodeKindIr::Outcome(OutcomeIr {
                disposition: 0,
                reason: None,
                advice: Vec::new(),
            }),
        ),
    ];
    for level in 0..depth {
        let unit_index = level + 1;
        let first = nodes.len() as u32;
        units.push(unit(
            format!("m{level}"),
            UnitKind::Module,
            first,
            first..first + 2,
        ));
        if level + 1 == depth {
            let back = NodeKindIr::Branch(BranchIr::Cases {
                cases: Vec::new(),
                otherwise: Target::Return,
                written: Vec::new(),
            });
            nodes.push(node(unit_index, "a", back.clone()));
            nodes.push(node(unit_index, "b", back));
        } else {
            let call = |next| NodeKindIr::Call {
                module: unit_index + 1,
                next,
            };
            nodes.push(node(unit_index, "a", call(Target::Node(first + 1))));
            nodes.push(node(unit_index, "b", call(Target::Return)));
        }
    }
    BundleIr {
        dispositions: vec![DispositionIr {
            id: "d".into(),
            code: "D".into(),
            title: text("d"),
            description: None,
            service: ServiceDoc::Gp,
            act_within_minutes: Some(60),
            service_standard_minutes: None,
            rank: 1,
            advice: Vec::new(),
            loc,
        }],
        advice: Vec::new(),
        variables: Vec::new(),
        units,
        nodes,
        case_packs: Vec::new(),
        synonyms: Vec::new(),
    }
}

#[test]
fn module_expansion_is_limited() {
    let sources = Sources::default();
    let small = compile(&doubling_ir(4), &sources).map(|b| b.compiled_nodes());
    // The pathway's 2 nodes; 1, 2 and 4 copies of the 2 nodes of m0, m1, m2;
    // 8 copies of m3's one reachable node.
    assert_eq!(small, Ok(2 + 2 + 4 + 8 + 8));
    match compile(&doubling_ir(24), &sources) {
        Err(CompileError::GraphTooLarge {
            nodes,
            limit,
            most_copied: (unit, copies, _),
        }) => {
            assert_eq!(limit, MAX_COMPILED_NODES);
            assert!(nodes > limit);
            // The deepest modules are copied most: the error names one of them.
            assert!(unit.starts_with('m'), "{unit}");
            assert!(copies > limit / 4, "{copies}");
        }
        Err(other) => panic!("expected GraphTooLarge, got {other}"),
        Ok(bundle) => panic!(
            "expected GraphTooLarge, got {} nodes",
            bundle.compiled_nodes()
        ),
    }
}

#[test]
fn inconsistent_ir_is_refused_not_trusted() {
    let sources = Sources::default();
    let mut ir = doubling_ir(2);
    // A call to a unit that is not a module.
    ir.nodes[0].kind = NodeKindIr::Call {
        module: 0,
        next: Target::Node(1),
    };
    assert!(matches!(
        compile(&ir, &sources),
        Err(CompileError::MalformedIr { .. })
    ));
    let mut ir = doubling_ir(2);
    ir.nodes[1].kind = NodeKindIr::Outcome(OutcomeIr {
        disposition: 7,
        reason: None,
        advice: Vec::new(),
    });
    assert!(matches!(
        compile(&ir, &sources),
        Err(CompileError::MalformedIr { .. })
    ));
    // `return` in a pathway.
    let mut ir = doubling_ir(2);
    ir.nodes[0].kind = NodeKindIr::Call {
        module: 1,
        next: Target::Return,
    };
    assert!(matches!(
        compile(&ir, &sources),
        Err(CompileError::MalformedIr { .. })
    ));
}

#[test]
fn building_for_evaluation_skips_case_packs_but_gives_the_same_bundle() {
    let pack = "pathway: fever\ncases:\n  - name: calm adult\n    patient: { age: 30, sex: female }\n    answers:\n      - screen/signs: [none]\n      - temperature: 37\n      - adult: yes\n    expect: { disposition: ae-1h }\n";
    let sources = || Sources::from_texts(files(&[("pathways/fever.cases.yaml", pack)])).0;
    let full = triage_core::build(sources());
    let lean = triage_core::build_with_options(sources(), &BuildOptions::for_evaluation());
    assert!(
        !full.has_errors() && !lean.has_errors(),
        "{:?}",
        lean.diagnostics
    );
    assert_eq!(full.doc.case_packs.len(), 1);
    assert!(lean.doc.case_packs.is_empty());
    assert_eq!(lean.ir.as_ref().map(|ir| ir.case_packs.len()), Some(0));
    let (Some(full), Some(lean)) = (full.bundle, lean.bundle) else {
        panic!("no bundle");
    };
    // One bundle, one hash, however it was built.
    assert_eq!(lean.hash(), full.hash());
    let answers = [no_signs(), number("temperature", 37.0)];
    assert_eq!(
        evaluate(&lean, "fever", &adult(), &answers),
        evaluate(&full, "fever", &adult(), &answers)
    );

    // A broken case pack stops a full build, not one for evaluation.
    let broken = || {
        Sources::from_texts(files(&[(
            "pathways/fever.cases.yaml",
            "pathway: fever\ncases: [\n",
        )]))
        .0
    };
    assert!(triage_core::build(broken()).has_errors());
    let lean = triage_core::build_with_options(broken(), &BuildOptions::for_evaluation());
    // Only what journeys show is warned about (the fixture's outcomes give
    // no reasons of their own); nothing about the unread case pack.
    assert!(
        lean.diagnostics.iter().all(|d| d.code.0 == "W408"),
        "{:?}",
        lean.diagnostics
    );
    assert!(lean.bundle.is_some());
    assert_eq!(BuildOptions::default(), {
        let mut options = BuildOptions::for_evaluation();
        options.case_packs = true;
        options
    });
}

#[test]
fn problems_in_many_files_are_reported_in_file_order() {
    // Enough broken files that parsing them is shared between threads.
    let broken: Vec<(String, String)> = (0..24)
        .map(|i| {
            let text = if i % 3 == 0 {
                format!("pathway: [\n# file {i}\n")
            } else {
                format!("pathway:\n  id: p{i}\n  titel: Broken {i}\n")
            };
            (format!("pathways/p{i:02}.yaml"), text)
        })
        .collect();
    let extra: Vec<(&str, &str)> = broken
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (sources, _) = Sources::from_texts(files(&extra));
    let (_, first) = triage_core::load::parse(&sources);
    let files_reported: Vec<usize> = first.iter().map(|d| d.loc.file).collect();
    let mut sorted = files_reported.clone();
    sorted.sort_unstable();
    assert_eq!(files_reported, sorted);
    assert_eq!(files_reported.len(), 24, "{first:?}");
    for _ in 0..4 {
        assert_eq!(triage_core::load::parse(&sources).1, first);
    }
}

#[test]
fn the_compiled_bundle_is_shared_between_threads() {
    let bundle = std::sync::Arc::new(bundle());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let bundle = std::sync::Arc::clone(&bundle);
            std::thread::spawn(move || evaluate(&bundle, "fever", &adult(), &[no_signs()]))
        })
        .collect();
    let steps: Vec<_> = handles.into_iter().map(|h| h.join().ok()).collect();
    assert!(steps[0].as_ref().is_some_and(|s| s.is_ok()));
    assert_eq!(steps[0], steps[1]);
}
