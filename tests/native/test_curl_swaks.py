"""curl's smtp:// and pop3:// URLs and swaks against the native server."""
import shutil
import subprocess

import pytest

from conftest import stored_subjects


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by scripts/install.sh")
def test_curl_smtp_then_pop3(lab, tmp_path):
    mail = tmp_path / "mail.txt"
    mail.write_bytes(b"From: alice@a.example\r\nTo: bob@a.example\r\nSubject: curl\r\n\r\n.leading dot\r\nbye\r\n")
    r = run("curl", "-sS", f"smtp://127.0.0.1:{lab.ports['smtp']}", "--mail-from", "alice@a.example",
            "--mail-rcpt", "bob@a.example", "--upload-file", str(mail))
    assert r.returncode == 0, r.stderr
    # STARTTLS on submission with AUTH, trusting the lab's certificate.
    r = run("curl", "-sS", f"smtp://127.0.0.1:{lab.ports['submission']}", "--ssl-reqd", "--cacert", str(lab.cert),
            "--user", "alice:alice-pw", "--mail-from", "alice@a.example", "--mail-rcpt", "bob@a.example",
            "--upload-file", str(mail))
    assert r.returncode == 0, r.stderr
    r = run("curl", "-sS", f"pop3://bob:bob-pw@127.0.0.1:{lab.ports['pop3']}/1")
    assert r.returncode == 0, r.stderr
    assert "Subject: curl" in r.stdout and "\n.leading dot" in r.stdout.replace("\r", "")
    r = run("curl", "-sS", "--ssl-reqd", "--cacert", str(lab.cert), f"pop3://bob:bob-pw@127.0.0.1:{lab.ports['pop3']}/")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 2
    assert stored_subjects(lab.stop(), "bob@a.example") == ["curl", "curl"]


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is installed by scripts/install.sh")
@pytest.mark.parametrize("auth", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_swaks_tls_auth_pipelining(lab, auth):
    r = run("swaks", "--server", f"127.0.0.1:{lab.ports['submission']}", "--tls", "--tls-ca-path", str(lab.cert),
            "--auth", auth, "--auth-user", "alice", "--auth-password", "alice-pw", "--pipeline",
            "--from", "alice@a.example", "--to", "bob@a.example,alice@a.example",
            "--header", f"Subject: swaks {auth}", "--body", "hello from swaks")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "<~  250 2.0.0 OK: queued as" in r.stdout
    world = lab.stop()
    assert stored_subjects(world, "bob@a.example") == [f"swaks {auth}"]
    assert stored_subjects(world, "alice@a.example") == [f"swaks {auth}"]
