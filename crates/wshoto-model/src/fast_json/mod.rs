//! The fast path's JSON reader: the response in one pass, and `range_info`'s document parsed in
//! place from the escaped text of its string, never unescaped into a copy first.
//!
//! It reads a strict subset of what serde_json reads and hands visitors exactly what serde_json
//! would for it (the same `visit_*` calls with the same values, `RawValue` text included).
//! Outside the subset — a fraction or an exponent, an integer beyond 64 bits, `-0`, a lone
//! surrogate, an escape where the document's syntax is, nesting deeper than 100, `bytes`, enums —
//! it declines with [`Declined`], which carries nothing because it is never shown: the fast
//! path then hands the response to the general decoder (serde_json), whose answer and errors
//! are the ones callers see.

mod de;
mod read;

use std::fmt;

pub(crate) use de::{Deserializer, PREDICTED_KEY, RANGE_DOCUMENT};

/// The reader declined the document; the general decoder will read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the general decoder")
    }
}

impl std::error::Error for Declined {}

impl serde::de::Error for Declined {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Self
    }
}

#[cfg(test)]
pub(crate) mod tests;
