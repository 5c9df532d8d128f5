//! The keys a hand-written visitor looks for, read as a one-byte identifier.
//!
//! A key read as text (`lenient::Text`, 24 bytes) comes back from the reader through memory and
//! is wrapped into an `Option` at once: the wide load of that copy waits for the narrow stores
//! that wrote it (a store-forwarding stall, a third of the key reader's time in a CPU-clock
//! profile). An identifier enum, as serde's derive makes for struct fields, comes back in a
//! register.

/// Declares `$name` with a variant per key and `Other` for the rest, and its `Deserialize` from
/// an object key (`deserialize_identifier`).
macro_rules! object_keys {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($variant,)*
            /// Any other key.
            Other,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct KeyVisitor;
                impl serde::de::Visitor<'_> for KeyVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an object key")
                    }
                    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<$name, E> {
                        Ok(match key {
                            $($key => $name::$variant,)*
                            _ => $name::Other,
                        })
                    }
                }
                d.deserialize_identifier(KeyVisitor)
            }
        }
    };
}

pub(crate) use object_keys;

#[cfg(test)]
mod tests {
    object_keys! {
        /// Keys for the test.
        Keys { Code = "code", Data = "data" }
    }

    #[test]
    fn keys_are_read_as_their_variant_and_any_other_as_other() {
        let read = |json: &str| serde_json::from_str::<Keys>(json).map_err(|e| e.to_string());
        assert_eq!(read(r#""code""#), Ok(Keys::Code));
        assert_eq!(read(r#""data""#), Ok(Keys::Data));
        assert_eq!(read(r#""\u0064ata""#), Ok(Keys::Data));
        assert_eq!(read(r#""Data""#), Ok(Keys::Other));
        assert_eq!(read(r#""""#), Ok(Keys::Other));
        assert!(read("7").is_err());
    }
}
