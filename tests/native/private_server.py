"""What the private oracle servers (dovecot_imap.py, postfix_smtp.py) share: a fresh folder
under /tmp, one child process that the kernel stops if the test process dies, free
loopback ports, their logs, and stopping.
"""
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child between fork and exec: SIGTERM when the test process goes away.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def greets(port, greeting):
    """Whether a server on `port` answers a new connection with a line starting `greeting`."""
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        return s.makefile("rb").readline().startswith(greeting)


class PrivateServer:
    NAME = "server"
    LOGS = ("stderr",)

    def __init__(self):
        self.dir = None
        self.proc = None
        self.port = None

    def make_dir(self, prefix):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        return self.dir

    def spawn(self, argv, ready, timeout):
        """Runs argv (its output to the folder's `stderr`) until ready() is true; False if it
        exits or the time runs out first (it is then stopped, the folder kept for the log)."""
        log = open(self.dir / "stderr", "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if ready():
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        self.stop(remove=False)
        return False

    def log(self):
        out = []
        for name in self.LOGS:
            p = self.dir / name
            if p.exists():
                out.append(p.read_text(errors="replace"))
        return "\n".join(out)

    def terminate(self):
        self.proc.terminate()

    def stop(self, remove=True):
        if self.proc is not None and self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if remove and self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
