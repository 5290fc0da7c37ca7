//! Benchmarks of the evaluation hot path (placeholder until the benches land).
fn main() {}
