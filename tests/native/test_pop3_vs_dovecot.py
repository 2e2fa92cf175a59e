"""The lab's POP3 server against Dovecot's pop3d, answer for answer.

Each script below goes, line for line, to a private Dovecot (dovecot_imap.py with POP3 on:
its own config, loopback ports, Maildir, user bob@a.example / bob-pw, stopped at the end)
and to the lab's server (conftest's Lab). Before the script, the same three messages are
put in both INBOXes through each server's own IMAP (APPEND), so both maildrops start equal.

An answer is compared as a client reads it (canon): the status (+OK, -ERR, or "+" for a
SASL challenge) and its response code (RFC 2449 §8, e.g. [AUTH], [IN-USE]); the numbers of
STAT and of a one-message LIST or UIDL; and every line of a multi-line answer, octet for
octet, dot-stuffing included. Left out, because RFC 1939 leaves them to the server: the
human text after the status, and the unique-ids themselves (each server's are replaced by
u1, u2, … in the order they first appear in the script, so they must still be unique and
stay the same across sessions). CAPA is compared as a set, less the lines in CAPA_ONLY.

Every other remaining difference is in ANSWERS, with its reason; anything else fails the test
and is shown as the script, the step, Dovecot's answer and the lab's. Both raw transcripts
are kept in the test's tmp_path.

Run: .venv/bin/python -m pytest tests/native/test_pop3_vs_dovecot.py -q -s
"""
import base64
import imaplib
import re
import socket

import pytest

from differential import assert_same
from dovecot_imap import PASSWORD, USER, Dovecot

READ_TIMEOUT = 10.0  # above Dovecot's delay after a failed login

MESSAGES = [
    # A body line that starts with "." must come dot-stuffed (RFC 1939 §3).
    b"From: Alice <alice@a.example>\r\nTo: bob@a.example\r\nSubject: one\r\n\r\nline 1\r\n.dot line\r\n.\r\nline 4\r\n",
    # No CRLF at the end: the server must add one before the terminating "." line.
    b"From: Alice <alice@a.example>\r\nTo: bob@a.example\r\nSubject: two\r\n\r\nno final newline",
    # Headers only (an encoded-word Subject): TOP n 0 is the header and the blank line.
    b"From: Carol <carol@b.example>\r\nSubject: =?UTF-8?B?5pel5pys6Kqe?=\r\n\r\n",
]

PLAIN = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
PLAIN_WRONG = base64.b64encode(f"\0{USER}\0wrong".encode()).decode()
LOGIN = [("A", f"USER {USER}"), ("A", f"PASS {PASSWORD}")]

