use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports suppression comments (`-- supaudit-ignore rule: reason`,
    /// `-- supaudit-ignore-file rule`) that name an unknown rule or that suppress
    /// nothing.
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
    /// fix is safe.
    ///
    /// ## Reference
    /// ruff `RUF100`, squawk `unused-ignore`.
    pub static UNUSED_IGNORE = {
        name: "unused-ignore",
        category: Syntax,
        severity: Warning,
        fix: true,
    }
}
