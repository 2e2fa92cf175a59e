//! Every label of the page in English and Japanese.

use mail_lab_world::{Protocol, WorldError};

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// The language for a BCP 47 tag such as `ja-JP` or `en-US`.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("ja") { Lang::Ja } else { Lang::En }
    }

    /// The tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The other language (for the switch button).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        }
    }
}

/// "N messages" in `lang`.
pub fn message_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 message".to_string(),
        (Lang::En, n) => format!("{n} messages"),
        (Lang::Ja, n) => format!("{n} 通"),
    }
}

/// What a folder button's "INBOX 3 (1)" says.
pub fn folder_counts(lang: Lang, count: usize, unseen: usize) -> String {
    match lang {
        Lang::En => format!("{}, {unseen} unseen (no \\Seen flag)", message_count(lang, count)),
        Lang::Ja => format!("{}、うち未読（\\Seen フラグなし）{unseen} 通", message_count(lang, count)),
    }
}

/// The text for `key` in `lang`.
/// The accessible name of a host's "Services & policies" button.
pub fn settings_of(lang: Lang, host: &str) -> String {
    match lang {
        Lang::En => format!("Services and policies of {host}"),
        Lang::Ja => format!("{host} のサービスとポリシー"),
    }
}

/// The colon after a label: full-width in Japanese text.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Ja => "：",
    }
}

/// `text (inner)` with the brackets each language uses.
pub fn bracketed(lang: Lang, text: &str, inner: &str) -> String {
    match lang {
        Lang::En => format!("{text} ({inner})"),
        Lang::Ja => format!("{text}（{inner}）"),
    }
}

/// An entry of an engine's valid-now list in `lang`: a placeholder for what is not a
/// command is translated, a command stays as the protocol spells it.
pub fn allowed_entry(lang: Lang, entry: &'static str) -> &'static str {
    use mail_lab_proto::{BASE64_RESPONSE, CHUNK_OCTETS, MESSAGE_LINES};
    let placeholders = [
        (MESSAGE_LINES, text::MESSAGE_LINES),
        (CHUNK_OCTETS, text::CHUNK_OCTETS),
        (BASE64_RESPONSE, text::BASE64_RESPONSE),
    ];
    placeholders.iter().find(|(name, _)| *name == entry).map_or(entry, |&(_, tr)| t(lang, tr))
}

/// One text in the lab's two languages: the pair the engines' explanations,
/// the lessons and the page all use.
pub use mail_lab_proto::Explanation as Tr;

/// The caption of one `Authentication-Results:` field.
pub fn checked_by(lang: Lang, host: &str) -> String {
    match lang {
        Lang::En => format!(
            "Checked by {host}. Anyone can write this field: trust only the one your own receiving host added (RFC 8601 §5)."
        ),
        Lang::Ja => {
            format!(
                "{host} が検査。このフィールドは誰でも書けるので、信じるのは自分の受信ホストが付けたものだけ（RFC 8601 §5）。"
            )
        }
    }
}

/// What an SPF, DKIM or DMARC result means, for the inspector (the page's
/// world checks these three; other methods' results are shown without a gloss).
pub fn verdict(method: &str, result: &str) -> Tr {
    match (method, result) {
        ("spf", "pass") => Tr {
            en: "The sending IP is allowed by the SPF record of the checked domain (MAIL FROM, or HELO).",
            ja: "送信元 IP アドレスは、検査したドメイン（MAIL FROM か HELO）の SPF レコードで許可されている。",
        },
        ("spf", "fail") => Tr {
            en: "The domain's SPF record says this IP must not send its mail (a “-” term matched, such as -all).",
            ja: "ドメインの SPF レコードが、この IP からは送らないと宣言している（-all など「-」の項に一致）。",
        },
        ("spf", "softfail") => Tr {
            en: "The SPF record says this IP probably does not send its mail (~all): accept, but suspect.",
            ja: "SPF レコードは、この IP からはおそらく送らないと言う（~all）。受け取るが疑わしい。",
        },
        ("spf", "neutral") => Tr {
            en: "The SPF record makes no claim about this IP (?all).",
            ja: "SPF レコードはこの IP について何も主張しない（?all）。",
        },
        ("spf", "none") => Tr {
            en: "No SPF record for the checked domain (or no domain to check).",
            ja: "検査したドメインに SPF レコードがない（または検査できるドメインがない）。",
        },
        ("spf", "temperror") => Tr {
            en: "A temporary error, such as DNS not answering: the check could not be made.",
            ja: "一時的なエラー（DNS が応答しない等）で、検査できなかった。",
        },
        ("spf", "permerror") => Tr {
            en: "A permanent error: the record is broken (bad syntax, too many DNS lookups).",
            ja: "恒久的なエラー。レコードが壊れている（構文の誤り、DNS 参照回数の超過など）。",
        },
        ("dkim", "pass") => Tr {
            en: "The signature verifies with the key published at s._domainkey.d: the signed header fields and the body are as the signer sent them.",
            ja: "s._domainkey.d に公開された鍵で署名を確かめられた。署名したヘッダと本文は署名者が送ったときのまま。",
        },
        ("dkim", "fail") => Tr {
            en: "The signature does not match the message: the body (bh=) or a signed header field (h=) changed after signing.",
            ja: "署名がメッセージと合わない。署名の後で本文（bh=）か署名したヘッダ（h=）が変わった。",
        },
        ("dkim", "permerror") => Tr {
            en: "The signature cannot be checked: a broken DKIM-Signature field, or no usable key in DNS.",
            ja: "署名を検査できない。DKIM-Signature が壊れているか、DNS に使える鍵がない。",
        },
        ("dkim", "temperror") => Tr {
            en: "The key could not be fetched from DNS for now.",
            ja: "今は DNS から鍵を取得できなかった。",
        },
        ("dmarc", "pass") => Tr {
            en: "SPF passed for the MAIL FROM domain, or DKIM for the d= domain, and that domain is the From: domain or in its organization (aligned): the author's domain vouches for this mail.",
            ja: "MAIL FROM のドメインで SPF が、または d= のドメインで DKIM が合格し、そのドメインが From: のドメイン（または同じ組織）と一致した。差出人のドメインがこのメールを保証している。",
        },
        ("dmarc", "fail") => Tr {
            en: "No check that passed is tied to the From: domain a person reads: the comment says what that domain asks for (p=).",
            ja: "人が読む From: のドメインに結びつく合格した検査がない。コメントにそのドメインが求める扱い（p=）が書かれている。",
        },
        ("dmarc", "none") => Tr {
            en: "Neither the From: domain nor its organizational domain publishes one DMARC record (_dmarc.<domain>): none, or more than one.",
            ja: "From: のドメインにもその組織ドメインにも、使える DMARC レコード（_dmarc.<ドメイン>）がない（ない、または複数ある）。",
        },
        _ => Tr { en: "", ja: "" },
    }
}

/// `pair` in `lang`: the page's one way of choosing a language.
pub fn t(lang: Lang, pair: Tr) -> &'static str {
    match lang {
        Lang::En => pair.en,
        Lang::Ja => pair.ja,
    }
}

