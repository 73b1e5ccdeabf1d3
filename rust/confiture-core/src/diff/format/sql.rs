//! `--format sql`: the up plan alone, ready for `psql -1 -f -`; hazards as comments.

use crate::diff::Step;

/// The steps as a script: one statement per step, each preceded by its hazards as comments.
pub fn script(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        for h in &s.hazards {
            out.push_str(&format!("-- HAZARD {}: {}\n", h.kind.name(), one_line(&h.message)));
            if let Some(safer) = &h.safer {
                out.push_str(&format!("--   safer: {}\n", one_line(safer)));
            }
        }
        out.push_str(&s.sql);
        out.push('\n');
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}
