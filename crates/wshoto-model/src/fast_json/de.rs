//! The serde `Deserializer`: a document in plain JSON text, or (`ESCAPED`) the JSON document held
//! by a JSON string, read in place from the string's escaped text.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Declined;
use super::read::{Integer, find_special, integer, literal, unicode_escape};

/// The newtype name under which `range_info`'s reader asks for the embedded document. A JSON
/// string is handed to `visit_map` as one entry whose key is this name and whose value may be
/// read twice: first in place (the document must be an object), then, if that failed, as the
/// string (its unescaped text). Any other value is visited as itself.
pub(crate) const RANGE_DOCUMENT: &str = "$wshoto_model::range_document";

/// The struct name under which a key seed offers the key it expects next (the one field name
/// given): when the key is exactly that, unescaped, it is taken without being scanned for its
/// end or matched, and the visitor gets `visit_unit`; any other key is visited as a string.
pub(crate) const PREDICTED_KEY: &str = "$wshoto_model::predicted_key";

// The newtype name through which serde_json's `RawValue` (and `RawJson`) asks for a value's
// exact text.
use crate::raw_json::RAW_VALUE;

/// Containers nested deeper than this are refused (serde_json stops at 128).
const MAX_DEPTH: u32 = 100;

/// A JSON deserializer over `text`. With `ESCAPED`, `text[pos..]` is the content of a JSON
/// string holding a JSON document: `\"` is a quote of that document, `\\` a backslash of it,
/// `\n`, `\t`, `\r` white space, and a bare `"` ends it.
pub(crate) struct Deserializer<'de, const ESCAPED: bool> {
    text: &'de str,
    pos: usize,
    depth: u32,
}

impl<'de> Deserializer<'de, false> {
    /// A deserializer of the JSON text `text`.
    pub(crate) fn new(text: &'de str) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// Checks that only white space follows the value read.
    pub(crate) fn end(&mut self) -> Result<(), Declined> {
        match self.peek() {
            Err(Declined) if self.pos == self.text.len() => Ok(()),
            _ => Err(Declined),
        }
    }
}

impl Deserializer<'_, true> {
    /// After the embedded document: white space, then the quote that closes the string.
    fn end_document(&mut self) -> Result<(), Declined> {
        let bytes = self.text.as_bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b' ') => self.pos += 1,
                Some(b'\\') if matches!(bytes.get(self.pos + 1), Some(b'n' | b't' | b'r')) => {
                    self.pos += 2;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(Declined),
            }
        }
    }
}

/// A string's content: a slice of the input when it had no escape.
pub(super) enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> Text<'de> {
    // Inlined into each visitor's reader: −2 % instructions a decode (callgrind), more on the
    // 545 KB document.
    #[inline(always)]
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self {
            Self::Borrowed(text) => visitor.visit_borrowed_str(text),
            Self::Owned(text) => visitor.visit_string(text),
        }
    }
}

/// Unescapes plain JSON string content from `at` into `out`, up to a bare `"` or the end of
/// `text`, and returns where it stopped. Control characters are refused.
pub(super) fn unescape_into(
    text: &str,
    mut at: usize,
    out: &mut String,
) -> Result<usize, Declined> {
    let bytes = text.as_bytes();
    loop {
        let stop = find_special(bytes, at);
        out.push_str(text.get(at..stop).ok_or(Declined)?);
        at = stop;
        match bytes.get(at) {
            None | Some(b'"') => return Ok(at),
            Some(b'\\') => {
                let letter = bytes.get(at + 1).copied().ok_or(Declined)?;
                at += 2;
                out.push(match letter {
                    b'u' => {
                        let (character, after) = unicode_escape(bytes, at, b"\\u")?;
                        at = after;
                        character
                    }
                    other => simple_escape(other)?,
                });
            }
            Some(_) => return Err(Declined),
        }
    }
}

