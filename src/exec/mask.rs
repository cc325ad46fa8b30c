//! Output masking: replaces every injected value that a program prints with
//! `[MASKED:NAME]`, on a stream that arrives in arbitrary pieces.
//!
//! Pure logic, no I/O: `supervise` feeds it what it reads from the program's
//! pipes. Not for values shorter than [`MIN_MASKED_LEN`] bytes: masking
//! "1" or "on" would shred ordinary output.

use aho_corasick::{AhoCorasick, Input, MatchKind, packed};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Values shorter than this are not masked.
pub const MIN_MASKED_LEN: usize = 4;

/// The values to mask and what each is replaced with. Holds plaintext (inside
/// the automaton): never derive `Clone`, `Debug` or `Serialize`.
pub struct Masker {
    matcher: Matcher,
    /// `[MASKED:NAME]` for each pattern, by pattern index.
    replacements: Vec<Vec<u8>>,
    /// The values, sorted: a binary search tells whether some trailing
    /// bytes might still become a value (they are a proper prefix of one).
    sorted: Vec<Zeroizing<Vec<u8>>>,
    longest: usize,
}

impl Masker {
    /// A masker for `(name, value)` pairs; `None` when no value is long
    /// enough to mask.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Option<Masker> {
        let mut values = Vec::new();
        let mut replacements = Vec::new();
        for (name, value) in secrets {
            if value.len() >= MIN_MASKED_LEN {
                values.push(value);
                replacements.push(format!("[MASKED:{name}]").into_bytes());
            }
        }
        if values.is_empty() {
            return None;
        }
        let matcher = Matcher::new(&values)?;
        let mut sorted: Vec<Zeroizing<Vec<u8>>> =
            values.iter().map(|v| Zeroizing::new(v.to_vec())).collect();
        sorted.sort_unstable_by(|a, b| a.as_slice().cmp(b.as_slice()));
        let longest = values.iter().map(|v| v.len()).max().unwrap_or(0);
        Some(Masker {
            matcher,
            replacements,
            sorted,
            longest,
        })
    }

    /// Length of the longest suffix of `data` that is a proper prefix of a
    /// value: those bytes must wait for more input.
    fn undecided_tail(&self, data: &[u8]) -> usize {
        let most = self.longest.saturating_sub(1).min(data.len());
        (1..=most)
            .rev()
            .find(|&len| self.is_proper_prefix(&data[data.len() - len..]))
            .unwrap_or(0)
    }

    /// Whether `bytes` is the start of some value, but not all of it.
    fn is_proper_prefix(&self, bytes: &[u8]) -> bool {
        // The first value not below `bytes` is the one to start with it.
        let at = self.sorted.partition_point(|v| v.as_slice() < bytes);
        self.sorted[at..]
            .iter()
            .take_while(|v| v.starts_with(bytes))
            .any(|v| v.len() > bytes.len())
    }
}

/// Finds values, leftmost first and the longest where they overlap.
enum Matcher {
    /// aho-corasick's SIMD (Teddy) searcher, told to accept more than its
    /// usual 64 patterns: with them its automaton searcher runs at about
    /// 400 MB/s here, the packed one several times faster.
    Packed(packed::Searcher),
    /// Where no SIMD searcher can be built (other CPUs).
    Automaton(AhoCorasick),
}

impl Matcher {
    fn new(values: &[&[u8]]) -> Option<Matcher> {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(values)
            .build();
        if let Some(searcher) = packed {
            return Some(Matcher::Packed(searcher));
        }
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(values)
            .ok()
            .map(Matcher::Automaton)
    }

    /// (start, end, value index) of the first value at or after `from`.
    fn find(&self, haystack: &[u8], from: usize) -> Option<(usize, usize, usize)> {
        let found = match self {
            Matcher::Packed(searcher) => {
                searcher.find_in(haystack, aho_corasick::Span::from(from..haystack.len()))?
            }
            Matcher::Automaton(automaton) => {
                automaton.find(Input::new(haystack).span(from..haystack.len()))?
            }
        };
        Some((found.start(), found.end(), found.pattern().as_usize()))
    }
}

/// One output stream being masked: the bytes not yet decided.
pub struct MaskedStream {
    masker: Arc<Masker>,
    pending: Vec<u8>,
}

impl MaskedStream {
    pub fn new(masker: Arc<Masker>) -> Self {
        MaskedStream {
            masker,
            pending: Vec::new(),
        }
    }

