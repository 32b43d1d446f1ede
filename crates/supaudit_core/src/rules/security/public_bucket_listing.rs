use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, PolicyCommand, QName};

declare_rule! {
    /// ## What it does
    /// Reports public storage buckets that also have a broad SELECT policy on
    /// `storage.objects`: one whose only condition is `bucket_id = '<bucket>'`.
    ///
    /// ## Why it matters
    /// Files in a public bucket are served by URL without any policy. A SELECT
    /// policy is only needed to *list* the bucket, and a broad one lets anyone
    /// enumerate every file name in it, including ones whose URLs were never shared.
    ///
    /// ## Example
    /// ```sql
    /// insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
    /// create policy "read avatars" on storage.objects for select using (bucket_id = 'avatars');
    /// ```
    ///
    /// ## Fix
    /// Drop the policy (public URLs keep working), or scope it to the owner:
    /// `using (bucket_id = 'avatars' and owner_id = (select auth.uid()::text))`.
    ///
    /// ## Reference
    /// Supabase linter `public_bucket_allows_listing`.
    pub static PUBLIC_BUCKET_LISTING = {
        name: "public-bucket-listing",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "30 min",
        check: check,
    }
}

/// The bucket id when the expression is only `bucket_id = '<id>'` (possibly and-ed with more of the same).
fn only_bucket_filter(e: &Expr) -> Option<String> {
    let mut bucket = None;
    for term in e.conjuncts() {
        if term.binary_op() != Some("=") || term.children.len() != 2 {
            return None;
        }
        let (a, b) = (&term.children[0], &term.children[1]);
        let (col, val) = if a.column_name().is_some() {
            (a, b)
        } else {
            (b, a)
        };
        if col.column_name() != Some("bucket_id") {
            return None;
        }
        bucket = Some(val.string_value()?.to_string());
    }
    bucket
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(objects) = ctx.model.relation(&QName::new(Some("storage"), "objects")) else {
        return;
    };
    for p in &objects.policies {
        if p.origin.is_platform() || !p.command.covers(PolicyCommand::Select) || !p.permissive {
            continue;
        }
        if !p
            .roles
            .iter()
            .any(|r| matches!(r.as_str(), "anon" | "authenticated" | "public"))
        {
            continue;
        }
        let Some(using) = &p.using else { continue };
        let Some(bucket) = only_bucket_filter(using) else {
            continue;
        };
        if !ctx.model.buckets.iter().any(|b| b.public && b.id == bucket) {
            continue;
        }
        let mut d = ctx.at(
            &PUBLIC_BUCKET_LISTING,
            &p.origin,
            format!(
                "policy \"{}\" lets {} list every file in public bucket '{bucket}'",
                p.name,
                p.roles.join(", ")
            ),
        );
        d.range = p.origin.stmt;
        d.help = Some("public buckets serve files by URL without a policy; drop this policy or scope it to the file's owner".into());
        out.push(d);
    }
}
