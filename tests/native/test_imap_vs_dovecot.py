"""The lab's IMAP server against Dovecot's, answer for answer.

Each script below goes, line for line, to a private Dovecot (dovecot_imap.py: its own
config, loopback port, Maildir, user bob@a.example / bob-pw, stopped at the end) and to
the lab's server (conftest's Lab). Both start with the same account: INBOX and the
special-use folders Sent, Drafts, Trash and Junk, all subscribed and empty. Every script
makes the rest of its state itself (CREATE, APPEND with fixed flags and dates), so both
servers hold the same messages when it asks about them.

Answers are compared after imap_diff.canon_line (strings quoted or literal alike, sets
sorted, UIDVALIDITY values, CAPABILITY lists, INTERNALDATE zones and human text left out:
see there), session_checks (a response naming a message its session was not told of is
marked; RECENT lines that repeat a known count are dropped), ORDER_FREE and UPDATES
(answers whose untagged lines may come in any order), LEGITIMATE and LEGITIMATE_ANSWERS
(each difference we accept, with its reason). Whatever differs after that fails the test
and is shown as: the script, the step, the command, Dovecot's answer and the lab's, with
`!` on the lines the other lacks. Both raw transcripts are kept in the test's tmp_path.

Run: .venv/bin/python -m pytest tests/native/test_imap_vs_dovecot.py -q -s
"""
import re

import pytest

import imap_diff as d
from dovecot_imap import Dovecot
from imap_diff import Cmd, Connect, Done, Idle, Wait


def crlf(text):
    return text.lstrip("\n").replace("\r\n", "\n").replace("\n", "\r\n").encode()


LOGIN = "a0 LOGIN bob@a.example bob-pw"


def message(subject, date="Mon, 02 Mar 2020 10:00:00 +0000", body="Hello.\n", extra=""):
    return crlf(
        f"From: Alice <alice@a.example>\nTo: Bob <bob@a.example>\nSubject: {subject}\n"
        f"Date: {date}\nMessage-ID: <{subject.replace(' ', '.')}@a.example>\n{extra}\n{body}"
    )


def append(tag, folder, msg, flags="()", date="02-Mar-2020 12:00:00 +0000", plus=False):
    """APPEND with fixed flags and INTERNALDATE; a synchronising literal unless plus."""
    return Cmd("A", [f'{tag} APPEND {folder} {flags} "{date}" {{{len(msg)}{"+" if plus else ""}}}', msg])


# --- (a) folders ----------------------------------------------------------------------------
FOLDERS = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", 'a1 LIST "" ""'),
    Cmd("A", 'a2 LIST "" "*"'),
    Cmd("A", 'a3 LSUB "" "*"'),
    Cmd("A", "a4 NAMESPACE"),
    Cmd("A", "a5 CREATE a"),
    Cmd("A", "a6 CREATE a/test1"),
    Cmd("A", "a52 CREATE a/b"),  # made here on both: implied superiors are compared at h1-h3
    Cmd("A", "a7 CREATE a/b/c"),
    Cmd("A", "a8 CREATE a/test2"),
    Cmd("A", "a9 CREATE a/test3"),
    Cmd("A", "a10 CREATE a/x2/"),  # a trailing separator: RFC 9051 §6.3.4 creates "a/x2"
    Cmd("A", "a11 CREATE a/test1"),  # exists
    Cmd("A", "a12 CREATE INBOX"),
    Cmd("A", 'a13 LIST "" a/%'),
    Cmd("A", 'a14 LIST "" a/*'),
    Cmd("A", 'a15 LIST "" a/%/%'),
    Cmd("A", "a16 LIST a/ %"),  # reference + pattern
    Cmd("A", 'a50 LIST "" %'),  # a, with children, beside INBOX and the special-use folders
    Cmd("A", 'a17 LIST "" A/%'),  # names other than INBOX are case-sensitive
    Cmd("A", 'a18 LIST "" inbox'),  # INBOX is not
    # CREATE does not subscribe (RFC 9051 §6.3.4 says nothing of it; §6.3.7 SUBSCRIBE does).
    Cmd("A", 'a19 LSUB "" a/*'),
    Cmd("A", "a20 SUBSCRIBE a/test1"),
    Cmd("A", "a21 SUBSCRIBE a/b/c"),
    Cmd("A", 'a22 LSUB "" a/*'),
    # RFC 3501 §6.3.9: LSUB with % shows a/b, whose child is subscribed, as \Noselect.
    Cmd("A", 'a23 LSUB "" a/%'),
    Cmd("A", 'a24 LIST (SUBSCRIBED) "" a/*'),
    Cmd("A", 'a25 LIST (SUBSCRIBED RECURSIVEMATCH) "" a/%'),  # RFC 5258 §3.5: CHILDINFO
    Cmd("A", 'a26 LIST "" a/* RETURN (CHILDREN SUBSCRIBED)'),
    Cmd("A", 'a27 LIST "" a/% RETURN (STATUS (MESSAGES UIDNEXT UNSEEN))'),
    Cmd("A", 'a28 LIST "" (a/*2 a/test3)'),  # RFC 5258 §3: several patterns
    Cmd("A", 'a29 LIST () "" (a/test1 a/x2) RETURN (SUBSCRIBED)'),
    Cmd("A", 'a30 LIST (RECURSIVEMATCH) "" a/%'),  # RFC 5258 §3.1: alone it is BAD
    Cmd("A", "a31 RENAME a/test2 a/renamed"),
    Cmd("A", "a32 RENAME a/b a/bb"),  # with its child a/b/c
    Cmd("A", "a33 RENAME a/test3 a/test1"),  # target exists
    Cmd("A", "a34 RENAME a/nothere a/other"),
    Cmd("A", 'a35 LIST "" a/*'),
    Cmd("A", "a36 SUBSCRIBE a/x2"),
    Cmd("A", "a37 DELETE a/x2"),
    # RFC 9051 §6.3.7: the server must not remove a name from the subscriptions by itself.
    Cmd("A", 'a38 LSUB "" a/*'),
    Cmd("A", 'a39 LIST (SUBSCRIBED) "" a/*'),  # RFC 5258 §3.1: a/x2 \NonExistent
    Cmd("A", "a40 UNSUBSCRIBE a/test1"),
    Cmd("A", "a41 UNSUBSCRIBE a/x2"),
    Cmd("A", 'a42 LSUB "" a/*'),
    Cmd("A", "a43 DELETE a/nothere"),
    Cmd("A", "a44 DELETE a"),  # has children
    Cmd("A", "a45 DELETE a/test1"),
    Cmd("A", 'a46 LIST "" a/*'),
    Cmd("A", 'a51 LIST "" %'),  # a is gone, its children are not: a \Noselect level (RFC 3501 §6.3.4, §6.3.8)
    Cmd("A", 'a47 STATUS a/renamed (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)'),
    Cmd("A", "a48 SELECT a/bb"),  # renamed with its child
    # Superiors a name needs: RFC 9051 §6.3.4 says the server SHOULD create them.
    Cmd("A", "h1 CREATE h/x/y"),
    Cmd("A", 'h2 LIST "" h*'),
    Cmd("A", 'h3 LSUB "" h*'),  # CREATE subscribes nothing (RFC 9051 §6.3.4, §6.3.7)
    Cmd("A", "a49 LOGOUT"),
]

