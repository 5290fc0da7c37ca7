//! `GET /metrics`: requests, latencies and outcomes, in the text format
//! Prometheus scrapes (OpenMetrics).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    disposition: String,
    urgency: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The service's counters and histograms.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    outcomes: Family<OutcomeLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 0.8 s, doubling.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("triage");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let outcomes = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        registry.register(
            "outcomes",
            "Outcomes returned (each with its audit record written), by disposition",
            outcomes.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            outcomes,
        }
    }
}

impl Metrics {
    /// Counts a request answered.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// Counts an outcome returned.
    pub fn outcome(&self, disposition: &str, urgency: &str) {
        self.outcomes
            .get_or_create(&OutcomeLabels {
                disposition: disposition.to_string(),
                urgency: urgency.to_string(),
            })
            .inc();
    }

    /// Everything, in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_in_the_text_format() {
        let metrics = Metrics::default();
        metrics.request("POST", "/v1/next", 200, 0.000_3);
        metrics.request("POST", "/v1/next", 200, 0.000_4);
        metrics.outcome("emergency-department-1h", "emergency");
        let text = metrics.render();
        assert!(
            text.contains(
                r#"triage_http_requests_total{method="POST",route="/v1/next",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"triage_http_request_duration_seconds_count{route="/v1/next"} 2"#));
        assert!(text.contains(
            r#"triage_outcomes_total{disposition="emergency-department-1h",urgency="emergency"} 1"#
        ));
        assert!(text.ends_with("# EOF\n"));
    }
}
