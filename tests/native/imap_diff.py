"""Replaying one IMAP script to two servers and normalising their answers.

Used by test_imap_vs_dovecot.py. A script is a list of steps run in order; each step
runs on one named session (a socket of its own):

    Cmd("A", 'a1 SELECT x')                   a command; the answer is read up to its tagged line
    Cmd("A", ['a2 APPEND x (\\Seen) {n}', b"..."])   a command with literals: a bytes part is sent
                                              after the server's "+" (or at once for `{n+}`)
    Connect("B")                              a new session; the answer is its greeting
    Idle("A", "a3")                           `a3 IDLE`, read up to the "+"
    Wait("A", 2.0)                            untagged lines that come by themselves within 2 s
    Done("A")                                 `DONE`, read up to the IDLE's tagged line

Answers are kept as "logical lines": a line with its literals inside (`{n}` CRLF and the
n octets), so a literal never splits a response.

`canon_line` turns each logical line into a canonical text: strings are written one way
whether sent quoted or as a literal (RFC 9051 §4.3: both are the same string), lists and
atoms as sent, and what the RFCs leave to the server is replaced (see the comment at each
rule). Nothing else is changed: the differences that remain are the test's to judge.
"""
import calendar
import re
import socket
import time

READ_TIMEOUT = 3.0  # an answer not complete within this is reported as missing


class Cmd:
    def __init__(self, session, parts):
        self.session = session
        self.parts = [parts] if isinstance(parts, str) else list(parts)

    @property
    def tag(self):
        return self.parts[0].split(" ", 1)[0]

    def shown(self):
        out = []
        for p in self.parts:
            if isinstance(p, bytes):
                first = p.split(b"\r\n", 1)[0].decode("utf-8", "replace")
                out.append(f"<{len(p)} octets: {first[:40]}...>")
            else:
                out.append(p)
        return " ".join(out)


class Connect:
    def __init__(self, session):
        self.session = session

    def shown(self):
        return "<connect>"


class Idle:
    def __init__(self, session, tag):
        self.session = session
        self.tag = tag

    def shown(self):
        return f"{self.tag} IDLE"


class Wait:
    def __init__(self, session, seconds, quiet=0.3):
        self.session = session
        self.seconds = seconds
        self.quiet = quiet

    def shown(self):
        return f"<wait up to {self.seconds} s for pushed lines>"


class Done:
    def __init__(self, session):
        self.session = session

    def shown(self):
        return "DONE"


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
        self.buf = b""
        self.idle_tag = None

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def logical_line(self, deadline):
        """One response with its literals, as bytes without the final CRLF."""
        out = b""
        while True:
            line = self._line(deadline)
            out += line
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if not m:
                return out[:-2]
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill(deadline)
            out += self.buf[:n]
            self.buf = self.buf[n:]

    def until_tagged(self, tag, deadline, stop_at_plus=False):
        lines = []
        try:
            while True:
                line = self.logical_line(deadline)
                lines.append(line)
                if stop_at_plus and line.startswith(b"+"):
                    return lines, True
                if line.split(b" ", 1)[0] == tag.encode():
                    return lines, False
        except TimeoutError:
            lines.append(b"<no more answer within %.0f s>" % READ_TIMEOUT)
        except ConnectionError:
            lines.append(b"<connection closed>")
        return lines, False

    def run(self, step):
        deadline = time.monotonic() + READ_TIMEOUT
        try:
            if isinstance(step, Connect):
                return [self.logical_line(deadline)]
            if isinstance(step, Idle):
                self.idle_tag = step.tag
                self.sock.sendall(f"{step.tag} IDLE\r\n".encode())
                return self.until_tagged(step.tag, deadline, stop_at_plus=True)[0]
            if isinstance(step, Done):
                self.sock.sendall(b"DONE\r\n")
                return self.until_tagged(self.idle_tag, deadline)[0]
            if isinstance(step, Wait):
                lines, first = [], time.monotonic() + step.seconds
                try:
                    lines.append(self.logical_line(first))
                    while True:
                        lines.append(self.logical_line(time.monotonic() + step.quiet))
                except (TimeoutError, ConnectionError):
                    pass
                return lines
        except TimeoutError:
            return [b"<no answer within %.0f s>" % READ_TIMEOUT]
        except ConnectionError:
            return [b"<connection closed>"]
        # A command: each literal goes after the server's "+" (synchronising) or at once ({n+}).
        lines = []
        parts = step.parts
        text = b""
        for i, part in enumerate(parts):
            if isinstance(part, bytes):
                text += part
                continue
            text += part.encode()
            nxt = parts[i + 1] if i + 1 < len(parts) else None
            if isinstance(nxt, bytes):
                if text.endswith(b"+}"):
                    text += b"\r\n"
                    continue
                self.sock.sendall(text + b"\r\n")
                text = b""
                got, plus = self.until_tagged(step.tag, deadline, stop_at_plus=True)
                lines += got
                if not plus:
                    return lines  # refused before the literal, or no answer
            elif i + 1 < len(parts):
                text += b" "
        self.sock.sendall(text + b"\r\n")
        lines += self.until_tagged(step.tag, deadline)[0]
        return lines

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def run_script(port, steps):
    """Runs the steps against the server on `port`; one list of logical lines per step."""
    conns = {}
    answers = []
    try:
        for step in steps:
            if isinstance(step, Connect):
                conns[step.session] = Conn(port)
            answers.append(conns[step.session].run(step))
    finally:
        for c in conns.values():
            c.close()
    return answers


