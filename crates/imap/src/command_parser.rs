//! The IMAP command grammar (RFC 9051 §9 with the RFC 3501 forms, and the
//! extensions the server offers), read straight into imap-types' `Command`.
//!
//! Written here, not taken from imap-codec's decoder: that nom grammar cost
//! the page 35 KB gzip. The tests below hold this one to imap-codec's answer
//! for every command the lab uses, every prefix of it, and mutations of it.
//! Like the codec, it reads a buffer that may stop anywhere: running out of
//! input is `Incomplete`, never a failure.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_types::auth::AuthMechanism;
use imap_types::command::{Command, CommandBody};
use imap_types::core::{AString, Atom, AtomExt, Charset, IString, Literal, LiteralMode, Quoted, Tag, Vec1};
use imap_types::datetime::{DateTime, NaiveDate};
use imap_types::extensions::binary::{Literal8, LiteralOrLiteral8};
use imap_types::extensions::enable::CapabilityEnable;
use imap_types::extensions::utf8::QuotedUtf8;
use imap_types::fetch::{Macro, MacroOrMessageDataItemNames, MessageDataItemName, Part, Section};
use imap_types::flag::{Flag, StoreResponse, StoreType};
use imap_types::mailbox::{ListCharString, ListMailbox, Mailbox};
use imap_types::search::SearchKey;
use imap_types::secret::Secret;
use imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use imap_types::status::StatusDataItemName;
use imap_types::utils::indicators::{is_astring_char, is_atom_char, is_list_char, is_text_char};

/// Why no command came out of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The buffer ends inside the command: wait for more.
    Incomplete,
    /// The buffer ends right after a literal's announcement (`{5}` CRLF).
    Literal(LiteralMode),
    /// Not a command this grammar reads.
    Failed,
}

type Parsed<T> = Result<T, Stop>;

/// Search keys nest at most this deep. Thunderbird writes "any of n terms"
/// as n-1 nested ORs, so imap-codec's limit (9) is too tight for it.
pub const SEARCH_DEPTH: usize = 64;
/// How deep imap-codec lets search keys nest: past it, only this grammar reads them.
pub const CODEC_SEARCH_DEPTH: usize = 9;

