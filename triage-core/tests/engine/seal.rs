use crate::fixture::*;
use crate::session::{at_adult, finished, give};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Sex, Step};
use triage_core::seal::{replay_sealed, SealError, SealKey};
use triage_core::session::{replay, AuditDisposition, AuditRecord, Session};

fn key(id: &str, byte: u8) -> SealKey {
    SealKey::new(id, &[byte; 32]).unwrap_or_else(|e| panic!("{e}"))
}

/// The fever journey that ends at A&E within the hour, and one that ends
/// with the person's own GP.
fn emergency_and_gentler(bundle: &CompiledBundle) -> (Session, Session) {
    let mut gentler = at_adult(bundle);
    give(&mut gentler, bundle, choice("adult", "no"));
    give(&mut gentler, bundle, number("cough/how-long", 5.0));
    let disposition = |s: &Session| {
        s.shown(bundle)
            .outcome()
            .cloned()
            .map(|o| o.disposition.id.clone())
    };
    let emergency = finished(bundle);
    assert_eq!(disposition(&emergency).as_deref(), Some("ae-1h"));
    assert_eq!(disposition(&gentler).as_deref(), Some("own-gp"));
    (emergency, gentler)
}

/// `json` with `change` made to it as a JSON value.
fn edited(json: &str, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    change(&mut value);
    value.to_string()
}

/// The refusal's code, for a call that must be refused.
fn refusal<T>(result: Result<T, SealError>) -> &'static str {
    result.err().map_or("accepted", |e| e.code())
}

/// A change made to a document as a JSON value.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

fn code<T>(result: Result<T, SealError>) -> Result<T, &'static str> {
    result.map_err(|e| e.code())
}

#[test]
fn a_sealed_session_resumes_and_every_edit_to_it_is_refused() {
    let bundle = bundle();
    let held = [key("2026-12", 7)];
    let (emergency, gentler) = emergency_and_gentler(&bundle);
    let sealed = emergency.to_sealed_json(&held[0]);
    assert_eq!(
        Session::from_sealed_json(&bundle, &sealed, &held).as_ref(),
        Ok(&emergency)
    );
    // Reformatting is not an edit: the seal covers the contents.
    let pretty = edited(&sealed, |_| {});
    assert!(Session::from_sealed_json(&bundle, &pretty, &held).is_ok());

    let gentler_answers = serde_json::to_value(gentler.answers()).unwrap_or_default();
    let edits: Vec<(&str, Edit)> = vec![
        (
            "an answer",
            Box::new(|v| v["answers"][2]["answer"] = "no".into()),
        ),
        (
            "the answers, for another whole journey",
            Box::new(move |v| v["answers"] = gentler_answers),
        ),
        (
            "an answer taken away",
            Box::new(|v| {
                if let Some(a) = v["answers"].as_array_mut() {
                    a.pop();
                }
            }),
        ),
        (
            "the age",
            Box::new(|v| v["patient"]["age_years"] = 31.into()),
        ),
        ("the sex", Box::new(|v| v["patient"]["sex"] = "male".into())),
        (
            "who is answering",
            Box::new(|v| v["patient"]["answering"] = "someone_else".into()),
        ),
        ("the language", Box::new(|v| v["language"] = "cy".into())),
    ];
    for (what, change) in edits {
        let forged = edited(&sealed, change);
        assert_ne!(forged, pretty, "{what}: the edit was not made");
        assert_eq!(
            code(Session::from_sealed_json(&bundle, &forged, &held)),
            Err("seal_mismatch"),
            "{what}"
        );
    }
    // A step written in (a gentler outcome) is rebuilt from the answers and refused.
    let gentler_step = serde_json::to_value(gentler.shown(&bundle)).unwrap_or_default();
    let forged = edited(&sealed, |v| v["step"] = gentler_step);
    assert_eq!(
        code(Session::from_sealed_json(&bundle, &forged, &held)),
        Err("step_mismatch")
    );
}