# --- tokens -----------------------------------------------------------------

class Str(str):
    """An IMAP string (quoted or literal): compared by its octets."""


def tokenize(data, i=0, depth=0):
    """IMAP response data (bytes, literals inline) as nested lists of atoms (str) and Str."""
    out = []
    n = len(data)
    while i < n:
        c = data[i:i + 1]
        if c == b" ":
            i += 1
        elif c == b"(":
            sub, i = tokenize(data, i + 1, depth + 1)
            out.append(sub)
        elif c == b")":
            if depth:
                return out, i + 1
            out.append(")")  # unbalanced: keep as an atom, so it shows
            i += 1
        elif c == b'"':
            j, s = i + 1, bytearray()
            while j < n and data[j:j + 1] != b'"':
                if data[j:j + 1] == b"\\" and j + 1 < n:
                    j += 1
                s += data[j:j + 1]
                j += 1
            out.append(Str(s.decode("utf-8", "surrogateescape")))
            i = j + 1
        elif c == b"{":
            m = re.compile(rb"\{(\d+)\+?\}\r\n").match(data, i)
            if not m:
                out.append("{")
                i += 1
                continue
            k = int(m.group(1))
            out.append(Str(data[m.end():m.end() + k].decode("utf-8", "surrogateescape")))
            i = m.end() + k
        else:
            j = i
            while j < n and data[j:j + 1] not in b" ()":
                if data[j:j + 1] == b"[":
                    # A section such as BODY[HEADER.FIELDS (SUBJECT)] is one atom.
                    close = data.find(b"]", j)
                    j = close if close != -1 else n - 1
                j += 1
            out.append(data[i:j].decode("utf-8", "surrogateescape"))
            i = j
    return out, i


def show(tok):
    if isinstance(tok, list):
        return "(" + " ".join(show(t) for t in tok) + ")"
    if isinstance(tok, Str):
        esc = tok.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
        return '"' + esc + '"'
    return tok


MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def utc(internaldate):
    """INTERNALDATE as the same instant in UTC: the zone a server shows it in is its own
    choice (RFC 9051 §2.3.3 asks for the instant; Dovecot's Maildir keeps only a
    timestamp and shows the server's zone)."""
    m = re.match(r"\s*(\d+)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$", internaldate)
    if not m:
        return internaldate
    d, mon, y, hh, mm, ss, sign, zh, zm = m.groups()
    t = calendar.timegm((int(y), MONTHS[mon], int(d), int(hh), int(mm), int(ss)))
    off = (int(zh) * 60 + int(zm)) * 60
    t -= off if sign == "+" else -off
    return time.strftime("%d-%b-%Y %H:%M:%S +0000", time.gmtime(t))


def expand_set(text):
    """A UID set in the order given, ranges ascending (RFC 9051 §9 seq-range: 4:2 = 2:4)."""
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out += range(min(a, b), max(a, b) + 1)
        elif part:
            out.append(int(part))
    return out


def compress_set(uids):
    out, i = [], 0
    while i < len(uids):
        j = i
        while j + 1 < len(uids) and uids[j + 1] == uids[j] + 1:
            j += 1
        out.append(str(uids[i]) if i == j else f"{uids[i]}:{uids[j]}")
        i = j + 1
    return ",".join(out)


def canon_flags(tok):
    # A flag list is a set (RFC 9051 §2.3.2): order is free; flags compare case-insensitively.
    if isinstance(tok, list):
        return sorted(tok, key=lambda t: str(t).lower())
    return tok


def canon_code(code):
    """A response code (the text between [ and ])."""
    toks, _ = tokenize(code.encode("utf-8", "surrogateescape"))
    if not toks:
        return code
    name = str(toks[0]).upper()
    if name == "CAPABILITY":
        # Each server lists what it implements (RFC 9051 §7.2.2); not compared.
        return "CAPABILITY …"
    if name in ("UIDVALIDITY",):
        # Chosen by each server (RFC 9051 §2.3.1.1): only its presence is compared.
        return f"{name} <uidvalidity>"
    if name == "APPENDUID" and len(toks) == 3:
        return f"APPENDUID <uidvalidity> {compress_set(expand_set(toks[2]))}"
    if name == "COPYUID" and len(toks) == 4:
        return f"COPYUID <uidvalidity> {compress_set(expand_set(toks[2]))} {compress_set(expand_set(toks[3]))}"
    if name == "PERMANENTFLAGS" and len(toks) == 2:
        return f"PERMANENTFLAGS {show(canon_flags(toks[1]))}"
    return " ".join(show(t) for t in toks)


