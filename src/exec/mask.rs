//! Output masking: replaces every injected value that a program prints with
//! `[MASKED:NAME]`, on a stream that arrives in arbitrary pieces.
//!
//! Every byte of every occurrence of every value is masked, occurrences that
//! overlap included: overlapping occurrences make one masked span, shown as
//! one marker named after the longest value at the span's start. Bytes that
//! could still become part of a value are held until the stream says.
//!
//! Pure logic, no I/O: `supervise` feeds it what it reads from the program's
//! pipes. Not for values shorter than [`MIN_MASKED_LEN`] bytes: masking
//! "1" or "on" would shred ordinary output.

use aho_corasick::packed;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Values shorter than this are not masked.
pub const MIN_MASKED_LEN: usize = 4;

/// How many leading bytes of each value the searcher looks for (a value's
/// head). Heads are short and few (values often share one), so the search
/// runs at the same speed whatever the values' lengths; each place a head
/// is found is then compared with the values that start with it.
const HEAD_LEN: usize = MIN_MASKED_LEN;

/// The values to mask and what each is replaced with. Holds plaintext (in
/// `values`, and the heads inside the searcher): never derive `Clone`,
/// `Debug` or `Serialize`.
///
/// Built at every masked launch: from a few flat buffers rather than a
/// piece of memory per value, and without an automaton to compile.
pub struct Masker {
    heads: HeadSearcher,
    /// Value indices grouped by head (in the searcher's order), longest
    /// first within a group: group `h` is `by_head[group_starts[h]..group_starts[h + 1]]`.
    by_head: Vec<usize>,
    group_starts: Vec<usize>,
    values: EndToEnd,
    /// The name each value's marker shows, by value index.
    names: EndToEnd,
}

/// Strings stored end to end in one buffer, allocated once at its final
/// size (a growing buffer would leave copies of plaintext behind in freed
/// memory), and zeroed on drop.
struct EndToEnd {
    bytes: Zeroizing<Vec<u8>>,
    /// Where each string ends in `bytes`; the next one starts there.
    ends: Vec<usize>,
}

impl EndToEnd {
    fn new(strings: &[&[u8]]) -> EndToEnd {
        let mut bytes = Zeroizing::new(Vec::with_capacity(strings.iter().map(|s| s.len()).sum()));
        let mut ends = Vec::with_capacity(strings.len());
        for string in strings {
            bytes.extend_from_slice(string);
            ends.push(bytes.len());
        }
        EndToEnd { bytes, ends }
    }

    fn get(&self, index: usize) -> &[u8] {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.bytes[start..self.ends[index]]
    }
}

/// What starts at one position of the output seen so far.
enum Start {
    /// A value may start here: the bytes up to the end are its beginning.
    Unfinished { value: usize },
    /// This value starts here, whole, and no longer one does.
    Whole { value: usize, end: usize },
    /// No value starts here.
    Nothing,
}

/// Whether more output may follow what has been seen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum More {
    Possible,
    /// The stream has ended: nothing held can still become a value.
    Never,
}

