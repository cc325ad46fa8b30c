//! Property tests (proptest) of the pure rules: what a valid name is, what
//! a valid value is, and that masking a stream in any pieces masks every
//! byte of every occurrence of every value (overlapping ones included),
//! leaves the other bytes as they were, and gives the same bytes as masking
//! it whole.

use proptest::prelude::*;
use secrets::exec::mask::{MaskedStream, Masker};
use secrets::name::SecretName;
use secrets::value::SecretValue;
use std::sync::Arc;
use zeroize::Zeroizing;

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 256
}

/// The reserved list itself is checked by example (`tests/names.rs`); here,
/// that parsing agrees with it for any input.
fn is_reserved(s: &str) -> bool {
    secrets::name::reserved(s).is_some()
}

fn mask_in_pieces(masker: &Arc<Masker>, input: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut stream = MaskedStream::new(Arc::clone(masker));
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts {
        let end = (at + cut).min(input.len());
        stream.push(&input[at..end], &mut out);
        at = end;
    }
    stream.push(&input[at..], &mut out);
    stream.finish(&mut out);
    out
}

/// The masking rule, written plainly: at each position the longest value
/// there is masked, together with every value that starts inside it (one
/// marker for the span); other bytes pass.
fn mask_by_the_rule(names: &[String], values: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let longest_at = |at: usize| {
        (0..values.len())
            .filter(|&i| values[i].len() >= 4 && input[at..].starts_with(&values[i]))
            .max_by_key(|&i| (values[i].len(), std::cmp::Reverse(i)))
    };
    let mut out = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let Some(first) = longest_at(at) else {
            out.push(input[at]);
            at += 1;
            continue;
        };
        out.extend_from_slice(format!("[MASKED:{}]", names[first]).as_bytes());
        let mut end = at + values[first].len();
        let mut inside = at + 1;
        while inside < end {
            if let Some(v) = longest_at(inside) {
                end = end.max(inside + values[v].len());
            }
            inside += 1;
        }
        at = end;
    }
    out
}

/// Masks the first `cut` bytes of `input` in pieces, then abandons the
/// stream (as `secrets` does when it stops waiting); returns what was
/// written by then, and in all once the rest was pushed too.
fn mask_then_abandon(
    masker: &Arc<Masker>,
    input: &[u8],
    cut: usize,
    pieces: &[usize],
) -> (Vec<u8>, Vec<u8>) {
    let mut stream = MaskedStream::new(Arc::clone(masker));
    let mut out = Vec::new();
    let cut = cut.min(input.len());
    let mut at = 0;
    for &piece in pieces {
        let end = (at + piece).min(cut);
        stream.push(&input[at..end], &mut out);
        at = end;
    }
    stream.push(&input[at..cut], &mut out);
    stream.abandon(&mut out);
    let abandoned = out.clone();
    stream.push(&input[cut..], &mut out);
    stream.finish(&mut out);
    (abandoned, out)
}

proptest! {
    #[test]
    fn names_are_accepted_exactly_when_valid_and_not_reserved(name in "\\PC{0,20}|[A-Za-z_][A-Za-z0-9_]{0,300}") {
        let accepted = SecretName::parse(&name).is_ok();
        prop_assert_eq!(accepted, is_env_name(&name) && !is_reserved(&name));
        if let Err(failure) = SecretName::parse(&name) {
            prop_assert_eq!(failure.code, 2);
            prop_assert!(!failure.message.contains('\n'));
        }
    }

    #[test]
    fn values_are_accepted_exactly_when_1_byte_to_64_kib_without_nul(
        value in prop::collection::vec(any::<u8>(), 0..70_000)
    ) {
        let valid = !value.is_empty() && value.len() <= 65_536 && !value.contains(&0);
        let result = SecretValue::new(Zeroizing::new(value.clone()));
        prop_assert_eq!(result.is_ok(), valid);
        if let Ok(accepted) = result {
            prop_assert_eq!(accepted.as_bytes(), &value[..]);
        }
        if let Err(failure) = SecretValue::new(Zeroizing::new(value.clone())) {
            prop_assert_eq!(failure.code, 2);
        }
    }

    #[test]
    fn masking_in_pieces_equals_masking_whole(
        values in prop::collection::vec(prop::collection::vec(97u8..101, 4..9), 1..5),
        input in prop::collection::vec(96u8..102, 0..200),
        cuts in prop::collection::vec(1usize..7, 0..40),
    ) {
        let names: Vec<String> = (0..values.len()).map(|i| format!("V{i}")).collect();
        let masker = Arc::new(
            Masker::new(names.iter().map(String::as_str).zip(values.iter().map(Vec::as_slice))).unwrap(),
        );
        let whole = mask_in_pieces(&masker, &input, &[]);
        prop_assert_eq!(mask_in_pieces(&masker, &input, &cuts), whole.clone());
        prop_assert_eq!(&whole, &mask_by_the_rule(&names, &values, &input));
        // No value survives: the replacements use none of the values' bytes.
        for value in &values {
            prop_assert!(!whole.windows(value.len()).any(|w| w == value.as_slice()));
        }
    }

    #[test]
    fn abandoning_a_stream_never_shows_a_value(
        values in prop::collection::vec(prop::collection::vec(97u8..101, 4..9), 1..5),
        input in prop::collection::vec(96u8..102, 0..200),
        cut in 0usize..200,
        pieces in prop::collection::vec(1usize..7, 0..40),
    ) {
        let names: Vec<String> = (0..values.len()).map(|i| format!("V{i}")).collect();
        let masker = Arc::new(
            Masker::new(names.iter().map(String::as_str).zip(values.iter().map(Vec::as_slice))).unwrap(),
        );
        let (abandoned, out) = mask_then_abandon(&masker, &input, cut, &pieces);
        prop_assert_eq!(&abandoned, &out, "nothing is written after abandoning");
        for value in &values {
            prop_assert!(!out.windows(value.len()).any(|w| w == value.as_slice()));
        }
    }
}
