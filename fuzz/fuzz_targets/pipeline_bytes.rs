//! Arbitrary bytes as a small Supabase project, through the whole pipeline.
//!
//! Input: one flags byte, then file contents separated by 0xFF (a byte that
//! never occurs in UTF-8, so every other byte sequence, invalid UTF-8 and NUL
//! included, can appear inside a file). The n-th part goes to `PIPELINE_PATHS[n]` (src/lib.rs),
//! parts after those to further migrations; empty parts are no file.
//! Flags: bit 0 set: decode lossily (editor buffers, WASM) instead of through
//! `supaudit_fs::decode` (the CLI: binary or non-UTF-8 files become load
//! issues); bit 1 set: every rule on (over `supaudit.toml`'s levels).
#![no_main]

use libfuzzer_sys::fuzz_target;
use supaudit_fuzz::{on_big_stack, pipeline_bytes_input, run_pipeline};

fuzz_target!(|data: &[u8]| {
    let Some((project, settings)) = pipeline_bytes_input(data) else {
        return;
    };
    on_big_stack(|| run_pipeline(&project, &settings));
});
