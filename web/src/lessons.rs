//! Guided exercises from the lecture notes (../shared/seeds). Each lesson names
//! the world it starts from, what to do, and a goal checked from the world's
//! events and store — never from what was typed, so any way that reaches the
//! goal counts.

use mail_lab_message::{MessageView, header_value};
use mail_lab_proto::sasl::Proof;
use mail_lab_store::{Flag, INBOX};
use mail_lab_world::{Event, EventKind, Protocol, World};

use crate::i18n::Tr;

const fn tr(en: &'static str, ja: &'static str) -> Tr {
    Tr { en, ja }
}

/// One thing to do in a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A line to type into a terminal (protocol text: the same in every language).
    Type(&'static str),
    /// Something to do elsewhere on the page.
    Do(Tr),
}

/// A lesson's steps, written with [`steps!`] and kept as one string: a line
/// per step, a `Do` step's two texts after `\u{1}` each. One string instead of
/// a table of references to hundreds of strings weighs less in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps(&'static str);

impl Steps {
    pub fn iter(self) -> impl Iterator<Item = Step> {
        self.0.split_terminator('\n').map(|line| match line.strip_prefix('\u{1}').and_then(|l| l.split_once('\u{1}')) {
            Some((en, ja)) => Step::Do(tr(en, ja)),
            None => Step::Type(line),
        })
    }
}

/// A lesson's four texts in both languages as one string (see [`Steps`] for
/// why): -0.7 KB gzip on the page.
macro_rules! texts {
    (title: tr($t:literal, $tj:literal $(,)?), topic: tr($p:literal, $pj:literal $(,)?),
     goal: tr($g:literal, $gj:literal $(,)?), hint: tr($h:literal, $hj:literal $(,)?) $(,)?) => {
        concat!($t, "\u{1}", $tj, "\u{1}", $p, "\u{1}", $pj, "\u{1}", $g, "\u{1}", $gj, "\u{1}", $h, "\u{1}", $hj)
    };
}

impl Lesson {
    fn text_at(&self, n: usize) -> Tr {
        let mut texts = self.text.split('\u{1}').skip(2 * n);
        let en = texts.next().unwrap_or_default();
        tr(en, texts.next().unwrap_or_default())
    }
    pub fn title(&self) -> Tr {
        self.text_at(0)
    }
    /// The lecture-note topic it teaches, with where in the notes (see `NOTES`).
    pub fn topic(&self) -> Tr {
        self.text_at(1)
    }
    pub fn goal(&self) -> Tr {
        self.text_at(2)
    }
    pub fn hint(&self) -> Tr {
        self.text_at(3)
    }
}

/// `steps![Type("line"), Do(tr("en", "ja")), …]` as [`Steps`], at compile time.
macro_rules! steps {
    (@acc [$($out:tt)*]) => { Steps(concat!($($out)*)) };
    (@acc [$($out:tt)*] Type($line:literal) $(, $($rest:tt)*)?) => {
        steps!(@acc [$($out)* $line, "\n",] $($($rest)*)?)
    };
    (@acc [$($out:tt)*] Do(tr($en:literal, $ja:literal $(,)?)) $(, $($rest:tt)*)?) => {
        steps!(@acc [$($out)* "\u{1}", $en, "\u{1}", $ja, "\n",] $($($rest)*)?)
    };
    ($($step:tt)*) => { steps!(@acc [] $($step)*) };
}

/// A guided exercise.
pub struct Lesson {
    /// Stable name, kept in the saved progress.
    pub id: &'static str,
    /// The built-in scenario the lesson starts from.
    pub scenario: &'static str,
    /// The view its steps change (`wiretap`, `network`, `mua`), brought into
    /// view when it starts; empty when that is the mailboxes, always in view.
    pub shows: &'static str,
    /// Title, topic, goal and hint in both languages, as [`texts!`] writes
    /// them: read with [`Lesson::title`] and the others.
    pub text: &'static str,
    pub steps: Steps,
    /// True once the world shows the goal reached, looking only at events
    /// numbered above `since` (those after the lesson started).
    pub check: fn(&World, u64) -> bool,
}

fn events(world: &World, since: u64) -> impl Iterator<Item = &Event> {
    world.events().filter(move |e| e.seq > since)
}

/// Messages stored by the MDA since `since`: (account, raw bytes, envelope recipients).
fn delivered(world: &World, since: u64) -> Vec<(String, std::sync::Arc<[u8]>, Vec<String>)> {
    events(world, since)
        .filter_map(|e| match &e.kind {
            EventKind::Delivered { account, folder, uid, .. } => {
                let m = world.store_for(account)?.folder(account, folder)?.messages.iter().find(|m| m.uid == *uid)?;
                let rcpts = m.envelope.as_ref().map(|e| e.forward_paths.clone()).unwrap_or_default();
                Some((account.clone(), m.raw.clone(), rcpts))
            }
            _ => None,
        })
        .collect()
}

