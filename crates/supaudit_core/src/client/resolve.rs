//! Resolving import specifiers to the project's client files: relative paths,
//! the root `tsconfig.json` / `jsconfig.json` (`compilerOptions.paths` and
//! `baseUrl`, read as JSONC: comments and trailing commas allowed), then the
//! `@/` / `~/` guess of [`super::resolve_import`]. Extensions
//! (`.ts/.tsx/.js/.jsx/.mjs/.cjs/.mts/.cts`), `/index.*` files and `./x.js`
//! naming `x.ts` are tried. Package names resolve to nothing.

use std::collections::HashSet;

use crate::project::{FileKind, Project};

const EXTS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

/// `compilerOptions` of the project's tsconfig that matter for resolution.
#[derive(Debug, Clone, Default)]
pub struct TsPaths {
    /// Folder `paths` targets are relative to (`baseUrl`, else the config's
    /// folder), project-relative without a trailing `/` (`""` is the root).
    pub base: String,
    /// `baseUrl` was set: bare specifiers may name files under it.
    pub base_url: bool,
    /// `(pattern, targets)`, patterns with at most one `*`.
    pub paths: Vec<(String, Vec<String>)>,
}

impl TsPaths {
    /// Reads `compilerOptions` from the text of a tsconfig / jsconfig at the
    /// project root; `None` when it does not parse or says nothing useful.
    pub fn parse(text: &str) -> Option<TsPaths> {
        let value: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).ok()?;
        let opts = value.get("compilerOptions")?;
        let base_url = opts.get("baseUrl").and_then(|v| v.as_str());
        let base = base_url.map(|b| normalize(&[], b)).unwrap_or_default();
        let paths = opts
            .get("paths")
            .and_then(|p| p.as_object())
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.matches('*').count() <= 1)
                    .map(|(k, v)| {
                        let targets = v
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|t| t.as_str())
                                    .filter(|t| t.matches('*').count() <= 1)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (k.clone(), targets)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(TsPaths {
            base,
            base_url: base_url.is_some(),
            paths,
        })
    }
}

/// Resolves imports between a project's client files.
pub struct Resolver<'p> {
    files: HashSet<&'p str>,
    /// The same files, for the `@/` / `~/` guess.
    index: super::ImportIndex<'p>,
    ts: Option<TsPaths>,
}

impl<'p> Resolver<'p> {
    /// `files`: the client files imports may name. The root `tsconfig.json`
    /// (else `jsconfig.json`) of `project` gives the aliases.
    pub fn new(project: &Project, files: impl Iterator<Item = &'p str>) -> Self {
        let config = ["tsconfig.json", "jsconfig.json"].iter().find_map(|name| {
            project
                .files
                .iter()
                .find(|f| f.kind == FileKind::TsConfig && f.path == *name)
        });
        let files: HashSet<&'p str> = files.collect();
        Resolver {
            index: super::ImportIndex::new(files.iter().copied()),
            files,
            ts: config.and_then(|f| TsPaths::parse(&f.text)),
        }
    }

