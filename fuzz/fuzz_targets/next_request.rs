//! Arbitrary bytes as a `triage next` request (and the browser module's
//! stateless call), read as the command reads them: a byte order mark
//! tolerated, then JSON into the engine's `Request`, then evaluated on the
//! shipped bundle.
//!
//! Checked: nothing panics; the step or refusal serialises; a request that
//! is read writes back to JSON that reads as the same request; and the
//! stateless answer agrees with a session given the same answers one by one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{evaluate_request, Request};
use triage_core::session::Session;
use triage_core::vocab::Start;

fn bundle() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
        triage_core::open(&dir).expect("the shipped bundle builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok(request) = serde_json::from_str::<Request>(text) else {
        return;
    };
    let written = serde_json::to_string(&request).expect("a request serialises");
    let again: Request = serde_json::from_str(&written).expect("a written request reads");
    assert_eq!(again, request);

    let bundle = bundle();
    let stateless = evaluate_request(bundle, &request);
    match &stateless {
        Ok(step) => serde_json::to_string(step).expect("a step serialises"),
        Err(refused) => serde_json::to_string(refused).expect("a refusal serialises"),
    };

    // The same journey, one answer at a time.
    let mut start =
        Start::new(request.pathway.clone(), request.patient).in_language(request.language);
    if let Some(topic) = &request.topic {
        start = start.at_topic(topic.clone());
    }
    let stepwise = Session::begin(bundle, start).and_then(|mut session| {
        for answer in &request.answers {
            session.answer(bundle, answer.clone())?;
        }
        session.step(bundle)?.render()
    });
    assert_eq!(stateless.and_then(|e| e.render()), stepwise);
});
