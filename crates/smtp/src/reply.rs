//! SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463) and an
//! explanation of every reply code for the UI, in English and Japanese.

/// One SMTP reply: a code, an optional enhanced status code and text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// `class.subject.detail`, e.g. `2.1.0`; sent only after EHLO (RFC 2034).
    pub enhanced: Option<&'static str>,
    pub lines: Vec<String>,
}

impl Reply {
    /// A one-line reply.
    pub fn new(code: u16, enhanced: &'static str, text: impl Into<String>) -> Self {
        let enhanced = if enhanced.is_empty() { None } else { Some(enhanced) };
        Reply { code, enhanced, lines: vec![text.into()] }
    }

    /// A reply whose code carries no enhanced status (greeting, 354, EHLO).
    pub fn plain(code: u16, text: impl Into<String>) -> Self {
        Reply { code, enhanced: None, lines: vec![text.into()] }
    }

    /// The reply in wire form, one `code-text` line per line and `code text` last.
    pub fn to_wire(&self, enhanced_codes: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let count = self.lines.len().max(1);
        for i in 0..count {
            let sep = if i + 1 == count { ' ' } else { '-' };
            let text = self.lines.get(i).map_or("", String::as_str);
            out.extend_from_slice(self.code.to_string().as_bytes());
            out.push(sep as u8);
            if let (true, Some(e)) = (enhanced_codes, self.enhanced) {
                out.extend_from_slice(e.as_bytes());
                if !text.is_empty() {
                    out.push(b' ');
                }
            }
            // Reply text is TAB and printable characters (RFC 5321 §4.2): a CR
            // or other control echoed from the client could pass for a line
            // of its own ("VRFY a<CR>250 ..."). 8-bit text (an SMTPUTF8
            // address echoed) is kept.
            for c in text.chars() {
                let c = if c != '\t' && c.is_control() { '?' } else { c };
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// True for 2xx and 3xx replies.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }
}

pub use mail_lab_proto::Explanation;

/// What a reply code means (RFC 5321 §4.2.2–4.2.3, RFC 4954, RFC 3207), for the
/// UI's hover explanations. Unknown codes fall back to their class.
pub fn explain_code(code: u16) -> Explanation {
    let (en, ja) = match code {
        211 => ("System status or help reply.", "システム状態またはヘルプの応答。"),
        214 => ("Help message for a human reader.", "人が読むためのヘルプメッセージ。"),
        220 => (
            "Service ready: as a greeting, send EHLO or HELO; after STARTTLS, the TLS handshake begins.",
            "サービス準備完了。接続直後の挨拶なら EHLO か HELO を送ります。STARTTLS の後なら TLS ハンドシェイクが始まります。",
        ),
        221 => ("Service closing the connection (the answer to QUIT).", "接続を閉じます（QUIT への応答）。"),
        235 => ("Authentication succeeded.", "認証に成功しました。"),
        250 => ("Requested action okay, completed.", "要求された操作は完了しました。"),
        251 => {
            ("User not local; the server will forward the mail.", "ユーザはローカルにいません。サーバが転送します。")
        }
        252 => (
            "Cannot verify the user, but will accept the message and try to deliver it.",
            "ユーザを確認できませんが、メッセージは受け付けて配送を試みます。",
        ),
        334 => (
            "Authentication in progress: answer the server's (base64) challenge.",
            "認証の途中です。サーバの（Base64 の）チャレンジに答えてください。",
        ),
        354 => (
            "Start the mail input; end it with a line holding only a period (<CRLF>.<CRLF>).",
            "メッセージ（ヘッダと本文）の入力を始めてください。ドットだけの行（<CRLF>.<CRLF>）で終わります。",
        ),
        421 => (
            "Service not available, closing the connection; try again later.",
            "サービスを利用できないため接続を閉じます。後で再試行してください。",
        ),
        432 => ("A password transition is needed.", "パスワードの移行が必要です。"),
        450 => (
            "Mailbox unavailable right now (busy or blocked); try again later.",
            "メールボックスが一時的に使えません（使用中など）。後で再試行してください。",
        ),
        451 => (
            "Local error in processing; the action was aborted. Try again later.",
            "処理中にローカルエラーが起きたため中止しました。後で再試行してください。",
        ),
        452 => (
            "Insufficient system storage, or too many recipients; try again later.",
            "記憶領域が足りないか宛先が多すぎます。後で再試行してください。",
        ),
        454 => (
            "Temporary authentication failure, or TLS not available now.",
            "一時的な認証失敗、または今は TLS を使えません。",
        ),
        455 => ("The server cannot accommodate these parameters now.", "今はこのパラメータに対応できません。"),
        500 => (
            "Syntax error: the command was not recognised, or the line was too long.",
            "構文エラー：コマンドを認識できないか、行が長すぎます。",
        ),
        501 => ("Syntax error in the parameters or arguments.", "パラメータや引数の構文エラー。"),
        502 => ("Command not implemented.", "そのコマンドは実装されていません。"),
        503 => (
            "Bad sequence of commands: this command is not allowed in the current state.",
            "コマンドの順序が不正です。今の状態ではこのコマンドは使えません。",
        ),
        504 => ("Command parameter not implemented.", "そのコマンドのパラメータは実装されていません。"),
        521 => ("This host does not accept mail.", "このホストはメールを受け付けません。"),
        523 => (
            "Encryption needed: start TLS before this (RFC 5248's registry, X.7.10).",
            "暗号化が必要です。先に TLS を始めてください（RFC 5248 の登録簿、X.7.10）。",
        ),
        530 => ("Authentication required before this command.", "このコマンドの前に認証が必要です。"),
        534 => ("The authentication mechanism is too weak.", "認証方式が弱すぎます。"),
        535 => ("Authentication credentials invalid.", "認証情報が正しくありません。"),
        538 => (
            "Encryption (STARTTLS) required for this authentication mechanism.",
            "この認証方式には暗号化（STARTTLS）が必要です。",
        ),
        550 => (
            "Mailbox unavailable (no such user, or relaying denied); permanent.",
            "メールボックスが使えません（ユーザがいない、または中継拒否）。恒久的なエラー。",
        ),
        551 => (
            "User not local; please try the given forward-path.",
            "ユーザはローカルにいません。示された宛先を試してください。",
        ),
        552 => (
            "Exceeded storage allocation (message too large).",
            "記憶領域の割り当てを超えました（メッセージが大きすぎる）。",
        ),
        553 => (
            "Mailbox name not allowed (bad address syntax).",
            "メールボックス名が許されません（アドレスの書式が不正）。",
        ),
        554 => (
            "Transaction failed, e.g. relaying refused (at connection time: no SMTP service here).",
            "トランザクション失敗。例：中継の拒否（接続時なら、ここに SMTP サービスはありません）。",
        ),
        555 => (
            "MAIL FROM/RCPT TO parameters not recognised or not implemented.",
            "MAIL FROM/RCPT TO のパラメータを認識できないか未実装です。",
        ),
        _ => return explain_class(code),
    };
    Explanation { en, ja }
}

/// What a server state (a key from `SmtpServer::state_key`) means, for the UI's hint line.
pub fn explain_state(key: &str) -> Explanation {
    let (en, ja) = match key {
        "connected" => (
            "Connected. Greet the server with EHLO (or HELO) and your domain.",
            "接続しました。EHLO（または HELO）と自分のドメイン名で挨拶します。",
        ),
        "ready" => (
            "Greeted. Start a message with MAIL FROM:<sender>; an EHLO reply lists what else is offered.",
            "挨拶済み。MAIL FROM:<送信者> でメールを始めます。使える拡張機能は EHLO への応答に並んでいます。",
        ),
        "login_first" => (
            "Greeted. This service wants AUTH before MAIL FROM (after STARTTLS, if the EHLO reply lists it).",
            "挨拶済み。このサービスでは MAIL FROM の前に AUTH が必要です（EHLO への応答に STARTTLS があれば、その後で）。",
        ),
        "mail" => (
            "Sender given. Add recipients with RCPT TO:<address>.",
            "送信者を指定しました。RCPT TO:<宛先> で受信者を加えます。",
        ),
        "rcpt" => (
            "Recipients given. Add more with RCPT, or send the message with DATA.",
            "受信者を指定しました。さらに RCPT で加えるか、DATA でメッセージを送ります。",
        ),
        "data" => (
            "Writing the message: headers, an empty line, the body; a line with only \".\" ends it.",
            "メッセージを入力中：ヘッダ、空行、本文。\".\" だけの行で終わります。",
        ),
        "bdat" => (
            "Sending a BDAT chunk: exactly the announced number of octets.",
            "BDAT のチャンクを送信中：宣言したオクテット数ちょうどを送ります。",
        ),
        "auth" => (
            "Logging in: answer the server's 334 challenge in base64, or * to cancel.",
            "ログイン中：334 のチャレンジに Base64 で答えます（* で中止）。",
        ),
        "closed" => ("The session is closed.", "セッションは終了しました。"),
        _ => ("Unknown state.", "不明な状態です。"),
    };
    Explanation { en, ja }
}

/// What the first digit of a reply code means (RFC 5321 §4.2.1).
pub fn explain_class(code: u16) -> Explanation {
    match code / 100 {
        2 => Explanation {
            en: "2xx: positive completion; the command succeeded.",
            ja: "2xx：肯定完了。コマンドは成功しました。",
        },
        3 => Explanation {
            en: "3xx: positive intermediate; send more to complete it.",
            ja: "3xx：肯定中間。続きを送ってください。",
        },
        4 => Explanation {
            en: "4xx: transient failure; the same command may work later (a queue retries).",
            ja: "4xx：一時的な失敗。後で同じコマンドが成功するかもしれません（キューが再送します）。",
        },
        5 => Explanation {
            en: "5xx: permanent failure; do not repeat the same command (mail bounces).",
            ja: "5xx：恒久的な失敗。同じコマンドを繰り返さないでください（メールはエラーで戻ります）。",
        },
        _ => Explanation { en: "Not an SMTP reply code.", ja: "SMTP の応答コードではありません。" },
    }
}

/// What a command does (the first word of a line the client sent), for the UI.
pub fn explain_command(verb: &str) -> Option<Explanation> {
    let (en, ja) = match verb.to_ascii_uppercase().as_str() {
        "HELO" => (
            "HELO: greet the server and name your host (plain SMTP).",
            "HELO：サーバに挨拶し、自分のホスト名を名乗る（基本の SMTP）。",
        ),
        "EHLO" => (
            "EHLO: greet and ask which extensions the server offers (ESMTP).",
            "EHLO：挨拶し、使える拡張機能を尋ねる（ESMTP）。",
        ),
        "MAIL" => (
            "MAIL FROM: start a mail transaction; the envelope sender (bounces go there).",
            "MAIL FROM：送信手続きを始める。エンベロープの送信者（エラーはここへ戻る）。",
        ),
        "RCPT" => (
            "RCPT TO: one envelope recipient; repeat for more (Bcc works this way).",
            "RCPT TO：エンベロープの宛先 1 つ。複数なら繰り返す（Bcc の仕組み）。",
        ),
        "DATA" => (
            "DATA: send the message itself, header and body, ended by a line with one dot.",
            "DATA：メッセージ本体（ヘッダと本文）を送る。ドット 1 つの行で終わり。",
        ),
        "BDAT" => (
            "BDAT: send the message in sized chunks (CHUNKING); no dot at the end.",
            "BDAT：メッセージをサイズを指定したチャンクで送る（CHUNKING）。最後のドットは不要。",
        ),
        "RSET" => ("RSET: abandon the current mail transaction.", "RSET：今の送信手続きを取り消す。"),
        "NOOP" => ("NOOP: do nothing; the server answers 250.", "NOOP：何もしない。サーバは 250 と答える。"),
        "QUIT" => (
            "QUIT: end the session; the server answers 221 and closes.",
            "QUIT：セッションを終える。221 の後に接続が閉じる。",
        ),
        "VRFY" => (
            "VRFY: ask whether a user exists (often switched off).",
            "VRFY：ユーザがいるか尋ねる（止めているサーバも多い）。",
        ),
        "EXPN" => ("EXPN: ask who is on a mailing list or alias.", "EXPN：メーリングリストや別名の中身を尋ねる。"),
        "HELP" => ("HELP: ask the server for help.", "HELP：サーバに説明を求める。"),
        "AUTH" => (
            "AUTH: log in (SMTP AUTH), e.g. AUTH PLAIN with base64 credentials.",
            "AUTH：ログインする（SMTP AUTH）。例：AUTH PLAIN と Base64 の認証情報。",
        ),
        "STARTTLS" => (
            "STARTTLS: switch this connection to TLS; then greet again.",
            "STARTTLS：この接続を TLS に切り替える。その後もう一度挨拶する。",
        ),
        _ => return None,
    };
    Some(Explanation { en, ja })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_smtp_command_is_explained_in_both_languages() {
        for verb in [
            "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "AUTH",
            "STARTTLS",
        ] {
            let e = explain_command(&verb.to_ascii_lowercase()).unwrap_or_else(|| panic!("{verb}"));
            assert!(e.en.starts_with(verb) && !e.ja.is_empty() && e.en != e.ja, "{verb}");
        }
        assert!(explain_command("TURN").is_none());
    }

    #[test]
    fn wire_form_single_and_multi_line() {
        let r = Reply::new(250, "2.1.0", "Sender OK");
        assert_eq!(r.to_wire(true), b"250 2.1.0 Sender OK\r\n");
        assert_eq!(r.to_wire(false), b"250 Sender OK\r\n");
        let m = Reply {
            code: 250,
            enhanced: None,
            lines: vec!["mail.a.example".into(), "PIPELINING".into(), "8BITMIME".into()],
        };
        assert_eq!(m.to_wire(true), b"250-mail.a.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    }

    #[test]
    fn every_code_class_has_an_explanation_in_both_languages() {
        for code in [220, 250, 354, 421, 451, 500, 503, 550, 554, 299, 399, 499, 599] {
            let e = explain_code(code);
            assert!(!e.en.is_empty() && !e.ja.is_empty(), "{code}");
        }
        assert_eq!(explain_code(299), explain_class(250));
    }
}
