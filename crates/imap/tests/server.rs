//! The IMAP server engine: an RFC 3501 §8-style session, refusals that teach,
//! literals and their limits, several sessions on one store, and every byte the
//! server sends checked with imap-codec's response decoder.
#![allow(clippy::unwrap_used)]

use mail_lab_proto::sorted::SortedSet;

use imap_codec::decode::{Decoder, GreetingDecodeError, ResponseDecodeError};
use imap_codec::{GreetingCodec, ResponseCodec};
use mail_lab_imap::{ImapBackend, ImapConfig, ImapServer};
use mail_lab_proto::{Engine, Output, Peer, Session, Time, TlsMode};
use mail_lab_store::{Flag, INBOX, Store};

const NOW: Time = Time::from_secs(1_775_034_000);

/// The tagged NO's text for a message another session expunged, not yet told.
const EXPUNGE_ISSUED: &str =
    "[EXPUNGEISSUED] Some of the requested messages no longer exist: another session expunged them";

struct Host {
    store: Store,
}

impl ImapBackend for Host {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        let address = if user.contains('@') { user.to_string() } else { format!("{user}@a.example") };
        self.store.account(&address).map(|a| (a.password.clone(), a.address.clone()))
    }
    fn store(&mut self) -> &mut Store {
        &mut self.store
    }
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Sender {n} <s{n}@b.example>\r\nTo: bob@a.example\r\nSubject: message {n}\r\nDate: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <{n}@b.example>\r\n\r\nbody of message {n}\r\n"
    )
    .into_bytes()
}

fn host(messages: usize) -> Host {
    let mut store = Store::new();
    store.add_account("bob@a.example", "bob-pw").unwrap();
    for n in 1..=messages {
        let flags = if n < 3 { SortedSet::from([Flag::Seen]) } else { SortedSet::new() };
        store.append("bob@a.example", INBOX, message(n), flags, NOW, None).unwrap();
    }
    store.create_folder("bob@a.example", "Trash").unwrap();
    store.set_special_use("bob@a.example", "Trash", "\\Trash").unwrap();
    Host { store }
}

/// Every byte of `out` must be greeting/responses imap-codec accepts.
fn assert_valid_imap(out: &[u8], greeting: bool) {
    // imap-codec reads no LIST-EXTENDED data items yet: CHILDINFO (known answers in
    // `list_extended_patterns_recursivematch_and_lsub_superiors`) comes off first.
    let stripped = std::str::from_utf8(out)
        .map(|text| text.replace(" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", "\r\n").into_bytes())
        .unwrap_or_else(|_| out.to_vec());
    let out = &stripped[..];
    let mut rest = out;
    if greeting {
        match GreetingCodec::default().decode(rest) {
            Ok((r, _)) => rest = r,
            Err(GreetingDecodeError::Incomplete | GreetingDecodeError::Failed) => {
                panic!("bad greeting {:?}", String::from_utf8_lossy(out))
            }
        }
    }
    while !rest.is_empty() {
        // imap-codec has no ESEARCH yet (RFC 4731); those lines are checked by
        // exact known answers in `esearch_and_searchres`.
        if rest.starts_with(b"* ESEARCH ") {
            let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            rest = &rest[end + 2..];
            continue;
        }
        match ResponseCodec::default().decode(rest) {
            Ok((r, _)) => rest = r,
            Err(
                e @ (ResponseDecodeError::Incomplete
                | ResponseDecodeError::Failed
                | ResponseDecodeError::LiteralFound { .. }),
            ) => {
                panic!("imap-codec rejects {:?}: {e:?}", String::from_utf8_lossy(rest))
            }
        }
    }
}

struct Client {
    server: ImapServer,
    controls: Vec<Output>,
}

impl Client {
    fn open(host: &mut Host, config: ImapConfig, id: &str) -> (Client, String) {
        let mut server = ImapServer::new(config, Peer { address: "192.0.2.10".into(), session_id: id.into() });
        server.open(host, NOW);
        let mut c = Client { server, controls: Vec::new() };
        let greeting = c.take(true);
        (c, greeting)
    }

    fn take(&mut self, greeting: bool) -> String {
        let mut bytes = Vec::new();
        while let Some(o) = self.server.poll_output() {
            match o {
                Output::Bytes(b) => bytes.extend_from_slice(&b),
                other => self.controls.push(other),
            }
        }
        assert_valid_imap(&bytes, greeting);
        String::from_utf8(bytes).unwrap()
    }

    /// Send bytes and take everything the server answers, slices of a long
    /// FETCH included (a driver resumes a busy session until it is done).
    fn send(&mut self, host: &mut Host, bytes: &str) -> String {
        self.server.receive(bytes.as_bytes(), host, NOW);
        while self.server.is_busy() {
            self.server.resume(host, NOW);
        }
        self.take(false)
    }

    fn line(&mut self, host: &mut Host, line: &str) -> String {
        self.send(host, &format!("{line}\r\n"))
    }

    /// Marks message `n` \Deleted and expunges it, as another session would.
    fn expunge_message(&mut self, host: &mut Host, n: u32) {
        self.line(host, &format!("x{n} STORE {n} +FLAGS.SILENT (\\Deleted)"));
        self.line(host, &format!("y{n} EXPUNGE"));
    }

    /// `tag APPEND mailbox` with `message` as a non-synchronizing literal.
    fn append(&mut self, host: &mut Host, tag: &str, mailbox: &str, message: &str) -> String {
        self.send(host, &format!("{tag} APPEND {mailbox} {{{}+}}\r\n{message}\r\n", message.len()))
    }
}

fn config() -> ImapConfig {
    let mut c = ImapConfig::new("mail.a.example");
    c.tls = TlsMode::Unavailable;
    c
}

fn logged_in(host: &mut Host) -> Client {
    let (mut c, _) = Client::open(host, config(), "1");
    assert!(c.line(host, "a0 LOGIN bob bob-pw").contains("a0 OK [CAPABILITY "));
    c
}

#[test]
fn rfc3501_style_sample_session() {
    let mut h = host(18);
    let (mut c, greeting) = Client::open(&mut h, config(), "1");
    assert!(greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "), "{greeting}");
    assert!(greeting.ends_with("] mail.a.example IMAP4rev2 Mail Lab ready\r\n"));
    assert!(c.line(&mut h, "a001 login bob bob-pw").starts_with("a001 OK [CAPABILITY "));
    let select = c.line(&mut h, "a002 select inbox");
    assert_eq!(
        select,
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n\
         * 18 EXISTS\r\n* 18 RECENT\r\n* OK [UNSEEN 3] First unseen message\r\n\
         * OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 19] Predicted next UID\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n"
    );
    let full = c.line(&mut h, "a003 fetch 12 full");
    assert!(full.starts_with("* 12 FETCH (INTERNALDATE \" 1-Apr-2026 09:00:00 +0000\" RFC822.SIZE "), "{full}");
    assert!(full.contains(
        " ENVELOPE (\"Wed, 1 Apr 2026 09:00:00 +0000\" \"message 12\" ((\"Sender 12\" NIL \"s12\" \"b.example\"))"
    ));
    assert!(full.contains(" BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 1) FLAGS (\\Recent))\r\na003 OK FETCH completed\r\n"), "{full}");
    let header = c.line(&mut h, "a004 fetch 12 body[header]");
    let expected_header = "From: Sender 12 <s12@b.example>\r\nTo: bob@a.example\r\nSubject: message 12\r\nDate: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <12@b.example>\r\n\r\n";
    assert_eq!(
        header,
        format!(
            "* 12 FETCH (BODY[HEADER] {{{}}}\r\n{expected_header} FLAGS (\\Seen \\Recent))\r\na004 OK FETCH completed\r\n",
            expected_header.len()
        )
    );
    assert_eq!(
        c.line(&mut h, "a005 store 12 +flags \\deleted"),
        "* 12 FETCH (FLAGS (\\Seen \\Deleted \\Recent))\r\na005 OK STORE completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a006 logout"), "* BYE Logging out\r\na006 OK LOGOUT completed\r\n");
    assert_eq!(c.controls, vec![Output::Close]);
    let m12 = &h.store.folder("bob@a.example", INBOX).unwrap().messages[11];
    assert_eq!(m12.flags, SortedSet::from([Flag::Seen, Flag::Deleted]));
}

/// RFC 9051 §8's sample session, as this server answers it: STARTTLS first
/// (LOGINDISABLED until then), AUTHENTICATE (PLAIN with SASL-IR here; the RFC
/// shows SCRAM), ENABLE IMAP4rev2, then SELECT, FETCH FULL, BODY[HEADER],
/// STORE and LOGOUT with no \Recent anywhere, as IMAP4rev2 has none.
#[test]
fn rfc9051_sample_session() {
    let mut h = host(18);
    let mut cfg = ImapConfig::new("mail.a.example");
    cfg.plaintext_requires_tls = true;
    let (mut c, greeting) = Client::open(&mut h, cfg, "1");
    assert!(
        greeting.contains(" STARTTLS LOGINDISABLED AUTH=CRAM-MD5] mail.a.example IMAP4rev2 Mail Lab ready\r\n"),
        "{greeting}"
    );
    assert_eq!(c.line(&mut h, "a000 starttls"), "a000 OK Begin TLS negotiation now\r\n");
    assert_eq!(c.controls, vec![Output::StartTls]);
    // bob / bob-pw as SASL PLAIN with an initial response (RFC 4959).
    let auth = c.line(&mut h, "A001 AUTHENTICATE PLAIN AGJvYgBib2ItcHc=");
    assert!(auth.starts_with("A001 OK [CAPABILITY IMAP4rev1 IMAP4rev2 ") && !auth.contains("STARTTLS"), "{auth}");
    assert_eq!(c.line(&mut h, "a001 enable IMAP4rev2"), "* ENABLED IMAP4rev2\r\na001 OK ENABLE completed\r\n");
    assert_eq!(
        c.line(&mut h, "a002 select inbox"),
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n\
         * 18 EXISTS\r\n* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 19] Predicted next UID\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n"
    );
    let full = c.line(&mut h, "a003 fetch 12 full");
    assert!(full.starts_with("* 12 FETCH (INTERNALDATE \" 1-Apr-2026 09:00:00 +0000\" RFC822.SIZE "), "{full}");
    assert!(full.contains(" BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 1) FLAGS ())\r\na003 OK FETCH completed\r\n"), "{full}");
    let header = c.line(&mut h, "a004 fetch 12 body[header]");
    assert!(header.starts_with("* 12 FETCH (BODY[HEADER] {"), "{header}");
    assert!(header.ends_with("\r\n\r\n FLAGS (\\Seen))\r\na004 OK FETCH completed\r\n"), "{header}");
    assert_eq!(
        c.line(&mut h, "a005 store 12 +flags \\deleted"),
        "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK STORE completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a006 logout"), "* BYE Logging out\r\na006 OK LOGOUT completed\r\n");
    assert_eq!(c.controls, vec![Output::StartTls, Output::Close]);
}

#[test]
fn refusals_say_what_was_expected() {
    let mut h = host(1);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    let rows = [
        (
            "a1 FETCH 1 FLAGS",
            "a1 BAD FETCH is not valid in the not authenticated state: log in first (LOGIN or AUTHENTICATE). Valid now: LOGIN AUTHENTICATE STARTTLS CAPABILITY NOOP LOGOUT ID\r\n",
        ),
        ("CAPABILITY", "* BAD Every command needs a tag first, e.g.: a1 CAPABILITY\r\n"),
        ("a2 LOGIN bob", "a2 BAD LOGIN needs a user name and a password: a2 LOGIN bob bob-pw\r\n"),
        ("a3 LOGIN bob wrong", "a3 NO [AUTHENTICATIONFAILED] Invalid user name or password\r\n"),
        (
            "a4 XYZZY",
            "a4 BAD Unknown command XYZZY; valid now: LOGIN AUTHENTICATE STARTTLS CAPABILITY NOOP LOGOUT ID\r\n",
        ),
        ("a5", "a5 BAD Missing command after the tag, e.g.: a5 CAPABILITY\r\n"),
    ];
    for (line, expected) in rows {
        assert_eq!(c.line(&mut h, line), expected, "{line}");
    }
    c.line(&mut h, "a6 LOGIN bob bob-pw");
    let rows = [
        ("b1 SELECT", "b1 BAD SELECT needs a mailbox name: b1 SELECT INBOX\r\n"),
        (
            "b2 FETCH 1 FLAGS",
            "b2 BAD FETCH is not valid in the authenticated state: SELECT a mailbox first. Valid now: SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE UNSUBSCRIBE LIST LSUB STATUS APPEND NAMESPACE ENABLE IDLE CAPABILITY NOOP LOGOUT ID\r\n",
        ),
        (
            "b2u UID FETCH 1 FLAGS",
            "b2u BAD FETCH is not valid in the authenticated state: SELECT a mailbox first. Valid now: SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE UNSUBSCRIBE LIST LSUB STATUS APPEND NAMESPACE ENABLE IDLE CAPABILITY NOOP LOGOUT ID\r\n",
        ),
        ("b3 SELECT Nowhere", "b3 NO [NONEXISTENT] No mailbox Nowhere\r\n"),
        (
            "b4 FETCH",
            "b4 BAD FETCH needs a sequence set and items: b4 FETCH 1:* (FLAGS ENVELOPE)  or  b4 FETCH 1 BODY[TEXT]\r\n",
        ),
        ("b5 STORE 1 flags", "b5 BAD STORE needs a sequence set, an action and flags: b5 STORE 1 +FLAGS (\\Seen)\r\n"),
    ];
    for (line, expected) in rows {
        assert_eq!(c.line(&mut h, line), expected, "{line}");
    }
    // The session is still usable after every refusal.
    assert!(c.line(&mut h, "b6 SELECT INBOX").ends_with("b6 OK [READ-WRITE] SELECT completed\r\n"));
    // One malformed form of every command with arguments: BAD with the form, in the learner's tag.
    let rows = [
        ("c1 EXAMINE", "c1 BAD EXAMINE needs a mailbox name: c1 EXAMINE INBOX"),
        ("c2 CREATE", "c2 BAD CREATE needs a mailbox name: c2 CREATE Projects"),
        ("c3 DELETE", "c3 BAD DELETE needs a mailbox name: c3 DELETE Projects"),
        ("c4 RENAME x", "c4 BAD RENAME needs two mailbox names: c4 RENAME Projects Archive"),
        ("c5 SUBSCRIBE", "c5 BAD SUBSCRIBE needs a mailbox name: c5 SUBSCRIBE Projects"),
        ("c6 UNSUBSCRIBE", "c6 BAD UNSUBSCRIBE needs a mailbox name: c6 UNSUBSCRIBE Projects"),
        ("c7 LIST \"\"", "c7 BAD LIST needs a reference and a pattern: c7 LIST \"\" \"*\""),
        ("c8 LSUB", "c8 BAD LSUB needs a reference and a pattern: c8 LSUB \"\" \"*\""),
        ("c9 STATUS INBOX (FOO)", "c9 BAD STATUS needs a mailbox and items: c9 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)"),
        ("d1 STATUS INBOX ()", "d1 BAD STATUS needs at least one item, e.g.: d1 STATUS INBOX (MESSAGES UNSEEN)"),
        (
            "d2 STATUS INBOX (MESSAGES DELETED-STORAGE)",
            "d2 BAD DELETED-STORAGE belongs to QUOTA (RFC 9208), which this server does not offer",
        ),
        (
            "d1 APPEND INBOX",
            "d1 BAD APPEND needs a mailbox and a literal: d1 APPEND INBOX (\\Seen) {5}  then the 5 octets",
        ),
        ("d2 SEARCH FROBNICATE", "d2 BAD SEARCH needs criteria: d2 SEARCH UNSEEN FROM alice"),
        ("d3 COPY 1", "d3 BAD COPY needs a sequence set and a mailbox: d3 COPY 1:3 Archive"),
        ("d4 MOVE", "d4 BAD MOVE needs a sequence set and a mailbox: d4 MOVE 1 Trash"),
        ("d5 UID", "d5 BAD UID needs a command: d5 UID FETCH 1:* FLAGS  or  d5 UID SEARCH ALL"),
        ("d6 UID STORE 1", "d6 BAD STORE needs a sequence set, an action and flags: d6 STORE 1 +FLAGS (\\Seen)"),
        ("d7 ENABLE", "d7 BAD ENABLE needs capability names: d7 ENABLE IMAP4rev2"),
        ("d8 NOOP now", "d8 BAD NOOP (no arguments): d8 NOOP"),
        ("d9 EXPUNGE 1", "d9 BAD EXPUNGE (no arguments): d9 EXPUNGE"),
        ("e1 CLOSE x", "e1 BAD CLOSE (no arguments): e1 CLOSE"),
        ("e2 UNSELECT x", "e2 BAD UNSELECT (no arguments): e2 UNSELECT"),
        ("e3 IDLE x", "e3 BAD IDLE (no arguments): e3 IDLE, and later DONE"),
        ("e4 CHECK x", "e4 BAD CHECK (no arguments): e4 CHECK"),
        ("e5 NAMESPACE x", "e5 BAD NAMESPACE (no arguments): e5 NAMESPACE"),
        (
            "e6 FETCH 1 (FLAGS",
            "e6 BAD FETCH needs a sequence set and items: e6 FETCH 1:* (FLAGS ENVELOPE)  or  e6 FETCH 1 BODY[TEXT]",
        ),
    ];
    for (line, expected) in rows {
        assert_eq!(c.line(&mut h, line), format!("{expected}\r\n"), "{line}");
    }
    assert!(c.line(&mut h, "e7 NOOP").ends_with("e7 OK NOOP completed\r\n"), "still usable");
}

