//! GRANT/REVOKE on objects and ALTER DEFAULT PRIVILEGES (only when both schemas were read with
//! grants).

use std::collections::BTreeSet;

use crate::schema::{DefaultPrivilege, Grant, ObjectId, ObjectKind};
use crate::sql::quote_ident;

use super::Change;
use super::plan::{Action, Phase, Planner, rank};
use super::render::role;

impl Planner<'_> {
    /// Grants and revokes turning `old` into `new` on `target` (`TABLE "s"."t"`, `FUNCTION …`).
    pub(crate) fn grants(
        &mut self,
        id: &ObjectId,
        kind: ObjectKind,
        target: &str,
        old: &BTreeSet<Grant>,
        new: &BTreeSet<Grant>,
    ) {
        if !self.grants || old == new {
            return;
        }
        let object = super::plan::display(id);
        let privilege = |g: &Grant| match &g.column {
            Some(c) => format!("{} ({})", g.privilege, quote_ident(c)),
            None => g.privilege.clone(),
        };
        for g in old.difference(new) {
            let still = Grant { with_grant_option: false, ..g.clone() };
            let sql = if g.with_grant_option && new.contains(&still) {
                format!("REVOKE GRANT OPTION FOR {} ON {target} FROM {};", privilege(g), role(&g.grantee))
            } else {
                format!("REVOKE {} ON {target} FROM {};", privilege(g), role(&g.grantee))
            };
            self.change(
                Change::new("REVOKE", kind, object.clone())
                    .values(Some(format!("{} to {}", privilege(g), g.grantee)), None)
                    .describe(format!("REVOKE {} ON {object} FROM {}", privilege(g), g.grantee)),
            );
            let step = self.step(Phase::Forward, Action::Revoke, kind, id.clone(), rank::GRANT, sql, Vec::new());
            step.deps.insert(id.clone());
            step.provides.clear();
        }
        for g in new.difference(old) {
            let downgraded = Grant { with_grant_option: false, ..g.clone() };
            if !g.with_grant_option && old.contains(&Grant { with_grant_option: true, ..g.clone() }) {
                continue; // handled by REVOKE GRANT OPTION FOR above
            }
            let _ = downgraded;
            let sql = format!(
                "GRANT {} ON {target} TO {}{};",
                privilege(g),
                role(&g.grantee),
                if g.with_grant_option { " WITH GRANT OPTION" } else { "" }
            );
            self.change(
                Change::new("GRANT", kind, object.clone())
                    .values(None, Some(format!("{} to {}", privilege(g), g.grantee)))
                    .describe(format!("GRANT {} ON {object} TO {}", privilege(g), g.grantee)),
            );
            let step = self.step(Phase::Forward, Action::Grant, kind, id.clone(), rank::GRANT, sql, Vec::new());
            step.deps.insert(id.clone());
            step.provides.clear();
        }
    }

    pub(crate) fn default_privileges(&mut self) {
        if !self.grants || self.old.default_privileges == self.new.default_privileges {
            return;
        }
        let prefix = |d: &DefaultPrivilege| {
            let mut s = "ALTER DEFAULT PRIVILEGES".to_string();
            if let Some(r) = &d.role {
                s.push_str(&format!(" FOR ROLE {}", role(r)));
            }
            if let Some(sc) = &d.schema {
                s.push_str(&format!(" IN SCHEMA {}", quote_ident(sc)));
            }
            s
        };
        let id = |d: &DefaultPrivilege| ObjectId::Schema(d.schema.clone().unwrap_or_default());
        let old: Vec<DefaultPrivilege> =
            self.old.default_privileges.difference(&self.new.default_privileges).cloned().collect();
        let new: Vec<DefaultPrivilege> =
            self.new.default_privileges.difference(&self.old.default_privileges).cloned().collect();
        for d in old {
            let sql = format!("{} REVOKE {} ON {} FROM {};", prefix(&d), d.privilege, d.object_type, role(&d.grantee));
            self.change(
                Change::new("REVOKE_DEFAULT_PRIVILEGE", ObjectKind::DefaultPrivilege, d.object_type.clone())
                    .describe(sql.trim_end_matches(';').to_string()),
            );
            let step = self.step(
                Phase::Forward,
                Action::Revoke,
                ObjectKind::DefaultPrivilege,
                id(&d),
                rank::DEFAULT_PRIVILEGE,
                sql,
                Vec::new(),
            );
            step.provides.clear();
        }
        for d in new {
            let sql = format!(
                "{} GRANT {} ON {} TO {}{};",
                prefix(&d),
                d.privilege,
                d.object_type,
                role(&d.grantee),
                if d.with_grant_option { " WITH GRANT OPTION" } else { "" }
            );
            self.change(
                Change::new("GRANT_DEFAULT_PRIVILEGE", ObjectKind::DefaultPrivilege, d.object_type.clone())
                    .describe(sql.trim_end_matches(';').to_string()),
            );
            let step = self.step(
                Phase::Forward,
                Action::Grant,
                ObjectKind::DefaultPrivilege,
                id(&d),
                rank::DEFAULT_PRIVILEGE,
                sql,
                Vec::new(),
            );
            step.provides.clear();
        }
    }
}