#[test]
fn a_session_is_opened_only_with_the_key_that_sealed_it() {
    let bundle = bundle();
    let (emergency, _) = emergency_and_gentler(&bundle);
    let old = key("2026-06", 1);
    let new = key("2026-12", 2);
    let sealed = emergency.to_sealed_json(&old);
    // Keys are rotated by id: the old key still opens what it sealed.
    assert!(Session::from_sealed_json(&bundle, &sealed, &[new.clone(), old.clone()]).is_ok());
    assert_eq!(
        code(Session::from_sealed_json(&bundle, &sealed, &[new])),
        Err("unknown_key")
    );
    // Another secret under the same id does not open it.
    let impostor = key("2026-06", 9);
    assert_eq!(
        code(Session::from_sealed_json(&bundle, &sealed, &[impostor])),
        Err("seal_mismatch")
    );
    // A seal re-labelled with another key's id is refused too.
    let relabelled = edited(&sealed, |v| v["seal"]["key"] = "2026-12".into());
    assert_eq!(
        code(Session::from_sealed_json(
            &bundle,
            &relabelled,
            &[key("2026-12", 2)]
        )),
        Err("seal_mismatch")
    );
    // An unsealed session is refused where seals are required, and still
    // resumes where they are not (tests, local tools).
    let plain = emergency.to_json();
    assert_eq!(
        code(Session::from_sealed_json(
            &bundle,
            &plain,
            std::slice::from_ref(&old)
        )),
        Err("unsealed")
    );
    assert!(Session::from_json(&bundle, &plain).is_ok());
    let stripped = edited(&sealed, |v| {
        if let Some(o) = v.as_object_mut() {
            o.remove("seal");
        }
    });
    assert_eq!(
        code(Session::from_sealed_json(
            &bundle,
            &stripped,
            std::slice::from_ref(&old)
        )),
        Err("unsealed")
    );
    for (field, value) in [("alg", "md5"), ("mac", "00"), ("mac", "not hex at all")] {
        let broken = edited(&sealed, |v| v["seal"][field] = value.into());
        assert!(
            Session::from_sealed_json(&bundle, &broken, std::slice::from_ref(&old)).is_err(),
            "{field}: {value}"
        );
    }
    // Sealed with one bundle, refused by another (the engine's own check).
    let other = build_files(files(&[(
        "care-advice.yaml",
        &CARE_ADVICE.replace("Unlock the door.", "Unlock the front door."),
    )]))
    .0;
    assert_eq!(
        code(Session::from_sealed_json(&other, &sealed, &[old])),
        Err("bundle_mismatch")
    );
}

fn sealed_record(session: &Session, bundle: &CompiledBundle, key: &SealKey) -> AuditRecord {
    let mut record = session.audit(bundle);
    record.recorded_at = Some("2026-12-04T18:37:07Z".into());
    record.seal_with(key);
    record
}