#[test]
fn literals_continue_and_oversized_ones_cost_nothing() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    assert_eq!(c.line(&mut h, "a1 APPEND INBOX (\\Flagged) {23}"), "+ Ready for literal data\r\n");
    assert_eq!(c.send(&mut h, "Subject: appended\r\n\r\nhi"), "");
    assert_eq!(c.send(&mut h, "\r\n"), "a1 OK [APPENDUID 1 1] APPEND completed\r\n");
    let stored = &h.store.folder("bob@a.example", INBOX).unwrap().messages[0];
    assert_eq!(&stored.raw[..], b"Subject: appended\r\n\r\nhi");
    assert!(stored.flags.contains(&Flag::Flagged));
    // LITERAL+: no continuation request.
    assert_eq!(c.send(&mut h, "a2 APPEND INBOX {3+}\r\nabc\r\n"), "a2 OK [APPENDUID 1 2] APPEND completed\r\n");
    // A 4 GB literal is refused before anything is allocated.
    assert_eq!(
        c.line(&mut h, "a3 APPEND INBOX {4294967295}"),
        "a3 NO [TOOBIG] Literal of 4294967295 octets is larger than this server accepts (16777216 octets)\r\n"
    );
    // A refused non-synchronising literal's octets are skipped, not run as commands.
    let mut small = config();
    small.max_literal = 4;
    let (mut c2, _) = Client::open(&mut h, small, "2");
    c2.line(&mut h, "x LOGIN bob bob-pw");
    let out = c2.send(&mut h, "a4 APPEND INBOX {10+}\r\nb1 LOGOUT\r\n\r\nb2 NOOP\r\n");
    assert_eq!(
        out,
        "a4 NO [TOOBIG] Literal of 10 octets is larger than this server accepts (4 octets)\r\nb2 OK NOOP completed\r\n"
    );
    assert_eq!(h.store.folder("bob@a.example", INBOX).unwrap().messages.len(), 2);
    // A line without end never grows past the limit.
    let out = c.send(&mut h, &"x".repeat(20_000));
    assert_eq!(out, "* BAD Line too long: commands are limited to 8192 octets outside literals\r\n");
    // The rest of that line is still part of it: dropped, not run.
    assert_eq!(c.send(&mut h, "xx a6 LOGOUT\r\n"), "");
    assert_eq!(c.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
}

#[test]
fn a_bad_line_split_across_reads_gets_one_bad_and_its_literal_is_not_run() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    // 8-bit octets make the line fail before it ends; the rest arrives later.
    assert_eq!(c.send(&mut h, "a4 SRENAMG\u{b1} UN"), "");
    let out = c.send(&mut h, "SEEN FROM x\r\n");
    assert_eq!(out.matches("BAD").count(), 1, "{out}");
    assert!(out.starts_with("a4 BAD "), "{out}");
    // A failing command with a non-synchronising literal: its octets are skipped
    // even when they arrive after the BAD, and never run as a command.
    let out = c.send(&mut h, "a5 APPEND INBOX (\\Bogus\u{b1}) {9+}\r\nb1 LOG");
    assert!(out.starts_with("a5 BAD "), "{out}");
    assert_eq!(c.send(&mut h, "OUT\r\n\r\n"), "");
    assert_eq!(c.line(&mut h, "a6 NOOP"), "a6 OK NOOP completed\r\n");
    assert_eq!(h.store.folder("bob@a.example", INBOX).unwrap().messages.len(), 1);
}

#[test]
fn fetch_with_an_empty_item_list_is_refused() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    let out = c.line(&mut h, "a2 FETCH 1 ()");
    assert!(out.starts_with("a2 BAD FETCH needs at least one data item"), "{out}");
}

#[test]
fn fetch_partial_peek_and_seen() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    assert_eq!(
        c.line(&mut h, "a2 FETCH 3 (BODY.PEEK[TEXT]<0.4>)"),
        "* 3 FETCH (BODY[TEXT]<0> {4}\r\nbody)\r\na2 OK FETCH completed\r\n"
    );
    assert!(
        !h.store.folder("bob@a.example", INBOX).unwrap().messages[2].flags.contains(&Flag::Seen),
        "PEEK leaves \\Seen alone"
    );
    assert_eq!(
        c.line(&mut h, "a3 UID FETCH 3 (BODY[1])"),
        "* 3 FETCH (UID 3 BODY[1] {19}\r\nbody of message 3\r\n FLAGS (\\Seen \\Recent))\r\na3 OK UID FETCH completed\r\n"
    );
    assert!(h.store.folder("bob@a.example", INBOX).unwrap().messages[2].flags.contains(&Flag::Seen));
    let hf = c.line(&mut h, "a4 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    assert_eq!(
        hf,
        "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {22}\r\nSubject: message 1\r\n\r\n)\r\na4 OK FETCH completed\r\n"
    );
    let all = c.line(&mut h, "a5 FETCH 1:* (UID FLAGS RFC822.SIZE)");
    assert_eq!(all.matches(" FETCH (UID ").count(), 3);
}

#[test]
fn search_store_copy_move_expunge() {
    let mut h = host(5);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    assert_eq!(c.line(&mut h, "a2 SEARCH UNSEEN"), "* SEARCH 3 4 5\r\na2 OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a3 SEARCH FROM \"Sender 4\""), "* SEARCH 4\r\na3 OK SEARCH completed\r\n");
    assert_eq!(
        c.line(&mut h, "a4 SEARCH OR SUBJECT \"message 1\" BODY \"of message 5\""),
        "* SEARCH 1 5\r\na4 OK SEARCH completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a5 UID SEARCH NOT SEEN UID 4:*"), "* SEARCH 4 5\r\na5 OK UID SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a6 SEARCH TEXT nothing-like-this"), "* SEARCH\r\na6 OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a7 STORE 1:2 +FLAGS.SILENT (\\Deleted)"), "a7 OK STORE completed\r\n");
    assert_eq!(c.line(&mut h, "a8 COPY 3 Trash"), "a8 OK [COPYUID 2 3 1] COPY completed\r\n");
    assert_eq!(
        c.line(&mut h, "a9 MOVE 5 Trash"),
        "* OK [COPYUID 2 5 2] Moved\r\n* 5 EXPUNGE\r\na9 OK MOVE completed\r\n"
    );
    assert_eq!(c.line(&mut h, "b1 UID EXPUNGE 2"), "* 2 EXPUNGE\r\nb1 OK UID EXPUNGE completed\r\n");
    assert_eq!(c.line(&mut h, "b2 EXPUNGE"), "* 1 EXPUNGE\r\nb2 OK EXPUNGE completed\r\n");
    let inbox: Vec<u32> = h.store.folder("bob@a.example", INBOX).unwrap().messages.iter().map(|m| m.uid).collect();
    assert_eq!(inbox, [3, 4]);
    assert_eq!(h.store.folder("bob@a.example", "Trash").unwrap().messages.len(), 2);
    assert_eq!(
        c.line(&mut h, "b3 STATUS Trash (MESSAGES UIDNEXT UNSEEN)"),
        "* STATUS Trash (MESSAGES 2 UIDNEXT 3 UNSEEN 2)\r\nb3 OK STATUS completed\r\n"
    );
    // Several UIDs: both sets as ranges, paired in order (RFC 4315 §3).
    assert_eq!(c.line(&mut h, "b4 UID COPY 3:4 Trash"), "b4 OK [COPYUID 2 3:4 3:4] UID COPY completed\r\n");
}

/// RFC 9051 §6.4.3's example: messages 3, 4, 7 and 11 deleted; each EXPUNGE
/// counts the ones sent before it. A second session hears the same numbers.
#[test]
fn expunge_numbers_follow_the_rfc_example() {
    let mut h = host(11);
    let mut c = logged_in(&mut h);
    let mut other = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    other.line(&mut h, "o1 SELECT INBOX");
    assert_eq!(c.line(&mut h, "a2 STORE 3:4,7,11 +FLAGS.SILENT (\\Deleted)"), "a2 OK STORE completed\r\n");
    let expected = "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\n";
    assert_eq!(c.line(&mut h, "a3 EXPUNGE"), format!("{expected}a3 OK EXPUNGE completed\r\n"));
    let heard = other.line(&mut h, "o2 NOOP");
    assert!(heard.starts_with(expected), "{heard}");
    assert_eq!(c.line(&mut h, "a4 UID SEARCH ALL"), "* SEARCH 1 2 5 6 8 9 10\r\na4 OK UID SEARCH completed\r\n");
}

#[test]
fn mailboxes_create_list_rename_delete() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    assert_eq!(c.line(&mut h, "a1 CREATE Projects/2026"), "a1 OK CREATE completed\r\n");
    c.line(&mut h, "a2 CREATE Projects");
    assert_eq!(
        c.line(&mut h, "a3 LIST \"\" \"*\""),
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasChildren) \"/\" Projects\r\n* LIST (\\HasNoChildren) \"/\" Projects/2026\r\n* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\na3 OK LIST completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a4 LIST \"\" \"%\"").matches("* LIST").count(), 3, "% stops at the delimiter");
    assert_eq!(c.line(&mut h, "a5 LIST \"\" \"\""), "* LIST (\\Noselect) \"/\" \"\"\r\na5 OK LIST completed\r\n");
    assert_eq!(c.line(&mut h, "a6 RENAME Projects/2026 Archive"), "a6 OK RENAME completed\r\n");
    assert_eq!(c.line(&mut h, "a7 CREATE Archive"), "a7 NO [ALREADYEXISTS] folder Archive already exists\r\n");
    assert_eq!(c.line(&mut h, "a8 DELETE INBOX"), "a8 NO [CANNOT] INBOX cannot be deleted\r\n");
    c.line(&mut h, "a9 UNSUBSCRIBE Archive");
    assert!(!c.line(&mut h, "b1 LSUB \"\" \"*\"").contains("Archive"));
    assert_eq!(c.line(&mut h, "b2 NAMESPACE"), "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nb2 OK NAMESPACE completed\r\n");
}

#[test]
fn another_session_changes_show_up_and_idle_pushes_them() {
    let mut h = host(1);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    b.line(&mut h, "b2 APPEND INBOX {3}");
    b.send(&mut h, "new\r\n");
    // The new message is \Recent only in b, the first session told of it; a keeps its own.
    assert_eq!(a.line(&mut h, "a2 NOOP"), "* 2 EXISTS\r\n* 1 RECENT\r\na2 OK NOOP completed\r\n");
    b.line(&mut h, "b3 STORE 1 +FLAGS (\\Flagged)");
    assert_eq!(
        a.line(&mut h, "a3 NOOP"),
        "* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged \\Recent))\r\na3 OK NOOP completed\r\n"
    );
    b.line(&mut h, "b4 STORE 1 +FLAGS (\\Deleted)");
    b.line(&mut h, "b5 EXPUNGE");
    // No EXPUNGE during a non-UID FETCH (RFC 9051 §7.5.1): the FETCH sees the old numbers.
    let during = a.line(&mut h, "a4 FETCH 2 (UID)");
    assert_eq!(during, "* 2 FETCH (UID 2)\r\na4 OK FETCH completed\r\n");
    assert_eq!(a.line(&mut h, "a5 NOOP"), "* 1 EXPUNGE\r\na5 OK NOOP completed\r\n");
    // IDLE: pushed without a command.
    assert_eq!(a.line(&mut h, "a6 IDLE"), "+ idling\r\n");
    b.line(&mut h, "b6 APPEND INBOX {3}");
    b.send(&mut h, "two\r\n");
    a.server.wake(&mut h, NOW);
    // uid 1 (a's recent one) is gone, and b was told of the new one first.
    assert_eq!(a.take(false), "* 2 EXISTS\r\n* 0 RECENT\r\n");
    assert_eq!(a.line(&mut h, "DONE"), "a6 OK IDLE terminated\r\n");
}

#[test]
fn copy_and_move_read_numbers_as_the_client_knows_them() {
    // Another session expunged message 1; until this one is told, "2" is still UID 2
    // (RFC 9051 §7.5.1). Copying UID 3 instead was the bug.
    let mut h = host(4);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    b.expunge_message(&mut h, 1);
    // UID SEARCH with a sequence set among its keys: the client's numbers too.
    assert_eq!(a.line(&mut h, "a2 UID SEARCH 2"), "* SEARCH 2\r\na2 OK UID SEARCH completed\r\n");
    // COPY 2 copies UID 2; the expunge held back while the numbers were read is told
    // before the tagged answer (RFC 2180 §4.4: it "MUST be returned to the COPY command").
    assert_eq!(a.line(&mut h, "a3 COPY 2 Trash"), "* 1 EXPUNGE\r\na3 OK [COPYUID 2 2 1] COPY completed\r\n");
    assert_eq!(h.store.folder("bob@a.example", "Trash").unwrap().messages[0].raw.to_vec(), message(2));
    // a now holds UIDs 2, 3, 4. b expunges UID 2; MOVE 3 is still UID 4, not "past the last one".
    b.expunge_message(&mut h, 1);
    assert_eq!(
        a.line(&mut h, "a4 MOVE 3 Trash"),
        "* OK [COPYUID 2 4 2] Moved\r\n* 3 EXPUNGE\r\n* 1 EXPUNGE\r\na4 OK MOVE completed\r\n"
    );
    assert_eq!(a.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
    assert_eq!(a.line(&mut h, "a6 FETCH 1:* (UID)"), "* 1 FETCH (UID 3)\r\na6 OK FETCH completed\r\n");
}

#[test]
fn imap4rev2_says_closed_when_a_select_replaces_another() {
    // RFC 9051 §6.3.2: [CLOSED] first, whether the new mailbox opens or not. An
    // IMAP4rev1 session without QRESYNC is not sent it.
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    assert!(c.line(&mut h, "a2 EXAMINE Trash").starts_with("* FLAGS "));
    c.line(&mut h, "a3 ENABLE IMAP4rev2");
    let closed = "* OK [CLOSED] Previous mailbox is now closed\r\n";
    let again = c.line(&mut h, "a4 SELECT INBOX");
    assert!(again.starts_with(&format!("{closed}* FLAGS ")), "{again}");
    assert!(!again.contains("[UNSEEN "), "IMAP4rev2 has no UNSEEN on SELECT: {again}");
    assert_eq!(c.line(&mut h, "a5 SELECT nothere"), format!("{closed}a5 NO [NONEXISTENT] No mailbox nothere\r\n"));
    assert!(c.line(&mut h, "a6 SELECT INBOX").starts_with("* FLAGS "), "nothing was selected");
}

#[test]
fn logindisabled_until_starttls_and_authenticate_plain() {
    let mut h = host(0);
    let mut cfg = ImapConfig::new("mail.a.example");
    cfg.plaintext_requires_tls = true;
    let (mut c, greeting) = Client::open(&mut h, cfg, "1");
    assert!(greeting.contains(" STARTTLS LOGINDISABLED "), "{greeting}");
    assert_eq!(
        c.line(&mut h, "a1 LOGIN bob bob-pw"),
        "a1 NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS: the password would cross the network in the clear\r\n"
    );
    assert_eq!(
        c.send(&mut h, "a2 STARTTLS\r\na3 LOGIN bob bob-pw\r\n"),
        "a2 OK Begin TLS negotiation now\r\n",
        "pipelined LOGIN is dropped"
    );
    assert_eq!(c.controls, vec![Output::StartTls]);
    assert_eq!(c.line(&mut h, "a4 AUTHENTICATE PLAIN"), "+ \r\n");
    assert!(c.line(&mut h, "AGJvYgBib2ItcHc=").starts_with("a4 OK [CAPABILITY "));
}

#[test]
fn sasl_data_that_is_no_credentials_fails_the_login_and_misuse_is_bad() {
    let mut h = host(0);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    // user NUL password: one NUL too few, a failed login like a wrong password.
    assert_eq!(
        c.line(&mut h, "a1 AUTHENTICATE PLAIN dXNlcgBwYXNz"),
        "a1 NO [AUTHENTICATIONFAILED] PLAIN response must be authzid NUL authcid NUL password\r\n"
    );
    assert_eq!(mail_lab_proto::Engine::failed_logins(&c.server), 1);
    // An initial response to CRAM-MD5, which takes none (RFC 9051 §6.2.2).
    assert_eq!(c.line(&mut h, "a2 AUTHENTICATE CRAM-MD5 dGlt"), "a2 BAD CRAM-MD5 takes no initial response\r\n");
    assert_eq!(mail_lab_proto::Engine::failed_logins(&c.server), 1);
}

#[test]
fn client_bytes_never_break_a_response() {
    // Found by the fuzzer: a NUL in an unknown verb was echoed into the BAD text.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    assert_eq!(
        c.send(&mut h, "a1 CRE\0 x\r\n"),
        "a1 BAD Unknown command CRE?; valid now: SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE UNSUBSCRIBE LIST LSUB STATUS APPEND NAMESPACE ENABLE IDLE CAPABILITY NOOP LOGOUT ID\r\n"
    );
    // Found by the fuzzer: an unknown LIST option with a NUL in it, likewise.
    assert_eq!(
        c.send(&mut h, "a2 LIST (SUBSCRIB\0ED) \"\" *\r\n"),
        "a2 BAD Unknown LIST selection option SUBSCRIB?ED\r\n"
    );
    assert_eq!(
        c.send(&mut h, "SELECT \u{e9}\u{7f}\r\n"),
        "* BAD Every command needs a tag first, e.g.: a1 SELECT ??\r\n"
    );
}