# --- (b) flags and keywords -----------------------------------------------------------------
FLAGS = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "b1 CREATE f"),
    append("b2", "f", message("flag one"), "(\\Seen)"),
    append("b3", "f", message("flag two")),
    append("b4", "f", message("flag three"), "(\\Flagged $kw1)"),
    Cmd("A", "b5 SELECT f"),
    Cmd("A", "b6 FETCH 1:* (FLAGS)"),
    # A new keyword: RFC 9051 §7.3.5/§6.4.6: FLAGS (and PERMANENTFLAGS) come again before the FETCH.
    Cmd("A", "b7 STORE 1 +FLAGS ($newkw)"),
    Cmd("A", "b8 STORE 2 +FLAGS.SILENT (\\Answered $newkw)"),
    Cmd("A", "b9 STORE 2 -FLAGS ($newkw)"),
    Cmd("A", "b10 STORE 3 FLAGS (\\Deleted)"),
    Cmd("A", "b11 STORE 3 FLAGS.SILENT (\\Seen $kw1)"),
    Cmd("A", "b12 STORE 1:3 -FLAGS.SILENT (\\Seen)"),
    Cmd("A", "b13 UID STORE 1:* +FLAGS (\\Draft)"),
    Cmd("A", "b14 STORE 1 +FLAGS (\\Recent)"),  # \Recent cannot be stored (RFC 3501 §2.3.2)
    Cmd("A", "b15 STORE 1 +FLAGS (\\Bogus)"),  # no such system flag
    Cmd("A", "b16 FETCH 1:* (UID FLAGS)"),
    Cmd("A", "b17 SEARCH KEYWORD $newkw"),
    Cmd("A", "b18 SEARCH UNKEYWORD $kw1"),
    Cmd("A", "b19 SEARCH DRAFT UNSEEN"),
    Cmd("A", "b20 CLOSE"),
    Cmd("A", "b21 SELECT f"),  # FLAGS now lists both keywords
    Cmd("A", "b22 EXAMINE f"),
    Cmd("A", "b23 STORE 1 +FLAGS (\\Seen)"),  # read-only
    Cmd("A", "b24 FETCH 1 (FLAGS)"),
    Cmd("A", "b24m MOVE 1 INBOX"),  # read-only too: MOVE expunges from f
    Cmd("A", "b25 LOGOUT"),
]