/// The page's texts, each in both languages.
pub mod text {
    use super::Tr;

    pub const TITLE: Tr = Tr { en: "Mail Lab", ja: "メールラボ" };
    pub const TAGLINE: Tr = Tr {
        en: "A whole Internet mail system in your browser: type SMTP yourself and watch the mail arrive.",
        ja: "ブラウザの中のインターネットメール。SMTP を自分で打ち込み、メールが届く様子を見てみましょう。",
    };
    pub const SWITCH_LANGUAGE: Tr = Tr { en: "日本語で表示", ja: "Show in English" };
    pub const COMMAND: Tr = Tr { en: "Command", ja: "コマンド" };
    pub const TERMINAL: Tr = Tr { en: "Terminal", ja: "端末" };
    pub const CONNECTED: Tr = Tr { en: "connected", ja: "接続済み" };
    pub const CLOSED: Tr = Tr { en: "connection closed", ja: "接続は閉じられました" };
    pub const STATE: Tr = Tr { en: "State", ja: "状態" };
    pub const VALID_NOW: Tr = Tr { en: "valid now", ja: "今使えるコマンド" };
    /// What a session takes that is not a command (`mail_lab_proto::MESSAGE_LINES` and its kin).
    pub const MESSAGE_LINES: Tr = Tr { en: "<message lines>", ja: "<メッセージの行>" };
    pub const CHUNK_OCTETS: Tr = Tr { en: "<chunk octets>", ja: "<チャンクのオクテット>" };
    pub const BASE64_RESPONSE: Tr = Tr { en: "<base64 response>", ja: "<Base64 の応答>" };
    /// Where in the message a problem is: an octet offset.
    pub const AT_OCTET: Tr = Tr { en: "at octet", ja: "オクテット位置" };
    pub const CLIENT_ADDRESS: Tr = Tr { en: "client address", ja: "クライアントのアドレス" };
    pub const MAILBOX: Tr = Tr { en: "Mailbox", ja: "メールボックス" };
    pub const EMPTY: Tr = Tr { en: "No messages yet.", ja: "まだメッセージはありません。" };
    pub const FROM: Tr = Tr { en: "From", ja: "差出人" };
    pub const SUBJECT: Tr = Tr { en: "Subject", ja: "件名" };
    pub const UID: Tr = Tr { en: "UID", ja: "UID" };
    pub const UID_NOTE: Tr = Tr {
        en: "The message's unique ID in its folder (IMAP's UID). POP3 numbers the messages 1, 2, … afresh in each session",
        ja: "フォルダ内でのメッセージの一意な番号（IMAP の UID）。POP3 はセッションごとに 1, 2, … と番号を振り直します",
    };
    pub const NO_SUBJECT: Tr = Tr { en: "(no subject)", ja: "（件名なし）" };
    /// Not the envelope's MAIL FROM: that is not part of the message.
    pub const NO_FROM: Tr = Tr { en: "(no From: field)", ja: "（From: フィールドなし）" };
    pub const TRANSCRIPT: Tr = Tr { en: "Transcript", ja: "やりとり" };
    pub const OPEN_TERMINAL: Tr = Tr { en: "Open terminal", ja: "端末を開く" };
    pub const HOST: Tr = Tr { en: "Host", ja: "ホスト" };
    pub const PORT: Tr = Tr { en: "Port", ja: "ポート" };
    pub const MESSAGE: Tr = Tr { en: "Message", ja: "メッセージ" };
    pub const CLOSE: Tr = Tr { en: "Close", ja: "閉じる" };
    pub const ENVELOPE: Tr =
        Tr { en: "Envelope (SMTP: MAIL FROM / RCPT TO)", ja: "エンベロープ（SMTP の MAIL FROM / RCPT TO）" };
    pub const HEADER: Tr = Tr { en: "Header (what the reader sees)", ja: "ヘッダ（読み手に見えるもの）" };
    pub const ENVELOPE_NOTE: Tr = Tr {
        en: "Servers route by the envelope; readers see the header. They may differ: Bcc recipients are only in the envelope, and a From: line can be forged.",
        ja: "サーバはエンベロープで配送し、読み手はヘッダを見ます。両者は一致するとは限りません。Bcc の宛先はエンベロープにしかなく、From: 行は偽造できます。",
    };
    pub const AUTH_RESULTS: Tr =
        Tr { en: "Authentication results (RFC 8601)", ja: "認証の結果（RFC 8601 の Authentication-Results）" };
    pub const ROUTE: Tr =
        Tr { en: "Route (Received lines, newest first)", ja: "経路（Received 行、新しい順）" };
    pub const NULL_REVERSE_PATH: Tr = Tr {
        en: "<> the null reverse-path: a bounce or delivery report, never bounced again (RFC 5321 §4.5.5)",
        ja: "<> 空の送信者（null reverse-path）：エラーメールや配送通知なので、これ自体はエラーで返送されません（RFC 5321 §4.5.5）",
    };
    pub const NO_ROUTE: Tr = Tr {
        en: "No Received lines: made on the host that stored it, it never crossed SMTP.",
        ja: "Received 行なし：保存したホスト自身が作ったメールで、SMTP を通っていません。",
    };
    pub const PARTS: Tr = Tr { en: "MIME parts", ja: "MIME パート" };
    pub const BODY: Tr = Tr { en: "Body", ja: "本文" };
    pub const READ_AS: Tr = Tr { en: "Read the text as", ja: "本文を読む文字コード" };
    pub const AS_LABELLED: Tr = Tr { en: "as labelled", ja: "ラベルどおり" };
    pub const NO_LABEL: Tr = Tr { en: "no charset label", ja: "charset 指定なし" };
    pub const RAW_MESSAGE: Tr = Tr { en: "Raw message as stored", ja: "保存されている生のメッセージ" };
    pub const DIAGNOSTICS: Tr = Tr { en: "Diagnostics", ja: "診断" };
    pub const HTML_SANDBOXED: Tr = Tr {
        en: "HTML body, shown in a sandbox with scripts off",
        ja: "HTML 本文（スクリプトを止めたサンドボックスで表示）",
    };
    pub const RESET: Tr = Tr { en: "Reset the lab", ja: "ラボを初期化" };
    pub const RESET_CONFIRM: Tr = Tr {
        en: "Start again from the beginning? All mail and changes in this lab are deleted.",
        ja: "最初からやり直しますか？このラボのメールと変更はすべて消えます。",
    };
    pub const STORAGE_PROBLEM: Tr = Tr {
        en: "The lab saved in this browser could not be read, so it is not being used or overwritten:",
        ja: "このブラウザに保存されたラボを読み込めませんでした。使用も上書きもしていません：",
    };
    pub const START_FRESH: Tr = Tr { en: "Discard it and start fresh", ja: "破棄して最初から始める" };
    pub const NETWORK: Tr = Tr { en: "Network", ja: "ネットワーク" };
    pub const CLOCK: Tr = Tr { en: "Clock", ja: "時計" };
    pub const ADVANCE_MINUTE: Tr = Tr { en: "+1 min", ja: "+1 分" };
    pub const ADVANCE_TEN_MINUTES: Tr = Tr { en: "+10 min", ja: "+10 分" };
    pub const RUN_UNTIL_IDLE: Tr = Tr { en: "Run until idle", ja: "キューが空になるまで進める" };
    pub const QUEUE: Tr =
        Tr { en: "Queue (mail waiting to be relayed)", ja: "キュー（中継待ちのメール）" };
    pub const QUEUE_EMPTY: Tr = Tr { en: "Every queue is empty.", ja: "キューは空です。" };
    pub const TAKE_DOWN: Tr = Tr { en: "Take down", ja: "停止する" };
    pub const BRING_UP: Tr = Tr { en: "Bring up", ja: "起動する" };
    pub const UP: Tr = Tr { en: "up", ja: "稼働中" };
    pub const DOWN: Tr = Tr { en: "down", ja: "停止中" };
    pub const TIMELINE: Tr = Tr { en: "What happened", ja: "出来事" };
    pub const TIMELINE_EMPTY: Tr = Tr {
        en: "Nothing yet: deliveries, relays and checks are listed here as they happen.",
        ja: "まだ何も起きていません。配送・中継・検査が起きた順にここに並びます。",
    };
    pub const WIRETAP: Tr = Tr { en: "Wiretap", ja: "盗聴" };
    pub const WIRETAP_NOTE: Tr = Tr {
        en: "What an eavesdropper on each link sees. Inside TLS only ciphertext is visible.",
        ja: "各回線の盗聴者に見えるもの。TLS の中は暗号文しか見えません。",
    };
    pub const PASSWORD_IN_CLEAR: Tr =
        Tr { en: "password in the clear!", ja: "パスワードが平文で流れています！" };
    pub const LAST_PASSWORD_SEEN: Tr =
        Tr { en: "Last password seen in the clear:", ja: "最後に平文で見えたパスワード：" };
    pub const DIGEST_ONLY: Tr = Tr {
        en: "a digest only: the password itself did not cross",
        ja: "ダイジェストだけ。パスワードそのものは流れていません",
    };
    pub const APOP_BRACKETS: Tr = Tr {
        en: "The <…> brackets are part of the timestamp; computed with:",
        ja: "山かっこ <…> もタイムスタンプの一部です。次の値で計算しました：",
    };
    pub const ENCRYPTED: Tr = Tr { en: "encrypted", ja: "暗号化済み" };
    pub const MAIL_CLIENT: Tr = Tr { en: "Mail client (MUA)", ja: "メールソフト（MUA）" };
    pub const MAIL_CLIENT_NOTE: Tr = Tr {
        en: "The MUA speaks SMTP to the MSA (587, STARTTLS, AUTH) to send, and POP3 or IMAP to fetch; its dialogue is below.",
        ja: "MUA は送信時に MSA（587 番、STARTTLS、AUTH）と SMTP で、受信時に POP3 か IMAP で通信します。そのやりとりを下に示します。",
    };
    pub const ACCOUNT: Tr = Tr { en: "Account", ja: "アカウント" };
    pub const TO: Tr = Tr { en: "To", ja: "宛先" };
    pub const CC: Tr = Tr { en: "Cc", ja: "Cc" };
    pub const BCC: Tr = Tr { en: "Bcc", ja: "Bcc" };
    pub const SEND: Tr = Tr { en: "Send", ja: "送信" };
    pub const CHECK_MAIL: Tr = Tr { en: "Check mail (POP3)", ja: "受信（POP3）" };
    pub const DOWNLOADED: Tr =
        Tr { en: "Downloaded by the mail client", ja: "メールソフトが受信したメッセージ" };
    pub const LESSONS: Tr = Tr { en: "Lessons", ja: "レッスン" };
    pub const LESSONS_DONE: Tr = Tr { en: "done", ja: "完了" };
    pub const GOAL: Tr = Tr { en: "Goal", ja: "目標" };
    pub const HINT: Tr = Tr { en: "Hint", ja: "ヒント" };
    pub const STEPS: Tr = Tr {
        en: "Try this (each line is one Enter in a terminal)",
        ja: "やってみよう（1 行ごとに端末で Enter）",
    };
    pub const GOAL_REACHED: Tr =
        Tr { en: "Goal reached ✓ — the lab saw it happen.", ja: "目標達成 ✓ ラボが確かめました。" };
    pub const GOAL_NOT_YET: Tr = Tr {
        en: "Not reached yet: the lab checks the world after every step.",
        ja: "未達成：ラボは操作のたびに演習環境の状態を確かめています。",
    };
    pub const EMPTY_LINE: Tr = Tr { en: "(empty line: just Enter)", ja: "（空行：Enter だけ）" };
    pub const NEW_WORLD_CONFIRM: Tr = Tr {
        en: "This lesson starts from its own world; the mail and changes in the current one are replaced (the lab set aside earlier is kept). Continue?",
        ja: "このレッスンは専用の演習環境で始めます。今の環境のメールと変更は失われます（先に一時保存したラボはそのまま残ります）。続けますか？",
    };
    pub const TIMESTAMP: Tr =
        Tr { en: "Timestamp from the greeting", ja: "グリーティングのタイムスタンプ" };
    pub const PASSWORD: Tr = Tr { en: "Password", ja: "パスワード" };
    pub const DIGEST: Tr = Tr { en: "APOP digest", ja: "APOP ダイジェスト" };
    pub const APOP_CALCULATOR: Tr = Tr {
        en: "MD5 of timestamp + password, as a mail client computes it",
        ja: "メールソフトと同じく、タイムスタンプ + パスワードの MD5 を計算",
    };
    pub const PROMPT: Tr = Tr { en: "not connected", ja: "未接続" };
    pub const MAP: Tr = Tr {
        en: "Map of the network: client machines, mail hosts, the links between them and the lookups to DNS above",
        ja: "ネットワーク構成図：クライアント、メールサーバ、その間の回線と、上の DNS への問い合わせ",
    };
    pub const ADDRESS: Tr = Tr { en: "Address", ja: "アドレス" };
    pub const SERVICES: Tr = Tr { en: "Services", ja: "サービス" };
    pub const USERS: Tr = Tr { en: "Users", ja: "ユーザ" };
    pub const POLICIES: Tr = Tr { en: "Policies", ja: "ポリシー" };
    pub const TXT_RECORD: Tr = Tr { en: "DNS TXT (SPF)", ja: "DNS の TXT（SPF）" };
    pub const TXT_HINT: Tr = Tr {
        en: "The next SPF check reads it (no DNS cache here; a real one waits out the TTL). Empty removes it.",
        ja: "次の SPF 検査がこれを読む（ここに DNS キャッシュはない。実際は TTL まで古いまま）。空で削除。",
    };
    pub const SAVE: Tr = Tr { en: "Save", ja: "保存" };
    pub const OPEN_RELAY: Tr = Tr {
        en: "Open relay (relays anybody's mail: the spammer's friend)",
        ja: "オープンリレー（誰のメールでも中継する：スパムの踏み台）",
    };
    pub const FOLDERS: Tr = Tr { en: "Folders", ja: "フォルダ" };
    pub const FLAGS: Tr = Tr { en: "Flags", ja: "フラグ" };
    pub const EXPUNGED: Tr = Tr { en: "Just removed:", ja: "削除されたばかり：" };
    pub const EXPORT_MBOX: Tr = Tr { en: "Download folder (mbox)", ja: "フォルダをダウンロード（mbox）" };
    pub const IMPORT_MAIL: Tr = Tr { en: "Import .eml or mbox", ja: ".eml か mbox を取り込む" };
    pub const EXPORT_LAB: Tr = Tr { en: "Save the lab to a file", ja: "ラボをファイルに保存" };
    pub const IMPORT_LAB: Tr = Tr { en: "Open a saved lab", ja: "保存したラボを開く" };
    pub const IMPORT_LAB_CONFIRM: Tr = Tr {
        en: "Replace this lab by the one in the file? Its mail and changes are replaced.",
        ja: "このラボをファイルの内容で置き換えますか？今のメールと変更は置き換わります。",
    };
    pub const WIRE_FORM: Tr =
        Tr { en: "On the wire after DATA (dot-stuffed)", ja: "DATA の後に流れる形（ドットを二重化）" };
    pub const WIRE_NOTE: Tr = Tr {
        en: "Lines that start with a dot get one more, so that only the last line, a single dot, ends the message. Highlighted lines were stuffed.",
        ja: "ドットで始まる行には先頭にドットをもう 1 つ付けます。こうすれば、メッセージの終わりを示すのは最後のドット 1 つの行だけになります。色付きの行がドットを足した行です。",
    };
    pub const DOWNLOAD_EML: Tr = Tr { en: "Download as .eml", ja: ".eml でダウンロード" };
    pub const TERMINALS: Tr = Tr { en: "Terminals", ja: "端末" };
    pub const SIDE_BY_SIDE: Tr = Tr { en: "Side by side", ja: "並べて表示" };
    pub const STUFFED_BY_SERVER: Tr = Tr {
        en: "Dot-stuffed by the server: the message line starts with one dot less; the client removes the extra dot.",
        ja: "サーバがドットを二重化した行：元の行はドットが 1 つ少なく、クライアントが余分なドットを取り除きます。",
    };
    pub const ADD_PANE: Tr = Tr { en: "Show the mailbox of", ja: "メールボックスを表示：" };
    pub const CHECK_MAIL_IMAP: Tr = Tr { en: "Check mail (IMAP)", ja: "受信（IMAP）" };
    pub const MOVE_TO_TRASH: Tr = Tr { en: "Move to Trash", ja: "ゴミ箱へ移動" };
    pub const WATCH: Tr = Tr { en: "Watch INBOX (IMAP IDLE)", ja: "INBOX を監視（IMAP IDLE）" };
    pub const STOP_WATCHING: Tr = Tr { en: "Stop watching", ja: "監視をやめる" };
    pub const PUSHED: Tr =
        Tr { en: "Pushed by the server while idling", ja: "IDLE 中にサーバから届いた通知" };
    pub const IMAP_INBOX: Tr = Tr { en: "INBOX on the server (IMAP)", ja: "サーバ上の INBOX（IMAP）" };
    pub const CONTAINER: Tr = Tr { en: "(container)", ja: "（マルチパート全体）" };
    /// A part's size as stored: in its transfer encoding (as IMAP's BODYSTRUCTURE counts it).
    pub const OCTETS: Tr =
        Tr { en: "octets, encoded as stored", ja: "オクテット（転送エンコードのまま）" };
    pub const PROJECTOR: Tr = Tr { en: "Projector", ja: "プロジェクター" };
    pub const NEXT_LESSON: Tr = Tr { en: "Next lesson →", ja: "次のレッスンへ →" };
    pub const HOST_SETTINGS: Tr = Tr { en: "Services & policies ▾", ja: "サービスとポリシー ▾" };
    pub const SYLLABUS: Tr = Tr { en: "Syllabus", ja: "シラバス" };
    pub const SYLLABUS_NOTE: Tr = Tr {
        en: "Each lesson, the lecture-note topic it teaches and the world it starts from. Open a title to preview its goal and steps; nothing changes until you press Start. A lesson on another world sets the current lab aside, and you can go back to it.",
        ja: "各レッスンと、そこで学ぶ講義資料の内容、始めるときの演習環境です。題名を開くと目標と手順を下見できます。「始める」を押すまで何も変わりません。別の環境のレッスンを始めると今のラボは一時保存され、あとで戻れます。",
    };
    pub const SYLLABUS_TOPIC: Tr = Tr { en: "Topic in the lecture notes", ja: "講義資料の内容" };
    pub const SYLLABUS_SCENARIO: Tr = Tr { en: "World", ja: "演習環境" };
    pub const LECTURE_NOTES: Tr = Tr { en: "Lecture notes", ja: "講義資料" };
    pub const START: Tr = Tr { en: "Start", ja: "始める" };
    pub const ASIDE_NOTE: Tr =
        Tr { en: "Your lab from before is set aside:", ja: "前のラボを一時保存しています：" };
    pub const BACK_TO_ASIDE: Tr = Tr { en: "Back to it", ja: "元のラボに戻る" };
    pub const LET_ASIDE_GO: Tr = Tr { en: "Let it go", ja: "破棄する" };
    pub const PUT_IN_COMMAND_BOX: Tr =
        Tr { en: "Put this line in the command box", ja: "この行をコマンド欄に入れる" };
    pub const QUEUE_ID: Tr = Tr { en: "ID", ja: "ID" };
    pub const QUEUE_HOST: Tr = Tr { en: "Held by", ja: "保持ホスト" };
    pub const QUEUE_RECIPIENTS: Tr = Tr { en: "Recipients", ja: "宛先" };
    pub const QUEUE_ATTEMPTS: Tr = Tr { en: "Tries", ja: "試行" };
    pub const QUEUE_NEXT_ATTEMPT: Tr = Tr { en: "Next try", ja: "次の試行" };
    pub const QUEUE_LAST_ERROR: Tr = Tr { en: "Last error", ja: "直前のエラー" };
    pub const TAKEN_DOWN: Tr = Tr { en: "taken down", ja: "手動で停止中" };
    pub const LEGEND_OPEN: Tr = Tr { en: "connection open", ja: "接続中" };
    pub const LEGEND_TLS: Tr = Tr { en: "inside TLS", ja: "TLS で暗号化" };
    pub const LEGEND_CLOSED: Tr = Tr { en: "closed", ja: "切断済み" };
    pub const LEGEND_DOWN: Tr = Tr { en: "host down", ja: "ホスト停止中" };
    pub const LEGEND_ROUTE: Tr = Tr { en: "route of the opened message", ja: "開いたメールの経路" };
    pub const LEGEND_DNS: Tr = Tr {
        en: "MTAs ask DNS for MX records (and TXT for SPF, DKIM and DMARC)",
        ja: "MTA は DNS に MX レコード（SPF・DKIM・DMARC では TXT）を問い合わせる",
    };
    pub const VIEWS: Tr = Tr { en: "Show", ja: "表示" };
    pub const DOWNLOAD_TRANSCRIPT: Tr = Tr { en: "Download as text", ja: "テキストで保存" };
}

