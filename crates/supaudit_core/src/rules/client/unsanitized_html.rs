use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a value written as HTML — `dangerouslySetInnerHTML={{ __html: X }}`,
    /// `el.innerHTML = X`, `el.outerHTML = X` — that is not a string literal
    /// and does not pass through a sanitizer: a call whose name says
    /// `sanitize`, `purify` or `escape` (`DOMPurify.sanitize(x)`,
    /// `sanitizeHtml(x)`, `escapeHtml(x)`), a `.replace(/</g, …)` escape, a
    /// `const` bound to one, or a `useMemo(() => …)` returning one.
    ///
    /// Values fixed in the code are not reported either: templates,
    /// concatenations and conditionals of literals, `const`s bound to them,
    /// UPPER_CASE names and enum members (a static SVG with
    /// `${isOpen ? a : b}`), and shadcn/ui's chart style,
    /// `Object.entries(THEMES).map(…).join('\n')` over a constant object
    /// (the colours come from the chart's `config`, written in the code).
    /// Data from props, state, `fetch` or a query is still reported.
    ///
    /// ## Why it matters
    /// HTML from users, the database or a model (rendered Markdown, AI output,
    /// a profile bio) can carry `<img src=x onerror=…>` or `<script>`: the
    /// browser runs it with the visitor's session (cross-site scripting), and
    /// with Supabase that session holds the user's access token.
    ///
    /// ## Example
    /// ```tsx
    /// <div dangerouslySetInnerHTML={{ __html: marked(post.body) }} />
    /// ```
    ///
    /// ## Fix
    /// ```tsx
    /// import DOMPurify from 'isomorphic-dompurify';
    ///
    /// <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(marked(post.body)) }} />
    /// ```
    /// Or render text as text (`{post.body}`, `el.textContent = …`).
    ///
    /// ## Reference
    /// Seed audit 000 §5.4 (output sanitization).
    pub static UNSANITIZED_HTML = {
        name: "unsanitized-html",
        category: Security,
        severity: Warning,
        fix: false,
        effort: "1 hour",
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.clients {
        for h in unit.ir.html_sinks.iter().filter(|h| !h.sanitized) {
            let mut d = UNSANITIZED_HTML.diagnostic(
                unit.path,
                h.value,
                format!(
                    "value written to `{}` is not sanitized: HTML from users or the database can run scripts (XSS)",
                    h.sink
                ),
            );
            d.help = Some("pass it through a sanitizer such as `DOMPurify.sanitize(html)`, or render it as text".to_string());
            out.push(d);
        }
    }
}