# --- (c) SEARCH ---------------------------------------------------------------------------
S1 = crlf("""
From: Some One <user-from (comment)@ (comment) domain.org>
To: Bob <bob@a.example>
Cc: carol@b.example
Subject: Quarterly report
Date: Mon, 02 Mar 2020 10:00:00 +0000
Message-ID: <s1@a.example>
X-Custom: alpha-value

The needle is in this body.
""")
S2 = crlf("""
From: user@domain.example (Real Name)
To: "Bob" <bob@a.example>, dave@d.example
Subject: Re: hello world
Date: Sun, 15 Mar 2020 23:30:00 -0500
Message-ID: <s2@a.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 au lait, soft=
 broken line.
""")
S3 = message("big", "Wed, 01 Apr 2020 08:00:00 +0200", "".join(f"line {i:04d} of a big body\n" for i in range(120)))
S4 = crlf("""
From: nodate@a.example
Subject: no date header

Nothing dated here.
""")
SEARCH = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "c1 CREATE s"),
    append("c2", "s", S1, "()", "03-Mar-2020 12:00:00 +0000"),
    append("c3", "s", S2, "(\\Seen)", "16-Mar-2020 12:00:00 +0000"),
    append("c4", "s", S3, "()", "01-Apr-2020 12:00:00 +0000"),
    append("c5", "s", S4, "()", "05-Apr-2020 12:00:00 +0000"),
    Cmd("A", "c6 SELECT s"),
    Cmd("A", "c7 FETCH 1:* (RFC822.SIZE)"),
    Cmd("A", 'c8 SEARCH FROM "user-from@domain.org"'),
    Cmd("A", 'c9 SEARCH FROM "domain.org"'),
    Cmd("A", 'c10 SEARCH FROM "comment"'),
    Cmd("A", 'c11 SEARCH FROM "Some One"'),
    Cmd("A", 'c12 SEARCH FROM "Real Name"'),
    Cmd("A", 'c13 SEARCH FROM "USER@DOMAIN.EXAMPLE"'),
    Cmd("A", 'c14 SEARCH TO "bob@a.example"'),
    Cmd("A", "c15 SEARCH TO dave"),
    Cmd("A", "c16 SEARCH CC carol"),
    Cmd("A", "c17 SEARCH TO carol"),
    Cmd("A", "c18 SEARCH SINCE 16-Mar-2020"),
    Cmd("A", "c19 SEARCH BEFORE 16-Mar-2020"),
    Cmd("A", "c20 SEARCH ON 16-Mar-2020"),
    Cmd("A", "c21 SEARCH SENTSINCE 15-Mar-2020"),
    Cmd("A", "c22 SEARCH SENTBEFORE 15-Mar-2020"),
    Cmd("A", "c23 SEARCH SENTON 15-Mar-2020"),  # the Date: header's own day (RFC 9051 §6.4.4)
    Cmd("A", "c24 SEARCH SENTON 01-Apr-2020"),
    Cmd("A", "c25 SEARCH LARGER 1000"),
    Cmd("A", "c26 SEARCH SMALLER 200"),
    Cmd("A", f"c27 SEARCH LARGER {len(S1)}"),  # strictly larger
    Cmd("A", f"c28 SEARCH SMALLER {len(S4) + 1}"),
    Cmd("A", 'c29 SEARCH BODY "needle"'),
    Cmd("A", 'c30 SEARCH BODY "NEEDLE"'),
    Cmd("A", 'c31 SEARCH BODY "Quarterly"'),  # only in the header
    Cmd("A", 'c32 SEARCH TEXT "Quarterly"'),
    Cmd("A", 'c33 SEARCH TEXT "alpha-value"'),
    Cmd("A", ["c34 SEARCH CHARSET UTF-8 BODY {5}", "Café".encode()]),  # decoded quoted-printable
    Cmd("A", 'c34b SEARCH CHARSET UTF-8 BODY "CAFÉ"'),  # UTF-8 in a quoted string, case folded
    Cmd("A", 'c34c SEARCH CHARSET UTF-8 BODY "cafe"'),  # found: both compare é decomposed, e + U+0301
    # RETURN before a literal (RFC 4731 §3): a client's non-ASCII key is sent as one.
    Cmd("A", ["c34d SEARCH RETURN (COUNT MIN) CHARSET UTF-8 BODY {5}", "Café".encode()]),
    Cmd("A", 'c35 SEARCH BODY "soft broken"'),
    Cmd("A", 'c36 SEARCH SUBJECT "hello"'),
    Cmd("A", 'c37 SEARCH SUBJECT "RE: HELLO"'),
    Cmd("A", 'c38 SEARCH HEADER "X-Custom" "alpha"'),
    Cmd("A", 'c39 SEARCH HEADER "X-Custom" ""'),
    Cmd("A", 'c40 SEARCH HEADER "Message-ID" "s2@"'),
    Cmd("A", 'c41 SEARCH NOT FROM "domain"'),
    Cmd("A", 'c42 SEARCH OR FROM "Real" SUBJECT "big"'),
    Cmd("A", "c43 UID SEARCH LARGER 1000"),
    Cmd("A", "c44 SEARCH 2:3 SUBJECT big"),
    Cmd("A", "c45 SEARCH SEEN"),
    Cmd("A", "c46 SEARCH SINCE 32-Mar-2020"),  # no such date
    Cmd("A", "c47 SEARCH CHARSET X-UNKNOWN BODY x"),  # RFC 9051 §6.4.4: NO [BADCHARSET]
    # "Any of 20 terms" as Thunderbird writes it: 19 ORs, each inside the next.
    Cmd("A", "c49 SEARCH " + "OR " * 19 + " ".join(f"SUBJECT t{n}" for n in range(19)) + " SUBJECT report"),
    Cmd("A", "c50 SEARCH RETURN (SAVE) SUBJECT hello"),  # RFC 5182: $ is then message 2
    Cmd("A", "c51 SEARCH OR (SUBJECT report) ($)"),
    Cmd("A", "c52 UID SEARCH ($ SEEN)"),
    Cmd("A", "c53 STATUS s ()"),  # RFC 9051 §6.3.11: one status-att at least
    Cmd("A", "c54 SEARCH RETURN (COUNT FOO) ALL"),  # an option the server does not know: BAD
    Cmd("A", "c55 SEARCH RETURN \u00e9() ALL"),  # no list: BAD (the lab's grammar once panicked here)
    Cmd("A", "c48 LOGOUT"),
]

