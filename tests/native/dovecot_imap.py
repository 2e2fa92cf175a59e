"""A private Dovecot IMAP server (and, on request, POP3 server) for differential tests
(tests/native/test_imap_vs_dovecot.py, tests/native/test_pop3_vs_dovecot.py).

Everything lives in a fresh directory under /tmp: its own config, base_dir, state_dir, log,
passwd-file and Maildir. It listens on a free loopback port of its own (no imaps), runs in
the foreground as this process's child (`dovecot -F`), and is stopped when the test ends
(SIGTERM, then SIGKILL); the kernel also sends it SIGTERM if the test process dies
(PR_SET_PDEATHSIG), so no daemon is ever left behind. A system Dovecot that the package
may have started is neither used nor touched: nothing here reads /etc/dovecot.

The mailboxes mirror the lab's initial account (crates/world/src/scenario.rs): INBOX and
the special-use folders Sent, Drafts, Trash and Junk (RFC 6154), all created and
subscribed, as the lab's store does, so that the two servers start from the same state.
"""
import grp
import os
import pwd

from private_server import PrivateServer, free_port, greets

USER, PASSWORD = "bob@a.example", "bob-pw"

CONFIG = """
protocols = {protocols}
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_greeting = Dovecot ready.
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}
last_valid_uid = 0
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
# Another session's changes reach an IDLE session at once (inotify), and at worst after 1 s.
mailbox_idle_check_interval = 1 secs
# Nothing here is for production: no fsync, so the test stays fast.
mail_fsync = never
# A wrong password is answered at once (Dovecot waits 2 s by default, against guessing).
auth_failure_delay = 0
namespace inbox {{
  inbox = yes
  separator = /
  prefix =
  mailbox INBOX {{
    auto = subscribe
  }}
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
  mailbox Drafts {{
    auto = subscribe
    special_use = \\Drafts
  }}
  mailbox Trash {{
    auto = subscribe
    special_use = \\Trash
  }}
  mailbox Junk {{
    auto = subscribe
    special_use = \\Junk
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  # No chroot, so the same config runs as an unprivileged user too.
  chroot =
}}
service anvil {{
  chroot =
}}
"""

# Added when POP3 is asked for: pop3d on a loopback port of its own, no pop3s.
POP3_CONFIG = """
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
  chroot =
}}
"""

class Dovecot(PrivateServer):
    LOGS = ("stderr", "log")

    def __init__(self, pop3=False):
        super().__init__()
        self.pop3 = pop3
        self.pop3_port = None

    def start(self, timeout=10):
        d = self.make_dir("mail-lab-dovecot-imap-")
        for sub in ("run", "state", "home"):
            (d / sub).mkdir()
        if os.geteuid() == 0:
            # Dovecot will not give mail to uid 0: as root, mail belongs to `mail` (Debian's
            # uid 8), the login and internal processes run as Debian's dovenull and dovecot.
            mail = pwd.getpwnam("mail")
            uid, gid = mail.pw_uid, mail.pw_gid
            login_user, internal_user, internal_group = "dovenull", "dovecot", "dovecot"
        else:
            me = pwd.getpwuid(os.getuid())
            uid, gid = me.pw_uid, me.pw_gid
            login_user = internal_user = me.pw_name
            internal_group = grp.getgrgid(me.pw_gid).gr_name
        (d / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        # Ports are checked free, then given to Dovecot: retry in the rare case another
        # process took the port in between.
        last = ""
        for _ in range(3):
            self.port = free_port()
            config = CONFIG.format(d=d, port=self.port, uid=uid, gid=gid, login_user=login_user,
                internal_user=internal_user, internal_group=internal_group,
                protocols="imap pop3" if self.pop3 else "imap")
            if self.pop3:
                self.pop3_port = free_port()
                config += POP3_CONFIG.format(pop3_port=self.pop3_port)
            (d / "dovecot.conf").write_text(config)
            os.chmod(d, 0o755)
            if os.geteuid() == 0:
                os.chown(d / "home", uid, gid)
            ready = lambda: greets(self.port, b"* OK") and (not self.pop3 or greets(self.pop3_port, b"+OK"))
            if self.spawn(["dovecot", "-F", "-c", str(d / "dovecot.conf")], ready, timeout):
                return self
            last = self.log()
        self.stop()
        raise RuntimeError(f"private Dovecot did not start:\n{last}")
