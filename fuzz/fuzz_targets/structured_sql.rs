//! Structured SQL: a small grammar of the statements the schema model replays,
//! generated with `arbitrary` and rendered to text as several migrations, plus
//! a supabase-js client file over the same table and column names, through the
//! whole pipeline. Most inputs are valid SQL (so that replay, rules and fixes
//! go deep); `Stmt::Cut` adds half-typed statements.
//!
//! `SUPAUDIT_FUZZ_PRINT=1` prints the rendered project of each input (for
//! reading a crash: `cargo +nightly fuzz run structured_sql <artifact>`).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use supaudit_fuzz::structured::{Input, render};
use supaudit_fuzz::{all_rules, on_big_stack, run_pipeline};

fuzz_target!(|data: &[u8]| {
    on_big_stack(|| {
        let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
            return;
        };
        let project = render(&input);
        if std::env::var_os("SUPAUDIT_FUZZ_PRINT").is_some() {
            for f in &project.files {
                eprintln!("-- file: {}\n{}", f.path, f.text);
            }
        }
        let settings = if input.all_rules {
            all_rules()
        } else {
            supaudit_core::Settings::default()
        };
        run_pipeline(&project, &settings);
    });
});
