//! COMMENT ON, for every kind: a step when the comment differs (or the object is new).

use crate::schema::{ObjectId, ObjectKind};
use crate::sql::quote_literal;

use super::Change;
use super::plan::{Action, Phase, Planner, rank};

impl Planner<'_> {
    /// `COMMENT ON <what> IS …` when `old` and `new` differ (`old` is `None` for new objects).
    pub(crate) fn comment(
        &mut self,
        id: &ObjectId,
        kind: ObjectKind,
        what: &str,
        old: Option<&String>,
        new: Option<&String>,
    ) {
        if old == new {
            return;
        }
        let value = new.map_or_else(|| "NULL".to_string(), |c| quote_literal(c));
        let sql = format!("COMMENT ON {what} IS {value};");
        let object = super::plan::display(id);
        self.change(
            Change::new("CHANGE_COMMENT", kind, object.clone())
                .values(old.cloned(), new.cloned())
                .describe(format!("CHANGE COMMENT ON {} {object}", kind.kind_name().to_uppercase())),
        );
        let step = self.step(Phase::Forward, Action::Comment, kind, id.clone(), rank::COMMENT, sql, Vec::new());
        step.deps.insert(id.clone());
        step.provides.clear();
    }
}
