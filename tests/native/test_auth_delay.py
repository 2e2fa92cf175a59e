"""Password guessing is slow: a login refused for a wrong name or password is
answered --auth-failure-delay late (2 s by default, as Dovecot's
auth_failure_delay), once per refused login even when guesses are pipelined in
one write, and only that connection waits: others are served meanwhile, and a
right password is answered at once. Timed with time.monotonic.
"""
import imaplib
import poplib
import smtplib
import socket
import threading
import time

import pytest

from conftest import Lab

DELAY = 1.0  # --auth-failure-delay for these tests, in seconds
PROMPT = 0.5  # what "at once" means here


@pytest.fixture
def slow_lab(tmp_path):
    lab = Lab(tmp_path, ["--auth-failure-delay", str(int(DELAY * 1000))]).start()
    yield lab
    if lab.proc.poll() is None:
        lab.proc.kill()
        lab.proc.wait()


def timed(action):
    start = time.monotonic()
    try:
        return action(), time.monotonic() - start
    except Exception as e:  # the refusal is the answer being timed
        return e, time.monotonic() - start


def test_each_protocol_answers_a_wrong_password_late_and_a_right_one_at_once(slow_lab):
    pop = poplib.POP3("127.0.0.1", slow_lab.ports["pop3"], timeout=10)
    pop.user("bob")
    refused, took = timed(lambda: pop.pass_("wrong"))
    assert isinstance(refused, poplib.error_proto) and b"[AUTH]" in refused.args[0]
    assert DELAY <= took < DELAY + 1.5, took
    pop.user("bob")
    welcome, took = timed(lambda: pop.pass_("bob-pw"))
    assert welcome.startswith(b"+OK") and took < PROMPT, took
    pop.quit()

    imap = imaplib.IMAP4("127.0.0.1", slow_lab.ports["imap"], timeout=10)
    refused, took = timed(lambda: imap.login("bob", "wrong"))
    assert isinstance(refused, imaplib.IMAP4.error) and "AUTHENTICATIONFAILED" in str(refused)
    assert DELAY <= took < DELAY + 1.5, took
    (status, _), took = timed(lambda: imap.login("bob", "bob-pw"))
    assert status == "OK" and took < PROMPT, took
    imap.logout()

    with smtplib.SMTP("127.0.0.1", slow_lab.ports["submission"], timeout=10) as s:
        s.starttls(context=slow_lab.tls())
        s.ehlo()
        s.user, s.password = "alice", "wrong"
        # One mechanism: smtplib's login() would try three, each refused and delayed.
        refused, took = timed(lambda: s.auth("PLAIN", s.auth_plain))
        assert isinstance(refused, smtplib.SMTPAuthenticationError) and refused.smtp_code == 535
        assert DELAY <= took < DELAY + 1.5, took


def test_pipelined_guesses_each_wait_and_other_connections_do_not(slow_lab):
    guesses = 3
    answers = {}

    def guess():
        with socket.create_connection(("127.0.0.1", slow_lab.ports["pop3"]), timeout=15) as sock:
            reader = sock.makefile("rb")
            reader.readline()  # greeting
            start = time.monotonic()
            sock.sendall(b"".join(b"USER bob\r\nPASS guess%d\r\n" % i for i in range(guesses)))
            lines = [reader.readline() for _ in range(2 * guesses)]
            answers["took"] = time.monotonic() - start
            answers["lines"] = lines

    guesser = threading.Thread(target=guess)
    guesser.start()
    time.sleep(0.2)
    # Meanwhile another client is greeted and served at once.
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", slow_lab.ports["smtp"], timeout=10) as s:
        assert s.ehlo()[0] == 250
        assert s.noop()[0] == 250
    assert time.monotonic() - start < PROMPT
    guesser.join(timeout=30)
    refusals = [l for l in answers["lines"] if l.startswith(b"-ERR [AUTH]")]
    assert len(refusals) == guesses, answers["lines"]
    assert answers["took"] >= guesses * DELAY, answers["took"]
