//! Which strings Ward writes quoted, whatever reads the YAML.
//!
//! serde-saphyr's own policy quotes what a YAML 1.2 reader would retype and
//! YAML 1.1's booleans, but writes `2024-01-15` (a YAML 1.1 timestamp),
//! `1:20` (a base-60 integer) and `0x_1F` (31) bare; kubectl reads with a
//! YAML 1.1 reader, so a label value would change type and a selector would
//! silently stop matching. Its `quote_all` option quotes values but not map
//! keys (label keys, annotation keys), and quotes every value. So the
//! decision is made here, per string, conservatively: a string is left to
//! serde-saphyr's policy only when no YAML 1.1 or 1.2 resolver can read it as
//! anything but a string, that is, when it starts with an ASCII letter
//! (every number, timestamp, `.inf`, `~`, `=` and `<<` starts otherwise), holds
//! only printable ASCII, and is not a boolean or null word in any letter
//! case. Every other string, key or value, is forced double-quoted with
//! serde-saphyr's [`DoubleQuoted`].
//!
//! [`Quoted`] applies that to any `Serialize` value by wrapping the
//! serializer: every string on the way, at any depth, passes through
//! [`is_plain_string`].

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use serde_saphyr::DoubleQuoted;

/// The words a YAML 1.1 or 1.2 reader takes for a boolean or null, compared
/// in any letter case (YAML 1.1 lists `y`, `Yes`, `ON`, ...; a reader that
/// folds case would take `yEs` too).
const WORDS: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// True when every YAML 1.1 and 1.2 reader reads `s`, written plain, as the
/// string `s` (given that the plain scalar is well-formed, which
/// serde-saphyr sees to). Conservative: false for anything in doubt.
pub fn is_plain_string(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !WORDS.iter().any(|word| s.eq_ignore_ascii_case(word))
}

/// A value serialized with every string that is not surely a string to
/// every reader double-quoted.
pub struct Quoted<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Quoted<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Quoting(serializer))
    }
}

/// A serializer (or one of its compound parts) that forwards everything to
/// the one inside, quoting strings on the way.
struct Quoting<S>(S);

macro_rules! forward {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method(self, value: $type) -> Result<S::Ok, S::Error> {
            self.0.$method(value)
        })*
    };
}

impl<S: Serializer> Serializer for Quoting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Quoting<S::SerializeSeq>;
    type SerializeTuple = Quoting<S::SerializeTuple>;
    type SerializeTupleStruct = Quoting<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Quoting<S::SerializeTupleVariant>;
    type SerializeMap = Quoting<S::SerializeMap>;
    type SerializeStruct = Quoting<S::SerializeStruct>;
    type SerializeStructVariant = Quoting<S::SerializeStructVariant>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_char(self, value: char) -> Result<S::Ok, S::Error> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<S::Ok, S::Error> {
        if is_plain_string(value) {
            self.0.serialize_str(value)
        } else {
            DoubleQuoted(value).serialize(self.0)
        }
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Quoted(value))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Quoted(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Quoted(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Quoting)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Quoting)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Quoting)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Quoting)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Quoting)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Quoting)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Quoting)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Implements a compound part whose elements pass through the quoting.
macro_rules! forward_elements {
    ($($part:ident::$method:ident),* $(,)?) => {
        $(impl<S: $part> $part for Quoting<S> {
            type Ok = S::Ok;
            type Error = S::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
                self.0.$method(&Quoted(value))
            }
            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        })*
    };
}

forward_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl<S: SerializeMap> SerializeMap for Quoting<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        self.0.serialize_key(&Quoted(key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        self.0.serialize_value(&Quoted(value))
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), S::Error> {
        self.0.serialize_entry(&Quoted(key), &Quoted(value))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

/// Implements a struct part: field names are Ward's and Kubernetes' own
/// (`apiVersion`, `podSelector`), so only the values pass through the
/// quoting.
macro_rules! forward_fields {
    ($($part:ident),* $(,)?) => {
        $(impl<S: $part> $part for Quoting<S> {
            type Ok = S::Ok;
            type Error = S::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), S::Error> {
                self.0.serialize_field(key, &Quoted(value))
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.0.skip_field(key)
            }
            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        })*
    };
}

forward_fields!(SerializeStruct, SerializeStructVariant);
