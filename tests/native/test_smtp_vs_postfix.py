"""The lab's SMTP server (port 25) against Postfix's smtpd, reply for reply.

Each script below goes, step by step, to a private Postfix (postfix_smtp.py: its own
config and queue, a loopback port, the domain a.example with alice and bob, relaying for
no one, stopped at the end) and to the lab's server (conftest's Lab), whose
mail.a.example has the same accounts and relays for no one either.

A reply is compared as a client reads it (canon): the three-digit code and the enhanced
status code (RFC 3463) of its last line. Left out, because RFC 5321 leaves them to the
server: the human text, and in the EHLO reply the greeting line and the parameters of
SIZE (each server's limit is its own). The EHLO keywords are compared as a set, less the
lines in EHLO_ONLY.

Every remaining difference is in ANSWERS, with its reason; anything else fails the test
and is shown as the script, the step, Postfix's reply and the lab's. Both raw transcripts
are kept in the test's tmp_path.

Run: .venv/bin/python -m pytest tests/native/test_smtp_vs_postfix.py -q -s
"""
import re
import socket

import pytest

from differential import assert_same
from postfix_smtp import Postfix, can_run

READ_TIMEOUT = 10.0

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


class Pipelined:
    """Several commands in one write (RFC 2920), each answered in order."""

    def __init__(self, *commands):
        self.commands = commands

    def __str__(self):
        return " | ".join(self.commands)


class Raw:
    """Octets sent as they are (message text after 354, a BDAT chunk), one reply read."""

    def __init__(self, octets):
        self.octets = octets

    def __str__(self):
        first = self.octets.split(b"\r\n", 1)[0].decode("utf-8", "replace")
        return f"<{len(self.octets)} octets: {first[:40]}>"


MESSAGE = Raw(
    b"From: Alice <alice@a.example>\r\nTo: Bob <bob@a.example>\r\nSubject: hello\r\n\r\n"
    b"Hi Bob.\r\n..a line that starts with a dot (dot-stuffed)\r\n.\r\n"
)
# A line ending in LF alone, inside DATA.
BARE_LF = Raw(b"Subject: bare LF\r\n\r\na bare\nLF\r\n.\r\n")
EHLO = "EHLO client.example"

SCRIPTS = {
    "transaction": [
        ("A", None),
        ("A", EHLO),
        ("A", "MAIL FROM:<alice@a.example>"),
        ("A", "RCPT TO:<bob@a.example>"),
        ("A", "RCPT TO:<nobody@a.example>"),  # no such user
        ("A", "RCPT TO:<carol@b.example>"),  # not ours to relay
        ("A", "RCPT TO:<BOB@A.EXAMPLE>"),  # the domain and, here, the local part in any case
        ("A", "DATA"),
        ("A", MESSAGE),
        ("A", "NOOP"),
        ("A", "RSET"),
        ("A", "MAIL FROM:<>"),  # a bounce's null sender
        ("A", "RCPT TO:<bob@a.example>"),
        ("A", "DATA"),
        ("A", MESSAGE),
        ("A", "MAIL FROM:<alice@a.example> SIZE=100 BODY=8BITMIME"),
        ("A", "RCPT TO:<bob@a.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@a.example"),  # DSN, RFC 3461
        ("A", "RSET"),
        ("A", "QUIT"),
    ],
    "sequence": [
        ("A", None),
        ("A", EHLO),
        ("A", "RCPT TO:<bob@a.example>"),  # no MAIL yet
        ("A", "DATA"),
        ("A", "MAIL FROM:<alice@a.example>"),
        ("A", "DATA"),  # no RCPT yet
        ("A", "MAIL FROM:<alice@a.example>"),  # nested
        ("A", "RCPT TO:<bob@a.example>"),
        ("A", Raw(b"BDAT 14\r\nSubject: x\r\n\r\n")),  # RFC 3030 CHUNKING: the message in two chunks
        ("A", Raw(b"BDAT 11 LAST\r\nin chunks\r\n")),
        ("A", "MAIL FROM:<alice@a.example>"),
        ("A", "RCPT TO:<bob@a.example>"),
        ("A", Raw(b"BDAT 12\r\nSubject: x\r\n")),
        ("A", "DATA"),  # DATA may not follow BDAT in one transaction
        ("A", "RSET"),
        ("A", EHLO),  # a second EHLO resets too
        ("A", "RCPT TO:<bob@a.example>"),
        ("A", "QUIT"),
        ("B", None),
        ("B", EHLO),
        ("B", Raw(b"BDAT 3 LAST\r\nx\r\n")),  # no transaction
        ("B", "QUIT"),
        ("C", None),
        ("C", EHLO),
        ("C", "MAIL FROM:<alice@a.example>"),
        ("C", "RCPT TO:<bob@a.example>"),
        ("C", "DATA"),
        ("C", BARE_LF),
        ("C", "QUIT"),
    ],
    "syntax": [
        ("A", None),
        ("A", EHLO),
        ("A", "FOO"),
        ("A", "MAIL FROM:<alice@a.example> FOO=bar"),  # an unknown parameter
        ("A", "MAIL FROM:<alice@a.example> SIZE=999999999"),  # over either server's limit
        ("A", "RSET"),  # (Postfix keeps the refused SIZE until RSET)
        ("A", "MAIL FROM:<alice@a.example>"),
        ("A", "RCPT TO:<bob@a.example> FOO=bar"),
        ("A", "RSET"),
        ("A", "EHLO"),  # no domain
        ("A", "HELO"),
        ("A", "QUIT"),
    ],
    "pipelining": [
        ("A", None),
        ("A", EHLO),
        ("A", Pipelined("MAIL FROM:<alice@a.example>", "RCPT TO:<bob@a.example>", "RCPT TO:<nobody@a.example>", "DATA")),
        ("A", MESSAGE),
        ("A", Pipelined("RSET", "MAIL FROM:<alice@a.example>", "RCPT TO:<nobody@a.example>", "DATA")),
        ("A", "QUIT"),
    ],
    # Where the two servers part, kept apart so that one difference does not change what
    # the next command finds.
    "lenient": [
        ("A", None),
        ("A", "MAIL FROM:<alice@a.example>"),  # before EHLO
        ("B", None),
        ("B", "HELO client.example"),
        ("B", "MAIL FROM:<alice@a.example> BODY=8BITMIME"),  # a parameter after HELO
        ("C", None),
        ("C", EHLO),
        ("C", "MAIL FROM:alice@a.example"),  # no angle brackets
        ("D", None),
        ("D", EHLO),
        ("D", "MAIL FROM:<a b@c.example>"),  # a space in the address
        ("E", None),
        ("E", EHLO),
        ("E", ""),  # an empty line
        ("E", "VRFY bob"),
        ("E", "VRFY nobody"),
        ("E", "EXPN bob"),
        ("E", "HELP"),
        ("E", "QUIT"),
    ],
}