/// A raw value of the embedded document with the outer string's escapes undone: `\"2024\"` is
/// `"2024"`. The usual value, a string with no escape of its own, is copied in one piece.
fn outer_escapes_undone(raw: &str) -> Result<String, Declined> {
    if let Some(content) = raw
        .strip_prefix("\\\"")
        .and_then(|rest| rest.strip_suffix("\\\""))
        .filter(|content| !content.contains('\\'))
    {
        let mut out = String::with_capacity(content.len() + 2);
        out.push('"');
        out.push_str(content);
        out.push('"');
        return Ok(out);
    }
    let mut out = String::with_capacity(raw.len());
    if unescape_into(raw, 0, &mut out)? != raw.len() {
        return Err(Declined);
    }
    Ok(out)
}

/// The character of a one-letter escape (`\n`…), the letter given.
fn simple_escape(letter: u8) -> Result<char, Declined> {
    Ok(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return Err(Declined),
    })
}

impl<'de, const ESCAPED: bool> Deserializer<'de, ESCAPED> {
    fn slice(&self, from: usize, to: usize) -> Result<&'de str, Declined> {
        self.text.get(from..to).ok_or(Declined)
    }

    /// Skips white space and returns the first byte of the next token, not consumed; for the
    /// embedded document, `"` stands for `\"`.
    fn peek(&mut self) -> Result<u8, Declined> {
        // The usual case first: the token starts right here.
        let bytes = self.text.as_bytes();
        if let Some(&byte) = bytes.get(self.pos) {
            if !ESCAPED && byte > b' ' {
                return Ok(byte);
            }
            if ESCAPED && byte > b' ' && byte != b'"' {
                if byte != b'\\' {
                    return Ok(byte);
                }
                if bytes.get(self.pos + 1) == Some(&b'"') {
                    return Ok(b'"');
                }
            }
        }
        self.peek_after_space()
    }

    /// Consumes `punctuation` (such as `:`; never a quote or a backslash) after any white space:
    /// cheaper than [`Self::peek`] where only one byte may come.
    #[inline]
    fn eat(&mut self, punctuation: u8) -> Result<(), Declined> {
        if self.text.as_bytes().get(self.pos) != Some(&punctuation)
            && self.peek_after_space()? != punctuation
        {
            return Err(Declined);
        }
        self.pos += 1;
        Ok(())
    }

    /// [`Self::peek`] when white space (or the end) comes first.
    fn peek_after_space(&mut self) -> Result<u8, Declined> {
        let bytes = self.text.as_bytes();
        if !ESCAPED {
            // Indentation, counted in a local so that the loop does not store the position at
            // every byte (−5 % on a pretty-printed response; the embedded document, which has
            // no indentation, reads faster with the loop below).
            let mut pos = self.pos;
            // A line break is usually followed by indentation: up to eight spaces of it in one
            // step.
            if bytes.get(pos) == Some(&b'\n') {
                pos += 1;
                if let Some(word) = bytes.get(pos..pos + 8) {
                    let mut chunk = [0; 8];
                    chunk.copy_from_slice(word);
                    let not_spaces = u64::from_le_bytes(chunk) ^ (u64::MAX / 255 * u64::from(b' '));
                    pos += (not_spaces.trailing_zeros() / 8) as usize;
                }
            }
            while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(pos) {
                pos += 1;
            }
            self.pos = pos;
            return bytes.get(pos).copied().ok_or(Declined);
        }
        loop {
            match bytes.get(self.pos) {
                Some(b' ') => self.pos += 1,
                Some(b'\\') => match bytes.get(self.pos + 1) {
                    Some(b'n' | b't' | b'r') => self.pos += 2,
                    Some(b'"') => return Ok(b'"'),
                    _ => return Err(Declined),
                },
                // A bare quote closes the string that holds the embedded document.
                Some(b'"') => return Err(Declined),
                Some(&byte) => return Ok(byte),
                None => return Err(Declined),
            }
        }
    }

    /// Reads a string whose opening quote was peeked. The usual string, with no escape of its
    /// own, is a slice of the input; the others take the cold paths below. Always inlined: LLVM
    /// kept it out of line, and returning the `Text` through memory cost 4 % of a decode.
    #[inline(always)]
    fn string(&mut self) -> Result<Text<'de>, Declined> {
        let bytes = self.text.as_bytes();
        let quote = if ESCAPED { 2 } else { 1 };
        let start = self.pos + quote;
        let stop = find_special(bytes, start);
        let closed = if ESCAPED {
            bytes.get(stop) == Some(&b'\\') && bytes.get(stop + 1) == Some(&b'"')
        } else {
            bytes.get(stop) == Some(&b'"')
        };
        if closed {
            self.pos = stop + quote;
            return Ok(Text::Borrowed(self.slice(start, stop)?));
        }
        if ESCAPED {
            self.embedded_string(start, stop)
        } else {
            self.plain_string(start, stop)
        }
    }

    /// A plain string with escapes, from its content's `start`; `stop` is its first special byte.
    #[cold]
    #[inline(never)]
    fn plain_string(&mut self, start: usize, stop: usize) -> Result<Text<'de>, Declined> {
        let mut out = String::with_capacity(stop - start + 16);
        let end = unescape_into(self.text, start, &mut out)?;
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return Err(Declined);
        }
        self.pos = end + 1;
        Ok(Text::Owned(out))
    }

    /// A string of the embedded document: `\"…\"`, its own escapes written `\\n`, `\\\"`,
    /// `\\u4e2d`; characters of the content may also be escaped by the outer string (`\/`,
    /// `\u4e2d`). From its content's `start`; `stop` is its first special byte, not the
    /// closing `\"`.
    #[cold]
    #[inline(never)]
    fn embedded_string(&mut self, start: usize, stop: usize) -> Result<Text<'de>, Declined> {
        let bytes = self.text.as_bytes();
        let mut out = String::with_capacity(stop - start + 16);
        out.push_str(self.slice(start, stop)?);
        let mut at = stop;
        loop {
            if bytes.get(at) != Some(&b'\\') {
                // A bare quote (the outer string ended inside this one) or a control character.
                return Err(Declined);
            }
            let kind = bytes.get(at + 1).copied();
            at += 2;
            match kind {
                Some(b'"') => {
                    self.pos = at;
                    return Ok(Text::Owned(out));
                }
                Some(b'/') => out.push('/'),
                // An escape of the embedded string; its letter may be escaped by the outer one.
                Some(b'\\') => {
                    let letter = match (bytes.get(at), bytes.get(at + 1)) {
                        (Some(b'\\'), Some(&letter @ (b'"' | b'\\' | b'/'))) => {
                            at += 2;
                            letter
                        }
                        (Some(&letter @ (b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'u')), _) => {
                            at += 1;
                            letter
                        }
                        _ => return Err(Declined),
                    };
                    out.push(if letter == b'u' {
                        let (character, after) = unicode_escape(bytes, at, b"\\\\u")?;
                        at = after;
                        character
                    } else {
                        simple_escape(letter)?
                    });
                }
                // A character escaped by the outer string only. A quote, a backslash or a
                // control character here would be the embedded document's syntax: refused.
                Some(b'u') => {
                    let (character, after) = unicode_escape(bytes, at, b"\\u")?;
                    if character < ' ' || character == '"' || character == '\\' {
                        return Err(Declined);
                    }
                    at = after;
                    out.push(character);
                }
                // `\n`, `\t`…: a control character inside the embedded string.
                _ => return Err(Declined),
            }
            let stop = find_special(bytes, at);
            out.push_str(self.slice(at, stop)?);
            at = stop;
        }
    }

    /// `range_info`: see [`RANGE_DOCUMENT`].
    fn range_document<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        if ESCAPED || self.peek()? != b'"' {
            return de::Deserializer::deserialize_any(self, visitor);
        }
        let start = self.pos;
        let value = visitor.visit_map(Document {
            de: self,
            key_given: false,
            tries: 0,
        })?;
        if self.pos == start {
            return Err(Declined);
        }
        Ok(value)
    }

    fn integer(&mut self) -> Result<Integer, Declined> {
        let (value, end) = integer(self.text.as_bytes(), self.pos)?;
        self.pos = end;
        Ok(value)
    }

    fn word(&mut self, word: &[u8]) -> Result<(), Declined> {
        self.pos = literal(self.text.as_bytes(), self.pos, word)?;
        Ok(())
    }

    /// Enters a container whose opening bracket was peeked.
    fn enter(&mut self) -> Result<(), Declined> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Declined);
        }
        self.pos += 1;
        Ok(())
    }

    /// Leaves a container: its closing bracket must be next, whatever the visitor read.
    fn leave(&mut self, close: u8) -> Result<(), Declined> {
        if self.peek()? != close {
            return Err(Declined);
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        self.enter()?;
        let value = visitor.visit_map(Entries {
            de: self,
            first: true,
        })?;
        self.leave(b'}')?;
        Ok(value)
    }

    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        self.enter()?;
        let value = visitor.visit_seq(Elements {
            de: self,
            first: true,
        })?;
        self.leave(b']')?;
        Ok(value)
    }

    /// A value's exact JSON text, for `RawValue` (unescaped once in the embedded document).
    fn raw_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Declined> {
        self.peek()?;
        let start = self.pos;
        de::Deserializer::deserialize_ignored_any(&mut *self, IgnoredAny)?;
        let raw = self.slice(start, self.pos)?;
        let text = if ESCAPED && raw.contains('\\') {
            Text::Owned(outer_escapes_undone(raw)?)
        } else {
            Text::Borrowed(raw)
        };
        visitor.visit_map(RawValueEntry(Some(text)))
    }
}