SCRIPTS = {
    "transaction": [("A", None), ("A", "CAPA")] + LOGIN + [
        ("A", "CAPA"),  # RFC 2449 §5: also in the TRANSACTION state
        ("A", "STAT"),
        ("A", "LIST"),
        ("A", "UIDL"),
        ("A", "LIST 2"),
        ("A", "UIDL 3"),
        ("A", "RETR 1"),
        ("A", "RETR 2"),
        ("A", "RETR 3"),
        ("A", "TOP 1 0"),
        ("A", "TOP 1 2"),
        ("A", "TOP 1 100"),  # more lines than the body has: all of it
        ("A", "TOP 1 4294967296"),  # past 32 bits: still all of it (no upper bound in RFC 1939)
        ("A", "TOP 3 0"),
        ("A", "stat"),  # commands are case-insensitive (RFC 1939 §3)
        ("A", "list 1"),
        ("A", "NOOP"),
        ("A", "DELE 1"),
        ("A", "DELE 1"),  # already deleted
        ("A", "STAT"),  # deleted messages are not counted
        ("A", "LIST"),  # nor listed; the others keep their numbers
        ("A", "UIDL"),
        ("A", "RETR 1"),
        ("A", "TOP 1 0"),
        ("A", "LIST 1"),
        ("A", "RSET"),  # undeletes
        ("A", "STAT"),
        ("A", "DELE 2"),
        ("A", "QUIT"),  # UPDATE state: message 2 is gone for good
        ("B", None),
    ] + [("B", c) for c in (f"USER {USER}", f"PASS {PASSWORD}", "STAT", "LIST", "UIDL", "RETR 2", "QUIT")],
    # Failed logins come last, one per session: after one, Dovecot answers each login
    # from the same address about 4.5 s late (against password guessing); the lab does not.
    "authorization": [
        ("D", None),
        ("D", "AUTH FOO"),  # no such SASL mechanism
        ("D", "AUTH PLAIN ###"),  # not base64
        ("D", "AUTH PLAIN"),  # no initial response: an empty challenge
        ("D", "*"),  # the client cancels (RFC 5034 §4)
        ("D", "AUTH PLAIN"),
        ("D", PLAIN),  # the response to the challenge
        ("D", "STAT"),
        ("E", None),  # a second session while D holds the maildrop (RFC 1939 §8)
        ("E", f"AUTH PLAIN {PLAIN}"),
        ("D", "QUIT"),
        ("F", None),
        ("F", f"AUTH PLAIN {PLAIN}"),
        ("F", "STAT"),
        ("F", "QUIT"),
        # After USER the AUTHORIZATION state stays open (RFC 5034 §4): another USER, AUTH.
        ("G", None),
        ("G", f"USER {'x' * 50}@a.example"),  # past RFC 1939's 40 characters (RFC 2449 §4)
        ("G", f"USER {USER}"),
        ("G", f"AUTH PLAIN {PLAIN}"),
        ("G", "STAT"),
        ("G", "QUIT"),
        ("A", None),
        ("A", "STAT"),  # not before login
        ("A", "NOOP"),
        ("A", "PASS bob-pw"),  # PASS needs a USER first
        ("A", f"USER {USER}"),
        ("A", "PASS wrong"),
        ("A", "PASS wrong"),  # USER was used up by the failed PASS
        ("A", "QUIT"),  # QUIT before login: nothing to update
        ("B", None),
        ("B", "USER nobody@a.example"),  # no account: not told apart at USER
        ("B", "PASS x"),
        ("C", None),
        ("C", f"AUTH PLAIN {PLAIN_WRONG}"),
    ],
    "syntax": [("A", None)] + LOGIN + [
        ("A", "FOO"),
        ("A", ""),
        ("A", "RETR"),
        ("A", "RETR x"),
        ("A", "RETR 0"),
        ("A", "RETR 4"),
        ("A", "RETR 99999999999999999999"),
        ("A", "LIST -1"),
        ("A", "DELE"),
        ("A", "DELE 4"),
        ("A", "TOP 1"),
        ("A", "TOP 1 x"),
        ("A", "TOP 1 -1"),
        ("A", "TOP x 1"),
        ("A", "UIDL 0"),
        ("A", "NOOP x"),  # arguments where none belong
        ("A", "STAT 1"),
        ("A", "LIST 1 2"),
        ("A", f"USER {USER}"),  # only in AUTHORIZATION
        ("A", "PASS x"),
        ("A", f"AUTH PLAIN {PLAIN}"),
        ("A", "STAT"),  # nothing above changed the maildrop
        ("A", "QUIT"),
        ("B", None),
        ("B", "QUIT now"),
    ],
    # RFC 2449 §6.6 PIPELINING, which both announce: commands sent in one write are
    # answered in order. Then lines longer than RFC 2449 §4's 255 octets.
    "pipelining": [
        ("A", None),
        ("A", f"USER {USER}\r\nPASS {PASSWORD}\r\nSTAT\r\nLIST\r\nRETR 2\r\nDELE 2\r\nLIST 2\r\nRSET\r\nUIDL"),
        ("A", "NOOP " + "x" * 300),
        ("A", "STAT"),
        ("A", "QUIT"),
        ("B", None),
        ("B", "USER " + "x" * 600),
        ("B", "QUIT"),
    ],
}

