use super::{did_you_mean, str_span};
use crate::client::Target;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::Function;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `.rpc('name', args)` calls whose function no migration creates
    /// in an exposed schema, and calls whose argument names match no overload of
    /// the function.
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
            let Target::Rpc { name, args } = &q.target else {
                continue;
            };
            if name.value.contains('.') {
                continue;
            }
            let visible: Vec<&Function> = ctx
                .model
                .functions
                .iter()
                .filter(|f| ctx.is_exposed(&f.schema) && !f.returns_trigger())
                .collect();
            let overloads: Vec<&&Function> =
                visible.iter().filter(|f| f.name == name.value).collect();
            if overloads.is_empty() {
                let suggestion = did_you_mean(&name.value, visible.iter().map(|f| f.name.as_str()));
                let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(
                    unit.path,
                    str_span(name),
                    format!(
                        "no migration creates a function `{}` in an exposed schema",
                        name.value
                    ),
                );
                match suggestion {
                    Some(s) => {
                        d.help = Some(format!("did you mean `{s}`?"));
                        if name.exact {
                            d.fixes.push(Fix::unsafe_(
                                format!("Call `{s}`"),
                                vec![Edit::replace(unit.path, name.span, s)],
                            ));
                        }
                    }
                    None => d.help = Some("the call fails with PGRST202 at run time".to_string()),
                }
                out.push(d);
                continue;
            }
            let Some(args) = args else { continue };
            let fits = |f: &Function| {
                let params: Vec<&str> = f
                    .params
                    .iter()
                    .filter(|p| {
                        p.mode.is_empty()
                            || p.mode == "in"
                            || p.mode == "inout"
                            || p.mode == "variadic"
                    })
                    .filter_map(|p| p.name.as_deref())
                    .collect();
                // Unnamed parameters: PostgREST passes a single json/jsonb body; do not judge.
                if params.len() < f.params.iter().filter(|p| p.mode != "out").count() {
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
            let params: Vec<&str> = f.params.iter().filter_map(|p| p.name.as_deref()).collect();
            let wrong = args.iter().find(|(k, _)| !params.contains(&k.as_str()));
            let (span, message) = match wrong {
                Some((k, span)) => (
                    *span,
                    format!("`{}` has no parameter `{k}`", f.display_name()),
                ),
                None => (
                    str_span(name),
                    format!(
                        "the call to `{}` does not pass all its required arguments",
                        f.display_name()
                    ),
                ),
            };
            let mut d = CLIENT_UNKNOWN_FUNCTION.diagnostic(unit.path, span, message);
            d.help = Some(format!("its parameters are: {}", params.join(", ")));
            out.push(d);
        }
    }
}
