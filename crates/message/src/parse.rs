//! mail-parser's parse behind the guards the lab needs for any input.
//!
//! mail-parser keeps an encapsulated message/rfc822 inside its part, so a
//! chain of them is as deep as the mail says, and dropping it recursed once per
//! level: a 640 KB message of 20,000 nested parts overflowed the stack. [`Parsed`]
//! takes such a chain apart with a loop instead. The lab's own walkers stop at
//! [`MAX_MIME_DEPTH`].

use mail_parser::{Message, MessageParser, PartType};

/// How deep the lab follows MIME nesting (Dovecot's default limit is the same):
/// a container deeper than this is shown as one opaque part.
pub const MAX_MIME_DEPTH: usize = 100;

/// A parsed message that is dropped without recursion.
pub struct Parsed<'a>(Option<Message<'a>>);

impl<'a> Parsed<'a> {
    pub fn new(raw: &'a [u8]) -> Parsed<'a> {
        Parsed(MessageParser::default().parse(raw))
    }

    pub fn message(&self) -> Option<&Message<'a>> {
        self.0.as_ref()
    }
}

impl Drop for Parsed<'_> {
    fn drop(&mut self) {
        let mut pending: Vec<Message<'_>> = self.0.take().into_iter().collect();
        while let Some(mut message) = pending.pop() {
            for part in &mut message.parts {
                if matches!(part.body, PartType::Message(_))
                    && let PartType::Message(inner) = std::mem::replace(&mut part.body, PartType::Multipart(Vec::new()))
                {
                    pending.push(inner);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `levels` message/rfc822 parts, each holding the next.
    pub(crate) fn nested_messages(levels: usize) -> Vec<u8> {
        let mut raw = b"From: a@a.example\r\n".to_vec();
        for _ in 0..levels {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
        raw.extend_from_slice(b"Subject: innermost\r\n\r\nhi\r\n");
        raw
    }

    #[test]
    fn a_deep_chain_of_messages_drops_without_overflowing_the_stack() {
        let raw = nested_messages(20_000);
        let parsed = Parsed::new(&raw);
        assert!(parsed.message().is_some());
        drop(parsed);
    }
}
