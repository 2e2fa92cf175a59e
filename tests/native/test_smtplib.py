"""Python's smtplib against the native server: plain, STARTTLS, each AUTH
mechanism, implicit TLS and a pipelined multi-recipient transaction."""
import smtplib
import socket

import pytest

from conftest import stored_subjects


def test_plain_sendmail_lands_in_the_inbox(lab):
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], local_hostname="client.example", timeout=10) as s:
        code, text = s.ehlo()
        assert code == 250 and b"PIPELINING" in text and b"STARTTLS" in text
        refused = s.sendmail("alice@a.example", ["bob@a.example"], "Subject: plain\r\n\r\nhello\r\n")
        assert refused == {}
    messages = lab.inbox("bob", "bob-pw")
    assert len(messages) == 1
    assert b"Subject: plain" in messages[0]
    assert messages[0].startswith(b"Return-Path: <alice@a.example>\r\nReceived: from client.example ([127.0.0.1])")
    assert stored_subjects(lab.stop(), "bob@a.example") == ["plain"]


def test_unknown_recipient_and_relay_are_refused(lab):
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], timeout=10) as s:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            s.sendmail("alice@a.example", ["nobody@a.example"], "Subject: x\r\n\r\nx\r\n")
        code, text = err.value.recipients["nobody@a.example"]
        assert code == 550 and b"5.1.1" in text
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            s.sendmail("spam@spam.example", ["carol@b.example"], "Subject: x\r\n\r\nx\r\n")
        assert err.value.recipients["carol@b.example"][0] == 554
    assert stored_subjects(lab.stop(), "bob@a.example") == []


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_submission_starttls_and_auth(lab, mechanism):
    with smtplib.SMTP("127.0.0.1", lab.ports["submission"], local_hostname="pc.example", timeout=10) as s:
        s.ehlo()
        with pytest.raises(smtplib.SMTPSenderRefused) as err:
            s.sendmail("alice@a.example", ["bob@a.example"], "Subject: x\r\n\r\nx\r\n")
        assert err.value.smtp_code == 530
        s.starttls(context=lab.tls())
        s.ehlo()
        assert s.has_extn("auth") and mechanism in s.esmtp_features["auth"].split()
        s.user, s.password = "alice", "alice-pw"
        method = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mechanism]
        code, _ = s.auth(mechanism, method, initial_response_ok=mechanism != "CRAM-MD5")
        assert code == 235
        s.sendmail("alice@a.example", ["bob@a.example"], f"Subject: via {mechanism}\r\n\r\nx\r\n")
    [message] = lab.inbox("bob", "bob-pw")
    assert b" with ESMTPSA id " in message


def test_wrong_password_is_refused(lab):
    with smtplib.SMTP("127.0.0.1", lab.ports["submission"], timeout=10) as s:
        s.starttls(context=lab.tls())
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            s.login("alice", "wrong")
        assert err.value.smtp_code == 535


def test_smtps_implicit_tls(lab):
    with smtplib.SMTP_SSL("127.0.0.1", lab.ports["smtps"], context=lab.tls(), timeout=10) as s:
        s.login("alice", "alice-pw")
        s.sendmail("alice@a.example", ["bob@a.example"], "Subject: smtps\r\n\r\nx\r\n")
    assert b"Subject: smtps" in lab.inbox("bob", "bob-pw")[0]


def test_pipelined_multi_recipient_transaction_in_one_write(lab):
    sock = socket.create_connection(("127.0.0.1", lab.ports["smtp"]), timeout=10)
    f = sock.makefile("rb")
    assert f.readline().startswith(b"220 ")
    sock.sendall(b"EHLO pipe.example\r\n")
    while not f.readline().startswith(b"250 "):
        pass
    sock.sendall(
        b"MAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nRCPT TO:<nobody@a.example>\r\n"
        b"RCPT TO:<alice@a.example>\r\nDATA\r\n"
    )
    replies = [f.readline() for _ in range(5)]
    assert [r[:3] for r in replies] == [b"250", b"250", b"550", b"250", b"354"]
    sock.sendall(b"Subject: pipelined\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
    assert f.readline().startswith(b"250 2.0.0 OK: queued as")
    assert f.readline().startswith(b"221 ")
    sock.close()
    world = lab.stop()
    assert stored_subjects(world, "bob@a.example") == ["pipelined"]
    assert stored_subjects(world, "alice@a.example") == ["pipelined"]


def test_dsn_parameters_decide_the_reports(lab):
    """RFC 3461 through smtplib's mail_options/rcpt_options: NOTIFY=SUCCESS brings a
    delivery report with ENVID, ORCPT and (RET=FULL) the whole message; NOTIFY=NEVER
    keeps the bounce away."""
    with smtplib.SMTP("127.0.0.1", lab.ports["smtp"], local_hostname="client.example", timeout=10) as s:
        s.ehlo()
        assert s.has_extn("dsn")
        s.sendmail("alice@a.example", ["bob@a.example"], "Subject: tracked\r\n\r\nthe body\r\n",
                   mail_options=["RET=FULL", "ENVID=QQ314159"],
                   rcpt_options=["NOTIFY=SUCCESS", "ORCPT=rfc822;Bob@a.example"])
    [report] = lab.inbox("alice", "alice-pw")
    assert report.startswith(b"Return-Path: <>\r\n")
    assert b"Subject: Successful Mail Delivery Report\r\n" in report
    assert b"Original-Envelope-Id: QQ314159\r\n" in report
    assert b"Original-Recipient: rfc822;Bob@a.example\r\nFinal-Recipient: rfc822; bob@a.example\r\n" in report
    assert b"Action: delivered\r\nStatus: 2.0.0\r\n" in report
    assert b"Content-Type: message/rfc822\r\n" in report and b"the body" in report
