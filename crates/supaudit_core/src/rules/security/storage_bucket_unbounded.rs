use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Bucket;
use crate::rules::helpers::stmt_at;
use crate::rules::{Context, declare_rule};
use crate::sql::{ExprKind, Insert, StmtKind};
use crate::text::Span;

declare_rule! {
    /// ## What it does
    /// Reports storage buckets inserted into `storage.buckets` without a
    /// `file_size_limit` or without `allowed_mime_types` (or with `null`).
    ///
    /// A limit set for the bucket in `supabase/config.toml`
    /// (`[storage.buckets.<id>]`) or by a later `update storage.buckets set …`
    /// naming the bucket counts as set.
    ///
    /// ## Why it matters
    /// Without them, any user who may upload can store files of any type up to
    /// the project-wide limit: a 50 MB video in the avatars bucket, an HTML
    /// page served from your storage domain, or enough data to run up the
    /// storage bill. Policies cannot check the size or type reliably (the
    /// seed's `pg_column_size(metadata)` measures the metadata, not the file);
    /// the bucket's own limits are enforced by Storage before the upload.
    ///
    /// ## Example
    /// ```sql
    /// insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
    /// ```
    ///
    /// ## Fix
    /// ```sql
    /// insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
    /// values ('avatars', 'avatars', true, 52428800, array['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
    /// ```
    /// The fix adds the missing columns to the insert (every row of a
    /// multi-row insert; a `null` value is replaced): 50 MiB, and MIME types
    /// guessed from the bucket's name (avatars, images, photos… → images; media
    /// → images and videos;
    /// documents, pdfs, invoices… → PDF; videos, audio). For a name it cannot
    /// guess from it sets only the size limit. An insert without a column list
    /// gets no fix. The fix is unsafe: the values are guesses, adjust them. It
    /// edits the insert; a bucket that already exists is not changed by
    /// re-running it under `on conflict do nothing`.
    ///
    /// ## Reference
    /// Seed audit 000 §8.1 "Missing File Size Limits"; Supabase Storage docs,
    /// "Restricting uploads".
    pub static STORAGE_BUCKET_UNBOUNDED = {
        name: "storage-bucket-unbounded",
        category: Security,
        severity: Info,
        fix: true,
        effort: "15 min",
        check: check,
    }
}

const SIZE: &str = "file_size_limit";
const MIME: &str = "allowed_mime_types";

/// MIME types for a bucket, guessed from its name.
fn mime_guess(id: &str) -> Option<&'static str> {
    let n = id.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["media"]) {
        Some(
            "array['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'video/mp4', 'video/webm']",
        )
    } else if has(&[
        "avatar",
        "image",
        "photo",
        "picture",
        "thumbnail",
        "cover",
        "banner",
        "logo",
        "icon",
        "img",
    ]) {
        Some("array['image/png', 'image/jpeg', 'image/webp', 'image/gif']")
    } else if has(&["video"]) {
        Some("array['video/mp4', 'video/webm', 'video/quicktime']")
    } else if has(&["audio", "voice", "recording", "podcast", "sound"]) {
        Some("array['audio/mpeg', 'audio/wav', 'audio/webm', 'audio/ogg']")
    } else if has(&[
        "document", "docs", "pdf", "invoice", "receipt", "resume", "contract",
    ]) {
        Some("array['application/pdf']")
    } else {
        None
    }
}

/// Whether config.toml's `[storage.buckets.<id>]` sets `key`.
fn in_config(ctx: &Context, id: &str, key: &str) -> bool {
    ctx.config.is_some_and(|(_, t)| {
        t.get("storage")
            .and_then(|s| s.get("buckets"))
            .and_then(|b| b.get(id))
            .and_then(|b| b.get(key))
            .is_some()
    })
}

/// Whether an `update storage.buckets set <key> = …` after the insert names
/// the bucket (or every bucket).
fn updated_later(ctx: &Context, b: &Bucket, key: &str) -> bool {
    ctx.sql.iter().any(|u| {
        u.sql.stmts.iter().any(|s| {
            let after = u.order > b.origin.order
                || (u.file == b.origin.file && s.span.start >= b.origin.stmt.end);
            if !after || !matches!(s.kind, StmtKind::Other { .. }) {
                return false;
            }
            let t = u.text[s.span.range()].to_ascii_lowercase();
            let words: Vec<&str> = t.split_whitespace().collect();
            words.len() > 2
                && words[0] == "update"
                && matches!(words[1], "storage.buckets" | "\"storage\".\"buckets\"")
                && t.contains(key)
                && (t.contains(&format!("'{}'", b.id.to_ascii_lowercase())) || !t.contains("where"))
        })
    })
}