# EHLO keywords only one of the servers announces; each side's are removed before the
# sets are compared.
EHLO_ONLY = {
    "postfix": {
        "ETRN": "RFC 1985 remote queue starting, for dial-up sites; the lab has no such queue",
    },
    "lab": {
        "STARTTLS": "RFC 3207: the lab's port 25 offers TLS; this Postfix has no certificate",
        "HELP": "not an EHLO keyword in any RFC; the lab announces that HELP answers (RFC 5321 §4.1.1.8)",
        "EXPN": "RFC 5321 §3.5.2: EXPN, where supported, MUST be listed; Postfix has no EXPN",
    },
}

# Replies that differ, with the reason the lab's is kept:
# (script, session, step as shown, Postfix's canonical reply, the lab's, reason).
ANSWERS = [
    ("syntax", "A", "FOO", "500 5.5.2", "500 5.5.1",
     "RFC 3463: X.5.1 is 'Invalid command' (what FOO is), X.5.2 'Syntax error'"),
    ("sequence", "C", str(BARE_LF), "250 2.0.0", "554 5.6.0",
     "RFC 5321 §2.3.8: CR and LF must only occur together; a bare LF is how SMTP smuggling hides a second "
     "message (CVE-2023-51764), so the lab refuses it; Postfix 3.7 takes it unless smtpd_forbid_bare_newline"),
    ("syntax", "A", "EHLO", "501", "501 5.5.4",
     "the same 501; the lab's ENHANCEDSTATUSCODES hold for the session once announced (RFC 2034), Postfix "
     "gives none to an EHLO it refuses"),
    ("syntax", "A", "HELO", "501", "501 5.5.4", "as above"),
    ("lenient", "A", "MAIL FROM:<alice@a.example>", "250 2.1.0", "503",
     "RFC 5321 §4.1.4 has the client start with EHLO or HELO, and the lab asks for it (a learner sees why); "
     "Postfix waives it unless smtpd_helo_required = yes. No enhanced code: the client has not said EHLO "
     "to learn of ENHANCEDSTATUSCODES (RFC 2034)"),
    ("lenient", "B", "MAIL FROM:<alice@a.example> BODY=8BITMIME", "250 2.1.0", "555",
     "BODY= is an ESMTP parameter (RFC 6152) and HELO is not ESMTP: RFC 5321 §4.1.1.11 ties MAIL "
     "parameters to extensions the server announced in its EHLO reply"),
    ("lenient", "C", "MAIL FROM:alice@a.example", "250 2.1.0", "501 5.5.4",
     "RFC 5321 §4.1.2: Reverse-path = Path, and a Path is in angle brackets; Postfix accepts one without "
     "unless strict_rfc821_envelopes = yes"),
    ("lenient", "D", "MAIL FROM:<a b@c.example>", "501 5.1.7", "501 5.5.4",
     "the same 501; the lab calls it a syntax error of the command (X.5.4, 'invalid command arguments'), "
     "Postfix a bad sender address (X.1.7); RFC 3463 fits either"),
    ("lenient", "E", "VRFY bob", "252 2.0.0", "250 2.1.5",
     "RFC 5321 §3.5.3: 250 names the mailbox, 252 says only that the server will try; Postfix will not "
     "confirm addresses, the lab does, so that a learner can see what VRFY was for"),
    ("lenient", "E", "EXPN bob", "500 5.5.2", "550 5.1.1",
     "EXPN is optional (RFC 5321 §3.5.2); Postfix has none, the lab expands aliases and lists, and bob is "
     "neither"),
    ("lenient", "E", "HELP", "500 5.5.2", "214 2.0.0",
     "HELP is optional in RFC 5321 §4.5.1's minimum; Postfix has none, the lab explains its commands"),
]


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            lines.append(b"<closed>")
            return lines
        lines.append(line.rstrip(b"\r\n"))
        if line[3:4] != b"-":
            return lines