/// Lines the servers sent since `since`.
fn server_lines(world: &World, since: u64) -> Vec<String> {
    events(world, since)
        .filter_map(|e| match &e.kind {
            EventKind::LinkBytes { direction: mail_lab_world::Direction::ToClient, bytes, .. } => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => None,
        })
        .flat_map(|chunk| chunk.split("\r\n").map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn body_of(raw: &[u8]) -> &[u8] {
    raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(&[], |p| &raw[p + 4..])
}

fn sent_then_read_with_pop3(world: &World, since: u64) -> bool {
    let mut stored = Vec::new();
    events(world, since).any(|e| match &e.kind {
        EventKind::Delivered { account, uid, .. } => {
            stored.push((account.clone(), *uid));
            false
        }
        EventKind::MessageRead { account, uid, .. } => stored.contains(&(account.clone(), *uid)),
        _ => false,
    })
}

fn got_550_and_503(world: &World, since: u64) -> bool {
    let lines = server_lines(world, since);
    ["550", "503"].iter().all(|code| lines.iter().any(|l| l.starts_with(code)))
}

fn recipient_not_in_header(world: &World, since: u64) -> bool {
    delivered(world, since).iter().any(|(account, raw, _)| {
        let named = ["To", "Cc"]
            .iter()
            .filter_map(|h| header_value(raw, h))
            .any(|v| v.to_ascii_lowercase().contains(&account.to_ascii_lowercase()));
        !named
    })
}

fn body_line_starts_with_dot(world: &World, since: u64) -> bool {
    delivered(world, since).iter().any(|(_, raw, _)| {
        let body = body_of(raw);
        body.starts_with(b".") || body.windows(2).any(|w| w == b"\n.")
    })
}

fn pop3_deleted(world: &World, since: u64) -> bool {
    events(world, since).any(|e| matches!(e.kind, EventKind::Removed { .. }))
}

const STANDARD_FOLDERS: [&str; 5] = [INBOX, "Sent", "Drafts", "Trash", "Junk"];

fn imap_folder_and_flag(world: &World, _since: u64) -> bool {
    let mut new_folder_with_mail = false;
    let mut flagged = false;
    for folder in world.hosts().iter().flat_map(|h| h.store.accounts()).flat_map(|a| a.folders.values()) {
        new_folder_with_mail |=
            !folder.messages.is_empty() && !STANDARD_FOLDERS.iter().any(|f| f.eq_ignore_ascii_case(&folder.name));
        flagged |= folder.messages.iter().any(|m| m.flags.contains(&Flag::Flagged));
    }
    new_folder_with_mail && flagged
}

fn pop3_login(world: &World, since: u64, want: Proof) -> bool {
    events(world, since)
        .any(|e| matches!(&e.kind, EventKind::LoggedIn { protocol: Protocol::Pop3, proof, .. } if *proof == want))
}

fn apop_login(world: &World, since: u64) -> bool {
    pop3_login(world, since, Proof::Digest)
}

/// `opened` happened at a host, and later that host queued mail for elsewhere.
fn relayed_after(world: &World, since: u64, opened: fn(&EventKind) -> Option<&str>) -> bool {
    let mut open_at: Vec<String> = Vec::new();
    events(world, since).any(|e| {
        if let Some(host) = opened(&e.kind) {
            open_at.push(host.to_string());
        }
        matches!(&e.kind, EventKind::Queued { host, .. } if open_at.contains(host))
    })
}

fn pop_before_smtp_relay(world: &World, since: u64) -> bool {
    relayed_after(world, since, |k| match k {
        EventKind::RelayWindowOpened { host, .. } => Some(host),
        _ => None,
    })
}

fn submission_relay(world: &World, since: u64) -> bool {
    relayed_after(world, since, |k| match k {
        EventKind::LoggedIn { host, protocol: Protocol::Smtp, .. } => Some(host),
        _ => None,
    })
}

/// A connection to another network's port 25 stopped by OP25B, then mail
/// submitted with AUTH and relayed.
fn op25b_blocked_then_submitted(world: &World, since: u64) -> bool {
    events(world, since).any(|e| matches!(&e.kind, EventKind::PolicyRefused { rule, .. } if rule == "op25b"))
        && submission_relay(world, since)
}

/// A check of a.example's SPF record that failed, and one that passed.
fn spf_fail_then_pass(world: &World, since: u64) -> bool {
    let checked = |want: &str| {
        events(world, since).any(
            |e| matches!(&e.kind, EventKind::SpfChecked { domain, result, .. } if domain == "a.example" && result == want),
        )
    };
    checked("fail") && checked("pass")
}

/// DMARC acted on a forged From: both ways: a.example's p=reject refused one
/// at mail.b.example, b.example's p=quarantine put one in a Junk folder.
fn dmarc_rejected_and_quarantined(world: &World, since: u64) -> bool {
    let acted = |want_domain: &str, want_action: &str| {
        events(world, since).any(|e| {
            matches!(&e.kind, EventKind::DmarcChecked { from_domain, action, .. }
                if from_domain == want_domain && action == want_action)
        })
    };
    acted("a.example", "reject") && acted("b.example", "junk")
}

/// DKIM at bob's end, on alice's signed mail: a forwarded copy fails SPF and
/// passes DKIM; a list copy whose Subject was tagged fails DKIM.
fn dkim_survives_forwarding_not_a_changed_subject(world: &World, since: u64) -> bool {
    let at_bob = |want: &str| {
        events(world, since).any(|e| {
            matches!(&e.kind, EventKind::DkimChecked { host, domain, result, .. }
                if host == "mail.a.example" && domain == "a.example" && result == want)
        })
    };
    let spf_failed = events(world, since).any(|e| {
        matches!(&e.kind, EventKind::SpfChecked { host, domain, result, .. }
            if host == "mail.a.example" && domain == "a.example" && result == "fail")
    });
    at_bob("pass") && spf_failed && at_bob("fail")
}

/// The roles in turn: a submission login (MUA → MSA), a relay between hosts
/// (MTA → MTA), and a delivery on the receiving host (MDA).
fn mua_mta_mda(world: &World, since: u64) -> bool {
    // The receiving MDA stores the message before its server answers 250, so
    // the delivery is logged just before the relay it completes.
    let (mut submitted, mut delivered, mut relayed) = (false, false, false);
    events(world, since).any(|e| {
        match &e.kind {
            EventKind::LoggedIn { protocol: Protocol::Smtp, .. } => submitted = true,
            EventKind::Delivered { host, .. } if submitted && host == "mail.b.example" => delivered = true,
            EventKind::Relayed { .. } if delivered => relayed = true,
            _ => {}
        }
        relayed
    })
}

fn login_inside_tls(world: &World, since: u64) -> bool {
    events(world, since).any(|e| matches!(e.kind, EventKind::LoggedIn { encrypted: true, .. }))
}

fn open_relay_abused_and_closed_relay_refused(world: &World, since: u64) -> bool {
    let abused = events(world, since).any(|e| match &e.kind {
        EventKind::Queued { host, recipients, .. } => {
            host == "mail.b.example" && recipients.iter().any(|r| !r.to_ascii_lowercase().ends_with("@b.example"))
        }
        _ => false,
    });
    let refused =
        events(world, since).any(|e| matches!(&e.kind, EventKind::PolicyRefused { rule, .. } if rule == "relay"));
    abused && refused
}

fn deferred_then_bounced(world: &World, since: u64) -> bool {
    let mut deferred = false;
    events(world, since).any(|e| {
        deferred |= matches!(e.kind, EventKind::Deferred { .. });
        deferred && matches!(e.kind, EventKind::Bounced { .. })
    })
}

fn base64_part_delivered(world: &World, since: u64) -> bool {
    delivered(world, since).iter().any(|(_, raw, _)| {
        MessageView::parse(raw, &crate::charset::BrowserDecoder)
            .parts()
            .iter()
            .any(|p| p.transfer_encoding.eq_ignore_ascii_case("base64"))
    })
}

/// Each text part delivered since `since`: its charset label, lower-cased,
/// and its octets with the transfer encoding undone.
fn delivered_texts(world: &World, since: u64) -> Vec<(Option<String>, Vec<u8>)> {
    let mut texts = Vec::new();
    for (_, raw, _) in delivered(world, since) {
        let view = MessageView::parse(&raw, &crate::charset::BrowserDecoder);
        for part in view.parts().iter().filter(|p| p.kind == mail_lab_message::PartKind::Text) {
            texts.push((part.charset.as_deref().map(str::to_ascii_lowercase), view.transfer_decoded(part).0));
        }
    }
    texts
}

/// The same kind of text delivered twice: 8-bit UTF-8 octets under a label
/// that names another charset (shown garbled), then under `charset=UTF-8`.
/// No label, or US-ASCII, is not it: the lab shows those octets as UTF-8.
fn mislabelled_then_labelled(world: &World, since: u64) -> bool {
    let (mut wrong, mut right) = (false, false);
    for (label, octets) in delivered_texts(world, since) {
        if octets.is_ascii() || std::str::from_utf8(&octets).is_err() {
            continue;
        }
        match label.as_deref() {
            None | Some("us-ascii" | "ascii") => {}
            Some("utf-8" | "utf8") => right = true,
            Some(_) => wrong = true,
        }
    }
    wrong && right
}

/// The same octets delivered twice: first with no label (MIME's US-ASCII),
/// which they are not, then under a label that makes them read otherwise.
/// The lab reads an unlabelled text as UTF-8, so UTF-8 changes nothing, nor
/// does ISO-8859-1 on 7-bit ISO-2022-JP, nor a label no decoder knows (the
/// inspector shows those octets as they are).
fn unlabelled_then_labelled(world: &World, since: u64) -> bool {
    use mail_lab_message::CharsetDecoder;
    let mut unlabelled = Vec::new();
    for (label, octets) in delivered_texts(world, since) {
        match label.as_deref() {
            None | Some("us-ascii") => {
                if octets.iter().any(|&b| b >= 0x80 || b == 0x1b) {
                    unlabelled.push(octets);
                }
            }
            Some(label) if unlabelled.contains(&octets) => {
                let as_is = String::from_utf8_lossy(&octets);
                if crate::charset::BrowserDecoder.decode(label, &octets).is_some_and(|text| text != as_is) {
                    return true;
                }
            }
            Some(_) => {}
        }
    }
    false
}

fn waited_for_the_link(world: &World, since: u64) -> bool {
    let (mut deferred, mut up) = (false, false);
    events(world, since).any(|e| {
        match &e.kind {
            EventKind::Deferred { .. } => deferred = true,
            EventKind::HostUp { .. } if deferred => up = true,
            _ => {}
        }
        up && matches!(&e.kind, EventKind::Delivered { host, .. } if host == "mail.b.example")
    })
}

fn through_the_backup_mx(world: &World, since: u64) -> bool {
    let mut held = false;
    events(world, since).any(|e| match &e.kind {
        EventKind::Relayed { to, .. } if to == "backup.b.example" => {
            held = true;
            false
        }
        EventKind::Relayed { from, to, .. } => held && from == "backup.b.example" && to == "mail.b.example",
        _ => false,
    })
}

/// The lecture notes the lessons follow, by the letter the syllabus cites.
pub const NOTES: [(&str, Tr); 4] = [
    (
        "A",
        tr(
            "Mail delivery and the EPMail server (Kobe University slides)",
            "メール配送システムと EPMail サーバの現状（神戸大学のスライド）",
        ),
    ),
    ("B", tr("Chapter 7: how Internet mail works", "第七章 インターネットメールの仕組み")),
    ("C", tr("4.1 Electronic mail (SMTP, POP3, IMAP, MIME)", "4.1 電子メール（SMTP、POP3、IMAP、MIME）")),
    (
        "D",
        tr(
            "Mail protocols: the SMTP sequence, POP3, IMAP4, APOP",
            "メールのプロトコル（SMTP のシーケンス、POP3、IMAP4、APOP）",
        ),
    ),
];

/// Every lesson, in teaching order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "smtp-pop3",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Send with SMTP, read with POP3", "SMTP で送り、POP3 で読む"),
            topic: tr(
            "SMTP's command sequence typed with telnet; POP3 sessions (notes D §2–4, B §2–3)",
            "SMTP のシーケンスを telnet で実行、POP3 のやりとり（資料 D 2〜4 節、B 2〜3 節）",
        ),
            goal: tr(
            "Deliver a message to bob@a.example by typing SMTP (port 25), then download it with POP3 RETR (port 110).",
            "ポート 25 で SMTP のコマンドを打ち込んで bob@a.example にメールを届け、ポート 110 の POP3 の RETR で取り出す。",
        ),
            hint: tr(
            "The first terminal is connected to mail.a.example port 25. After DATA come the header lines, an empty line, the body and a line with only a dot. After QUIT, type telnet in the same terminal.",
            "最初の端末は mail.a.example のポート 25 につながっています。DATA の後はヘッダ行、空行、本文、そしてドットだけの行。QUIT の後、同じ端末で telnet を打ちます。",
        ),
        ),
        steps: steps![
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("From: Alice <alice@a.example>"),
            Type("Subject: Hello Bob"),
            Type(""),
            Type("Lunch at noon?"),
            Type("."),
            Type("QUIT"),
            Type("telnet mail.a.example 110"),
            Type("USER bob"),
            Type("PASS bob-pw"),
            Type("LIST"),
            Type("RETR 1"),
            Type("QUIT"),
        ],
        check: sent_then_read_with_pop3,
    },
    Lesson {
        id: "reply-codes",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Reply codes", "応答コード"),
            topic: tr(
            "SMTP reply codes (the notes' \"status codes\"): 2xx success, 3xx go on (send the rest), 4xx temporary, 5xx permanent (notes D §1)",
            "SMTP の応答コード（資料の「ステータスコード」）：2xx 成功、3xx 続きを要求、4xx 一時的エラー、5xx 永久的エラー（資料 D 1 節）",
        ),
            goal: tr(
            "Make the SMTP server answer 503 (bad sequence of commands) and 550 (no such user).",
            "SMTP サーバに 503（コマンドの順序が不正）と 550（そのユーザはいない）を返させる。",
        ),
            hint: tr(
            "The first digit says it all: 2 done, 3 go on, 4 try later, 5 never. Hover over a reply to read its explanation.",
            "最初の桁が要点です。2 は成功、3 は続きの入力待ち、4 は一時的な失敗、5 は恒久的な失敗。応答にマウスを重ねると説明が出ます。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("HELO pc.a.example"),
            Type("DATA"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<nobody@a.example>"),
            Type("QUIT"),
        ],
        check: got_550_and_503,
    },
    Lesson {
        id: "envelope-header",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Envelope vs header", "エンベロープとヘッダ"),
            topic: tr(
            "Envelope, header and body: the envelope and the header may differ (notes A)",
            "エンベロープ・ヘッダ・本文：エンベロープとヘッダは異なってもよい（資料 A）",
        ),
            goal: tr(
            "Deliver a message to someone not named in its To: or Cc: lines (that is how Bcc works), with a From: line that is not the MAIL FROM. Open it in the inspector.",
            "To: にも Cc: にも書かれていない人にメールを届ける（Bcc の仕組み）。From: 行は MAIL FROM と違うものにする。届いたメールを開いて比べる。",
        ),
            hint: tr(
            "Servers deliver to RCPT TO; nobody checks that the header agrees. That is also why From: can be forged.",
            "サーバは RCPT TO の宛先に配送し、ヘッダと一致するかは誰も確かめません。だから From: は偽造できるのです。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("HELO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("From: The President <president@example.org>"),
            Type("To: everyone@example.org"),
            Type("Subject: Who got this?"),
            Type(""),
            Type("Look at the envelope."),
            Type("."),
            Type("QUIT"),
        ],
        check: recipient_not_in_header,
    },
    Lesson {
        id: "dot-transparency",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Dot transparency", "ドットの透過性"),
            topic: tr(
            "DATA ends with a line holding only a period (notes D §2–3, B §3)",
            "DATA はピリオドだけの行で終わる（資料 D 2〜3 節、B 3 節）",
        ),
            goal: tr(
            "Deliver a message whose body has a line starting with a dot.",
            "本文にドットで始まる行を含むメッセージを届ける。",
        ),
            hint: tr(
            "A line with only a dot ends DATA, so a body line that starts with a dot is sent with one more dot (RFC 5321 §4.5.2); the server removes it.",
            "ドットだけの行は DATA の終わりなので、ドットで始まる本文の行は先頭にもう 1 つドットを付けて送ります（RFC 5321 §4.5.2）。サーバがそれを取り除きます。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("HELO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: dot files"),
            Type(""),
            Type("..profile is a hidden file."),
            Type("."),
            Type("QUIT"),
        ],
        check: body_line_starts_with_dot,
    },
    Lesson {
        id: "pop3-states",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("POP3 states: DELE, RSET, QUIT", "POP3 の状態：DELE・RSET・QUIT"),
            topic: tr(
            "POP3: authorization, transaction, update (notes A, C §4.1.3.1)",
            "POP3 の流れ：認証・トランザクション・更新（資料 A、C 4.1.3.1）",
        ),
            goal: tr(
            "Delete a message with POP3. DELE only marks it; RSET would unmark it; it is removed in the UPDATE state that QUIT starts.",
            "POP3 でメッセージを削除する。DELE は印を付けるだけ、RSET で取り消せる。実際に消えるのは QUIT で始まる UPDATE 状態。",
        ),
            hint: tr(
            "AUTHORIZATION (USER/PASS) → TRANSACTION (STAT LIST RETR DELE RSET) → UPDATE (after QUIT). If bob has no mail, do lesson 1 first. Watch bob's mailbox when you type QUIT.",
            "AUTHORIZATION（USER/PASS）→ TRANSACTION（STAT LIST RETR DELE RSET）→ UPDATE（QUIT の後）。bob にメールがなければ先にレッスン 1 をしてください。QUIT を打つときに bob のメールボックスを見てください。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 110"),
            Type("USER bob"),
            Type("PASS bob-pw"),
            Type("STAT"),
            Type("DELE 1"),
            Type("RSET"),
            Type("DELE 1"),
            Type("QUIT"),
        ],
        check: pop3_deleted,
    },
    Lesson {
        id: "imap-folders",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("IMAP: folders, flags, search, partial fetch", "IMAP：フォルダ・フラグ・検索・部分取得"),
            topic: tr(
            "IMAP keeps mail on the server in folders; how it differs from POP (notes C §4.1.4, D §5)",
            "IMAP：サーバ上のフォルダでメールを管理、POP との違い（資料 C 4.1.4、D 5 節）",
        ),
            goal: tr(
            "With IMAP (port 143), CREATE a folder, APPEND a message into it and set the \\Flagged flag with STORE.",
            "IMAP（ポート 143）でフォルダを CREATE し、そこへ APPEND でメッセージを入れ、STORE で \\Flagged フラグを付ける。",
        ),
            hint: tr(
            "Every IMAP command starts with a tag of your choice. {26} announces 26 octets: type the three lines of the message and the server counts them. Mail stays on the server, in folders.",
            "IMAP のコマンドは好きなタグで始めます。{26} は 26 オクテットの予告です。メッセージの 3 行を打てばサーバが数えます。メールはサーバ上のフォルダに残ります。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 143"),
            Type("a1 LOGIN bob bob-pw"),
            Type("a2 CREATE Projects"),
            Type("a3 APPEND Projects {26}"),
            Type("Subject: plan"),
            Type(""),
            Type("Step one."),
            Type("a4 SELECT Projects"),
            Type("a5 STORE 1 +FLAGS (\\Flagged)"),
            Type("a6 SEARCH FLAGGED SUBJECT plan"),
            Type("a7 FETCH 1 BODY[TEXT]<0.4>"),
            Type("a8 LOGOUT"),
        ],
        check: imap_folder_and_flag,
    },
    Lesson {
        id: "apop",
        scenario: "eavesdropping",
        shows: "wiretap",
        text: texts!(
            title: tr("APOP vs USER/PASS", "APOP と USER/PASS"),
            topic: tr(
            "POP3's problem: the password in the clear; APOP (notes C §4.1.3.2, §4.1.3.4, D §6)",
            "POP3 の問題点（平文のパスワード）と APOP（資料 C 4.1.3.2・4.1.3.4、D 6 節）",
        ),
            goal: tr(
            "Log in to POP3 with APOP, so that only an MD5 digest crosses the network. Compare the wiretap with a USER/PASS login.",
            "POP3 に APOP でログインし、ネットワークには MD5 のダイジェストしか流れないようにする。USER/PASS でのログインと盗聴画面で比べる。",
        ),
            hint: tr(
            "The greeting ends with a timestamp like <…@mail.a.example>. The digest is MD5(timestamp + password); the calculator below computes it as a mail client would. APOP is not recommended today (MD5 is weak): mail clients log in inside TLS instead (STLS or port 995).",
            "グリーティングの最後に <…@mail.a.example> のようなタイムスタンプがあります。ダイジェストは MD5（タイムスタンプ + パスワード）。下の計算機がメールソフトと同じように計算します。今では APOP は推奨されません（MD5 が弱いため）。メールソフトは TLS の中でログインします（STLS や 995 番ポート）。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 110"),
            Do(tr(
                "Copy the <timestamp> from the greeting into the calculator, with the password bob-pw.",
                "グリーティングの <タイムスタンプ> とパスワード bob-pw を計算機に入れる。",
            )),
            Type("APOP bob <digest>"),
            Type("QUIT"),
        ],
        check: apop_login,
    },
    Lesson {
        id: "pop-before-smtp",
        scenario: "pop-before-smtp",
        shows: "network",
        text: texts!(
            title: tr("POP before SMTP", "POP before SMTP（POP で認証してから中継）"),
            topic: tr("POP before SMTP (notes C §4.1.3.3, D §1)", "POP before SMTP（資料 C 4.1.3.3、D 1 節）"),
            goal: tr(
            "mail.a.example refuses to relay on port 25. Log in with POP3 first, then relay a message to carol@b.example through port 25 within 10 minutes.",
            "mail.a.example はポート 25 での中継を拒否する設定。先に POP3 でログインし、10 分以内にポート 25 から carol@b.example へ中継させる。",
        ),
            hint: tr(
            "A successful POP3 login proves who sits at your address, so the server lets that address relay for a while. Before SMTP AUTH was widely supported, this was the usual way.",
            "POP3 のログインに成功すると、その IP アドレスを本人の端末とみなし、しばらくその IP アドレスからの中継を許します。SMTP AUTH が広まる前の一般的な方法です。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 110"),
            Type("USER alice"),
            Type("PASS alice-pw"),
            Type("QUIT"),
            Type("telnet mail.a.example 25"),
            Type("HELO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: relayed"),
            Type(""),
            Type("Hi Carol."),
            Type("."),
            Type("QUIT"),
        ],
        check: pop_before_smtp_relay,
    },
    Lesson {
        id: "mua-mta-mda",
        scenario: "two-domains",
        shows: "mua",
        text: texts!(
            title: tr("MUA, MTA and MDA", "MUA・MTA・MDA"),
            topic: tr("MUA, MTA and MDA (notes A, C §4.1.1)", "MUA・MTA・MDA の役割（資料 A、C 4.1.1）"),
            goal: tr(
            "Send alice's message to carol@b.example with the mail client, then find each role: the MUA submits it, mail.a.example's MTA relays it to mail.b.example, whose MDA puts it in carol's INBOX.",
            "メールソフトで alice から carol@b.example へ送り、それぞれの役割を見つける。MUA が送信し、mail.a.example の MTA が mail.b.example へ中継し、その MDA が carol の INBOX に入れる。",
        ),
            hint: tr(
            "The mail client's dialogue is under it; the relay between the hosts is on the map, the timeline and the wiretap.",
            "メールソフトのやりとりはその下に、ホスト間の中継は構成図・「出来事」・「盗聴」にあります。",
        ),
        ),
        steps: steps![Do(tr(
            "In the mail client: account alice@a.example, To carol@b.example, a subject, Send.",
            "メールソフトで、アカウントに alice@a.example、宛先に carol@b.example、件名を入れて「送信」を押す。",
        ))],
        check: mua_mta_mda,
    },
    Lesson {
        id: "smtp-auth",
        scenario: "two-domains",
        shows: "wiretap",
        text: texts!(
            title: tr("SMTP AUTH on the submission port 587", "サブミッションポート 587 での SMTP AUTH"),
            topic: tr(
            "SMTP AUTH on the submission port 587 (notes D §1)",
            "SMTP AUTH、サブミッションポート 587（資料 D 1 節）",
        ),
            goal: tr(
            "On port 587, log in with AUTH PLAIN and send a message to carol@b.example: the submission port relays only for users who log in.",
            "ポート 587 に接続して AUTH PLAIN でログインし、carol@b.example にメッセージを送る（サブミッションポートはログインした利用者のメールだけを中継する）。",
        ),
            hint: tr(
            "AUTH PLAIN's argument is base64 of \\0alice\\0alice-pw. Base64 is not encryption: the wiretap can decode it.",
            "AUTH PLAIN の引数は \\0alice\\0alice-pw を Base64 にしたものです。Base64 は暗号化ではありません。盗聴者は元に戻せます。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: submitted"),
            Type(""),
            Type("Hello from 587."),
            Type("."),
            Type("QUIT"),
        ],
        check: submission_relay,
    },
    Lesson {
        id: "starttls",
        scenario: "eavesdropping",
        shows: "wiretap",
        text: texts!(
            title: tr("STARTTLS and the wiretap", "STARTTLS と盗聴"),
            topic: tr(
            "Encryption: STARTTLS, SMTPS 465, POP3S 995, IMAPS 993 (notes D §1)",
            "通信の暗号化：STARTTLS、SMTPS 465、POP3S 995、IMAPS 993（資料 D 1 節）",
        ),
            goal: tr(
            "Log in inside TLS: STLS on POP3 (or STARTTLS on SMTP/IMAP, or a TLS port 465/995/993). The wiretap then shows only ciphertext.",
            "TLS で暗号化してからログインする。POP3 なら STLS（SMTP/IMAP なら STARTTLS、または TLS のポート 465/995/993）。盗聴画面に暗号文しか見えないことを確かめる。",
        ),
            hint: tr(
            "Log in once without TLS first and look at the wiretap: the password is there in red.",
            "まず TLS なしでログインして盗聴画面を見てください。パスワードが赤で見えます。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 110"),
            Type("STLS"),
            Type("USER bob"),
            Type("PASS bob-pw"),
            Type("QUIT")
        ],
        check: login_inside_tls,
    },
    Lesson {
        id: "open-relay",
        scenario: "open-relay",
        shows: "network",
        text: texts!(
            title: tr("Open relays and spam", "オープンリレーとスパム"),
            topic: tr(
            "SMTP's problem: no authentication, so spammers relay through it (notes C §4.1.2.2, §4.1.3.3)",
            "SMTP の問題点：認証がなく、スパムの踏み台にされる（資料 C 4.1.2.2・4.1.3.3）",
        ),
            goal: tr(
            "mail.b.example is an open relay: make it accept mail for alice@a.example, not its own domain, with a forged sender. Then try the same at mail.a.example, which refuses (554).",
            "mail.b.example はオープンリレー。自分のドメインではない alice@a.example 宛てのメールを、偽の送信者で受け取らせる。次に同じことを mail.a.example で試し、554 で断られるのを確かめる。",
        ),
            hint: tr(
            "An open relay forwards anybody's mail to anywhere, so spammers hide behind it. Servers now relay only for their own users (AUTH, POP before SMTP). The refusal is 554 here, as Postfix answers; RFC 5321 §3.6.2 suggests 550.",
            "オープンリレーは誰のメールでもどこへでも中継するので、スパム送信者の隠れみのになります。今のサーバは自分の利用者（AUTH、POP before SMTP）のためにだけ中継します。拒否の応答はここでは Postfix と同じ 554 です（RFC 5321 3.6.2 節は 550 を勧めています）。",
        ),
        ),
        steps: steps![
            Type("telnet mail.b.example 25"),
            Type("HELO spam.example.net"),
            Type("MAIL FROM:<winner@lottery.example>"),
            Type("RCPT TO:<alice@a.example>"),
            Type("DATA"),
            Type("Subject: You won!"),
            Type(""),
            Type("Send us your bank details."),
            Type("."),
            Type("QUIT"),
            Type("telnet mail.a.example 25"),
            Type("HELO spam.example.net"),
            Type("MAIL FROM:<winner@lottery.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("QUIT"),
        ],
        check: open_relay_abused_and_closed_relay_refused,
    },
    Lesson {
        id: "retry-bounce",
        scenario: "two-domains",
        shows: "network",
        text: texts!(
            title: tr("Retries and bounces", "再送とエラーメール"),
            topic: tr(
            "Store and forward: a server that cannot be reached is tried again (notes B §4)",
            "蓄積転送：届け先と通信できないときは後で送り直す（資料 B 4 節）",
        ),
            goal: tr(
            "Take mail.b.example down, send carol@b.example a message, and let time pass: see the retries, then the bounce (a delivery status notification) back to the sender.",
            "mail.b.example を停止し、carol@b.example にメッセージを送り、時間を進める。再送の様子と、最後に送信者（MAIL FROM）へ戻るエラー通知（配送状態通知）を確かめる。",
        ),
            hint: tr(
            "Temporary failures (4xx, host down) stay in the queue and are retried; after the last try, or at once on a 5xx, the MTA bounces to MAIL FROM. The lab's schedule is shortened (1, 5, 15, 30 minutes; 5 tries): real MTAs retry for days (Postfix gives up after 5 days).",
            "一時的な失敗（4xx、ホスト停止）はキューに残って再送されます。最後の再送の後、または 5xx ならすぐに、MTA は MAIL FROM へエラーメールを返します。ラボの再送間隔は短縮版です（1・5・15・30 分、5 回まで）。実際の MTA は数日間再送します（Postfix は 5 日で諦めます）。",
        ),
        ),
        steps: steps![
            Do(tr(
                "In Network, press “Take down” beside mail.b.example.",
                "「ネットワーク」で mail.b.example の「停止する」を押す。",
            )),
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: are you there?"),
            Type(""),
            Type("Hello?"),
            Type("."),
            Type("QUIT"),
            Do(tr(
                "Press “+10 min” a few times and watch the queue, then “Run until idle”.",
                "「+10 分」を何度か押してキューを見て、最後に「キューが空になるまで進める」を押す。",
            )),
        ],
        check: deferred_then_bounced,
    },
    Lesson {
        id: "mime-base64",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("MIME and Base64", "MIME と Base64"),
            topic: tr(
            "MIME: attachments and non-ASCII text as Base64 (notes C §4.1.5)",
            "MIME：添付や日本語を Base64 で送る（資料 C 4.1.5）",
        ),
            goal: tr(
            "Deliver a MIME message whose body is Base64-encoded, then open it in the inspector to see it decoded.",
            "本文を Base64 で符号化した MIME メッセージを届け、届いたメールを開いてデコードされた本文を見る。",
        ),
            hint: tr(
            "SMTP carries lines of text; MIME headers say how the body was encoded. 44GT44KT44Gr44Gh44Gv is UTF-8 Japanese in Base64.",
            "SMTP が運ぶのはテキストの行です。MIME のヘッダが本文の符号化方式を示します。44GT44KT44Gr44Gh44Gv は UTF-8 の日本語を Base64 にしたものです。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("HELO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: Base64"),
            Type("MIME-Version: 1.0"),
            Type("Content-Type: text/plain; charset=UTF-8"),
            Type("Content-Transfer-Encoding: base64"),
            Type(""),
            Type("44GT44KT44Gr44Gh44Gv"),
            Type("."),
            Type("QUIT"),
        ],
        check: base64_part_delivered,
    },
    Lesson {
        id: "mojibake",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Mojibake: the charset label", "文字化け：charset のラベル"),
            topic: tr(
            "MIME's charset parameter and mojibake (notes C §4.1.5)",
            "MIME の charset パラメータと文字化け（資料 C 4.1.5）",
        ),
            goal: tr(
            "Deliver Japanese text to bob@a.example labelled Shift_JIS, read it as UTF-8 in the inspector, then deliver it labelled UTF-8.",
            "Shift_JIS とラベルを付けた日本語を bob@a.example に届けてインスペクタで UTF-8 として読み、次に UTF-8 のラベルで届け直す。",
        ),
            hint: tr(
            "The terminal sends UTF-8. The label tells the reader how to turn octets into characters: UTF-8 こんにちは read as Shift_JIS is 縺薙ｓ縺ｫ縺｡縺ｯ.",
            "端末は UTF-8 で送ります。ラベルはバイト列を文字に戻す方法を伝えます。UTF-8 の「こんにちは」を Shift_JIS で読むと「縺薙ｓ縺ｫ縺｡縺ｯ」。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<alice@a.example> BODY=8BITMIME"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: Shift_JIS label"),
            Type("MIME-Version: 1.0"),
            Type("Content-Type: text/plain; charset=Shift_JIS"),
            Type("Content-Transfer-Encoding: 8bit"),
            Type(""),
            Type("こんにちは、ボブさん"),
            Type("."),
            Do(tr(
                "Open “Shift_JIS label” in bob's mailbox: the body is garbled. Read the text as UTF-8.",
                "bob のメールボックスで「Shift_JIS label」を開くと文字化けしている。本文を UTF-8 で読み直す。",
            )),
            Type("MAIL FROM:<alice@a.example> BODY=8BITMIME"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: UTF-8 label"),
            Type("MIME-Version: 1.0"),
            Type("Content-Type: text/plain; charset=UTF-8"),
            Type("Content-Transfer-Encoding: 8bit"),
            Type(""),
            Type("こんにちは、ボブさん"),
            Type("."),
            Type("QUIT"),
        ],
        check: mislabelled_then_labelled,
    },
    Lesson {
        id: "no-label",
        scenario: "two-domains",
        shows: "",
        text: texts!(
            title: tr("Mojibake: no charset label", "文字化け：charset の指定がない"),
            topic: tr(
            "MIME's default charset and ISO-2022-JP (notes C §4.1.5; RFC 2045 §5.2, beyond the notes)",
            "MIME の既定の charset と ISO-2022-JP（資料 C 4.1.5、RFC 2045 5.2 節は資料の範囲外）",
        ),
            goal: tr(
            "Deliver the same ISO-2022-JP text to bob@a.example twice: first with no charset label, then labelled charset=ISO-2022-JP.",
            "同じ ISO-2022-JP の文章を bob@a.example に 2 回届ける。1 回目は charset の指定なし、2 回目は charset=ISO-2022-JP を付けて。",
        ),
            hint: tr(
            "No label means US-ASCII (RFC 2045 §5.2), so the reader cannot tell the octets are Japanese. ISO-2022-JP is 7-bit: ESC $ B switches to JIS codes and ESC ( B back, so unlabelled it shows as $B$3$s…(B. The body goes in base64 because a terminal cannot type ESC.",
            "指定がなければ US-ASCII とみなされ（RFC 2045 5.2 節）、読み手には日本語だとわかりません。ISO-2022-JP は 7 ビットで、ESC $ B で JIS コードに切り替え、ESC ( B で戻すので、指定なしでは $B$3$s…(B と見えます。端末では ESC を打てないので本文は base64 で送ります。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 25"),
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: no label"),
            Type("MIME-Version: 1.0"),
            Type("Content-Transfer-Encoding: base64"),
            Type(""),
            Type("GyRCJDMkcyRLJEEkTyEiJVwlViQ1JHMbKEI="),
            Type("."),
            Do(tr(
                "Open “no label” in bob's mailbox: the body reads $B$3$s$K$A$O…. Read the text as ISO-2022-JP.",
                "bob のメールボックスで「no label」を開くと本文は $B$3$s$K$A$O… と見える。本文を ISO-2022-JP で読み直す。",
            )),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("Subject: ISO-2022-JP label"),
            Type("MIME-Version: 1.0"),
            Type("Content-Type: text/plain; charset=ISO-2022-JP"),
            Type("Content-Transfer-Encoding: base64"),
            Type(""),
            Type("GyRCJDMkcyRLJEEkTyEiJVwlViQ1JHMbKEI="),
            Type("."),
            Type("QUIT"),
        ],
        check: unlabelled_then_labelled,
    },
    Lesson {
        id: "backup-mx",
        scenario: "backup-mx",
        shows: "network",
        text: texts!(
            title: tr("MX records and the backup MX", "MX レコードとバックアップ MX"),
            topic: tr(
            "Delivery by way of other servers when the first is down (notes B §4); DNS MX records (beyond the notes)",
            "最初のサーバと通信できないときは別のサーバを経由して配送（資料 B 4 節）、DNS の MX レコード（資料の範囲外）",
        ),
            goal: tr(
            "mail.b.example is down for 20 minutes. Send carol@b.example a message: the backup MX (preference 20) holds it and hands it on when the primary is back.",
            "mail.b.example は 20 分間停止中。carol@b.example に送り、バックアップ MX（優先度 20）が預かって、本来のサーバが戻ったら渡すのを確かめる。",
        ),
            hint: tr(
            "The sender's MTA tries the MX with the lowest preference first, then the next one.",
            "送信側の MTA は優先度の値が小さい MX から順に試します。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: via the backup"),
            Type(""),
            Type("Hello."),
            Type("."),
            Type("QUIT"),
            Do(tr("Press “Run until idle”.", "「キューが空になるまで進める」を押す。")),
        ],
        check: through_the_backup_mx,
    },
    Lesson {
        id: "dial-up",
        scenario: "dial-up",
        shows: "network",
        text: texts!(
            title: tr("Store and forward: an intermittent host", "蓄積転送：ときどきつながるホスト"),
            topic: tr(
            "Before always-on lines: a mail server holds mail until the line is up; UUCP (notes B §3, §4)",
            "常時接続以前：回線がつながるまでメールを蓄えておく、UUCP（資料 B 3 節・4 節）",
        ),
            goal: tr(
            "mail.b.example is online only 10 minutes an hour. Send carol@b.example a message while it is offline and let time pass: the mail waits in mail.a.example's queue and flows when the link comes up.",
            "mail.b.example は 1 時間に 10 分しかつながらない。オフラインの間に carol@b.example へ送って時間を進め、メールが mail.a.example のキューで待ち、回線がつながると流れるのを確かめる。",
        ),
            hint: tr(
            "This is how UUCP-era mail worked. It is online from :00 to :10; press “+10 min” first so the clock is at 09:10 or later.",
            "UUCP の時代のメールはこう動いていました。毎時 0 分から 10 分までがオンラインです。先に「+10 分」を押して 9:10 以降に送ります。",
        ),
        ),
        steps: steps![
            Do(tr("Press “+10 min”.", "「+10 分」を押す。")),
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: by dial-up"),
            Type(""),
            Type("Whenever you are online."),
            Type("."),
            Type("QUIT"),
            Do(tr("Press “Run until idle”.", "「キューが空になるまで進める」を押す。")),
        ],
        check: waited_for_the_link,
    },
    Lesson {
        id: "spf",
        scenario: "spoofing",
        shows: "network",
        text: texts!(
            title: tr("SPF: which hosts may send a domain's mail", "SPF：そのドメインのメールを送ってよいホスト"),
            topic: tr(
            "SMTP checks no sender (notes C §4.1.2.2); SPF (RFC 7208) lets the receiver check the sending host",
            "SMTP は送信者を確かめない（資料 C 4.1.2.2）。SPF（RFC 7208）で受信側が送信ホストを確かめる",
        ),
            goal: tr(
            "mail.b.example checks SPF. Hand it alice@a.example's mail straight from your PC: a.example's record (v=spf1 mx -all) lists only its MX, so it refuses with 550 5.7.23. Then submit the same through mail.a.example on 587: relayed by a.example's MX, it passes.",
            "mail.b.example は SPF を検査する。alice@a.example のメールを自分の PC から直接渡すと、a.example のレコード（v=spf1 mx -all）は MX しか認めていないので 550 5.7.23 で拒否される。次に同じメールを mail.a.example の 587 番から送ると、a.example の MX が中継するので pass になる。",
        ),
            hint: tr(
            "SPF looks at the connecting address and the MAIL FROM domain's TXT record, not at From:. It needs no message, but this server refuses after DATA, so that DMARC can read From: too. The result is added at the top of the message as Authentication-Results and Received-SPF: look at carol's copy in the inspector.",
            "SPF が見るのは接続元のアドレスと MAIL FROM のドメインの TXT レコードで、From: ではありません。SPF の判定にメッセージ自体は要りませんが、このサーバは DMARC で From: も読むため DATA の後で拒否します。結果はメッセージの先頭に Authentication-Results と Received-SPF として書き込まれます。carol に届いたメールをインスペクタで見てください。",
        ),
        ),
        steps: steps![
            Type("telnet mail.b.example 25"),
            // EHLO: the refusal then carries its enhanced code, 5.7.23 (RFC 2034).
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: straight from my PC"),
            Type(""),
            Type("Hello."),
            Type("."),
            Type("QUIT"),
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: through my MX"),
            Type(""),
            Type("Hello."),
            Type("."),
            Type("QUIT"),
        ],
        check: spf_fail_then_pass,
    },
    Lesson {
        id: "op25b",
        scenario: "op25b",
        shows: "network",
        text: texts!(
            title: tr("OP25B: why mail clients send on port 587", "OP25B：メールソフトが 587 番ポートから送る理由"),
            topic: tr(
            "SMTP AUTH on the submission port 587 (notes D §1), and the Outbound Port 25 Blocking that made it necessary",
            "サブミッションポート 587 の SMTP AUTH（資料 D 1 節）と、それを必要にした OP25B",
        ),
            goal: tr(
            "a.example's provider blocks port 25 from its customers' machines to other networks (OP25B). Try to reach mail.b.example's port 25 from your PC and see no answer; then send carol@b.example a message through mail.a.example's port 587 with AUTH.",
            "a.example の接続事業者は、利用者のマシンから他のネットワークの 25 番ポートへの通信を遮断している（OP25B）。自分の PC から mail.b.example の 25 番ポートにつないで応答がないのを確かめ、次に mail.a.example の 587 番ポートから AUTH して carol@b.example にメッセージを送る。",
        ),
            hint: tr(
            "Spam from infected home PCs went straight to other domains' MX on port 25. Providers now block that, and their customers submit on 587, where the provider knows who they are (AUTH).",
            "ウイルスに感染した家庭の PC は、他のドメインの MX の 25 番ポートへ直接スパムを送っていました。今は接続事業者がそれを遮断し、利用者は事業者が本人を確かめられる（AUTH）587 番ポートから送ります。",
        ),
        ),
        steps: steps![
            Type("telnet mail.b.example 25"),
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("Subject: through my provider"),
            Type(""),
            Type("Hello."),
            Type("."),
            Type("QUIT"),
        ],
        check: op25b_blocked_then_submitted,
    },
    Lesson {
        id: "dmarc",
        scenario: "dmarc",
        shows: "network",
        text: texts!(
            title: tr("DMARC: checking the From: a person reads", "DMARC：人が読む From: を確かめる"),
            topic: tr(
            "The envelope and From: may differ (notes A): SPF checks MAIL FROM; DMARC (RFC 7489) ties the From: domain to a passing check and publishes what to do when none does",
            "エンベロープと From: は異なってもよい（資料 A）。SPF が確かめるのは MAIL FROM。DMARC（RFC 7489）は From: のドメインを合格した検査に結びつけ、結びつかないときの扱いを公開する",
        ),
            goal: tr(
            "From your PC, send carol@b.example a message with MAIL FROM:<winner@lottery.example> (no SPF record, so SPF says none) and From: alice@a.example. a.example publishes v=DMARC1; p=reject, so mail.b.example refuses it with 550 5.7.1. Then send bob@a.example one with From: carol@b.example: b.example asks for p=quarantine, so it lands in bob's Junk folder.",
            "自分の PC から carol@b.example に、MAIL FROM:<winner@lottery.example>（SPF レコードがないので SPF は none）で From: alice@a.example のメッセージを送る。a.example は v=DMARC1; p=reject を公開しているので、mail.b.example は 550 5.7.1 で拒否する。次に bob@a.example に From: carol@b.example のメッセージを送ると、b.example は p=quarantine を求めているので bob の Junk フォルダに入る。",
        ),
            hint: tr(
            "DMARC passes only when SPF passes for a MAIL FROM domain that matches the From: domain (or its organization), or DKIM for a matching d= domain: lottery.example would not match a.example even with a pass. The receiver finds the policy in the TXT record at _dmarc.<From: domain>; the verdict is in Authentication-Results: open bob's Junk message in the inspector.",
            "DMARC が合格するのは、SPF が合格した MAIL FROM のドメイン、または DKIM が合格した d= のドメインが From: のドメイン（または同じ組織）と一致したときだけです。SPF が合格しても lottery.example は a.example と一致しません。受信側は _dmarc.<From: のドメイン> の TXT レコードでポリシーを知ります。結果は Authentication-Results にあります。bob の Junk に入ったメールをインスペクタで開いてください。",
        ),
        ),
        steps: steps![
            Type("telnet mail.b.example 25"),
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<winner@lottery.example>"),
            Type("RCPT TO:<carol@b.example>"),
            Type("DATA"),
            Type("From: Alice <alice@a.example>"),
            Type("Subject: your invoice"),
            Type(""),
            Type("Pay now."),
            Type("."),
            Type("QUIT"),
            Type("telnet mail.a.example 25"),
            Type("EHLO pc.a.example"),
            Type("MAIL FROM:<winner@lottery.example>"),
            Type("RCPT TO:<bob@a.example>"),
            Type("DATA"),
            Type("From: Carol <carol@b.example>"),
            Type("Subject: lunch?"),
            Type(""),
            Type("Click here."),
            Type("."),
            Type("QUIT"),
        ],
        check: dmarc_rejected_and_quarantined,
    },
    Lesson {
        id: "dkim",
        scenario: "dmarc",
        shows: "network",
        text: texts!(
            title: tr("DKIM: a signature that survives forwarding, not a changed Subject", "DKIM：転送しても壊れず、件名を変えると壊れる署名"),
            topic: tr(
            "Mail passes from MTA to MTA (notes A): SPF checks only the last hop; DKIM (RFC 6376) signs the message itself, and DMARC accepts either when it matches From:",
            "メールは MTA から MTA へ転送される（資料 A）。SPF が確かめるのは最後の中継だけ。DKIM（RFC 6376）はメッセージ自体に署名する。DMARC は From: と一致すればどちらの合格でも認める",
        ),
            goal: tr(
            "As alice, submit two messages on mail.a.example's port 587; it signs both. One goes to forward@b.example, which forwards it to bob@a.example: at bob's end SPF fails (mail.b.example is not in a.example's record) but DKIM passes, so it is delivered. The other goes to the list lab-list@b.example, which adds [lab-list] to its Subject: that copy fails DKIM, and a.example's p=reject refuses it.",
            "alice として mail.a.example の 587 番から 2 通送る。mail.a.example は両方に署名する。1 通目は forward@b.example 宛てで、bob@a.example へ転送される。bob の側では SPF は fail（mail.b.example は a.example のレコードにない）だが DKIM は pass なので配送される。2 通目はメーリングリスト lab-list@b.example 宛てで、リストが件名の先頭に [lab-list] を付ける。その写しは DKIM が fail になり、a.example の p=reject で拒否される。",
        ),
            hint: tr(
            "The signature covers the body's hash (bh=) and the header fields named in h=; the public key is the TXT record at lab._domainkey.a.example (in the DNS box, and asked for on the wiretap). Open bob's forwarded copy in the inspector: Authentication-Results says spf=fail, dkim=pass, dmarc=pass. The list's refused copy bounces to the list's owner, carol.",
            "署名の対象は本文のハッシュ（bh=）と h= に挙げたヘッダです。公開鍵は lab._domainkey.a.example の TXT レコードにあります（DNS の枠と盗聴パネルの問い合わせを見てください）。bob に転送されたメールをインスペクタで開くと、Authentication-Results は spf=fail、dkim=pass、dmarc=pass です。拒否されたリストの写しのエラーメールは、リスト管理者の carol に戻ります。",
        ),
        ),
        steps: steps![
            Type("telnet mail.a.example 587"),
            Type("EHLO pc.a.example"),
            Type("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<forward@b.example>"),
            Type("DATA"),
            Type("From: Alice <alice@a.example>"),
            Type("Subject: forwarded"),
            Type(""),
            Type("Hello."),
            Type("."),
            Type("MAIL FROM:<alice@a.example>"),
            Type("RCPT TO:<lab-list@b.example>"),
            Type("DATA"),
            Type("From: Alice <alice@a.example>"),
            Type("Subject: meeting notes"),
            Type(""),
            Type("Hello, list."),
            Type("."),
            Type("QUIT"),
            Do(tr("In Network, press “Run until idle”.", "「ネットワーク」で「キューが空になるまで進める」を押す。")),
        ],
        check: dkim_survives_forwarding_not_a_changed_subject,
    },
];

/// The lesson named `id`.
pub fn by_id(id: &str) -> Option<usize> {
    LESSONS.iter().position(|l| l.id == id)
}

/// What the learner has done: lessons completed and the one in progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: Vec<String>,
    pub active: Option<usize>,
    /// The scenario the world was last built from.
    pub scenario: String,
    /// The newest event when the active lesson started: only later events count.
    pub since: u64,
}

