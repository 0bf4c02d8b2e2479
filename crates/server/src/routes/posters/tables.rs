//! Which tables' posters to print: a table's label, and the list a PDF takes (`1-20`,
//! `1,2,5`, `A1,A2` or a mix), each checked with an error that says what to write instead.

use std::collections::HashSet;

use crate::documents::cp1252_byte;

/// At most this many table posters in one PDF (each is a page; print more in several).
pub const MAX_TABLES: usize = 200;
/// A table label has at most this many characters, so "Mesa …" fits a poster in large type.
pub const MAX_LABEL_CHARS: usize = 12;
/// The highest table number a range may name.
pub const MAX_TABLE_NUMBER: u32 = 9_999;

/// A table's label, as printed ("Mesa 12") and carried in the URL (`?table=12`): 1 to
/// [`MAX_LABEL_CHARS`] letters or digits that the poster's font can print ("Ñ1", not "桌1").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableLabel(String);

impl TableLabel {
    /// Checks a label; the error says what is wrong, in words for the person printing.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let label = raw.trim();
        if label.is_empty() {
            return Err("a table label may not be empty".into());
        }
        if label.chars().count() > MAX_LABEL_CHARS {
            return Err(format!(
                "`{}` is too long: a table label has at most {MAX_LABEL_CHARS} characters",
                shown(label)
            ));
        }
        if let Some(bad) = label.chars().find(|&c| !(c.is_alphanumeric() && cp1252_byte(c).is_some())) {
            return Err(format!(
                "`{}` has `{}`: a table label is letters and digits, such as 12 or A1",
                shown(label),
                bad.escape_default()
            ));
        }
        Ok(Self(label.to_owned()))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `1-20`, `1,2,5`, `A1,A2` or a mix, in the order given, each table once (a repeat is dropped),
/// at most [`MAX_TABLES`].
pub fn parse_tables(raw: &str) -> Result<Vec<TableLabel>, String> {
    let mut tables = Vec::new();
    let mut seen = HashSet::new();
    for item in raw.split(',').map(str::trim) {
        if item.is_empty() {
            return Err("an entry is empty: separate tables with single commas, e.g. 1,2,5".into());
        }
        let labels = match item.split_once('-') {
            Some((from, to)) => {
                let (from, to) = parse_range(item, from, to)?;
                // Counted before the range is expanded, so `1-9999` allocates nothing.
                if (to - from + 1) as usize > MAX_TABLES {
                    return Err(too_many());
                }
                (from..=to).map(|number| TableLabel(number.to_string())).collect()
            }
            None => vec![TableLabel::parse(item)?],
        };
        // A table named twice ("1-5,3") is printed once: what was meant is plain.
        for label in labels {
            if seen.insert(label.clone()) {
                tables.push(label);
            }
        }
        if tables.len() > MAX_TABLES {
            return Err(too_many());
        }
    }
    Ok(tables)
}

fn parse_range(item: &str, from: &str, to: &str) -> Result<(u32, u32), String> {
    let number = |text: &str| {
        let text = text.trim();
        let digits = !text.is_empty() && text.len() <= 4 && text.bytes().all(|byte| byte.is_ascii_digit());
        digits.then(|| text.parse::<u32>().ok()).flatten().filter(|n| (1..=MAX_TABLE_NUMBER).contains(n))
    };
    let (Some(from), Some(to)) = (number(from), number(to)) else {
        return Err(format!(
            "`{}` is neither a range of table numbers from 1 to {MAX_TABLE_NUMBER}, such as 1-20, \
             nor a label of letters and digits",
            shown(item)
        ));
    };
    if from > to {
        return Err(format!("`{from}-{to}` runs backwards: write the smaller number first, e.g. {to}-{from}"));
    }
    Ok((from, to))
}

fn too_many() -> String {
    format!("at most {MAX_TABLES} tables in one PDF; print the rest in another")
}

/// At most 24 characters of what the user sent, for an error message.
fn shown(text: &str) -> String {
    let mut shown: String = text.chars().take(24).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(raw: &str) -> Result<Vec<String>, String> {
        parse_tables(raw).map(|tables| tables.into_iter().map(|table| table.0).collect())
    }

    #[test]
    fn tables_are_ranges_lists_and_labels() {
        assert_eq!(labels("1-3"), Ok(vec!["1".into(), "2".into(), "3".into()]));
        assert_eq!(labels(" 1, 2 ,5"), Ok(vec!["1".into(), "2".into(), "5".into()]));
        assert_eq!(labels("A1,A2,Ñ3,7-8"), Ok(vec!["A1".into(), "A2".into(), "Ñ3".into(), "7".into(), "8".into()]));
        assert_eq!(labels("1-200").map(|tables| tables.len()), Ok(MAX_TABLES));
        assert_eq!(labels("1-3,2,A,A"), Ok(vec!["1".into(), "2".into(), "3".into(), "A".into()]));
        assert_eq!(labels("1-150,100-200").map(|tables| tables.len()), Ok(MAX_TABLES));
        assert!(labels("1-150,100-201").is_err(), "201 distinct tables");
    }

    #[test]
    fn bad_tables_are_explained() {
        for (raw, expected) in [
            ("5-1", "runs backwards"),
            ("1-201", "at most 200"),
            ("1-9999999999999999999999", "neither a range"),
            ("0-3", "neither a range"),
            ("A-1", "neither a range"),
            ("1,,2", "empty"),
            ("桌1", "letters and digits"),
            ("Mesa 1", "letters and digits"),
            ("ABCDEFGHIJKLM", "too long"),
        ] {
            let error = labels(raw).expect_err(raw);
            assert!(error.contains(expected), "{raw}: {error}");
        }
        let thousand: Vec<String> = (1..=1000).map(|n| n.to_string()).collect();
        assert!(labels(&thousand.join(",")).is_err());
        assert_eq!(labels(&vec!["1"; 1000].join(",")).map(|tables| tables.len()), Ok(1), "repeats are dropped");
    }
}
