//! A support macro's text: the `{placeholders}` an agent may write in a canned answer, and
//! how they are filled for one ticket.
//!
//! The set of names is closed so a typo (`{tienda}` for `{store}`) is refused when the macro
//! is saved, not discovered by a store reading a literal `{tienda}`. Filling is one pass over
//! the text: a value that itself contains `{store}` is never filled again, and a brace that
//! opens no known placeholder is kept as written.

/// The placeholders a macro may use, with what each becomes.
pub const MACRO_PLACEHOLDERS: [&str; 5] = ["store", "number", "subject", "agent", "cashier"];

/// The `{names}` in `body` that are not among [`MACRO_PLACEHOLDERS`], in order of appearance.
pub fn unknown_placeholders(body: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['}', '{']) {
            Some(close) if after[close..].starts_with('}') => {
                let name = &after[..close];
                let looks_like_a_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if looks_like_a_name && !MACRO_PLACEHOLDERS.contains(&name) && !unknown.iter().any(|u| u == name) {
                    unknown.push(name.to_owned());
                }
                rest = &after[close + 1..];
            }
            Some(close) => rest = &after[close..],
            None => break,
        }
    }
    unknown
}

/// `body` with each known `{name}` replaced by its value in `values` (a missing value leaves
/// the placeholder as written), in a single pass.
pub fn fill_macro(body: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let replaced = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(key, _)| *key == name).map(|(_, value)| (close, *value))
        });
        match replaced {
            Some((close, value)) => {
                filled.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_placeholders_are_filled_and_others_kept() {
        let body = "Hola {store}, el ticket #{number} ({subject}) sigue {abierto} {";
        let filled = fill_macro(body, &[("store", "Local 1"), ("number", "42"), ("subject", "Impresora")]);
        assert_eq!(filled, "Hola Local 1, el ticket #42 (Impresora) sigue {abierto} {");
        assert_eq!(unknown_placeholders(body), vec!["abierto".to_owned()]);
        assert!(unknown_placeholders("Hola {store} {{number}} { } {}").is_empty());
    }

    #[test]
    fn a_value_is_never_filled_again() {
        assert_eq!(fill_macro("{store}", &[("store", "{number}"), ("number", "7")]), "{number}");
    }

    proptest! {
        #[test]
        fn text_without_braces_is_unchanged(body in "[^{}]{0,80}") {
            prop_assert_eq!(fill_macro(&body, &[("store", "X")]), body.clone());
            prop_assert!(unknown_placeholders(&body).is_empty());
        }

        #[test]
        fn filling_with_no_values_is_the_identity(body in ".{0,80}") {
            prop_assert_eq!(fill_macro(&body, &[]), body);
        }

        #[test]
        fn every_known_placeholder_is_replaced(value in "[a-zA-Z0-9 ]{0,20}") {
            let body: String = MACRO_PLACEHOLDERS.iter().map(|name| format!("[{{{name}}}]")).collect();
            let values: Vec<(&str, &str)> = MACRO_PLACEHOLDERS.iter().map(|name| (*name, value.as_str())).collect();
            let expected: String = MACRO_PLACEHOLDERS.iter().map(|_| format!("[{value}]")).collect();
            prop_assert_eq!(fill_macro(&body, &values), expected);
        }
    }
}
