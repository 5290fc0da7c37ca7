//! `triage`: validate, test, list, run and step through triage pathways.
#![forbid(unsafe_code)]

fn main() {}
