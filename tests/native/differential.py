"""The verdict the differential tests share (test_pop3_vs_dovecot.py, test_smtp_vs_postfix.py):
each step's canonical answer from the oracle and from the lab must be equal, or be a
difference written down with its reason; and every written difference must still happen.
"""


def assert_same(oracle, script, rows, answers, tmp_path):
    """rows: (session, step as shown, the oracle's canonical answer, the lab's), in order.
    answers: (script, session, step as shown, the oracle's answer, the lab's, reason), each
    answer one canonical line."""
    differences, used = [], []
    for i, (session, shown, theirs, ours) in enumerate(rows, 1):
        accepted = [a for a in answers if a[:3] == (script, session, shown) and [a[3]] == theirs and [a[4]] == ours]
        used += accepted
        if theirs != ours and not accepted:
            block = [f"[{script}] step {i} session {session}: {shown}"]
            block += [f"  {oracle:7}{'!' if l not in ours else ' '} {l}" for l in theirs]
            block += [f"  {'lab':7}{'!' if l not in theirs else ' '} {l}" for l in ours]
            differences.append("\n".join(block))
    report = "\n".join(differences)
    if differences:
        print(f"\n{len(differences)} difference(s) in {script} (raw transcripts in {tmp_path}):\n{report}")
    assert not differences, f"{len(differences)} difference(s) from {oracle} (raw transcripts in {tmp_path}):\n{report}"
    # A difference written down that no longer happens is stale: it must go.
    assert [a for a in answers if a[0] == script and a not in used] == []
