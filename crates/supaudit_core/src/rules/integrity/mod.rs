mod common;

pub mod array_of_references;
pub mod auth_fk_no_cascade;
pub mod email_unchecked;
pub mod enum_like_text_unchecked;
pub mod inconsistent_on_delete;
pub mod missing_foreign_key;
pub mod timestamp_without_time_zone;
pub mod unbounded_text;
pub mod updated_at_no_trigger;