/// A line the lab itself writes into a terminal (not protocol text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabNote {
    /// `telnet` starts connecting.
    Trying {
        host: String,
        port: u16,
    },
    Connected,
    /// Connected to an implicit-TLS port (465, 995, 993).
    ConnectedInsideTls,
    /// A line typed while no connection is open.
    NotConnected,
    /// `telnet host port` typed while connected: the server read it as a command.
    StillConnected {
        host: String,
        port: u16,
    },
    /// STARTTLS/STLS succeeded; what to do next depends on the protocol.
    TlsStarted(Option<Protocol>),
    ClosedByForeignHost,
    /// A command (or `telnet`) typed in DATA: it went into the message.
    CommandInData {
        typed: String,
    },
    /// A DATA line typed with a leading dot: what the server will store.
    DotStuffed {
        stored: String,
    },
    /// A DATA line with one leading dot: the server removes it.
    DotRemoved {
        stored: String,
    },
    /// The world could not connect or deliver the line.
    World(WorldError),
}

/// `note` as a sentence in `lang`.
pub fn lab_note(lang: Lang, note: &LabNote) -> String {
    use LabNote::*;
    match (lang, note) {
        (Lang::En, Trying { host, port }) => format!("Trying {host} {port}..."),
        (Lang::Ja, Trying { host, port }) => format!("{host} のポート {port} に接続しています…"),
        (Lang::En, Connected) => "Connected.".into(),
        (Lang::Ja, Connected) => "接続しました。".into(),
        (Lang::En, ConnectedInsideTls) => "Connected inside TLS (implicit TLS port; simulated handshake done).".into(),
        (Lang::Ja, ConnectedInsideTls) => {
            "TLS で接続しました（最初から TLS を使うポート。ハンドシェイクは模擬）。".into()
        }
        (Lang::En, NotConnected) => "Not connected. Type: telnet <host> <port>, e.g. telnet mail.a.example 25".into(),
        (Lang::Ja, NotConnected) => {
            "接続していません。telnet <ホスト> <ポート> と入力してください（例：telnet mail.a.example 25）".into()
        }
        (Lang::En, StillConnected { host, port }) => format!(
            "You are still connected to {host} port {port}: the server read that line as a command. Type QUIT first, or open another terminal."
        ),
        (Lang::Ja, StillConnected { host, port }) => format!(
            "まだ {host} のポート {port} に接続しています。いまの行はサーバにコマンドとして送られました。先に QUIT するか、別の端末を開いてください。"
        ),
        (Lang::En, CommandInData { typed }) => format!(
            "Still in DATA: \"{typed}\" went into the message as a line of text, not as a command. End the message with a line holding only \".\" first."
        ),
        (Lang::Ja, CommandInData { typed }) => format!(
            "まだ DATA の途中です。「{typed}」はコマンドではなく、メッセージの本文の1行になりました。先に「.」だけの行でメッセージを終えてください。"
        ),
        (Lang::En, TlsStarted(protocol)) => format!(
            "TLS handshake done (simulated): from here on an eavesdropper sees only ciphertext. {}",
            match protocol {
                Some(Protocol::Pop3) => "Ask CAPA again: what the server offers may have changed.",
                Some(Protocol::Imap) => "Ask CAPABILITY again: what the server offers may have changed.",
                _ => "Greet again with EHLO.",
            }
        ),
        (Lang::Ja, TlsStarted(protocol)) => format!(
            "TLS ハンドシェイク完了（模擬）：ここから先、盗聴者には暗号文しか見えません。{}",
            match protocol {
                Some(Protocol::Pop3) => "サーバの機能が変わることがあるので、もう一度 CAPA で尋ねてください。",
                Some(Protocol::Imap) => "サーバの機能が変わることがあるので、もう一度 CAPABILITY で尋ねてください。",
                _ => "もう一度 EHLO で挨拶してください。",
            }
        ),
        (Lang::En, DotStuffed { stored }) => {
            format!("Dot-stuffed line: the server removes the first dot and stores “{stored}” (RFC 5321 §4.5.2).")
        }
        (Lang::Ja, DotStuffed { stored }) => {
            format!(
                "ドットを二重化した行：サーバは先頭のドットを 1 つ取り除き「{stored}」として保存します（RFC 5321 §4.5.2）。"
            )
        }
        (Lang::En, DotRemoved { stored }) => format!(
            "This line starts with one dot: the server removes it and stores “{stored}”. To keep a leading dot, type two (dot-stuffing)."
        ),
        (Lang::Ja, DotRemoved { stored }) => format!(
            "この行はドット 1 つで始まるので、サーバはそれを取り除き「{stored}」として保存します。先頭のドットを残すには 2 つ打ちます（ドットの二重化）。"
        ),
        (Lang::En, ClosedByForeignHost) => "Connection closed by foreign host.".into(),
        (Lang::Ja, ClosedByForeignHost) => "相手のホストが接続を閉じました。".into(),
        (_, World(e)) => world_error(lang, e),
    }
}

