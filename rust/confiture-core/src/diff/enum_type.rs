//! Enums. New values are added in place (`ALTER TYPE … ADD VALUE … BEFORE/AFTER`); a value
//! removed or moved needs a new type: the old one is renamed, the new one created, every column
//! converted through text (defaults unbound meanwhile), and the old type dropped.

use crate::schema::{EnumType, ObjectId, ObjectKind, QualifiedName};
use crate::sql::{quote_ident, quote_literal};

use super::plan::{Action, Phase, Planner, rank};
use super::{Change, Hazard, HazardKind};

impl Planner<'_> {
    pub(crate) fn add_enum_values(&mut self, old: &EnumType, new: &EnumType) {
        for (i, label) in new.labels.iter().enumerate() {
            if old.labels.contains(label) {
                continue;
            }
            let next_existing = new.labels[i + 1..].iter().find(|l| old.labels.contains(l));
            let position = match next_existing {
                Some(n) => format!(" BEFORE {}", quote_literal(n)),
                None => match i.checked_sub(1).and_then(|p| new.labels.get(p)) {
                    Some(prev) => format!(" AFTER {}", quote_literal(prev)),
                    None => String::new(),
                },
            };
            self.change(
                Change::new("ADD_ENUM_VALUE", ObjectKind::EnumType, new.name.to_string())
                    .values(None, Some(label.clone()))
                    .describe(format!("ADD ENUM VALUE {} TO {}", label, new.name)),
            );
            let hazard = Hazard::new(
                HazardKind::MayFail,
                format!("the value {label} cannot be used by later statements of the same transaction"),
            )
            .safer("apply ADD VALUE in its own migration before the statements that use the value");
            self.type_step(
                &new.name,
                ObjectKind::EnumType,
                format!("ALTER TYPE {} ADD VALUE {}{position};", new.name.sql(), quote_literal(label)),
                vec![hazard],
            );
        }
    }

    pub(crate) fn recreate_enum(&mut self, old: &EnumType, new: &EnumType) {
        let removed: Vec<&String> = old.labels.iter().filter(|l| !new.labels.contains(l)).collect();
        self.change(
            Change::new("CHANGE_ENUM", ObjectKind::EnumType, new.name.to_string())
                .values(Some(old.labels.join(", ")), Some(new.labels.join(", ")))
                .describe(format!("CHANGE ENUM {} (values removed or reordered: the type is rebuilt)", new.name)),
        );
        let old_name = QualifiedName::new(new.name.schema.clone(), format!("{}__confiture_old", new.name.name));
        self.type_step(
            &new.name,
            ObjectKind::EnumType,
            format!("ALTER TYPE {} RENAME TO {};", new.name.sql(), quote_ident(&old_name.name)),
            Vec::new(),
        );
        let labels: Vec<String> = new.labels.iter().map(|l| quote_literal(l)).collect();
        self.type_step(
            &new.name,
            ObjectKind::EnumType,
            format!("CREATE TYPE {} AS ENUM ({});", new.name.sql(), labels.join(", ")),
            Vec::new(),
        );
        // The columns are converted by the table comparison (their type counts as changed);
        // the old type goes once they are.
        let mut users = Vec::new();
        for (t, table) in &self.new.tables {
            for c in &table.columns {
                if c.data_type.schema == new.name.schema && c.data_type.name == new.name.name {
                    users.push(ObjectId::Column(t.clone(), c.name.clone()));
                }
            }
        }
        let mut hazards = Vec::new();
        if !removed.is_empty() {
            let list: Vec<String> = removed.iter().map(|s| s.to_string()).collect();
            hazards.push(Hazard::new(
                HazardKind::MayFail,
                format!("the conversion fails if rows still hold {}", list.join(", ")),
            ));
        }
        let step = self.step(
            Phase::Forward,
            Action::Drop,
            ObjectKind::EnumType,
            ObjectId::Type(old_name.clone()),
            rank::TYPE,
            format!("DROP TYPE {};", old_name.sql()),
            hazards,
        );
        step.deps.extend(users);
        step.deps.insert(ObjectId::Type(new.name.clone()));
        step.provides.clear();
    }
}