impl Progress {
    /// A line for localStorage: `scenario|active|done,done`.
    pub fn to_line(&self) -> String {
        let active = self.active.map(|i| LESSONS[i].id).unwrap_or("");
        format!("{}|{}|{}", self.scenario, active, self.done.join(","))
    }

    /// Reads [`Progress::to_line`]'s form; unknown lessons are dropped.
    pub fn from_line(line: &str) -> Progress {
        let mut parts = line.splitn(3, '|');
        let scenario = parts.next().unwrap_or_default();
        let known =
            |s: &&str| mail_lab_world::scenario::NAMES.contains(s) || mail_lab_world::scenario::DMARC_NAMES.contains(s);
        let scenario = if known(&scenario) { scenario } else { "two-domains" };
        let active = parts.next().and_then(by_id);
        let done =
            parts.next().unwrap_or_default().split(',').filter(|id| by_id(id).is_some()).map(str::to_string).collect();
        Progress { done, active, scenario: scenario.to_string(), since: 0 }
    }

    pub fn is_done(&self, index: usize) -> bool {
        self.done.iter().any(|d| d == LESSONS[index].id)
    }

    /// Mark the active lesson done if the world now shows its goal; true when
    /// that just happened.
    pub fn check(&mut self, world: &World) -> bool {
        let Some(index) = self.active else { return false };
        if self.is_done(index) || !(LESSONS[index].check)(world, self.since) {
            return false;
        }
        self.done.push(LESSONS[index].id.to_string());
        true
    }
}