/// Why the world could not connect, in `lang`.
pub fn world_error(lang: Lang, e: &WorldError) -> String {
    match (lang, e) {
        (Lang::En, e) => e.to_string(),
        (Lang::Ja, WorldError::UnknownHost(h)) => format!("{h}：不明なホストです（DNS にその名前がありません）"),
        (Lang::Ja, WorldError::UnknownClient(c)) => format!("{c}：不明なクライアントマシンです"),
        (Lang::Ja, WorldError::HostDown(h)) => format!("{h}：ホストが停止しています（ホストへの経路がありません）"),
        (Lang::Ja, WorldError::ConnectionRefused { host, port }) => {
            format!("{host} のポート {port}：接続を拒否されました（そこで待ち受けるサービスがありません）")
        }
        (Lang::Ja, WorldError::Port25Blocked { client, host, provider }) => format!(
            "{host} のポート 25：応答がありません（プロバイダのネットワークが {client} から他のネットワークの 25 番ポートへの通信を遮断しています：OP25B。プロバイダのメールサーバ {provider} の 587 番ポートへ AUTH で送ってください）"
        ),
        (Lang::Ja, WorldError::NoSuchConnection(id)) => format!("接続 {id} はありません"),
        (Lang::Ja, WorldError::ConnectionClosed(id)) => format!("接続 {id} は閉じています"),
    }
}

