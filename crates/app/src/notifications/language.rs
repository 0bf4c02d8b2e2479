//! The language a customer reads notifications in: Spanish by default, English when asked.

/// The language of a notification's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Spanish, the default.
    Es,
    /// English.
    En,
}

impl Language {
    /// `es` or `en`, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    /// Parses `es` or `en`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Language> {
        match raw {
            "es" => Some(Language::Es),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The first of `es`/`en` an `Accept-Language` header names, else Spanish.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        header
            .unwrap_or_default()
            .split(',')
            .filter_map(|range| range.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| Language::parse(tag.split('-').next().unwrap_or_default()))
            .unwrap_or(Language::Es)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Language::from_accept_language(Some("en-US,en;q=0.9")), Language::En);
        assert_eq!(Language::from_accept_language(Some("fr-FR, en;q=0.5")), Language::En);
        assert_eq!(Language::from_accept_language(Some("es-CL")), Language::Es);
        assert_eq!(Language::from_accept_language(None), Language::Es);
    }
}
