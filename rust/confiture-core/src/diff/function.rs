//! Functions and procedures: CREATE, DROP, CREATE OR REPLACE when the signature and result stay,
//! drop and create (with their dependants) when they do not.

use std::collections::BTreeSet;

use crate::schema::{Function, Grant, ObjectId, QualifiedName};
use crate::sql::{quote_ident, quote_literal};

use super::Change;
use super::decide::Decision;
use super::plan::{Action, Phase, Planner, rank};
use super::render::dollar_quote;

fn keyword(f: &Function) -> &'static str {
    if f.procedure { "PROCEDURE" } else { "FUNCTION" }
}

/// `CREATE OR REPLACE FUNCTION …` from the model.
pub(crate) fn create_sql(f: &Function) -> String {
    if f.sql_body {
        return format!("{};", f.body.sql.trim_end().trim_end_matches(';'));
    }
    let args: Vec<String> = f
        .arguments
        .iter()
        .filter(|a| a.mode != "table")
        .map(|a| {
            let mut s = String::new();
            if a.mode != "in" {
                s.push_str(&a.mode.to_uppercase());
                s.push(' ');
            }
            if let Some(n) = &a.name {
                s.push_str(&quote_ident(n));
                s.push(' ');
            }
            s.push_str(&a.data_type.sql());
            if let Some(d) = &a.default {
                s.push_str(&format!(" DEFAULT {}", d.sql));
            }
            s
        })
        .collect();
    let mut s = format!("CREATE OR REPLACE {} {}({})", keyword(f), f.name.sql(), args.join(", "));
    let table: Vec<String> = f
        .arguments
        .iter()
        .filter(|a| a.mode == "table")
        .map(|a| format!("{} {}", quote_ident(a.name.as_deref().unwrap_or("column")), a.data_type.sql()))
        .collect();
    if !table.is_empty() {
        s.push_str(&format!(" RETURNS TABLE({})", table.join(", ")));
    } else if let Some(r) = &f.returns {
        let has_out = f.arguments.iter().any(|a| matches!(a.mode.as_str(), "out" | "inout"));
        if !has_out || f.returns_set {
            s.push_str(&format!(" RETURNS {}{}", if f.returns_set { "SETOF " } else { "" }, r.sql()));
        }
    }
    s.push_str(&format!(" LANGUAGE {}", quote_ident(&f.language)));
    if f.window {
        s.push_str(" WINDOW");
    }
    if !f.procedure {
        match f.volatility.as_str() {
            "immutable" => s.push_str(" IMMUTABLE"),
            "stable" => s.push_str(" STABLE"),
            _ => {}
        }
        if f.strict {
            s.push_str(" STRICT");
        }
        if f.leakproof {
            s.push_str(" LEAKPROOF");
        }
        match f.parallel.as_str() {
            "safe" => s.push_str(" PARALLEL SAFE"),
            "restricted" => s.push_str(" PARALLEL RESTRICTED"),
            _ => {}
        }
        if let Some(c) = &f.cost {
            s.push_str(&format!(" COST {c}"));
        }
        if let Some(r) = &f.rows {
            s.push_str(&format!(" ROWS {r}"));
        }
    }
    if f.security_definer {
        s.push_str(" SECURITY DEFINER");
    }
    for (k, v) in &f.config {
        if k == "search_path" {
            s.push_str(&format!(" SET {k} TO {v}"));
        } else {
            s.push_str(&format!(" SET {k} TO {}", quote_literal(v)));
        }
    }
    match f.body.sql.split_once('\u{0}') {
        Some((obj, link)) => s.push_str(&format!(" AS {}, {}", quote_literal(obj), quote_literal(link))),
        None => s.push_str(&format!(" AS {}", dollar_quote(&f.body.sql))),
    }
    s.push(';');
    s
}