# The differences that remain, each with its reason.
#
# CAPA lines only one of the servers lists; each side's are removed before the sets are
# compared.
CAPA_ONLY = {
    "dovecot": {
        "CAPA": "not a capability RFC 2449 defines (the command itself is how a client learns of CAPA)",
        "SASL PLAIN LOGIN": "SASL mechanisms are configuration: this Dovecot offers LOGIN",
    },
    "lab": {
        "SASL PLAIN CRAM-MD5": "SASL mechanisms are configuration: the lab offers CRAM-MD5 to teach challenge-response",
        "STLS": "the lab's POP3 port offers TLS (RFC 2595); this Dovecot runs with ssl = no",
        "EXPIRE NEVER": "RFC 2449 §6.7: the lab never deletes mail by itself, and says so",
        "IMPLEMENTATION Mail-Lab": "RFC 2449 §6.9, optional",
    },
}
# After login Dovecot lists no USER or SASL. RFC 2449 §5: capabilities available in the
# AUTHORIZATION state must be announced in both states, so the lab keeps them.
CAPA_AFTER_LOGIN_DOVECOT_LACKS = {"USER", "SASL PLAIN CRAM-MD5"}

# Answers that differ in status or code, with the reason the lab's is kept:
# (script, session, step command, Dovecot's canonical first line, the lab's, reason).
ANSWERS = [
    ("authorization", "D", "AUTH FOO", "-ERR [AUTH]", "-ERR",
     "RFC 3206 §4 keeps [AUTH] for bad credentials; an unknown mechanism is not one (RFC 5034 §4: a plain -ERR)"),
    ("authorization", "D", "AUTH PLAIN ###", "-ERR [AUTH]", "-ERR",
     "as above: a response that is not base64 is a malformed command, not a wrong password"),
    ("authorization", "E", f"AUTH PLAIN {PLAIN}", "+OK", "-ERR [IN-USE]",
     "RFC 1939 §8: a session locks its maildrop, and RFC 2449 §8.1.1 names the refusal [IN-USE]; "
     "Dovecot lets two sessions share one unless pop3_lock_session = yes (then it waits for the lock)"),
    ("syntax", "A", "NOOP x", "+OK", "-ERR",
     "RFC 1939 gives NOOP, STAT and QUIT no arguments; the lab says so (a learner's typo is shown, "
     "not silently taken), Dovecot ignores what follows"),
    ("syntax", "A", "STAT 1", "+OK 3 246", "-ERR", "as above"),
    ("syntax", "B", "QUIT now", "+OK", "-ERR", "as above"),
    ("pipelining", "A", "NOOP " + "x" * 300, "+OK", "-ERR",
     "RFC 2449 §4 bounds a command line at 255 octets; the lab refuses a longer one, Dovecot reads on"),
    ("pipelining", "B", "USER " + "x" * 600, "+OK", "-ERR", "as above"),
]


def multi_line(command, first):
    """Whether an answer goes on after its first line (RFC 1939: a client knows by the command)."""
    if not first.startswith(b"+OK"):
        return False
    words = command.split()
    verb = words[0].upper() if words else ""
    return verb in ("CAPA", "RETR", "TOP") or (verb in ("LIST", "UIDL") and len(words) == 1)


def flatten(steps):
    """A pipelined step ("A", "STAT\\r\\nLIST") stands for its commands, answered one by one."""
    return [(session, one) for session, command in steps for one in ([None] if command is None else command.split("\r\n"))]


def run_script(port, steps):
    """The answer to each command of flatten(steps), as raw lines (CRLF kept); b"<closed>"
    when the server hung up. A pipelined step's commands go in one write."""
    socks, files, answers = {}, {}, []
    try:
        for session, command in steps:
            commands = [None] if command is None else command.split("\r\n")
            if command is None:
                s = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
                socks[session], files[session] = s, s.makefile("rb")
            else:
                try:
                    socks[session].sendall(command.encode() + b"\r\n")
                except OSError:
                    answers += [[b"<closed>"] for _ in commands]
                    continue
            for i, one in enumerate(commands):
                answers.append([])
                if not read_answer(files[session], one, answers[-1]):
                    answers += [[b"<closed>"] for _ in commands[i + 1:]]
                    break
    finally:
        for s in socks.values():
            s.close()
    return answers