    /// The client file `spec` names when imported from `from`.
    pub fn resolve(&self, from: &str, spec: &str) -> Option<&'p str> {
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            let mut dir: Vec<&str> = from.split('/').collect();
            dir.pop();
            return self.file_at(&normalize(&dir, spec));
        }
        if let Some(ts) = &self.ts {
            let base: Vec<&str> = ts.base.split('/').filter(|s| !s.is_empty()).collect();
            // The longest matching prefix wins, as in TypeScript.
            let best = ts
                .paths
                .iter()
                .filter_map(|(pattern, targets)| match pattern.split_once('*') {
                    Some((pre, post)) => {
                        let rest = spec.strip_prefix(pre)?.strip_suffix(post)?;
                        Some((pre.len(), Some(rest), targets))
                    }
                    None => (pattern == spec).then_some((pattern.len(), None, targets)),
                })
                .max_by_key(|(len, ..)| *len);
            if let Some((_, star, targets)) = best {
                return targets.iter().find_map(|t| {
                    let t = match star {
                        Some(s) => t.replacen('*', s, 1),
                        None => t.clone(),
                    };
                    self.file_at(&normalize(&base, &t))
                });
            }
            if ts.base_url
                && let Some(found) = self.file_at(&normalize(&base, spec))
            {
                return Some(found);
            }
        }
        self.index.resolve(from, spec)
    }

    /// The file at a project-relative path without (or with) its extension.
    fn file_at(&self, path: &str) -> Option<&'p str> {
        if let Some(f) = self.files.get(path) {
            return Some(f);
        }
        // `./x.js` in TypeScript names `x.ts`.
        if let Some((stem, ext)) = path.rsplit_once('.') {
            let ts_ext: &[&str] = match ext {
                "js" => &["ts", "tsx"],
                "jsx" => &["tsx"],
                "mjs" => &["mts"],
                "cjs" => &["cts"],
                _ => &[],
            };
            for e in ts_ext {
                if let Some(f) = self.files.get(format!("{stem}.{e}").as_str()) {
                    return Some(f);
                }
            }
        }
        let index = if path.is_empty() {
            "index".to_string()
        } else {
            format!("{path}/index")
        };
        for p in [path, index.as_str()] {
            for e in EXTS {
                if let Some(f) = self.files.get(format!("{p}.{e}").as_str()) {
                    return Some(f);
                }
            }
        }
        None
    }
}

