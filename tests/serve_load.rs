//! A load test of `triage serve` on loopback, bounded in time and count:
//! requests per second and p50/p99 latency for `POST /v1/next` (a question,
//! and an outcome with its audit record written) and for whole journeys held
//! by the service, on SQLite and on PostgreSQL.
//!
//! It asserts only that every request was answered correctly; the figures
//! are printed. For the figures in BENCHMARKS.md, on the release build:
//!
//! ```text
//! TRIAGE_LOAD_SECONDS=10 cargo test --release --test serve_load -- --nocapture --test-threads 1
//! ```

#[path = "../triage-service/tests/support/shared.rs"]
mod shared;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Concurrent clients.
const CLIENTS: usize = 16;
/// Most requests per phase, whatever the time.
const MAX_REQUESTS: usize = 200_000;

fn seconds() -> f64 {
    std::env::var("TRIAGE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0)
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(database: &str) -> Server {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .arg("serve")
        .arg(root.join("pathways"))
        .args(["--listen", "127.0.0.1:0", "--database", database])
        .env("TRIAGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("triage serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("listening on ") => {
                let rest = line.split("listening on ").nth(1).unwrap_or_default();
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
            Some(Ok(_)) => continue,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("triage serve stopped before listening");
            }
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Server(child, base)
}

/// What one phase measured.
struct Figures {
    requests: usize,
    journeys: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }

    fn report(&self, what: &str) {
        let per_second = self.requests as f64 / self.elapsed.as_secs_f64();
        let journeys = if self.journeys != self.requests {
            format!(
                ", {:.0} journeys/s",
                self.journeys as f64 / self.elapsed.as_secs_f64()
            )
        } else {
            String::new()
        };
        println!(
            "{what}: {} requests in {:.1} s from {CLIENTS} clients: {per_second:.0} requests/s{journeys}, p50 {:.2} ms, p99 {:.2} ms",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
        );
    }
}

/// Runs `CLIENTS` loops of `journey` until the time or the count is up.
/// `journey` returns the latency of each request it made.
async fn phase<F, Fut>(journey: F) -> Figures
where
    F: Fn(reqwest::Client, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Vec<Duration>> + Send,
{
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let budget = Duration::from_secs_f64(seconds());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let (client, journey) = (client.clone(), journey.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut journeys, mut pick) = (Vec::new(), 0, worker);
            while started.elapsed() < budget && latencies.len() < MAX_REQUESTS / CLIENTS {
                latencies.extend(journey(client.clone(), pick).await);
                journeys += 1;
                pick += CLIENTS;
            }
            (latencies, journeys)
        }));
    }
    let mut figures = Figures {
        requests: 0,
        journeys: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (latencies, journeys) = task.await.unwrap();
        figures.journeys += journeys;
        figures.latencies.extend(latencies);
    }
    figures.elapsed = started.elapsed();
    figures.requests = figures.latencies.len();
    figures
}

/// POSTs `body`; its latency, after checking the answer.
async fn timed_post(client: &reqwest::Client, url: &str, body: &Value) -> (Duration, Value) {
    let started = Instant::now();
    let response = client.post(url).json(body).send().await.expect("answered");
    let status = response.status();
    let answer: Value = response.json().await.expect("JSON");
    let elapsed = started.elapsed();
    assert!(status.is_success(), "{url} {body}: {status} {answer}");
    (elapsed, answer)
}

fn chest_pain(answers: &[Value]) -> Value {
    json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 45, "sex": "male"},
        "answers": answers,
    })
}

async fn load(database: &str, label: &str) {
    let server = serve(database);
    let base = server.1.clone();

    // The stateless step, at a question: the engine and HTTP, no database.
    let url = format!("{base}/v1/next");
    let at_question = chest_pain(&[
        json!({"question": "emergency-screen/signs", "answer": "none"}),
        json!({"question": "pain-now", "answer": "now"}),
    ]);
    let figures = phase(move |client, _| {
        let (url, body) = (url.clone(), at_question.clone());
        async move {
            let (latency, step) = timed_post(&client, &url, &body).await;
            assert_eq!(step["type"], "question");
            vec![latency]
        }
    })
    .await;
    figures.report(&format!("{label}: POST /v1/next to a question"));

    // The stateless step to an outcome: each one writes its audit record.
    let url = format!("{base}/v1/next");
    let at_outcome = chest_pain(&[
        json!({"question": "emergency-screen/signs", "answer": "none"}),
        json!({"question": "pain-now", "answer": "now"}),
        json!({"question": "heart-signs", "answer": ["heavy"]}),
    ]);
    let figures = phase(move |client, _| {
        let (url, body) = (url.clone(), at_outcome.clone());
        async move {
            let (latency, step) = timed_post(&client, &url, &body).await;
            assert!(step["audit"]["seq"].is_i64(), "{step}");
            vec![latency]
        }
    })
    .await;
    figures.report(&format!("{label}: POST /v1/next to an outcome (audited)"));

    // Whole journeys held by the service: start, every answer, the outcome.
    let figures = phase(move |client, pick| {
        let base = base.clone();
        async move {
            let mut latencies = Vec::new();
            let (latency, started) = timed_post(
                &client,
                &format!("{base}/v1/sessions"),
                &json!({"pathway": "headache", "patient": {"age_years": 30, "sex": "female"}}),
            )
            .await;
            latencies.push(latency);
            let id = started["session"].as_str().expect("an id").to_string();
            let mut step = started["step"].clone();
            for turn in 0..60 {
                let (latency, answered) = timed_post(
                    &client,
                    &format!("{base}/v1/sessions/{id}/answers"),
                    &shared::choose(&step, pick + turn),
                )
                .await;
                latencies.push(latency);
                if answered["step"]["type"] == "outcome" {
                    assert!(answered["audit"]["seq"].is_i64());
                    return latencies;
                }
                step = answered["step"].clone();
            }
            panic!("no outcome after 60 answers");
        }
    })
    .await;
    figures.report(&format!("{label}: session journeys (start + answers)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    load(
        &format!("sqlite:{}", dir.path().join("load.db").display()),
        "SQLite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_on_postgres() {
    let url = shared::new_postgres_database(&format!("triage_load_{}", std::process::id()));
    load(&url, "PostgreSQL").await;
}