def read_answer(f, command, lines):
    """Appends one command's answer to `lines`; False when the server hung up."""
    try:
        first = f.readline() or None
    except OSError:
        first = None
    if first is None:
        lines.append(b"<closed>")
        return False
    lines.append(first)
    if command is not None and multi_line(command, first):
        while True:
            line = f.readline() or None
            if line is None:
                lines.append(b"<closed>")
                return False
            lines.append(line)
            if line == b".\r\n":
                break
    return True


class UidNames:
    """A server's unique-ids, named u1, u2, … in the order they first appear."""

    def __init__(self):
        self.names = {}

    def __call__(self, uid):
        return self.names.setdefault(uid, f"u{len(self.names) + 1}")


def canon(command, lines, uids, server, logged_in):
    first = lines[0].decode("latin-1").rstrip("\r\n")
    if first == "<closed>":
        return [first]
    m = re.match(r"^(\+OK|-ERR|\+)(?:\s+(\[[^\]]*\]))?", first)
    if not m:
        return [f"?? {first}"]
    status = m.group(1) + (f" {m.group(2)}" if m.group(2) else "")
    words = (command or "").split()
    verb = words[0].upper() if words else ""
    out = [status]
    if status == "+OK" and verb == "STAT":
        out = [first]
    elif status == "+OK" and verb == "LIST" and len(words) == 2:
        out = ["+OK " + " ".join(first.split()[1:3])]
    elif status == "+OK" and verb == "UIDL" and len(words) == 2:
        n, uid = first.split()[1:3]
        out = [f"+OK {n} {uids(uid)}"]
    body = [l.decode("latin-1").rstrip("\r\n") for l in lines[1:]]
    if verb == "UIDL":
        body = [" ".join([l.split()[0], uids(l.split()[1])]) if l != "." else l for l in body]
    if verb == "CAPA":
        caps = {l for l in body if l != "."} - set(CAPA_ONLY[server])
        if logged_in and server == "lab":
            caps -= CAPA_AFTER_LOGIN_DOVECOT_LACKS
        body = sorted(caps) + ["."]
    return out + body


def canon_all(steps, answers, server):
    uids, logged_in, out = UidNames(), {}, []
    for (session, command), lines in zip(steps, answers):
        c = canon(command, lines, uids, server, logged_in.get(session, False))
        verb = (command or "").split(" ")[0].upper()
        if c[0] == "+OK" and (verb in ("PASS", "APOP", "AUTH") or command == PLAIN):
            logged_in[session] = True
        out.append(c)
    return out


@pytest.fixture
def dovecot():
    server = Dovecot(pop3=True).start()
    yield server
    server.stop()


def seed(port):
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    imap.login(USER, PASSWORD)
    for message in MESSAGES:
        assert imap.append("INBOX", None, None, message)[0] == "OK"
    imap.logout()


def transcript(steps, answers):
    out = []
    for (session, command), lines in zip(steps, answers):
        out.append(f"C[{session}]: {'<connect>' if command is None else command}")
        out += [f"S[{session}]: " + l.decode("latin-1").rstrip("\r\n") for l in lines]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_same_answers_as_dovecot(script, lab, dovecot, tmp_path):
    steps = SCRIPTS[script]
    seed(dovecot.port)
    seed(lab.ports["imap"])
    theirs = run_script(dovecot.pop3_port, steps)
    ours = run_script(lab.ports["pop3"], steps)
    steps = flatten(steps)
    (tmp_path / f"{script}.dovecot.txt").write_text(transcript(steps, theirs))
    (tmp_path / f"{script}.lab.txt").write_text(transcript(steps, ours))
    theirs, ours = canon_all(steps, theirs, "dovecot"), canon_all(steps, ours, "lab")
    rows = [(session, "<connect>" if command is None else command, t, o)
            for (session, command), t, o in zip(steps, theirs, ours)]
    assert_same("Dovecot", script, rows, ANSWERS, tmp_path)
