"""DKIM and DMARC at the native server (the dmarc scenario), with real clients
and dkimpy, an independent DKIM implementation from PyPI, as the oracle:

- swaks sending with a forged From: alice@a.example (a.example publishes
  `p=reject`) is refused at the end of DATA with 550 5.7.1, and nothing is stored;
- a forged From: carol@b.example (`p=quarantine`) is accepted into bob's Junk
  folder, read back with imaplib, with `dmarc=fail` in Authentication-Results;
- alice's mail submitted with smtplib on 587 is signed by the lab, and dkimpy
  verifies the signature against the key the lab publishes;
- a message dkimpy signs with a.example's key passes the lab's check, although
  its SPF fails (it comes from 127.0.0.1), and DMARC passes through DKIM;
- the same kind of message posted to a mailing list that tags the Subject:
  dkimpy finds the list's copy broken, and whole again without the tag.
"""
import base64
import imaplib
import json
import shutil
import smtplib
import subprocess

import pytest

from conftest import Lab

dkim = pytest.importorskip("dkim", reason="dkimpy is installed by scripts/install.sh")

# The lab key of scenario::A_EXAMPLE_DKIM_SEED (crates/world/src/scenario.rs).
A_EXAMPLE_SEED = b"Mail Lab a.example DKIM key 2026"


def serve(tmp_path, host):
    """The dmarc scenario's `host`, stopped after the test."""
    lab = Lab(tmp_path, ["--scenario", "dmarc", "--host", host]).start()
    yield lab
    if lab.proc.poll() is None:
        lab.proc.kill()
        lab.proc.wait()


@pytest.fixture
def mail_a(tmp_path):
    yield from serve(tmp_path, "mail.a.example")


@pytest.fixture
def mail_b(tmp_path):
    yield from serve(tmp_path, "mail.b.example")


def published_key(lab):
    """The TXT record the lab publishes at lab._domainkey.a.example."""
    path = lab.tmp / "exported.json"
    subprocess.run([lab.proc.args[0], "--scenario", "dmarc", "--export-scenario", str(path)],
                   capture_output=True, timeout=30, check=True)
    world = json.loads(path.read_text())
    [record] = world["dns_txt"]["lab._domainkey.a.example"]
    return record


def folder(lab, user, password, name):
    imap = imaplib.IMAP4("127.0.0.1", lab.ports["imap"], timeout=10)
    imap.login(user, password)
    imap.select(name, readonly=True)
    _, data = imap.search(None, "ALL")
    out = [imap.fetch(n, "(RFC822)")[1][0][1] for n in data[0].split()]
    imap.logout()
    return out


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is installed by scripts/install.sh")
def test_swaks_with_a_forged_from_is_refused_as_p_reject_asks(mail_b):
    r = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{mail_b.ports['smtp']}", "--helo", "client.example",
         "--from", "someone@unlisted.example", "--to", "carol@b.example",
         "--header", "From: Alice <alice@a.example>", "--header", "Subject: your invoice"],
        capture_output=True, text=True, timeout=30,
    )
    assert r.returncode != 0
    assert ("<** 550 5.7.1 DMARC: rejected by the policy for a.example (SPF gave none for "
            "unlisted.example, and no DKIM signature passed; a.example asks for p=reject)") in r.stdout, r.stdout
    assert mail_b.inbox("carol", "carol-pw") == []
    assert folder(mail_b, "carol", "carol-pw", "Junk") == []


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is installed by scripts/install.sh")
def test_swaks_with_a_forged_from_goes_to_junk_as_p_quarantine_asks(mail_a):
    r = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{mail_a.ports['smtp']}", "--helo", "client.example",
         "--from", "someone@unlisted.example", "--to", "bob@a.example",
         "--header", "From: <carol@b.example>", "--header", "Subject: lunch?"],
        capture_output=True, text=True, timeout=30,
    )
    assert r.returncode == 0, r.stdout
    assert mail_a.inbox("bob", "bob-pw") == []
    [junk] = folder(mail_a, "bob", "bob-pw", "Junk")
    headers = junk.split(b"\r\n\r\n", 1)[0].decode()
    assert ("Authentication-Results: mail.a.example;\r\n\tspf=none smtp.mailfrom=someone@unlisted.example;\r\n"
            "\tdmarc=fail (p=quarantine dis=quarantine) header.from=b.example\r\n") in headers, headers


