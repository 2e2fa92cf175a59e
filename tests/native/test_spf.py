"""SPF at the native server (the spoofing scenario, serving mail.b.example):
real clients connect from 127.0.0.1, which no domain's record lists.

- swaks sending as alice@a.example (record `v=spf1 mx -all`) is refused at the
  end of DATA with 550 5.7.23, and nothing reaches carol;
- smtplib sending as a domain with no SPF record is accepted, and carol's copy,
  read back with poplib, carries `Authentication-Results: …; spf=none` and
  `Received-SPF: none` above the Received line.
"""
import shutil
import smtplib
import subprocess

import pytest

from conftest import Lab


@pytest.fixture
def spoofing(tmp_path):
    lab = Lab(tmp_path, ["--scenario", "spoofing", "--host", "mail.b.example"]).start()
    yield lab
    if lab.proc.poll() is None:
        lab.proc.kill()
        lab.proc.wait()


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is installed by scripts/install.sh")
def test_swaks_forging_a_example_is_refused_with_5_7_23(spoofing):
    r = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{spoofing.ports['smtp']}", "--helo", "spam.example.net",
         "--from", "alice@a.example", "--to", "carol@b.example", "--header", "Subject: forged"],
        capture_output=True, text=True, timeout=30,
    )
    assert r.returncode != 0
    assert "<** 550 5.7.23 SPF fail: a.example does not authorise 127.0.0.1 to send its mail" in r.stdout, r.stdout
    assert spoofing.inbox("carol", "carol-pw") == []


def test_smtplib_from_a_domain_without_a_record_is_labelled_none(spoofing):
    with smtplib.SMTP("127.0.0.1", spoofing.ports["smtp"], timeout=10) as smtp:
        smtp.ehlo("client.example")
        refused = smtp.sendmail("someone@unlisted.example", ["carol@b.example"],
                                b"From: someone@unlisted.example\r\nSubject: no record\r\n\r\nHi\r\n")
        assert refused == {}
    [message] = spoofing.inbox("carol", "carol-pw")
    headers = message.split(b"\r\n\r\n", 1)[0].decode()
    names = [line.split(":", 1)[0] for line in headers.split("\r\n") if line and not line[0].isspace()]
    assert names[:4] == ["Return-Path", "Authentication-Results", "Received-SPF", "Received"]
    assert "Authentication-Results: mail.b.example;\r\n\tspf=none smtp.mailfrom=someone@unlisted.example\r\n" in headers
    assert ("Received-SPF: none (mail.b.example: domain of someone@unlisted.example does not designate permitted "
            "sender hosts)\r\n\treceiver=mail.b.example; client-ip=127.0.0.1;") in headers