STATUS_RE = re.compile(rb"^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?: (.*))?$", re.I | re.S)


def canon_line(raw):
    """One logical line (bytes) in canonical form (str)."""
    if raw.startswith(b"<"):
        return raw.decode()  # our own note: no answer, closed
    if raw.startswith(b"+"):
        # A continuation's text is for humans (RFC 9051 §7.5).
        return "+"
    m = STATUS_RE.match(raw)
    if m:
        tag, status, rest = m.group(1).decode(), m.group(2).decode().upper(), m.group(3) or b""
        out = f"{tag} {status}"
        if rest.startswith(b"["):
            end = rest.find(b"]")
            if end != -1:
                out += f" [{canon_code(rest[1:end].decode('utf-8', 'surrogateescape'))}]"
        # The text after the status and code is for humans (RFC 9051 §7.1): not compared.
        return out
    if not raw.startswith(b"* "):
        return raw.decode("utf-8", "surrogateescape")
    toks, _ = tokenize(raw[2:])
    if not toks:
        return "*"
    head = str(toks[0]).upper()
    if head == "CAPABILITY":
        return "* CAPABILITY …"  # each server's own list (RFC 9051 §7.2.2)
    if head == "FLAGS" and len(toks) == 2:
        return f"* FLAGS {show(canon_flags(toks[1]))}"
    if head in ("LIST", "LSUB") and len(toks) >= 4:
        attrs = canon_flags(toks[1])  # name attributes are a set (RFC 9051 §7.3.1)
        name = Str(toks[3]) if not isinstance(toks[3], list) else toks[3]  # astring: atom = quoted
        rest = " ".join(show(t) for t in toks[4:])
        return f"* {head} {show(attrs)} {show(toks[2])} {show(name)}" + (f" {rest}" if rest else "")
    if head == "STATUS" and len(toks) == 3 and isinstance(toks[2], list):
        items = toks[2]
        pairs = [(str(items[i]).upper(), items[i + 1]) for i in range(0, len(items) - 1, 2)]
        pairs = [(k, "<uidvalidity>" if k == "UIDVALIDITY" else v) for k, v in pairs]
        # Items of a STATUS response may come in any order (RFC 9051 §7.3.2 status-att-list).
        pairs.sort()
        return f"* STATUS {show(Str(toks[1]))} (" + " ".join(f"{k} {show(v)}" for k, v in pairs) + ")"
    if head == "SEARCH":
        # The numbers are a set (RFC 9051 §7.3.4 shows no order); Dovecot sorts them.
        nums = sorted(toks[1:], key=lambda t: int(t) if str(t).isdigit() else 0)
        return "* SEARCH" + "".join(f" {t}" for t in nums)
    if head == "ID" and len(toks) == 2:
        # RFC 2971 §3.2: the server's own fields; a well-formed answer is NIL or pairs of strings.
        p = toks[1]
        if p == "NIL" or (isinstance(p, list) and len(p) % 2 == 0 and all(isinstance(x, Str) or x == "NIL" for x in p)):
            return "* ID <server's own fields>"
    if len(toks) >= 3 and str(toks[0]).isdigit() and str(toks[1]).upper() == "FETCH" and isinstance(toks[2], list):
        items = toks[2]
        pairs = []
        for i in range(0, len(items) - 1, 2):
            k, v = str(items[i]).upper(), items[i + 1]
            if k == "FLAGS":
                v = canon_flags(v)
            elif k == "INTERNALDATE" and isinstance(v, Str):
                v = Str(utc(v))
            pairs.append((k, v))
        if len(items) % 2:
            pairs.append(("<odd item>", show(items[-1])))
        # Data items of one FETCH response may come in any order (RFC 9051 §7.5.2 msg-att).
        pairs.sort(key=lambda kv: kv[0])
        return f"* {toks[0]} FETCH (" + " ".join(f"{k} {show(v)}" for k, v in pairs) + ")"
    return "* " + " ".join(show(t) for t in toks)


def list_key(line):
    """The mailbox a LIST/LSUB/STATUS line is about, for sorting (None for other lines)."""
    toks, _ = tokenize(line.encode("utf-8", "surrogateescape")[2:]) if line.startswith("* ") else ([], 0)
    if toks and str(toks[0]).upper() in ("LIST", "LSUB") and len(toks) >= 4:
        return str(toks[3])
    if toks and str(toks[0]).upper() == "STATUS" and len(toks) >= 2:
        return str(toks[1])
    return None