# --- (d) FETCH of nested parts --------------------------------------------------------------
NESTED = crlf("""
From: user@domain.example (Real Name)
To: Bob <bob@a.example>
Subject: nested
Date: Mon, 02 Mar 2020 10:00:00 +0000
Message-ID: <nested@a.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: text/plain; charset=us-ascii

Part one text.
--outer
Content-Type: message/rfc822
Content-Description: forwarded

From: Carol <carol@b.example>
To: Bob <bob@a.example>
Subject: inner message
Date: Sun, 01 Mar 2020 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="inner"

inner preamble
--inner
Content-Type: text/plain

Inner plain.
--inner
Content-Type: text/html

<p>Inner html.</p>
--inner--
inner epilogue

--outer
Content-Type: application/octet-stream; name="a.bin"
Content-Disposition: attachment; filename="a.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgcICQ==
--outer--
outer epilogue
""")
FORWARD = crlf("""
From: Dan <dan@d.example>
To: Bob <bob@a.example>
Subject: forward
Date: Mon, 02 Mar 2020 11:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: message/rfc822

From: Eve <eve@e.example>
Subject: inner
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: text/plain

x
--b2--
epilogue of inner

--b1--
""")
ENVELOPES = crlf("""
From: "Quoted, Name" <q@x.example>
Sender: Secretary <sec@x.example>
Reply-To: replies@x.example
To: undisclosed-recipients:;
Cc: Team: ann@x.example, "Ben B" <ben@x.example>;, cat@x.example
Subject: =?utf-8?q?encoded_w=C3=B6rd?=
Date: Tue, 03 Mar 2020 10:00:00 +0100
In-Reply-To: <earlier@x.example>
Message-ID: <envelopes@x.example>

Body.
""")
FETCH = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "d1 CREATE n"),
    append("d2", "n", NESTED),
    append("d3", "n", FORWARD),
    append("d4", "n", ENVELOPES, plus=True),
    Cmd("A", "d5 SELECT n"),
    Cmd("A", "d6 FETCH 1 (BODYSTRUCTURE)"),
    Cmd("A", "d7 FETCH 1 (BODY)"),
    Cmd("A", "d8 FETCH 1 (ENVELOPE)"),
    Cmd("A", "d9 FETCH 1 (RFC822.SIZE)"),
    Cmd("A", "d10 FETCH 1 (BODY.PEEK[1])"),
    Cmd("A", "d11 FETCH 1 (BODY.PEEK[1.MIME])"),
    Cmd("A", "d12 FETCH 1 (BODY.PEEK[2])"),
    Cmd("A", "d13 FETCH 1 (BODY.PEEK[2.HEADER])"),
    Cmd("A", "d14 FETCH 1 (BODY.PEEK[2.TEXT])"),
    Cmd("A", "d15 FETCH 1 (BODY.PEEK[2.MIME])"),
    Cmd("A", "d16 FETCH 1 (BODY.PEEK[2.1])"),
    Cmd("A", "d17 FETCH 1 (BODY.PEEK[2.1.MIME])"),
    Cmd("A", "d18 FETCH 1 (BODY.PEEK[2.2])"),
    Cmd("A", "d19 FETCH 1 (BODY.PEEK[2.HEADER.FIELDS (Subject From)])"),
    Cmd("A", "d20 FETCH 1 (BODY.PEEK[2.HEADER.FIELDS.NOT (Subject)])"),
    Cmd("A", "d21 FETCH 1 (BODY.PEEK[3])"),
    Cmd("A", "d22 FETCH 1 (BODY.PEEK[3.MIME])"),
    Cmd("A", "d23 FETCH 1 (BODY.PEEK[4])"),  # no part 4
    Cmd("A", "d24 FETCH 1 (BODY.PEEK[HEADER])"),
    Cmd("A", "d25 FETCH 1 (BODY.PEEK[TEXT])"),
    Cmd("A", "d26 FETCH 1 (BODY.PEEK[]<0.10>)"),
    Cmd("A", "d27 FETCH 1 (BODY.PEEK[1]<2.5>)"),
    Cmd("A", "d28 FETCH 1 (BODY.PEEK[TEXT]<0.20>)"),
    Cmd("A", "d29 FETCH 1 (BODY.PEEK[]<100000.10>)"),
    Cmd("A", "d30 FETCH 1 (RFC822.HEADER)"),
    Cmd("A", "d31 FETCH 1 (FLAGS)"),
    Cmd("A", "d32 FETCH 1 (BODY[1])"),  # sets \Seen: FLAGS come with it (RFC 9051 §6.4.5)
    Cmd("A", "d33 FETCH 1 (FLAGS)"),
    Cmd("A", "d34 FETCH 2 (BODYSTRUCTURE)"),
    Cmd("A", "d35 FETCH 2 (BODY.PEEK[1.TEXT])"),  # body of the message/rfc822 part, epilogue included
    Cmd("A", "d36 FETCH 2 (BODY.PEEK[1.HEADER])"),
    Cmd("A", "d37 FETCH 2 (BODY.PEEK[1.1])"),
    Cmd("A", "d38 FETCH 2 (BODY.PEEK[1])"),
    Cmd("A", "d39 FETCH 3 (ENVELOPE)"),
    Cmd("A", "d40 FETCH 3 (BODYSTRUCTURE)"),
    Cmd("A", "d41 FETCH 1:3 (UID RFC822.SIZE INTERNALDATE)"),
    Cmd("A", "d42 FETCH 1 (BODY.PEEK[1.TEXT])"),  # TEXT of a non-message part
    Cmd("A", "d43 FETCH 2 FAST"),
    Cmd("A", "d44 UID FETCH 3 (FLAGS)"),
    Cmd("A", "d45 FETCH 4 (FLAGS)"),  # no message 4
    Cmd("A", "d46 LOGOUT"),
]

# --- (e) APPEND, COPY and MOVE with UIDPLUS ---------------------------------------------------
COPY = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "e1 CREATE e1"),
    Cmd("A", "e2 CREATE e2"),
    Cmd("A", "e3 CREATE e3"),
    Cmd("A", "e4 CREATE empty"),
    append("e5", "e1", message("copy one"), "(\\Seen)"),
    append("e6", "e1", message("copy two"), "(\\Flagged $kw)", "04-Mar-2020 08:30:00 +0900"),
    append("e7", "e1", message("copy three"), plus=True),
    append("e8", "nothere", message("nowhere")),  # RFC 9051 §6.3.12: NO [TRYCREATE]
    Cmd("A", "e9 STATUS e1 (MESSAGES UIDNEXT UNSEEN RECENT SIZE)"),
    Cmd("A", "e10 SELECT e1"),
    Cmd("A", "e11 COPY 1:2 e2"),
    Cmd("A", "e12 UID COPY 3 e2"),
    Cmd("A", "e13 COPY 1 nothere"),
    Cmd("A", "e14 MOVE 1 e3"),  # RFC 6851 §4.3: untagged OK [COPYUID], then EXPUNGE
    Cmd("A", "e15 UID MOVE 3 e3"),
    Cmd("A", "e16 FETCH 1:* (UID FLAGS)"),
    Cmd("A", "e17 SELECT e2"),
    Cmd("A", "e18 FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)"),  # copies keep flags and dates
    Cmd("A", "e19 UID COPY 2:* e3"),
    Cmd("A", "e20 UID COPY 9:10 e3"),  # no such UIDs
    Cmd("A", "e21 SELECT e3"),
    Cmd("A", "e22 FETCH 1:* (UID FLAGS)"),
    Cmd("A", "e23 SELECT empty"),
    Cmd("A", "e24 UID COPY 1:* e1"),  # empty folder: nothing copied, no COPYUID (RFC 4315 §3)
    Cmd("A", "e25 COPY 1:* e1"),
    Cmd("A", "e26 FETCH 1:* (FLAGS)"),
    Cmd("A", "e27 STATUS e3 (MESSAGES UIDNEXT UNSEEN)"),
    Cmd("A", "e28 LOGOUT"),
]

# --- (f) two sessions on one folder -------------------------------------------------------------
TWO = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "f1 CREATE two"),
    append("f2", "two", message("two one")),
    Cmd("A", "f3 SELECT two"),
    Connect("B"),
    Cmd("B", LOGIN.replace("a0", "b0")),
    Cmd("B", "b1 SELECT two"),
    Cmd("B", ["b2 APPEND two () \"02-Mar-2020 12:00:00 +0000\" {%d}" % len(message("two two")), message("two two")]),
    Cmd("B", "b3 STORE 1 +FLAGS (\\Flagged)"),
    Cmd("B", "b4 NOOP"),
    Cmd("B", "b5 STORE 2 +FLAGS (\\Answered)"),
    # RFC 9051 §7.4.1/§5.2: A hears of message 2 (EXISTS) before any FETCH about it.
    Cmd("A", "f4 NOOP"),
    Cmd("A", "f5 FETCH 1:* (UID FLAGS)"),
    Cmd("B", "b6 STORE 1 +FLAGS.SILENT (\\Deleted)"),
    Cmd("B", "b7 EXPUNGE"),
    Cmd("A", "f6 NOOP"),
    Idle("A", "f7"),
    Cmd("B", ["b8 APPEND two (\\Seen) \"02-Mar-2020 12:00:00 +0000\" {%d}" % len(message("two three")), message("two three")]),
    Wait("A", 2.0),  # pushed during IDLE without A sending anything
    Done("A"),
    Idle("A", "f8"),
    Cmd("B", "b9 STORE 1 +FLAGS (\\Seen)"),
    Wait("A", 2.0),
    Done("A"),
    Cmd("A", "f9 FETCH 1:* (UID FLAGS)"),
    Cmd("B", "b10 LOGOUT"),
    Cmd("A", "f10 LOGOUT"),
]

