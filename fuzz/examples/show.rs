//! Prints what a fuzz input stands for and what fixing does to it, round by
//! round (for reading a crash; docs/fuzzing.md):
//!
//!     cargo +nightly run --release --manifest-path fuzz/Cargo.toml \
//!         --example show -- pipeline_bytes|structured_sql <input file>
//!
//! Then runs the target's pipeline with its invariants.

use arbitrary::{Arbitrary, Unstructured};
use supaudit_core::diagnostic::apply_fixes;
use supaudit_core::{Diagnostic, FixOptions};
use supaudit_fuzz::structured::{Input, render};
use supaudit_fuzz::{all_rules, on_big_stack, pipeline_bytes_input, run_pipeline};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (target, path) = match args.as_slice() {
        [_, t, p] => (t.as_str(), p.as_str()),
        _ => {
            eprintln!("usage: show pipeline_bytes|structured_sql <input file>");
            std::process::exit(2);
        }
    };
    let data = std::fs::read(path).expect("read the input");
    on_big_stack(|| {
        let (project, settings) = match target {
            "pipeline_bytes" => pipeline_bytes_input(&data).expect("a non-empty input"),
            "structured_sql" => {
                let input = Input::arbitrary_take_rest(Unstructured::new(&data)).expect("an input");
                let s = if input.all_rules { all_rules() } else { Default::default() };
                (render(&input), s)
            }
            t => panic!("unknown target {t}"),
        };
        for f in &project.files {
            println!("==== file: {} ({:?})\n{:?}", f.path, f.kind, f.text);
        }
        for i in &project.load_issues {
            println!("==== load issue: {}: {}", i.path, i.message);
        }
        // Fix rounds, one by one.
        let mut p = project.clone();
        for round in 1..=6 {
            let diags = supaudit_core::check(&p, &settings);
            let all: Vec<&Diagnostic> = diags.iter().collect();
            let mut changed = false;
            for f in &mut p.files {
                let (text, rules) = apply_fixes(&f.path, &f.text, all.clone(), true);
                if text != f.text {
                    println!("==== round {round}: {} by {rules:?}\n{:?}", f.path, text);
                    f.text = text;
                    changed = true;
                }
            }
            if !changed {
                println!("==== round {round}: no in-file change");
                break;
            }
        }
        let fixed = supaudit_core::fix(
            &project,
            &settings,
            FixOptions {
                allow_unsafe: true,
                ..Default::default()
            },
        );
        println!("==== fix: stable {}, applied {:?}", fixed.stable, fixed.applied);
        run_pipeline(&project, &settings);
        println!("==== invariants hold");
    });
}
