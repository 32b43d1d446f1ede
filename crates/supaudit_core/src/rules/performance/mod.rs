pub mod auth_rls_initplan;
pub mod duplicate_index;
pub mod multiple_permissive_policies;
pub mod no_primary_key;
pub mod unindexed_foreign_key;
