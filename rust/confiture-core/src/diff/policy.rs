//! CREATE POLICY, rendered from the model (policies are dropped and created when they change).

use crate::schema::Policy;
use crate::sql::quote_ident;

use super::render::role;

pub(crate) fn create_sql(p: &Policy) -> String {
    let roles: Vec<String> = p.roles.iter().map(|r| role(r)).collect();
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote_ident(&p.name),
        p.table.sql(),
        if p.permissive { "PERMISSIVE" } else { "RESTRICTIVE" },
        p.command,
        roles.join(", ")
    );
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({})", u.sql));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({})", c.sql));
    }
    s.push(';');
    s
}