# --- (f2) a message another session expunged, before this session is told (RFC 2180 §4) ----------
EXPUNGED = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "x1 CREATE gone"),
    append("x2", "gone", message("gone one")),
    append("x3", "gone", message("gone two")),
    append("x4", "gone", message("gone three")),
    Cmd("A", "x5 SELECT gone"),
    Connect("B"),
    Cmd("B", LOGIN.replace("a0", "b0")),
    Cmd("B", "y1 SELECT gone"),
    Cmd("B", "y2 STORE 2 +FLAGS.SILENT (\\Deleted)"),
    Cmd("B", "y3 EXPUNGE"),
    # A still knows message 2: no EXPUNGE may come during FETCH, STORE or SEARCH.
    Cmd("A", "x6 FETCH 1:3 (UID)"),
    Cmd("A", "x7 STORE 2:3 +FLAGS (\\Flagged)"),
    Cmd("A", "x8 STORE 1:2 +FLAGS.SILENT (\\Answered)"),
    Cmd("A", "x9 SEARCH ALL"),
    Cmd("A", "x10 COPY 1:2 gone"),
    Cmd("A", "x11 NOOP"),
    Cmd("A", "x12 FETCH 1:* (UID FLAGS)"),
    Cmd("B", "y4 LOGOUT"),
    Cmd("A", "x13 LOGOUT"),
]

# --- (g) ID (RFC 2971) ------------------------------------------------------------------------
ID = [
    Connect("A"),
    Cmd("A", "g1 ID NIL"),  # before login too (RFC 2971 §3.1: any state)
    Cmd("A", LOGIN),
    Cmd("A", 'g2 ID ("name" "mail-lab-test" "version" "1")'),
    Cmd("A", 'g3 ID ("name")'),  # odd number of fields: BAD
    Cmd("A", "g4 ID"),  # missing argument: BAD
    Cmd("A", "g5 LOGOUT"),
]

# --- (h) international mailbox names: modified UTF-7 (RFC 3501 §5.1.3) ----------------------
# Neither server is told ENABLE IMAP4rev2 (Dovecot 2.3 has no IMAP4rev2), so both speak rev1:
# names go both ways in mUTF-7, and a name that is not mUTF-7 is refused.
NAMES = [
    Connect("A"),
    Cmd("A", LOGIN),
    Cmd("A", "i1 CREATE &TtVOiw-"),  # 仕事
    Cmd("A", "i2 CREATE AT&-T"),  # AT&T
    Cmd("A", "i3 CREATE &TtVOiw-/&ZeVnLIqe-"),  # 仕事/日本語
    Cmd("A", 'i4 LIST "" *'),
    Cmd("A", 'i5 LIST "" &TtVOiw-/%'),
    Cmd("A", 'i6 LIST "" "仕*"'),  # a UTF-8 pattern is matched as it is
    Cmd("A", 'i7 CREATE "仕事2"'),  # 8-bit: not mUTF-7
    Cmd("A", 'i8 CREATE "AT&T"'),  # & without -
    Cmd("A", "i9 CREATE &AGE-"),  # "a" encoded: not the one spelling
    Cmd("A", 'i10 SELECT "AT&T"'),
    Cmd("A", "i11 RENAME AT&- &ZeVnLA-&Iqe-"),  # two runs side by side
    Cmd("A", "i12 STATUS &TtVOiw- (MESSAGES UIDNEXT)"),
    append("i13", "&TtVOiw-/&ZeVnLIqe-", message("kokusai")),
    Cmd("A", "i14 SELECT &TtVOiw-/&ZeVnLIqe-"),
    Cmd("A", "i15 COPY 1 AT&-T"),
    Cmd("A", 'i16 COPY 1 "AT&T"'),
    Cmd("A", 'i16b EXAMINE "AT&T"'),  # a failed SELECT/EXAMINE leaves nothing selected
    Cmd("A", "i16c FETCH 1 (UID)"),
    Cmd("A", "i17 RENAME AT&-T &MEIwRDBG-"),  # AT&T to あいう
    Cmd("A", 'i18 LIST "" (&MEIwRDBG- &TtVOiw-/*) RETURN (STATUS (MESSAGES))'),
    Cmd("A", "i19 DELETE &MEIwRDBG-"),
    Cmd("A", "i20 LOGOUT"),
]

