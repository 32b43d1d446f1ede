//! Rules about how the migration history changes the schema that code uses.

pub mod column_renamed_in_use;