/// `rel` joined to the folder `dir` (segments), with `.` and `..` resolved;
/// `..` above the root is dropped.
fn normalize(dir: &[&str], rel: &str) -> String {
    let mut parts: Vec<&str> = dir.iter().copied().filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// JSONC to JSON: comments outside strings removed, trailing commas dropped.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut start = 0;
    let flush = |out: &mut String, start: usize, end: usize| out.push_str(&text[start..end]);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                flush(&mut out, start, i);
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                start = i;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                flush(&mut out, start, i);
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                start = i;
                out.push(' ');
            }
            b',' => {
                // A comma followed only by blanks and comments before `}` / `]`.
                let mut j = i + 1;
                loop {
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'/') {
                        while j < b.len() && b[j] != b'\n' {
                            j += 1;
                        }
                    } else if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'*') {
                        j += 2;
                        while j < b.len() && !(b[j] == b'*' && b.get(j + 1) == Some(&b'/')) {
                            j += 1;
                        }
                        j = (j + 2).min(b.len());
                    } else {
                        break;
                    }
                }
                if matches!(b.get(j), Some(b'}' | b']')) {
                    flush(&mut out, start, i);
                    start = i + 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        out.push_str(&text[start.min(b.len())..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::SourceFile;

    #[test]
    fn jsonc() {
        let t = "{\n // c\n \"a\": \"x//y\", /* b */ \"c\": [1, 2,],\n}";
        let v: serde_json::Value = serde_json::from_str(&strip_jsonc(t)).unwrap();
        assert_eq!(v["a"], "x//y");
        assert_eq!(v["c"].as_array().unwrap().len(), 2);
        assert_eq!(strip_jsonc("{\"a\": \"\\\"\", // x"), "{\"a\": \"\\\"\", ");
    }

    #[test]
    fn resolves_paths_and_relative() {
        let files = [
            "src/lib/admin.ts",
            "src/lib/db/index.ts",
            "src/components/a.tsx",
            "lib/util.js",
            "src/types.ts",
        ];
        let mut p = Project::new(
            files
                .iter()
                .map(|f| SourceFile::new(*f, ""))
                .collect::<Vec<_>>(),
        );
        p.files.push(SourceFile::new(
            "tsconfig.json",
            r##"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "#db": ["src/lib/db"], }, }, }"##,
        ));
        let r = Resolver::new(&p, files.iter().copied());
        let from = "src/components/a.tsx";
        assert_eq!(r.resolve(from, "@/lib/admin"), Some("src/lib/admin.ts"));
        assert_eq!(r.resolve(from, "#db"), Some("src/lib/db/index.ts"));
        assert_eq!(r.resolve(from, "../lib/admin.js"), Some("src/lib/admin.ts"));
        assert_eq!(r.resolve(from, "../lib/db"), Some("src/lib/db/index.ts"));
        assert_eq!(r.resolve(from, "lib/util"), Some("lib/util.js"));
        assert_eq!(r.resolve(from, "@/missing"), None);
        assert_eq!(r.resolve(from, "react"), None);
        assert_eq!(r.resolve(from, "../../../../x"), None);
        // Without a tsconfig, `@/` is guessed.
        let q = Project::new(Vec::new());
        let r = Resolver::new(&q, files.iter().copied());
        assert_eq!(r.resolve(from, "@/lib/admin"), Some("src/lib/admin.ts"));
    }

    /// `resolve_import` as it was before `ImportIndex` (a scan of every path).
    fn reference<'p>(
        from: &str,
        spec: &str,
        paths: impl Iterator<Item = &'p str>,
    ) -> Option<&'p str> {
        fn stem(p: &str) -> &str {
            let p = match p.rsplit_once('.') {
                Some((base, ext)) if EXTS.contains(&ext) => base,
                _ => p,
            };
            p.strip_suffix("/index").unwrap_or(p)
        }
        let wanted: String;
        let alias = if spec.starts_with("./") || spec.starts_with("../") {
            let mut parts: Vec<&str> = from.split('/').collect();
            parts.pop();
            for seg in spec.split('/') {
                match seg {
                    "." | "" => {}
                    ".." => {
                        parts.pop()?;
                    }
                    s => parts.push(s),
                }
            }
            wanted = parts.join("/");
            false
        } else if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
            wanted = rest.to_string();
            true
        } else {
            return None;
        };
        let wanted = stem(&wanted).to_string();
        let mut best: Option<(&str, usize)> = None;
        let mut tie = false;
        for p in paths {
            let s = stem(p);
            let hit = if alias {
                s == wanted || s.ends_with(&format!("/{wanted}"))
            } else {
                s == wanted
            };
            if !hit {
                continue;
            }
            let common = from
                .split('/')
                .zip(p.split('/'))
                .take_while(|(a, b)| a == b)
                .count();
            match best {
                Some((_, c)) if c > common => {}
                Some((_, c)) if c == common => tie = true,
                _ => {
                    best = Some((p, common));
                    tie = false;
                }
            }
        }
        if tie { None } else { best.map(|b| b.0) }
    }

    #[test]
    fn import_index_answers_as_a_scan() {
        // Paths built from a few segments so that suffixes, `index` files,
        // extensions and ties between folders all occur.
        let segs = ["a", "lib", "ui", "index", "b.c", ""];
        let exts = ["ts", "tsx", "js", "json", "d.ts", ""];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut paths = Vec::new();
        for _ in 0..400 {
            let depth = 1 + next(4);
            let mut p: Vec<&str> = (0..depth).map(|_| segs[next(segs.len())]).collect();
            let last = p.pop().unwrap_or("x");
            let ext = exts[next(exts.len())];
            let file = if ext.is_empty() {
                last.to_string()
            } else {
                format!("{last}.{ext}")
            };
            let mut s = p.join("/");
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(&file);
            paths.push(s);
        }
        // duplicates tie, as they did
        paths.push(paths[0].clone());
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let index = crate::client::ImportIndex::new(refs.iter().copied());
        let prefixes = ["./", "../", "../../", "@/", "~/", "", "./../"];
        let mut checked = 0;
        for from in refs.iter().take(60) {
            for _ in 0..40 {
                let depth = next(3);
                let rest: Vec<&str> = (0..depth).map(|_| segs[next(segs.len())]).collect();
                let spec = format!("{}{}", prefixes[next(prefixes.len())], rest.join("/"));
                let want = reference(from, &spec, refs.iter().copied());
                assert_eq!(
                    crate::client::resolve_import(from, &spec, refs.iter().copied()),
                    want,
                    "resolve_import {from} {spec}"
                );
                assert_eq!(index.resolve(from, &spec), want, "index {from} {spec}");
                checked += usize::from(want.is_some());
            }
        }
        assert!(checked > 50, "too few resolved imports: {checked}");
    }
}
