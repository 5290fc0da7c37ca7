//! The service over HTTP, on a free loopback port, against each store: a
//! temporary SQLite file, and a fresh database on a real PostgreSQL server
//! (TRIAGE_TEST_POSTGRES; without it those tests fail, never skip).

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_valid_fhir, choose, Database, Service};
use triage_service::audit;

/// Each test, once per store.
macro_rules! on_each_store {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::support::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::support::postgres().await).await
                }
            )*
        }
    };
}

on_each_store!(
    a_journey_ends_at_an_outcome_with_its_record_and_hand_off,
    bad_requests_are_refused_with_codes_and_change_nothing,
    the_stateless_step_matches_triage_next_and_records_outcomes,
    many_journeys_form_one_intact_chain,
    a_changed_or_removed_record_is_found,
    records_cannot_be_updated_or_deleted,
    reading_a_database_the_service_never_used_is_refused,
    a_chain_rewritten_from_a_record_on_is_caught_by_its_seals,
    a_journey_changed_at_the_same_time_is_refused,
    operators_see_health_metrics_and_the_bundle,
);

/// Walks the journey `id` to its outcome from `step`, answering with `choose`.
async fn walk(service: &Service, id: &str, mut step: Value, pick: usize) -> Value {
    for turn in 0..60 {
        if step["type"] == "outcome" {
            return step;
        }
        let answer = choose(&step, pick + turn);
        let (status, body) = service
            .post(&format!("/v1/sessions/{id}/answers"), &answer)
            .await;
        assert_eq!(status, StatusCode::OK, "{answer} -> {body}");
        step = body["step"].clone();
    }
    panic!("no outcome after 60 answers");
}

