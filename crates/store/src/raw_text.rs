//! How message bytes are written in snapshots. A human-readable format (the
//! JSON scenario files a teacher edits) gets the message as text when it is
//! UTF-8, else `{"base64": "..."}`; a binary format (the page's compact
//! snapshot) gets plain bytes. Reading also takes the array of numbers that
//! version 1 snapshots wrote.

use std::fmt;

use base64::Engine as _;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serializer};

pub fn serialize<S: Serializer>(raw: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    if !serializer.is_human_readable() {
        return serializer.serialize_bytes(raw);
    }
    match std::str::from_utf8(raw) {
        Ok(text) => serializer.serialize_str(text),
        Err(_) => {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry("base64", &base64::engine::general_purpose::STANDARD.encode(raw))?;
            map.end()
        }
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    if deserializer.is_human_readable() {
        deserializer.deserialize_any(RawVisitor)
    } else {
        deserializer.deserialize_byte_buf(RawVisitor)
    }
}

/// As [`deserialize`], into the shared form a stored message keeps.
pub fn deserialize_shared<'de, D: Deserializer<'de>>(deserializer: D) -> Result<std::sync::Arc<[u8]>, D::Error> {
    deserialize(deserializer).map(Into::into)
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message as text, as {\"base64\": ...}, or as bytes")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u8>, E> {
        Ok(text.as_bytes().to_vec())
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
        Ok(bytes.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(bytes)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // Version 1 snapshots: an array of octets. Its length hint is untrusted input.
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        Ok(bytes)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<u8>, A::Error> {
        let mut decoded = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "base64" {
                return Err(de::Error::unknown_field(&key, &["base64"]));
            }
            let text: String = map.next_value()?;
            decoded = Some(base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(de::Error::custom)?);
        }
        decoded.ok_or_else(|| de::Error::missing_field("base64"))
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct M {
        #[serde(with = "super")]
        raw: Vec<u8>,
    }

    #[test]
    fn text_when_utf8_base64_otherwise_and_numbers_still_read() {
        let text = M { raw: "Subject: こんにちは\r\n\r\nx\r\n".as_bytes().to_vec() };
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(json, r#"{"raw":"Subject: こんにちは\r\n\r\nx\r\n"}"#);
        assert_eq!(serde_json::from_str::<M>(&json).unwrap(), text);
        let binary = M { raw: vec![b'S', 0x82, 0xa0, b'\r', b'\n'] };
        let json = serde_json::to_string(&binary).unwrap();
        assert_eq!(json, r#"{"raw":{"base64":"U4KgDQo="}}"#);
        assert_eq!(serde_json::from_str::<M>(&json).unwrap(), binary);
        assert_eq!(serde_json::from_str::<M>(r#"{"raw":[83,13,10]}"#).unwrap(), M { raw: b"S\r\n".to_vec() });
        assert!(serde_json::from_str::<M>(r#"{"raw":{"hex":"00"}}"#).is_err());
        assert!(serde_json::from_str::<M>(r#"{"raw":{"base64":"***"}}"#).is_err());
    }
}
