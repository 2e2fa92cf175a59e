"""Python's imaplib and curl's imap:// against the native server."""
import imaplib
import shutil
import smtplib
import subprocess

import pytest

from conftest import stored_subjects


def deliver(lab, *subjects):
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as s:
        for subject in subjects:
            s.sendmail("alice@a.example", ["bob@a.example"],
                       f"From: Alice <alice@a.example>\r\nSubject: {subject}\r\n\r\nline one\r\nline two\r\n")


def test_login_select_search_fetch_store_copy_expunge(lab):
    deliver(lab, "first", "second", "third")
    imap = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    assert "IMAP4REV1" in imap.capabilities
    typ, _ = imap.login("bob", "bob-pw")
    assert typ == "OK"
    typ, data = imap.select("INBOX")
    assert (typ, data) == ("OK", [b"3"])
    typ, data = imap.search(None, "SUBJECT", "second")
    assert data == [b"2"]
    typ, data = imap.uid("SEARCH", None, "ALL")
    assert data == [b"1 2 3"]
    # Partial fetch: the first 8 octets of the body, without setting \Seen.
    typ, data = imap.fetch("1", "(BODY.PEEK[TEXT]<0.8>)")
    assert data[0][1] == b"line one"
    typ, data = imap.fetch("1", "(FLAGS)")
    assert b"\\Seen" not in data[0]
    typ, data = imap.fetch("2", "(BODY[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: second\r\n\r\n"
    typ, data = imap.store("3", "+FLAGS", "(\\Deleted)")
    assert typ == "OK" and b"\\Deleted" in data[0]
    typ, data = imap.copy("1", "Trash")
    assert typ == "OK"
    typ, data = imap.expunge()
    assert data == [b"3"]
    typ, data = imap.append("INBOX", "(\\Seen)", None, b"Subject: appended\r\n\r\nvia APPEND\r\n")
    assert typ == "OK" and b"APPENDUID" in data[0]
    typ, data = imap.status("Trash", "(MESSAGES)")
    assert data == [b"Trash (MESSAGES 1)"]
    imap.logout()
    world = lab.stop()
    assert stored_subjects(world, "bob@a.example") == ["first", "second", "appended"]


def test_imaps_and_starttls(lab):
    deliver(lab, "secret")
    with imaplib.IMAP4_SSL("127.0.0.1", lab.ports["imaps"], ssl_context=lab.tls(), timeout=10) as imap:
        imap.login("bob", "bob-pw")
        assert imap.select("INBOX") == ("OK", [b"1"])
    imap = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    imap.starttls(ssl_context=lab.tls())
    imap.login("bob", "bob-pw")
    assert imap.select("INBOX", readonly=True) == ("OK", [b"1"])
    typ, data = imap.store("1", "+FLAGS", "(\\Seen)")
    assert typ == "NO", "EXAMINE is read-only"
    imap.logout()


def test_two_clients_see_each_others_changes(lab):
    deliver(lab, "shared")
    a = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    b = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    for c in (a, b):
        c.login("bob", "bob-pw")
        c.select("INBOX")
    deliver(lab, "arrived")
    typ, data = a.noop()
    assert b"2" in a.untagged_responses.get("EXISTS", [b""])[-1]
    b.store("1", "+FLAGS", "(\\Deleted)")
    b.expunge()
    a.noop()
    assert a.untagged_responses.get("EXPUNGE") == [b"1"]
    a.logout()
    b.logout()


def test_a_message_another_client_expunged_is_reported_not_served(lab):
    # RFC 2180 §4.1.2: until a may be told (no EXPUNGE during FETCH), message 1 keeps its
    # number; FETCH answers for message 2 and ends in NO [EXPUNGEISSUED], then NOOP tells.
    deliver(lab, "going", "staying")
    a = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    b = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    for c in (a, b):
        c.login("bob", "bob-pw")
        c.select("INBOX")
    b.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    b.expunge()
    typ, data = a.fetch("1:2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "NO" and data[0].startswith(b"[EXPUNGEISSUED] "), (typ, data)
    fetched = a.untagged_responses.pop("FETCH", [])
    assert [d[1] for d in fetched if isinstance(d, tuple)] == [b"Subject: staying\r\n\r\n"], fetched
    a.noop()
    assert a.untagged_responses.get("EXPUNGE") == [b"1"]
    typ, data = a.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and data[0][1] == b"Subject: staying\r\n\r\n"
    a.logout()
    b.logout()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by scripts/install.sh")
def test_curl_imap_urls(lab):
    deliver(lab, "for curl")
    base = f"imap://127.0.0.1:{lab.ports['imap']}"
    r = subprocess.run(["curl", "-sS", "--user", "bob:bob-pw", f"{base}/INBOX;UID=1"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "Subject: for curl" in r.stdout
    r = subprocess.run(["curl", "-sS", "--user", "bob:bob-pw", f"{base}/"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "INBOX" in r.stdout and "Trash" in r.stdout
    r = subprocess.run(["curl", "-sS", "--user", "bob:bob-pw", "-X", "SEARCH SUBJECT curl", f"{base}/INBOX"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "* SEARCH 1" in r.stdout
