"""Hostile input against the native server: wildcard patterns, overlong lines,
BDAT over the size limit and smuggling, a 400 MB flood, signals mid-flood, --allow-remote's
TLS-only logins, idle timeouts and the storage quota.

Every answer must arrive within LIMIT (1 s, measured with time.monotonic); reads
wait a little longer (PATIENCE) only so that a late answer is shown in the
failure instead of a bare timeout. Where a case says so, a fresh SMTP client
must get its 220 greeting within LIMIT while the hostile request is in flight.
"""
import base64
import imaplib
import ctypes
import random
import select
import signal
import smtplib
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import Lab

LIMIT = 1.0  # seconds for every answer
PATIENCE = 3.0  # how long a read waits, so that a late answer is still shown
TLS_NAME = "mail.a.example"


# --------------------------------------------------------------------------- helpers

def _die_with_parent():
    """The server gets SIGKILL if the test process dies, so none outlives a run."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except OSError:
        pass


class HostileLab(Lab):
    def start(self):
        real = subprocess.Popen

        def popen(*args, **kwargs):
            return real(*args, preexec_fn=_die_with_parent, **kwargs)

        subprocess.Popen = popen
        try:
            return super().start()
        finally:
            subprocess.Popen = real

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def labs(tmp_path):
    """labs(extra...) starts a server; every one started is killed at teardown."""
    started = []

    def start(*extra):
        where = tmp_path / f"lab{len(started)}"
        where.mkdir()
        lab = HostileLab(where, extra=list(extra))
        started.append(lab)
        return lab.start()

    yield start
    for lab in started:
        lab.kill()


@pytest.fixture
def lab(labs):
    return labs()


class Wire:
    """A raw client connection; every read is bounded by a deadline."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.seen = []  # every line read, for failure messages

    def send(self, data):
        self.sock.sendall(data)

    def _recv(self, deadline, why):
        """The next bytes before deadline (b"" once the server closed); TimeoutError(why()) after it."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(why())
        self.sock.settimeout(left)
        try:
            return self.sock.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError(why()) from None

    def _fill(self, deadline):
        chunk = self._recv(deadline, lambda: f"no answer in time; lines so far: {self.tail()}")
        if not chunk:
            raise EOFError(f"connection closed; lines so far: {self.tail()}")
        self.buf += chunk

    def line(self, deadline):
        while b"\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\n", 1)
        line += b"\n"
        self.seen.append(line)
        return line

    def until(self, pred, deadline):
        """Lines up to and including the first for which pred is true."""
        lines = []
        while True:
            lines.append(self.line(deadline))
            if pred(lines[-1]):
                return lines

    def reply(self, deadline):
        """One SMTP reply (possibly multi-line): its lines."""
        return self.until(lambda l: l[3:4] != b"-", deadline)

    def tagged(self, tag, deadline):
        return self.until(lambda l: l.startswith(tag.encode() + b" "), deadline)

    def rest_until_close(self, deadline):
        """Everything until the server closes; raises on a reset or a timeout."""
        data, self.buf = self.buf, b""
        while True:
            chunk = self._recv(deadline, lambda: f"connection still open; received {data[-300:]!r}")
            if not chunk:
                return data
            data += chunk

    def starttls(self):
        assert self.buf == b"", f"bytes after the STARTTLS answer: {self.buf!r}"
        ctx = ssl.create_default_context(cafile=str(self._cafile))
        self.sock = ctx.wrap_socket(self.sock, server_hostname=TLS_NAME)

    def tail(self):
        return [l[:200] for l in self.seen[-6:]] + ([self.buf[:200]] if self.buf else [])

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def wire(lab, service, timeout=5.0):
    w = Wire(lab.ports[service], timeout)
    w._cafile = lab.cert
    return w


def timed(deadline_from, limit=PATIENCE):
    return deadline_from + limit


class Probe(threading.Thread):
    """Another client, served meanwhile: how long a fresh SMTP connection waits for 220."""

    def __init__(self, lab, delay=0.02):
        super().__init__(daemon=True)
        self.port, self.delay = lab.ports["smtp"], delay
        self.elapsed, self.greeting, self.error = None, b"", None

    def run(self):
        time.sleep(self.delay)
        began = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=PATIENCE) as s:
                while b"\r\n" not in self.greeting:
                    chunk = s.recv(512)
                    if not chunk:
                        break
                    self.greeting += chunk
            self.elapsed = time.monotonic() - began
        except OSError as e:
            self.error = repr(e)
            self.elapsed = time.monotonic() - began

    def check(self):
        self.join(timeout=PATIENCE + 2)
        assert not self.is_alive(), "the other client got no greeting at all"
        assert self.error is None, f"the other client failed after {self.elapsed:.2f} s: {self.error}"
        assert self.greeting.startswith(b"220 "), f"the other client got {self.greeting!r}"
        assert self.elapsed < LIMIT, f"the other client waited {self.elapsed:.2f} s for its greeting"


def background_send(sock, data, seconds=150):
    """Sends data from a thread (the server may answer or close before reading it all).

    Not sendall: it takes the socket's timeout, which the reading thread sets, as
    the bound on the whole send, so a slow machine stopped sending half way."""
    result = {"sent": 0}

    def run():
        view, deadline = memoryview(data), time.monotonic() + seconds
        try:
            while result["sent"] < len(data):
                if time.monotonic() > deadline:
                    result["error"] = f"still sending after {seconds} s"
                    return
                try:
                    result["sent"] += sock.send(view[result["sent"]:result["sent"] + (1 << 16)])
                except socket.timeout:
                    continue  # the server is busy; a timeout here says nothing
            result["ok"] = True
        except OSError as e:
            result["error"] = repr(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def imap_login(lab, user="bob@a.example", password="bob-pw"):
    w = wire(lab, "imap")
    began = time.monotonic()
    assert w.line(timed(began)).startswith(b"* OK")
    w.send(f"l1 LOGIN {user} {password}\r\n".encode())
    assert w.tagged("l1", timed(began))[-1].startswith(b"l1 OK"), w.tail()
    return w


def pop3_login(lab, user="bob@a.example", password="bob-pw"):
    w = wire(lab, "pop3")
    began = time.monotonic()
    assert w.line(timed(began)).startswith(b"+OK")
    w.send(f"USER {user}\r\n".encode())
    assert w.line(timed(began)).startswith(b"+OK"), w.tail()
    w.send(f"PASS {password}\r\n".encode())
    assert w.line(timed(began)).startswith(b"+OK"), w.tail()
    return w


def smtp_ehlo(lab, service="smtp"):
    w = wire(lab, service)
    began = time.monotonic()
    assert w.reply(timed(began))[-1].startswith(b"220 ")
    w.send(b"EHLO hostile.example\r\n")
    lines = w.reply(timed(began))
    assert lines[-1].startswith(b"250 "), lines
    return w, lines


def within(began, what):
    elapsed = time.monotonic() - began
    assert elapsed < LIMIT, f"{what} took {elapsed:.2f} s"
    return elapsed


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def junk_block(seed=7, size=64 * 1024):
    """64 KB of junk: long runs without a newline between bursts of short lines."""
    rng = random.Random(seed)
    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789 .,:;<>-_=+!?"
    words = [b"NOOP", b"HELO", b"x1", b"LOGIN", b"junk", b"RCPT", b"a FETCH", b"*", b"BDAT", b"DATA", b"."]
    out = bytearray()
    while len(out) < size:
        run = rng.choice((600, 3000, 9000, 20000, 40000))
        out += bytes(rng.choice(letters) for _ in range(64)) * (run // 64)
        for _ in range(rng.randint(5, 60)):
            out += b" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) + b"\r\n"
    return bytes(out[:size])


def flood(port, total, deadline, block, stats, stop=None, max_connections=5000):
    """Writes `total` bytes of junk in 64 KB writes, reading and dropping every
    answer; reconnects when the server closes. Bounded by deadline and count."""
    view = memoryview(block)
    off = 0
    failures = 0
    while (stats["sent"] < total and time.monotonic() < deadline and stats["connections"] < max_connections
           and not (stop and stop.is_set())):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError as e:
            failures += 1
            stats["connect_errors"] = stats.get("connect_errors", 0) + 1
            stats["last_error"] = repr(e)
            if failures > 50:
                return
            time.sleep(0.05)
            continue
        stats["connections"] += 1
        sock.setblocking(False)
        try:
            while stats["sent"] < total and time.monotonic() < deadline and not (stop and stop.is_set()):
                readable, writable, _ = select.select([sock], [sock], [], 0.5)
                if readable:
                    data = sock.recv(1 << 16)
                    if not data:
                        stats["closed_by_server"] += 1
                        break
                    stats["received"] += len(data)
                if writable:
                    n = sock.send(view[off:])
                    stats["sent"] += n
                    off = (off + n) % len(block)
        except OSError:
            stats["reset"] += 1
        finally:
            sock.close()


def new_stats():
    return {"sent": 0, "received": 0, "connections": 0, "closed_by_server": 0, "reset": 0}


# --------------------------------------------------------------------------- 1. LIST wildcards

LONG_WORDS = ["Extraordinarily", "Correspondence", "Telecommunications", "Intercontinental",
              "Electromagnetic", "Representatives", "Characteristically", "Incomprehensibilities"]


def long_name(length=200):
    parts, n = [], 0
    while len("/".join(parts)) < length:
        parts.append(LONG_WORDS[n % len(LONG_WORDS)] + f"{n:02d}")
        n += 1
    name = "/".join(parts)[:length]
    if name.endswith("/"):
        name = name[:-1] + "e"
    assert len(name) == length and "q" not in name.lower()
    return name


def test_list_wildcards_over_a_thousand_folders_stay_fast(lab):
    imap = imap_login(lab)
    names = ["Archive/2024/Projects/Customer-Correspondence", long_name()]
    names += [f"Bulk/Group-{i // 100:02d}/Folder-{i:04d}-{LONG_WORDS[i % len(LONG_WORDS)]}" for i in range(1000)]
    assert all("q" not in n.lower() for n in names)
    creates = b"".join(f'c{i} CREATE "{n}"\r\n'.encode() for i, n in enumerate(names))
    began = time.monotonic()
    sender, sent = background_send(imap.sock, creates)  # pipelined: all sent, then all read
    answers = {}
    while len(answers) < len(names):
        line = imap.line(began + 60)
        tag = line.split(b" ", 1)[0]
        if tag.startswith(b"c"):
            answers[tag] = line
    sender.join(timeout=10)
    refused = [l for l in answers.values() if not l.split(b" ")[1] == b"OK"]
    print(f"\n{len(names)} pipelined CREATEs answered in {time.monotonic() - began:.2f} s")
    assert refused == [], f"{len(refused)} CREATEs refused, e.g. {refused[:3]}"

    patterns = [
        "*%*%*%*%*%q",
        "*%" * 20 + "q",  # 40 wildcards
        "".join(w + "e" for w in "*%" * 12) + "q",  # 24 wildcards, each before an e of the long names
    ]
    for n, pattern in enumerate(patterns):
        tag = f"w{n}"
        probe = Probe(lab)
        began = time.monotonic()
        imap.send(f'{tag} LIST "" "{pattern}"\r\n'.encode())
        probe.start()
        lines = imap.tagged(tag, timed(began))
        elapsed = time.monotonic() - began
        print(f'LIST "" "{pattern}": {lines[-1].strip()!r} after {elapsed * 1000:.0f} ms')
        assert lines[-1].startswith(f"{tag} OK".encode()), lines[-3:]
        assert [l for l in lines if l.startswith(b"* LIST")] == [], "no folder name ends in q"
        within(began, f'LIST "" "{pattern}"')
        probe.check()
    imap.close()


# --------------------------------------------------------------------------- 2. overlong lines

def fetch_ranges(count=10_000):
    ranges = [f"{a}:{a + 1}" for a in range(1, 97, 3)]  # 1:2,4:5,...,94:95
    return ",".join(ranges[i % len(ranges)] for i in range(count))


def test_imap_overlong_fetch_gets_a_tagged_bad_and_the_session_goes_on(lab):
    imap = imap_login(lab)
    began = time.monotonic()
    imap.send(b"s1 SELECT INBOX\r\n")
    assert imap.tagged("s1", timed(began))[-1].startswith(b"s1 OK")
    line = f"a2 FETCH {fetch_ranges()} (FLAGS)\r\n".encode()
    assert 50_000 < len(line) < 70_000
    began = time.monotonic()
    sender, _ = background_send(imap.sock, line)
    lines = imap.tagged("a2", timed(began))
    print(f"\n{len(line)} octet FETCH: {[l.strip()[:120] for l in lines]}")
    assert lines[-1].startswith(b"a2 BAD"), lines
    within(began, f"the tagged answer to a {len(line)} octet FETCH")
    sender.join(timeout=5)
    began = time.monotonic()
    imap.send(b"a3 NOOP\r\n")
    assert imap.tagged("a3", timed(began))[-1].startswith(b"a3 OK"), imap.tail()
    within(began, "NOOP after the long FETCH")
    imap.close()


def test_imap_overlong_id_gets_a_tagged_bad(lab):
    imap = imap_login(lab)
    line = b'a4 ID ("name" "' + b"x" * 30_000 + b'")\r\n'
    began = time.monotonic()
    sender, _ = background_send(imap.sock, line)
    lines = imap.tagged("a4", timed(began))
    print(f"\n30 KB ID: {[l.strip()[:120] for l in lines]}")
    assert lines[-1].startswith(b"a4 BAD"), lines
    within(began, "the tagged answer to a 30 KB ID")
    sender.join(timeout=5)
    began = time.monotonic()
    imap.send(b"a5 NOOP\r\n")
    assert imap.tagged("a5", timed(began))[-1].startswith(b"a5 OK"), imap.tail()
    imap.close()


def test_imap_2mb_line_before_login_gets_bad_then_bye_then_close(lab):
    imap = wire(lab, "imap")
    assert imap.line(timed(time.monotonic())).startswith(b"* OK")
    line = b"x1 NOOP " + b"x" * (2 * 1024 * 1024) + b"\r\n"
    began = time.monotonic()
    sender, _ = background_send(imap.sock, line)
    lines = imap.tagged("x1", timed(began))
    print(f"\n2 MB line before login: {[l.strip()[:120] for l in lines]}")
    assert lines[-1].startswith(b"x1 BAD"), lines
    try:
        bye = imap.line(timed(began))
        rest = imap.rest_until_close(timed(began))
    except ConnectionResetError as e:
        pytest.fail(f"connection reset instead of BYE and a clean close: {e!r}; lines {imap.tail()}")
    print(f"then: {bye!r} {rest[:200]!r}")
    assert bye.startswith(b"* BYE"), bye
    assert rest == b"", f"after BYE: {rest[:200]!r}"
    within(began, "tagged BAD, BYE and close after a 2 MB line")
    sender.join(timeout=5)
    imap.close()


def test_smtp_2mb_line_gets_500_and_the_session_goes_on(lab):
    smtp, _ = smtp_ehlo(lab)
    began = time.monotonic()
    sender, _ = background_send(smtp.sock, b"X" * (2 * 1024 * 1024) + b"\r\n")
    lines = smtp.reply(timed(began))
    print(f"\n2 MB SMTP line: {[l.strip()[:120] for l in lines]}")
    assert lines[-1].startswith(b"500"), lines
    within(began, "the 500 to a 2 MB line")
    sender.join(timeout=5)
    began = time.monotonic()
    smtp.send(b"NOOP\r\n")
    lines = smtp.reply(timed(began))
    assert lines[-1].startswith(b"250"), f"NOOP after the long line: {smtp.tail()}"
    within(began, "NOOP after the long line")
    smtp.close()


def test_pop3_2mb_line_gets_err_and_the_session_goes_on(lab):
    pop = pop3_login(lab)
    began = time.monotonic()
    sender, _ = background_send(pop.sock, b"X" * (2 * 1024 * 1024) + b"\r\n")
    line = pop.line(timed(began))
    print(f"\n2 MB POP3 line: {line.strip()[:120]!r}")
    assert line.startswith(b"-ERR"), line
    within(began, "the -ERR to a 2 MB line")
    sender.join(timeout=5)
    began = time.monotonic()
    pop.send(b"NOOP\r\n")
    line = pop.line(timed(began))
    assert line.startswith(b"+OK"), f"NOOP after the long line: {pop.tail()}"
    within(began, "NOOP after the long line")
    pop.close()


# --------------------------------------------------------------------------- 3. BDAT

def bdat_transaction(lab):
    smtp, ehlo = smtp_ehlo(lab)
    assert any(l[4:].strip() == b"CHUNKING" for l in ehlo), f"EHLO offers no CHUNKING: {ehlo}"
    began = time.monotonic()
    smtp.send(b"MAIL FROM:<alice@a.example>\r\n")
    assert smtp.reply(timed(began))[-1].startswith(b"250")
    smtp.send(b"RCPT TO:<bob@a.example>\r\n")
    assert smtp.reply(timed(began))[-1].startswith(b"250")
    return smtp


def test_bdat_over_the_size_limit_is_read_thrown_away_and_refused(lab):
    """RFC 3030 §2: a chunk the size limit refuses is read and thrown away, then
    answered; what follows it is a command again. Its octets are never kept."""
    pid = lab.proc.pid
    smtp = bdat_transaction(lab)
    before = rss_kib(pid)
    size = 64 * 1024 * 1024  # the lab's limit is 10 MB
    probe = Probe(lab)
    began = time.monotonic()
    smtp.send(b"BDAT %d LAST\r\n" % size)
    probe.start()
    sender, _ = background_send(smtp.sock, b"x" * size + b"NOOP\r\n")
    lines = smtp.reply(timed(began, 60))
    peak = rss_kib(pid)
    print(f"\nBDAT {size} LAST: {[l.strip() for l in lines]} after {time.monotonic() - began:.2f} s; "
          f"VmRSS {before / 1024:.1f} MB before, {peak / 1024:.1f} MB after")
    assert lines[-1].startswith(b"552 5.3.4"), lines
    lines = smtp.reply(timed(time.monotonic()))
    assert lines[-1].startswith(b"250"), f"NOOP after the chunk: {lines}"
    # The wiretap's event log keeps up to 16 MB of the newest traffic (EVENT_LOG_BYTES).
    assert peak - before < 24 * 1024, f"VmRSS grew by {(peak - before) / 1024:.1f} MB for a 64 MB chunk"
    sender.join(timeout=5)
    probe.check()
    smtp.close()


def test_bdat_with_bare_lf_is_refused_and_smuggles_nothing(lab):
    before = len(lab.inbox("bob@a.example", "bob-pw"))
    data = b"Subject: x\r\n\r\nline\n.\nMAIL FROM:<eve@evil.example>\nDATA\nsmuggled\n"
    smtp = bdat_transaction(lab)
    began = time.monotonic()
    smtp.send(b"BDAT %d LAST\r\n" % len(data) + data)
    lines = smtp.reply(timed(began))
    print(f"\nBDAT with bare LFs: {[l.strip() for l in lines]}")
    assert lines[-1].startswith(b"554"), lines
    within(began, "the answer to BDAT with bare LFs")
    smtp.send(b"QUIT\r\n")
    rest = smtp.rest_until_close(timed(began))
    replies = [l[:3] for l in rest.split(b"\r\n") if l]
    assert replies == [b"221"], f"only QUIT's 221 may follow: {rest!r}"
    smtp.close()
    after = lab.inbox("bob@a.example", "bob-pw")
    assert len(after) == before, f"delivered: {after[before:]}"
    assert not any(b"smuggled" in m for m in after)


# --------------------------------------------------------------------------- 3b. one long command

def report(n):
    return (f"From: Sender {n} <s{n}@b.example>\r\nTo: bob@a.example\r\nSubject: report {n}\r\n"
            f"Date: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <{n}@b.example>\r\n\r\nbody {n}\r\n").encode()


def test_a_fetch_of_a_huge_folder_does_not_hold_the_other_clients(lab):
    count = 100_000
    imap = imap_login(lab)
    imap.send(b"c1 CREATE Big\r\n")
    assert imap.tagged("c1", timed(time.monotonic()))[-1].startswith(b"c1 OK")
    # Filled over the wire: pipelined APPENDs with non-synchronising literals.
    appends = b"".join(b"p%d APPEND Big {%d+}\r\n%s\r\n" % (n, len(report(n)), report(n)) for n in range(count))
    began = time.monotonic()
    sender, sent = background_send(imap.sock, appends)
    last = f"p{count - 1}".encode()
    try:
        lines = imap.until(lambda l: l.startswith(last + b" "), began + 120)
    except TimeoutError as e:
        raise TimeoutError(f"{e}; the test had sent {sent['sent']} of {len(appends)} bytes ({sent.get('error')})") from None
    sender.join(timeout=10)
    refused = [l for l in lines if l.startswith(b"p") and b" OK " not in l]
    assert refused == [] and lines[-1].startswith(last + b" OK"), (refused[:3], lines[-3:])
    print(f"\n{count} pipelined APPENDs answered in {time.monotonic() - began:.1f} s")
    imap.send(b"s1 SELECT Big\r\n")
    assert b"* %d EXISTS\r\n" % count in imap.tagged("s1", timed(time.monotonic()))

    # One FETCH of the whole folder, and a NOOP pipelined behind it.
    probe = Probe(lab, delay=0.2)
    began = time.monotonic()
    imap.send(b"f1 FETCH 1:* (FLAGS ENVELOPE)\r\nf2 NOOP\r\n")
    probe.start()
    first = imap.line(timed(began))
    within(began, "the first response to FETCH 1:*")
    assert first.startswith(b"* 1 FETCH (ENVELOPE ") and b"FLAGS (" in first, first
    lines = [first] + imap.tagged("f1", began + 120)
    took = time.monotonic() - began
    fetched = [l for l in lines if b" FETCH (" in l]
    assert len(fetched) == count, f"{len(fetched)} FETCH responses for {count} messages"
    assert fetched[-1].startswith(b"* %d FETCH (" % count) and b'"report %d"' % (count - 1) in fetched[-1]
    assert lines[-1].startswith(b"f1 OK"), lines[-1]
    # The command pipelined behind it is answered after it, not in the middle.
    assert imap.tagged("f2", timed(time.monotonic()))[-1].startswith(b"f2 OK")
    probe.check()
    print(f"FETCH 1:* (FLAGS ENVELOPE) of {count} messages: first line within "
          f"{LIMIT} s, all {len(lines)} lines in {took:.2f} s; another client greeted after {probe.elapsed * 1000:.0f} ms")
    # The whole answer took longer than a client may wait: served only because
    # the FETCH ran in slices with the others in between.
    assert took > LIMIT, f"the FETCH took only {took:.2f} s: too small to show anything, use more messages"

    # SEARCH and STORE over the whole folder: the others are served meanwhile too.
    for tag, command, expect in [
        (b"g1", b'SEARCH TEXT "body 99999"', b"* SEARCH %d\r\n" % count),
        (b"g2", b"STORE 1:* +FLAGS.SILENT (\\Flagged)", None),
        (b"g3", b"SEARCH UNFLAGGED", b"* SEARCH\r\n"),
    ]:
        probe = Probe(lab, delay=0.05)
        began = time.monotonic()
        imap.send(tag + b" " + command + b"\r\n")
        probe.start()
        lines = imap.tagged(tag.decode(), began + 60)
        assert lines[-1].startswith(tag + b" OK"), lines[-1]
        if expect is not None:
            assert lines[:-1] == [expect], lines[:3]
        probe.check()
        print(f"{command.decode()}: {time.monotonic() - began:.2f} s; another client greeted after {probe.elapsed * 1000:.0f} ms")
    imap.close()


# --------------------------------------------------------------------------- 4. memory

def test_400_mb_of_junk_leaves_memory_bounded(lab):
    pid = lab.proc.pid
    # Warm-up: one of each session, so the allocator has its working set.
    lab.inbox("bob@a.example", "bob-pw")
    smtp, _ = smtp_ehlo(lab)
    smtp.send(b"QUIT\r\n")
    smtp.close()
    imap = imap_login(lab)
    imap.send(b"z LOGOUT\r\n")
    imap.close()
    time.sleep(0.5)
    before = rss_kib(pid)

    block = junk_block()
    total = 200 * 1024 * 1024
    deadline = time.monotonic() + 120
    stats = {"imap": new_stats(), "smtp": new_stats()}
    threads = [threading.Thread(target=flood, args=(lab.ports[name], total, deadline, block, stats[name]), daemon=True)
               for name in ("imap", "smtp")]
    began = time.monotonic()
    for t in threads:
        t.start()
    # Once the flood is well under way, another client must still be served.
    under_way = time.monotonic() + 2
    while sum(s["sent"] for s in stats.values()) < 32 * 2**20 and time.monotonic() < under_way:
        time.sleep(0.01)
    flooding = all(t.is_alive() for t in threads)
    probe = Probe(lab, delay=0)
    probe.start()
    probe.join(timeout=PATIENCE + 2)
    peak = rss_kib(pid)
    for t in threads:
        t.join(timeout=130)
    seconds = time.monotonic() - began
    assert not any(t.is_alive() for t in threads), "flood threads did not stop"
    time.sleep(1.0)
    after = rss_kib(pid)
    sent = sum(s["sent"] for s in stats.values())
    print(f"\nflood: {sent / 2**20:.0f} MB sent in {seconds:.1f} s ({sent / 2**20 / seconds:.0f} MB/s); "
          f"imap {stats['imap']}; smtp {stats['smtp']}; "
          f"VmRSS before {before / 1024:.1f} MB, during the flood {peak / 1024:.1f} MB, "
          f"after {after / 1024:.1f} MB (+{(after - before) / 1024:.1f} MB); "
          f"greeting meanwhile after {probe.elapsed:.3f} s (flood still running: {flooding})")
    assert lab.proc.poll() is None, "the server died under the flood"
    assert after - before < 64 * 1024, f"VmRSS grew by {(after - before) / 1024:.1f} MB"
    probe.check()
    for name, s in stats.items():
        assert s["sent"] >= total, f"only {s['sent'] / 2**20:.0f} MB of junk reached the {name} port in time: {s}"


def test_pipelined_retrs_of_a_big_message_hold_a_slice_not_all_answers(lab):
    # 2,000 RETRs of a 2 MB message in one 16 KB send, and a client that does
    # not read: the server used to queue all 4 GB of answers at once. It now
    # queues a slice, writes it, and reads on only as the client takes it.
    pid = lab.proc.pid
    imap = imap_login(lab)
    body = (b"x" * 998 + b"\r\n") * 2048
    message = b"Subject: big\r\n\r\n" + body
    began = time.monotonic()
    imap.send(b"a1 APPEND INBOX {%d+}\r\n" % len(message) + message + b"\r\n")
    assert imap.tagged("a1", timed(began))[-1].startswith(b"a1 OK"), imap.tail()
    imap.send(b"z LOGOUT\r\n")
    imap.close()
    time.sleep(0.5)
    before = rss_kib(pid)
    pop = pop3_login(lab)
    pop.send(b"RETR 1\r\n" * 2000)
    probe = Probe(lab, delay=0.5)
    probe.start()
    time.sleep(3)
    peak = rss_kib(pid)
    probe.check()
    pop.close()
    time.sleep(0.5)
    print(f"\nVmRSS before {before / 1024:.1f} MB, with 2,000 RETRs of 2 MB waiting {peak / 1024:.1f} MB")
    assert lab.proc.poll() is None, "the server died"
    assert peak - before < 64 * 1024, f"VmRSS grew by {(peak - before) / 1024:.1f} MB"
    # The session the client left is gone; the mail is still there.
    w = pop3_login(lab)
    w.send(b"STAT\r\n")
    assert w.line(timed(time.monotonic())).startswith(b"+OK 1 "), w.tail()
    w.close()


def test_an_idle_client_that_stops_reading_is_let_go_not_its_answers_kept(lab):
    # An IMAP client in IDLE stops reading while another session flips a flag
    # on 2,000 messages 2,000 times (80 KB of FETCH lines to the idler each time):
    # its answers used to pile up in the server for the 30 minutes of its
    # write timeout. Past 64 MB waiting, the server hangs up on it instead.
    pid = lab.proc.pid
    writer = imap_login(lab)
    began = time.monotonic()
    writer.send(b"".join(b"a%d APPEND INBOX {8+}\r\nSubject:\r\n" % n for n in range(2000)))
    writer.tagged("a1999", timed(began, 60))
    writer.send(b"s SELECT INBOX\r\n")
    writer.tagged("s", timed(time.monotonic()))
    idler = socket.socket()
    idler.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    idler.settimeout(5)
    idler.connect(("127.0.0.1", lab.ports["imap"]))
    idler.sendall(b"l LOGIN bob@a.example bob-pw\r\ni1 SELECT INBOX\r\ni2 IDLE\r\n")
    time.sleep(1)
    before = rss_kib(pid)
    peak = before
    for n in range(2000):
        sign = b"+" if n % 2 == 0 else b"-"
        writer.send(b"f%d STORE 1:* %sFLAGS.SILENT (\\Flagged)\r\n" % (n, sign))
        writer.tagged("f%d" % n, timed(time.monotonic()))
        if n % 50 == 0:
            peak = max(peak, rss_kib(pid))
    peak = max(peak, rss_kib(pid))
    # The idler now reads: what the kernel held, then the end of the connection.
    idler.settimeout(10)
    got, chunk = 0, b"x"
    while chunk:
        chunk = idler.recv(1 << 16)
        got += len(chunk)
    print(f"\nVmRSS before {before / 1024:.1f} MB, at most {peak / 1024:.1f} MB; the idler read {got >> 10} KB, then EOF")
    # The store's change log and the event log fill to their caps meanwhile
    # (about 56 MB here), and up to 64 MB may wait; the idler's 160 MB must not.
    assert peak - before < 160 * 1024, f"VmRSS grew by {(peak - before) / 1024:.1f} MB"
    assert got < 64 << 20, "the idler was sent everything"
    writer.send(b"n NOOP\r\n")
    assert writer.tagged("n", timed(time.monotonic()))[-1].startswith(b"n OK"), "the writer's session goes on"
    writer.close()


# --------------------------------------------------------------------------- 5. signals

def test_sigterm_while_a_client_streams_junk_saves_and_exits(lab):
    stop = threading.Event()
    stats = new_stats()
    streamer = threading.Thread(
        target=flood,
        args=(lab.ports["smtp"], 1 << 40, time.monotonic() + 20, junk_block(seed=11), stats, stop),
        daemon=True,
    )
    streamer.start()
    try:
        wait_until = time.monotonic() + 5
        while stats["sent"] < 4 * 1024 * 1024 and time.monotonic() < wait_until:
            time.sleep(0.05)
        assert stats["sent"] > 0, f"the junk client could not send: {stats}"
        began = time.monotonic()
        lab.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = lab.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            lab.kill()
            pytest.fail(f"still running 5 s after SIGTERM (junk client had sent {stats['sent'] / 2**20:.0f} MB)")
        seconds = time.monotonic() - began
        print(f"\nSIGTERM after {stats['sent'] / 2**20:.0f} MB of junk: exit {lab.proc.returncode} "
              f"in {seconds:.2f} s; output after ready: {out.strip()!r}")
        assert lab.proc.returncode == 0, out
        assert "saved world to" in out
    finally:
        stop.set()
        streamer.join(timeout=10)


# --------------------------------------------------------------------------- 6. --allow-remote

def plain_b64(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_allow_remote_says_logins_only_inside_tls(labs):
    lab = labs("--allow-remote")
    startup = "".join(lab.output)
    lab.proc.send_signal(signal.SIGTERM)
    try:
        out, _ = lab.proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        lab.kill()
        out = ""
    assert "logins only inside TLS" in startup + out, startup + out
    assert "logins only inside TLS" in startup, "said at startup, before ready"


def test_allow_remote_smtp_auth_only_after_starttls(labs):
    lab = labs("--allow-remote")
    smtp, ehlo = smtp_ehlo(lab, "submission")
    offered = [l[4:].decode().split() for l in ehlo if l[4:].upper().startswith(b"AUTH")]
    assert not any(m in ("PLAIN", "LOGIN") for words in offered for m in words), f"offered in the clear: {ehlo}"
    began = time.monotonic()
    smtp.send(f"AUTH PLAIN {plain_b64('alice@a.example', 'alice-pw')}\r\n".encode())
    lines = smtp.reply(timed(began))
    print(f"\nAUTH PLAIN in the clear: {lines}")
    assert lines[-1][:1] == b"5", lines
    smtp.send(b"STARTTLS\r\n")
    assert smtp.reply(timed(began))[-1].startswith(b"220"), smtp.tail()
    smtp.starttls()
    smtp.send(b"EHLO hostile.example\r\n")
    ehlo = smtp.reply(timed(began))
    assert any(l[4:].upper().startswith(b"AUTH") and b"PLAIN" in l and b"LOGIN" in l for l in ehlo), ehlo
    smtp.send(f"AUTH PLAIN {plain_b64('alice@a.example', 'alice-pw')}\r\n".encode())
    lines = smtp.reply(timed(began))
    assert lines[-1].startswith(b"235"), lines
    smtp.close()
    # AUTH LOGIN too, on a second connection inside TLS.
    smtp, _ = smtp_ehlo(lab, "submission")
    smtp.send(b"STARTTLS\r\n")
    began = time.monotonic()
    assert smtp.reply(timed(began))[-1].startswith(b"220")
    smtp.starttls()
    smtp.send(b"EHLO hostile.example\r\n")
    smtp.reply(timed(began))
    for step, expect in ((b"AUTH LOGIN", b"334"), (base64.b64encode(b"alice@a.example"), b"334"),
                         (base64.b64encode(b"alice-pw"), b"235")):
        smtp.send(step + b"\r\n")
        lines = smtp.reply(timed(began))
        assert lines[-1].startswith(expect), lines
    smtp.close()


def test_allow_remote_imap_login_disabled_until_starttls(labs):
    lab = labs("--allow-remote")
    imap = wire(lab, "imap")
    began = time.monotonic()
    imap.line(timed(began))
    imap.send(b"a CAPABILITY\r\n")
    lines = imap.tagged("a", timed(began))
    caps = b" ".join(l for l in lines if l.startswith(b"* CAPABILITY"))
    assert b"LOGINDISABLED" in caps, lines
    imap.send(b"b LOGIN bob@a.example bob-pw\r\n")
    lines = imap.tagged("b", timed(began))
    print(f"\nIMAP LOGIN in the clear: {lines}")
    assert lines[-1].startswith(b"b NO"), lines
    imap.send(b"c STARTTLS\r\n")
    assert imap.tagged("c", timed(began))[-1].startswith(b"c OK")
    imap.starttls()
    imap.send(b"d LOGIN bob@a.example bob-pw\r\n")
    lines = imap.tagged("d", timed(began))
    assert lines[-1].startswith(b"d OK"), lines
    imap.close()


def test_allow_remote_pop3_login_refused_until_stls(labs):
    lab = labs("--allow-remote")
    pop = wire(lab, "pop3")
    began = time.monotonic()
    pop.line(timed(began))
    pop.send(b"USER bob@a.example\r\n")
    user = pop.line(timed(began))
    answer = user
    if user.startswith(b"+OK"):
        pop.send(b"PASS bob-pw\r\n")
        answer = pop.line(timed(began))
    print(f"\nPOP3 USER/PASS in the clear: {user!r} {answer!r}")
    assert answer.startswith(b"-ERR"), pop.tail()
    pop.close()
    pop = wire(lab, "pop3")
    pop.line(timed(began))
    pop.send(b"STLS\r\n")
    assert pop.line(timed(began)).startswith(b"+OK")
    pop.starttls()
    pop.send(b"USER bob@a.example\r\n")
    assert pop.line(timed(began)).startswith(b"+OK"), pop.tail()
    pop.send(b"PASS bob-pw\r\n")
    assert pop.line(timed(began)).startswith(b"+OK"), pop.tail()
    pop.close()


def test_allow_cleartext_login_brings_cleartext_logins_back(labs):
    lab = labs("--allow-remote", "--allow-cleartext-login")
    smtp, _ = smtp_ehlo(lab, "submission")
    began = time.monotonic()
    smtp.send(f"AUTH PLAIN {plain_b64('alice@a.example', 'alice-pw')}\r\n".encode())
    lines = smtp.reply(timed(began))
    assert lines[-1].startswith(b"235"), lines
    smtp.close()
    imap_login(lab).close()
    pop3_login(lab).close()


# --------------------------------------------------------------------------- 7. idle timeouts

def silent(lab, service):
    w = wire(lab, service)
    w.line(timed(time.monotonic()))  # the greeting; then nothing
    return w, time.monotonic()


@pytest.mark.parametrize("service, goodbye", [
    ("imap", b"* BYE"),  # RFC 9051 §5.4: BYE says why
    ("smtp", b"421"),  # RFC 5321 §4.5.3.2.7: 421, the service closing the channel
    ("pop3", b""),  # RFC 1939 §3: the autologout closes without a response
])
def test_an_idle_client_hears_its_protocols_goodbye_then_close(labs, service, goodbye):
    lab = labs("--idle-timeout", "1")
    w, began = silent(lab, service)
    data = w.rest_until_close(began + 3)
    print(f"\nidle {service} after {time.monotonic() - began:.2f} s: {data!r}")
    assert data.startswith(goodbye) and (goodbye or data == b""), data
    w.close()


def test_a_flood_of_appends_and_mail_stops_at_the_quota(lab):
    """imaplib APPENDs 1 MiB messages until the account's 64 MiB quota: each
    IMAP answer comes within LIMIT, the 65th is NO [OVERQUOTA], smtplib's next
    message for bob gets 452 4.2.2, and MOVE to Trash still works."""
    imap = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    imap.login("bob", "bob-pw")
    body = b"Subject: filler\r\n\r\n" + b"x" * (1024 * 1024 - 19)
    assert len(body) == 1024 * 1024
    slowest = 0.0
    for n in range(64):
        start = time.monotonic()
        typ, data = imap.append("INBOX", None, None, body)
        slowest = max(slowest, time.monotonic() - start)
        assert typ == "OK", (n, data)
    start = time.monotonic()
    typ, data = imap.append("INBOX", None, None, b"Subject: one more\r\n\r\nx")
    slowest = max(slowest, time.monotonic() - start)
    assert typ == "NO" and data[0].startswith(b"[OVERQUOTA] mailbox bob@a.example is full"), data
    assert slowest < LIMIT, f"an APPEND took {slowest:.2f} s"

    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as s:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            s.sendmail("alice@a.example", ["bob@a.example"], "Subject: hi\r\n\r\nhi\r\n")
        code, text = refused.value.recipients["bob@a.example"]
        assert (code, text[:5]) == (452, b"4.2.2"), (code, text)

    imap.select("INBOX")
    start = time.monotonic()
    typ, data = imap.uid("MOVE", "1:2", "Trash")
    assert time.monotonic() - start < LIMIT
    assert typ == "OK", data
    typ, data = imap.status("Trash", "(MESSAGES)")
    assert data == [b'Trash (MESSAGES 2)'], data
    imap.logout()
