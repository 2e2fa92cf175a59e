"""Python's poplib against the native server: USER/PASS, APOP, STLS, TOP,
UIDL, DELE committed at QUIT, and POP3S."""
import poplib
import smtplib

from conftest import stored_subjects


def deliver(lab, *subjects):
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as s:
        for subject in subjects:
            s.sendmail("alice@a.example", ["bob@a.example"], f"Subject: {subject}\r\n\r\nline one\r\nline two\r\n")


def test_user_pass_stat_list_top_uidl_retr_dele(lab):
    deliver(lab, "first", "second")
    pop = poplib.POP3("127.0.0.1", lab.ports["pop3"], timeout=10)
    assert pop.getwelcome().startswith(b"+OK POP3 server ready <")
    assert pop.user("bob").startswith(b"+OK")
    assert pop.pass_("bob-pw").startswith(b"+OK bob's maildrop has 2 messages")
    count, size = pop.stat()
    assert count == 2 and size > 0
    _, listing, _ = pop.list()
    assert [l.split()[0] for l in listing] == [b"1", b"2"]
    _, top, _ = pop.top(1, 1)
    assert b"Subject: first" in top and top[-1] == b"line one"
    _, uids, _ = pop.uidl()
    assert len({u.split()[1] for u in uids}) == 2
    _, lines, octets = pop.retr(2)
    assert b"Subject: second" in lines
    assert pop.dele(1).startswith(b"+OK message 1 deleted")
    assert pop.quit().startswith(b"+OK mail.a.example POP3 server signing off (1 message left)")
    assert stored_subjects(lab.stop(), "bob@a.example") == ["second"]


def test_apop(lab):
    deliver(lab, "apop")
    pop = poplib.POP3("127.0.0.1", lab.ports["pop3"], timeout=10)
    assert pop.apop("bob", "bob-pw").startswith(b"+OK bob's maildrop has 1 message")
    pop.quit()


def test_stls_then_login(lab):
    deliver(lab, "secret")
    pop = poplib.POP3("127.0.0.1", lab.ports["pop3"], timeout=10)
    assert "STLS" in pop.capa()
    pop.stls(context=lab.tls())
    pop.user("bob")
    pop.pass_("bob-pw")
    assert pop.stat()[0] == 1
    pop.quit()


def test_pop3s_and_the_maildrop_lock(lab):
    first = poplib.POP3_SSL("127.0.0.1", lab.ports["pop3s"], context=lab.tls(), timeout=10)
    first.user("bob")
    first.pass_("bob-pw")
    second = poplib.POP3("127.0.0.1", lab.ports["pop3"], timeout=10)
    second.user("bob")
    try:
        second.pass_("bob-pw")
        raise AssertionError("a second session must not get the maildrop")
    except poplib.error_proto as e:
        assert b"[IN-USE]" in e.args[0]
    first.quit()
    # After a refused PASS the dialogue starts again with USER (RFC 1939 §7).
    second.user("bob")
    assert second.pass_("bob-pw").startswith(b"+OK")
    second.quit()
