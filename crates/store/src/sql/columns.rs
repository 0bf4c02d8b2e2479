//! How values sit in columns, shared by every statement: 0/1 flags, multi-row `VALUES`,
//! `IN` lists, escaped `LIKE` patterns, and typed values read back through the domain's parser.

use std::fmt::Display;

use sqlx::Row;
use sqlx::any::AnyRow;

/// Booleans are stored as 0/1 on both backends.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Reads a 0/1 column as a boolean.
pub(crate) fn get_flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Reads a text column through `parse` (a domain type's parser): a word the type does not know
/// is a decoding error of that column, which the store reports as a corrupt row, never as a
/// default value.
pub(crate) fn get_parsed<T, E: Display>(
    row: &AnyRow,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, sqlx::Error> {
    let raw: String = row.try_get(column)?;
    parse(&raw).map_err(|error| corrupt(column, &raw, error))
}

/// [`get_parsed`] for a nullable column.
pub(crate) fn get_parsed_opt<T, E: Display>(
    row: &AnyRow,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, sqlx::Error> {
    let raw: Option<String> = row.try_get(column)?;
    raw.map(|raw| parse(&raw).map_err(|error| corrupt(column, &raw, error))).transpose()
}

/// The decoding error of a column holding a value its type refuses.
fn corrupt(column: &str, raw: &str, error: impl Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode { index: column.to_owned(), source: format!("{raw:?}: {error}").into() }
}

/// `($1, $2, …), ($n+1, …)`: the VALUES of a multi-row INSERT of `rows` rows of `columns` columns.
pub(crate) fn values_clause(rows: usize, columns: usize) -> String {
    let mut clause = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        clause.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                clause.push_str(", ");
            }
            clause.push('$');
            clause.push_str(&(row * columns + column + 1).to_string());
        }
        clause.push(')');
    }
    clause
}

/// Bound variables one statement may carry: SQLite refuses more than 32 766 (PostgreSQL 65 535),
/// and this leaves room for the few a statement binds outside its `VALUES`.
pub(crate) const MAX_BOUND_VARIABLES: usize = 30_000;

/// How many rows of `columns` bound values fit one statement under [`MAX_BOUND_VARIABLES`].
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_BOUND_VARIABLES / columns.max(1)).max(1)
}

/// `(?, ?, …), (?, …)`: the VALUES of a multi-row statement of `rows` rows of `columns` columns,
/// with SQLite's anonymous placeholders, for statements that only ever run on SQLite. SQLite
/// treats `$n` as a *named* parameter and finds each name by a linear scan, both when it parses
/// the statement and when sqlx binds it, so a statement with thousands of `$n` costs quadratic
/// time (seconds at the group-commit writer's batch sizes); `?` costs nothing. PostgreSQL does
/// not accept `?`.
pub(crate) fn anonymous_values_clause(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// `($first, $first+1, …)` with `count` placeholders, for an `IN` list.
pub(crate) fn in_list(first: usize, count: usize) -> String {
    let list: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    format!("({})", list.join(", "))
}

/// `text` with the `LIKE` wildcards and the escape character escaped (escape character `\`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_escape("Pérez"), "Pérez");
    }

    #[test]
    fn lists_number_their_placeholders() {
        assert_eq!(in_list(3, 3), "($3, $4, $5)");
        assert_eq!(values_clause(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(anonymous_values_clause(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
