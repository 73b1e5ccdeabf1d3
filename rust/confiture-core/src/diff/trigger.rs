//! CREATE TRIGGER, rendered from the model (triggers are dropped and created when they change).

use crate::schema::Trigger;
use crate::sql::{quote_ident, quote_literal};

use super::render::idents;

pub(crate) fn create_sql(t: &Trigger) -> String {
    let mut events = Vec::new();
    for e in &t.events {
        if e == "UPDATE" && !t.update_columns.is_empty() {
            events.push(format!("UPDATE OF {}", idents(&t.update_columns)));
        } else {
            events.push(e.clone());
        }
    }
    let mut s = format!(
        "CREATE {}TRIGGER {} {} {} ON {}",
        if t.constraint { "CONSTRAINT " } else { "" },
        quote_ident(&t.name),
        t.timing,
        events.join(" OR "),
        t.table.sql()
    );
    if t.constraint && t.deferrable {
        s.push_str(" DEFERRABLE");
        if t.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if !t.referencing.is_empty() {
        let refs: Vec<String> = t.referencing.iter().map(|(w, n)| format!("{w} TABLE AS {}", quote_ident(n))).collect();
        s.push_str(&format!(" REFERENCING {}", refs.join(" ")));
    }
    s.push_str(if t.for_each_row { " FOR EACH ROW" } else { " FOR EACH STATEMENT" });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({})", w.sql));
    }
    let function = super::types::function_sql(&t.function);
    let args: Vec<String> = t.arguments.iter().map(|a| quote_literal(a)).collect();
    s.push_str(&format!(" EXECUTE FUNCTION {function}({});", args.join(", ")));
    s
}