/// How deep a command's search keys nest (`ALL` 1, `NOT ALL` 2); 0 without any.
pub fn search_nesting(body: &CommandBody) -> usize {
    fn depth(key: &SearchKey) -> usize {
        1 + match key {
            SearchKey::And(keys) => keys.as_ref().iter().map(depth).max().unwrap_or(0),
            SearchKey::Not(key) => depth(key),
            SearchKey::Or(a, b) => depth(a).max(depth(b)),
            _ => 0,
        }
    }
    match body {
        CommandBody::Search { criteria, .. } => criteria.as_ref().iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The first command in `input`, and how many octets it took.
pub fn command(input: &[u8]) -> Result<(usize, Command<'static>), Stop> {
    let mut r = Reader { input, at: 0 };
    let tag = r.text(|b| is_astring_char(b) && b != b'+')?;
    r.sp()?;
    let body = r.body()?;
    r.eat(b'\r')?;
    r.eat(b'\n')?;
    Ok((r.at, Command { tag: Tag::unvalidated(tag), body }))
}

struct Reader<'a> {
    input: &'a [u8],
    at: usize,
}

fn failed<T>() -> Parsed<T> {
    Err(Stop::Failed)
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

impl<'a> Reader<'a> {
    fn peek_at(&self, ahead: usize) -> Parsed<u8> {
        self.input.get(self.at + ahead).copied().ok_or(Stop::Incomplete)
    }

    fn peek(&self) -> Parsed<u8> {
        self.peek_at(0)
    }

    /// Takes `byte` if it comes next.
    fn take(&mut self, byte: u8) -> Parsed<bool> {
        let next = self.peek()? == byte;
        self.at += usize::from(next);
        Ok(next)
    }

    fn eat(&mut self, byte: u8) -> Parsed<()> {
        if self.take(byte)? { Ok(()) } else { failed() }
    }

    fn sp(&mut self) -> Parsed<()> {
        self.eat(b' ')
    }

    /// One or more octets `keep` accepts. The input must go on after them.
    fn run(&mut self, keep: fn(u8) -> bool) -> Parsed<&'a [u8]> {
        let start = self.at;
        while keep(self.peek()?) {
            self.at += 1;
        }
        if self.at == start { failed() } else { Ok(&self.input[start..self.at]) }
    }

    /// A run of ASCII octets as text.
    fn text(&mut self, keep: fn(u8) -> bool) -> Parsed<String> {
        Ok(String::from_utf8_lossy(self.run(keep)?).into_owned())
    }

    /// A command, item or key name, as written.
    fn word(&mut self) -> Parsed<&'a [u8]> {
        self.run(is_name_char)
    }

    /// The next word's meaning in `table`, matched in any case. Tables, not
    /// `match` on strings: those compile to a compare per letter.
    fn one_of<T: Clone>(&mut self, table: &[(&str, T)]) -> Parsed<T> {
        let word = self.word()?;
        table
            .iter()
            .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
            .map(|(_, t)| t.clone())
            .ok_or(Stop::Failed)
    }

    fn atom(&mut self) -> Parsed<Atom<'static>> {
        Ok(Atom::unvalidated(self.text(is_atom_char)?))
    }

    fn digits(&mut self, min: usize, max: usize) -> Parsed<u32> {
        let start = self.at;
        while self.at - start < max && self.peek()?.is_ascii_digit() {
            self.at += 1;
        }
        if self.at - start < min {
            return failed();
        }
        std::str::from_utf8(&self.input[start..self.at]).map_err(|_| Stop::Failed)?.parse().map_err(|_| Stop::Failed)
    }

    fn number(&mut self) -> Parsed<u32> {
        self.digits(1, usize::MAX)
    }

    fn nz_number(&mut self) -> Parsed<NonZeroU32> {
        NonZeroU32::new(self.number()?).ok_or(Stop::Failed)
    }

    /// `{n}` or `{n+}` and CRLF (after `~` for literal8), then n octets.
    fn literal_data(&mut self) -> Parsed<(&'a [u8], LiteralMode)> {
        self.eat(b'{')?;
        let length = self.number()? as usize;
        let mode = if self.take(b'+')? { LiteralMode::NonSync } else { LiteralMode::Sync };
        self.eat(b'}')?;
        self.eat(b'\r')?;
        self.eat(b'\n')?;
        let rest = &self.input[self.at..];
        if rest.is_empty() {
            return Err(Stop::Literal(mode));
        }
        let data = rest.get(..length).ok_or(Stop::Incomplete)?;
        self.at += length;
        Ok((data, mode))
    }

    fn literal(&mut self) -> Parsed<Literal<'static>> {
        let (data, mode) = self.literal_data()?;
        // A literal (not a literal8) never holds NUL (RFC 9051 §4.3).
        if data.contains(&0) {
            return failed();
        }
        let mut literal = Literal::unvalidated(data.to_vec());
        literal.set_mode(mode);
        Ok(literal)
    }

    /// A quoted string's text: escapes undone, UTF-8 allowed (RFC 9051 §9 `quoted`, RFC 6855).
    fn quoted(&mut self) -> Parsed<String> {
        self.eat(b'"')?;
        let mut text = Vec::new();
        loop {
            let mut b = self.peek()?;
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    b = self.peek()?;
                    self.at += 1;
                    if b != b'"' && b != b'\\' {
                        return failed();
                    }
                }
                _ if is_text_char(b) || b >= 0x80 => {}
                _ => return failed(),
            }
            text.push(b);
        }
        String::from_utf8(text).map_err(|_| Stop::Failed)
    }

    fn string(&mut self) -> Parsed<IString<'static>> {
        if self.peek()? == b'{' {
            return Ok(IString::Literal(self.literal()?));
        }
        let text = self.quoted()?;
        Ok(if text.is_ascii() {
            IString::Quoted(Quoted::unvalidated(text))
        } else {
            IString::QuotedUtf8(QuotedUtf8::unvalidated(text))
        })
    }

    fn astring(&mut self) -> Parsed<AString<'static>> {
        match self.peek()? {
            b'"' | b'{' => Ok(AString::String(self.string()?)),
            _ => Ok(AString::Atom(AtomExt::unvalidated(self.text(is_astring_char)?))),
        }
    }

    fn mailbox(&mut self) -> Parsed<Mailbox<'static>> {
        Ok(Mailbox::from(self.astring()?))
    }

    fn list_mailbox(&mut self) -> Parsed<ListMailbox<'static>> {
        match self.peek()? {
            b'"' | b'{' => Ok(ListMailbox::String(self.string()?)),
            _ => Ok(ListMailbox::Token(ListCharString::unvalidated(self.text(is_list_char)?))),
        }
    }

    /// `(a b c)`: `item` one or more times between parentheses, or none if `empty` allows.
    fn list<T>(&mut self, empty: bool, item: fn(&mut Self) -> Parsed<T>) -> Parsed<Vec<T>> {
        self.eat(b'(')?;
        let mut items = Vec::new();
        if empty && self.take(b')')? {
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if !self.take(b' ')? {
                self.eat(b')')?;
                return Ok(items);
            }
        }
    }

    fn sequence_set(&mut self) -> Parsed<SequenceSet> {
        let mut set = Vec::new();
        loop {
            let from = self.seq_number()?;
            set.push(if self.take(b':')? { Sequence::Range(from, self.seq_number()?) } else { Sequence::Single(from) });
            if !self.take(b',')? {
                return Ok(SequenceSet(Vec1::unvalidated(set)));
            }
        }
    }

    fn seq_number(&mut self) -> Parsed<SeqOrUid> {
        if self.take(b'*')? { Ok(SeqOrUid::Asterisk) } else { Ok(SeqOrUid::Value(self.nz_number()?)) }
    }

    fn flag(&mut self) -> Parsed<Flag<'static>> {
        if self.take(b'\\')? { Ok(Flag::system(self.atom()?)) } else { Ok(Flag::Keyword(self.atom()?)) }
    }

    fn month(&mut self) -> Parsed<u32> {
        const MONTHS: [&[u8]; 12] =
            [b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC"];
        let mut name = [0; 3];
        for letter in &mut name {
            // Refused at the first non-letter: a month never runs past the line's end.
            let b = self.peek()?;
            if !b.is_ascii_alphabetic() {
                return failed();
            }
            *letter = b.to_ascii_uppercase();
            self.at += 1;
        }
        MONTHS.iter().position(|m| *m == name).map(|i| i as u32 + 1).ok_or(Stop::Failed)
    }

    /// `d-Mon-yyyy`, bare or quoted (SEARCH's `date`).
    fn date(&mut self) -> Parsed<NaiveDate> {
        let quoted = self.take(b'"')?;
        let day = self.digits(1, 2)?;
        self.eat(b'-')?;
        let month = self.month()?;
        self.eat(b'-')?;
        let year = self.digits(4, 4)?;
        if quoted {
            self.eat(b'"')?;
        }
        let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(Stop::Failed)?;
        Ok(NaiveDate::unvalidated(date))
    }

    /// `"dd-Mon-yyyy hh:mm:ss +zzzz"` (APPEND's `date-time`; the day may be a space and one digit).
    fn date_time(&mut self) -> Parsed<DateTime> {
        use chrono::TimeZone;
        self.eat(b'"')?;
        let day = if self.take(b' ')? { self.digits(1, 1)? } else { self.digits(2, 2)? };
        self.eat(b'-')?;
        let month = self.month()?;
        self.eat(b'-')?;
        let year = self.digits(4, 4)?;
        self.sp()?;
        let mut clock = [0; 3];
        for (i, part) in clock.iter_mut().enumerate() {
            if i > 0 {
                self.eat(b':')?;
            }
            *part = self.digits(2, 2)?;
        }
        self.sp()?;
        let east = match self.peek()? {
            b'+' => true,
            b'-' => false,
            _ => return failed(),
        };
        self.at += 1;
        let (hours, minutes) = (self.digits(2, 2)?, self.digits(2, 2)?);
        self.eat(b'"')?;
        let offset = (3600 * hours + 60 * minutes) as i32;
        let zone = if east { chrono::FixedOffset::east_opt(offset) } else { chrono::FixedOffset::west_opt(offset) };
        let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day);
        let time = chrono::NaiveTime::from_hms_opt(clock[0], clock[1], clock[2]);
        let (Some(zone), Some(date), Some(time)) = (zone, date, time) else { return failed() };
        match zone.from_local_datetime(&date.and_time(time)) {
            chrono::LocalResult::Single(when) => Ok(DateTime::unvalidated(when)),
            _ => failed(),
        }
    }

    fn body(&mut self) -> Parsed<CommandBody<'static>> {
        use Verb::*;
        let verb = self.one_of(&VERBS)?;
        Ok(match verb {
            Capability => CommandBody::Capability,
            Logout => CommandBody::Logout,
            Noop => CommandBody::Noop,
            StartTls => CommandBody::StartTLS,
            Check => CommandBody::Check,
            Close => CommandBody::Close,
            Expunge => CommandBody::Expunge,
            Unselect => CommandBody::Unselect,
            Idle => CommandBody::Idle,
            Namespace => CommandBody::Namespace,
            Login => {
                self.sp()?;
                let username = self.astring()?;
                self.sp()?;
                CommandBody::Login { username, password: Secret::new(self.astring()?) }
            }
            Authenticate => {
                self.sp()?;
                let mechanism = AuthMechanism::from(self.atom()?);
                let initial_response =
                    if self.take(b' ')? { Some(Secret::new(Cow::Owned(self.initial_response()?))) } else { None };
                CommandBody::Authenticate { mechanism, initial_response }
            }
            Enable => {
                let mut capabilities = Vec::new();
                while capabilities.is_empty() || self.peek()? == b' ' {
                    self.sp()?;
                    capabilities.push(CapabilityEnable::from(self.atom()?));
                }
                CommandBody::Enable { capabilities: Vec1::unvalidated(capabilities) }
            }
            Select | Examine | Create | Delete | Subscribe | Unsubscribe => {
                self.sp()?;
                let mailbox = self.mailbox()?;
                match verb {
                    Select => CommandBody::Select { mailbox },
                    Examine => CommandBody::Examine { mailbox },
                    Create => CommandBody::Create { mailbox },
                    Delete => CommandBody::Delete { mailbox },
                    Subscribe => CommandBody::Subscribe { mailbox },
                    _ => CommandBody::Unsubscribe { mailbox },
                }
            }
            Rename => {
                self.sp()?;
                let from = self.mailbox()?;
                self.sp()?;
                CommandBody::Rename { from, to: self.mailbox()? }
            }
            List | Lsub => {
                self.sp()?;
                let reference = self.mailbox()?;
                self.sp()?;
                let mailbox_wildcard = self.list_mailbox()?;
                if verb == List {
                    CommandBody::List { reference, mailbox_wildcard }
                } else {
                    CommandBody::Lsub { reference, mailbox_wildcard }
                }
            }
            Status => {
                self.sp()?;
                let mailbox = self.mailbox()?;
                self.sp()?;
                let item_names = self.list(true, |r| r.one_of(&STATUS_ITEMS))?;
                CommandBody::Status { mailbox, item_names: item_names.into() }
            }
            Append => self.append()?,
            Uid => {
                self.sp()?;
                let start = self.at;
                match self.one_of(&VERBS)? {
                    Expunge => {
                        self.sp()?;
                        return Ok(CommandBody::ExpungeUid { sequence_set: self.sequence_set()? });
                    }
                    Copy | Move | Fetch | Store | Search => self.at = start,
                    _ => return failed(),
                }
                let mut body = self.body()?;
                if let CommandBody::Copy { uid, .. }
                | CommandBody::Move { uid, .. }
                | CommandBody::Fetch { uid, .. }
                | CommandBody::Store { uid, .. }
                | CommandBody::Search { uid, .. } = &mut body
                {
                    *uid = true;
                }
                body
            }
            Copy | Move => {
                self.sp()?;
                let sequence_set = self.sequence_set()?;
                self.sp()?;
                let mailbox = self.mailbox()?;
                if verb == Copy {
                    CommandBody::Copy { sequence_set, mailbox, uid: false }
                } else {
                    CommandBody::Move { sequence_set, mailbox, uid: false }
                }
            }
            Fetch => {
                self.sp()?;
                let sequence_set = self.sequence_set()?;
                self.sp()?;
                CommandBody::Fetch { sequence_set, macro_or_item_names: self.fetch_items()?, uid: false }
            }
            Store => self.store()?,
            Search => self.search()?,
        })
    }

    /// AUTHENTICATE's initial response: base64, or `=` for an empty one (RFC 4959).
    fn initial_response(&mut self) -> Parsed<Vec<u8>> {
        use base64::Engine;
        let start = self.at;
        while is_base64_char(self.peek()?) {
            self.at += 1;
        }
        for _ in 0..2 {
            self.take(b'=')?;
        }
        match base64::engine::general_purpose::STANDARD.decode(&self.input[start..self.at]) {
            Ok(data) => Ok(data),
            Err(_) if self.input[start] == b'=' => {
                self.at = start + 1;
                Ok(Vec::new())
            }
            Err(_) => failed(),
        }
    }

    fn append(&mut self) -> Parsed<CommandBody<'static>> {
        self.sp()?;
        let mailbox = self.mailbox()?;
        let mut flags = Vec::new();
        if self.peek()? == b' ' && self.peek_at(1)? == b'(' {
            self.at += 1;
            flags = self.list(true, Self::flag)?;
        }
        let mut date = None;
        if self.peek()? == b' ' && self.peek_at(1)? == b'"' {
            self.at += 1;
            date = Some(self.date_time()?);
        }
        self.sp()?;
        let message = if self.take(b'~')? {
            let (data, mode) = self.literal_data()?;
            LiteralOrLiteral8::Literal8(Literal8 { data: Cow::Owned(data.to_vec()), mode })
        } else {
            LiteralOrLiteral8::Literal(self.literal()?)
        };
        Ok(CommandBody::Append { mailbox, flags, date, message })
    }

    fn store(&mut self) -> Parsed<CommandBody<'static>> {
        self.sp()?;
        let sequence_set = self.sequence_set()?;
        self.sp()?;
        let kind = match self.peek()? {
            b'+' => StoreType::Add,
            b'-' => StoreType::Remove,
            _ => StoreType::Replace,
        };
        self.at += usize::from(kind != StoreType::Replace);
        let response = self.one_of(&[("FLAGS", StoreResponse::Answer), ("FLAGS.SILENT", StoreResponse::Silent)])?;
        self.sp()?;
        let flags = if self.peek()? == b'(' {
            self.list(true, Self::flag)?
        } else {
            let mut flags = vec![self.flag()?];
            while self.take(b' ')? {
                flags.push(self.flag()?);
            }
            flags
        };
        Ok(CommandBody::Store { sequence_set, kind, response, flags, uid: false })
    }

    fn fetch_items(&mut self) -> Parsed<MacroOrMessageDataItemNames<'static>> {
        if self.peek()? == b'(' {
            return Ok(MacroOrMessageDataItemNames::MessageDataItemNames(self.list(true, Self::fetch_item)?));
        }
        let start = self.at;
        if let Ok(every) = self.one_of(&[("ALL", Macro::All), ("FAST", Macro::Fast), ("FULL", Macro::Full)]) {
            return Ok(MacroOrMessageDataItemNames::Macro(every));
        }
        self.at = start;
        Ok(MacroOrMessageDataItemNames::MessageDataItemNames(vec![self.fetch_item()?]))
    }

    fn fetch_item(&mut self) -> Parsed<MessageDataItemName<'static>> {
        Ok(match self.one_of(&FETCH_ITEMS)? {
            Item::Simple(item) => item(),
            Item::Body(false) if self.peek()? != b'[' => MessageDataItemName::Body,
            Item::Body(peek) => {
                let section = self.section()?;
                MessageDataItemName::BodyExt { section, partial: self.partial()?, peek }
            }
            Item::Binary(peek) => {
                let section = self.section_binary()?;
                MessageDataItemName::Binary { section, partial: self.partial()?, peek }
            }
            Item::BinarySize => MessageDataItemName::BinarySize { section: self.section_binary()? },
        })
    }

    /// `<start.length>` if it comes next.
    fn partial(&mut self) -> Parsed<Option<(u32, NonZeroU32)>> {
        if !self.take(b'<')? {
            return Ok(None);
        }
        let start = self.number()?;
        self.eat(b'.')?;
        let length = self.nz_number()?;
        self.eat(b'>')?;
        Ok(Some((start, length)))
    }

    /// Part numbers `1.2.3`, stopping before a `.` that a name follows.
    fn part(&mut self) -> Parsed<Vec<NonZeroU32>> {
        let mut numbers = vec![self.nz_number()?];
        while self.peek()? == b'.' && self.peek_at(1)?.is_ascii_digit() {
            self.at += 1;
            numbers.push(self.nz_number()?);
        }
        Ok(numbers)
    }

    fn section_binary(&mut self) -> Parsed<Vec<NonZeroU32>> {
        self.eat(b'[')?;
        let part = if self.peek()? == b']' { Vec::new() } else { self.part()? };
        self.eat(b']')?;
        Ok(part)
    }

    fn section(&mut self) -> Parsed<Option<Section<'static>>> {
        self.eat(b'[')?;
        if self.take(b']')? {
            return Ok(None);
        }
        let part = if self.peek()?.is_ascii_digit() {
            let part = Part(Vec1::unvalidated(self.part()?));
            if !self.take(b'.')? {
                self.eat(b']')?;
                return Ok(Some(Section::Part(part)));
            }
            Some(part)
        } else {
            None
        };
        let names = [("HEADER", 0), ("TEXT", 1), ("MIME", 2), ("HEADER.FIELDS", 3), ("HEADER.FIELDS.NOT", 4)];
        let section = match (self.one_of(&names)?, part) {
            (0, part) => Section::Header(part),
            (1, part) => Section::Text(part),
            (2, Some(part)) => Section::Mime(part),
            (3, part) => Section::HeaderFields(part, self.header_list()?),
            (4, part) => Section::HeaderFieldsNot(part, self.header_list()?),
            _ => return failed(),
        };
        self.eat(b']')?;
        Ok(Some(section))
    }

    fn header_list(&mut self) -> Parsed<Vec1<AString<'static>>> {
        self.sp()?;
        Ok(Vec1::unvalidated(self.list(false, Self::astring)?))
    }

    fn search(&mut self) -> Parsed<CommandBody<'static>> {
        self.sp()?;
        let start = self.at;
        let mut charset = None;
        if self.peek()?.is_ascii_alphabetic() && self.word()?.eq_ignore_ascii_case(b"CHARSET") {
            self.sp()?;
            charset = Some(if self.peek()? == b'"' {
                let text = self.quoted()?;
                if !text.is_ascii() {
                    return failed();
                }
                Charset::Quoted(Quoted::unvalidated(text))
            } else {
                Charset::Atom(self.atom()?)
            });
            self.sp()?;
        } else {
            self.at = start;
        }
        Ok(CommandBody::Search { charset, criteria: Vec1::unvalidated(self.search_keys(SEARCH_DEPTH)?), uid: false })
    }

    /// Keys separated by spaces, each read at `depth`.
    fn search_keys(&mut self, depth: usize) -> Parsed<Vec<SearchKey<'static>>> {
        let mut keys = vec![self.search_key(depth)?];
        while self.take(b' ')? {
            keys.push(self.search_key(depth)?);
        }
        Ok(keys)
    }

    fn search_key(&mut self, depth: usize) -> Parsed<SearchKey<'static>> {
        if depth == 0 {
            return failed();
        }
        let next = self.peek()?;
        if next == b'(' {
            self.at += 1;
            let keys = self.search_keys(depth - 1)?;
            self.eat(b')')?;
            return Ok(SearchKey::And(Vec1::unvalidated(keys)));
        }
        if next == b'*' || next.is_ascii_digit() {
            return Ok(SearchKey::SequenceSet(self.sequence_set()?));
        }
        let start = self.at;
        if let Ok(key) = self.one_of(&SIMPLE_KEYS) {
            return Ok(key());
        }
        self.at = start;
        let key = self.one_of(&KEYS_WITH_ARGUMENTS)?;
        self.sp()?;
        Ok(match key {
            Key::String(key) => key(self.astring()?),
            Key::Date(key) => key(self.date()?),
            Key::Keyword(key) => key(self.atom()?),
            Key::Size(key) => key(self.number()?),
            Key::Seconds(key) => key(self.nz_number()?),
            Key::Header => {
                let field = self.astring()?;
                self.sp()?;
                SearchKey::Header(field, self.astring()?)
            }
            Key::Uid => SearchKey::Uid(self.sequence_set()?),
            Key::Not => SearchKey::Not(Box::new(self.search_key(depth - 1)?)),
            Key::Or => {
                let left = self.search_key(depth - 1)?;
                self.sp()?;
                SearchKey::Or(Box::new(left), Box::new(self.search_key(depth - 1)?))
            }
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Capability,
    Logout,
    Noop,
    StartTls,
    Check,
    Close,
    Expunge,
    Unselect,
    Idle,
    Namespace,
    Login,
    Authenticate,
    Enable,
    Select,
    Examine,
    Create,
    Delete,
    Subscribe,
    Unsubscribe,
    Rename,
    List,
    Lsub,
    Status,
    Append,
    Uid,
    Copy,
    Move,
    Fetch,
    Store,
    Search,
}

const VERBS: [(&str, Verb); 30] = [
    ("CAPABILITY", Verb::Capability),
    ("LOGOUT", Verb::Logout),
    ("NOOP", Verb::Noop),
    ("STARTTLS", Verb::StartTls),
    ("CHECK", Verb::Check),
    ("CLOSE", Verb::Close),
    ("EXPUNGE", Verb::Expunge),
    ("UNSELECT", Verb::Unselect),
    ("IDLE", Verb::Idle),
    ("NAMESPACE", Verb::Namespace),
    ("LOGIN", Verb::Login),
    ("AUTHENTICATE", Verb::Authenticate),
    ("ENABLE", Verb::Enable),
    ("SELECT", Verb::Select),
    ("EXAMINE", Verb::Examine),
    ("CREATE", Verb::Create),
    ("DELETE", Verb::Delete),
    ("SUBSCRIBE", Verb::Subscribe),
    ("UNSUBSCRIBE", Verb::Unsubscribe),
    ("RENAME", Verb::Rename),
    ("LIST", Verb::List),
    ("LSUB", Verb::Lsub),
    ("STATUS", Verb::Status),
    ("APPEND", Verb::Append),
    ("UID", Verb::Uid),
    ("COPY", Verb::Copy),
    ("MOVE", Verb::Move),
    ("FETCH", Verb::Fetch),
    ("STORE", Verb::Store),
    ("SEARCH", Verb::Search),
];

const STATUS_ITEMS: [(&str, StatusDataItemName); 8] = [
    ("MESSAGES", StatusDataItemName::Messages),
    ("RECENT", StatusDataItemName::Recent),
    ("UIDNEXT", StatusDataItemName::UidNext),
    ("UIDVALIDITY", StatusDataItemName::UidValidity),
    ("UNSEEN", StatusDataItemName::Unseen),
    ("DELETED-STORAGE", StatusDataItemName::DeletedStorage),
    ("DELETED", StatusDataItemName::Deleted),
    ("SIZE", StatusDataItemName::Size),
];

/// A FETCH item name and what follows it.
#[derive(Clone, Copy)]
enum Item {
    Simple(fn() -> MessageDataItemName<'static>),
    /// BODY or (true) BODY.PEEK: a section may follow BODY and must follow BODY.PEEK.
    Body(bool),
    /// BINARY or (true) BINARY.PEEK, with a section.
    Binary(bool),
    BinarySize,
}

const FETCH_ITEMS: [(&str, Item); 14] = [
    ("ENVELOPE", Item::Simple(|| MessageDataItemName::Envelope)),
    ("FLAGS", Item::Simple(|| MessageDataItemName::Flags)),
    ("INTERNALDATE", Item::Simple(|| MessageDataItemName::InternalDate)),
    ("BODYSTRUCTURE", Item::Simple(|| MessageDataItemName::BodyStructure)),
    ("UID", Item::Simple(|| MessageDataItemName::Uid)),
    ("RFC822", Item::Simple(|| MessageDataItemName::Rfc822)),
    ("RFC822.HEADER", Item::Simple(|| MessageDataItemName::Rfc822Header)),
    ("RFC822.SIZE", Item::Simple(|| MessageDataItemName::Rfc822Size)),
    ("RFC822.TEXT", Item::Simple(|| MessageDataItemName::Rfc822Text)),
    ("BODY", Item::Body(false)),
    ("BODY.PEEK", Item::Body(true)),
    ("BINARY", Item::Binary(false)),
    ("BINARY.PEEK", Item::Binary(true)),
    ("BINARY.SIZE", Item::BinarySize),
];

/// A search key without an argument.
type SimpleKey = fn() -> SearchKey<'static>;

const SIMPLE_KEYS: [(&str, SimpleKey); 14] = [
    ("ALL", || SearchKey::All),
    ("ANSWERED", || SearchKey::Answered),
    ("DELETED", || SearchKey::Deleted),
    ("FLAGGED", || SearchKey::Flagged),
    ("NEW", || SearchKey::New),
    ("OLD", || SearchKey::Old),
    ("RECENT", || SearchKey::Recent),
    ("SEEN", || SearchKey::Seen),
    ("UNANSWERED", || SearchKey::Unanswered),
    ("UNDELETED", || SearchKey::Undeleted),
    ("UNFLAGGED", || SearchKey::Unflagged),
    ("UNSEEN", || SearchKey::Unseen),
    ("DRAFT", || SearchKey::Draft),
    ("UNDRAFT", || SearchKey::Undraft),
];

/// A search key that takes an argument, by the argument's kind.
#[derive(Clone, Copy)]
enum Key {
    String(fn(AString<'static>) -> SearchKey<'static>),
    Date(fn(NaiveDate) -> SearchKey<'static>),
    Keyword(fn(Atom<'static>) -> SearchKey<'static>),
    Size(fn(u32) -> SearchKey<'static>),
    Seconds(fn(NonZeroU32) -> SearchKey<'static>),
    Header,
    Uid,
    Not,
    Or,
}

const KEYS_WITH_ARGUMENTS: [(&str, Key); 23] = [
    ("BCC", Key::String(SearchKey::Bcc)),
    ("BODY", Key::String(SearchKey::Body)),
    ("CC", Key::String(SearchKey::Cc)),
    ("FROM", Key::String(SearchKey::From)),
    ("SUBJECT", Key::String(SearchKey::Subject)),
    ("TEXT", Key::String(SearchKey::Text)),
    ("TO", Key::String(SearchKey::To)),
    ("BEFORE", Key::Date(SearchKey::Before)),
    ("ON", Key::Date(SearchKey::On)),
    ("SINCE", Key::Date(SearchKey::Since)),
    ("SENTBEFORE", Key::Date(SearchKey::SentBefore)),
    ("SENTON", Key::Date(SearchKey::SentOn)),
    ("SENTSINCE", Key::Date(SearchKey::SentSince)),
    ("KEYWORD", Key::Keyword(SearchKey::Keyword)),
    ("UNKEYWORD", Key::Keyword(SearchKey::Unkeyword)),
    ("LARGER", Key::Size(SearchKey::Larger)),
    ("SMALLER", Key::Size(SearchKey::Smaller)),
    ("OLDER", Key::Seconds(SearchKey::Older)),
    ("YOUNGER", Key::Seconds(SearchKey::Younger)),
    ("HEADER", Key::Header),
    ("UID", Key::Uid),
    ("NOT", Key::Not),
    ("OR", Key::Or),
];

#[cfg(test)]
mod tests {
    //! imap-codec, the grammar this one replaces, is the oracle.
    use super::*;
    use imap_codec::CommandCodec;
    use imap_codec::decode::{CommandDecodeError, Decoder};
    use imap_types::IntoStatic;

    fn oracle(input: &[u8]) -> Parsed<(usize, Command<'static>)> {
        match CommandCodec::default().decode(input) {
            Ok((rest, command)) => Ok((input.len() - rest.len(), command.into_static())),
            Err(CommandDecodeError::Incomplete) => Err(Stop::Incomplete),
            Err(CommandDecodeError::LiteralFound { mode, .. }) => Err(Stop::Literal(mode)),
            Err(CommandDecodeError::Failed) => Err(Stop::Failed),
        }
    }

    /// Commands imap-codec reads that this server does not offer: here they fail.
    fn not_offered(body: &CommandBody) -> bool {
        matches!(
            body,
            CommandBody::Id { .. }
                | CommandBody::Sort { .. }
                | CommandBody::Thread { .. }
                | CommandBody::Compress { .. }
                | CommandBody::GetQuota { .. }
                | CommandBody::GetQuotaRoot { .. }
                | CommandBody::SetQuota { .. }
        )
    }

    /// Equal answers, but where the input stops short this grammar may wait
    /// (Incomplete) where imap-codec has already given up: both read a whole line
    /// before a refusal counts (see `extent` in the server).
    fn agrees(input: &[u8]) -> Result<(), String> {
        let ours = command(input);
        let theirs = oracle(input);
        let same = match (&ours, &theirs) {
            (Err(Stop::Failed), Ok((_, c))) => not_offered(&c.body),
            (Ok((_, c)), Err(Stop::Failed)) => search_nesting(&c.body) > CODEC_SEARCH_DEPTH,
            (Err(Stop::Incomplete), Err(Stop::Failed)) => !input.ends_with(b"\r\n") || input.ends_with(b"}\r\n"),
            _ => ours == theirs,
        };
        if same {
            Ok(())
        } else {
            Err(format!("{:?}\n  ours:   {ours:?}\n  codec:  {theirs:?}", String::from_utf8_lossy(input)))
        }
    }

    const CORPUS: &[&str] = &[
        "a1 CAPABILITY\r\n",
        "a1 noop\r\n",
        "a1 LOGOUT\r\n",
        "a1 STARTTLS\r\n",
        "a1 LOGIN bob bob-pw\r\n",
        "a1 LOGIN \"bob\" \"p\\\"w\\\\\"\r\n",
        "a1 LOGIN {3}\r\nbob {5+}\r\nsecre\r\n",
        "a1 LOGIN \"\u{3042}\" x\r\n",
        "a1 AUTHENTICATE PLAIN\r\n",
        "a1 AUTHENTICATE PLAIN AGJvYgBib2ItcHc=\r\n",
        "a1 AUTHENTICATE PLAIN =\r\n",
        "a1 AUTHENTICATE CRAM-MD5\r\n",
        "a1 ENABLE IMAP4rev2 UTF8=ACCEPT\r\n",
        "a1 SELECT INBOX\r\n",
        "a1 select inbox\r\n",
        "a1 EXAMINE \"Sent Items\"\r\n",
        "a1 CREATE &TtVOiw-\r\n",
        "a1 CREATE \"\u{4ed5}\u{4e8b}\"\r\n",
        "a1 DELETE Projects/2026\r\n",
        "a1 RENAME Projects Archive\r\n",
        "a1 SUBSCRIBE Projects\r\n",
        "a1 UNSUBSCRIBE Projects\r\n",
        "a1 LIST \"\" *\r\n",
        "a1 LIST \"\" \"%\"\r\n",
        "a1 LIST ~/Mail %/a]b\r\n",
        "a1 LSUB \"\" \"*\"\r\n",
        "a1 STATUS INBOX (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT DELETED SIZE DELETED-STORAGE)\r\n",
        "a1 STATUS INBOX ()\r\n",
        "a1 APPEND INBOX {5}\r\nhello\r\n",
        "a1 APPEND INBOX (\\Seen $Work) {5+}\r\nhello\r\n",
        "a1 APPEND INBOX () \" 7-Feb-1994 21:52:25 -0800\" {5}\r\nhello\r\n",
        "a1 APPEND INBOX \"17-Jul-1996 02:44:25 +0900\" ~{3}\r\na\0b\r\n",
        "a1 APPEND INBOX {0}\r\n\r\n",
        "a1 CHECK\r\n",
        "a1 CLOSE\r\n",
        "a1 UNSELECT\r\n",
        "a1 EXPUNGE\r\n",
        "a1 UID EXPUNGE 3:5,7\r\n",
        "a1 IDLE\r\n",
        "a1 NAMESPACE\r\n",
        "a1 SEARCH ALL\r\n",
        "a1 SEARCH UNSEEN FROM alice SUBJECT \"Hello Bob\"\r\n",
        "a1 SEARCH CHARSET UTF-8 TEXT {6}\r\n\u{65e5}\u{672c}\r\n",
        "a1 SEARCH CHARSET \"US-ASCII\" BODY x\r\n",
        "a1 SEARCH OR SEEN (FLAGGED NOT DELETED) 1:3,5 UID 2:*\r\n",
        "a1 SEARCH BEFORE 1-Feb-2026 ON \"01-Mar-2026\" SINCE 31-Dec-2025\r\n",
        "a1 SEARCH SENTBEFORE 1-jan-2026 SENTON 2-Feb-2026 SENTSINCE 3-Mar-2026\r\n",
        "a1 SEARCH HEADER Message-ID <x@y> LARGER 100 SMALLER 5000\r\n",
        "a1 SEARCH KEYWORD $Work UNKEYWORD Junk OLDER 60 YOUNGER 3600\r\n",
        "a1 SEARCH ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN\r\n",
        "a1 SEARCH UNANSWERED UNDELETED UNDRAFT UNFLAGGED BCC x CC y TO z\r\n",
        "a1 SEARCH NOT NOT NOT NOT NOT NOT NOT NOT ALL\r\n",
        "a1 SEARCH ((((((((ALL))))))))\r\n",
        "a1 SEARCH (((((((((ALL)))))))))\r\n",
        "a1 SEARCH 30-Feb-2026\r\n",
        "a1 SEARCH SINCE 30-Feb-2026\r\n",
        "a1 UID SEARCH ALL\r\n",
        "a1 FETCH 1 ALL\r\n",
        "a1 FETCH 1:* FAST\r\n",
        "a1 FETCH * FULL\r\n",
        "a1 FETCH 1 (FLAGS ENVELOPE INTERNALDATE RFC822.SIZE UID BODYSTRUCTURE BODY)\r\n",
        "a1 FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)\r\n",
        "a1 FETCH 2 BODY[]\r\n",
        "a1 FETCH 2 BODY.PEEK[TEXT]<0.100>\r\n",
        "a1 FETCH 2 BODY[HEADER.FIELDS (From To \"Subject\")]\r\n",
        "a1 FETCH 2 BODY[HEADER.FIELDS.NOT (Received)]\r\n",
        "a1 FETCH 2 (BODY[1] BODY[1.2.HEADER] BODY[1.MIME] BODY[2.TEXT] BODY[3.HEADER.FIELDS (X)])\r\n",
        "a1 FETCH 2 (BINARY[] BINARY.PEEK[1.2]<5.10> BINARY.SIZE[1])\r\n",
        "a1 FETCH 2 ()\r\n",
        "a1 FETCH 1,3:4,7:* flags\r\n",
        "a1 UID FETCH 1:* (FLAGS)\r\n",
        "a1 STORE 1 +FLAGS (\\Seen)\r\n",
        "a1 STORE 1:2 -FLAGS.SILENT (\\Deleted $Work)\r\n",
        "a1 STORE 1 FLAGS \\Seen \\Flagged\r\n",
        "a1 STORE 1 FLAGS ()\r\n",
        "a1 UID STORE 4 +FLAGS.SILENT (Junk)\r\n",
        "a1 COPY 1:3 Archive\r\n",
        "a1 UID COPY 4 \"Sent Items\"\r\n",
        "a1 MOVE 1 Trash\r\n",
        "a1 UID MOVE 9 Trash\r\n",
        "a1 ID NIL\r\n",
        "a1 SORT (DATE) UTF-8 ALL\r\n",
        "a1 GETQUOTAROOT INBOX\r\n",
        "+1 NOOP\r\n",
        "a1 NOOP \r\n",
        "a1 UID UID FETCH 1 FLAGS\r\n",
        "a1 UID NOOP\r\n",
        "a1 FETCH 0 FLAGS\r\n",
        "a1 FETCH 1 BODY.PEEK\r\n",
        "a1 FETCH 1 BODY[MIME]\r\n",
        "a1 LOGIN bob {3}\r\nb\0b\r\n",
        "a1 LOGIN bob \"a\\b\"\r\n",
        "a1 SELECT \"\u{7f}\"\r\n",
        "a1 ENABLE\r\n",
        "a1 LIST \"\" \"*\" RETURN (CHILDREN)\r\n",
        "a1 NOOP\n",
        // Found by the fuzz target: the line ends inside a date's month.
        "a1 APPEND BOX (\\een) \" 4-\r\n",
        "a1 SEARCH SINCE 1-F\r\n",
    ];

    #[test]
    fn every_command_reads_as_imap_codec_reads_it() {
        let mut wrong = Vec::new();
        for text in CORPUS {
            let mut input = text.as_bytes().to_vec();
            input.extend_from_slice(b"a2 NOOP\r\n");
            wrong.extend(agrees(&input).err());
        }
        assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
    }

    #[test]
    fn every_prefix_waits_as_imap_codec_waits() {
        let mut wrong = Vec::new();
        for text in CORPUS {
            // An unknown verb fails at once here; the codec waits to read it.
            if oracle(text.as_bytes()).is_ok_and(|(_, c)| not_offered(&c.body)) {
                continue;
            }
            for end in 0..text.len() {
                wrong.extend(agrees(&text.as_bytes()[..end]).err());
            }
        }
        assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
    }

    #[test]
    fn every_one_byte_change_reads_as_imap_codec_reads_it() {
        const BYTES: &[u8] = b" ()\"\\{}[]<>.:,*+-~=%$0123x\r\n\0\x80";
        let mut wrong = Vec::new();
        let mut tried = 0;
        for text in CORPUS {
            let text = text.as_bytes();
            if oracle(text).is_ok_and(|(_, c)| not_offered(&c.body)) {
                continue;
            }
            for at in 0..text.len() {
                let mut variants: Vec<Vec<u8>> = BYTES
                    .iter()
                    .map(|&b| {
                        let mut v = text.to_vec();
                        v[at] = b;
                        v
                    })
                    .collect();
                variants.push([&text[..at], &text[at + 1..]].concat());
                variants.push([&text[..=at], &text[at..]].concat());
                for v in variants {
                    tried += 1;
                    wrong.extend(agrees(&v).err());
                }
            }
        }
        assert!(tried > 50_000, "{tried}");
        assert!(
            wrong.is_empty(),
            "{} disagreements of {tried}:\n{}",
            wrong.len(),
            wrong[..wrong.len().min(40)].join("\n")
        );
    }
}