def flatten(steps):
    """One (session, shown, what is sent) per reply."""
    out = []
    for session, step in steps:
        if isinstance(step, Pipelined):
            out += [(session, c) for c in step.commands]
        else:
            out.append((session, step))
    return out


def run_script(port, steps):
    socks, files, replies = {}, {}, []
    try:
        for session, step in steps:
            if step is None:
                s = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
                socks[session], files[session] = s, s.makefile("rb")
                expected = 1
            else:
                if isinstance(step, Raw):
                    octets, expected = step.octets, 1
                elif isinstance(step, Pipelined):
                    octets, expected = b"".join(c.encode() + b"\r\n" for c in step.commands), len(step.commands)
                else:
                    octets, expected = step.encode() + b"\r\n", 1
                try:
                    socks[session].sendall(octets)
                except OSError:
                    replies += [[b"<closed>"]] * expected
                    continue
            for _ in range(expected):
                try:
                    replies.append(read_reply(files[session]))
                except OSError:
                    replies.append([b"<closed>"])
    finally:
        for s in socks.values():
            s.close()
    return replies


def canon(step, reply, server):
    last = reply[-1].decode("latin-1")
    if last == "<closed>":
        return [last]
    m = re.match(r"^(\d{3})[ -]?(?:([245]\.\d{1,3}\.\d{1,3})\b)?", last)
    if not m:
        return [f"?? {last}"]
    out = [m.group(1) + (f" {m.group(2)}" if m.group(2) else "")]
    if isinstance(step, str) and step.upper().startswith("EHLO ") and m.group(1) == "250":
        keywords = {l.decode("latin-1")[4:].split(" ")[0].upper() for l in reply[1:]}
        assert set(EHLO_ONLY[server]) <= keywords, f"{server} no longer announces all of {sorted(EHLO_ONLY[server])}"
        out += sorted(keywords - set(EHLO_ONLY[server]))
    return out


def transcript(steps, replies):
    out = []
    for (session, step), reply in zip(steps, replies):
        out.append(f"C[{session}]: {'<connect>' if step is None else step}")
        out += [f"S[{session}]: " + l.decode("latin-1") for l in reply]
    return "\n".join(out) + "\n"


@pytest.fixture
def postfix():
    server = Postfix().start()
    yield server
    server.stop()


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_same_replies_as_postfix(script, lab, postfix, tmp_path):
    steps = SCRIPTS[script]
    theirs = run_script(postfix.port, steps)
    ours = run_script(lab.ports["smtp"], steps)
    steps = flatten(steps)
    (tmp_path / f"{script}.postfix.txt").write_text(transcript(steps, theirs))
    (tmp_path / f"{script}.lab.txt").write_text(transcript(steps, ours))
    rows = [(session, "<connect>" if step is None else str(step), canon(step, t, "postfix"), canon(step, o, "lab"))
            for (session, step), t, o in zip(steps, theirs, ours)]
    assert_same("Postfix", script, rows, ANSWERS, tmp_path)