    /// Takes the next piece of output and appends to `out` everything that
    /// is decided: all but the trailing bytes that could still start a value.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(input);
        let hold_from = self.pending.len() - self.masker.undecided_tail(&self.pending);
        let written = self.replace(hold_from, out);
        let release = hold_from.max(written);
        out.extend_from_slice(&self.pending[written..release]);
        self.pending.drain(..release);
    }

    /// The program is done: masks and releases whatever was held.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let end = self.pending.len();
        let written = self.replace(end, out);
        out.extend_from_slice(&self.pending[written..]);
        self.pending.clear();
    }

    /// Writes `pending` with values replaced, for matches that start before
    /// `limit`; returns how far it wrote.
    fn replace(&self, limit: usize, out: &mut Vec<u8>) -> usize {
        let mut written = 0;
        while let Some((start, end, pattern)) = self.masker.matcher.find(&self.pending, written) {
            if start >= limit {
                break;
            }
            out.extend_from_slice(&self.pending[written..start]);
            out.extend_from_slice(&self.masker.replacements[pattern]);
            written = end;
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masker(secrets: &[(&str, &str)]) -> Arc<Masker> {
        Arc::new(Masker::new(secrets.iter().map(|(n, v)| (*n, v.as_bytes()))).unwrap())
    }

    fn run(masker: &Arc<Masker>, pieces: &[&[u8]]) -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut stream = MaskedStream::new(Arc::clone(masker));
        let mut all = Vec::new();
        let mut released = Vec::new();
        for piece in pieces {
            let mut out = Vec::new();
            stream.push(piece, &mut out);
            released.push(out.clone());
            all.extend(out);
        }
        stream.finish(&mut all);
        (all, released)
    }

    #[test]
    fn masks_whole_and_split_values() {
        let m = masker(&[("TOKEN", "s3cr3t-value")]);
        let (all, _) = run(&m, &[b"a s3cr3t-value b"]);
        assert_eq!(all, b"a [MASKED:TOKEN] b");
        let (all, released) = run(&m, &[b"x s3cr3", b"t-value y"]);
        assert_eq!(all, b"x [MASKED:TOKEN] y");
        assert_eq!(released[0], b"x ", "the possible start of a value is held");
    }

    #[test]
    fn releases_what_cannot_be_a_value_at_once() {
        let m = masker(&[("TOKEN", "s3cr3t-value")]);
        let (_, released) = run(&m, &[b"password: "]);
        assert_eq!(released[0], b"password: ");
        let (all, released) = run(&m, &[b"s3c", b"ret"]);
        assert_eq!(released[0], b"");
        assert_eq!(released[1], b"s3cret");
        assert_eq!(all, b"s3cret");
    }

    #[test]
    fn prefers_the_longest_overlapping_value() {
        let m = masker(&[("SHORT", "abcd"), ("LONG", "abcdefgh")]);
        assert_eq!(run(&m, &[b"xx abcdefgh"]).0, b"xx [MASKED:LONG]");
        assert_eq!(run(&m, &[b"xx abcd", b"efgh"]).0, b"xx [MASKED:LONG]");
        assert_eq!(run(&m, &[b"xx abcd", b"efg!"]).0, b"xx [MASKED:SHORT]efg!");
        assert_eq!(run(&m, &[b"abcd"]).0, b"[MASKED:SHORT]");
    }

    #[test]
    fn short_values_are_not_masked() {
        assert!(Masker::new([("ON", &b"on"[..])]).is_none());
        let m = masker(&[("ON", "abc"), ("KEY", "abcd-1")]);
        assert_eq!(run(&m, &[b"abc abcd-1"]).0, b"abc [MASKED:KEY]");
    }

    #[test]
    fn any_split_gives_the_whole_buffer_result() {
        let secrets: [(&str, &[u8]); 4] = [
            ("A", b"aaab"),
            ("B", b"abab"),
            ("C", b"ab\x00\xffcd"),
            ("D", b"bbbbbbbb"),
        ];
        let m = Arc::new(Masker::new(secrets).unwrap());
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"ab\x00\xffcd";
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let input: Vec<u8> = (0..len).map(|_| alphabet[(next() % 6) as usize]).collect();
            let whole = run(&m, &[&input]).0;
            let mut pieces = Vec::new();
            let mut at = 0;
            while at < input.len() {
                let step = 1 + (next() % 4) as usize;
                let end = (at + step).min(input.len());
                pieces.push(&input[at..end]);
                at = end;
            }
            assert_eq!(run(&m, &pieces).0, whole, "input {input:?}");
        }
    }

    #[test]
    fn binary_without_values_passes_byte_for_byte() {
        let m = masker(&[("TOKEN", "s3cr3t-value")]);
        let input: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let pieces: Vec<&[u8]> = input.chunks(777).collect();
        assert_eq!(run(&m, &pieces).0, input);
    }
}