# --- (i) commands and keys the scripts above do not use ------------------------------------
EDGES = [
    Connect("A"),
    Cmd("A", ["j0 LOGIN {13}", b"bob@a.example", " {6}", b"bob-pw"]),  # literals for both
    Cmd("A", "j1 STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)"),
    Cmd("A", "j2 DELETE INBOX"),  # RFC 9051 §6.3.5: an error
    Cmd("A", "j3 SELECT nothere"),
    Cmd("A", "j4 CREATE INBOX/sub"),
    Cmd("A", 'j5 LIST "" INBOX*'),
    append("j6", "INBOX", message("one", extra="Cc: Carol <carol@b.example>\nBcc: dave@b.example\n"), flags="(\\Answered)"),
    append("j7", "INBOX", message("two", date="Tue, 03 Mar 2020 10:00:00 +0000"), date="03-Mar-2020 12:00:00 +0000"),
    append("j8", "INBOX", message("three"), flags="(\\Seen $Work)"),
    Cmd("A", "j9 SELECT INBOX"),
    Cmd("A", "j10 SEARCH ANSWERED"),
    Cmd("A", "j11 SEARCH BCC dave"),
    Cmd("A", "j12 SEARCH CC carol"),
    Cmd("A", "j13 SEARCH NEW"),
    Cmd("A", "j14 SEARCH LARGER 0 SMALLER 100000"),
    Cmd("A", "j15 SEARCH 3,1:2 KEYWORD $Work"),
    Cmd("A", "j16 SEARCH ON 3-Mar-2020"),
    Cmd("A", "j17 SEARCH SENTON 3-Mar-2020"),
    Cmd("A", "j18 SEARCH UID 2:*"),
    Cmd("A", "j19 SEARCH *:2"),
    Cmd("A", "j20 FETCH 1 FULL"),
    Cmd("A", "j21 FETCH 2 ALL"),
    Cmd("A", "j22 FETCH 3 (RFC822.TEXT)"),  # sets \Seen, already set
    Cmd("A", "j23 FETCH 1 (BINARY.SIZE[1])"),
    Cmd("A", "j24 FETCH 2 (BODY.PEEK[HEADER.FIELDS (CC BCC)])"),
    Cmd("A", "j25 STORE 2 FLAGS ()"),
    Cmd("A", "j26 UID STORE 1:* -FLAGS.SILENT (\\Answered)"),
    Cmd("A", "j27 FETCH 1:* (FLAGS)"),
    Cmd("A", "j28 STATUS INBOX (MESSAGES UIDNEXT)"),  # of the selected mailbox
    Cmd("A", "j29 UNSELECT"),
    Cmd("A", "j30 FETCH 1 (FLAGS)"),  # nothing selected
    Cmd("A", "j31 EXAMINE INBOX"),
    Cmd("A", "j32 CHECK"),
    Cmd("A", "j33 CLOSE"),
    Cmd("A", "j34 RENAME INBOX Old"),  # RFC 9051 §6.3.6: INBOX's messages move, INBOX stays
    Cmd("A", "j35 STATUS INBOX (MESSAGES)"),
    Cmd("A", "j36 STATUS Old (MESSAGES)"),
    Cmd("A", "j37 NOOP"),
    Cmd("A", "j38 LOGOUT"),
]

SCRIPTS = {"edges": EDGES, "folders": FOLDERS, "flags": FLAGS, "search": SEARCH, "fetch": FETCH, "copy": COPY, "two_sessions": TWO, "expunged": EXPUNGED, "id": ID, "names": NAMES}

# --- what may differ ---------------------------------------------------------------------------

# Commands whose untagged lines may come in any order: they are sorted before comparing.
# Anything not named here keeps the order each server sent it in.
ORDER_FREE = {
    "SELECT": "RFC 9051 §6.3.2 gives SELECT's untagged responses no order",
    "EXAMINE": "RFC 9051 §6.3.3: as SELECT",
    # Lines are sorted by mailbox, stably, so a mailbox's STATUS (LIST-STATUS) stays after
    # its LIST as each server sent them (RFC 5819 §2 puts it after).
    "LIST": "RFC 9051 §6.3.9: mailboxes in any order",
    "LSUB": "RFC 3501 §6.3.9: as LIST",
}
# Updates (NOOP, IDLE): the order of EXISTS, RECENT and FETCH lines is free as long as no
# line names a message the client has not been told of (checked in `session_checks`, on
# the order each server sent). With an EXPUNGE among them the order changes what the
# numbers mean, so it is kept.
UPDATES = ("NOOP", "CHECK", "<WAIT", "DONE")


def drop_children(line):
    """\\HasChildren / \\HasNoChildren taken out of a LIST/LSUB line's attributes."""
    line = re.sub(r"\\Has(?:No)?Children", "", line)
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", re.sub(r"  +", " ", line)))


# Differences we accept, line by line: applied to one server's normalised lines of a step
# before they are compared: (script or "*", command pattern, server "dovecot"/"lab"/"both",
# line pattern, replacement (a string or a function of the line) or None to drop the line,
# reason). Every entry names why the difference is not a defect of the lab.
LEGITIMATE = [
    ("*", r".", "dovecot", r"^\* OK \[CLOSED\]$", None,
     "CLOSED is QRESYNC's (RFC 7162 §3.2.11), which Dovecot advertises and the lab does not; "
     "RFC 9051 §6.3.2 asks for it only after ENABLE IMAP4rev2, which these scripts never send"),
    ("*", r"^\S+ LSUB |^\S+ LIST \(|^\S+ LIST \S+ \(|^\S+ LIST (?!.*CHILDREN).* RETURN ", "lab",
     r"^\* (LIST|LSUB) ", drop_children,
     "child information where it was not asked for (LSUB, or extended LIST without the CHILDREN "
     "return option): 'a server MAY provide it even if the option is not specified' (RFC 5258 §4); "
     "Dovecot gives it only to a plain LIST"),
    ("*", r"NOOP|<wait|DONE", "lab", r" UID \d+(?=\)$)", "",
     "UID in an unsolicited FETCH: a FETCH sent 'by unilateral server decision' carries the items "
     "the server chooses (RFC 3501 §7.4.2, RFC 9051 §7.5.2); Dovecot sends FLAGS alone"),
    ("two_sessions", r"^f4 NOOP", "lab", r"^\* 2 FETCH \(FLAGS \(\\Answered\)\)$", None,
     "an unsolicited FETCH with the flags of message 2, after its EXISTS: flag updates may be "
     "sent at any time (RFC 9051 §7.5.2); Dovecot leaves them to the client's own FETCH of a new message"),
    ("folders", r"RECURSIVEMATCH", "lab", r'\("CHILDINFO" ', "(CHILDINFO ",
     "the CHILDINFO tag is an astring (RFC 5258 §6, mbox-list-extended-item-tag): the lab quotes it as "
     "RFC 5258 §3.5's examples do, Dovecot sends it as an atom"),
    ("search", r"CHARSET X-UNKNOWN", "lab", r"^(\S+ NO \[BADCHARSET) \([^)]*\)\]", r"\1]",
     "BADCHARSET 'optionally followed by a parenthesized list of charsets' (RFC 9051 §7.1): the lab "
     "names the ones it searches in (UTF-8 US-ASCII) so the client knows what to send"),
    ("copy", r"^e8 APPEND nothere", "lab", r"^\+$", None,
     "APPEND to a missing mailbox: Dovecot refuses before the literal, the lab reads it first and then "
     "says NO [TRYCREATE]; both are RFC 9051 §6.3.12 / §7.5 (a server need not look at the mailbox "
     "before the continuation)"),
]

