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

        impl $crate::object_keys::ObjectKey for $name {
            const ALL: &'static [$name] = &[$($name::$variant),*];
            const NAMES: &'static [&'static str] = &[$($key),*];

            fn from_key(key: &str) -> Self {
                match key {
                    $($key => $name::$variant,)*
                    _ => $name::Other,
                }
            }

            fn index(self) -> usize {
                self as usize
            }
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
                        Ok(<$name as $crate::object_keys::ObjectKey>::from_key(key))
                    }
                }
                d.deserialize_identifier(KeyVisitor)
            }
        }
    };
}

pub(crate) use object_keys;

/// The keys of an `object_keys!` enum, in the order declared, and how to name them.
pub(crate) trait ObjectKey: Copy + 'static {
    /// Every key but `Other`.
    const ALL: &'static [Self];
    /// Their names, in the same order.
    const NAMES: &'static [&'static str];
    /// The key named `key` (`Other` for any other name).
    fn from_key(key: &str) -> Self;
    /// Its position in [`ALL`](Self::ALL) (`ALL.len()` for `Other`).
    fn index(self) -> usize;
}

/// A key seed that offers the fast reader the key expected next (see
/// [`PREDICTED_KEY`](crate::fast_json::PREDICTED_KEY)): the API sends an object's keys in one
/// order, which the enum declares, and a key taken as predicted is neither scanned for its end
/// nor matched by name. Any other key is read by name, as the enum's own `Deserialize` reads
/// it; a reader that knows nothing of predictions (serde_json) reads every key that way.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Predicted<K>(Option<K>);

impl<K: ObjectKey> Predicted<K> {
    /// The first key of the order.
    pub(crate) fn first() -> Self {
        Self(K::ALL.first().copied())
    }

    /// `map`'s next key, offered as this prediction; the prediction becomes the key after it.
    pub(crate) fn next_key<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
    ) -> Result<Option<K>, A::Error> {
        let key = map.next_key_seed(*self)?;
        if let Some(key) = key {
            self.0 = K::ALL.get(key.index() + 1).copied();
        }
        Ok(key)
    }
}

impl<'de, K: ObjectKey> serde::de::DeserializeSeed<'de> for Predicted<K> {
    type Value = K;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<K, D::Error> {
        let at = self.0.map(K::index);
        match at.and_then(|at| K::NAMES.get(at..=at)) {
            Some(name) => d.deserialize_struct(crate::fast_json::PREDICTED_KEY, name, self),
            None => d.deserialize_identifier(self),
        }
    }
}

impl<K: ObjectKey> serde::de::Visitor<'_> for Predicted<K> {
    type Value = K;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object key")
    }

    /// The key was the one predicted.
    fn visit_unit<E: serde::de::Error>(self) -> Result<K, E> {
        self.0.ok_or_else(|| E::custom("no key was predicted"))
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<K, E> {
        Ok(K::from_key(key))
    }
}

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

    /// An object's keys through [`Predicted`], by the fast reader and by serde_json (which knows
    /// nothing of predictions).
    fn predicted_keys(json: &str) -> (Vec<Keys>, Vec<Keys>) {
        use serde::Deserializer as _;
        use serde::de::{IgnoredAny, MapAccess, Visitor};

        struct Collect;
        impl<'de> Visitor<'de> for Collect {
            type Value = Vec<Keys>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Keys>, A::Error> {
                let mut keys = super::Predicted::<Keys>::first();
                let mut read = Vec::new();
                while let Some(key) = keys.next_key(&mut map)? {
                    map.next_value::<IgnoredAny>()?;
                    read.push(key);
                }
                Ok(read)
            }
        }
        let fast = (&mut crate::fast_json::Deserializer::new(json))
            .deserialize_map(Collect)
            .expect("the fast reader reads it");
        let general = serde_json::Deserializer::from_str(json)
            .deserialize_map(Collect)
            .expect("serde_json reads it");
        (fast, general)
    }

    #[test]
    fn predicted_keys_are_the_keys_by_name_whatever_the_order_or_the_reader() {
        use Keys::{Code, Data, Other};
        for (json, expected) in [
            (r#"{"code":1,"data":2}"#, vec![Code, Data]),
            (r#"{"data":1,"code":2,"x":3}"#, vec![Data, Code, Other]),
            (r#"{"cod":1,"codex":2,"code ":3,"datum":4}"#, vec![Other; 4]),
            (r#"{"\u0063ode":1,"dat\u0061":2}"#, vec![Code, Data]),
            (
                r#"{ "code" : 1 , "data" : 2 , "code" : 3 }"#,
                vec![Code, Data, Code],
            ),
        ] {
            let (fast, general) = predicted_keys(json);
            assert_eq!(fast, expected, "{json}");
            assert_eq!(general, expected, "{json}");
        }
        let taken = crate::fast_json::tests::keys_taken_as_predicted(|| {
            predicted_keys(r#"{"code":1,"data":2,"x":3}"#);
        });
        assert_eq!(taken, 2);
    }

    proptest::proptest! {
        /// Any sequence of keys — the predicted ones, their prefixes and extensions, escaped
        /// spellings, repeats — reads the same by both readers, and as its names say.
        #[test]
        fn any_keys_read_the_same_by_both_readers(
            picks in proptest::collection::vec(0..KEY_POOL.len(), 0..8)
        ) {
            let json = format!(
                "{{{}}}",
                picks
                    .iter()
                    .enumerate()
                    .map(|(value, &pick)| format!(r#""{}":{value}"#, KEY_POOL[pick].0))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let expected: Vec<Keys> = picks.iter().map(|&pick| KEY_POOL[pick].1).collect();
            let (fast, general) = predicted_keys(&json);
            proptest::prop_assert_eq!(&fast, &expected, "{}", json);
            proptest::prop_assert_eq!(&general, &expected, "{}", json);
        }
    }

    /// Keys as written in a document, and what each reads as.
    const KEY_POOL: [(&str, Keys); 10] = [
        ("code", Keys::Code),
        ("data", Keys::Data),
        ("cod", Keys::Other),
        ("codes", Keys::Other),
        ("dat", Keys::Other),
        ("data ", Keys::Other),
        ("", Keys::Other),
        (r"\u0063ode", Keys::Code),
        (r"dat\u0061", Keys::Data),
        (r"code\n", Keys::Other),
    ];
}