#[test]
fn a_sealed_record_replays_and_every_edit_the_audit_tried_is_refused() {
    let bundle = bundle();
    let held = [key("2026-12", 7)];
    let (emergency, gentler) = emergency_and_gentler(&bundle);
    let record = sealed_record(&emergency, &bundle, &held[0]);
    assert_eq!(replay_sealed(&bundle, &record, &held).as_ref(), Ok(&record));
    // Through JSON and back, still good.
    let json = serde_json::to_string(&record).unwrap_or_default();
    let read: AuditRecord = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replay_sealed(&bundle, &read, &held).as_ref(), Ok(&record));

    // One answer changed and the steps, outcome and reasons recomputed to
    // match: the unsealed record replays as valid, the sealed one does not.
    let truth = gentler.audit(&bundle);
    let mut rewritten = record.clone();
    rewritten.answers = truth.answers.clone();
    rewritten.steps = truth.steps.clone();
    rewritten.disposition = truth.disposition.clone();
    rewritten.reasons = truth.reasons.clone();
    assert!(replay(&bundle, &rewritten).is_ok());
    assert_eq!(
        code(replay_sealed(&bundle, &rewritten, &held)),
        Err("seal_mismatch")
    );

    let mut edits: Vec<(&str, AuditRecord)> = Vec::new();
    let mut edit = |what, change: &dyn Fn(&mut AuditRecord)| {
        let mut forged = record.clone();
        change(&mut forged);
        assert_ne!(forged, record, "{what}: the edit was not made");
        edits.push((what, forged));
    };
    edit("the age", &|r| r.patient.age_years = 70);
    edit("the sex", &|r| r.patient.sex = Sex::Male);
    edit("the outcome", &|r| {
        r.disposition = Some(AuditDisposition {
            id: "own-gp".into(),
            code: "Dx75".into(),
        })
    });
    edit("the time", &|r| {
        r.recorded_at = Some("2026-12-05T09:00:00Z".into())
    });
    edit("the time, removed", &|r| r.recorded_at = None);
    edit("the pathway version", &|r| {
        r.pathway_version = "9.9.9".into()
    });
    edit("a reason", &|r| r.reasons.push("made-up".into()));
    for (what, forged) in edits {
        assert_eq!(
            code(replay_sealed(&bundle, &forged, &held)),
            Err("seal_mismatch"),
            "{what}"
        );
    }

    // Unsealed, or sealed with a key not held: refused.
    let mut plain = record.clone();
    plain.seal = None;
    assert_eq!(code(replay_sealed(&bundle, &plain, &held)), Err("unsealed"));
    assert_eq!(
        code(replay_sealed(&bundle, &record, &[key("2027-01", 7)])),
        Err("unknown_key")
    );
    // Sealed honestly, but a journey this bundle does not give: the
    // engine's own refusal comes through.
    let mut stale = emergency.audit(&bundle);
    stale.steps.pop();
    stale.seal_with(&held[0]);
    assert_eq!(
        code(replay_sealed(&bundle, &stale, &held)),
        Err("replay_mismatch")
    );
}

#[test]
fn a_seal_names_its_kind_so_a_session_seal_does_not_pass_for_a_record() {
    let bundle = bundle();
    let held = [key("2026-12", 7)];
    let (emergency, _) = emergency_and_gentler(&bundle);
    let session_seal: serde_json::Value =
        serde_json::from_str(&emergency.to_sealed_json(&held[0])).unwrap_or_default();
    let mut record = emergency.audit(&bundle);
    record.seal = serde_json::from_value(session_seal["seal"].clone()).ok();
    assert!(record.seal.is_some());
    assert_eq!(code(record.check_seal(&held)), Err("seal_mismatch"));
}

#[test]
fn keys_are_checked_and_never_shown() {
    assert_eq!(refusal(SealKey::new("k", &[1; 31])), "short_key");
    assert_eq!(refusal(SealKey::new("", &[1; 32])), "bad_key_id");
    assert_eq!(refusal(SealKey::new("a key", &[1; 32])), "bad_key_id");
    assert_eq!(refusal(SealKey::new("\u{1b}[2J", &[1; 32])), "bad_key_id");
    assert_eq!(refusal(SealKey::from_hex("k", "abc")), "bad_key_hex");
    assert_eq!(
        refusal(SealKey::from_hex("k", &"zz".repeat(32))),
        "bad_key_hex"
    );
    assert_eq!(
        refusal(SealKey::from_hex("k", &"ab".repeat(31))),
        "short_key"
    );
    let secret = "c0ffee".repeat(11);
    let key =
        SealKey::from_hex("2026-12", &format!("{secret}\n")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(key.id(), "2026-12");
    let shown = format!("{key:?}");
    assert!(
        shown.contains("2026-12") && !shown.contains("c0ffee"),
        "{shown}"
    );
    // The same secret as bytes or as hex makes the same seals.
    let bytes: Vec<u8> = (0..secret.len() / 2)
        .map(|i| u8::from_str_radix(&secret[2 * i..2 * i + 2], 16).unwrap_or_default())
        .collect();
    let same = SealKey::new("2026-12", &bytes).unwrap_or_else(|e| panic!("{e}"));
    let bundle = bundle();
    let session = at_adult(&bundle);
    assert_eq!(session.to_sealed_json(&key), session.to_sealed_json(&same));
    assert!(matches!(session.shown(&bundle), Step::Question(_)));
}
