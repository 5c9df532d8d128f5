//! Bilingual labels and the macros that build the API's enumerations.
//!
//! Every enumeration has one variant per documented value plus an `Unknown` variant that keeps
//! whatever the API sent, so a value added by the platform later decodes and serializes back
//! unchanged.

/// The language of a human-readable label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Simplified Chinese, as in the API document.
    Zh,
    /// English.
    #[default]
    En,
}

/// A value with the document's Chinese label and an English one.
pub trait Labelled {
    /// The label in `lang`, or `None` for a value the document does not list.
    fn label(&self, lang: Lang) -> Option<&'static str>;
    /// The value as it travels on the wire, as text (`10`, `0100`, `UNKNOW`).
    fn wire_text(&self) -> String;
    /// The label in `lang`, or `unknown (<wire value>)` for an unlisted value.
    fn describe(&self, lang: Lang) -> String {
        match self.label(lang) {
            Some(label) => label.to_owned(),
            None => match lang {
                Lang::Zh => format!("未知 ({})", self.wire_text()),
                Lang::En => format!("unknown ({})", self.wire_text()),
            },
        }
    }
}

/// An integer code the document does not list, as received. Only decoding (or `from_code`)
/// makes one, so it never holds a listed code: `TaskType::from(10)` is always
/// `TaskType::CorpToCustomers`, never an `Unknown` holding 10.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownCode(pub(crate) i64);

/// Shown as the bare code, as an `i64` would be.
impl std::fmt::Debug for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl UnknownCode {
    /// The code.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A text code the document does not list, as received (and whether it came as a JSON number,
/// so that it is written back as one). Like [`UnknownCode`], it never holds a listed code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnknownText {
    pub(crate) text: String,
    pub(crate) number: bool,
}

impl UnknownText {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            number: false,
        }
    }

    pub(crate) fn number(number: impl std::fmt::Display) -> Self {
        Self {
            text: number.to_string(),
            number: true,
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the code came as a JSON number (it is then written back as one).
    pub fn was_number(&self) -> bool {
        self.number
    }
}

/// Shown as the quoted text (a number as the bare number).
impl std::fmt::Debug for UnknownText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.number {
            f.write_str(&self.text)
        } else {
            std::fmt::Debug::fmt(&self.text, f)
        }
    }
}

impl std::fmt::Display for UnknownText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Implements `schemars::JsonSchema` (feature `schemars`) for an enumeration: its JSON type, its
/// listed codes with their labels, and the note that other codes are kept.
macro_rules! impl_enum_schema {
    ($name:ident, $kind:tt, { $( $value:literal => ($zh:literal, $en:literal) ),+ }) => {
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let known = [$( format!("{} {} ({})", $value, $zh, $en) ),+].join("; ");
                schemars::json_schema!({
                    "type": $kind,
                    "description": format!("{known}; other codes are kept as received"),
                    "examples": [$( $value ),+],
                })
            }
        }
    };
}

/// Implements [`Labelled`] for an enumeration with an `Unknown` variant and a `code()` method.
macro_rules! impl_labelled {
    ($name:ident { $( $variant:ident => ($zh:literal, $en:literal) ),+ }) => {
        impl $crate::labels::Labelled for $name {
            fn label(&self, lang: $crate::labels::Lang) -> Option<&'static str> {
                match (self, lang) {
                    $( (Self::$variant, $crate::labels::Lang::Zh) => Some($zh), )+
                    $( (Self::$variant, $crate::labels::Lang::En) => Some($en), )+
                    (Self::Unknown(_), _) => None,
                }
            }
            fn wire_text(&self) -> String {
                self.code().to_string()
            }
        }
    };
}

/// Declares an integer enumeration with an `Unknown(i64)` fallback. It serializes as a JSON
/// integer and deserializes from an integer or a decimal string.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => ($zh:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the document does not list, kept exactly as received.
            Unknown($crate::labels::UnknownCode),
        }

        impl $name {
            /// Every documented value, in document order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The variant for a wire code; unlisted codes give `Unknown`.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown($crate::labels::UnknownCode(other)),
                }
            }

            /// The wire code.
            pub fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(code) => code.0,
                }
            }

            /// Whether the document lists this value.
            pub fn is_known(self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        $crate::labels::impl_labelled!($name { $( $variant => ($zh, $en) ),+ });

        $crate::labels::impl_enum_schema!($name, "integer", { $( $value => ($zh, $en) ),+ });

        impl From<i64> for $name {
            fn from(code: i64) -> Self {
                Self::from_code(code)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.code()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::int(d).map(Self::from_code)
            }
        }
    };
}

/// Declares a string enumeration with an `Unknown(String)` fallback. It serializes as the wire
/// string. The `Deserialize` impl is left to the caller, since some codes also arrive as integers.
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => ($zh:literal, $en:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the document does not list, kept exactly as received.
            Unknown($crate::labels::UnknownText),
        }

        impl $name {
            /// Every documented value, in document order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The variant for a wire code; unlisted codes give `Unknown`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown($crate::labels::UnknownText::text(other)),
                }
            }

            /// The wire code.
            pub fn code(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(code) => &code.text,
                }
            }

            /// Whether the document lists this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        $crate::labels::impl_labelled!($name { $( $variant => ($zh, $en) ),+ });

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        // An unlisted code that came as a number is written back as that number.
        $crate::labels::impl_enum_schema!($name, ["string", "integer"], { $( $value => ($zh, $en) ),+ });

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // An unlisted code that came as a number goes back as that number.
                if let Self::Unknown(unknown) = self
                    && unknown.number
                {
                    if let Ok(n) = unknown.text.parse::<i64>() {
                        return s.serialize_i64(n);
                    }
                    if let Ok(n) = unknown.text.parse::<u64>() {
                        return s.serialize_u64(n);
                    }
                }
                s.serialize_str(self.code())
            }
        }
    };
}

/// Implements `Deserialize` from a JSON string through `from_code`.
macro_rules! deserialize_from_str_code {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = $crate::lenient::Text::deserialize(d)?;
                Ok(Self::from_code(text.as_str()))
            }
        }
    };
}

pub(crate) use {deserialize_from_str_code, impl_enum_schema, impl_labelled, int_enum, str_enum};