/// Methods that refuse whatever comes: the fast path declines, the general path decides. Each
/// is named with the types of the arguments it takes before the visitor.
macro_rules! declined {
    ($($method:ident($($argument:ty),*))*) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $(_: $argument,)*
                _visitor: V,
            ) -> Result<V::Value, Declined> {
                Err(Declined)
            }
        )*
    };
}

/// Integer methods: a JSON integer, as serde_json visits it.
macro_rules! integers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
                match self.peek()? {
                    b'-' | b'0'..=b'9' => match self.integer()? {
                        Integer::Unsigned(value) => visitor.visit_u64(value),
                        Integer::Negative(value) => visitor.visit_i64(value),
                    },
                    _ => Err(Declined),
                }
            }
        )*
    };
}

impl<'de, const ESCAPED: bool> de::Deserializer<'de> for &mut Deserializer<'de, ESCAPED> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'"' => self.string()?.visit(visitor),
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            b't' => {
                self.word(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.word(b"false")?;
                visitor.visit_bool(false)
            }
            b'n' => {
                self.word(b"null")?;
                visitor.visit_unit()
            }
            b'-' | b'0'..=b'9' => match self.integer()? {
                Integer::Unsigned(value) => visitor.visit_u64(value),
                Integer::Negative(value) => visitor.visit_i64(value),
            },
            _ => Err(Declined),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b't' | b'f' => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'"' => self.string()?.visit(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'n' => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if name == RAW_VALUE {
            return self.raw_value(visitor);
        }
        if name == RANGE_DOCUMENT {
            return self.range_document(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'[' => self.seq(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'{' => self.map(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        match self.peek()? {
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_any(IgnoredAny)?;
        visitor.visit_unit()
    }

    declined! {
        deserialize_i128() deserialize_u128() deserialize_bytes() deserialize_byte_buf()
        deserialize_enum(&'static str, &'static [&'static str])
    }
}

/// An object's entries.
struct Entries<'a, 'de, const ESCAPED: bool> {
    de: &'a mut Deserializer<'de, ESCAPED>,
    first: bool,
}

impl<'de, const ESCAPED: bool> MapAccess<'de> for Entries<'_, 'de, ESCAPED> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        // The usual case first: a comma right after the previous value.
        let first = std::mem::replace(&mut self.first, false);
        let mut next = match self.de.text.as_bytes().get(self.de.pos) {
            Some(b',') if !first => b',',
            _ => self.de.peek()?,
        };
        if next == b'}' {
            return Ok(None);
        }
        if !first {
            if next != b',' {
                return Err(Declined);
            }
            self.de.pos += 1;
            next = self.de.peek()?;
        }
        if next != b'"' {
            return Err(Declined);
        }
        seed.deserialize(Key { de: &mut *self.de }).map(Some)
    }

    #[inline(always)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        self.de.eat(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

/// An array's elements.
struct Elements<'a, 'de, const ESCAPED: bool> {
    de: &'a mut Deserializer<'de, ESCAPED>,
    first: bool,
}

impl<'de, const ESCAPED: bool> SeqAccess<'de> for Elements<'_, 'de, ESCAPED> {
    type Error = Declined;

    #[inline(always)]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Declined> {
        let next = self.de.peek()?;
        if next == b']' {
            return Ok(None);
        }
        if !std::mem::replace(&mut self.first, false) {
            if next != b',' {
                return Err(Declined);
            }
            self.de.pos += 1;
            if self.de.peek()? == b']' {
                return Err(Declined);
            }
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An object key (its opening quote peeked): read as a string, whatever is asked.
struct Key<'a, 'de, const ESCAPED: bool> {
    de: &'a mut Deserializer<'de, ESCAPED>,
}

impl<'de, const ESCAPED: bool> de::Deserializer<'de> for Key<'_, 'de, ESCAPED> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.de.string()?.visit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.de.string()?;
        visitor.visit_unit()
    }

    /// See [`PREDICTED_KEY`].
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if name != PREDICTED_KEY {
            return Err(Declined);
        }
        if let (false, [predicted]) = (ESCAPED, fields) {
            let bytes = self.de.text.as_bytes();
            let start = self.de.pos + 1;
            let end = start + predicted.len();
            if bytes.get(start..end) == Some(predicted.as_bytes()) && bytes.get(end) == Some(&b'"')
            {
                self.de.pos = end + 1;
                #[cfg(test)]
                super::tests::PREDICTED.with(|count| count.set(count.get() + 1));
                return visitor.visit_unit();
            }
        }
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! { str string identifier char }

    declined! {
        deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32() deserialize_i64()
        deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32() deserialize_u64()
        deserialize_u128() deserialize_f32() deserialize_f64() deserialize_bytes()
        deserialize_byte_buf() deserialize_option() deserialize_unit() deserialize_seq()
        deserialize_map()
        deserialize_unit_struct(&'static str)
        deserialize_tuple(usize)
        deserialize_tuple_struct(&'static str, usize)
        deserialize_enum(&'static str, &'static [&'static str])
    }
}

/// The one-entry map through which `RawValue` receives a value's text.
struct RawValueEntry<'de>(Option<Text<'de>>);

impl<'de> MapAccess<'de> for RawValueEntry<'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        if self.0.is_none() {
            return Ok(None);
        }
        seed.deserialize(de::value::BorrowedStrDeserializer::new(RAW_VALUE))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        match self.0.take() {
            Some(Text::Borrowed(text)) => {
                seed.deserialize(de::value::BorrowedStrDeserializer::new(text))
            }
            Some(Text::Owned(text)) => seed.deserialize(de::value::StringDeserializer::new(text)),
            None => Err(Declined),
        }
    }
}

/// The embedded document as a one-entry map (see [`RANGE_DOCUMENT`]); `de` stands at the
/// string's opening quote until the value is read.
struct Document<'a, 'de, const ESCAPED: bool> {
    de: &'a mut Deserializer<'de, ESCAPED>,
    key_given: bool,
    /// How many times the value was asked for.
    tries: u8,
}

impl<'de, const ESCAPED: bool> MapAccess<'de> for Document<'_, 'de, ESCAPED> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        if std::mem::replace(&mut self.key_given, true) {
            return Ok(None);
        }
        seed.deserialize(de::value::BorrowedStrDeserializer::new(RANGE_DOCUMENT))
            .map(Some)
    }

    /// The first call reads the document in place (an object only); the second, after a
    /// failure, reads the string itself.
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        self.tries += 1;
        match self.tries {
            1 => {
                let mut document = Deserializer::<true> {
                    text: self.de.text,
                    pos: self.de.pos + 1,
                    depth: 0,
                };
                if document.peek()? != b'{' {
                    return Err(Declined);
                }
                let value = seed.deserialize(&mut document)?;
                document.end_document()?;
                self.de.pos = document.pos;
                self.tries = u8::MAX;
                #[cfg(test)]
                super::tests::IN_PLACE.with(|count| count.set(count.get() + 1));
                Ok(value)
            }
            2 => seed.deserialize(&mut *self.de),
            _ => Err(Declined),
        }
    }
}