#[test]
fn recent_belongs_to_the_first_session_and_examine_leaves_it() {
    let mut h = host(3); // 1 and 2 are \Seen, 3 is not
    let mut peek = logged_in(&mut h);
    let mut first = logged_in(&mut h);
    let mut second = logged_in(&mut h);
    assert_eq!(
        peek.line(&mut h, "p1 STATUS INBOX (MESSAGES RECENT)"),
        "* STATUS INBOX (MESSAGES 3 RECENT 3)\r\np1 OK STATUS completed\r\n"
    );
    // EXAMINE sees them as recent but must not take \Recent away (RFC 3501 §6.3.2).
    assert!(peek.line(&mut h, "p2 EXAMINE INBOX").contains("* 3 RECENT\r\n"));
    assert!(first.line(&mut h, "f1 SELECT INBOX").contains("* 3 EXISTS\r\n* 3 RECENT\r\n"));
    assert!(second.line(&mut h, "s1 SELECT INBOX").contains("* 3 EXISTS\r\n* 0 RECENT\r\n"));
    assert_eq!(
        peek.line(&mut h, "p3 STATUS INBOX (RECENT)"),
        "* STATUS INBOX (RECENT 0)\r\np3 OK STATUS completed\r\n"
    );
    assert_eq!(first.line(&mut h, "f2 SEARCH RECENT"), "* SEARCH 1 2 3\r\nf2 OK SEARCH completed\r\n");
    assert_eq!(first.line(&mut h, "f3 SEARCH NEW"), "* SEARCH 3\r\nf3 OK SEARCH completed\r\n", "NEW is RECENT UNSEEN");
    first.line(&mut h, "f4 STORE 3 +FLAGS.SILENT (\\Seen)");
    assert_eq!(first.line(&mut h, "f5 SEARCH NEW"), "* SEARCH\r\nf5 OK SEARCH completed\r\n");
    assert_eq!(
        second.line(&mut h, "s2 SEARCH OLD"),
        "* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n* SEARCH 1 2 3\r\ns2 OK SEARCH completed\r\n"
    );
    assert_eq!(second.line(&mut h, "s3 FETCH 1 FLAGS"), "* 1 FETCH (FLAGS (\\Seen))\r\ns3 OK FETCH completed\r\n");
    assert_eq!(
        first.line(&mut h, "f6 FETCH 1 FLAGS"),
        "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\nf6 OK FETCH completed\r\n"
    );
}

#[test]
fn an_imap4rev2_client_is_not_sent_recent() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    assert_eq!(c.line(&mut h, "e1 ENABLE IMAP4rev2"), "* ENABLED IMAP4rev2\r\ne1 OK ENABLE completed\r\n");
    let select = c.line(&mut h, "e2 SELECT INBOX");
    assert!(select.contains("* 1 EXISTS\r\n") && !select.contains("RECENT"), "{select}");
    assert_eq!(c.line(&mut h, "e3 FETCH 1 FLAGS"), "* 1 FETCH (FLAGS (\\Seen))\r\ne3 OK FETCH completed\r\n");
    // IMAP4rev2's SELECT carries the mailbox's LIST line (RFC 9051 §6.3.2).
    assert!(select.contains("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"), "{select}");
    c.line(&mut h, "e4 CREATE Trash/Old");
    let examine = c.line(&mut h, "e5 EXAMINE Trash");
    assert!(examine.contains("* LIST (\\HasChildren \\Trash) \"/\" Trash\r\n"), "{examine}");
}

#[test]
fn an_imap4rev1_select_has_no_list_line() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    assert!(!c.line(&mut h, "a1 SELECT INBOX").contains("* LIST"));
}

#[test]
fn a_message_with_no_header_field_is_still_all_there() {
    // mail-parser reads no message here; BODY[] is still every octet, as RFC822.SIZE says.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let appended = c.send(&mut h, "a1 APPEND INBOX {17+}\r\njust text\r\nmore\r\n\r\n");
    assert!(appended.contains("a1 OK"), "{appended}");
    assert!(c.send(&mut h, "a2 APPEND INBOX {0+}\r\n\r\n").contains("a2 OK"));
    c.line(&mut h, "a3 SELECT INBOX");
    assert_eq!(
        c.line(&mut h, "a4 FETCH 1 (RFC822.SIZE BODY.PEEK[] BINARY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT])"),
        "* 1 FETCH (RFC822.SIZE 17 BODY[] {17}\r\njust text\r\nmore\r\n BINARY[] ~{17}\r\njust text\r\nmore\r\n BODY[HEADER] {17}\r\njust text\r\nmore\r\n BODY[TEXT] {0}\r\n)\r\na4 OK FETCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "a5 FETCH 2 (RFC822.SIZE BODY.PEEK[])"),
        "* 2 FETCH (RFC822.SIZE 0 BODY[] {0}\r\n)\r\na5 OK FETCH completed\r\n"
    );
}

#[test]
fn binary_of_the_whole_message_is_the_whole_message() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let multipart = "Subject: m\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n";
    let one_part = "Subject: o\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n";
    for (tag, m) in [("a1", multipart), ("a2", one_part)] {
        assert!(c.append(&mut h, tag, "INBOX", m).contains("OK"));
    }
    c.line(&mut h, "a3 SELECT INBOX");
    let whole = c.line(&mut h, "a4 FETCH 1 (BINARY.PEEK[] BINARY.PEEK[1])");
    assert_eq!(
        whole,
        format!(
            "* 1 FETCH (BINARY[] ~{{{}}}\r\n{multipart} BINARY[1] ~{{2}}\r\nhi)\r\na4 OK FETCH completed\r\n",
            multipart.len()
        )
    );
    // One part: as stored, its header naming the encoding its body is in; BINARY[1] decodes.
    assert_eq!(
        c.line(&mut h, "a5 FETCH 2 (BINARY.PEEK[] BINARY.PEEK[1])"),
        format!(
            "* 2 FETCH (BINARY[] ~{{{}}}\r\n{one_part} BINARY[1] ~{{2}}\r\nhi)\r\na5 OK FETCH completed\r\n",
            one_part.len()
        )
    );
}

#[test]
fn binary_of_an_unknown_transfer_encoding_is_no_unknown_cte() {
    // RFC 3516 §4.3: a Content-Transfer-Encoding the server cannot undo is
    // `NO [UNKNOWN-CTE]`; the messages answered before it stand, and the one
    // refused is not marked \Seen.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let known = "Subject: k\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9\r\n";
    let unknown = "Subject: u\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 f\r\n";
    for (tag, m) in [("a1", known), ("a2", unknown)] {
        assert!(c.append(&mut h, tag, "INBOX", m).contains("OK"));
    }
    c.line(&mut h, "a3 SELECT INBOX");
    let refusal =
        "NO [UNKNOWN-CTE] BINARY cannot undo Content-Transfer-Encoding x-uuencode; BODY[] gives the part as it is\r\n";
    assert_eq!(
        c.line(&mut h, "a4 FETCH 1:2 (BINARY[1])"),
        format!("* 1 FETCH (BINARY[1] ~{{5}}\r\nh\u{e9}\r\n FLAGS (\\Seen \\Recent))\r\na4 {refusal}")
    );
    assert_eq!(c.line(&mut h, "a5 FETCH 2 (BINARY.SIZE[1])"), format!("a5 {refusal}"));
    assert_eq!(c.line(&mut h, "a6 FETCH 2 (FLAGS)"), "* 2 FETCH (FLAGS (\\Recent))\r\na6 OK FETCH completed\r\n");
    // BODY[1] is not decoded, so it has no such limit.
    assert!(c.line(&mut h, "a7 FETCH 2 (BODY.PEEK[1])").ends_with("a7 OK FETCH completed\r\n"));
}

#[test]
fn rename_creates_the_superiors_the_new_name_needs() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 CREATE z");
    assert_eq!(c.line(&mut h, "a2 RENAME z new/deep/q"), "a2 OK RENAME completed\r\n");
    assert_eq!(
        c.line(&mut h, "a3 LIST \"\" \"new*\""),
        "* LIST (\\HasChildren) \"/\" new\r\n* LIST (\\HasChildren) \"/\" new/deep\r\n* LIST (\\HasNoChildren) \"/\" new/deep/q\r\na3 OK LIST completed\r\n"
    );
    assert!(c.line(&mut h, "a4 SELECT new/deep").contains("a4 OK [READ-WRITE]"), "a real mailbox, not \\Noselect");
    assert!(!c.line(&mut h, "a5 LSUB \"\" \"*\"").contains("new/deep\r\n"), "created unsubscribed");
}

#[test]
fn append_keeps_the_clients_date_time_as_internal_date() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 APPEND INBOX (\\Seen) \" 5-Jan-2026 10:00:00 +0900\" {3}");
    assert!(c.send(&mut h, "old\r\n").contains("a1 OK [APPENDUID"));
    c.line(&mut h, "a2 SELECT INBOX");
    // Kept as the same instant, shown in UTC.
    assert_eq!(
        c.line(&mut h, "a3 FETCH 1 INTERNALDATE"),
        "* 1 FETCH (INTERNALDATE \" 5-Jan-2026 01:00:00 +0000\")\r\na3 OK FETCH completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a4 SEARCH BEFORE 6-Jan-2026"), "* SEARCH 1\r\na4 OK SEARCH completed\r\n");
}

#[test]
fn esearch_and_searchres() {
    let mut h = host(18);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    // Messages 1 and 2 are \Seen; 3..18 are not.
    assert_eq!(
        c.line(&mut h, "a2 SEARCH RETURN (MIN MAX COUNT) UNSEEN"),
        "* ESEARCH (TAG \"a2\") MIN 3 MAX 18 COUNT 16\r\na2 OK SEARCH completed\r\n"
    );
    // RETURN is a keyword like any other: any case (RFC 9051 §9).
    assert_eq!(
        c.line(&mut h, "a2 SEARCH Return (COUNT) UNSEEN"),
        "* ESEARCH (TAG \"a2\") COUNT 16\r\na2 OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "a3 UID SEARCH RETURN () ALL"),
        "* ESEARCH (TAG \"a3\") UID ALL 1:18\r\na3 OK UID SEARCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "a4 SEARCH RETURN (COUNT) SUBJECT nothing-like-this"),
        "* ESEARCH (TAG \"a4\") COUNT 0\r\na4 OK SEARCH completed\r\n"
    );
    // SAVE alone answers only OK; $ then stands for the saved messages.
    assert_eq!(c.line(&mut h, "a5 SEARCH RETURN (SAVE) SEEN"), "a5 OK SEARCH completed\r\n");
    assert_eq!(
        c.line(&mut h, "a6 FETCH $ (UID)"),
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\na6 OK FETCH completed\r\n"
    );
    // SAVE with MIN only keeps the smallest (RFC 5182 §2.1).
    assert_eq!(
        c.line(&mut h, "a7 UID SEARCH RETURN (SAVE MIN) UNSEEN"),
        "* ESEARCH (TAG \"a7\") UID MIN 3\r\na7 OK UID SEARCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "a8 UID FETCH $ (FLAGS)"),
        "* 3 FETCH (UID 3 FLAGS (\\Recent))\r\na8 OK UID FETCH completed\r\n"
    );
    // `$` is only a sequence set where one stands: inside a flag list it is the keyword `$`.
    let keyword = c.line(&mut h, "a9x STORE 1 +FLAGS ($)");
    assert!(
        keyword.starts_with("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $)\r\n")
            && keyword.contains("* 1 FETCH (FLAGS (")
            && keyword.contains(" $")
            && keyword.ends_with("a9x OK STORE completed\r\n"),
        "{keyword}"
    );
    // A new SELECT forgets it: $ is empty and matches nothing.
    c.line(&mut h, "a9 SELECT INBOX");
    assert_eq!(c.line(&mut h, "b1 FETCH $ (UID)"), "b1 OK FETCH completed\r\n");
    // With IMAP4rev2 enabled, a plain SEARCH answers ESEARCH too.
    c.line(&mut h, "b2 ENABLE IMAP4rev2");
    assert_eq!(c.line(&mut h, "b3 SEARCH SEEN"), "* ESEARCH (TAG \"b3\") ALL 1:2\r\nb3 OK SEARCH completed\r\n");
    // An unclosed RETURN list is the codec's to refuse, with the expected form.
    assert!(c.line(&mut h, "b4 SEARCH RETURN (MIN UNSEEN").starts_with("b4 BAD SEARCH needs criteria"));
    assert!(c.line(&mut h, "b5 NOOP").ends_with("b5 OK NOOP completed\r\n"), "still usable");
}

