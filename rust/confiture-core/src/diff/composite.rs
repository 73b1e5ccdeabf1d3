//! Composite types change in place: ADD/DROP ATTRIBUTE, ALTER ATTRIBUTE … TYPE.

use crate::schema::{CompositeType, ObjectKind};
use crate::sql::quote_ident;

use super::plan::Planner;
use super::render::qualified_ident;
use super::{Change, Hazard, HazardKind};

impl Planner<'_> {
    pub(crate) fn alter_composite(&mut self, old: &CompositeType, new: &CompositeType) {
        let name = new.name.sql();
        for a in &old.attributes {
            if !new.attributes.iter().any(|b| b.name == a.name) {
                self.change(
                    Change::new("DROP_ATTRIBUTE", ObjectKind::CompositeType, new.name.to_string())
                        .column(a.name.clone()),
                );
                let hazard = Hazard::deletes_data(format!("drops attribute {} of {}", a.name, new.name));
                self.type_step(
                    &new.name,
                    ObjectKind::CompositeType,
                    format!("ALTER TYPE {name} DROP ATTRIBUTE {};", quote_ident(&a.name)),
                    vec![hazard],
                );
            }
        }
        for b in &new.attributes {
            let coll = b.collation.as_ref().map(|c| format!(" COLLATE {}", qualified_ident(c))).unwrap_or_default();
            match old.attributes.iter().find(|a| a.name == b.name) {
                None => {
                    self.change(
                        Change::new("ADD_ATTRIBUTE", ObjectKind::CompositeType, new.name.to_string())
                            .column(b.name.clone()),
                    );
                    self.type_step(
                        &new.name,
                        ObjectKind::CompositeType,
                        format!(
                            "ALTER TYPE {name} ADD ATTRIBUTE {} {}{coll};",
                            quote_ident(&b.name),
                            b.data_type.sql()
                        ),
                        Vec::new(),
                    );
                }
                Some(a) if a != b => {
                    self.change(
                        Change::new("CHANGE_ATTRIBUTE_TYPE", ObjectKind::CompositeType, new.name.to_string())
                            .column(b.name.clone())
                            .values(Some(a.data_type.sql()), Some(b.data_type.sql())),
                    );
                    let hazard =
                        Hazard::new(HazardKind::MayFail, format!("fails while table columns use {}", new.name));
                    self.type_step(
                        &new.name,
                        ObjectKind::CompositeType,
                        format!(
                            "ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}{coll};",
                            quote_ident(&b.name),
                            b.data_type.sql()
                        ),
                        vec![hazard],
                    );
                }
                Some(_) => {}
            }
        }
    }
}
