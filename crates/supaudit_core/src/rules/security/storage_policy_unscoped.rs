use super::missing_command_policy::is_user_id;
use super::policy_auth_role_deprecated::role_test;
use crate::diagnostic::Diagnostic;
use crate::model::Policy;
use crate::rules::{Context, declare_rule};
use crate::sql::{Expr, PolicyCommand, QName};

declare_rule! {
    /// ## What it does
    /// Reports INSERT, UPDATE, DELETE and ALL policies on `storage.objects`
    /// that do not tie the object to the requesting user: no `auth.uid()` (or
    /// `auth.jwt() ->> 'sub'`, `auth.email()`) anywhere in the policy, so
    /// neither `owner_id = (select auth.uid())::text` nor
    /// `(storage.foldername(name))[1] = (select auth.uid())::text`.
    ///
    /// Not reported: SELECT policies (see `public-bucket-listing`), restrictive
    /// policies (they grant nothing), policies only for `service_role` (or the
    /// storage admin roles), and policies that delegate the decision to a
    /// function the project defines (`public.is_admin()`, `can_upload(name)`).
    ///
    /// ## Why it matters
    /// Such a policy lets every user it applies to upload into, overwrite or
    /// delete any object of the bucket, including other users' files: one
    /// signed-in user can replace another's avatar or delete every attachment.
    ///
    /// ## Example
    /// ```sql
    /// create policy "Authenticated Uploads" on storage.objects
    /// for insert to authenticated with check (bucket_id = 'media');
    /// ```
    ///
    /// ## Fix
    /// Tie the object to the user, e.g. by a folder named after the user id:
    /// ```sql
    /// create policy "Authenticated Uploads" on storage.objects
    /// for insert to authenticated with check (
    ///   bucket_id = 'media'
    ///   and (storage.foldername(name))[1] = (select auth.uid())::text
    /// );
    /// ```
    /// (and upload to `${user.id}/file.png`), or by `owner_id = (select
    /// auth.uid())::text` for UPDATE and DELETE.
    ///
    /// ## Reference
    /// Seed audit 000 §8.1 "Storage Policy Review"; Supabase Storage access
    /// control guide.
    pub static STORAGE_POLICY_UNSCOPED = {
        name: "storage-policy-unscoped",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

/// Roles that bypass RLS or administer storage: policies only for them are fine.
const ADMIN_ROLES: &[&str] = &[
    "service_role",
    "postgres",
    "supabase_admin",
    "supabase_storage_admin",
];

fn ties_to_user(ctx: &Context, e: &Expr) -> bool {
    e.walk().any(|x| {
        is_user_id(x)
            || x.is_call("auth", "email")
            || x.call_name().is_some_and(|n| {
                let q = match n {
                    [s, f] => QName::new(Some(s), f),
                    [f] => QName::new(None, f),
                    _ => return false,
                };
                ctx.model
                    .functions_named(&q)
                    .any(|f| !f.origin.is_platform())
            })
    })
}

/// The bucket of `bucket_id = '…'` among the policy's `and` terms.
fn bucket(p: &Policy) -> Option<&str> {
    p.using
        .iter()
        .chain(p.with_check.iter())
        .flat_map(|e| e.conjuncts())
        .find_map(|c| {
            if c.binary_op() != Some("=") || c.children.len() != 2 {
                return None;
            }
            let (a, b) = (&c.children[0], &c.children[1]);
            match (a.column_name(), b.column_name()) {
                (Some("bucket_id"), _) => b.string_value(),
                (_, Some("bucket_id")) => a.string_value(),
                _ => None,
            }
        })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(rel) = ctx.model.relation(&QName::new(Some("storage"), "objects")) else {
        return;
    };
    for p in &rel.policies {
        if p.origin.is_platform() || !p.permissive || p.command == PolicyCommand::Select {
            continue;
        }
        if p.roles.iter().all(|r| ADMIN_ROLES.contains(&r.as_str())) {
            continue;
        }
        if p.using
            .iter()
            .chain(p.with_check.iter())
            .any(|e| ties_to_user(ctx, e))
        {
            continue;
        }
        // `auth.role() = 'authenticated'` among the terms narrows `public`.
        let tested = p
            .using
            .iter()
            .chain(p.with_check.iter())
            .flat_map(|e| e.conjuncts())
            .find_map(role_test);
        let who = match tested {
            Some(r) if p.roles.iter().any(|x| x == "public") => format!("every {r} user"),
            _ if p.roles.iter().any(|r| r == "public") => "anyone".to_string(),
            _ => format!("every {} user", p.roles.join(" or ")),
        };
        let place = match bucket(p) {
            Some(b) => format!("in bucket '{b}'"),
            None => "in any bucket".to_string(),
        };
        let what = match p.command {
            PolicyCommand::Insert => format!("upload files to any path {place}"),
            PolicyCommand::Update => format!("overwrite any file {place}"),
            PolicyCommand::Delete => format!("delete any file {place}"),
            _ => format!("upload, overwrite and delete any file {place}"),
        };
        let mut d = ctx.at(
            &STORAGE_POLICY_UNSCOPED,
            &p.origin,
            format!(
                "policy \"{}\" on storage.objects lets {who} {what}, not only their own files",
                p.name
            ),
        );
        // Point at the check that lets the write through.
        let pred = match p.command {
            PolicyCommand::Insert | PolicyCommand::All => {
                p.with_check.as_ref().or(p.using.as_ref())
            }
            _ => p.using.as_ref(),
        };
        if let Some(e) = pred
            && p.origin.stmt.contains(e.span)
        {
            d.range = e.span;
        }
        d.help = Some("tie the object to the user: `(storage.foldername(name))[1] = (select auth.uid())::text` (uploads under a folder named after the user id) or `owner_id = (select auth.uid())::text`".into());
        out.push(d);
    }
}
