"""Starts mail-lab-serve on free loopback ports for each test and stops it after.

The binary is built by scripts/test.sh (cargo build -p mail-lab-serve); set
MAIL_LAB_SERVE to use another one.
"""
import json
import base64
import os
import poplib
import signal
import ssl
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("MAIL_LAB_SERVE", ROOT / "target" / "debug" / "mail-lab-serve"))


class Lab:
    def __init__(self, tmp: Path, extra=()):
        self.tmp = tmp
        self.cert = tmp / "cert.pem"
        self.state = tmp / "world.json"
        self.extra = list(extra)
        self.proc = None
        self.ports = {}
        self.accounts = {}
        self.output = []

    def start(self):
        args = [str(BINARY), "--clock", "logical", "--cert-out", str(self.cert), "--state", str(self.state)]
        for service in ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps"):
            args += [f"--{service}-port", "0"]
        self.proc = subprocess.Popen(args + self.extra, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"mail-lab-serve exited early: {''.join(self.output)}")
            self.output.append(line)
            words = line.split()
            if words[:1] == ["listening"]:
                host, port = words[3].rsplit(":", 1)
                assert host == "127.0.0.1", "binds loopback by default"
                self.ports[words[1]] = int(port)
            elif words[:1] == ["account"]:
                self.accounts[words[1]] = words[2]
            elif words == ["ready"]:
                return self
        raise RuntimeError("mail-lab-serve did not get ready in time")

    def tls(self):
        return ssl.create_default_context(cafile=str(self.cert))

    def stop(self, sig=signal.SIGTERM):
        """Stops the server the way Ctrl-C does; returns the saved world."""
        self.proc.send_signal(sig)
        out, _ = self.proc.communicate(timeout=20)
        self.output.append(out)
        assert self.proc.returncode == 0, "".join(self.output)
        assert f"saved world to {self.state}" in out
        return json.loads(self.state.read_text())

    def inbox(self, user, password):
        """Every message in a mailbox, read with poplib (leaves them there)."""
        pop = poplib.POP3("127.0.0.1", self.ports["pop3"], timeout=10)
        pop.user(user)
        pop.pass_(password)
        count, _ = pop.stat()
        messages = [b"\r\n".join(pop.retr(i)[1]) for i in range(1, count + 1)]
        pop.quit()
        return messages


def stored_subjects(world, account):
    """Subjects of an account's INBOX in a saved world."""
    for host in world["hosts"]:
        acct = host["store"]["accounts"].get(account)
        if acct:
            out = []
            for m in acct["folders"]["INBOX"]["messages"]:
                raw = m["raw"]  # text since snapshot version 2; {"base64": ...} when not UTF-8
                if isinstance(raw, dict):
                    raw = base64.b64decode(raw["base64"]).decode("utf-8", "replace")
                out += [l[len("Subject: "):] for l in raw.split("\r\n") if l.startswith("Subject: ")][:1]
            return out
    raise KeyError(account)


@pytest.fixture
def lab(tmp_path):
    lab = Lab(tmp_path).start()
    yield lab
    if lab.proc.poll() is None:
        lab.proc.kill()
        lab.proc.wait()
