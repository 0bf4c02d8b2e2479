//! Enums whose values travel as snake_case words: in JSON, in the database, in URLs.
//!
//! Statuses, policies and kinds are closed sets of words. [`named_enum!`] writes the one
//! table from variant to word for such an enum, and from it `ALL`, `as_str`, a `parse` that
//! refuses any other word (naming the ones it takes), `Display` and serde both ways. The store
//! reads rows through `parse`, so an unknown word in a row is an error, never a default.

/// Declares an enum of named values (see the module docs).
///
/// ```
/// omnicanal_domain::named_enum! {
///     /// What the light shows.
///     pub enum Light("light") {
///         /// Stop.
///         Red => "red",
///         /// Go.
///         Green => "green",
///     }
/// }
/// assert_eq!(Light::parse("green").map(Light::as_str), Ok("green"));
/// assert!(Light::parse("blue").is_err());
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($field:literal) {
            $( $(#[$variant_meta:meta])* $variant:ident => $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word this value travels as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word ),+
                }
            }

            /// The value a word names; any other word is refused, naming the ones accepted.
            pub fn parse(raw: &str) -> Result<Self, $crate::DomainError> {
                match raw {
                    $( $word => Ok($name::$variant), )+
                    _ => Err($crate::DomainError::invalid(
                        $field,
                        format!("must be one of {}", [$($word),+].join(", ")),
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::DomainError;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                $name::parse(raw)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                $name::parse(&raw).map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named_enum! {
        /// A test enum.
        pub enum Sample("sample") {
            /// One.
            One => "one",
            /// Two words.
            TwoWords => "two_words",
        }
    }

    #[test]
    fn words_round_trip_and_strangers_are_refused() {
        for value in Sample::ALL {
            assert_eq!(Sample::parse(value.as_str()), Ok(*value));
            let json = serde_json::to_string(value).unwrap_or_default();
            assert_eq!(serde_json::from_str::<Sample>(&json).ok(), Some(*value));
        }
        let refused = Sample::parse("three").err().map(|error| error.to_string());
        assert_eq!(refused.as_deref(), Some("sample: must be one of one, two_words"));
        assert!(serde_json::from_str::<Sample>("\"three\"").is_err());
    }
}
