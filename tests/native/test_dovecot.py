"""The message model's IMAP answers against Dovecot's for the same messages.

Every message of the corpus goes into a Maildir that a private Dovecot (no
protocols, no listeners, all under tmp_path) reads; `doveadm fetch` gives
Dovecot's ENVELOPE and BODYSTRUCTURE, which must equal the known answers the
message crate checks itself against (crates/message/tests/corpus/imap-known-answers.txt).
A string may be sent quoted or as a literal: both are the same IMAP string.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

from conftest import ROOT

CORPUS = ROOT / "crates" / "message" / "tests" / "corpus"

CONFIG = """
protocols =
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/log
mail_location = maildir:{d}/home/Maildir
ssl = no
default_login_user = {user}
default_internal_user = {user}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home
}}
passdb {{
  driver = static
  args = password=unused
}}
"""


def quoted_strings(text):
    """IMAP literals {n}CRLF... rewritten as quoted strings, so forms compare equal."""
    out, i = [], 0
    while i < len(text):
        m = re.compile(r"\{(\d+)\}\r?\n").match(text, i)
        if m:
            n = int(m.group(1))
            start = m.end()
            # Count octets, not characters.
            raw = text[start:].encode()[:n].decode()
            out.append('"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"')
            i = start + len(raw)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def known_answers():
    answers, current = {}, None
    for line in (CORPUS / "imap-known-answers.txt").read_text().split("== ")[1:]:
        name, rest = line.split("\n", 1)
        env = re.search(r"^ENVELOPE \((.*)\)\n(?=BODYSTRUCTURE)", rest, re.M | re.S).group(1)
        bs = re.search(r"^BODYSTRUCTURE \((.*)\)\nBODY ", rest, re.M | re.S).group(1)
        answers[name.strip()] = (quoted_strings(env), quoted_strings(bs))
    return answers


def test_envelope_and_bodystructure_equal_dovecots():
    # Dovecot reads mail as an unprivileged user: the directory must be
    # reachable by it (pytest's tmp_path sits under a root-only directory).
    d = __import__("pathlib").Path(tempfile.mkdtemp(prefix="mail-lab-dovecot-", dir="/tmp"))
    os.chmod(d, 0o755)
    for sub in ("run", "state", "home/Maildir/new", "home/Maildir/cur", "home/Maildir/tmp"):
        (d / sub).mkdir(parents=True)
    conf = d / "dovecot.conf"
    # As root, mail is read as nobody (Dovecot refuses uid 0); otherwise as ourselves.
    if os.geteuid() == 0:
        user, uid, gid = "root", 65534, 65534
    else:
        user, uid, gid = __import__("pwd").getpwuid(os.getuid()).pw_name, os.getuid(), os.getgid()
    conf.write_text(CONFIG.format(d=d, user=user, uid=uid, gid=gid))
    names = sorted(p.name for p in CORPUS.glob("*.eml"))
    for i, name in enumerate(names, 1):
        shutil.copy(CORPUS / name, d / "home" / "Maildir" / "new" / f"{i:02d}.{name}")
    for root, dirs, files in os.walk(d):
        for p in dirs + files:
            os.chmod(os.path.join(root, p), 0o777)
    os.chmod(d, 0o777)
    subprocess.run(["dovecot", "-c", str(conf)], check=True, timeout=30)
    try:
        fetch = ["doveadm", "-c", str(conf), "fetch", "-u", "bob", "uid imap.envelope imap.bodystructure", "mailbox", "INBOX", "all"]
        for _ in range(50):  # the auth process may take a moment to listen
            r = subprocess.run(fetch, capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                break
            time.sleep(0.2)
        assert r.returncode == 0, r.stderr
        out = r.stdout
    finally:
        subprocess.run(["doveadm", "-c", str(conf), "stop"], timeout=30, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
    records = re.split(r"^uid: ", out, flags=re.M)[1:]
    assert len(records) == len(names), out[:500]
    ours = known_answers()
    differences = []
    for name, record in zip(names, records):
        env = quoted_strings(re.search(r"^imap\.envelope: (.*?)\nimap\.bodystructure: ", record, re.M | re.S).group(1))
        bs = quoted_strings(re.search(r"^imap\.bodystructure: (.*)$", record, re.M).group(1))
        if (env, bs) != ours[name]:
            differences.append(f"{name}\n  ours: {ours[name]}\n  dovecot: {(env, bs)}")
    assert differences == [], "\n".join(differences)