# Whole answers we accept from the lab where Dovecot answers otherwise: (script, command
# pattern, the lab's normalised answer, reason). The step passes when the lab's answer is
# exactly this (or equals Dovecot's).
LEGITIMATE_ANSWERS = [
    ("edges", r"^j2 DELETE INBOX", ["j2 NO [CANNOT]"],
     "both refuse (RFC 9051 §6.3.5); the lab adds RFC 5530's CANNOT code, Dovecot gives none"),
    ("edges", r"^j3 SELECT nothere", ["j3 NO [NONEXISTENT]"],
     "both refuse; the lab adds the NONEXISTENT code (RFC 5530 §3, RFC 9051 §7.1) that says why"),
    ("edges", r"^j25 STORE 2 FLAGS \(\)", ["* 2 FETCH (FLAGS (\\Recent))", "j25 OK"],
     "STORE without .SILENT answers with the message's flags (RFC 3501 §6.4.6) even when they did not "
     "change; Dovecot leaves out a FETCH that would say nothing new"),
    ("edges", r"^j28 STATUS INBOX", ['* STATUS "INBOX" (MESSAGES 3 UIDNEXT 4)', "j28 OK"],
     "STATUS of the selected mailbox: the same answer; Dovecot adds the CLIENTBUG code because RFC 9051 "
     "§6.3.11 says a client SHOULD NOT ask, which is advice to the client, not a requirement on the server"),
    ("edges", r"^j34 RENAME INBOX Old", ["j34 OK"],
     "RENAME INBOX moves INBOX's messages to the new name and leaves INBOX empty (RFC 9051 §6.3.6, "
     "RFC 3501 §6.3.5); Dovecot's Maildir layout does not support it (NO [CANNOT]). j35 and j36 follow"),
    ("edges", r"^j35 STATUS INBOX", ['* STATUS "INBOX" (MESSAGES 0)', "j35 OK"], "follows from j34"),
    ("edges", r"^j36 STATUS Old", ['* STATUS "Old" (MESSAGES 3)', "j36 OK"], "follows from j34"),
    ("folders", r'^a51 LIST "" %', [
        '* LIST (\\Drafts \\HasNoChildren) "/" "Drafts"', '* LIST (\\HasNoChildren) "/" "INBOX"',
        '* LIST (\\HasNoChildren \\Junk) "/" "Junk"', '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
        '* LIST (\\HasNoChildren \\Trash) "/" "Trash"', '* LIST (\\HasChildren \\Noselect) "/" "a"', "a51 OK"],
     "after DELETE a, whose children stay, RFC 3501 §6.3.4 / §6.3.8 give the name a \\Noselect; "
     "Dovecot's Maildir++ layout lists it without \\Noselect although SELECT a says it does not exist"),
    ("folders", r'^h2 LIST "" h\*', [
        '* LIST (\\HasChildren) "/" "h"', '* LIST (\\HasChildren) "/" "h/x"', '* LIST (\\HasNoChildren) "/" "h/x/y"', "h2 OK"],
     "the superiors CREATE h/x/y needs: the lab makes them mailboxes, Dovecot's Maildir++ layout keeps "
     "them as names only (\\Noselect); RFC 9051 §6.3.4 asks for 'any superior hierarchical names' and "
     "allows either"),
    ("flags", r"^b14 STORE 1 \+FLAGS \(\\Recent\)", ["* 1 FETCH (FLAGS ($newkw \\Draft \\Recent))", "b14 OK"],
     "a flag outside PERMANENTFLAGS: 'the server will either ignore the change or store the state "
     "change for the remainder of the current session only' (RFC 3501 §7.1); Dovecot says BAD"),
    ("flags", r"^b15 STORE 1 \+FLAGS \(\\Bogus\)", ["* 1 FETCH (FLAGS ($newkw \\Draft \\Recent))", "b15 OK"],
     "as b14: \\Bogus is a flag-extension outside PERMANENTFLAGS, ignored (RFC 3501 §7.1)"),
    ("flags", r"^b23 STORE", ["b23 NO [READ-ONLY]"],
     "STORE after EXAMINE: no change is permitted (RFC 9051 §6.3.3); the lab refuses with NO "
     "(§6.4.6), Dovecot answers OK and changes nothing (b24 shows the same flags on both)"),
    ("flags", r"^b24m MOVE", ["b24m NO [READ-ONLY]"],
     "MOVE after EXAMINE: it expunges from the mailbox, a change RFC 9051 §6.3.3 does not permit "
     "('No changes to the permanent state of the mailbox'); the lab refuses with NO, Dovecot moves "
     "the message (COPYUID, EXPUNGE, OK). COPY is allowed on both: it does not change f"),
    ("search", r"^c22 SEARCH SENTBEFORE", ["* SEARCH 1", "c22 OK"],
     "message 4 has no Date: header; RFC 9051 §6.4.4 does not say what its sent date is: Dovecot "
     "takes 1970-01-01 (so it is SENTBEFORE anything), the lab leaves it out of SENT* keys"),
    ("search", r"^c46 SEARCH SINCE 32-Mar", ["c46 BAD"],
     "there is no 32 March: the lab refuses the argument (BAD, RFC 9051 §7.1.3), Dovecot finds nothing"),
    ("expunged", r"^x6 FETCH 1:3", ["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "x6 NO [EXPUNGEISSUED]"],
     "FETCH of a message another session expunged, before this session may be told (RFC 9051 §7.5.1): "
     "RFC 2180 §4.1 lists both answers. Dovecot keeps the message readable until it can send the "
     "EXPUNGE (§4.1.1); the lab, whose store no longer holds it, answers for the others and says NO "
     "with RFC 5530's EXPUNGEISSUED code (§4.1.2), so the learner sees why message 2 got nothing"),
    ("expunged", r"^x7 STORE 2:3 \+FLAGS ", ["* 3 FETCH (FLAGS (\\Flagged \\Recent))", "x7 NO [EXPUNGEISSUED]"],
     "as x6, for STORE without .SILENT: 'the server MAY set the flags and return a FETCH response for "
     "the non-expunged messages along with a tagged NO' (RFC 2180 §4.2.3); Dovecot shows flags on the "
     "expunged message too. With .SILENT (x8) both answer OK (§4.2.1)"),
    ("expunged", r"^x9 SEARCH ALL", ["* SEARCH 1 3", "x9 OK"],
     "as x6, for SEARCH: 'A server MAY simply not return a search response for messages that have been "
     "expunged and it has not been able to inform the client about' (RFC 2180 §4.3); Dovecot still finds it"),
    ("id", r'^g3 ID \("name"\)', ["g3 BAD"],
     "an odd number of ID fields breaks RFC 2971 §4's grammar (pairs): BAD; Dovecot is lenient"),
    ("id", r"^g4 ID$", ["g4 BAD"],
     "ID without its argument breaks RFC 2971 §4's grammar ('ID' SP (list / NIL)): BAD; Dovecot is lenient"),
]


def verb_of(step):
    if not isinstance(step, Cmd):
        return step.shown().split()[0].upper() if not isinstance(step, Connect) else ""
    words = step.parts[0].split()
    v = words[1].upper() if len(words) > 1 else ""
    return words[2].upper() if v == "UID" and len(words) > 2 else v


def session_checks(steps, canon):
    """What each server's answers say about its sessions, in the order it sent them.

    Adds a `!!` line wherever a response names a message the session has not been told of
    (RFC 9051 §2.3.1.2: a client knows the messages of the EXISTS it got, minus EXPUNGEs; a
    FETCH or EXPUNGE of message n > that number is meaningless to it), and drops RECENT lines
    that carry nothing new: a count equal to the one the session already has, or one that
    comes with an EXPUNGE (RFC 3501 §7.4.1: an EXPUNGE itself updates the client's counts,
    and it knows whether the expunged message was \\Recent; Dovecot resends RECENT then, the
    lab does not). After an EXPUNGE the next RECENT, in that answer or a later one, is dropped
    too: Dovecot sends it with the EXPUNGE, the lab with the next EXISTS. SELECT and EXAMINE
    always keep theirs."""
    known, recent, stale = {}, {}, {}
    out = []
    for step, lines in zip(steps, canon):
        s = step.session
        selecting = verb_of(step) in ("SELECT", "EXAMINE")
        if selecting:
            known[s], recent[s] = 0, None
        expunged = any(re.match(r"^\* \d+ EXPUNGE$", l) for l in lines)
        if selecting:
            stale[s] = False
        elif expunged:
            # Without a RECENT of its own, this answer leaves the count to the next RECENT.
            stale[s] = not any(re.match(r"^\* \d+ RECENT$", l) for l in lines)
        kept = []
        for l in lines:
            m = re.match(r"^\* (\d+) (EXISTS|RECENT|EXPUNGE|FETCH)\b", l)
            if not m:
                kept.append(l)
                continue
            n, kind = int(m.group(1)), m.group(2)
            if kind == "EXISTS":
                known[s] = n
            elif kind == "RECENT":
                if not selecting and (n == recent.get(s) or expunged or stale.get(s)):
                    recent[s] = n
                    if not expunged:
                        stale[s] = False
                    continue
                recent[s] = n
            elif n > known.get(s, 0):
                kept.append(l)
                kept.append(f"!! {kind} of message {n} while the session knows {known.get(s, 0)} (RFC 9051 §2.3.1.2)")
                if kind == "EXPUNGE":
                    known[s] = known.get(s, 0) - 1
                continue
            elif kind == "EXPUNGE":
                known[s] -= 1
            kept.append(l)
        out.append(kept)
    return out


def normalise(script, step, out, server):
    shown = step.shown()
    for s, cmd, who, pattern, repl, _reason in LEGITIMATE:
        if s not in ("*", script) or who not in ("both", server) or not re.search(cmd, shown):
            continue
        if repl is None:
            out = [l for l in out if not re.search(pattern, l)]
        elif callable(repl):
            out = [repl(l) if re.search(pattern, l) else l for l in out]
        else:
            out = [re.sub(pattern, repl, l) for l in out]
    verb = verb_of(step)
    free = verb in ORDER_FREE or (verb in UPDATES and not any(l.endswith(" EXPUNGE") for l in out))
    if free:
        tagged = [l for l in out if not l.startswith("*")]
        untagged = [l for l in out if l.startswith("*")]
        keyed = [(d.list_key(l) or "", i, l) for i, l in enumerate(untagged)]
        out = [l for _, _, l in sorted(keyed, key=lambda t: (t[0], t[1] if t[0] else t[2]))] + tagged
    return out


@pytest.fixture
def dovecot():
    server = Dovecot().start()
    yield server
    server.stop()


def transcript(steps, answers):
    out = []
    for step, lines in zip(steps, answers):
        out.append(f"C[{step.session}]: {step.shown()}")
        out += [f"S[{step.session}]: " + l.decode("utf-8", "replace") for l in lines]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_same_answers_as_dovecot(script, lab, dovecot, tmp_path):
    steps = SCRIPTS[script]
    theirs = d.run_script(dovecot.port, steps)
    ours = d.run_script(lab.ports["imap"], steps)
    (tmp_path / f"{script}.dovecot.txt").write_text(transcript(steps, theirs))
    (tmp_path / f"{script}.lab.txt").write_text(transcript(steps, ours))
    theirs = session_checks(steps, [[d.canon_line(l) for l in a] for a in theirs])
    ours = session_checks(steps, [[d.canon_line(l) for l in a] for a in ours])
    differences = []
    for i, (step, t, o) in enumerate(zip(steps, theirs, ours), 1):
        nt, no = normalise(script, step, t, "dovecot"), normalise(script, step, o, "lab")
        accepted = [r for r in LEGITIMATE_ANSWERS if r[0] == script and re.search(r[1], step.shown())]
        if nt != no and not any(no == list(r[2]) for r in accepted):
            only_t = [l for l in nt if l not in no]
            only_o = [l for l in no if l not in nt]
            block = [f"[{script}] step {i} session {step.session}: {step.shown()}"]
            block += [f"  dovecot{'!' if l in only_t else ' '} {l}" for l in nt]
            block += [f"  lab    {'!' if l in only_o else ' '} {l}" for l in no]
            differences.append("\n".join(block))
    report = "\n".join(differences)
    if differences:
        print(f"\n{len(differences)} difference(s) in {script} (raw transcripts in {tmp_path}):\n{report}")
    assert not differences, f"{len(differences)} difference(s) from Dovecot (raw transcripts in {tmp_path}):\n{report}"