def test_the_labs_signature_verifies_with_dkimpy(mail_a):
    with smtplib.SMTP("127.0.0.1", mail_a.ports["submission"], timeout=10) as smtp:
        smtp.ehlo("pc.a.example")
        smtp.login("alice@a.example", "alice-pw")
        smtp.sendmail("alice@a.example", ["bob@a.example"],
                      b"From: Alice <alice@a.example>\r\nTo: bob@a.example\r\nSubject: signed\r\n"
                      b"Date: Wed, 01 Apr 2026 09:00:00 +0000\r\n\r\nHello,  Bob. \r\n\r\n\r\n")
    [message] = mail_a.inbox("bob", "bob-pw")
    assert b"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n\td=a.example; s=lab;" in message
    lines = message.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"DKIM-Signature:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i][:1].isspace())
    assert max(len(line) for line in lines[start:end]) <= 78, lines[start:end]
    record = published_key(mail_a).encode()
    dns = lambda name, timeout=5: record if name == b"lab._domainkey.a.example." else None  # noqa: E731
    assert dkim.verify(message, dnsfunc=dns)
    # The oracle can fail: one changed byte of the body and it says no.
    assert not dkim.verify(message.replace(b"Hello,", b"Hallo,"), dnsfunc=dns)


def send_signed_by_dkimpy(lab, to, subject, body):
    """alice's message to `to`, signed by dkimpy with a.example's key, sent to
    `lab`'s port 25 from 127.0.0.1 (which a.example's SPF does not allow)."""
    message = f"From: Alice <alice@a.example>\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n".encode() + body
    private = base64.b64encode(A_EXAMPLE_SEED)
    signature = dkim.sign(message, b"lab", b"a.example", private, signature_algorithm=b"ed25519-sha256",
                          include_headers=[b"from", b"to", b"subject"])
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as smtp:
        smtp.ehlo("client.example")
        assert smtp.sendmail("alice@a.example", [to], signature + message) == {}


def test_a_dkimpy_signature_passes_the_lab_and_carries_dmarc_past_an_spf_fail(mail_b):
    send_signed_by_dkimpy(mail_b, "carol@b.example", "signed elsewhere", b"Signed by dkimpy.\r\n")
    [got] = mail_b.inbox("carol", "carol-pw")
    headers = got.split(b"\r\n\r\n", 1)[0].decode()
    assert ("Authentication-Results: mail.b.example;\r\n\tspf=fail smtp.mailfrom=alice@a.example;\r\n"
            "\tdkim=pass header.d=a.example header.s=lab;\r\n"
            "\tdmarc=pass (p=reject dis=none) header.from=a.example\r\n") in headers, headers


def test_the_list_tag_is_what_breaks_the_signature_as_dkimpy_sees_it(mail_b):
    """alice posts to lab-list@b.example (a mailing list on mail.b.example that
    tags the Subject): carol, a member on the list's host, gets the tagged copy;
    dkimpy says its signature fails, and passes once the tag is taken out. bob's
    copy is refused by mail.a.example (a.example asks for p=reject), and the
    bounce goes to the list's owner (carol), not to alice."""
    send_signed_by_dkimpy(mail_b, "lab-list@b.example", "minutes", b"Posted to the list.\r\n")
    copy, bounce = mail_b.inbox("carol", "carol-pw")
    headers = copy.split(b"\r\n\r\n", 1)[0].decode()
    assert "\r\nSubject: [lab-list] minutes\r\n" in headers, headers
    assert "\r\nList-Id: <lab-list.b.example>\r\nList-Post: <mailto:lab-list@b.example>\r\n" in headers + "\r\n"
    assert headers.startswith("Return-Path: <carol@b.example>\r\n"), headers
    record = published_key(mail_b).encode()
    dns = lambda name, timeout=5: record if name == b"lab._domainkey.a.example." else None  # noqa: E731
    assert not dkim.verify(copy, dnsfunc=dns)
    assert dkim.verify(copy.replace(b"Subject: [lab-list] minutes", b"Subject: minutes"), dnsfunc=dns)
    assert b"DMARC: rejected by the policy for a.example" in bounce, bounce


def test_a_world_with_keys_and_lists_is_exported_for_the_page_with_them(tmp_path):
    """The page signs and checks DKIM and runs mailing lists too: its lab file
    keeps the world's key (seed and all) and its list."""
    from conftest import BINARY
    scenario, page = tmp_path / "dmarc.json", tmp_path / "page.txt"
    r = subprocess.run([str(BINARY), "--scenario", "dmarc", "--export-scenario", str(scenario),
                        "--export-page-lab", str(page)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    world = json.loads(scenario.read_text())
    assert [l["address"] for l in world["mailing_lists"]] == ["lab-list@b.example"]
    assert [k["selector"] for k in world["dkim_keys"]] == ["lab"]
    text = page.read_text()
    assert text.startswith("mail-lab-world 5 ")
    packed = base64.b64decode(text.split(" ", 2)[2])  # the compact form: postcard in base64
    assert b"lab-list@b.example" in packed and b"[lab-list]" in packed, packed[-200:]
    assert b"mail.a.example\ta.example\x03lab" in packed, packed[-200:]  # the key's host, domain, selector