#[test]
fn search_return_without_a_list_gets_bad_and_nesting_is_bounded() {
    // Found by review: `RETURN é()` cut a string inside `é` (a panic, before
    // login too), and a lone `)` took a counter below zero.
    let mut h = host(1);
    let (mut c, _) = Client::open(&mut h, config(), "s1");
    assert!(c.line(&mut h, "a0 SEARCH RETURN \u{e9}() ALL").starts_with("a0 BAD "));
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    for line in ["a1 SEARCH RETURN \u{e9}() ALL", "a2 SEARCH RETURN ) ALL", "a3 SEARCH RETURN ALL"] {
        let tag = line.split(' ').next().unwrap_or_default();
        let answer = c.line(&mut h, line);
        assert!(answer.starts_with(&format!("{tag} BAD ")), "{line}: {answer}");
    }
    // Nesting is bounded: 4,000 lists deep is read to depth 8 and refused, not recursed into.
    let deep = format!("a4 SEARCH RETURN {}{} ALL", "(".repeat(4000), ")".repeat(4000));
    let answer = c.line(&mut h, &deep);
    assert!(answer.starts_with("a4 BAD Unknown SEARCH return option ((((((((") && answer.len() < 200, "{answer}");
    // An unknown return option is refused, as Dovecot does.
    assert_eq!(
        c.line(&mut h, "a6 SEARCH RETURN (COUNT FOO) ALL"),
        "a6 BAD Unknown SEARCH return option FOO; this server knows MIN MAX ALL COUNT SAVE\r\n"
    );
    assert_eq!(c.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
}

#[test]
fn search_return_options_before_a_literal() {
    // A client searching for non-ASCII text sends it as a literal; RETURN stands
    // before it (RFC 4731 §3), so it is read whether the literal waits for "+" or not.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let m = "Subject: =?UTF-8?B?5Lya6K2w?=\r\n\r\nx\r\n";
    c.append(&mut h, "a0", "INBOX", m);
    c.append(&mut h, "a1", "INBOX", "Subject: other\r\n\r\nx\r\n");
    c.line(&mut h, "a2 SELECT INBOX");
    assert_eq!(c.line(&mut h, "a3 SEARCH RETURN (COUNT) CHARSET UTF-8 SUBJECT {6}"), "+ Ready for literal data\r\n");
    assert_eq!(c.send(&mut h, "会議\r\n"), "* ESEARCH (TAG \"a3\") COUNT 1\r\na3 OK SEARCH completed\r\n");
    assert_eq!(
        c.send(&mut h, "a4 UID SEARCH RETURN (MIN MAX) SUBJECT {6+}\r\n会議 ALL\r\n"),
        "* ESEARCH (TAG \"a4\") UID MIN 1 MAX 1\r\na4 OK UID SEARCH completed\r\n"
    );
    // Options never outlive their command: a refused one leaves none to the next.
    let refused = c.send(&mut h, "a5 SEARCH RETURN (COUNT) NOSUCHKEY {6+}\r\n会議\r\n");
    assert!(refused.starts_with("a5 BAD"), "{refused}");
    assert_eq!(c.send(&mut h, "a6 SEARCH SUBJECT {6+}\r\n会議\r\n"), "* SEARCH 1\r\na6 OK SEARCH completed\r\n");
}

#[test]
fn dollar_is_the_saved_result_only_where_a_set_stands() {
    // RFC 5182 §2.2: `$` is a sequence set; as a key's argument or a mailbox it is text.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.append(&mut h, "a0", "INBOX", "Subject: costs $5\r\n\r\nx\r\n");
    c.append(&mut h, "a1", "INBOX", "Subject: plain\r\n\r\nx\r\n");
    c.append(&mut h, "a1b", "INBOX", "Subject: pay $ now\r\n\r\nx\r\n");
    c.line(&mut h, "a2 SELECT INBOX");
    assert_eq!(c.line(&mut h, "a3 SEARCH RETURN (SAVE) SUBJECT plain"), "a3 OK SEARCH completed\r\n");
    let found = |tag: &str, n: &str| format!("* SEARCH {n}\r\n{tag} OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a4 SEARCH SUBJECT $"), found("a4", "1 3"));
    assert_eq!(c.line(&mut h, "a5 SEARCH HEADER Subject $"), found("a5", "1 3"));
    assert_eq!(c.line(&mut h, "a6 SEARCH $"), found("a6", "2"));
    assert_eq!(c.line(&mut h, "a7 SEARCH NOT $"), found("a7", "1 3"));
    // In a parenthesised group too (RFC 5182 §2.2 lets `$` stand where a set does).
    assert_eq!(c.line(&mut h, "a7c SEARCH ($ ALL)"), found("a7c", "2"));
    assert_eq!(c.line(&mut h, "a7d SEARCH OR (SUBJECT pay) ($)"), found("a7d", "2 3"));
    assert_eq!(c.line(&mut h, "a7e SEARCH (SUBJECT $)"), found("a7e", "1 3"));
    // Inside a quoted string, a lone $ is text too.
    assert_eq!(c.line(&mut h, "a7b SEARCH SUBJECT \"pay $ now\""), found("a7b", "3"));
    assert!(c.line(&mut h, "a8 COPY 1 $").starts_with("a8 NO [TRYCREATE] "));
    c.line(&mut h, "a9 CREATE $");
    assert!(c.line(&mut h, "b1 COPY $ $").starts_with("b1 OK [COPYUID "));
    let copied = &h.store.folder("bob@a.example", "$").unwrap().messages;
    assert!(copied.len() == 1 && String::from_utf8_lossy(&copied[0].raw).contains("plain"));
}

#[test]
fn list_extended_selection_and_return_options() {
    let mut h = host(2);
    h.store.create_folder("bob@a.example", "Archive").unwrap();
    h.store.set_subscribed("bob@a.example", "Archive", false).unwrap();
    let mut c = logged_in(&mut h);
    assert!(c.line(&mut h, "a0 CAPABILITY").contains(" ESEARCH SEARCHRES LIST-EXTENDED LIST-STATUS"));
    let all = c.line(&mut h, "a1 LIST \"\" \"*\" RETURN (SUBSCRIBED)");
    assert!(all.contains("* LIST (\\HasNoChildren) \"/\" Archive\r\n"), "{all}");
    assert!(all.contains("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"), "{all}");
    let subscribed = c.line(&mut h, "a2 LIST (SUBSCRIBED) \"\" \"*\"");
    assert!(!subscribed.contains("Archive"), "{subscribed}");
    assert!(subscribed.contains("* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" Trash\r\n"), "{subscribed}");
    assert_eq!(
        c.line(&mut h, "a3 LIST (SPECIAL-USE) \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))"),
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n* STATUS Trash (MESSAGES 0 UNSEEN 0)\r\na3 OK LIST completed\r\n"
    );
    let status = c.line(&mut h, "a4 LIST \"\" INBOX RETURN (STATUS (MESSAGES UIDNEXT))");
    assert_eq!(
        status,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 2 UIDNEXT 3)\r\na4 OK LIST completed\r\n"
    );
}

#[test]
fn a_new_message_is_announced_before_a_fetch_names_it() {
    let mut h = host(1);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    assert!(b.send(&mut h, "b2 APPEND INBOX {5}\r\n").starts_with("+ "));
    b.send(&mut h, "hello\r\n");
    b.line(&mut h, "b3 STORE 2 +FLAGS (\\Flagged)");
    let heard = a.line(&mut h, "a2 NOOP");
    let exists = heard.find("* 2 EXISTS").unwrap_or_else(|| panic!("{heard}"));
    let fetch = heard.find("* 2 FETCH (UID 2 FLAGS (\\Flagged").unwrap_or_else(|| panic!("{heard}"));
    assert!(exists < fetch, "message 2 named before EXISTS announced it:\n{heard}");
}

#[test]
fn folders_whose_names_differ_in_case_are_different_folders() {
    let mut h = host(0);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 CREATE Proj");
    a.line(&mut h, "a2 CREATE proj");
    assert!(a.line(&mut h, "a3 SELECT Proj").contains("* 0 EXISTS"));
    b.send(&mut h, "b1 APPEND proj {5+}\r\nhello\r\n");
    assert_eq!(a.line(&mut h, "a4 NOOP"), "a4 OK NOOP completed\r\n", "an append to proj is not news on Proj");
    // COPY into the other-case folder is not a copy into the selected one.
    b.line(&mut h, "b2 SELECT proj");
    assert!(b.line(&mut h, "b3 COPY 1 Proj").contains("b3 OK [COPYUID "));
    assert!(a.line(&mut h, "a5 NOOP").contains("* 1 EXISTS"));
    // INBOX alone is the same in any case.
    assert!(a.line(&mut h, "a6 SELECT inbox").contains("a6 OK [READ-WRITE]"));
    b.send(&mut h, "b4 APPEND INBOX {5+}\r\nhello\r\n");
    assert!(a.line(&mut h, "a7 NOOP").contains("* 1 EXISTS"));
}

#[test]
fn a_session_whose_folder_is_deleted_is_told_bye_and_closed() {
    let mut h = host(0);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 CREATE Doomed");
    a.line(&mut h, "a2 SELECT Doomed");
    assert_eq!(b.line(&mut h, "b1 DELETE Doomed"), "b1 OK DELETE completed\r\n");
    let heard = a.line(&mut h, "a3 FETCH 1:* FLAGS");
    assert!(heard.starts_with("* BYE "), "{heard}");
    assert!(!heard.contains("a3 OK"), "nothing is served after BYE: {heard}");
    assert!(a.controls.contains(&Output::Close));
    assert!(a.server.is_closed());
    assert_eq!(a.line(&mut h, "a4 EXPUNGE"), "", "a closed session reads nothing more");
}

#[test]
fn a_new_keyword_is_announced_in_flags_before_it_is_shown() {
    let mut h = host(2);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    let select = a.line(&mut h, "a1 SELECT INBOX");
    assert!(select.contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"), "{select}");
    b.line(&mut h, "b1 SELECT INBOX");
    assert_eq!(
        a.line(&mut h, "a2 STORE 1 +FLAGS ($newkw)"),
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $newkw)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $newkw \\*)] Flags permitted\r\n\
         * 1 FETCH (FLAGS (\\Seen $newkw \\Recent))\r\na2 OK STORE completed\r\n"
    );
    // Known now: a second keyword store says nothing more about FLAGS.
    assert!(!a.line(&mut h, "a3 STORE 2 +FLAGS.SILENT ($newkw)").contains("* FLAGS"));
    // The other session hears FLAGS before the FETCH that uses the keyword.
    let heard = b.line(&mut h, "b2 NOOP");
    assert!(heard.starts_with("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $newkw)\r\n"), "{heard}");
    assert!(heard.contains("* 1 FETCH (UID 1 FLAGS (\\Seen $newkw))"), "{heard}");
    // A fresh SELECT lists it; EXAMINE permits no flag changes at all.
    let again = logged_in(&mut h).line(&mut h, "c1 SELECT INBOX");
    assert!(again.contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $newkw)\r\n"), "{again}");
    let examine = logged_in(&mut h).line(&mut h, "d1 EXAMINE INBOX");
    assert!(examine.contains("* OK [PERMANENTFLAGS ()] "), "{examine}");
}

#[test]
fn examine_refuses_every_change_and_move_but_allows_copy() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    c.line(&mut h, "a2 STORE 1 +FLAGS.SILENT (\\Deleted)");
    c.line(&mut h, "a3 EXAMINE INBOX");
    for (tag, command) in [
        ("b1", "STORE 3 +FLAGS (\\Seen)"),
        ("b2", "EXPUNGE"),
        ("b3", "UID EXPUNGE 1:*"),
        ("b4", "MOVE 1:* Trash"),
        ("b5", "UID MOVE 1 Trash"),
    ] {
        let answer = c.line(&mut h, &format!("{tag} {command}"));
        assert_eq!(answer, format!("{tag} NO [READ-ONLY] The mailbox was opened with EXAMINE\r\n"), "{command}");
    }
    // COPY changes only the target, which EXAMINE does not guard (RFC 9051 §6.4.7).
    assert!(c.line(&mut h, "b6 COPY 1 Trash").contains("b6 OK [COPYUID "));
    let inbox = h.store.folder("bob@a.example", INBOX).unwrap();
    assert_eq!(inbox.messages.len(), 3, "nothing left the examined mailbox");
    assert!(!inbox.message(3).unwrap().flags.contains(&Flag::Seen));
    assert_eq!(h.store.folder("bob@a.example", "Trash").unwrap().messages.len(), 1);
}

#[test]
fn an_extension_the_server_does_not_offer_is_an_unknown_command_in_every_state() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    for (tag, command) in [("a1", "GETQUOTAROOT INBOX"), ("a2", "GETQUOTA \"\""), ("a3", "SETQUOTA \"\" (STORAGE 1)")] {
        let verb = command.split_whitespace().next().unwrap();
        let answer = c.line(&mut h, &format!("{tag} {command}"));
        assert!(answer.starts_with(&format!("{tag} BAD Unknown command {verb}; valid now: SELECT ")), "{answer}");
    }
    c.line(&mut h, "b1 SELECT INBOX");
    let answer = c.line(&mut h, "b2 GETQUOTAROOT INBOX");
    assert!(answer.starts_with("b2 BAD Unknown command GETQUOTAROOT; valid now: FETCH "), "{answer}");
    assert!(!answer.contains("state"), "it is not a matter of state: {answer}");
}

#[test]
fn keyword_checks_cost_the_keywords_not_the_messages() {
    // 10,000 messages each holding the most keywords a mailbox may. Every
    // STORE of a keyword checks the limit, and each used to read all 1.28
    // million flags; the store now keeps a count per keyword.
    let mut h = host(10_000);
    let mut a = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    for batch in 0..8 {
        let names: Vec<String> = (0..16).map(|i| format!("$label{}", batch * 16 + i)).collect();
        let done = a.line(&mut h, &format!("s{batch} STORE 1:* +FLAGS.SILENT ({})", names.join(" ")));
        assert!(done.ends_with(&format!("s{batch} OK STORE completed\r\n")), "{done}");
    }
    let started = std::time::Instant::now();
    for n in 0..300 {
        assert_eq!(
            a.line(&mut h, &format!("k{n} STORE 1 +FLAGS.SILENT ($label{})", n % 128)),
            format!("k{n} OK STORE completed\r\n")
        );
    }
    assert!(a.line(&mut h, "r1 STORE 2 +FLAGS ($one-more)").starts_with("r1 NO [LIMIT] "));
    // Generous for an unoptimised build on a slow machine.
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
    // The counts follow what changes: off every message, a keyword is gone.
    let gone = a.line(&mut h, "x1 STORE 1:* -FLAGS.SILENT ($label7)");
    assert!(gone.ends_with("x1 OK STORE completed\r\n"), "{gone}");
    let flags = a.line(&mut h, "x2 STORE 1 +FLAGS.SILENT (new)");
    assert!(flags.starts_with("* FLAGS (") && !flags.contains("$label7 ") && flags.contains(" new)"), "{flags}");
}

#[test]
fn keywords_per_mailbox_are_bounded_and_the_limit_is_said() {
    let mut h = host(3);
    let mut a = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    // 128 keywords fit, 16 to a STORE; once the mailbox is full, PERMANENTFLAGS stops offering \*.
    let mut last = String::new();
    for n in 0..8 {
        let names: Vec<String> = (0..16).map(|i| format!("k{}", n * 16 + i)).collect();
        last = a.line(&mut h, &format!("s{n} STORE 1 +FLAGS.SILENT ({})", names.join(" ")));
        assert!(last.ends_with(&format!("s{n} OK STORE completed\r\n")), "{last}");
    }
    assert!(last.contains(" k99)] Flags permitted\r\n"), "no \\* once full: {last}");
    let full =
        "NO [LIMIT] A mailbox holds at most 128 keywords: use one it has, or take one off every message first\r\n";
    assert_eq!(a.line(&mut h, "b1 STORE 2 +FLAGS (k999)"), format!("b1 {full}"));
    assert_eq!(a.line(&mut h, "b2 STORE 2:3 FLAGS (\\Seen k999)"), format!("b2 {full}"));
    assert_eq!(a.send(&mut h, "b3 APPEND INBOX (k999) {5+}\r\nhello\r\n"), format!("b3 {full}"));
    // Nothing was stored: message 2 has no new flag, and no message was appended.
    let unchanged = a.line(&mut h, "b4 FETCH 2 FLAGS");
    assert!(
        unchanged.starts_with("* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n") && !unchanged.contains("EXISTS"),
        "{unchanged}"
    );
    // Keywords the mailbox holds may go on any message, with system flags too.
    assert!(a.line(&mut h, "b5 STORE 2 +FLAGS (k5 \\Flagged)").ends_with("b5 OK STORE completed\r\n"));
    // COPY into a mailbox whose keywords and the copied ones would pass the limit.
    a.line(&mut h, "c1 CREATE Other");
    assert!(a.send(&mut h, "c2 APPEND Other (z1) {5+}\r\nhello\r\n").contains("c2 OK [APPENDUID "));
    assert_eq!(a.line(&mut h, "c3 COPY 1 Other"), format!("c3 {full}"));
    assert_eq!(a.line(&mut h, "c4 MOVE 1 Other"), format!("c4 {full}"));
    assert!(a.line(&mut h, "c5 COPY 2 Other").contains("c5 OK [COPYUID "), "k5 and z1 fit");
    // Taking keywords off makes room again (message 2 still holds k5).
    assert!(a.line(&mut h, "d1 STORE 1 FLAGS.SILENT (\\Seen)").ends_with("d1 OK STORE completed\r\n"));
    // The FLAGS now announced lists what the mailbox holds, and \\* is back.
    let system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    assert_eq!(
        a.line(&mut h, "d2 STORE 3 +FLAGS.SILENT (k999)"),
        format!(
            "* FLAGS ({system} k5 k999)\r\n* OK [PERMANENTFLAGS ({system} k5 k999 \\*)] Flags permitted\r\nd2 OK STORE completed\r\n"
        )
    );
    // A keyword is at most 64 octets.
    // A missing mailbox is still TRYCREATE, whatever the keywords.
    let nowhere = format!("d0 APPEND Nowhere ({}) {{5+}}\r\nhello\r\n", "y".repeat(65));
    assert!(a.send(&mut h, &nowhere).starts_with("d0 NO [TRYCREATE] "));
    let long = format!("d3 STORE 3 +FLAGS ({})", "x".repeat(65));
    assert_eq!(a.line(&mut h, &long), "d3 NO [LIMIT] A keyword is at most 64 octets long\r\n");
    let fits = format!("d4 STORE 3 +FLAGS.SILENT ({})", "x".repeat(64));
    assert!(a.line(&mut h, &fits).ends_with("d4 OK STORE completed\r\n"));
    // A STORE that matches no message cannot grow what sessions are told either:
    // each round's FLAGS holds the mailbox's three keywords and that round's names.
    for round in 0..3 {
        let names: Vec<String> = (0..100).map(|i| format!("r{round}n{i}")).collect();
        let told = a.line(&mut h, &format!("e{round} UID STORE 4294967295 +FLAGS ({})", names.join(" ")));
        let flags = told.lines().next().unwrap();
        assert_eq!(flags.split(' ').count(), 2 + 5 + 3 + 100, "{flags}");
        assert!(flags.contains(&format!(" r{round}n99")) && !(round > 0 && flags.contains(" r0n0")), "{flags}");
    }
}

