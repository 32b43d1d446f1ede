use super::{did_you_mean, str_span};
use crate::client::{Str, Target};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Function;
use crate::rules::{Context, declare_rule};
use crate::sql::Param;

declare_rule! {
    /// ## What it does
    /// Reports `.rpc('name', args)` calls whose function no migration creates
    /// in an exposed schema (or in the schema named by `.schema('s')`), and
    /// calls whose argument names match no overload of the function (OUT
    /// parameters are results, not arguments). Trigger functions and functions
    /// in schemas the API does not expose are reported as such.
    ///
    /// ## Why it matters
    /// PostgREST resolves functions by name and argument names. A missing
    /// function or a misspelt argument fails with `PGRST202` ("Could not find
    /// the function … in the schema cache") at run time.
    ///
    /// ## Example
    /// ```ts
    /// // create function public.spend_credits(p_user uuid, p_amount int) ...
    /// await supabase.rpc('spend_credits', { user_id: id, amount: 1 });
    /// ```
    ///
    /// ## Fix
    /// ```ts
    /// await supabase.rpc('spend_credits', { p_user: id, p_amount: 1 });
    /// ```
    /// A close function name is offered as an unsafe fix.
    ///
    /// ## Reference
    /// PostgREST error PGRST202.
    pub static CLIENT_UNKNOWN_FUNCTION = {
        name: "client-unknown-function",
        category: Client,
        severity: Error,
        fix: true,
        effort: "30 min",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.sql.is_empty()
        || ctx.model.project_relations().next().is_none()
            && ctx.model.project_functions().next().is_none()
    {
        return;
    }
    for unit in ctx.clients {
        for q in &unit.ir.queries {
            let Target::Rpc { name, args, schema } = &q.target else {
                continue;
            };
            if name.value.contains('.') {
                continue;
            }
            let schema = schema.as_deref();
            // A schema no migration creates: the model cannot tell.
            if let Some(s) = schema
                && !ctx.model.schemas.contains(s)
            {
                continue;
            }
            // `.schema('s').rpc(…)` looks in `s` only, else the exposed schemas.
            let in_scope = |f: &Function| match schema {
                Some(s) => f.schema == s,
                None => ctx.is_exposed(&f.schema),
            };
            let visible: Vec<&Function> = ctx
                .model
                .functions
                .iter()
                .filter(|f| in_scope(f) && !f.returns_trigger())
                .collect();
            let overloads: Vec<&&Function> =
                visible.iter().filter(|f| f.name == name.value).collect();
            if overloads.is_empty() {
                out.push(missing(ctx, unit.path, name, schema, &visible));
                continue;
            }
            let Some(args) = args else { continue };
            let fits = |f: &Function| {
                let params: Vec<&str> = f
                    .params
                    .iter()
                    .filter(|p| is_input(p))
                    .filter_map(|p| p.name.as_deref())
                    .collect();
                // Unnamed parameters: PostgREST passes a single json/jsonb body; do not judge.
                if params.len() < f.params.iter().filter(|p| is_input(p)).count() {
                    return true;
                }
                args.iter().all(|(k, _)| params.contains(&k.as_str()))
                    && f.params
                        .iter()
                        .filter(|p| (p.mode.is_empty() || p.mode == "in") && !p.has_default)
                        .filter_map(|p| p.name.as_deref())
                        .all(|p| args.iter().any(|(k, _)| k == p))
            };
            if overloads.iter().any(|f| fits(f)) {
                continue;
            }
            let f = overloads[0];
            // OUT parameters are result columns, not arguments.
            let params: Vec<&str> = f
                .params
                .iter()
                .filter(|p| is_input(p))
                .filter_map(|p| p.name.as_deref())
                .collect();
            let wrong = args.iter().find(|(k, _)| !params.contains(&k.as_str()));
            let (span, message) = match wrong {
                Some((k, span)) => {
                    let is_out = f
                        .params
                        .iter()
                        .any(|p| !is_input(p) && p.name.as_deref() == Some(k.as_str()));
                    (
                        *span,
                        format!(
                            "`{}` has no {}parameter `{k}`",
                            f.display_name(),
                            if is_out { "input " } else { "" }
                        ),
                    )
                }
                None => (
                    str_span(name),
                    format!(
                        "the call to `{}` does not pass all its required arguments",
                        f.display_name()
                    ),
                ),
            };
            let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(unit.path, span, message);
            d.help = Some(if params.is_empty() {
                "it takes no parameters".to_string()
            } else {
                format!("its parameters are: {}", params.join(", "))
            });
            out.push(d);
        }
    }
}

/// An argument the caller passes: not an OUT parameter.
fn is_input(p: &Param) -> bool {
    !p.mode.starts_with("out")
}

/// The diagnostic for a call whose function is not among `visible`.
fn missing(
    ctx: &Context,
    path: &str,
    name: &Str,
    schema: Option<&str>,
    visible: &[&Function],
) -> Diagnostic {
    let same_name: Vec<&Function> = ctx
        .model
        .functions
        .iter()
        .filter(|f| f.name == name.value)
        .collect();
    let trigger = same_name
        .iter()
        .any(|f| f.returns_trigger() && schema.is_none_or(|s| f.schema == s));
    let callable = || same_name.iter().find(|f| !f.returns_trigger());
    if trigger {
        let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(
            path,
            str_span(name),
            format!(
                "`{}` is a trigger function and cannot be called over the API",
                name.value
            ),
        );
        d.help = Some(
            "PostgREST does not expose functions that return `trigger`; the call fails with PGRST202 at run time"
                .to_string(),
        );
        return d;
    }
    if schema.is_none()
        && let Some(f) = callable()
    {
        let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(
            path,
            str_span(name),
            format!(
                "`{}` exists in schema `{}`, which the API does not expose",
                name.value, f.schema
            ),
        );
        d.help = Some(format!(
            "add `{}` to `[api] schemas` in supabase/config.toml, or call it from a function in an exposed schema; the call fails with PGRST202 at run time",
            f.schema
        ));
        return d;
    }
    let suggestion = did_you_mean(&name.value, visible.iter().map(|f| f.name.as_str()));
    let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(
        path,
        str_span(name),
        match schema {
            Some(s) => format!(
                "no migration creates a function `{}` in schema `{s}`",
                name.value
            ),
            None => format!(
                "no migration creates a function `{}` in an exposed schema",
                name.value
            ),
        },
    );
    match (suggestion, callable()) {
        (Some(s), _) => {
            d.help = Some(format!("did you mean `{s}`?"));
            if name.exact {
                d.fixes.push(Fix::unsafe_(
                    format!("Call `{s}`"),
                    vec![Edit::replace(path, name.span, s)],
                ));
            }
        }
        (None, Some(f)) => {
            d.help = Some(format!(
                "`{}` is in schema `{}`; the call fails with PGRST202 at run time",
                name.value, f.schema
            ))
        }
        (None, None) => d.help = Some("the call fails with PGRST202 at run time".to_string()),
    }
    d
}