impl Masker {
    /// A masker for `(name, value)` pairs; `None` when no value is long
    /// enough to mask.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Option<Masker> {
        let (names, values): (Vec<&[u8]>, Vec<&[u8]>) = secrets
            .into_iter()
            .filter(|(_, value)| value.len() >= MIN_MASKED_LEN)
            .map(|(name, value)| (name.as_bytes(), value))
            .unzip();
        if values.is_empty() {
            return None;
        }
        let head_of = |value: usize| -> [u8; HEAD_LEN] {
            let mut head = [0; HEAD_LEN];
            head.copy_from_slice(&values[value][..HEAD_LEN]);
            head
        };
        // Equal values under different names: the first one given names the marker.
        let mut by_head: Vec<usize> = (0..values.len()).collect();
        by_head.sort_unstable_by_key(|&v| (head_of(v), std::cmp::Reverse(values[v].len()), v));
        // At its final size from the start: growing would leave copies behind.
        let mut sorted_heads = Zeroizing::new(Vec::with_capacity(values.len()));
        let mut group_starts = Vec::new();
        for (position, &value) in by_head.iter().enumerate() {
            let head = head_of(value);
            if sorted_heads.last() != Some(&head) {
                sorted_heads.push(head);
                group_starts.push(position);
            }
        }
        group_starts.push(by_head.len());
        Some(Masker {
            heads: HeadSearcher::new(sorted_heads),
            by_head,
            group_starts,
            values: EndToEnd::new(&values),
            names: EndToEnd::new(&names),
        })
    }

    /// The values that start with head `head`, longest first.
    fn group(&self, head: usize) -> &[usize] {
        &self.by_head[self.group_starts[head]..self.group_starts[head + 1]]
    }

    /// Appends the marker that replaces `value`: `[MASKED:NAME]`.
    fn write_marker(&self, value: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(b"[MASKED:");
        out.extend_from_slice(self.names.get(value));
        out.push(b']');
    }

    /// What starts at `at` in `data`, where the head `head` was found.
    fn start_at(&self, data: &[u8], at: usize, head: usize, more: More) -> Start {
        let rest = &data[at..];
        // Longest first: every value longer than `rest` comes before the
        // ones that fit, and the first that fits and matches is the longest.
        for &value in self.group(head) {
            let bytes = self.values.get(value);
            if bytes.len() > rest.len() {
                if more == More::Possible && bytes.starts_with(rest) {
                    return Start::Unfinished { value };
                }
            } else if rest.starts_with(bytes) {
                return Start::Whole {
                    value,
                    end: at + bytes.len(),
                };
            }
        }
        Start::Nothing
    }

    /// The first of the last `HEAD_LEN - 1` positions of `data` (from
    /// `from` on) where a value may start: too close to the end for a whole
    /// head, so the searcher cannot see it.
    fn unfinished_head(&self, data: &[u8], from: usize) -> Option<(usize, usize)> {
        let first = data.len().saturating_sub(HEAD_LEN - 1).max(from);
        (first..data.len()).find_map(|at| {
            let head = self.heads.starting_with(&data[at..])?;
            Some((at, self.group(head)[0]))
        })
    }
}

/// Finds the values' heads (all `HEAD_LEN` bytes long, so at most one
/// matches at a position).
struct HeadSearcher {
    /// The distinct heads, sorted: head `i` is `sorted[i]`.
    sorted: Zeroizing<Vec<[u8; HEAD_LEN]>>,
    method: Method,
}

enum Method {
    /// aho-corasick's SIMD (Teddy) searcher, told to accept more than its
    /// usual 64 patterns: with them its automaton searcher is several
    /// times slower.
    Packed(packed::Searcher),
    /// Where no SIMD searcher can be built (other CPUs, or more distinct
    /// heads than it takes): a filter, then a binary search where the
    /// filter lets a position through. Built in one pass over the heads;
    /// aho-corasick's automaton for hundreds of heads was most of the
    /// masker's preparation, and searched several times slower.
    Filtered(HeadFilter),
}

impl HeadSearcher {
    fn new(sorted: Zeroizing<Vec<[u8; HEAD_LEN]>>) -> HeadSearcher {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(sorted.iter().map(|h| h.as_slice()))
            .build();
        let method = match packed {
            Some(searcher) => Method::Packed(searcher),
            None => Method::Filtered(HeadFilter::new(&sorted)),
        };
        HeadSearcher { sorted, method }
    }

    /// (position, head index) of the first head at or after `from`.
    fn find(&self, haystack: &[u8], from: usize) -> Option<(usize, usize)> {
        match &self.method {
            Method::Packed(searcher) => {
                let span = aho_corasick::Span::from(from..haystack.len());
                let found = searcher.find_in(haystack, span)?;
                Some((found.start(), found.pattern().as_usize()))
            }
            Method::Filtered(filter) => haystack
                .get(from..)?
                .windows(HEAD_LEN)
                .enumerate()
                .find_map(|(offset, window)| {
                    let window: [u8; HEAD_LEN] = window.try_into().ok()?;
                    if !filter.may_hold(window) {
                        return None;
                    }
                    let head = self.sorted.binary_search(&window).ok()?;
                    Some((from + offset, head))
                }),
        }
    }

