use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports suppression comments (`-- supaudit-ignore rule: reason`,
    /// `-- supaudit-ignore-file rule`) that name an unknown rule or that suppress
    /// nothing.
    ///
    /// Unknown names get a did-you-mean, or a hint when the reason lacks its `:`.
    /// Suppressions of rules turned off in `supaudit.toml` are not reported.
    ///
    /// Suppressions are `--` comments:
    /// - `-- supaudit-ignore rule[, rule]: reason` on its own line covers the next
    ///   statement; after the code on a statement's last line, that statement;
    ///   inside a statement, the findings that start on its next line of code.
    /// - `-- supaudit-ignore-file rule[, rule]: reason` covers the whole file.
    /// - Without rule names, either covers every rule.
    ///
    /// ## Why it matters
    /// A stale suppression hides the next real finding at that place, and a typo
    /// in a rule name suppresses nothing while looking as if it did.
    ///
    /// ## Example
    /// ```sql
    /// -- supaudit-ignore rls-disabled: public reference data
    /// create table public.countries (code text primary key) ;
    /// alter table public.countries enable row level security;
    /// ```
    ///
    /// ## Fix
    /// Remove the rule name, or the whole comment when it names nothing else. The
    /// fix is safe. For a misspelt name, replacing it with the rule it resembles
    /// is offered as an unsafe fix, since it starts suppressing a finding.
    ///
    /// ## Reference
    /// ruff `RUF100`, squawk `unused-ignore`.
    pub static UNUSED_IGNORE = {
        name: "unused-ignore",
        category: Syntax,
        severity: Warning,
        fix: true,
        effort: "5 min",
    }
}
