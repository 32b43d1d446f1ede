//! Incremental re-parsing: after an edit, only the statements around it are
//! parsed again; the others are kept (moved when the edit changed the length
//! before them). The result equals a full parse; when that cannot be shown
//! cheaply (the new text around the edit does not parse cleanly into whole
//! statements), the file is parsed again from the edited region to its end.

use super::ir::{SqlFile, StmtContext};
use super::lower::parse_sql_at;
use super::shift;

/// How often each path was taken (tests and benchmarks read it).
pub static STATS: [std::sync::atomic::AtomicUsize; 3] = [
    std::sync::atomic::AtomicUsize::new(0), // spliced
    std::sync::atomic::AtomicUsize::new(0), // parsed to the end from the region
    std::sync::atomic::AtomicUsize::new(0), // parsed whole
];

fn count(i: usize) {
    STATS[i].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The parse of `new`, reusing `old` (the parse of `old_text`).
pub fn reparse(old: &SqlFile, old_text: &str, new: &str) -> SqlFile {
    // The edit: old[a..b] became new[a..a + n].
    let a = old_text
        .bytes()
        .zip(new.bytes())
        .take_while(|(x, y)| x == y)
        .count();
    let max_suffix = old_text.len().min(new.len()) - a;
    let suffix = old_text
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let (b, n_end) = (old_text.len() - suffix, new.len() - suffix);
    if a == old_text.len() && a == new.len() {
        return old.clone();
    }
    let delta = new.len() as i64 - old_text.len() as i64;

    let top: Vec<(u32, u32)> = old
        .stmts
        .iter()
        .filter(|s| s.context == StmtContext::TopLevel)
        .map(|s| (s.span.start, s.span.end))
        .collect();
    // One whole statement of margin on each side of the statements the edit touches.
    let before = top.iter().rposition(|&(_, end)| (end as usize) < a);
    let start = match before.and_then(|i| i.checked_sub(1)) {
        Some(i) => top[i].1 as usize,
        None => 0,
    };
    let after = top.iter().position(|&(s, _)| (s as usize) > b);
    let old_end = match after.map(|j| j + 1) {
        Some(j) if j < top.len() => top[j].0 as usize,
        _ => old_text.len(),
    };
    let new_end = (old_end as i64 + delta) as usize;
    if !(new.is_char_boundary(start) && new.is_char_boundary(new_end)) || new_end < n_end {
        count(2);
        return parse_sql_at(new, 0);
    }

    // The parser must be between statements at `start` in the new text as in
    // the old: a `;` just before, and no broken statement before it (the
    // errors of a broken statement can depend on the token that follows it).
    let after_semicolon = start == 0 || new[..start].ends_with(';');
    if !after_semicolon || old.errors.iter().any(|e| (e.span.start as usize) <= start) {
        count(2);
        return parse_sql_at(new, 0);
    }
    let region = parse_sql_at(&new[start..new_end], start as u32);
    // The region stands alone when it parses cleanly and its last statement
    // ends with `;` (then the parser is between statements at its end too),
    // and no line comment or token runs past its end.
    let clean = region.errors.is_empty()
        && (new_end == new.len() || new[..new_end].ends_with('\n'))
        && region
            .stmts
            .iter()
            .rfind(|s| s.context == StmtContext::TopLevel)
            .is_none_or(|s| new[..s.span.end as usize].ends_with(';'));
    let (region, end_old) = if clean {
        count(0);
        (region, old_end)
    } else {
        count(1);
        // A half-typed statement may swallow what follows (an open quote, a
        // missing `;`): parse to the end instead.
        (parse_sql_at(&new[start..], start as u32), old_text.len())
    };
    let (start32, end32) = (start as u32, end_old as u32);
    let mut out = SqlFile {
        stmts: Vec::with_capacity(old.stmts.len()),
        errors: Vec::new(),
        comments: Vec::new(),
    };
    // Kept before the region, the region, kept after it (moved).
    out.stmts
        .extend(old.stmts.iter().filter(|s| s.span.end <= start32).cloned());
    out.stmts.extend(region.stmts);
    if end_old < old_text.len() {
        for s in old.stmts.iter().filter(|s| s.span.start >= end32) {
            let mut s = s.clone();
            shift::stmt(&mut s, delta);
            out.stmts.push(s);
        }
    }
    // An empty error at the region's start belongs to the region's first token.
    out.errors.extend(
        old.errors
            .iter()
            .filter(|e| e.span.end <= start32 && !(e.span.is_empty() && e.span.start == start32))
            .cloned(),
    );
    out.errors.extend(region.errors);
    if end_old < old_text.len() {
        for e in old.errors.iter().filter(|e| e.span.start >= end32) {
            let mut e = e.clone();
            shift::error(&mut e, delta);
            out.errors.push(e);
        }
    }
    // As a full parse does.
    super::lower::sort_errors(&mut out.errors);
    out.comments.extend(
        old.comments
            .iter()
            .filter(|c| c.span.end <= start32)
            .cloned(),
    );
    out.comments.extend(region.comments);
    if end_old < old_text.len() {
        for c in old.comments.iter().filter(|c| c.span.start >= end32) {
            let mut c = c.clone();
            shift::comment(&mut c, delta);
            out.comments.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_sql;

    /// A tiny deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const SNIPPETS: &[&str] = &[
        "create table public.t (id bigint primary key, name text);\n",
        "alter table public.t enable row level security;\n",
        "create policy p on public.t for select using ((select auth.uid()) = id);\n",
        "create index on public.t (name);\n",
        "create function f() returns int language sql as $$ select 1 $$;\n",
        "do $$ begin create table x (a int); end $$;\n",
        "-- a comment\n",
        "/* block */",
        "create table (",
        "'",
        "$$",
        ";",
        "é日本🎉",
        " ",
        "\n",
        "select",
        "insert into public.t values (1, 'a'), (2, 'b');\n",
    ];

    /// The first index where two lists differ, with both sides (for failure messages).
    fn first_diff<T: std::fmt::Debug>(a: &[T], b: &[T]) -> Option<(usize, String, String)> {
        (0..a.len().max(b.len()))
            .map(|i| (i, format!("{:?}", a.get(i)), format!("{:?}", b.get(i))))
            .find(|(_, x, y)| x != y)
    }

    fn same(a: &SqlFile, b: &SqlFile) -> bool {
        format!("{:?}", a.stmts) == format!("{:?}", b.stmts)
            && format!("{:?}", a.errors) == format!("{:?}", b.errors)
            && format!("{:?}", a.comments) == format!("{:?}", b.comments)
    }

    /// Mostly valid editing (whole statements added and removed at line
    /// starts, identifiers retyped), where the kept statements are reused.
    #[test]
    fn incremental_parse_of_valid_edits_equals_a_full_parse() {
        let mut rng = Rng(7);
        let stmts = &SNIPPETS[..6];
        let mut text: String = (0..40).map(|i| stmts[i % stmts.len()]).collect();
        let mut parsed = parse_sql(&text);
        for step in 0..2000 {
            let lines: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&i| i < text.len())
                .collect();
            let at = lines[rng.below(lines.len())];
            let mut new = text.clone();
            match rng.below(3) {
                0 => new.insert_str(at, stmts[rng.below(stmts.len())]),
                1 => {
                    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                    new.replace_range(at..end, "");
                }
                _ => {
                    if let Some(i) = text[at..].find("public.t") {
                        new.replace_range(
                            at + i + 7..at + i + 8,
                            if rng.below(2) == 0 { "u" } else { "t" },
                        );
                    }
                }
            }
            let inc = reparse(&parsed, &text, &new);
            assert!(
                same(&inc, &parse_sql(&new)),
                "step {step}\n--- old\n{text}\n--- new\n{new}"
            );
            text = new;
            parsed = inc;
        }
        let spliced = STATS[0].load(std::sync::atomic::Ordering::Relaxed);
        assert!(spliced > 1000, "the splice path ran {spliced} times");
    }

    #[test]
    fn incremental_parse_equals_a_full_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut seeds: Vec<String> = Vec::new();
        for rule in [
            "rls-disabled",
            "auth-rls-initplan",
            "function-search-path-mutable",
            "syntax-error",
            "public-bucket-listing",
        ] {
            if let Ok(t) = std::fs::read_to_string(dir.join(rule).join("fires.txt")) {
                seeds.push(t);
            }
        }
        let seed: u64 = option_env!("SUPAUDIT_FUZZ_SEED")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        let mut rng = Rng(seed);
        let mut checked = 0;
        for seed in seeds {
            let mut text = seed.clone();
            let mut parsed = parse_sql(&text);
            let steps: usize = option_env!("SUPAUDIT_FUZZ_STEPS")
                .and_then(|s| s.parse().ok())
                .unwrap_or(300);
            for step in 0..steps {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut new = text.clone();
                match rng.below(3) {
                    0 => new.insert_str(at, SNIPPETS[rng.below(SNIPPETS.len())]),
                    1 => {
                        let mut end = (at + rng.below(40)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        new.replace_range(at..end, "");
                    }
                    _ => {
                        let mut end = (at + rng.below(10)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        new.replace_range(at..end, SNIPPETS[rng.below(SNIPPETS.len())]);
                    }
                }
                let inc = reparse(&parsed, &text, &new);
                let full = parse_sql(&new);
                assert!(
                    same(&inc, &full),
                    "step {step}: incremental parse differs from a full parse\n--- old\n{text}\n--- new\n{new}\n\
                     first difference (incremental | full): statements {:?}, errors {:?}, comments {:?}",
                    first_diff(&inc.stmts, &full.stmts),
                    first_diff(&inc.errors, &full.errors),
                    first_diff(&inc.comments, &full.comments),
                );
                text = new;
                parsed = inc;
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }
}