fn missing(ctx: &Context, b: &Bucket) -> Vec<&'static str> {
    let mut m = Vec::new();
    if !b.has_size_limit && !in_config(ctx, &b.id, SIZE) && !updated_later(ctx, b, SIZE) {
        m.push(SIZE);
    }
    if !b.has_mime_types && !in_config(ctx, &b.id, MIME) && !updated_later(ctx, b, MIME) {
        m.push(MIME);
    }
    m
}

/// The bucket id of an insert row, as the model reads it.
fn row_id(ins: &Insert, values: &[crate::sql::Expr]) -> String {
    let pos = |c: &str| ins.columns.iter().position(|x| x == c);
    pos("id")
        .or_else(|| pos("name"))
        .and_then(|i| values.get(i))
        .and_then(|e| e.string_value())
        .unwrap_or_default()
        .to_string()
}

/// One fix for the whole insert: the missing columns for every row.
fn fix(ctx: &Context, b: &Bucket) -> Option<Fix> {
    let stmt = stmt_at(ctx, &b.origin)?;
    let StmtKind::Insert(ins) = &stmt.kind else {
        return None;
    };
    let close = ins.columns_close?;
    let file = ctx.path(b.origin.file);
    let text = ctx.text(b.origin.file);
    // The offset of the `)` closing a parenthesized span.
    let before_close = |s: Span| -> Option<u32> {
        let t = &text[s.range()];
        let trimmed = t.trim_end();
        trimmed
            .ends_with(')')
            .then(|| s.start + trimmed.len() as u32 - 1)
    };
    let value = |col: &str, id: &str| -> Option<String> {
        match col {
            SIZE => Some("52428800".to_string()),
            _ => mime_guess(id).map(str::to_string),
        }
    };
    let mut edits = Vec::new();
    let mut add_cols = Vec::new();
    for col in [SIZE, MIME] {
        let pos = ins.columns.iter().position(|c| c == col);
        let rows: Vec<(Span, Option<String>, Option<&crate::sql::Expr>)> = ins
            .rows
            .iter()
            .map(|r| {
                let id = row_id(ins, &r.values);
                (r.span, value(col, &id), pos.and_then(|i| r.values.get(i)))
            })
            .collect();
        if rows.iter().all(|(_, v, _)| v.is_none()) {
            continue;
        }
        match pos {
            Some(_) => {
                for (_, v, e) in &rows {
                    if let (Some(v), Some(e)) = (v, e)
                        && matches!(e.kind, ExprKind::Null)
                    {
                        edits.push(Edit::replace(file, e.span, v.clone()));
                    }
                }
            }
            None => add_cols.push((col, rows)),
        }
    }
    if !add_cols.is_empty() {
        let at = before_close(Span::new(stmt.span.start, close))?;
        let names: Vec<&str> = add_cols.iter().map(|(c, _)| *c).collect();
        edits.push(Edit::insert(file, at, format!(", {}", names.join(", "))));
        for (i, r) in ins.rows.iter().enumerate() {
            let at = before_close(r.span)?;
            let vals: Vec<String> = add_cols
                .iter()
                .map(|(_, rows)| rows[i].1.clone().unwrap_or_else(|| "null".into()))
                .collect();
            edits.push(Edit::insert(file, at, format!(", {}", vals.join(", "))));
        }
    }
    if edits.is_empty() {
        return None;
    }
    Some(Fix::unsafe_(
        "Add a file size limit and allowed MIME types",
        edits,
    ))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for b in &ctx.model.buckets {
        if b.origin.is_platform() {
            continue;
        }
        let m = missing(ctx, b);
        if m.is_empty() {
            continue;
        }
        let consequence = match m.as_slice() {
            [SIZE] => "uploads of any size (up to the project limit) are accepted",
            [MIME] => "uploads of any file type are accepted",
            _ => "uploads of any size (up to the project limit) and any type are accepted",
        };
        let mut d = ctx.at(
            &STORAGE_BUCKET_UNBOUNDED,
            &b.origin,
            format!("bucket '{}' has no {}: {consequence}", b.id, m.join(" or ")),
        );
        d.help = Some(
            "set `file_size_limit` (bytes) and `allowed_mime_types` for the bucket in its insert"
                .into(),
        );
        // Only when the fix sets something this finding is about.
        if let Some(f) = fix(ctx, b)
            && (m.contains(&SIZE) || mime_guess(&b.id).is_some())
        {
            d.fixes.push(f);
        }
        out.push(d);
    }
}