#[test]
fn copying_nothing_answers_without_copyuid() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 CREATE x");
    c.line(&mut h, "a2 SELECT INBOX");
    let copied = c.line(&mut h, "a3 UID COPY 1:* x");
    assert!(copied.starts_with("a3 OK ") && !copied.contains("COPYUID"), "{copied}");
    let moved = c.line(&mut h, "a4 UID MOVE 1:* x");
    assert!(moved.starts_with("a4 OK ") && !moved.contains("COPYUID") && !moved.contains("EXPUNGE"), "{moved}");
}

#[test]
fn id_is_answered_in_every_state() {
    let mut h = host(0);
    let (mut c, greeting) = Client::open(&mut h, config(), "1");
    assert!(greeting.contains(" ID "), "ID is advertised: {greeting}");
    let before = c.line(&mut h, "i1 ID (\"name\" \"imaplib\" \"version\" \"3.11\")");
    assert!(before.starts_with("* ID (\"name\" \"Mail Lab\" \"version\" "), "{before}");
    assert!(before.ends_with("i1 OK ID completed\r\n"), "{before}");
    c.line(&mut h, "i2 LOGIN bob bob-pw");
    assert!(c.line(&mut h, "i3 ID NIL").ends_with("i3 OK ID completed\r\n"));
}

#[test]
fn an_overlong_command_is_refused_by_its_tag() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    let ranges: Vec<String> = (0..10_000).map(|i| format!("{}:{}", 3 * i + 1, 3 * i + 2)).collect();
    let refused = c.line(&mut h, &format!("a2 FETCH {} FLAGS", ranges.join(",")));
    assert!(refused.starts_with("a2 BAD Line too long"), "{refused}");
    assert_eq!(c.line(&mut h, "a3 NOOP"), "a3 OK NOOP completed\r\n", "the session goes on");
    // Before login a huge line ends the session, after its tagged answer.
    let (mut anon, _) = Client::open(&mut h, config(), "2");
    let junk = format!("x1 NOOP {}", "x".repeat(2 * 1024 * 1024));
    let answer = anon.line(&mut h, &junk);
    assert!(answer.starts_with("x1 BAD Line too long") && answer.contains("* BYE "), "{answer}");
    assert!(anon.controls.contains(&Output::Close));
    // No readable tag: the refusal is untagged.
    let (mut other, _) = Client::open(&mut h, config(), "3");
    assert!(other.send(&mut h, &"y".repeat(20_000)).starts_with("* BAD Line too long"));
}

#[test]
fn list_patterns_match_in_one_pass_whatever_their_wildcards() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let long = format!("Archive/2024/{}/q", "Customer-Correspondence-".repeat(7));
    for name in ["Archive/2024/Projects/Customer-Correspondence", long.as_str(), "archive", "Proj"] {
        assert!(c.line(&mut h, &format!("a CREATE \"{name}\"")).starts_with("a OK"));
    }
    let names = |out: String| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.strip_prefix("* LIST "))
            .map(|l| l.rsplit(' ').next().unwrap().to_string())
            .collect()
    };
    let forty = format!("{}q", "*%".repeat(20));
    assert_eq!(names(c.line(&mut h, &format!("b LIST \"\" \"{forty}\""))), [long.as_str()]);
    // `%` stops at the delimiter; `*` does not.
    assert_eq!(names(c.line(&mut h, "c LIST \"\" \"%%%%%%%%q\"")), Vec::<String>::new());
    assert_eq!(names(c.line(&mut h, "d LIST \"\" \"Archive/%/%/q\"")), [long.as_str()]);
    // Names are case-sensitive, INBOX excepted.
    assert_eq!(names(c.line(&mut h, "e LIST \"\" \"arch*\"")), ["archive"]);
    assert_eq!(names(c.line(&mut h, "f LIST \"\" \"inBox\"")), ["INBOX"]);
    assert_eq!(names(c.line(&mut h, "g LIST \"\" \"proj\"")), Vec::<String>::new());
}

#[test]
fn search_by_a_set_of_many_ranges() {
    let mut h = host(20);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    let set: Vec<String> = (0..700).map(|i| format!("{}:{}", 4 * i + 2, 4 * i + 3)).collect();
    assert_eq!(
        c.line(&mut h, &format!("a2 SEARCH {}", set.join(","))),
        "* SEARCH 2 3 6 7 10 11 14 15 18 19\r\na2 OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "a3 UID SEARCH UID 19:*,1,5:4 NOT 20"),
        "* SEARCH 1 4 5 19\r\na3 OK UID SEARCH completed\r\n"
    );
}

#[test]
fn addresses_with_comments_are_found_and_named() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let raw =
        "From: <user-from (comment)@ (comment) domain.org>\r\nTo: user@domain (Real Name)\r\nSubject: c\r\n\r\nx\r\n";
    c.append(&mut h, "a1", "INBOX", raw);
    c.line(&mut h, "a2 SELECT INBOX");
    assert_eq!(c.line(&mut h, "a3 SEARCH FROM user-from@domain.org"), "* SEARCH 1\r\na3 OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a4 SEARCH TO \"Real Name\""), "* SEARCH 1\r\na4 OK SEARCH completed\r\n");
    let envelope = c.line(&mut h, "a5 FETCH 1 ENVELOPE");
    assert!(envelope.contains("((\"Real Name\" NIL \"user\" \"domain\"))"), "{envelope}");
    assert!(envelope.contains("((NIL NIL \"user-from\" \"domain.org\"))"), "{envelope}");
}

#[test]
fn create_makes_the_superiors_a_name_needs_and_refuses_empty_levels() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    assert_eq!(c.line(&mut h, "a1 CREATE Archive/2024/Projects/"), "a1 OK CREATE completed\r\n");
    assert_eq!(
        c.line(&mut h, "a2 LIST \"\" Archive*"),
        "* LIST (\\HasChildren) \"/\" Archive\r\n* LIST (\\HasChildren) \"/\" Archive/2024\r\n\
         * LIST (\\HasNoChildren) \"/\" Archive/2024/Projects\r\na2 OK LIST completed\r\n"
    );
    assert_eq!(c.line(&mut h, "a3 LSUB \"\" Archive*"), "a3 OK LSUB completed\r\n", "CREATE subscribes nothing");
    for bad in ["\"\"", "/x", "a//b", "\"/\""] {
        assert!(c.line(&mut h, &format!("a4 CREATE {bad}")).starts_with("a4 NO [CANNOT] "), "{bad}");
    }
}

#[test]
fn list_extended_patterns_recursivematch_and_lsub_superiors() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    for n in ["a/test1", "a/b/c", "a/test2", "a/test3", "a/x2"] {
        c.line(&mut h, &format!("p CREATE {n}"));
    }
    c.line(&mut h, "s1 SUBSCRIBE a/test1");
    c.line(&mut h, "s2 SUBSCRIBE a/b/c");
    // Several patterns (RFC 5258 §3): each name once, in order.
    assert_eq!(
        c.line(&mut h, "l1 LIST \"\" (a/*2 a/test3)"),
        "* LIST (\\HasNoChildren) \"/\" a/test2\r\n* LIST (\\HasNoChildren) \"/\" a/test3\r\n\
         * LIST (\\HasNoChildren) \"/\" a/x2\r\nl1 OK LIST completed\r\n"
    );
    // RFC 3501 §6.3.9: `%` stops at the unsubscribed a/b, shown \Noselect.
    assert_eq!(
        c.line(&mut h, "l2 LSUB \"\" a/%"),
        "* LSUB (\\Noselect) \"/\" a/b\r\n* LSUB (\\HasNoChildren) \"/\" a/test1\r\nl2 OK LSUB completed\r\n"
    );
    // RFC 5258 §3.5: a/b is listed for its subscribed child, with CHILDINFO.
    assert_eq!(
        c.line(&mut h, "l3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" a/%"),
        "* LIST () \"/\" a/b (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" a/test1\r\nl3 OK LIST completed\r\n"
    );
    assert!(c.line(&mut h, "l4 LIST (RECURSIVEMATCH) \"\" a/%").starts_with("l4 BAD RECURSIVEMATCH needs"));
    assert!(c.line(&mut h, "l5 LIST (BOGUS) \"\" *").starts_with("l5 BAD Unknown LIST selection option BOGUS"));
    assert!(c.line(&mut h, "l6 LIST \"\" * RETURN (BOGUS)").starts_with("l6 BAD Unknown LIST return option"));
}

#[test]
fn rename_moves_inferiors_and_subscriptions_outlive_their_folders() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "p1 CREATE a/b/c");
    c.line(&mut h, "p2 CREATE a/x2");
    c.line(&mut h, "p3 SUBSCRIBE a/x2");
    assert_eq!(c.line(&mut h, "r1 RENAME a/b a/bb"), "r1 OK RENAME completed\r\n");
    let list = c.line(&mut h, "r2 LIST \"\" a/*");
    assert!(list.contains("* LIST (\\HasChildren) \"/\" a/bb\r\n* LIST (\\HasNoChildren) \"/\" a/bb/c\r\n"), "{list}");
    assert!(!list.contains("a/b/c"), "{list}");
    assert!(c.line(&mut h, "r3 RENAME a/nothere a/y").starts_with("r3 NO [NONEXISTENT] "));
    assert!(c.line(&mut h, "r4 RENAME a/x2 a/bb").starts_with("r4 NO [ALREADYEXISTS] "));
    // DELETE leaves the subscription (RFC 9051 §6.3.7): \NonExistent, and UNSUBSCRIBE takes it off.
    c.line(&mut h, "d1 DELETE a/x2");
    assert!(c.line(&mut h, "d2 LSUB \"\" a/*").contains("* LSUB () \"/\" a/x2\r\n"));
    assert!(
        c.line(&mut h, "d3 LIST (SUBSCRIBED) \"\" a/*").contains("* LIST (\\NonExistent \\Subscribed) \"/\" a/x2\r\n")
    );
    assert_eq!(c.line(&mut h, "d4 UNSUBSCRIBE a/x2"), "d4 OK UNSUBSCRIBE completed\r\n");
    assert_eq!(c.line(&mut h, "d5 LSUB \"\" a/*"), "d5 OK LSUB completed\r\n");
    assert!(c.line(&mut h, "d6 DELETE a/nothere").starts_with("d6 NO [NONEXISTENT] "));
    // A superior whose folder is gone is still listed, \Noselect (RFC 3501 §6.3.4).
    c.line(&mut h, "d7 DELETE a");
    assert!(c.line(&mut h, "d8 LIST \"\" %").contains("* LIST (\\Noselect \\HasChildren) \"/\" a\r\n"));
}

#[test]
fn message_numbers_past_the_end_and_unknown_charsets_are_refused() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    assert!(c.line(&mut h, "a2 FETCH 4 (FLAGS)").starts_with("a2 BAD No such message: the mailbox has 3 messages"));
    assert!(c.line(&mut h, "a3 COPY 2:5 Trash").starts_with("a3 BAD No such message"));
    assert!(c.line(&mut h, "a4 UID FETCH 4:9 (FLAGS)").starts_with("a4 OK"), "UIDs past the last are no error");
    assert!(c.line(&mut h, "a5 FETCH 3:* (FLAGS)").contains("a5 OK"));
    c.line(&mut h, "a6 SELECT Trash");
    assert!(c.line(&mut h, "a7 FETCH 1:* (FLAGS)").starts_with("a7 BAD No such message: the mailbox has 0 messages"));
    c.line(&mut h, "a8 SELECT INBOX");
    assert!(c.line(&mut h, "a9 SEARCH CHARSET X-UNKNOWN BODY x").starts_with("a9 NO [BADCHARSET (UTF-8 US-ASCII)] "));
    assert!(c.line(&mut h, "b1 SEARCH CHARSET utf-8 BODY message").contains("* SEARCH 1 2 3\r\n"));
}

#[test]
fn no_octet_of_a_refused_command_is_run_as_a_command() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "p CREATE Archive");
    let keeps_archive = |h: &Host| h.store.folder("bob@a.example", "Archive").is_some();
    // An overlong first line announcing a literal: the literal is skipped, not run.
    let out = c.send(&mut h, &format!("a2 NOOP {} {{19+}}\r\nb1 DELETE Archive\r\n\r\n", "x".repeat(8200)));
    assert!(out.starts_with("a2 BAD Line too long") && !out.contains("b1"), "{out}");
    assert!(keeps_archive(&h));
    // A command whose line after a literal grows too long: all of it goes.
    let out = c.send(&mut h, &format!("a3 SELECT {{19+}}\r\nb1 DELETE Archive\r\n){}", "x".repeat(9000)));
    assert!(out.starts_with("a3 BAD Line too long") && !out.contains("b1"), "{out}");
    c.send(&mut h, "x\r\n");
    assert!(keeps_archive(&h));
    // ID with a literal is framed like any command: its octets are not a command.
    let out = c.send(&mut h, "a4 ID {19+}\r\nb1 DELETE Archive\r\n\r\n");
    assert!(!out.contains("b1 OK"), "{out}");
    assert!(keeps_archive(&h));
    assert_eq!(c.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
    // Non-ASCII in ID is refused, not a crash.
    assert!(c.line(&mut h, "a6 ID (éé)").starts_with("a6 BAD "));
}

#[test]
fn a_line_still_open_after_a_literal_is_bounded_too() {
    let mut h = host(0);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    c.send(&mut h, "a1 LOGIN {1+}\r\nx ");
    let mut answered = String::new();
    for _ in 0..10 {
        answered.push_str(&c.send(&mut h, &"A".repeat(4096)));
    }
    assert!(answered.starts_with("a1 BAD Line too long"), "{answered}");
    assert!(answered.contains("* BYE "), "before login the session ends: {answered}");
    assert!(c.controls.contains(&Output::Close));
}