/// The newest event's number (0 when the log is empty).
pub fn newest_event(world: &World) -> u64 {
    world.events().last().map_or(0, |e| e.seq)
}

#[cfg(test)]
mod tests {

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn steps_read_back_as_written() {
        let first: Vec<Step> = LESSONS[0].steps.iter().collect();
        assert_eq!(first.len(), 16);
        assert_eq!(first[0], Step::Type("EHLO pc.a.example"));
        assert_eq!(first[4], Step::Type("From: Alice <alice@a.example>"), "the header's From, beside MAIL FROM");
        assert_eq!(first[6], Step::Type(""), "the empty line between header and body");
        assert_eq!(first[15], Step::Type("QUIT"));
        let mua = &LESSONS[by_id("mua-mta-mda").expect("the lesson")];
        let Some(Step::Do(what)) = mua.steps.iter().next() else { panic!("a Do step") };
        assert!(what.en.starts_with("In the mail client:") && what.ja.starts_with("メールソフトで"), "{what:?}");
        assert_eq!(steps![Type("a"), Do(tr("b", "c")), Type("")].iter().count(), 3);
        // The four texts, both languages each.
        assert_eq!(LESSONS[0].title(), tr("Send with SMTP, read with POP3", "SMTP で送り、POP3 で読む"));
        assert!(LESSONS[0].hint().ja.starts_with("最初の端末は"));
        for l in LESSONS {
            assert_eq!(l.text.split('\u{1}').count(), 8, "{}", l.id);
            assert!([l.title(), l.topic(), l.goal(), l.hint()].iter().all(|t| !t.en.is_empty() && !t.ja.is_empty()));
        }
    }

