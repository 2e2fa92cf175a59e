"""IDLE pushes: a client in IDLE (RFC 2177) hears of a new message at once, without
sending anything, whether the message came by SMTP or by another IMAP session's APPEND.

Driven with IMAPClient, a real IMAP client library. The limit is 1 s from the moment the
message is stored (SMTP's 250 after DATA, APPEND's tagged OK) to the EXISTS.
"""
import smtplib
import time

from imapclient import IMAPClient

LIMIT = 1.0


def idle_client(lab):
    client = IMAPClient("127.0.0.1", port=lab.ports["imap"], ssl=False, timeout=10)
    client.login("bob@a.example", "bob-pw")
    client.select_folder("INBOX")
    client.idle()
    return client


def wait_for_exists(client, since):
    """Untagged responses until an EXISTS or LIMIT seconds after `since`; and when it came."""
    seen = []
    while True:
        remaining = since + LIMIT - time.monotonic()
        if remaining <= 0:
            return seen, None
        got = client.idle_check(timeout=remaining)
        seen += got
        if any(len(r) >= 2 and r[1] == b"EXISTS" for r in got):
            return seen, time.monotonic() - since


def finish(client):
    client.idle_done()
    client.logout()


def test_smtp_delivery_reaches_idle_client_within_a_second(lab):
    client = idle_client(lab)
    try:
        with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as smtp:
            smtp.sendmail("alice@a.example", ["bob@a.example"],
                          "From: Alice <alice@a.example>\r\nSubject: pushed\r\n\r\nby SMTP\r\n")
            stored = time.monotonic()  # sendmail returned: DATA got its 250
        seen, elapsed = wait_for_exists(client, stored)
        assert elapsed is not None, f"no EXISTS within {LIMIT} s of the SMTP delivery; got {seen!r}"
        assert elapsed < LIMIT, elapsed
    finally:
        finish(client)


def test_other_sessions_append_reaches_idle_client_within_a_second(lab):
    client = idle_client(lab)
    try:
        other = IMAPClient("127.0.0.1", port=lab.ports["imap"], ssl=False, timeout=10)
        other.login("bob@a.example", "bob-pw")
        other.append("INBOX", b"From: Bob <bob@a.example>\r\nSubject: appended\r\n\r\nby APPEND\r\n")
        stored = time.monotonic()  # the APPEND's tagged OK was read
        seen, elapsed = wait_for_exists(client, stored)
        other.logout()
        assert elapsed is not None, f"no EXISTS within {LIMIT} s of the other session's APPEND; got {seen!r}"
        assert elapsed < LIMIT, elapsed
    finally:
        finish(client)
