// Sends one message with node's nodemailer (npm) through an SMTP submission port with
// STARTTLS and AUTH; prints nodemailer's answer (or its error) as JSON on stdout.
// tests/native/test_node_clients.py runs it against the lab's native server.
//
// Usage: node nodemailer_send.mjs <port> <user> <password> <CA file> <recipient>...
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";

const [port, user, pass, ca, ...to] = process.argv.slice(2);
const transport = nodemailer.createTransport({
  host: "127.0.0.1",
  port: Number(port),
  secure: false,
  requireTLS: true, // refuse to send the password unless STARTTLS succeeded
  name: "pc.a.example",
  auth: { user, pass },
  tls: { ca: readFileSync(ca) },
});

let out;
try {
  const info = await transport.sendMail({
    from: `Alice <${user}>`,
    to,
    subject: "会議のお知らせ",
    text: "明日の会議は10時からです。\n.a line that starts with a dot\n",
    attachments: [{ filename: "agenda.txt", content: "1. mail\n2. DNS\n" }],
  });
  out = { accepted: info.accepted, rejected: info.rejected, response: info.response, envelope: info.envelope };
} catch (e) {
  out = { error: e.message, code: e.code, responseCode: e.responseCode, response: e.response, rejected: e.rejected };
}
process.stdout.write(JSON.stringify(out) + "\n");
