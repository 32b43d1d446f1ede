use std::collections::{HashMap, VecDeque};

use crate::client::resolve::Resolver;
use crate::client::{ClientFile, Directive, is_service_key_name, public_prefix};
use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an import in a `'use client'` module that brings a server-only
    /// module into the browser bundle, directly or through other project
    /// modules, and names the chain (`components/chart.tsx → lib/stats.ts →
    /// lib/supabase/admin.ts`). A module is server-only when it imports
    /// `server-only`, creates a Supabase client with the service-role key, or
    /// reads a secret env variable (one without a public prefix whose name says
    /// `SECRET`, `PASSWORD`, `PRIVATE`, `TOKEN`, `API_KEY`, `SERVICE_ROLE`,
    /// `DATABASE_URL`).
    ///
    /// Static imports and re-exports are followed, through relative paths, the
    /// root `tsconfig.json` / `jsconfig.json` `paths` and `baseUrl`, and the
    /// `@/` and `~/` aliases. Type-only imports are erased and do not count:
    /// `import type`, and in TypeScript an import none of whose names is used
    /// as a value (import elision, as tsc, SWC and esbuild do). `'use server'`
    /// modules are server actions: the bundler replaces them with references,
    /// so importing them from a client module is allowed and they are not
    /// followed. Other `'use client'` modules are checked on their own.
    ///
    /// ## Why it matters
    /// Everything a `'use client'` module imports is shipped to the browser:
    /// the admin client, the code that builds it and the names of the secrets
    /// it reads. Secret env variables are not inlined (they are `undefined` in
    /// the browser), so the code also breaks at run time, and a module marked
    /// `import 'server-only'` fails the build. The seed audit found a
    /// service-role factory exported from a `'use client'` file and asked for a
    /// lint that keeps server utilities out of client components.
    ///
    /// ## Example
    /// ```ts
    /// // components/usage-chart.tsx
    /// 'use client';
    /// import { getUsage } from '@/lib/usage'; // lib/usage.ts imports lib/supabase/admin.ts
    /// ```
    ///
    /// ## Fix
    /// There is no automatic fix. Fetch the data in a server component, a route
    /// handler or a server action (`'use server'`) and pass the result to the
    /// client component; mark the admin module with `import 'server-only'` so
    /// that the next mistake fails the build.
    ///
    /// ## Reference
    /// Seed audit 000 §1.1: "Add ESLint rule to prevent importing `db/server`
    /// in client components".
    pub static SERVER_MODULE_IN_CLIENT = {
        name: "server-module-in-client",
        category: Security,
        severity: Error,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

/// Why a module may only run on the server.
fn server_reason(ir: &ClientFile) -> Option<String> {
    if ir
        .imports
        .iter()
        .any(|i| i.is_static() && i.source == "server-only")
    {
        return Some("imports `server-only`".to_string());
    }
    if let Some(env) = ir
        .clients
        .iter()
        .find_map(|c| c.key_env.as_deref().filter(|e| is_service_key_name(e)))
    {
        return Some(format!("creates a service-role client with `{env}`"));
    }
    // t3-env validates env variables and is meant to be imported everywhere.
    if ir
        .imports
        .iter()
        .any(|i| i.source.starts_with("@t3-oss/env"))
    {
        return None;
    }
    ir.env_refs
        .iter()
        .find(|e| is_secret_env(&e.name))
        .map(|e| format!("reads the secret env variable `{}`", e.name))
}

/// An env variable name that holds a secret and is not public.
pub(crate) fn is_secret_env(name: &str) -> bool {
    if public_prefix(name).is_some() {
        return false;
    }
    let n = name.to_ascii_uppercase();
    if is_service_key_name(&n) || n.contains("API_KEY") || n.contains("DATABASE_URL") {
        return true;
    }
    n.split('_')
        .any(|w| matches!(w, "SECRET" | "PASSWORD" | "PRIVATE" | "TOKEN"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let roots: Vec<usize> = (0..ctx.clients.len())
        .filter(|&i| matches!(ctx.clients[i].ir.directive, Some((Directive::UseClient, _))))
        .collect();
    if roots.is_empty() {
        return;
    }
    let resolver = Resolver::new(ctx.project, ctx.clients.iter().map(|c| c.path));
    let index: HashMap<&str, usize> = ctx
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.path, i))
        .collect();
    let target = |from: usize, spec: &str| {
        resolver
            .resolve(ctx.clients[from].path, spec)
            .and_then(|p| index.get(p).copied())
    };
    let directive = |i: usize| ctx.clients[i].ir.directive.map(|d| d.0);

    // Shortest path from every module to a server-only one, by a
    // breadth-first search from the server-only modules over reversed
    // import edges. Only modules without a directive are passed through: a
    // `'use server'` module is a boundary, a `'use client'` one reports its
    // own imports. Each module is visited once, so cycles end.
    let n = ctx.clients.len();
    let mut importers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, c) in ctx.clients.iter().enumerate() {
        if directive(i).is_some() {
            continue;
        }
        for imp in c.ir.imports.iter().filter(|i| i.is_static()) {
            if let Some(t) = target(i, &imp.source)
                && t != i
            {
                importers[t].push(i);
            }
        }
    }
    // `next[m]`: the module `m` imports on its way to a server-only module
    // (`m` itself when it is one), with the reason at the end.
    let mut next: Vec<Option<usize>> = vec![None; n];
    let mut reason: Vec<Option<String>> = vec![None; n];
    let mut queue = VecDeque::new();
    for i in 0..n {
        if directive(i) == Some(Directive::UseServer) {
            continue;
        }
        if let Some(r) = server_reason(&ctx.clients[i].ir) {
            reason[i] = Some(r);
            next[i] = Some(i);
            queue.push_back(i);
        }
    }
    while let Some(m) = queue.pop_front() {
        for &imp in &importers[m] {
            if next[imp].is_none() {
                next[imp] = Some(m);
                queue.push_back(imp);
            }
        }
    }

    for root in roots {
        let unit = &ctx.clients[root];
        let mut seen = Vec::new();
        for imp in unit.ir.imports.iter().filter(|i| i.is_static()) {
            let Some(first) = target(root, &imp.source) else {
                continue;
            };
            if first == root
                || seen.contains(&first)
                || directive(first).is_some()
                || next[first].is_none()
            {
                continue;
            }
            seen.push(first);
            let mut chain = vec![unit.path, ctx.clients[first].path];
            let mut m = first;
            while let Some(nx) = next[m].filter(|&nx| nx != m) {
                chain.push(ctx.clients[nx].path);
                m = nx;
            }
            let why = reason[m].as_deref().unwrap_or("is server-only");
            let mut d = SERVER_MODULE_IN_CLIENT.diagnostic(
                unit.path,
                imp.span,
                format!(
                    "this 'use client' module imports server-only code: {}; the last module {why}",
                    chain.join(" → "),
                ),
            );
            d.help = Some(
                "everything a 'use client' module imports ships to the browser; load the data in a server component, a route handler or a server action ('use server') and pass the result down, and mark the server module with `import 'server-only'`"
                    .to_string(),
            );
            out.push(d);
        }
    }
}