#[test]
fn review_cases_names_options_dollar_and_bye() {
    let mut h = host(6);
    let mut c = logged_in(&mut h);
    // INBOX is case-insensitive as a superior too: one INBOX in LIST.
    assert_eq!(c.line(&mut h, "a1 CREATE inbox/Work"), "a1 OK CREATE completed\r\n");
    let list = c.line(&mut h, "a2 LIST \"\" *");
    assert!(
        list.contains("* LIST (\\HasChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren) \"/\" INBOX/Work\r\n"),
        "{list}"
    );
    assert!(!list.contains("inbox"), "{list}");
    // Names are bounded; a folder cannot move under itself.
    assert!(c.line(&mut h, &format!("a3 CREATE {}", "x".repeat(1001))).starts_with("a3 NO [CANNOT] "));
    assert!(c.line(&mut h, &format!("a4 CREATE {}", "a/".repeat(33) + "z")).starts_with("a4 NO [CANNOT] "));
    c.line(&mut h, "a5 CREATE Top");
    assert!(c.line(&mut h, "a6 RENAME Top Top/Inner").starts_with("a6 NO [CANNOT] "));
    assert!(c.line(&mut h, "a7 RENAME Top \"\"").starts_with("a7 NO [CANNOT] "));
    // Options of a refused command never reach the next one.
    c.line(&mut h, "b0 SELECT INBOX");
    assert!(c.line(&mut h, "b1 SEARCH RETURN (SAVE) CHARSET ISO-8859-1 ALL").starts_with("b1 NO [BADCHARSET"));
    assert!(c.line(&mut h, "b2 SEARCH UNSEEN").starts_with("* SEARCH 3 4 5 6\r\n"));
    // `$` names the saved UIDs, whatever other sessions expunged meanwhile (their
    // EXPUNGE waits until after the COPY, whose numbers are the client's).
    c.line(&mut h, "b3 SEARCH RETURN (SAVE) UID 5:6");
    let mut other = logged_in(&mut h);
    other.line(&mut h, "o1 SELECT INBOX");
    other.expunge_message(&mut h, 1);
    let copied = c.line(&mut h, "b4 COPY $ Trash");
    assert!(copied.starts_with("* 1 EXPUNGE\r\nb4 OK [COPYUID "), "{copied}");
    let trash = &h.store.folder("bob@a.example", "Trash").unwrap().messages;
    let subjects: Vec<bool> = trash.iter().map(|m| String::from_utf8_lossy(&m.raw).contains("message 5")).collect();
    assert_eq!(trash.len(), 2);
    assert!(
        subjects[0] && String::from_utf8_lossy(&trash[1].raw).contains("message 6"),
        "the saved messages, not their neighbours"
    );
    // Too many sets in one SEARCH is a limit, not minutes of work.
    let sets = vec!["1:*"; 65].join(" ");
    assert!(c.line(&mut h, &format!("b5 SEARCH {sets}")).starts_with("b5 NO [LIMIT] "));
    // EXAMINE hears new keywords in FLAGS but keeps PERMANENTFLAGS ().
    let mut reader = logged_in(&mut h);
    reader.line(&mut h, "r1 EXAMINE INBOX");
    c.line(&mut h, "b6 STORE 1 +FLAGS ($fresh)");
    let heard = reader.line(&mut h, "r2 NOOP");
    assert!(heard.contains("* FLAGS (") && heard.contains("$fresh") && !heard.contains("PERMANENTFLAGS"), "{heard}");
    // After BYE for a deleted folder, pipelined commands are not served.
    c.line(&mut h, "c1 CREATE Gone");
    reader.line(&mut h, "r3 SELECT Gone");
    c.line(&mut h, "c2 DELETE Gone");
    let after = reader.send(&mut h, "r4 SELECT Nope\r\nr5 CREATE X\r\n");
    assert!(after.starts_with("* BYE ") && !after.contains("r4") && !after.contains("r5"), "{after}");
}

/// Takes what the server has queued, without resuming it.
fn queued(server: &mut ImapServer) -> String {
    let mut bytes = Vec::new();
    while let Some(o) = server.poll_output() {
        if let Output::Bytes(b) = o {
            bytes.extend_from_slice(&b);
        }
    }
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_fetch_of_a_big_folder_is_answered_in_slices_and_commands_behind_it_wait() {
    let mut h = host(1_200);
    let mut c = logged_in(&mut h);
    let mut other = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    other.line(&mut h, "b1 SELECT INBOX");
    // A FETCH of every message, and a NOOP pipelined behind it.
    c.server.receive(b"a2 FETCH 1:* (FLAGS)\r\na3 NOOP\r\n", &mut h, NOW);
    let first = queued(&mut c.server);
    assert!(c.server.is_busy(), "1,200 messages are more than one slice");
    assert_eq!(first.matches(" FETCH (").count(), 500, "one slice");
    assert!(!first.contains("a2 OK") && !first.contains("a3 "), "{}", &first[first.len() - 200..]);
    // Another session runs between the slices: it expunges message 900.
    other.line(&mut h, "b2 STORE 900 +FLAGS (\\Deleted)");
    assert!(other.line(&mut h, "b3 EXPUNGE").contains("* 900 EXPUNGE"));
    let mut rest = String::new();
    let mut slices = 1;
    while c.server.is_busy() {
        c.server.resume(&mut h, NOW);
        rest.push_str(&queued(&mut c.server));
        slices += 1;
    }
    assert_eq!(slices, 3);
    // Sequence numbers held still for the whole FETCH: 1,199 answers, none for the gap.
    let all = format!("{first}{rest}");
    assert_eq!(all.matches(" FETCH (").count(), 1_199);
    assert!(all.contains("* 1200 FETCH (FLAGS") && !all.contains("* 900 FETCH"), "{}", &all[all.len() - 300..]);
    let (during, tail) = all.split_at(all.find("a2 NO").expect("tagged NO"));
    assert!(!during.contains("EXPUNGE"), "no EXPUNGE during a FETCH (RFC 9051 §7.4.1)");
    // Then the tagged NO that says why 900 got nothing (RFC 2180 §4.1.2), and only
    // then the NOOP, which reports the expunge.
    assert_eq!(tail, format!("a2 NO {EXPUNGE_ISSUED}\r\n* 900 EXPUNGE\r\na3 OK NOOP completed\r\n"));
}

#[test]
fn a_slice_of_big_messages_is_bounded_in_octets() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let body = "x".repeat(998) + "\r\n";
    let raw = format!("Subject: big\r\n\r\n{}", body.repeat(100)); // 100 KB each
    for n in 0..20 {
        c.append(&mut h, &format!("p{n}"), "INBOX", &raw);
    }
    c.line(&mut h, "a1 SELECT INBOX");
    c.server.receive(b"a2 FETCH 1:* BODY.PEEK[]\r\n", &mut h, NOW);
    let first = queued(&mut c.server);
    assert!(c.server.is_busy());
    // A slice stops at the first message that takes it past 256 KiB.
    assert_eq!(first.matches(" FETCH (").count(), 3, "slice of {} octets", first.len());
    assert!(first.len() < 512 * 1024);
    let mut all = first;
    while c.server.is_busy() {
        c.server.resume(&mut h, NOW);
        all.push_str(&queued(&mut c.server));
    }
    assert_eq!(all.matches(" FETCH (").count(), 20);
    assert!(all.ends_with("a2 OK FETCH completed\r\n"));
}

/// Sends `line`, then resumes the session to the end; the answer and the slices taken.
fn sliced(c: &mut Client, h: &mut Host, line: &str) -> (String, usize) {
    c.server.receive(format!("{line}\r\n").as_bytes(), h, NOW);
    let mut answer = queued(&mut c.server);
    let mut slices = 1;
    while c.server.is_busy() {
        c.server.resume(h, NOW);
        answer.push_str(&queued(&mut c.server));
        slices += 1;
    }
    (answer, slices)
}

#[test]
fn search_and_store_over_a_big_folder_run_in_slices_too() {
    let mut h = host(5_000);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    let (answer, slices) = sliced(&mut c, &mut h, "a2 SEARCH BODY \"message 4999\"");
    assert_eq!((answer.as_str(), slices), ("* SEARCH 4999\r\na2 OK SEARCH completed\r\n", 3));
    let (answer, slices) = sliced(&mut c, &mut h, "a3 UID SEARCH RETURN (COUNT MIN) UNSEEN 10:4000");
    assert_eq!(
        (answer.as_str(), slices),
        ("* ESEARCH (TAG \"a3\") UID MIN 10 COUNT 3991\r\na3 OK UID SEARCH completed\r\n", 3)
    );
    let (answer, slices) = sliced(&mut c, &mut h, "a4 STORE 1:* +FLAGS (\\Flagged)");
    assert_eq!(slices, 5);
    assert_eq!(answer.matches(" FETCH (FLAGS (").count(), 5_000);
    assert!(
        answer.ends_with("* 5000 FETCH (FLAGS (\\Flagged \\Recent))\r\na4 OK STORE completed\r\n"),
        "{}",
        &answer[answer.len() - 100..]
    );
    // Its own changes are not told again as if another session made them.
    assert_eq!(c.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
    let (answer, _) = sliced(&mut c, &mut h, "a6 SEARCH FLAGGED NOT SEEN");
    let numbers: Vec<&str> = answer.lines().next().unwrap().split(' ').skip(2).collect();
    assert_eq!((numbers.len(), numbers[0], numbers[4_997]), (4_998, "3", "5000"));
}

#[test]
fn a_mailbox_replaced_between_slices_ends_the_command_with_bye_and_touches_nothing() {
    let mut h = host(3_000);
    let mut c = logged_in(&mut h);
    let mut other = logged_in(&mut h);
    other.line(&mut h, "b0 CREATE Work");
    other.line(&mut h, "b1 SELECT INBOX");
    assert!(other.line(&mut h, "b2 COPY 1:* Work").contains("b2 OK"));
    for n in 1..=3 {
        other.send(&mut h, &format!("p{n} APPEND Trash {{2+}}\r\nx{n}\r\n"));
    }
    c.line(&mut h, "a1 SELECT Work");
    c.server.receive(b"a2 STORE 1:* +FLAGS.SILENT (\\Deleted)\r\n", &mut h, NOW);
    assert!(c.server.is_busy());
    // Between slices another session deletes Work and puts another mailbox in its place.
    other.line(&mut h, "b3 DELETE Work");
    assert!(other.line(&mut h, "b4 RENAME Trash Work").contains("b4 OK"));
    c.server.resume(&mut h, NOW);
    let rest = queued(&mut c.server);
    assert!(!c.server.is_busy());
    assert!(rest.contains("* BYE The selected mailbox was deleted or replaced"), "{rest}");
    assert!(!rest.contains("a2 OK"), "no OK for a command that could not finish: {rest}");
    assert!(c.server.is_closed());
    // The mailbox now called Work kept its flags: nothing of the STORE reached it.
    assert!(other.line(&mut h, "b5 EXAMINE Work").contains("* 3 EXISTS"));
    assert!(!other.line(&mut h, "b6 FETCH 1:* FLAGS").contains("\\Deleted"));
}

#[test]
fn pipelined_commands_are_run_a_budget_at_a_time() {
    let mut h = host(10);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    let many: String = (0..200).map(|n| format!("n{n} NOOP\r\n")).collect();
    c.server.receive(many.as_bytes(), &mut h, NOW);
    let first = queued(&mut c.server);
    assert!(c.server.is_busy(), "commands wait past the budget");
    assert_eq!(first.matches(" OK NOOP completed").count(), mail_lab_imap::COMMANDS_PER_CALL);
    let mut all = first;
    while c.server.is_busy() {
        c.server.resume(&mut h, NOW);
        all.push_str(&queued(&mut c.server));
    }
    assert_eq!(all.matches(" OK NOOP completed").count(), 200);
    assert!(all.ends_with("n199 OK NOOP completed\r\n"));
    // A FETCH that names the same body twice answers it once.
    let twice = c.line(&mut h, "a2 FETCH 1 (BODY.PEEK[] BODY.PEEK[])");
    assert_eq!(twice.matches("BODY[] {").count(), 1, "{twice}");
}

#[test]
fn search_text_reads_mime_part_headers_and_field_names() {
    // RFC 9051 §6.4.4: TEXT is "in the header (including MIME header fields) or body".
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let m = "Subject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nsee\r\n--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n";
    assert!(c.append(&mut h, "a1", "INBOX", m).contains("a1 OK"));
    assert!(c.send(&mut h, "a2 APPEND INBOX {17+}\r\njust text\r\nmore\r\n\r\n").contains("a2 OK"));
    c.line(&mut h, "a3 SELECT INBOX");
    for (key, found) in [
        ("a.bin", "* SEARCH 1"),
        ("ATTACHMENT", "* SEARCH 1"),
        ("subject", "* SEARCH 1"),
        ("more", "* SEARCH 2"),
        ("AAEC", "* SEARCH"),
    ] {
        assert_eq!(
            c.line(&mut h, &format!("s SEARCH TEXT {key}")),
            format!("{found}\r\ns OK SEARCH completed\r\n"),
            "{key}"
        );
    }
}

#[test]
fn search_folds_case_in_latin_greek_cyrillic_and_fullwidth_letters() {
    // RFC 9051 §6.4.4 asks for ASCII case-insensitivity; the lab also folds these
    // scripts' letters and, as Dovecot, compares accented letters decomposed:
    // "cafe" is found in "CAFÉ" (a prefix of C A F E ◌́), "café" is not found in "cafe".
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let m = "Subject: note\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCAFÉ ＭＡＩＬ ΣΟΦΙΑ МИР ЁЛКА\r\n";
    let sent = c.append(&mut h, "a1", "INBOX", m);
    assert!(sent.contains("a1 OK"), "{sent}");
    c.line(&mut h, "a2 SELECT INBOX");
    for (key, found) in [
        ("café", "* SEARCH 1"),
        ("ｍａｉｌ", "* SEARCH 1"),
        ("σοφια", "* SEARCH 1"),
        ("мир", "* SEARCH 1"),
        ("ёлка", "* SEARCH 1"),
        ("cafe", "* SEARCH 1"),
        ("ÿ", "* SEARCH"),
    ] {
        let line = format!("s SEARCH CHARSET UTF-8 BODY {{{}+}}\r\n{key}\r\n", key.len());
        assert_eq!(c.send(&mut h, &line), format!("{found}\r\ns OK SEARCH completed\r\n"), "{key}");
    }
}

#[test]
fn quoted_strings_carry_utf8() {
    // RFC 9051 §9: a quoted string may hold UTF-8 (QUOTED-CHAR =/ UTF8-2 / UTF8-3 / UTF8-4),
    // so a learner can type Japanese without a literal.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "u0 ENABLE IMAP4rev2");
    assert_eq!(c.line(&mut h, "u1 CREATE \"仕事\""), "u1 OK CREATE completed\r\n");
    let list = c.line(&mut h, "u2 LIST \"\" \"仕*\"");
    // Sent back as a literal (imap-codec's choice for non-ASCII), which any client reads.
    assert!(list.starts_with("* LIST (\\HasNoChildren) \"/\" {6}\r\n仕事\r\n"), "{list}");
    let m = "Subject: =?UTF-8?B?5Lya6K2w44Gu5LqI5a6a?=\r\n\r\nあした\r\n";
    assert!(c.append(&mut h, "u3", "\"仕事\"", m).contains("u3 OK"));
    c.line(&mut h, "u4 SELECT \"仕事\"");
    assert_eq!(
        c.line(&mut h, "u5 SEARCH SUBJECT \"会議\""),
        "* ESEARCH (TAG \"u5\") ALL 1\r\nu5 OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.line(&mut h, "u6 SEARCH BODY \"あした\""),
        "* ESEARCH (TAG \"u6\") ALL 1\r\nu6 OK SEARCH completed\r\n"
    );
    assert_eq!(c.line(&mut h, "u7 SEARCH SUBJECT \"予算\""), "* ESEARCH (TAG \"u7\")\r\nu7 OK SEARCH completed\r\n");
}

