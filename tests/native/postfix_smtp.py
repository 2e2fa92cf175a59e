"""A private Postfix for differential tests of the SMTP server (tests/native/test_smtp_vs_postfix.py).

Everything lives in a fresh directory under /tmp: main.cf and master.cf, the queue, the
data directory, the log and the virtual mailboxes. Postfix's master runs in the
foreground as this process's child (`postfix start-fg`) with one smtpd on a free loopback
port and only the services a delivery needs; it is stopped when the test ends, and the
kernel sends it SIGTERM if the test process dies. A system Postfix that the package may
have started is neither used nor touched: nothing here reads /etc/postfix's main.cf.

Postfix's master must start as root (it drops to the `postfix` user); as another user the
tests that need it are skipped with that reason.

The domain mirrors the lab's mail.a.example: a.example with the accounts alice and bob,
relaying for no one (the lab's port 25 relays only for a client that logged in to POP3
first, which these scripts do not do).
"""
import os
import pwd
import shutil
import subprocess

from private_server import PrivateServer, free_port, greets

MAIN_CF = """
compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.a.example
mydomain = a.example
myorigin = a.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# No client is trusted to relay: 127.0.0.2 never connects.
mynetworks = 127.0.0.2/32
# As deployed (Debian's main.cf): relaying for others is refused outright (554), not deferred.
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
virtual_mailbox_domains = a.example
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = inline:{{ {{alice@a.example=alice/}}, {{bob@a.example=bob/}} }}
virtual_minimum_uid = 1
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
alias_maps =
alias_database =
biff = no
smtpd_banner = $myhostname ESMTP
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
"""

# Only what a delivery to a virtual mailbox needs; no chroot.
MASTER_CF = """
127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


def can_run():
    """None when a private Postfix can start here, else why not."""
    if shutil.which("postfix") is None:
        return "postfix is not installed (scripts/install.sh installs it from apt)"
    if os.geteuid() != 0:
        return "Postfix's master must start as root"
    return None


class Postfix(PrivateServer):
    LOGS = ("stderr", "maillog")

    def start(self, timeout=20):
        d = self.make_dir("mail-lab-postfix-")
        os.chmod(d, 0o755)
        for sub in ("conf", "queue", "data", "mail"):
            (d / sub).mkdir()
        mail = pwd.getpwnam("mail")
        os.chown(d / "mail", mail.pw_uid, mail.pw_gid)
        os.chown(d / "data", pwd.getpwnam("postfix").pw_uid, -1)
        last = ""
        for _ in range(3):
            self.port = free_port()
            (d / "conf" / "main.cf").write_text(MAIN_CF.format(d=d, uid=mail.pw_uid, gid=mail.pw_gid))
            (d / "conf" / "master.cf").write_text(MASTER_CF.format(port=self.port))
            argv = ["postfix", "-c", str(d / "conf"), "start-fg"]
            if self.spawn(argv, lambda: greets(self.port, b"220 "), timeout):
                return self
            last = self.log()
        self.stop()
        raise RuntimeError(f"private Postfix did not start:\n{last}")

    def terminate(self):
        # The master's children go with it; `postfix stop` waits for them.
        subprocess.run(["postfix", "-c", str(self.dir / "conf"), "stop"], capture_output=True, timeout=20)