    use super::*;
    use crate::i18n::Lang;
    use crate::state::{Action, Lab, TranscriptLine};

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// The APOP digest for the last greeting terminal 0 received.
    fn apop_digest(lab: &Lab) -> String {
        let greeting = lab.terminals[0]
            .transcript
            .iter()
            .rev()
            .find_map(|l| match l {
                TranscriptLine::Server(text, _) if text.contains('<') => Some(text.clone()),
                _ => None,
            })
            .unwrap();
        let stamp = &greeting[greeting.find('<').unwrap()..=greeting.rfind('>').unwrap()];
        mail_lab_proto::sasl::apop_digest(stamp, "bob-pw")
    }

    /// What a learner does for a `Do` step, by lesson and position among them.
    fn chore(lab: &mut Lab, lesson: &str, nth: usize) {
        let action = match (lesson, nth) {
            ("retry-bounce", 0) => Action::SetHostUp { host: "mail.b.example".into(), up: false },
            ("dial-up", 0) => Action::Advance(10 * 60_000),
            ("apop", 0) => return,
            ("mua-mta-mda", 0) => Action::Send(crate::state::Compose {
                from: "alice@a.example".into(),
                to: "carol@b.example".into(),
                subject: "roles".into(),
                ..Default::default()
            }),
            _ => Action::RunUntilIdle,
        };
        lab.apply(action);
    }