/// What a function gets when created: EXECUTE for PUBLIC.
fn baseline() -> BTreeSet<Grant> {
    let mut s = BTreeSet::new();
    s.insert(Grant { grantee: "PUBLIC".into(), privilege: "EXECUTE".into(), column: None, with_grant_option: false });
    s
}

impl Planner<'_> {
    pub(crate) fn functions(&mut self) {
        let keys: BTreeSet<&(QualifiedName, String)> =
            self.old.functions.keys().chain(self.new.functions.keys()).collect();
        for key in keys {
            let id = ObjectId::Function(key.0.clone(), key.1.clone());
            match self.decisions.get(&id).cloned().unwrap_or(Decision::Same) {
                Decision::Create => self.create_function(key, None),
                Decision::Drop => self.drop_function(key, true),
                Decision::Replace { because } => {
                    self.drop_function(key, false);
                    self.create_function(key, Some(because.unwrap_or_default()));
                }
                Decision::Same => {
                    let (Some(a), Some(b)) = (self.old.functions.get(key), self.new.functions.get(key)) else {
                        continue;
                    };
                    let mut a_def = a.clone();
                    a_def.comment.clone_from(&b.comment);
                    a_def.grants.clone_from(&b.grants);
                    let signature = format!("{} {}", keyword(b), b.signature_sql());
                    if a_def != *b {
                        let object = super::plan::display(&id);
                        self.change(
                            Change::new(&format!("CHANGE_{}", keyword(b)), b.kind(), object.clone())
                                .describe(format!("CHANGE {} {object}", keyword(b))),
                        );
                        self.step(
                            Phase::Forward,
                            Action::Alter,
                            b.kind(),
                            id.clone(),
                            rank::FUNCTION,
                            create_sql(b),
                            Vec::new(),
                        );
                    }
                    self.comment(&id, b.kind(), &signature, a.comment.as_ref(), b.comment.as_ref());
                    self.grants(&id, b.kind(), &signature, &a.grants, &b.grants);
                }
            }
        }
    }

    fn drop_function(&mut self, key: &(QualifiedName, String), report: bool) {
        let Some(f) = self.old.functions.get(key) else { return };
        let id = ObjectId::Function(key.0.clone(), key.1.clone());
        if report {
            let object = super::plan::display(&id);
            self.change(
                Change::new(&format!("DROP_{}", keyword(f)), f.kind(), object.clone())
                    .describe(format!("DROP {} {object}", keyword(f))),
            );
        }
        let sql = format!("DROP {} {};", keyword(f), f.signature_sql());
        self.step(Phase::Drop, Action::Drop, f.kind(), id.clone(), rank::FUNCTION, sql, Vec::new());
        self.dropped.insert(id);
    }

    fn create_function(&mut self, key: &(QualifiedName, String), because: Option<String>) {
        let Some(f) = self.new.functions.get(key) else { return };
        let id = ObjectId::Function(key.0.clone(), key.1.clone());
        let object = super::plan::display(&id);
        let change = match &because {
            None => Change::new(&format!("ADD_{}", keyword(f)), f.kind(), object.clone()),
            Some(b) if b.is_empty() => Change::new(&format!("CHANGE_{}", keyword(f)), f.kind(), object.clone())
                .describe(format!("CHANGE {} {object} (drop and create: the signature or result changes)", keyword(f))),
            Some(b) => Change::new(&format!("CHANGE_{}", keyword(f)), f.kind(), object.clone())
                .detail("recreated_because", b.clone())
                .describe(format!("RECREATE {} {object} (because {b})", keyword(f))),
        };
        self.change(change);
        self.step(Phase::Forward, Action::Create, f.kind(), id.clone(), rank::FUNCTION, create_sql(f), Vec::new());
        let signature = format!("{} {}", keyword(f), f.signature_sql());
        self.comment(&id, f.kind(), &signature, None, f.comment.as_ref());
        self.grants(&id, f.kind(), &signature, &baseline(), &f.grants);
    }
}
