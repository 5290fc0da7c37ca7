//! Shared by the benches and `tests/baselines.rs`: the shipped bundle, its
//! journeys, and the chest-pain pathway written twice more (by hand in Rust,
//! and as JSON Logic for a peer engine) so the engine has something to be
//! compared with.

pub mod chest_pain_by_hand;
pub mod chest_pain_logic;
pub mod journeys;
