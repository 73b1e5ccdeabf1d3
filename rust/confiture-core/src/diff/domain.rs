//! Domains change in place: SET/DROP DEFAULT, SET/DROP NOT NULL, ADD/DROP/VALIDATE CONSTRAINT.

use std::collections::BTreeSet;

use crate::schema::{Domain, ObjectId, ObjectKind};
use crate::sql::quote_ident;

use super::plan::Planner;
use super::{Change, Hazard, HazardKind};

impl Planner<'_> {
    pub(crate) fn alter_domain(&mut self, old: &Domain, new: &Domain) {
        let name = new.name.sql();
        let kind = ObjectKind::Domain;
        if old.default != new.default {
            self.change(Change::new("CHANGE_DOMAIN_DEFAULT", kind, new.name.to_string()));
            let sql = match &new.default {
                Some(d) => format!("ALTER DOMAIN {name} SET DEFAULT {};", d.sql),
                None => format!("ALTER DOMAIN {name} DROP DEFAULT;"),
            };
            self.type_step(&new.name, kind, sql, Vec::new());
        }
        if old.not_null != new.not_null {
            self.change(Change::new("CHANGE_DOMAIN_NULLABLE", kind, new.name.to_string()));
            let (sql, hazards) = if new.not_null {
                (
                    format!("ALTER DOMAIN {name} SET NOT NULL;"),
                    vec![Hazard::new(HazardKind::FullScan, format!("scans every column of type {}", new.name))],
                )
            } else {
                (format!("ALTER DOMAIN {name} DROP NOT NULL;"), Vec::new())
            };
            self.type_step(&new.name, kind, sql, hazards);
        }
        let names: BTreeSet<&String> = old.checks.keys().chain(new.checks.keys()).collect();
        for c in names {
            let q = quote_ident(c);
            match (old.checks.get(c), new.checks.get(c)) {
                (Some(a), Some(b)) if a.expr == b.expr && (a.validated || !b.validated) => {
                    if !a.validated && b.validated {
                        self.type_step(
                            &new.name,
                            kind,
                            format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT {q};"),
                            Vec::new(),
                        );
                    }
                    self.comment(
                        &ObjectId::Type(new.name.clone()),
                        kind,
                        &format!("CONSTRAINT {q} ON DOMAIN {name}"),
                        a.comment.as_ref(),
                        b.comment.as_ref(),
                    );
                }
                (a, b) => {
                    if a.is_some() {
                        self.change(
                            Change::new("DROP_DOMAIN_CONSTRAINT", kind, new.name.to_string())
                                .detail("constraint", c.clone()),
                        );
                        self.type_step(
                            &new.name,
                            kind,
                            format!("ALTER DOMAIN {name} DROP CONSTRAINT {q};"),
                            Vec::new(),
                        );
                    }
                    if let Some(b) = b {
                        self.change(
                            Change::new("ADD_DOMAIN_CONSTRAINT", kind, new.name.to_string())
                                .detail("constraint", c.clone()),
                        );
                        let hazards = if b.validated {
                            vec![
                                Hazard::new(HazardKind::FullScan, format!("scans every column of type {}", new.name))
                                    .safer("ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT"),
                            ]
                        } else {
                            Vec::new()
                        };
                        let not_valid = if b.validated { "" } else { " NOT VALID" };
                        self.type_step(
                            &new.name,
                            kind,
                            format!("ALTER DOMAIN {name} ADD CONSTRAINT {q} CHECK ({}){not_valid};", b.expr.sql),
                            hazards,
                        );
                        self.comment(
                            &ObjectId::Type(new.name.clone()),
                            kind,
                            &format!("CONSTRAINT {q} ON DOMAIN {name}"),
                            None,
                            b.comment.as_ref(),
                        );
                    }
                }
            }
        }
    }
}
