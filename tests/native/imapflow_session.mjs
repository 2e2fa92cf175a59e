// One scripted session of node's imapflow (npm) against an IMAP server; prints what the
// client saw as JSON on stdout. tests/native/test_node_clients.py runs it against the
// lab's server and against a private Dovecot and compares the two.
//
// Usage: node imapflow_session.mjs <port> <user> <password> [<CA file for STARTTLS>]
import { readFileSync } from "node:fs";
import { ImapFlow } from "imapflow";

const [port, user, pass, ca] = process.argv.slice(2);
const client = new ImapFlow({
  host: "127.0.0.1",
  port: Number(port),
  secure: false,
  auth: { user, pass },
  logger: false,
  // STARTTLS where the server offers it (the lab does, this Dovecot does not).
  tls: ca ? { ca: readFileSync(ca) } : {},
});

const crlf = (s) => s.replace(/\r?\n/g, "\r\n");
const DATE = new Date("2020-03-02T12:00:00Z");
const MESSAGES = [
  [crlf(`From: Alice <alice@a.example>
To: Bob <bob@a.example>
Subject: plain
Date: Mon, 02 Mar 2020 10:00:00 +0000
Message-ID: <plain@a.example>

Hello, Bob.
`), ["\\Seen"]],
  [crlf(`From: Carol <carol@b.example>
To: Bob <bob@a.example>, Dave <dave@c.example>
Cc: Alice <alice@a.example>
Subject: =?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=
Date: Tue, 03 Mar 2020 11:30:00 +0900
Message-ID: <mime@b.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

日本語の本文です。
--b1
Content-Type: application/octet-stream; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"
Content-Transfer-Encoding: base64

bm90ZXMgZm9yIGJvYgo=
--b1--
`), ["$Important"]],
  [crlf(`From: Alice <alice@a.example>
To: Bob <bob@a.example>
Subject: third
Date: Wed, 04 Mar 2020 09:00:00 +0000

Third.
`), []],
];

const out = {};
const sorted = (set) => [...(set || [])].sort();
const listing = (list) =>
  list
    .map((m) => ({ path: m.path, flags: sorted(m.flags), specialUse: m.specialUse || null, subscribed: m.subscribed }))
    .sort((a, b) => a.path.localeCompare(b.path));
const seen = (messages) =>
  messages.map((m) => ({
    seq: m.seq,
    uid: m.uid,
    flags: sorted(m.flags),
    size: m.size,
    internalDate: m.internalDate && new Date(m.internalDate).toISOString(),
    envelope: m.envelope && { ...m.envelope, date: m.envelope.date && new Date(m.envelope.date).toISOString() },
    bodyStructure: m.bodyStructure,
  }));

try {
  await client.connect();
  out.list = listing(await client.list());
  await client.mailboxCreate("Work/Projects");
  out.listAfterCreate = listing(await client.list());
  out.appended = [];
  for (const [raw, flags] of MESSAGES) {
    const r = await client.append("INBOX", raw, flags, DATE);
    out.appended.push({ uid: r.uid, destination: r.destination });
  }
  const box = await client.mailboxOpen("INBOX");
  out.opened = { path: box.path, exists: box.exists, flags: sorted(box.flags), permanentFlags: sorted(box.permanentFlags) };
  out.fetched = seen(
    await client.fetchAll("1:*", { uid: true, flags: true, size: true, internalDate: true, envelope: true, bodyStructure: true }),
  );
  const part = await client.download("2", "2");
  const chunks = [];
  for await (const c of part.content) chunks.push(c);
  out.attachment = { meta: { contentType: part.meta.contentType, filename: part.meta.filename }, text: Buffer.concat(chunks).toString() };
  const text = await client.download("2", "1");
  const textChunks = [];
  for await (const c of text.content) textChunks.push(c);
  out.text = Buffer.concat(textChunks).toString();
  out.searchUnseen = await client.search({ seen: false });
  out.searchFrom = await client.search({ from: "carol" });
  out.searchSubject = await client.search({ subject: "third" });
  out.searchBody = await client.search({ body: "日本語" });
  await client.messageFlagsAdd("1", ["\\Flagged"]);
  await client.messageFlagsRemove("2", ["$Important"]);
  out.flagsAfterStore = seen(await client.fetchAll("1:*", { uid: true, flags: true }));
  out.moved = await client.messageMove("2", "Trash");
  out.trash = await client.status("Trash", { messages: true, unseen: true });
  out.deleted = await client.messageDelete("1");
  out.afterDelete = seen(await client.fetchAll("1:*", { uid: true, flags: true }));
  await client.mailboxClose();
  out.inbox = await client.status("INBOX", { messages: true, uidNext: true, unseen: true });
  await client.logout();
} catch (e) {
  out.error = `${e.message} ${e.responseText || ""}`.trim();
  client.close();
}
// UIDVALIDITY and MODSEQ come as BigInt.
process.stdout.write(JSON.stringify(out, (_, v) => (typeof v === "bigint" ? v.toString() : v), 1) + "\n");