#[test]
fn imap4rev1_sessions_spell_mailbox_names_in_modified_utf7() {
    // RFC 3501 §5.1.3: until ENABLE IMAP4rev2 a name goes both ways in modified
    // UTF-7; the store keeps UTF-8, so a rev2 session sees the same folder as 仕事.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    assert_eq!(c.line(&mut h, "m1 CREATE &TtVOiw-"), "m1 OK CREATE completed\r\n");
    assert_eq!(c.line(&mut h, "m2 CREATE AT&-T/&ZeVnLIqe-"), "m2 OK CREATE completed\r\n");
    assert!(h.store.folder("bob@a.example", "仕事").is_some());
    assert!(h.store.folder("bob@a.example", "AT&T/日本語").is_some());
    let listed =
        |tag: &str, name: &str| format!("* LIST (\\HasNoChildren) \"/\" {name}\r\n{tag} OK LIST completed\r\n");
    assert_eq!(c.line(&mut h, "m3 LIST \"\" &TtVOiw-"), listed("m3", "&TtVOiw-"));
    assert_eq!(c.line(&mut h, "m4 LIST \"\" AT&-T/%"), listed("m4", "AT&-T/&ZeVnLIqe-"));
    // A pattern that is not mUTF-7 is matched as it is, as Dovecot does.
    assert_eq!(c.line(&mut h, "m5 LIST \"\" \"仕*\""), listed("m5", "&TtVOiw-"));
    assert_eq!(
        c.line(&mut h, "m6 LIST \"\" &TtVOiw- RETURN (STATUS (MESSAGES))"),
        "* LIST (\\HasNoChildren) \"/\" &TtVOiw-\r\n* STATUS &TtVOiw- (MESSAGES 0)\r\nm6 OK LIST completed\r\n"
    );
    assert!(c.append(&mut h, "m7", "&TtVOiw-", "Subject: x\r\n\r\nx\r\n").contains("m7 OK [APPENDUID"));
    assert_eq!(
        c.line(&mut h, "m8 STATUS &TtVOiw- (MESSAGES)"),
        "* STATUS &TtVOiw- (MESSAGES 1)\r\nm8 OK STATUS completed\r\n"
    );
    assert!(c.line(&mut h, "m9 SELECT &TtVOiw-").ends_with("m9 OK [READ-WRITE] SELECT completed\r\n"));
    // Names that are not mUTF-7 are refused (as Dovecot does), saying how to write them.
    let utf8 = "after ENABLE IMAP4rev2 names are UTF-8";
    let ampersand = "& begins an encoded run that ends with -, and & itself is written &-";
    for (tag, command, why) in [
        ("n1", "CREATE \"仕事2\"", format!("IMAP4rev1 writes it &TtVOiw-2; {utf8}")),
        ("n3", "RENAME &TtVOiw- &AGE-", ampersand.to_string()),
        ("n4", "COPY 1 \"AT&T/日本語\"", format!("IMAP4rev1 writes it AT&-T/&ZeVnLIqe-; {utf8}")),
        ("n5", "APPEND \"AT&T\" {1+}\r\nx", ampersand.to_string()),
        // Last: a SELECT refused so leaves nothing selected (RFC 9051 §6.3.2).
        ("n2", "SELECT \"AT&T\"", ampersand.to_string()),
    ] {
        assert_eq!(
            c.send(&mut h, &format!("{tag} {command}\r\n")),
            format!("{tag} NO Mailbox name is not valid mUTF-7: {why}\r\n")
        );
    }
    assert!(c.line(&mut h, "n6 FETCH 1 (UID)").starts_with("n6 BAD FETCH is not valid in the authenticated state"));
    // mUTF-7 can spell a NUL or CR LF; no mailbox may hold one. A missing name is
    // named in the session's own spelling, not as "??".
    assert_eq!(c.line(&mut h, "n7 CREATE &AAA-"), "n7 NO [CANNOT] A mailbox name has no control characters\r\n");
    assert_eq!(c.line(&mut h, "n8 SELECT &ZeVnLIqe-"), "n8 NO [NONEXISTENT] No mailbox &ZeVnLIqe-\r\n");
    assert_eq!(
        c.line(&mut h, "n9 CREATE \"a\tb\""),
        "n9 NO Mailbox name is not valid mUTF-7: IMAP4rev1 writes it a&AAk-b; after ENABLE IMAP4rev2 names are UTF-8\r\n"
    );
    assert!(h.store.folder("bob@a.example", "仕事2").is_none());
    assert_eq!(h.store.folder("bob@a.example", "仕事").map(|f| f.messages.len()), Some(1));
    // After ENABLE IMAP4rev2 the same folder is named in UTF-8, and mUTF-7 is only text.
    c.line(&mut h, "r1 ENABLE IMAP4rev2");
    let list = c.line(&mut h, "r2 LIST \"\" \"仕*\"");
    assert!(list.starts_with("* LIST (\\HasNoChildren) \"/\" {6}\r\n仕事\r\n"), "{list}");
    assert_eq!(c.line(&mut h, "r3 LIST \"\" &TtVOiw-"), "r3 OK LIST completed\r\n");
}

#[test]
fn search_does_not_find_an_accented_letter_in_a_plain_one() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let m = "Subject: Cafe\r\n\r\nplain\r\n";
    assert!(c.append(&mut h, "a1", "INBOX", m).contains("a1 OK"));
    c.line(&mut h, "a2 SELECT INBOX");
    assert_eq!(c.line(&mut h, "s1 SEARCH SUBJECT \"café\""), "* SEARCH\r\ns1 OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "s2 SEARCH SUBJECT \"CAFE\""), "* SEARCH 1\r\ns2 OK SEARCH completed\r\n");
}

#[test]
fn a_line_trickled_after_a_big_literal_costs_its_own_octets_only() {
    // A hostile client announces a 4 MiB literal, sends it, then sends the
    // rest of the line one octet per read. Each read must cost that octet,
    // not a new parse of the 4 MiB already buffered.
    let mut h = host(0);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    let started = std::time::Instant::now();
    assert_eq!(c.send(&mut h, "a1 LOGIN {4194304}\r\n"), "+ Ready for literal data\r\n");
    let chunk = vec![b'u'; 64 * 1024];
    for _ in 0..64 {
        c.server.receive(&chunk, &mut h, NOW);
    }
    assert_eq!(c.take(false), "");
    for octet in std::iter::once(b' ').chain(std::iter::once(b'"')).chain(std::iter::repeat_n(b'x', 6000)) {
        c.server.receive(&[octet], &mut h, NOW);
    }
    assert_eq!(c.take(false), "", "nothing is answered before the line ends");
    let answer = c.send(&mut h, "\"\r\n");
    let took = started.elapsed();
    assert!(answer.starts_with("a1 NO [AUTHENTICATIONFAILED] "), "{answer}");
    // Generous for an unoptimised build on a slow machine.
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
    assert!(c.line(&mut h, "a2 LOGIN bob bob-pw").starts_with("a2 OK "));
}

#[test]
fn twenty_megabytes_of_pipelined_commands_cost_each_its_own_line() {
    // 20,000 commands with long tags (20 MB) in one read: reading each one
    // must not move the whole backlog behind it.
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    let long = "t".repeat(1000);
    let many: String = (0..20_000).map(|n| format!("{long}{n} NOOP\r\n")).collect();
    let started = std::time::Instant::now();
    c.server.receive(many.as_bytes(), &mut h, NOW);
    let mut all = queued(&mut c.server);
    while c.server.is_busy() {
        c.server.resume(&mut h, NOW);
        all.push_str(&queued(&mut c.server));
    }
    let took = started.elapsed();
    assert_eq!(all.matches(" OK NOOP completed\r\n").count(), 20_000);
    assert!(all.starts_with(&format!("{long}0 OK NOOP completed\r\n")));
    assert!(all.ends_with(&format!("{long}19999 OK NOOP completed\r\n")));
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_refused_lines_literal_is_skipped_however_its_announcement_is_split() {
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "p CREATE Archive");
    // The overlong line arrives in pieces, its `{19+}` cut in two between reads.
    let out = c.send(&mut h, &format!("a2 NOOP {}", "x".repeat(9000)));
    assert!(out.starts_with("a2 BAD Line too long"), "{out}");
    assert_eq!(c.send(&mut h, &format!("{} {{1", "y".repeat(100))), "");
    // The literal's octets are a command's text: they are dropped, not run.
    assert_eq!(c.send(&mut h, "9+}\r\nb1 DELETE Archive\r\n\r\n"), "");
    assert!(h.store.folder("bob@a.example", "Archive").is_some());
    assert_eq!(c.line(&mut h, "a3 NOOP"), "a3 OK NOOP completed\r\n");
}

#[test]
fn an_empty_literal_is_asked_for_once_like_any_other() {
    let mut h = host(0);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    // RFC 9051 §4.3: "+" follows a synchronising literal's announcement, even {0}.
    assert_eq!(c.send(&mut h, "a1 LOGIN {3}\r\n"), "+ Ready for literal data\r\n");
    assert_eq!(c.send(&mut h, "bob {0}\r\n"), "+ Ready for literal data\r\n");
    assert_eq!(c.send(&mut h, " "), "", "one + per literal, not per read");
    let answer = c.send(&mut h, "\r\n");
    assert!(answer.starts_with("a1 BAD ") || answer.starts_with("a1 NO "), "{answer}");
    // A bare LF ends a line for the framing: the grammar refuses it at once, no wait.
    let answer = c.send(&mut h, "a2 NOOP\n");
    assert!(answer.starts_with("a2 BAD "), "{answer}");
}

#[test]
fn thunderbird_style_nested_ors_are_read_and_too_deep_ones_refused() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    // "Any of 20 terms" is 19 ORs deep, as Thunderbird writes it.
    let terms: String = (0..20).map(|n| format!(" SUBJECT nothing{n}")).collect();
    let ors = "OR ".repeat(19);
    let answer = c.line(&mut h, &format!("a1 SEARCH {}{}", ors.trim_end(), terms));
    assert_eq!(answer, "* SEARCH\r\na1 OK SEARCH completed\r\n");
    let found = c.line(&mut h, &format!("a2 SEARCH {}{} ALL", ors.trim_end(), &terms[..terms.len() - 18]));
    assert!(found.starts_with("* SEARCH 1 2 3\r\n"), "{found}");
    // Past 64 levels the command is refused with BAD, and the session goes on.
    let deep = c.line(&mut h, &format!("a3 SEARCH {}ALL", "NOT ".repeat(64)));
    assert!(deep.starts_with("a3 BAD "), "{deep}");
    assert_eq!(c.line(&mut h, "a4 NOOP"), "a4 OK NOOP completed\r\n");
}

#[test]
fn append_with_a_literal8_is_refused_without_binary_and_its_octets_are_not_commands() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    let before = h.store.folder("bob@a.example", "INBOX").unwrap().messages.len();
    let answer = c.send(&mut h, "a1 APPEND INBOX ~{13+}\r\nb1 LOGOUT\r\nxx\r\n");
    assert!(answer.starts_with("a1 BAD APPEND takes a literal {n}: ~{n} (literal8) needs BINARY"), "{answer}");
    assert!(!c.line(&mut h, "a0 CAPABILITY").contains(" BINARY"), "BINARY is not offered");
    assert_eq!(h.store.folder("bob@a.example", "INBOX").unwrap().messages.len(), before);
    assert_eq!(c.line(&mut h, "a2 NOOP"), "a2 OK NOOP completed\r\n");
}

#[test]
fn a_zero_padded_literal_length_is_read_as_the_grammar_reads_it() {
    // `{00000000000000000003}` is 3 (20 digits, 19 of them zeros): one "+" and
    // the login goes on, instead of a line the framing thought was whole.
    let mut h = host(0);
    let (mut c, _) = Client::open(&mut h, config(), "1");
    assert_eq!(c.send(&mut h, "a1 LOGIN {00000000000000000003}\r\n"), "+ Ready for literal data\r\n");
    assert_eq!(c.send(&mut h, "bob {06}\r\n"), "+ Ready for literal data\r\n");
    assert!(c.send(&mut h, "bob-pw\r\n").starts_with("a1 OK "));
}

#[test]
fn an_overlong_line_in_idle_is_answered_and_done_still_ends_it() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    assert!(c.line(&mut h, "i1 IDLE").starts_with("+ "));
    let out = c.send(&mut h, &format!("{}\r\nDONE\r\n", "x".repeat(9000)));
    assert_eq!(out, "* BAD Only DONE ends IDLE\r\ni1 OK IDLE terminated\r\n");
    assert_eq!(c.line(&mut h, "a2 NOOP"), "a2 OK NOOP completed\r\n");
}

#[test]
fn a_command_over_the_total_size_drops_whole_and_its_literals_are_never_commands() {
    // Literals of 1000 octets up to just past max_literal + 4 * MAX_LINE; the
    // last literal holds a command line, and the size is passed only by the
    // final CRLF, when the command is whole.
    let mut h = host(0);
    let mut cfg = config();
    cfg.max_literal = 1024;
    let (mut c, _) = Client::open(&mut h, cfg, "1");
    assert!(c.line(&mut h, "a0 LOGIN bob bob-pw").starts_with("a0 OK "));
    c.line(&mut h, "p CREATE Keep");
    let limit = 1024 + 4 * mail_lab_imap::server::MAX_LINE;
    let mut command = String::from("a1 SEARCH");
    while command.len() + 2 <= limit - 1000 {
        command.push_str(&format!(" TEXT {{1000+}}\r\n{}", "x".repeat(1000)));
    }
    // Pad the last literal so the whole command is one octet over the limit.
    let hidden = "\r\nb1 DELETE Keep";
    // A three-digit length, so the announcement is as long as this one.
    let room = limit + 1 - 2 - command.len() - " TEXT {000+}\r\n".len();
    assert!((100..1000).contains(&room) && room >= hidden.len(), "{room}");
    command.push_str(&format!(" TEXT {{{room}+}}\r\n{}{hidden}", "y".repeat(room - hidden.len())));
    assert_eq!(command.len() + 2, limit + 1);
    assert_eq!(c.send(&mut h, &command), "");
    let out = c.send(&mut h, "\r\n");
    assert!(out.starts_with("a1 BAD Line too long"), "{out}");
    assert!(!out.contains("b1"), "{out}");
    assert!(h.store.folder("bob@a.example", "Keep").is_some());
    assert_eq!(c.line(&mut h, "a2 NOOP"), "a2 OK NOOP completed\r\n");
}

#[test]
fn a_command_with_too_many_literals_is_refused_and_later_literals_cost_no_reread() {
    let mut h = host(1);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    let many: String = (0..=mail_lab_imap::server::MAX_LITERALS).map(|_| " TEXT {1+}\r\nx").collect();
    let out = c.send(&mut h, &format!("a1 SEARCH{many}\r\n"));
    assert_eq!(out, "a1 BAD Too many literals in one command (at most 100)\r\n");
    assert_eq!(c.line(&mut h, "a2 NOOP"), "a2 OK NOOP completed\r\n");
    // An 8 MiB literal, then 98 more asked for one at a time: each "+" costs
    // its own line, not a new reading of the 8 MiB.
    let started = std::time::Instant::now();
    c.send(&mut h, "a3 SEARCH TEXT {8388608+}\r\n");
    let big = vec![b'z'; 8 * 1024 * 1024];
    c.server.receive(&big, &mut h, NOW);
    for _ in 0..98 {
        assert_eq!(c.send(&mut h, " TEXT {1}\r\n"), "+ Ready for literal data\r\n");
        assert_eq!(c.send(&mut h, "q"), "");
    }
    assert_eq!(c.send(&mut h, "\r\n"), "* SEARCH\r\na3 OK SEARCH completed\r\n");
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_line_after_a_literal_is_held_to_the_same_length_as_the_first() {
    let mut h = host(0);
    let limit = mail_lab_imap::server::MAX_LINE;
    // The rest of the line after the literal: a space, the password, CRLF.
    let line = |octets: usize| format!("a1 LOGIN {{3+}}\r\nbob {}\r\n", "x".repeat(octets - 3));
    let (mut c, _) = Client::open(&mut h, config(), "1");
    assert!(c.send(&mut h, &line(limit)).starts_with("a1 NO [AUTHENTICATIONFAILED] "), "at the limit: read");
    let (mut c, _) = Client::open(&mut h, config(), "2");
    let out = c.send(&mut h, &line(limit + 1));
    assert!(out.starts_with("a1 BAD Line too long") && out.contains("* BYE "), "one octet over: {out}");
}

#[test]
fn thousands_of_arrivals_in_a_selected_session_cost_no_rescan_of_each() {
    // Each arrival this session claims as \Recent used to add a range, and each
    // RECENT count checked every UID against every range: cubic in the arrivals.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    let start = std::time::Instant::now();
    let mut last = String::new();
    for n in 1..=5000 {
        last = c.append(&mut h, &format!("a{n}"), "INBOX", "x");
    }
    assert!(last.starts_with("* 5000 EXISTS\r\n* 5000 RECENT\r\n"), "{last}");
    assert!(c.line(&mut h, "f FETCH 1,5000 (FLAGS)").contains("* 5000 FETCH (FLAGS (\\Recent))"));
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(30), "5,000 appends took {took:?}");
}

