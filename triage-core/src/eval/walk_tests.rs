//! The quick way an answer is resolved agrees with the careful one on every
//! question of the shipped bundle, for answers that fit and answers that do not.

use super::walk::Cursor;
use crate::compile::{NodeId, PathwayId};
use crate::eval::{Answer, AnswerValue};
use crate::ir::NodeKindIr;

#[test]
fn the_quick_path_takes_exactly_the_answers_the_careful_one_does() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
    let bundle = crate::open(&dir).expect("the shipped bundle builds");
    let mut tried = 0;
    let mut taken = 0;
    for index in 0..bundle.compiled_nodes() {
        let at = NodeId(u32::try_from(index).expect("few nodes"));
        let (Some(node), Some(NodeKindIr::Question(question))) =
            (bundle.node(at), bundle.ir_node(at).map(|n| &n.kind))
        else {
            continue;
        };
        let own_id = bundle.ir_node(at).map(|n| n.id.clone()).unwrap_or_default();
        let unit = bundle.unit_id(node.unit).to_string();
        // Seen from its own unit, and from another one (as a module's question is).
        let other = PathwayId(if node.unit == 0 { 1 } else { 0 });
        for pathway in [PathwayId(node.unit), other] {
            let cursor = Cursor::at(pathway, at);
            let ids: Vec<String> = question.answers.iter().map(|a| a.id.clone()).collect();
            let mut values: Vec<AnswerValue> = ids
                .iter()
                .map(|id| AnswerValue::Choice(id.clone()))
                .collect();
            values.extend(ids.iter().map(|id| AnswerValue::Choices(vec![id.clone()])));
            for pair in ids.windows(2) {
                values.push(AnswerValue::Choices(pair.to_vec()));
                values.push(AnswerValue::Choices(vec![pair[0].clone(), pair[0].clone()]));
            }
            values.push(AnswerValue::Choices(ids.clone()));
            values.push(AnswerValue::Choices(Vec::new()));
            values.push(AnswerValue::Choice("no-such-answer".into()));
            let (low, high) = question.range.unwrap_or((-1.0, 1.0));
            for n in [
                low,
                high,
                (low + high) / 2.0,
                low - 1.0,
                high + 1.0,
                f64::NAN,
            ] {
                values.push(AnswerValue::Number(n));
            }
            let names = [
                own_id.clone(),
                format!("{unit}/{own_id}"),
                format!("{unit}/{own_id}x"),
                format!("{unit}x/{own_id}"),
                format!("/{own_id}"),
                String::new(),
            ];
            for name in &names {
                for value in &values {
                    let answer = Answer::new(name.clone(), value.clone());
                    let quick = cursor.resolve_quick(&bundle, &answer);
                    let careful = cursor.resolve_refused(&bundle, &answer).ok();
                    assert_eq!(quick, careful, "{answer:?} at {own_id} of {unit}");
                    tried += 1;
                    taken += usize::from(quick.is_some());
                }
            }
        }
    }
    assert!(
        tried > 100_000 && taken > 10_000,
        "{tried} tried, {taken} taken"
    );
}
