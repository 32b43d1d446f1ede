//! Prints squawk's syntax tree for a SQL string, for writing the lowering in
//! `sql::lower`: `cargo run -p supaudit_core --example tree -- "create type …"`.
fn main() {
    let sql = std::env::args().nth(1).unwrap_or_default();
    let parse = squawk_syntax::SourceFile::parse(&sql);
    println!("{:#?}", parse.syntax_node());
}