/// `hh:mm:ss` of a time on the logical clock.
fn clock(t: &mail_lab_proto::Time) -> String {
    t.rfc5322().split(' ').nth(4).unwrap_or("").to_string()
}

/// A timeline line for an event, in `lang` (`None` for events the timeline skips).
pub fn happened(lang: Lang, time: &str, kind: &mail_lab_world::EventKind, link: &str) -> Option<String> {
    use mail_lab_world::EventKind::*;
    let ja = lang == Lang::Ja;
    let what = match kind {
        TlsStarted { .. } if ja => format!("{} で TLS が始まりました", link),
        TlsStarted { .. } => format!("TLS started on {}", link),
        SessionTimedOut { .. } if ja => format!("{}：無通信が続いたのでサーバが接続を閉じました", link),
        SessionTimedOut { .. } => format!("{}: the server closed the silent session (timeout)", link),
        Queued { queue_id, host, recipients } if ja => {
            format!("{host} が {queue_id} を {} 宛てにキューに入れました", recipients.join(", "))
        }
        Queued { queue_id, host, recipients } => format!("{host} queued {queue_id} for {}", recipients.join(", ")),
        RelayAttempt { queue_id, from, to, attempt, .. } if ja => {
            format!("{from} → {to}：{queue_id} の中継 {attempt} 回目")
        }
        RelayAttempt { queue_id, from, to, attempt, .. } => {
            format!("{from} → {to}: relay attempt {attempt} for {queue_id}")
        }
        // Logged when the sender reads the 250, after the receiver stored the
        // message: say so, or "delivered" above it reads out of order.
        Relayed { queue_id, from, to, recipient } if ja => {
            format!("{from} が {to} の 250 を受け取り、{queue_id}（{recipient} 宛て）の責任は {to} に移りました")
        }
        Relayed { queue_id, from, to, recipient } => {
            format!("{from} read {to}'s 250: {queue_id} for {recipient} is now {to}'s responsibility")
        }
        Deferred { queue_id, next_attempt, reason, unreachable, .. } if ja => {
            // The world's own reason in Japanese; a server's reply stays as it said it.
            let reason = unreachable.as_ref().map_or_else(|| reason.clone(), |e| world_error(lang, e));
            format!("{queue_id} は延期（{reason}）。次の試行 {}", clock(next_attempt))
        }
        Deferred { queue_id, next_attempt, reason, .. } => {
            format!("{queue_id} deferred ({reason}); next try {}", clock(next_attempt))
        }
        Bounced { queue_id, to, .. } if ja => format!("{queue_id} のエラーメールを {to} に返しました"),
        Bounced { queue_id, to, .. } => format!("{queue_id} bounced to {to}"),
        BounceDiscarded { queue_id, not_wanted: true, .. } if ja => {
            format!("{queue_id} のエラーメールは送りません（送信者が NOTIFY で断りました）")
        }
        BounceDiscarded { queue_id, not_wanted: true, .. } => {
            format!("no bounce for {queue_id}: the sender's NOTIFY asked for none")
        }
        BounceDiscarded { queue_id, .. } if ja => format!("{queue_id} のエラーメールは破棄されました"),
        BounceDiscarded { queue_id, .. } => format!("bounce of {queue_id} discarded"),
        Reported { queue_id, to, delayed: true, .. } if ja => {
            format!("{queue_id} の遅延通知（DSN）を {to} に送りました")
        }
        Reported { queue_id, to, delayed: true, .. } => format!("delay notice (DSN) for {queue_id} sent to {to}"),
        Reported { queue_id, to, .. } if ja => format!("{queue_id} の配送完了通知（DSN）を {to} に送りました"),
        Reported { queue_id, to, .. } => format!("delivery notice (DSN) for {queue_id} sent to {to}"),
        Delivered { host, account, folder, uid } if ja => {
            format!("{host} が {account} の {folder} に UID {uid} を配送")
        }
        // The folder is named when it is not the inbox: DMARC's quarantine is Junk.
        Delivered { host, account, folder, uid } if folder != "INBOX" => {
            format!("{host} delivered UID {uid} to {account} ({folder})")
        }
        Delivered { host, account, uid, .. } => format!("{host} delivered UID {uid} to {account}"),
        Removed { account, uid, .. } if ja => format!("{account} から UID {uid} を削除"),
        Removed { account, uid, .. } => format!("UID {uid} removed from {account}"),
        // The world flushes the queue for a host that comes up (World::flush_queue_for).
        HostUp { host } if ja => {
            format!(
                "{host} に再びつながるようになりました。このラボでは {host} 宛てにキューで待っているメールをすぐ送ります（ETRN のように）。実際の MTA は次の再送時刻を待ちます"
            )
        }
        HostUp { host } => {
            format!(
                "{host} is reachable again: this lab sends the mail queued for it now (as ETRN would); a real MTA waits for its next retry"
            )
        }
        RelayWindowOpened { client, until, .. } if ja => {
            format!("POP before SMTP：{client} は {} まで中継できます", clock(until))
        }
        RelayWindowOpened { client, until, .. } => {
            format!("POP before SMTP: {client} may relay until {}", clock(until))
        }
        LoggedIn { host, client, account, proof, encrypted, .. } => {
            let how = match (proof, encrypted, ja) {
                (_, true, false) => "inside TLS",
                (_, true, true) => "TLS の中で",
                (mail_lab_proto::sasl::Proof::Digest, false, false) => "with a digest only",
                (mail_lab_proto::sasl::Proof::Digest, false, true) => "ダイジェストだけで",
                (mail_lab_proto::sasl::Proof::Password, false, false) => "password in the clear",
                (mail_lab_proto::sasl::Proof::Password, false, true) => "パスワードは平文",
            };
            if ja {
                format!("{client} が {host} に {account} としてログイン（{how}）")
            } else {
                format!("{client} logged in to {host} as {account} ({how})")
            }
        }
        ForgedResultsRemoved { host, fields } if ja => {
            format!(
                "{host} が自分の名前を名乗る Authentication-Results を {fields} 件取り除きました（外から届いたもので、自分が書いたものではないため：RFC 8601 §5）"
            )
        }
        ForgedResultsRemoved { host, fields } => {
            format!(
                "{host} removed {fields} Authentication-Results field(s) claiming to be its own, which came from outside (RFC 8601 §5)"
            )
        }
        PolicyRefused { host, client, rule, reply } if ja => {
            format!("{host} がポリシー {rule} で {client} を拒否：{reply}")
        }
        PolicyRefused { host, client, rule, reply } => format!("{host} refused {client} by policy {rule}: {reply}"),
        SpfChecked { host, client, domain, result, .. } if ja => {
            format!("{host} が {client} からの {domain} のメールを SPF で検査：{result}")
        }
        SpfChecked { host, client, domain, result, why, .. } => {
            format!("{host} checked SPF of {domain} for {client}: {result} ({why})")
        }
        DkimSigned { host, domain, selector, signed } if ja => {
            format!("{host} が {domain} の鍵（セレクタ {selector}）で DKIM 署名：h={signed}")
        }
        DkimSigned { host, domain, selector, signed } => {
            format!("{host} signed with {domain}'s DKIM key (selector {selector}): h={signed}")
        }
        DkimChecked { host, domain, result, why, .. } if ja => {
            // The two reasons the lessons show, in Japanese; the rest as the verifier said.
            let why = if why.starts_with("the body hash") {
                "本文のハッシュ（bh=）が合わない：署名の後で本文が変わった"
            } else if why.starts_with("the signature does not verify") {
                "公開鍵で署名（b=）を確かめられない：署名の後で署名したヘッダが変わった（または偽の署名）"
            } else if why.starts_with("signed by") {
                "署名の後で変わっていない"
            } else {
                why
            };
            format!("{host} が d={domain} の DKIM 署名を検査：{result}（{why}）")
        }
        DkimChecked { host, domain, result, why, .. } => {
            format!("{host} checked the DKIM signature of d={domain}: {result} ({why})")
        }
        ListPosted { host, list, members, tagged, .. } if ja => {
            let how = if *tagged { "（件名の先頭にリストのタグを付けた）" } else { "" };
            format!("{host} がメーリングリスト {list} の投稿を {} 人に配送{how}", members.len())
        }
        ListPosted { host, list, members, tagged, .. } => {
            let how = if *tagged { ", its Subject tagged" } else { "" };
            let n = members.len();
            format!("{host} posted to list {list}: {n} member{}{how}", if n == 1 { "" } else { "s" })
        }
        ListHeld { host, list, owner, why } if ja => {
            format!("{host} はリスト {list} に投稿せず、管理者 {owner} に回した：{why}")
        }
        ListHeld { host, list, owner, why } => {
            format!("{host} did not post to {list}; sent to its owner {owner}: {why}")
        }
        DmarcChecked { host, from_domain, result, action, .. } if ja => {
            let from_domain = if from_domain.is_empty() { "（なし：From: が読めない）" } else { from_domain };
            let done = match action.as_str() {
                "reject" => "拒否（550）",
                "junk" => "迷惑メール（Junk）へ",
                "defer" => "後で再試行（451）",
                _ => "DMARC は通す",
            };
            format!("{host} が From: のドメイン {from_domain} の DMARC を検査：{result} → {done}")
        }
        DmarcChecked { host, from_domain, result, action, why, .. } => {
            let from_domain = if from_domain.is_empty() { "(none: the From: is unreadable)" } else { from_domain };
            let done = match action.as_str() {
                "reject" => "refused (550)",
                "junk" => "to Junk",
                "defer" => "try later (451)",
                _ => "let through",
            };
            format!("{host} checked DMARC for the From: domain {from_domain}: {result} → {done} ({why})")
        }
        _ => return None,
    };
    Some(format!("{time} {what}"))
}

