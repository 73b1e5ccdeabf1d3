//! Every rule, one module each. A module declares `META` (id, name, target, default severity,
//! docs, examples) and its `check` function; [`ALL`] is the registry, ordered by id.
//!
//! Ids keep fraiseql-confiture's (`naming_001`, `naming_002`, `pk_001`, `doc_001`, `sec_001`) and
//! their families; new families: `fk_` foreign keys, `idx_` indexes, `type_` column types,
//! `tenant_` multi-tenancy, `mig_` migration safety, `sql_` SQL that does not parse.

use super::rule::RuleMeta;

pub(crate) mod add_column_volatile_default;
pub(crate) mod add_generated_column;
pub(crate) mod add_not_null_column_without_default;
pub(crate) mod add_serial_column;
pub(crate) mod char_column;
pub(crate) mod check_constraint_not_valid;
pub(crate) mod column_naming;
pub(crate) mod column_type_change;
pub(crate) mod concurrently_in_transaction;
pub(crate) mod create_index_not_concurrently;
pub(crate) mod drop_cascade;
pub(crate) mod drop_column;
pub(crate) mod drop_index_not_concurrently;
pub(crate) mod drop_table;
pub(crate) mod duplicate_index;
pub(crate) mod enum_value_in_transaction;
pub(crate) mod foreign_key_not_valid;
pub(crate) mod foreign_key_type_mismatch;
pub(crate) mod foreign_key_without_index;
pub(crate) mod integer_primary_key;
pub(crate) mod json_column;
pub(crate) mod missing_column_documentation;
pub(crate) mod missing_documentation;
pub(crate) mod missing_lock_timeout;
pub(crate) mod missing_primary_key;
pub(crate) mod missing_statement_timeout;
pub(crate) mod money_column;
pub(crate) mod multiple_statements_without_transaction;
pub(crate) mod nullable_foreign_key;
pub(crate) mod policies_without_rls;
pub(crate) mod redundant_index;
pub(crate) mod refresh_not_concurrently;
pub(crate) mod reindex_not_concurrently;
pub(crate) mod rename_column;
pub(crate) mod rename_table;
pub(crate) mod reserved_word_identifier;
pub(crate) mod rls_without_policies;
pub(crate) mod security_definer_search_path;
pub(crate) mod sensitive_column;
pub(crate) mod serial_column;
pub(crate) mod set_not_null_without_check;
pub(crate) mod statements_after_access_exclusive;
pub(crate) mod syntax_error;
pub(crate) mod table_naming;
pub(crate) mod table_rewrite;
pub(crate) mod tenant_column_missing;
pub(crate) mod tenant_column_not_indexed;
pub(crate) mod timestamp_without_time_zone;
pub(crate) mod transaction_control;
pub(crate) mod truncate_cascade;
pub(crate) mod unique_constraint_without_index;
pub(crate) mod update_without_where;
pub(crate) mod varchar_length;

/// The registry, ordered by id (the catalogue's order).
pub(crate) const ALL: &[&RuleMeta] = &[
    &missing_documentation::META,
    &missing_column_documentation::META,
    &foreign_key_without_index::META,
    &nullable_foreign_key::META,
    &foreign_key_type_mismatch::META,
    &duplicate_index::META,
    &redundant_index::META,
    &add_not_null_column_without_default::META,
    &add_column_volatile_default::META,
    &column_type_change::META,
    &create_index_not_concurrently::META,
    &drop_index_not_concurrently::META,
    &foreign_key_not_valid::META,
    &check_constraint_not_valid::META,
    &set_not_null_without_check::META,
    &unique_constraint_without_index::META,
    &drop_column::META,
    &drop_table::META,
    &rename_column::META,
    &rename_table::META,
    &truncate_cascade::META,
    &missing_lock_timeout::META,
    &missing_statement_timeout::META,
    &concurrently_in_transaction::META,
    &enum_value_in_transaction::META,
    &statements_after_access_exclusive::META,
    &add_generated_column::META,
    &table_rewrite::META,
    &update_without_where::META,
    &refresh_not_concurrently::META,
    &drop_cascade::META,
    &add_serial_column::META,
    &reindex_not_concurrently::META,
    &transaction_control::META,
    &multiple_statements_without_transaction::META,
    &table_naming::META,
    &column_naming::META,
    &reserved_word_identifier::META,
    &missing_primary_key::META,
    &integer_primary_key::META,
    &sensitive_column::META,
    &rls_without_policies::META,
    &policies_without_rls::META,
    &security_definer_search_path::META,
    &syntax_error::META,
    &tenant_column_missing::META,
    &tenant_column_not_indexed::META,
    &timestamp_without_time_zone::META,
    &varchar_length::META,
    &serial_column::META,
    &char_column::META,
    &money_column::META,
    &json_column::META,
];

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn ids_are_unique_sorted_and_documented() {
        let ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "the registry is ordered by id");
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "ids are unique");
        assert!(ALL.len() >= 30);
        for r in ALL {
            assert!(!r.name.is_empty() && !r.summary.is_empty() && !r.why.is_empty() && !r.fix.is_empty(), "{}", r.id);
            assert!(!r.bad.is_empty() && !r.good.is_empty(), "{} has both examples", r.id);
            assert!(
                r.summary.ends_with('.') && r.why.ends_with('.') && r.fix.ends_with('.'),
                "{}: full sentences",
                r.id
            );
        }
    }
}