    /// The index of the first head that starts with `start` (shorter than
    /// a head), if any does.
    fn starting_with(&self, start: &[u8]) -> Option<usize> {
        let head = self.sorted.partition_point(|h| h.as_slice() < start);
        let found = self.sorted.get(head)?;
        found.starts_with(start).then_some(head)
    }
}

/// One bit for each hash of a head: a position whose bytes hash to a clear
/// bit holds no head, and few positions reach the binary search.
struct HeadFilter {
    /// Holds a hash of each head: zeroed on drop like the heads.
    bits: Zeroizing<Vec<u64>>,
    /// `32 - log2(number of bits)`: the hash is the top bits of a product.
    shift: u32,
}

impl HeadFilter {
    fn new(heads: &[[u8; HEAD_LEN]]) -> HeadFilter {
        // About 64 bits per head, so that about one position in 64 passes
        // by chance; at least 4 Kib, at most 1 Mib (128 KiB).
        let log2 = (heads.len() * 64)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(12, 20);
        let mut filter = HeadFilter {
            bits: Zeroizing::new(vec![0; 1 << (log2 - 6)]),
            shift: 32 - log2,
        };
        for &head in heads {
            let bit = filter.hash(head);
            filter.bits[bit / 64] |= 1 << (bit % 64);
        }
        filter
    }

    /// Fibonacci hashing: multiply by 2^32 / golden ratio, keep the top bits.
    fn hash(&self, bytes: [u8; HEAD_LEN]) -> usize {
        (u32::from_le_bytes(bytes).wrapping_mul(0x9E37_79B1) >> self.shift) as usize
    }

    fn may_hold(&self, bytes: [u8; HEAD_LEN]) -> bool {
        let bit = self.hash(bytes);
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// One output stream being masked: the bytes not yet decided.
pub struct MaskedStream {
    masker: Arc<Masker>,
    /// Output not written yet, from the first position where a value may
    /// start that has not arrived whole.
    pending: Vec<u8>,
    /// How many bytes at the start of `pending` belong to a masked span
    /// whose marker is already written.
    covered: usize,
    /// The value that the start of `pending` may become.
    unfinished: Option<usize>,
    /// Abandoned: nothing more is written.
    stopped: bool,
}

impl MaskedStream {
    pub fn new(masker: Arc<Masker>) -> Self {
        MaskedStream {
            masker,
            pending: Vec::new(),
            covered: 0,
            unfinished: None,
            stopped: false,
        }
    }

    /// Takes the next piece of output and appends to `out` everything that
    /// is decided: all but the bytes from where a value may have started
    /// without having arrived whole.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.stopped {
            return;
        }
        self.pending.extend_from_slice(input);
        self.release(More::Possible, out);
    }