/// A switchable host policy's label.
pub fn policy(lang: Lang, policy: mail_lab_world::Policy) -> String {
    use mail_lab_world::Policy::*;
    let ja = lang == Lang::Ja;
    match policy {
        OpenRelay => t(lang, text::OPEN_RELAY).to_string(),
        TlsBeforeLogin if ja => "ログインは TLS の中だけ（平文のパスワードを拒否）".into(),
        TlsBeforeLogin => "Login only inside TLS (refuse passwords in the clear)".into(),
        Vrfy if ja => "VRFY に答える（ユーザの有無がわかる）".into(),
        Vrfy => "Answer VRFY (tells whether a user exists)".into(),
        PopBeforeSmtp if ja => "POP before SMTP：POP3 でログインすると 10 分間中継できる".into(),
        PopBeforeSmtp => "POP before SMTP: a POP3 login opens relay for 10 min".into(),
        Op25b if ja => "OP25B：この事業者の利用者のマシンから他のネットワークの 25 番ポートへの通信を遮断".into(),
        Op25b => "OP25B: this provider's customer machines cannot reach port 25 of other networks".into(),
        SpfCheck if ja => {
            "25 番ポートで SPF を検査（MAIL FROM のドメインの SPF レコードが fail（-all）と判定したメールを拒否）"
                .into()
        }
        SpfCheck => {
            "Check SPF on port 25 (refuse mail when the MAIL FROM domain's SPF record gives fail, as -all does)".into()
        }
        Service(port) => port.to_string(),
    }
}

/// A dial-up host's schedule.
pub fn online(lang: Lang, on: u64, every: u64) -> String {
    match lang {
        Lang::En => format!("online {on} min of every {every} min (dial-up)"),
        Lang::Ja => format!("{every} 分ごとに {on} 分だけオンライン（ダイヤルアップ）"),
    }
}

/// Whether a host answers now, as the host list says it.
pub fn host_state(lang: Lang, state: mail_lab_world::HostState) -> String {
    use mail_lab_world::HostState::*;
    match state {
        Up => t(lang, text::UP).to_string(),
        TakenDown => t(lang, text::TAKEN_DOWN).to_string(),
        ScheduledDown { until: None } => t(lang, text::DOWN).to_string(),
        ScheduledDown { until: Some(at) } => {
            let at = at.rfc5322();
            let hhmm = at.split(' ').nth(4).and_then(|t| t.get(..5)).unwrap_or("");
            match lang {
                Lang::En => format!("down until {hhmm}"),
                Lang::Ja => format!("{hhmm} まで停止中"),
            }
        }
    }
}
