"""Node's mail clients (npm) against the native server.

- imapflow runs one scripted session (imapflow_session.mjs: LIST, CREATE, APPEND with
  flags and dates, SELECT, FETCH of flags/size/date/ENVELOPE/BODYSTRUCTURE, a part's
  download, SEARCH, STORE, MOVE, delete, STATUS) against a private Dovecot and against
  the lab. What the client saw must be the same, less the differences in
  `imapflow_view`, each with its reason.
- nodemailer sends a Japanese message with an attachment through the lab's submission
  port (STARTTLS required, then AUTH), and Python's email package reads what bob got.
"""
import email
import json
import subprocess
from email import policy

from conftest import ROOT
from dovecot_imap import PASSWORD, USER, Dovecot

HERE = ROOT / "tests" / "native"


def node(script, *args):
    run = subprocess.run(["node", str(HERE / script), *map(str, args)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def imapflow_view(seen, server):
    """What imapflow saw, less what each server may choose for itself."""

    def walk(v):
        if isinstance(v, dict):
            return {k: ("<server's own>" if k == "uidValidity" else walk(x)) for k, x in v.items()}
        if isinstance(v, list):
            # imapflow enables IMAP4rev2, which has no \Recent (RFC 9051 Appendix E): the
            # lab then shows none; Dovecot 2.3 speaks IMAP4rev1 only and shows it.
            return [walk(x) for x in v if not (server == "dovecot" and x == "\\Recent")]
        return v

    seen = walk(seen)
    for folder in seen.get("listAfterCreate", []):
        if server == "dovecot" and folder["path"] == "Work":
            # CREATE Work/Projects needs the superior Work: the lab makes it a mailbox,
            # Dovecot's Maildir++ keeps it a name only; RFC 9051 §6.3.4 allows either.
            assert folder["flags"] == ["\\HasChildren", "\\NonExistent", "\\Noselect"]
            folder["flags"] = ["\\HasChildren"]
    return seen


def test_imapflow_sees_what_it_sees_with_dovecot(lab):
    dovecot = Dovecot().start()
    try:
        theirs = node("imapflow_session.mjs", dovecot.port, USER, PASSWORD)
    finally:
        dovecot.stop()
    ours = node("imapflow_session.mjs", lab.ports["imap"], USER, PASSWORD, lab.cert)
    assert "error" not in theirs and "error" not in ours, (theirs.get("error"), ours.get("error"))
    # What a user of either would rely on, checked outright (not only as "the same").
    assert ours["text"] == "日本語の本文です。"
    assert ours["attachment"] == {"meta": {"contentType": "application/octet-stream", "filename": "notes.txt"},
                                  "text": "notes for bob\n"}
    assert ours["fetched"][1]["envelope"]["subject"] == "日本語の件名"
    assert (ours["searchUnseen"], ours["searchFrom"], ours["searchSubject"], ours["searchBody"]) == ([2, 3], [2], [3], [2])
    assert ours["inbox"]["messages"] == 1 and ours["trash"]["messages"] == 1
    differences = []
    theirs, ours = imapflow_view(theirs, "dovecot"), imapflow_view(ours, "lab")
    for key in theirs.keys() | ours.keys():
        if theirs.get(key) != ours.get(key):
            differences.append(f"{key}:\n  dovecot {json.dumps(theirs.get(key), ensure_ascii=False)}\n"
                               f"  lab     {json.dumps(ours.get(key), ensure_ascii=False)}")
    assert not differences, "imapflow saw differences:\n" + "\n".join(differences)


def test_nodemailer_submits_through_starttls_and_auth(lab):
    sent = node("nodemailer_send.mjs", lab.ports["submission"], "alice@a.example", lab.accounts["alice@a.example"],
                lab.cert, "bob@a.example", "nobody@a.example")
    # One recipient refused at RCPT (no such user), the message taken for the other.
    assert sent.get("accepted") == ["bob@a.example"], sent
    assert sent["rejected"] == ["nobody@a.example"]
    assert sent["response"].startswith("250 ")
    [raw] = lab.inbox("bob", "bob-pw")
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "会議のお知らせ"
    assert "with ESMTPSA" in msg["Received"]  # RFC 3848: submitted over TLS, authenticated
    body, attachment = [part for part in msg.walk() if not part.is_multipart()]
    # nodemailer writes CRLF line ends inside the encoded text itself.
    assert body.get_content().replace("\r\n", "\n") == "明日の会議は10時からです。\n.a line that starts with a dot\n"
    assert attachment.get_filename() == "agenda.txt" and attachment.get_content() == "1. mail\n2. DNS\n"


def test_nodemailer_wrong_password_is_refused(lab):
    sent = node("nodemailer_send.mjs", lab.ports["submission"], "alice@a.example", "wrong", lab.cert, "bob@a.example")
    assert sent.get("code") == "EAUTH" and sent["responseCode"] == 535, sent
    assert lab.inbox("bob", "bob-pw") == []