    /// The stream has ended (every writer closed it): nothing held can
    /// become a value any more, so it is masked where needed and written.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.stopped {
            return;
        }
        self.release(More::Never, out);
    }

    /// Nothing more will be read although the stream has not ended: what
    /// is held may be the start of a value, so it is written as that
    /// value's marker, never in clear (nothing, if it starts inside a span
    /// whose marker is already out). Later pieces are dropped.
    pub fn abandon(&mut self, out: &mut Vec<u8>) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        if !self.pending.is_empty() && self.covered == 0 {
            let value = self.unfinished.unwrap_or(0);
            self.masker.write_marker(value, out);
        }
        self.pending.clear();
        self.covered = 0;
        self.unfinished = None;
    }

    /// Writes what is decided in `pending` and keeps the rest.
    fn release(&mut self, more: More, out: &mut Vec<u8>) {
        let masker = &*self.masker;
        let data = self.pending.as_slice();
        let mut covered = self.covered;
        let mut hold = data.len();
        let mut unfinished = None;
        let mut from = 0;
        while let Some((at, head)) = masker.heads.find(data, from) {
            match masker.start_at(data, at, head, more) {
                Start::Unfinished { value } => {
                    hold = at;
                    unfinished = Some(value);
                    break;
                }
                Start::Whole { end, .. } if at < covered => covered = covered.max(end),
                Start::Whole { value, end } => {
                    out.extend_from_slice(&data[covered..at]);
                    masker.write_marker(value, out);
                    covered = end;
                }
                Start::Nothing => {}
            }
            from = at + 1;
        }
        if unfinished.is_none()
            && more == More::Possible
            && let Some((at, value)) = masker.unfinished_head(data, from)
        {
            hold = at;
            unfinished = Some(value);
        }
        if covered < hold {
            out.extend_from_slice(&data[covered..hold]);
        }
        self.pending.drain(..hold);
        self.covered = covered.saturating_sub(hold);
        self.unfinished = unfinished;
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

    /// The rule, written plainly: at each position the longest value there
    /// is masked, together with every value that starts inside it.
    fn reference(secrets: &[(&str, &[u8])], input: &[u8]) -> Vec<u8> {
        let longest_at = |at: usize| {
            // Reversed: of equal values, the first given names the marker.
            secrets
                .iter()
                .rev()
                .filter(|(_, v)| v.len() >= MIN_MASKED_LEN && input[at..].starts_with(v))
                .max_by_key(|(_, v)| v.len())
        };
        let mut out = Vec::new();
        let mut at = 0;
        while at < input.len() {
            let Some((name, value)) = longest_at(at) else {
                out.push(input[at]);
                at += 1;
                continue;
            };
            out.extend_from_slice(format!("[MASKED:{name}]").as_bytes());
            let mut end = at + value.len();
            let mut inside = at + 1;
            while inside < end {
                if let Some((_, v)) = longest_at(inside) {
                    end = end.max(inside + v.len());
                }
                inside += 1;
            }
            at = end;
        }
        out
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
    fn masks_every_byte_of_overlapping_values() {
        let m = masker(&[("SHORT", "pass1234"), ("TOKEN", "1234-very-secret")]);
        let whole = b"<pass1234-very-secret>";
        assert_eq!(run(&m, &[whole]).0, b"<[MASKED:SHORT]>");
        // Cut at every place: SHORT is whole long before TOKEN is.
        for cut in 0..whole.len() {
            let (first, second) = whole.split_at(cut);
            assert_eq!(
                run(&m, &[first, second]).0,
                b"<[MASKED:SHORT]>",
                "cut {cut}"
            );
        }
        // A value inside another, and one that starts inside and runs on.
        let m = masker(&[("A", "abcd-efgh"), ("B", "cd-e"), ("C", "fgh-ijkl")]);
        assert_eq!(run(&m, &[b"abcd-efgh-ijkl!"]).0, b"[MASKED:A]!");
        assert_eq!(run(&m, &[b"cd-e-fgh-ijkl"]).0, b"[MASKED:B]-[MASKED:C]");
    }

    #[test]
    fn short_values_are_not_masked() {
        assert!(Masker::new([("ON", &b"on"[..])]).is_none());
        let m = masker(&[("ON", "abc"), ("KEY", "abcd-1")]);
        assert_eq!(run(&m, &[b"abc abcd-1"]).0, b"abc [MASKED:KEY]");
    }

    /// A pseudo-random sequence for the tests (xorshift).
    fn sequence(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// Random inputs over `alphabet`, whole and cut in random pieces, give
    /// what the rule says.
    fn check_against_the_rule(secrets: &[(&str, &[u8])], alphabet: &[u8], inputs: usize) {
        let m = Arc::new(Masker::new(secrets.iter().copied()).unwrap());
        let mut next = sequence(0x9e37_79b9_7f4a_7c15);
        for _ in 0..inputs {
            let len = (next() % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let expected = reference(secrets, &input);
            assert_eq!(run(&m, &[&input]).0, expected, "input {input:?}");
            let mut pieces = Vec::new();
            let mut at = 0;
            while at < input.len() {
                let step = 1 + (next() % 4) as usize;
                let end = (at + step).min(input.len());
                pieces.push(&input[at..end]);
                at = end;
            }
            assert_eq!(run(&m, &pieces).0, expected, "input {input:?}");
        }
    }

    const SECRETS: [(&str, &[u8]); 6] = [
        ("A", b"aaab"),
        ("B", b"abab"),
        ("C", b"ab\x00\xffcd"),
        ("D", b"bbbbbbbb"),
        ("E", b"bab\x00"),
        ("F", b"ababab\x00\xff"),
    ];
    const ALPHABET: &[u8] = b"ab\x00\xffcd";

    #[test]
    fn any_split_gives_the_rule_s_result() {
        check_against_the_rule(&SECRETS, ALPHABET, 5000);
    }

    #[test]
    fn any_split_gives_the_rule_s_result_with_hundreds_of_heads() {
        // Values over the same alphabet, 4 to 8 bytes: many distinct heads,
        // more than the SIMD searcher takes, and frequent matches.
        let mut next = sequence(0x2545_f491_4f6c_dd1d);
        let extra: Vec<(String, Vec<u8>)> = (0..400)
            .map(|i| {
                let len = 4 + (next() % 5) as usize;
                let value = (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect();
                (format!("X{i}"), value)
            })
            .collect();
        let mut secrets = SECRETS.to_vec();
        secrets.extend(extra.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
        let m = Masker::new(secrets.iter().copied()).unwrap();
        assert!(matches!(m.heads.method, Method::Filtered(_)));
        check_against_the_rule(&secrets, ALPHABET, 2000);
    }

    #[test]
    fn abandoning_a_stream_writes_what_it_holds_as_a_marker() {
        let m = masker(&[("TOKEN", "s3cr3t-value"), ("OTHER", "s3cr3t-other-value")]);
        let mut stream = MaskedStream::new(Arc::clone(&m));
        let mut out = Vec::new();
        stream.push(b"a s3cr3t-", &mut out);
        assert_eq!(out, b"a ");
        stream.abandon(&mut out);
        assert_eq!(out, b"a [MASKED:OTHER]");
        stream.push(b"value", &mut out);
        stream.finish(&mut out);
        assert_eq!(out, b"a [MASKED:OTHER]", "nothing after abandoning");

        // Held inside a span whose marker is out: nothing more to write.
        let m = masker(&[("SHORT", "pass1234"), ("TOKEN", "1234-very-secret")]);
        let mut stream = MaskedStream::new(m);
        let mut out = Vec::new();
        stream.push(b"pass1234-ve", &mut out);
        assert_eq!(out, b"[MASKED:SHORT]");
        stream.abandon(&mut out);
        assert_eq!(out, b"[MASKED:SHORT]");
    }

    #[test]
    fn a_long_value_is_found_across_many_pieces() {
        let long: Vec<u8> = (0..70_000u32).map(|i| b'a' + (i % 23) as u8).collect();
        let m = Arc::new(Masker::new([("LONG", &long[..]), ("SHORT", b"abcd")]).unwrap());
        let mut input = b"x ".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b" y");
        let pieces: Vec<&[u8]> = input.chunks(4096).collect();
        assert_eq!(run(&m, &pieces).0, b"x [MASKED:LONG] y");
    }

    #[test]
    fn binary_without_values_passes_byte_for_byte() {
        let m = masker(&[("TOKEN", "s3cr3t-value")]);
        let input: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let pieces: Vec<&[u8]> = input.chunks(777).collect();
        assert_eq!(run(&m, &pieces).0, input);
    }
}
