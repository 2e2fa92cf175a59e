"""The golden session of tests/golden/same-replies.txt against the native server
over TCP. crates/world/tests/same_replies.rs replays the same file against the
world the page runs, so both give the same replies, line for line."""
import socket
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "same-replies.txt"
SERVICE = {25: "smtp", 110: "pop3", 143: "imap"}


def parse():
    conns = []
    for line in GOLDEN.read_text().splitlines():
        if line.startswith("> connect "):
            conns.append({"port": int(line.split()[2]), "greeting": [], "steps": []})
        elif not conns or line.startswith("#"):
            continue
        elif line.startswith("C:"):
            sent = line[3:] if line.startswith("C: ") else line[2:]
            steps = conns[-1]["steps"]
            if steps and not steps[-1]["expected"]:
                steps[-1]["sent"].append(sent)
            else:
                steps.append({"sent": [sent], "expected": []})
        elif line.startswith("S:"):
            text = line[3:] if line.startswith("S: ") else line[2:]
            steps = conns[-1]["steps"]
            (steps[-1]["expected"] if steps else conns[-1]["greeting"]).append(text)
    return conns


def test_native_server_gives_the_same_replies_as_the_page(lab):
    conns = parse()
    assert len(conns) == 3
    for conn in conns:
        sock = socket.create_connection(("127.0.0.1", lab.ports[SERVICE[conn["port"]]]), timeout=10)
        reader = sock.makefile("rb")
        read = lambda n: [reader.readline().decode().removesuffix("\r\n") for _ in range(n)]
        assert read(len(conn["greeting"])) == conn["greeting"]
        for step in conn["steps"]:
            sock.sendall("".join(f"{s}\r\n" for s in step["sent"]).encode())
            assert read(len(step["expected"])) == step["expected"], step["sent"]
        sock.close()
