#!/usr/bin/env bash
# Assembles the real-world corpus into .corpus/ (git-ignored, never committed).
#
#   bash scripts/corpus-assemble.sh [MANIFEST] [MIRRORS] [OUT]
#
# defaults: ../shared/tools/corpus_manifest.tsv, /work/.mirror, .corpus
#
# For every repository of the manifest (tab-separated: repo, commit, …) it reads the bare
# mirror MIRRORS/<owner>+<name>/repo (or MIRRORS/<owner>+<name> itself) at the manifest's
# commit — at the mirror's HEAD when that commit is absent, which it says — and extracts into
# OUT/<owner>__<name>/, keeping the repository's paths, so that each repository is one whole
# project:
#   - every file below each `supabase/` folder that holds `config.toml` or `migrations/`
#     (migrations, schemas, seed, tests, edge functions, …), as the SQL corpus always had;
#   - client code: *.ts *.tsx *.js *.jsx *.mjs *.cjs *.mts *.cts (not *.d.ts);
#   - tsconfig*.json, jsconfig*.json;
#   - env examples: .env.example, .env.*.example, .env.sample, .env.template, …;
# nothing below node_modules, dist, build, out, .next and the other folders supaudit_fs skips,
# nor vendored (vendor/, vendors/, third_party/) or minified files (*.min.js, *.bundle.js,
# *-min.js, or files over 20 KB whose lines average more than 300 characters), nor client files over
# 1 MB. An existing OUT/<owner>__<name>/ is replaced. Prints one line per repository.
set -euo pipefail

top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
manifest=${1:-$top/../shared/tools/corpus_manifest.tsv}
mirrors=${2:-/work/.mirror}
out=${3:-$top/.corpus}
mkdir -p "$out"

skip_dirs='(^|/)(node_modules|dist|build|out|\.next|\.nuxt|\.output|\.svelte-kit|\.vercel|\.turbo|\.expo|\.cache|coverage|target|vendor|vendors|third_party|\.git)/'

printf '%-48s %-9s %7s %7s %9s %s\n' repository commit files client KB note
tail -n +2 "$manifest" | while IFS=$'\t' read -r repo commit _rest; do
    [[ -n "$repo" ]] || continue
    name=${repo/\//+}
    gd=$mirrors/$name/repo
    [[ -d "$gd" ]] || gd=$mirrors/$name
    note=""
    if ! git --git-dir="$gd" rev-parse -q --verify "$commit^{commit}" >/dev/null 2>&1; then
        if ! head=$(git --git-dir="$gd" rev-parse -q --verify HEAD 2>/dev/null); then
            printf '%-48s MISSING (no mirror at %s)\n' "$repo" "$mirrors/$name"
            continue
        fi
        note="manifest commit ${commit:0:7} absent: used HEAD"
        commit=$head
    fi
    dest=$out/${repo/\//__}
    rm -rf "$dest"
    mkdir -p "$dest"
    list=$(mktemp)
    # `git ls-tree -r -l`: "<mode> blob <sha> <size>\t<path>"; regular files only.
    git --git-dir="$gd" ls-tree -r -l --full-tree "$commit" |
        awk -F'\t' '$1 ~ /^100/ { print $2; split($1, a, " "); if (a[4] + 0 > 1048576) print $2 >"/dev/stderr" }' \
            2>"$list.big" | grep -Ev "$skip_dirs" >"$list.all" || true
    # supabase/ folders that hold config.toml or migrations/
    grep -Eo '^(.*/)?supabase/(config\.toml$|migrations/)' "$list.all" |
        sed -E 's#(config\.toml|migrations/)$##' | sort -u >"$list.sb" || true
    {
        # everything below those supabase/ folders
        if [[ -s "$list.sb" ]]; then
            awk 'NR == FNR { sb[NR] = $0; n = NR; next }
                 { for (i = 1; i <= n; i++) if (index($0, sb[i]) == 1) { print; next } }' \
                "$list.sb" "$list.all"
        fi
        grep -E '\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$' "$list.all" |
            grep -Ev '\.d\.ts$|\.d\.mts$|\.d\.cts$|[.-]min\.[cm]?js$|\.bundle\.js$' |
            grep -Fxv -f "$list.big" || true
        grep -E '(^|/)(ts|js)config[^/]*\.json$' "$list.all" || true
        grep -E '(^|/)\.env([.][^/]*)?\.(example|sample|template)$|(^|/)\.env\.(example|sample|template)([.][^/]*)?$' "$list.all" || true
    } | sort -u >"$list"
    # `git cat-file --batch` rather than `git archive`: a mirror may lack some blobs (its
    # largest files), which are counted as missing instead of failing the whole archive.
    missing=$(python3 - "$gd" "$commit" "$dest" "$list" <<'PY'
import os, subprocess, sys
gd, commit, dest, listing = sys.argv[1:5]
paths = [l.rstrip("\n") for l in open(listing, encoding="utf-8", errors="surrogateescape") if l.strip()]
p = subprocess.Popen(["git", "--git-dir", gd, "cat-file", "--batch"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = 0
for path in paths:
    p.stdin.write(f"{commit}:{path}\n".encode("utf-8", "surrogateescape"))
    p.stdin.flush()
    header = p.stdout.readline().split()
    if len(header) < 3 or header[1] != b"blob":
        missing += 1
        continue
    data = p.stdout.read(int(header[2]))
    p.stdout.read(1)
    target = os.path.join(dest, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)
p.stdin.close()
p.wait()
print(missing)
PY
)
    ((missing == 0)) || note="${note:+$note; }$missing blobs absent from the mirror"
    # minified files: over 20 KB with an average line over 300 characters
    find "$dest" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' -o -name '*.ts' -o -name '*.tsx' \) -size +20k -print0 |
        while IFS= read -r -d '' f; do
            lines=$(wc -l <"$f")
            bytes=$(wc -c <"$f")
            if ((bytes / (lines + 1) > 300)); then rm -f "$f"; fi
        done
    files=$(find "$dest" -type f | wc -l)
    client=$(find "$dest" -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.mts' -o -name '*.cts' \) ! -name '*.d.ts' | wc -l)
    kb=$(du -sk "$dest" | cut -f1)
    printf '%-48s %-9s %7s %7s %9s %s\n' "$repo" "${commit:0:7}" "$files" "$client" "$kb" "$note"
    rm -f "$list" "$list.all" "$list.sb" "$list.big"
done
