//! Each rule timed alone, called the way `analyze` calls it: per-statement
//! checks interleaved with the replay (on the model as it is before the
//! statement), then each final-model check with a context of its own, so that
//! a rule pays for what it asks of `Context::memo` (a whole check shares one).

use std::time::{Duration, Instant};

use supaudit_core::Project;
use supaudit_core::model::{Model, Replay, StmtRef};
use supaudit_core::rules::{ClientUnit, Context, Rule, SqlUnit};

/// Best of the runs, per rule (in the order given) and for the replay alone.
pub struct RuleTimes {
    pub best: Vec<Duration>,
    /// Raw findings of each rule (before suppressions and settings).
    pub counts: Vec<usize>,
    pub replay: Duration,
}

impl RuleTimes {
    pub fn total(&self) -> Duration {
        self.best.iter().sum()
    }
}

pub fn time_rules(
    project: &Project,
    units: &[SqlUnit],
    clients: &[ClientUnit],
    exposed: &[String],
    rules: &[&Rule],
    runs: usize,
) -> RuleTimes {
    let n = rules.len();
    let mut t = RuleTimes {
        best: vec![Duration::MAX; n],
        counts: vec![0; n],
        replay: Duration::MAX,
    };
    fn context<'a>(
        project: &'a Project,
        model: &'a Model,
        units: &'a [SqlUnit<'a>],
        clients: &'a [ClientUnit<'a>],
        exposed: &'a [String],
    ) -> Context<'a> {
        Context {
            project,
            model,
            sql: units,
            clients,
            config: None,
            exposed_schemas: exposed,
            memo: Default::default(),
        }
    }
    for _ in 0..runs.max(1) {
        let mut spent = vec![Duration::ZERO; n];
        let mut out = vec![Vec::new(); n];
        let mut replay = Replay::default();
        let mut replay_time = Duration::ZERO;
        for unit in units {
            for stmt in &unit.sql.stmts {
                let sref = StmtRef {
                    file: unit.file,
                    order: unit.order,
                    stmt,
                };
                let ctx = context(project, &replay.model, units, clients, exposed);
                for (i, r) in rules.iter().enumerate() {
                    if let Some(f) = r.check_stmt {
                        let start = Instant::now();
                        f(&ctx, &replay.model, sref, &mut out[i]);
                        spent[i] += start.elapsed();
                    }
                }
                drop(ctx);
                let start = Instant::now();
                replay.apply(sref);
                replay_time += start.elapsed();
            }
        }
        let model = replay.model;
        for (i, r) in rules.iter().enumerate() {
            if let Some(f) = r.check {
                let ctx = context(project, &model, units, clients, exposed);
                let start = Instant::now();
                f(&ctx, &mut out[i]);
                spent[i] += start.elapsed();
            }
        }
        for i in 0..n {
            t.best[i] = t.best[i].min(spent[i]);
            t.counts[i] = out[i].len();
        }
        t.replay = t.replay.min(replay_time);
    }
    t
}