#[test]
fn a_search_naming_the_saved_result_too_often_is_refused_before_it_is_expanded() {
    let mut h = host(3);
    let mut c = logged_in(&mut h);
    c.line(&mut h, "s SELECT INBOX");
    c.line(&mut h, "a1 SEARCH RETURN (SAVE) ALL");
    let many = vec!["$"; 65].join(" ");
    assert_eq!(
        c.line(&mut h, &format!("a2 SEARCH {many}")),
        "a2 NO [LIMIT] One SEARCH takes at most 64 message sets; combine them into one\r\n"
    );
    let enough = vec!["$"; 64].join(" ");
    assert!(c.line(&mut h, &format!("a3 SEARCH {enough}")).ends_with("a3 OK SEARCH completed\r\n"));
    assert_eq!(c.line(&mut h, "a4 NOOP"), "a4 OK NOOP completed\r\n");
}

#[test]
fn many_text_keys_fold_a_big_message_once() {
    // A line of 500 `BODY` keys over a 2 MB message folded the body 500 times.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let body = "Lorem ipsum dolor sit amet \u{c9}t\u{e9}\r\n".repeat(2 * 1024 * 1024 / 32);
    c.append(&mut h, "a0", "INBOX", &format!("Subject: big\r\n\r\n{body}"));
    c.line(&mut h, "s SELECT INBOX");
    // Every key matches, so every key is tested (AND stops at the first miss).
    let keys = vec!["BODY \"ipsum\" TEXT \"DOLOR\""; 250].join(" ");
    let start = std::time::Instant::now();
    assert_eq!(c.line(&mut h, &format!("a1 SEARCH {keys}")), "* SEARCH 1\r\na1 OK SEARCH completed\r\n");
    assert_eq!(c.line(&mut h, "a2 SEARCH BODY \"\u{e9}t\u{e9}\""), "* SEARCH 1\r\na2 OK SEARCH completed\r\n");
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(20), "500 text keys took {took:?}");
}

#[test]
fn one_fetch_cannot_copy_a_message_many_times() {
    // `BODY.PEEK[]<0.n> BODY.PEEK[]<1.n> ...`: 300 copies of a 16 MB message fit in one line.
    let mut h = host(0);
    let mut c = logged_in(&mut h);
    let body = "x".repeat(100 * 1024);
    c.append(&mut h, "a0", "INBOX", &format!("Subject: big\r\n\r\n{body}\r\n"));
    c.line(&mut h, "s SELECT INBOX");
    // The message twice over is an answer a client may want.
    let twice = c.line(&mut h, "a1 FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT])");
    assert!(twice.ends_with("a1 OK FETCH completed\r\n") && twice.len() > 200 * 1024);
    let refused = "NO [LIMIT] Too much of one message in one FETCH; ask for fewer parts\r\n";
    let copies: Vec<String> = (0..3).map(|n| format!("BODY.PEEK[]<{n}.200000>")).collect();
    assert_eq!(c.line(&mut h, &format!("a2 FETCH 1 ({})", copies.join(" "))), format!("a2 {refused}"));
    // Many small parts, as Thunderbird asks for a message's parts: each item parses
    // the message, so items × size is bounded, not the items alone.
    let mb = "y".repeat(1 << 20);
    c.append(&mut h, "b0", "INBOX", &format!("Subject: one MB\r\n\r\n{mb}\r\n"));
    c.line(&mut h, "b1 NOOP");
    let parts: Vec<String> = (0..40).map(|n| format!("BODY.PEEK[]<{n}.1>")).collect();
    assert!(c.line(&mut h, &format!("a3 FETCH 2 ({})", parts.join(" "))).ends_with("a3 OK FETCH completed\r\n"));
    let many: Vec<String> = (0..100).map(|n| format!("BODY.PEEK[]<{n}.1>")).collect();
    assert_eq!(c.line(&mut h, &format!("a4 FETCH 2 ({})", many.join(" "))), format!("a4 {refused}"));
    assert!(
        c.line(&mut h, "a5 FETCH 1 (FLAGS)").starts_with("* 1 FETCH (FLAGS (\\Recent))"),
        "no \\Seen set by a refused FETCH"
    );
}

#[test]
fn an_expunge_held_back_does_not_make_each_command_copy_the_changes_behind_it() {
    // While a non-UID FETCH holds another session's EXPUNGE back, each command copied
    // every change made after it: with 20,000 changes and 5,000 FETCHes, 100 million
    // (measured before the fix: 10.5 s in a debug build; after: well under 1 s).
    let mut h = host(3);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    b.line(&mut h, "b2 STORE 1 +FLAGS.SILENT (\\Deleted)");
    // A change before the expunge: a hears of it during the held commands.
    b.line(&mut h, "b2a STORE 3 +FLAGS.SILENT (\\Answered)");
    // After this, b's message 2 is UID 3.
    b.line(&mut h, "b3 EXPUNGE");
    for n in 0..10_000 {
        b.line(&mut h, &format!("c{n} STORE 2 +FLAGS.SILENT (\\Flagged)"));
        b.line(&mut h, &format!("d{n} STORE 2 -FLAGS.SILENT (\\Flagged)"));
    }
    let first = a.line(&mut h, "f FETCH 2 (UID)");
    assert!(first.starts_with("* 3 FETCH (UID 3 FLAGS (\\Answered"), "{first}");
    assert!(first.ends_with("* 2 FETCH (UID 2)\r\nf OK FETCH completed\r\n"), "{first}");
    // a's own changes are passed over as before (a STORE holds the expunge back too).
    assert_eq!(a.line(&mut h, "o1 STORE 2 +FLAGS.SILENT (\\Seen)"), "o1 OK STORE completed\r\n");
    let start = std::time::Instant::now();
    for n in 0..5_000 {
        // Message 2 is still number 2 here: the EXPUNGE of 1 waits (RFC 9051 §7.5.1).
        assert_eq!(
            a.line(&mut h, &format!("f{n} FETCH 2 (UID)")),
            format!("* 2 FETCH (UID 2)\r\nf{n} OK FETCH completed\r\n")
        );
    }
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(3), "5,000 FETCHes took {took:?}");
    // Then the expunge, and the flags as they now are.
    let caught_up = a.line(&mut h, "n NOOP");
    assert!(caught_up.starts_with("* 1 EXPUNGE\r\n"), "{:?}", caught_up.get(..80));
    assert_eq!(
        caught_up.matches("* 2 FETCH (UID 3 FLAGS (\\Answered \\Recent))\r\n").count(),
        1,
        "{:?}",
        caught_up.get(..200)
    );
    assert!(caught_up.ends_with("\r\nn OK NOOP completed\r\n"));
    assert_eq!(a.line(&mut h, "m NOOP"), "m OK NOOP completed\r\n");
}

/// `n` flag changes on `uid` made straight in the store, as another session would.
fn flip_flags(h: &mut Host, uid: u32, n: usize) {
    for i in 0..n {
        let flags = if i % 2 == 0 { SortedSet::from([Flag::Flagged]) } else { SortedSet::new() };
        h.store.set_flags("bob@a.example", INBOX, uid, flags).unwrap();
    }
}

#[test]
fn a_session_behind_the_whole_change_log_still_hears_expunges_but_not_during_a_held_command() {
    let mut h = host(4);
    let mut a = logged_in(&mut h);
    assert!(a.line(&mut h, "a1 SELECT INBOX").contains("* 4 EXISTS\r\n"));
    h.store.expunge("bob@a.example", INBOX, &[2]).unwrap();
    h.store.append("bob@a.example", INBOX, message(5), SortedSet::new(), NOW, None).unwrap();
    // More changes than the log keeps: a cannot read what happened from it.
    flip_flags(&mut h, 3, mail_lab_store::CHANGE_LOG_LIMIT + 1);
    // A non-UID FETCH must not hear of the expunge (RFC 9051 §7.5.1): message 2 is
    // still message 2 (with nothing left to show), UID 3 is still 3. The arrival is told.
    assert_eq!(
        a.line(&mut h, "a2 FETCH 2:3 (UID)"),
        format!("* 5 EXISTS\r\n* 5 RECENT\r\n* 3 FETCH (UID 3)\r\na2 NO {EXPUNGE_ISSUED}\r\n")
    );
    assert_eq!(a.line(&mut h, "a3 FETCH 2 (UID)"), format!("a3 NO {EXPUNGE_ISSUED}\r\n"));
    // Then a NOOP hears of the expunge, and of every remaining message's flags,
    // since which of them changed is no longer known.
    assert_eq!(
        a.line(&mut h, "a4 NOOP"),
        "* 2 EXPUNGE\r\n\
         * 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\n\
         * 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\n\
         * 3 FETCH (UID 4 FLAGS (\\Recent))\r\n\
         * 4 FETCH (UID 5 FLAGS (\\Recent))\r\n\
         a4 OK NOOP completed\r\n"
    );
    assert_eq!(a.line(&mut h, "a5 NOOP"), "a5 OK NOOP completed\r\n");
    assert_eq!(a.line(&mut h, "a6 UID FETCH 1:* (FLAGS)").matches(" FETCH (").count(), 4);
}

#[test]
fn a_folder_made_anew_while_a_session_was_behind_the_change_log_ends_the_session() {
    let mut h = host(2);
    let mut a = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT Trash");
    h.store.append("bob@a.example", "Trash", message(1), SortedSet::new(), NOW, None).unwrap();
    h.store.delete_folder("bob@a.example", "Trash").unwrap();
    h.store.create_folder("bob@a.example", "Trash").unwrap();
    flip_flags(&mut h, 1, mail_lab_store::CHANGE_LOG_LIMIT + 1);
    // Its UIDs name other messages now: nothing the session holds can be served.
    assert_eq!(a.line(&mut h, "a2 NOOP"), "* BYE The selected mailbox was deleted or renamed by another session\r\n");
}

#[test]
fn many_flag_changes_to_one_message_are_told_once_with_its_flags_as_they_are() {
    let mut h = host(3);
    let mut a = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    flip_flags(&mut h, 2, 1_000);
    h.store.set_flags("bob@a.example", INBOX, 3, SortedSet::from([Flag::Answered])).unwrap();
    flip_flags(&mut h, 2, 1);
    assert_eq!(
        a.line(&mut h, "a2 NOOP"),
        "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n\
         * 3 FETCH (UID 3 FLAGS (\\Answered \\Recent))\r\n\
         a2 OK NOOP completed\r\n"
    );
}

#[test]
fn commands_naming_a_message_another_session_expunged_say_so_before_the_expunge_is_told() {
    // RFC 2180 §4: the EXPUNGE cannot be sent during FETCH, STORE or SEARCH, so the
    // message keeps its number and the answer says it is gone (RFC 5530 EXPUNGEISSUED).
    let mut h = host(3);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    b.expunge_message(&mut h, 2);
    let no = |tag: &str| format!("{tag} NO {EXPUNGE_ISSUED}\r\n");
    // §4.1.2: responses for the others, then a tagged NO.
    let fetched = a.line(&mut h, "a2 FETCH 1:3 (UID)");
    assert!(fetched.ends_with(&format!("* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\n{}", no("a2"))), "{fetched}");
    assert_eq!(a.line(&mut h, "a3 FETCH 2 (FLAGS)"), no("a3"));
    // §4.2.3: the others' flags are set and shown, and a tagged NO; §4.2.1: .SILENT is OK.
    assert_eq!(
        a.line(&mut h, "a4 STORE 2:3 +FLAGS (\\Flagged)"),
        format!("* 3 FETCH (FLAGS (\\Flagged \\Recent))\r\n{}", no("a4"))
    );
    assert_eq!(a.line(&mut h, "a5 STORE 1:2 +FLAGS.SILENT (\\Answered)"), "a5 OK STORE completed\r\n");
    // SEARCH passes over it (§4.3).
    assert_eq!(a.line(&mut h, "a6 SEARCH ALL"), "* SEARCH 1 3\r\na6 OK SEARCH completed\r\n");
    // §4.4.1: MOVE and COPY are refused whole, as Dovecot does; nothing reaches Trash.
    // The expunge comes with that answer (§4.4), so only the first one meets message 2.
    assert_eq!(a.line(&mut h, "a7 MOVE 2 Trash"), format!("* 2 EXPUNGE\r\n{}", no("a7")));
    assert_eq!(h.store.folder("bob@a.example", "Trash").unwrap().messages.len(), 0);
    assert_eq!(
        a.line(&mut h, "a9 UID FETCH 1:* (FLAGS)"),
        "* 1 FETCH (UID 1 FLAGS (\\Seen \\Answered \\Recent))\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\na9 OK UID FETCH completed\r\n"
    );
    assert_eq!(a.line(&mut h, "b1 COPY 1:2 Trash").lines().last().unwrap(), "b1 OK [COPYUID 2 1,3 1:2] COPY completed");
}

#[test]
fn a_folder_made_anew_behind_a_held_expunge_ends_the_session_before_any_number_is_read() {
    // The change log is read only up to a held expunge, so the folder's deletion
    // behind it was never seen: FETCH 2 served another folder's message 2.
    let mut h = host(0);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    for n in 1..=2 {
        a.append(&mut h, &format!("p{n}"), "Trash", "Subject: old\r\n\r\nold\r\n");
    }
    a.line(&mut h, "a1 SELECT Trash");
    b.line(&mut h, "b1 SELECT Trash");
    b.expunge_message(&mut h, 1);
    b.line(&mut h, "b4 SELECT INBOX");
    b.line(&mut h, "b5 DELETE Trash");
    b.line(&mut h, "b6 CREATE Trash");
    for n in 1..=2 {
        b.append(&mut h, &format!("q{n}"), "Trash", "Subject: new\r\n\r\nsomeone else's\r\n");
    }
    assert_eq!(
        a.line(&mut h, "a2 FETCH 2 (BODY[])"),
        "* BYE The selected mailbox was deleted or renamed by another session\r\n"
    );
}

#[test]
fn every_copy_and_logout_answer_is_right_after_another_sessions_expunge() {
    let mut h = host(3);
    let mut a = logged_in(&mut h);
    let mut b = logged_in(&mut h);
    a.line(&mut h, "a1 SELECT INBOX");
    b.line(&mut h, "b1 SELECT INBOX");
    b.expunge_message(&mut h, 1);
    // A COPY refused for another reason still brings the held expunge (RFC 2180 §4.4).
    assert_eq!(a.line(&mut h, "a2 COPY 2 Nowhere"), "* 1 EXPUNGE\r\na2 NO [TRYCREATE] No mailbox Nowhere\r\n");
    // A COPY naming the expunged message is refused whole, the expunge told with it.
    b.expunge_message(&mut h, 1);
    assert_eq!(a.line(&mut h, "a3 COPY 1:2 Trash"), format!("* 1 EXPUNGE\r\na3 NO {EXPUNGE_ISSUED}\r\n"));
    assert!(h.store.folder("bob@a.example", "Trash").unwrap().messages.is_empty());
    // LOGOUT is answered with BYE alone, whatever is pending.
    b.line(&mut h, "b6 STORE 1 +FLAGS.SILENT (\\Flagged)");
    assert_eq!(a.line(&mut h, "a4 LOGOUT"), "* BYE Logging out\r\na4 OK LOGOUT completed\r\n");
}

#[test]
fn a_uid_fetch_that_meets_an_expunge_between_slices_ends_ok() {
    // A UID names no message once it is gone: nothing to say NO about (RFC 9051 §6.4.9).
    let mut h = host(1_200);
    let mut c = logged_in(&mut h);
    let mut other = logged_in(&mut h);
    c.line(&mut h, "a1 SELECT INBOX");
    other.line(&mut h, "b1 SELECT INBOX");
    c.server.receive(b"a2 UID FETCH 1:* (FLAGS)\r\n", &mut h, NOW);
    let mut all = queued(&mut c.server);
    assert!(c.server.is_busy());
    other.expunge_message(&mut h, 900);
    while c.server.is_busy() {
        c.server.resume(&mut h, NOW);
        all.push_str(&queued(&mut c.server));
    }
    assert_eq!(all.matches(" FETCH (").count(), 1_199);
    assert!(
        all.ends_with("* 1200 FETCH (UID 1200 FLAGS (\\Recent))\r\na2 OK UID FETCH completed\r\n"),
        "{}",
        &all[all.len() - 200..]
    );
}