async fn a_journey_ends_at_an_outcome_with_its_record_and_hand_off(database: Database) {
    let service = support::start(&database).await;
    let (status, found) = service
        .get("/v1/pathways?age=45&sex=male&q=chest%20pain")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["pathways"][0]["id"], "chest-pain", "{found}");

    let (status, started) = service
        .post(
            "/v1/sessions",
            &json!({"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let id = started["session"].as_str().expect("an id").to_string();
    assert_eq!(id.len(), 32, "128 bits as hex");
    assert_eq!(started["step"]["format"], "triage.step/1");
    assert_eq!(started["step"]["id"], "emergency-screen/signs");

    // Not finished: no hand-off yet, and no record.
    let (status, refused) = service.get(&format!("/v1/sessions/{id}/handoff")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["error"]["code"], "journey_not_finished");

    let mut last = Value::Null;
    for answer in [
        json!({"question": "emergency-screen/signs", "answer": "none"}),
        json!({"question": "pain-now", "answer": "now"}),
        json!({"question": "heart-signs", "answer": ["heavy"]}),
    ] {
        let (status, body) = service
            .post(&format!("/v1/sessions/{id}/answers"), &answer)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        last = body;
    }
    assert_eq!(last["step"]["type"], "outcome");
    assert_eq!(last["step"]["disposition"]["id"], "call-999-cat2");
    let receipt = &last["audit"];
    assert_eq!(receipt["seq"], 1);

    // The record is in the store, chained, and replays with the bundle.
    let rows = service.store.audit_of_session(&id).await.expect("read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].hash, receipt["hash"].as_str().unwrap());
    let code = last["step"]["disposition"]["code"].as_str().unwrap();
    assert_eq!(rows[0].columns.disposition_code, code);
    assert_eq!(rows[0].columns.age_band, "16+");
    assert_eq!(rows[0].columns.sex, "male");
    let verified = audit::verify(&service.store, Some(&support::bundle()), &[])
        .await
        .expect("verify");
    assert!(verified.is_intact(), "{:?}", verified.problems);
    assert_eq!((verified.records, verified.replayed), (1, 1));

    // GET shows the same journey.
    let (status, got) = service.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["step"], last["step"]);
    assert_eq!(got["answers"].as_array().unwrap().len(), 3);

    // The hand-off: a FHIR R4 message carrying the outcome.
    let response = service
        .client
        .get(format!("{}/v1/sessions/{id}/handoff", service.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/fhir+json");
    let message: Value = response.json().await.unwrap();
    assert_eq!(message["resourceType"], "Bundle");
    assert_eq!(message["type"], "message");
    assert_eq!(message["timestamp"], rows[0].columns.recorded_at);
    let resources: Vec<&str> = message["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(resources[0], "MessageHeader");
    for kind in [
        "ServiceRequest",
        "Patient",
        "Encounter",
        "QuestionnaireResponse",
    ] {
        assert!(resources.contains(&kind), "{resources:?}");
    }
    let text = message.to_string();
    assert!(
        text.contains(&format!("\"{code}\"")),
        "the disposition code is carried"
    );
    assert!(text.contains(&format!("{}/v1", service.base)));

    // The same message however often it is fetched: one referral.
    let (_, again) = service.get(&format!("/v1/sessions/{id}/handoff")).await;
    assert_eq!(again, message);

    // Back from the outcome, and on to another one: a second record.
    let (status, back) = service
        .post(&format!("/v1/sessions/{id}/back"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["step"]["id"], "heart-signs");
    assert!(back.get("audit").is_none());
    // Reopened, the journey has no hand-off until it ends again.
    let (status, _) = service.get(&format!("/v1/sessions/{id}/handoff")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let end = walk(&service, &id, back["step"].clone(), 1).await;
    assert_eq!(end["type"], "outcome");
    // Every outcome shown keeps its record; the hand-off is of the latest,
    // as a new message.
    assert_eq!(service.store.audit_of_session(&id).await.unwrap().len(), 2);
    let (_, reopened) = service.get(&format!("/v1/sessions/{id}/handoff")).await;
    assert_ne!(reopened["id"], message["id"]);

    // Several journeys to other outcomes: every hand-off is valid FHIR R4.
    let mut messages = vec![message];
    for (words, age, sex, pick) in [
        ("headache", 30, "female", 1),
        ("cough", 8, "male", 2),
        ("sore throat", 25, "female", 4),
        ("fever", 1, "female", 5),
        ("rash", 3, "male", 7),
    ] {
        let (_, found) = service
            .get(&format!("/v1/pathways?age={age}&sex={sex}&q={words}"))
            .await;
        let hit = &found["pathways"][0];
        let (status, started) = service
            .post(
                "/v1/sessions",
                &json!({"pathway": hit["id"], "topic": hit["topic"]["id"], "patient": {"age_years": age, "sex": sex}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{words}: {started}");
        let id = started["session"].as_str().unwrap().to_string();
        walk(&service, &id, started["step"].clone(), pick).await;
        let (status, message) = service.get(&format!("/v1/sessions/{id}/handoff")).await;
        assert_eq!(status, StatusCode::OK, "{message}");
        messages.push(message);
    }
    assert_valid_fhir(&messages);
}

async fn bad_requests_are_refused_with_codes_and_change_nothing(database: Database) {
    let service = support::start(&database).await;
    let (_, started) = service
        .post(
            "/v1/sessions",
            &json!({"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}}),
        )
        .await;
    let id = started["session"].as_str().unwrap().to_string();
    let answers = format!("/v1/sessions/{id}/answers");
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"question": "pain-now", "answer": "now"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_question",
        ),
        (
            json!({"question": "emergency-screen/signs", "answer": ["made-up"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "option_not_offered",
        ),
        (
            json!({"question": "emergency-screen/signs", "answer": 7}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_answer_kind",
        ),
        (
            json!({"question": "emergency-screen/signs", "answr": "none"}),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
    ];
    for (body, status, code) in cases {
        let (got, error) = service.post(&answers, &body).await;
        assert_eq!(
            (got, error["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {error}"
        );
        assert!(error["error"]["message"].as_str().unwrap().len() > 10);
    }
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
    let (status, error) = service
        .post_raw(&answers, "application/json", deep.into_bytes())
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("request_too_deep"))
    );
    let (status, error) = service
        .post_raw(&answers, "application/json", vec![b' '; 200_000])
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("request_too_large"))
    );
    let (status, error) = service
        .post_raw(
            &answers,
            "application/x-www-form-urlencoded",
            b"question=x".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{error}");
    let (status, error) = service
        .post_raw(&answers, "application/json", b"{\"question\": ".to_vec())
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_request"))
    );

    // Nothing changed: still at the first question, with no answers.
    let (_, got) = service.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(got["step"], started["step"]);
    assert_eq!(got["answers"], json!([]));
    let (status, error) = service
        .post(&format!("/v1/sessions/{id}/back"), &json!({}))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nothing_to_go_back"))
    );

    // Unknown journeys, pathways and people.
    for path in [
        "/v1/sessions/00000000000000000000000000000000".to_string(),
        "/v1/sessions/not-an-id".to_string(),
        format!("/v1/sessions/{}", id.to_uppercase()),
    ] {
        let (status, error) = service.get(&path).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("unknown_session")),
            "{path}"
        );
    }
    for (start, status, code) in [
        (
            json!({"pathway": "no-such", "patient": {"age_years": 45, "sex": "male"}}),
            StatusCode::NOT_FOUND,
            "unknown_pathway",
        ),
        (
            json!({"pathway": "chest-pain", "patient": {"age_years": 4, "sex": "male"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_applicable",
        ),
        (
            json!({"pathway": "chest-pain", "patient": {"age_years": 400, "sex": "male"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "implausible_patient",
        ),
        (
            json!({"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}, "name": "Ann"}),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
    ] {
        let (got, error) = service.post("/v1/sessions", &start).await;
        assert_eq!(
            (got, error["error"]["code"].as_str()),
            (status, Some(code)),
            "{start}: {error}"
        );
    }
    for (query, code) in [
        ("?age=45", "malformed_query"),
        ("?age=old&sex=male", "malformed_query"),
        ("?age=45&sex=male&colour=red", "malformed_query"),
    ] {
        let (status, error) = service.get(&format!("/v1/pathways{query}")).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{query}"
        );
    }
    let (status, error) = service.get("/v2/anything").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, error) = service.post("/healthz", &json!({})).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );

    // No outcome, so no record.
    let verified = audit::verify(&service.store, None, &[]).await.unwrap();
    assert_eq!(verified.records, 0);
    assert!(verified.is_intact());
}

async fn the_stateless_step_matches_triage_next_and_records_outcomes(database: Database) {
    let service = support::start(&database).await;
    let bundle = support::bundle();
    let mut request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 45, "sex": "male"},
        "answers": []
    });
    for answer in [
        json!({"question": "emergency-screen/signs", "answer": "none"}),
        json!({"question": "pain-now", "answer": "now"}),
        json!({"question": "heart-signs", "answer": ["heavy"]}),
    ] {
        let (status, body) = service.post("/v1/next", &request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected = triage_core::eval::evaluate_request(
            &bundle,
            &serde_json::from_value(request.clone()).unwrap(),
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::to_value(&expected).unwrap(),
            "the same JSON as `triage next`"
        );
        request["answers"].as_array_mut().unwrap().push(answer);
    }
    let (status, body) = service.post("/v1/next", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], "outcome");
    assert_eq!(body["audit"]["seq"], 1);
    let rows = service.store.audit_rows(0, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].columns.session_id, None);

    // A bad answer: the same code as `triage next`.
    request["answers"][1]["answer"] = json!("yesterday");
    let (status, error) = service.post("/v1/next", &request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "option_not_offered");
    assert_eq!(error["error"]["offered"].as_array().map(Vec::len), Some(5));
}

async fn many_journeys_form_one_intact_chain(database: Database) {
    let service = support::start(&database).await;
    let mut tasks = Vec::new();
    for journey in 0..12 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            journey_to_outcome(&service, journey).await
        }));
    }
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.push(task.await.expect("journey"));
    }
    receipts.sort();
    let seqs: Vec<i64> = receipts.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<i64>>(), "one chain, no gaps");
    let verified = audit::verify(&service.store, Some(&support::bundle()), &[])
        .await
        .unwrap();
    assert!(verified.is_intact(), "{:?}", verified.problems);
    assert_eq!((verified.records, verified.replayed), (12, 12));
}

/// Starts and finishes a journey; its audit receipt `(seq, hash)`.
async fn journey_to_outcome(service: &Service, pick: usize) -> (i64, String) {
    let (status, started) = service
        .post(
            "/v1/sessions",
            &json!({"pathway": "headache", "patient": {"age_years": 30, "sex": "female"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = started["session"].as_str().unwrap().to_string();
    let mut step = started["step"].clone();
    for turn in 0..60 {
        let answer = choose(&step, pick + turn);
        let (status, body) = service
            .post(&format!("/v1/sessions/{id}/answers"), &answer)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["step"]["type"] == "outcome" {
            return (
                body["audit"]["seq"].as_i64().unwrap(),
                body["audit"]["hash"].as_str().unwrap().to_string(),
            );
        }
        step = body["step"].clone();
    }
    panic!("no outcome");
}

/// Runs `statement` on the store's database directly, as someone with the
/// database's own rights could.
async fn raw(database: &Database, statement: &str) -> Result<u64, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = if database.postgres {
        database.url.clone()
    } else {
        database.url.replacen("sqlite:", "sqlite://", 1)
    };
    let pool = sqlx::AnyPool::connect(&url).await?;
    let result = sqlx::raw_sql(statement).execute(&pool).await;
    pool.close().await;
    Ok(result?.rows_affected())
}

/// Lifts the append-only guard, as an administrator could.
async fn drop_guards(database: &Database) {
    let statement = if database.postgres {
        "DROP TRIGGER audit_append_only ON audit; DROP TRIGGER audit_head_kept ON audit_head"
    } else {
        "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete; DROP TRIGGER audit_head_kept"
    };
    raw(database, statement).await.expect("triggers dropped");
}

async fn records_cannot_be_updated_or_deleted(database: Database) {
    let service = support::start(&database).await;
    journey_to_outcome(&service, 0).await;
    for statement in [
        "UPDATE audit SET disposition_code = 'Dx99' WHERE seq = 1",
        "DELETE FROM audit WHERE seq = 1",
        "DELETE FROM audit_head",
    ] {
        let error = raw(&database, statement).await.expect_err(statement);
        let text = error.to_string();
        assert!(
            text.contains("append-only") || text.contains("cannot be deleted"),
            "{statement}: {text}"
        );
    }
    let verified = audit::verify(&service.store, None, &[]).await.unwrap();
    assert!(verified.is_intact(), "{:?}", verified.problems);
}

async fn a_changed_or_removed_record_is_found(database: Database) {
    let service = support::start(&database).await;
    for journey in 0..6 {
        journey_to_outcome(&service, journey).await;
    }
    assert!(audit::verify(&service.store, None, &[])
        .await
        .unwrap()
        .is_intact());
    drop_guards(&database).await;
    let problems = |verified: audit::Verified| -> Vec<String> {
        verified.problems.iter().map(ToString::to_string).collect()
    };

    // A column edited: named with both values.
    raw(
        &database,
        "UPDATE audit SET disposition_code = 'Dx99' WHERE seq = 2",
    )
    .await
    .unwrap();
    let found = problems(audit::verify(&service.store, None, &[]).await.unwrap());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("record 2: its disposition_code column says \"Dx99\""),
        "{found:?}"
    );

    // The record itself edited: its hash no longer matches.
    raw(&database, "UPDATE audit SET record = replace(record, '\"age_years\":30', '\"age_years\":31') WHERE seq = 3").await.unwrap();
    let found = problems(audit::verify(&service.store, None, &[]).await.unwrap());
    assert!(found.iter().any(|p| p == "record 3: its hash does not match its contents: it was changed after it was written"), "{found:?}");

    // A record deleted from the middle, and one from the end.
    raw(&database, "DELETE FROM audit WHERE seq = 4")
        .await
        .unwrap();
    raw(&database, "DELETE FROM audit WHERE seq = 6")
        .await
        .unwrap();
    let found = problems(audit::verify(&service.store, None, &[]).await.unwrap());
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("record 5: record 4 before it is missing")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p
                .starts_with("the chain head says there are 6 records, but the last record is 5")),
        "{found:?}"
    );
}

async fn a_journey_changed_at_the_same_time_is_refused(database: Database) {
    let service = support::start(&database).await;
    let (_, started) = service
        .post(
            "/v1/sessions",
            &json!({"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}}),
        )
        .await;
    let id = started["session"].as_str().unwrap().to_string();
    let stored = service
        .store
        .load_session(&id)
        .await
        .unwrap()
        .expect("stored");
    // Another replica saved first: this save, made from the old version, is refused.
    let save_from_old_version = || {
        service.store.save_session(
            &id,
            stored.version,
            &stored.saved,
            "2026-12-04T00:00:00Z",
            None,
        )
    };
    assert_eq!(
        save_from_old_version().await.unwrap(),
        triage_service::store::Saved::Done(None)
    );
    assert_eq!(
        save_from_old_version().await.unwrap(),
        triage_service::store::Saved::Conflict
    );
    // Two answers at once over HTTP: one is taken, the other refused or
    // answered against the new question; never both taken.
    let answer = json!({"question": "emergency-screen/signs", "answer": "none"});
    let path = format!("/v1/sessions/{id}/answers");
    let (first, second) = tokio::join!(service.post(&path, &answer), service.post(&path, &answer));
    let taken = [&first, &second]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(taken, 1, "{first:?} {second:?}");
    for (status, body) in [&first, &second] {
        if *status != StatusCode::OK {
            let code = body["error"]["code"].as_str().unwrap();
            assert!(
                code == "session_conflict" || code == "wrong_question",
                "{body}"
            );
        }
    }
    let (_, got) = service.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(got["answers"].as_array().unwrap().len(), 1);
    // The database keeps no journey id that could answer for the journey.
    let found = raw(
        &database,
        &format!("UPDATE sessions SET updated_at = 'x' WHERE id = '{id}'"),
    )
    .await
    .unwrap();
    assert_eq!(found, 0, "the id itself is not stored");
}

async fn operators_see_health_metrics_and_the_bundle(database: Database) {
    let service = support::start(&database).await;
    assert_eq!(
        service.get("/healthz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(
        service.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    let (status, bundle) = service.get("/v1/bundle").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bundle["hash"], support::bundle().hash());
    assert!(bundle["pathways"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "chest-pain" && p["version"].is_string()));
    journey_to_outcome(&service, 0).await;
    let (status, metrics) = service.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics.contains(
            r#"triage_http_requests_total{method="POST",route="/v1/sessions",status="201"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("triage_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("triage_outcomes_total{disposition="),
        "{metrics}"
    );
    let (status, openapi) = service.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(openapi["openapi"], "3.1.0");
    assert!(openapi["paths"]["/v1/sessions/{id}/handoff"]["get"].is_object());
}

async fn a_chain_rewritten_from_a_record_on_is_caught_by_its_seals(database: Database) {
    let key = support::test_key("2026-12");
    let service = support::start_with(&database, Some(key.clone())).await;
    for journey in 0..4 {
        journey_to_outcome(&service, journey).await;
    }
    let keys = [key];
    let verified = audit::verify(&service.store, None, &keys).await.unwrap();
    assert!(verified.is_intact(), "{:?}", verified.problems);
    assert_eq!(verified.sealed, 4);

    // Someone who controls the database changes record 2's age and
    // recomputes every hash from there on, and the head.
    drop_guards(&database).await;
    let rows = service.store.audit_rows(0, 10).await.unwrap();
    let mut prev = rows[0].hash.clone();
    for row in &rows[1..] {
        let record = if row.seq == 2 {
            row.columns
                .record
                .replace("\"age_years\":30", "\"age_years\":31")
        } else {
            row.columns.record.clone()
        };
        assert_ne!(
            row.seq == 2,
            record == row.columns.record,
            "the edit applies to record 2"
        );
        let hash = audit::chain_hash(&prev, &record);
        raw(
            &database,
            &format!(
                "UPDATE audit SET record = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}",
                record.replace('\'', "''"),
                row.seq
            ),
        )
        .await
        .unwrap();
        prev = hash;
    }
    raw(
        &database,
        &format!("UPDATE audit_head SET hash = '{prev}' WHERE id = 1"),
    )
    .await
    .unwrap();

    // The chain alone is fooled; the seals are not.
    let verified = audit::verify(&service.store, None, &[]).await.unwrap();
    assert!(verified.is_intact(), "{:?}", verified.problems);
    let found: Vec<String> = audit::verify(&service.store, None, &keys)
        .await
        .unwrap()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("record 2: its seal does not check"),
        "{found:?}"
    );

    // Records from a service without the key are named as unsealed.
    let unsealed = support::start(&database).await;
    journey_to_outcome(&unsealed, 9).await;
    let found = audit::verify(&unsealed.store, None, &keys)
        .await
        .unwrap()
        .problems;
    assert!(
        found
            .iter()
            .any(|p| p.seq == Some(5) && p.message.starts_with("is not sealed")),
        "{found:?}"
    );
}

async fn reading_a_database_the_service_never_used_is_refused(database: Database) {
    use triage_service::store::{Store, StoreError};
    if !database.postgres {
        let path = database.url.strip_prefix("sqlite:").unwrap();
        assert!(matches!(
            Store::open_existing(&database.url).await,
            Err(StoreError::NoSuchFile { .. })
        ));
        std::fs::write(path, b"").unwrap();
    }
    let refused = Store::open_existing(&database.url).await.unwrap_err();
    assert!(matches!(refused, StoreError::NoTrail { .. }), "{refused}");
    assert!(
        refused.to_string().contains("holds no audit trail"),
        "{refused}"
    );
    // Nothing was created in it: still no trail.
    assert!(matches!(
        Store::open_existing(&database.url).await,
        Err(StoreError::NoTrail { .. })
    ));
}