    /// Start lesson `index` in a fresh lab on its scenario, do its steps as
    /// shown, and return the lab.
    fn walk(index: usize, before: &[&str]) -> Lab {
        let lesson = &LESSONS[index];
        let progress = Progress { scenario: lesson.scenario.into(), ..Progress::default() };
        let mut lab = Lab::with_world(Lang::En, mail_lab_world::scenario::by_name(lesson.scenario).unwrap(), progress);
        for line in before {
            lab.apply(Action::SendLine { terminal: 0, line: line.to_string() });
        }
        lab.apply(Action::StartLesson(index));
        assert!(!lab.progress.is_done(index), "{} is not done before its steps", lesson.id);
        let mut chores = 0;
        for step in lesson.steps.iter() {
            match step {
                Step::Type(line) => {
                    let line = if line.contains("<digest>") {
                        line.replace("<digest>", &apop_digest(&lab))
                    } else {
                        line.to_string()
                    };
                    lab.apply(Action::SendLine { terminal: 0, line });
                }
                Step::Do(_) => {
                    chore(&mut lab, lesson.id, chores);
                    chores += 1;
                }
            }
        }
        lab
    }

    /// Lesson 1 in bob's mailbox: the lessons that need mail there get it first.
    const BOB_HAS_MAIL: &[&str] = &[
        "EHLO pc.a.example",
        "MAIL FROM:<alice@a.example>",
        "RCPT TO:<bob@a.example>",
        "DATA",
        "Subject: earlier",
        "",
        "x",
        ".",
        "QUIT",
    ];

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_lesson_is_completed_by_its_own_steps() {
        for (index, lesson) in LESSONS.iter().enumerate() {
            let before = if lesson.id == "pop3-states" { BOB_HAS_MAIL } else { &[] };
            let lab = walk(index, before);
            let transcript: Vec<String> = lab
                .terminals
                .iter()
                .flat_map(|t| t.transcript.iter().filter_map(|l| l.wire_text()))
                .map(String::from)
                .collect();
            assert!(lab.progress.is_done(index), "{}: goal not reached; transcript: {transcript:#?}", lesson.id);
            assert_eq!(lab.progress.done, [lesson.id], "only the active lesson is marked");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn goals_are_not_reached_by_half_the_work() {
        // Sending without reading is not lesson 1.
        let mut lab = walk(0, &[]);
        assert!(lab.progress.is_done(0));
        let mut half = Lab::with_world(Lang::En, mail_lab_world::scenario::two_domains(), Progress::default());
        half.apply(Action::StartLesson(0));
        for line in BOB_HAS_MAIL {
            half.apply(Action::SendLine { terminal: 0, line: line.to_string() });
        }
        assert!(!half.progress.is_done(0), "delivered but not read");
        // Plain USER/PASS is not an APOP login, nor a login inside TLS.
        let apop = by_id("apop").unwrap();
        let starttls = by_id("starttls").unwrap();
        for index in [apop, starttls] {
            lab = Lab::with_world(Lang::En, mail_lab_world::scenario::eavesdropping(), Progress::default());
            lab.progress.scenario = "eavesdropping".into();
            lab.apply(Action::StartLesson(index));
            for line in ["telnet mail.a.example 110", "USER bob", "PASS bob-pw", "QUIT"] {
                lab.apply(Action::SendLine { terminal: 0, line: line.into() });
            }
            assert!(!lab.progress.is_done(index), "{}", LESSONS[index].id);
        }
        // Relay refused but never abused is half of the open-relay lesson.
        let relay = by_id("open-relay").unwrap();
        let mut lab = walk(relay, &[]);
        assert!(lab.progress.is_done(relay));
        lab = Lab::with_world(Lang::En, mail_lab_world::scenario::open_relay(), Progress::default());
        lab.progress.scenario = "open-relay".into();
        lab.apply(Action::StartLesson(relay));
        for line in ["telnet mail.a.example 25", "HELO x", "MAIL FROM:<a@x.example>", "RCPT TO:<carol@b.example>"] {
            lab.apply(Action::SendLine { terminal: 0, line: line.into() });
        }
        assert!(!lab.progress.is_done(relay));
        // Forwarded but never changed in transit is half of the DKIM lesson.
        let dkim = by_id("dkim").unwrap();
        lab = Lab::with_world(Lang::En, mail_lab_world::scenario::dmarc(), Progress::default());
        lab.progress.scenario = "dmarc".into();
        lab.apply(Action::StartLesson(dkim));
        let typed: Vec<&str> =
            LESSONS[dkim].steps.iter().filter_map(|s| if let Step::Type(l) = s { Some(l) } else { None }).collect();
        for line in typed[..11].iter().chain(&["QUIT"]) {
            lab.apply(Action::SendLine { terminal: 0, line: line.to_string() });
        }
        lab.apply(Action::RunUntilIdle);
        assert!(!lab.progress.is_done(dkim), "only the forwarded message");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn no_label_needs_the_same_octets_unlabelled_then_labelled() {
        const JIS: &str = "GyRCJDMkcyRLJEEkTyEiJVwlViQ1JHMbKEI="; // こんにちは、ボブさん
        const SJIS: &str = "grGC8YLJgr+CzYFBg3uDdYKzgvE=";
        let index = by_id("no-label").unwrap();
        // Each (Content-Type line or none, base64 body) is one message to bob.
        let send = |messages: &[(Option<&str>, &str)]| {
            let mut lab = Lab::with_world(Lang::En, mail_lab_world::scenario::two_domains(), Progress::default());
            lab.progress.scenario = "two-domains".into();
            lab.apply(Action::StartLesson(index));
            lab.apply(Action::SendLine { terminal: 0, line: "telnet mail.a.example 25".into() });
            lab.apply(Action::SendLine { terminal: 0, line: "EHLO pc.a.example".into() });
            for (content_type, body) in messages {
                let mut lines = vec!["MAIL FROM:<alice@a.example>", "RCPT TO:<bob@a.example>", "DATA"];
                lines.extend(content_type);
                lines.extend(["Content-Transfer-Encoding: base64", "", body, "."]);
                for line in lines {
                    lab.apply(Action::SendLine { terminal: 0, line: line.into() });
                }
            }
            let delivered =
                lab.world.borrow().events().filter(|e| matches!(e.kind, EventKind::Delivered { .. })).count();
            assert_eq!(delivered, messages.len(), "each message is delivered");
            lab.progress.is_done(index)
        };
        let jis = Some("Content-Type: text/plain; charset=ISO-2022-JP");
        assert!(send(&[(None, JIS), (jis, JIS)]));
        assert!(send(&[
            (Some("Content-Type: text/plain; charset=us-ascii"), SJIS),
            (Some("Content-Type: text/plain; charset=Shift_JIS"), SJIS)
        ]));
        // Half the work, other octets, or a label that reads them as the lab already did.
        assert!(!send(&[(None, JIS)]));
        assert!(!send(&[(jis, JIS)]));
        assert!(!send(&[(None, SJIS), (jis, JIS)]));
        assert!(!send(&[
            (None, "44GT44KT44Gr44Gh44Gv"),
            (Some("Content-Type: text/plain; charset=UTF-8"), "44GT44KT44Gr44Gh44Gv")
        ]));
        // Plain ASCII reads the same whatever the label.
        assert!(!send(&[(None, "aGVsbG8="), (jis, "aGVsbG8=")]));
        // 7-bit ISO-2022-JP reads the same as ISO-8859-1, and a label no
        // decoder knows reads as no label: neither changes anything.
        assert!(!send(&[(None, JIS), (Some("Content-Type: text/plain; charset=ISO-8859-1"), JIS)]));
        assert!(!send(&[(None, SJIS), (Some("Content-Type: text/plain; charset=x-no-such"), SJIS)]));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn mojibake_needs_the_wrong_label_and_the_right_one() {
        let index = by_id("mojibake").unwrap();
        // Each (label, body) is one message to bob, in order, in one lesson.
        let send = |messages: &[(&str, &str)]| {
            let mut lab = Lab::with_world(Lang::En, mail_lab_world::scenario::two_domains(), Progress::default());
            lab.progress.scenario = "two-domains".into();
            lab.apply(Action::StartLesson(index));
            lab.apply(Action::SendLine { terminal: 0, line: "telnet mail.a.example 25".into() });
            for (label, body) in messages {
                let content_type = format!("Content-Type: text/plain; charset={label}");
                for line in [
                    "EHLO pc.a.example",
                    "MAIL FROM:<alice@a.example> BODY=8BITMIME",
                    "RCPT TO:<bob@a.example>",
                    "DATA",
                ]
                .into_iter()
                .chain(["MIME-Version: 1.0", &content_type, "", body, "."])
                {
                    lab.apply(Action::SendLine { terminal: 0, line: line.into() });
                }
            }
            let delivered =
                lab.world.borrow().events().filter(|e| matches!(e.kind, EventKind::Delivered { .. })).count();
            assert_eq!(delivered, messages.len(), "each message is delivered");
            lab.progress.is_done(index)
        };
        assert!(send(&[("Shift_JIS", "こんにちは"), ("UTF-8", "こんにちは")]));
        assert!(send(&[("EUC-JP", "こんにちは"), ("utf-8", "今日は")]), "any wrong label, any Japanese");
        // Each label alone is half the work.
        assert!(!send(&[("Shift_JIS", "こんにちは")]));
        assert!(!send(&[("UTF-8", "こんにちは")]));
        // ASCII under a wrong label garbles nothing; US-ASCII shows as UTF-8 here.
        assert!(!send(&[("Shift_JIS", "hello"), ("UTF-8", "こんにちは")]));
        assert!(!send(&[("US-ASCII", "こんにちは"), ("UTF-8", "こんにちは")]));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn starting_a_lesson_on_another_scenario_rebuilds_the_world_and_counts_from_then() {
        let mut lab = Lab::with_world(Lang::En, mail_lab_world::scenario::two_domains(), Progress::default());
        lab.progress.scenario = "two-domains".into();
        for line in BOB_HAS_MAIL {
            lab.apply(Action::SendLine { terminal: 0, line: line.to_string() });
        }
        // Work done before the lesson started does not count.
        lab.apply(Action::StartLesson(by_id("dot-transparency").unwrap()));
        let dots = by_id("dot-transparency").unwrap();
        for line in ["telnet mail.a.example 110", "USER bob", "PASS bob-pw", "RETR 1", "QUIT"] {
            lab.apply(Action::SendLine { terminal: 0, line: line.into() });
        }
        assert!(!lab.progress.is_done(dots));
        lab.apply(Action::StartLesson(0));
        assert!(!lab.progress.is_done(0), "the delivery happened before lesson 1 started");

        let dial = by_id("dial-up").unwrap();
        lab.apply(Action::StartLesson(dial));
        assert_eq!(lab.progress.scenario, "dial-up");
        let world = lab.world.borrow();
        assert!(world.host("mail.b.example").unwrap().online.is_some(), "the dial-up world");
        let bob = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
        assert!(bob.messages.is_empty(), "a fresh world");
        assert_eq!(lab.terminals.len(), 1);
        assert!(!lab.terminals[0].open, "a prompt waiting for telnet");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn progress_survives_its_saved_line() {
        let progress = Progress {
            done: vec!["apop".into(), "smtp-pop3".into()],
            active: by_id("dial-up"),
            scenario: "dial-up".into(),
            since: 9,
        };
        let back = Progress::from_line(&progress.to_line());
        assert_eq!(back, Progress { since: 0, ..progress });
        let odd = Progress::from_line("no-such-world|no-such-lesson|apop,nothing");
        assert_eq!(odd, Progress { done: vec!["apop".into()], active: None, scenario: "two-domains".into(), since: 0 });
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_lesson_speaks_both_languages_and_names_a_scenario() {
        let mut ids: Vec<&str> = LESSONS.iter().map(|l| l.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), LESSONS.len(), "lesson ids are unique");
        for l in LESSONS {
            assert!(mail_lab_world::scenario::by_name(l.scenario).is_some(), "{}", l.id);
            for text in [l.title(), l.goal(), l.hint()] {
                assert!(!text.en.is_empty() && !text.ja.is_empty() && text.en != text.ja, "{}", l.id);
            }
            // The syllabus says where in the lecture notes each lesson's topic is.
            assert!(l.topic().en.contains("(notes ") && l.topic().ja.contains("（資料 "), "{}", l.id);
        }
    }
}
