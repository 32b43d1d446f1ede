pub mod syntax_error;
pub mod unparsed_statement;
pub mod unused_ignore;
