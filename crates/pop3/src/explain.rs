//! What POP3 states and responses mean, for the UI, in English and Japanese.

pub use mail_lab_proto::Explanation;

/// What a state (a key from `Pop3Server::state_key`) means.
pub fn explain_state(key: &str) -> Explanation {
    let (en, ja) = match key {
        "AUTHORIZATION" => (
            "AUTHORIZATION: prove who you are with USER and PASS, APOP or AUTH. Nothing is locked yet.",
            "認証（AUTHORIZATION）：USER と PASS、APOP、AUTH のどれかで本人確認をします。まだロックはしていません。",
        ),
        "AUTHORIZATION (SASL)" => (
            "Logging in with SASL: answer the server's + challenge in base64, or * to cancel.",
            "SASL でログイン中：+ のチャレンジに Base64 で答えます（* で中止）。",
        ),
        "TRANSACTION" => (
            "TRANSACTION: the maildrop is locked for you. STAT, LIST, RETR, TOP, UIDL read it; DELE only marks; QUIT commits.",
            "トランザクション（TRANSACTION）：メールボックスはこのセッション用にロックされました。STAT・LIST・RETR・TOP・UIDL で読み、DELE は印を付けるだけで、QUIT で確定します。",
        ),
        "closed" => (
            "Closed. If you said QUIT in TRANSACTION, the UPDATE state removed the messages marked with DELE.",
            "終了しました。TRANSACTION 状態で QUIT した場合は、UPDATE 状態で DELE の印が付いたメッセージが削除されました。",
        ),
        _ => ("Unknown state.", "不明な状態です。"),
    };
    Explanation { en, ja }
}

/// What a response line means: `+OK`, `-ERR` and the RFC 2449 response codes.
pub fn explain_status(line: &str) -> Explanation {
    let code = |c: &str| line.contains(c);
    let (en, ja) = if line.starts_with("+OK") {
        ("+OK: the command succeeded.", "+OK：コマンドは成功しました。")
    } else if line.starts_with("+ ") || line == "+" {
        ("+: a SASL challenge; answer in base64.", "+：SASL のチャレンジです。Base64 で答えてください。")
    } else if code("[IN-USE]") {
        (
            "-ERR [IN-USE]: another POP3 session holds the maildrop lock; try when it has quit.",
            "-ERR [IN-USE]：別の POP3 セッションがメールボックスをロックしています。そのセッションの終了後に再試行してください。",
        )
    } else if code("[AUTH]") {
        (
            "-ERR [AUTH]: the credentials were wrong or not allowed here.",
            "-ERR [AUTH]：認証情報が間違っているか、ここでは許されていません。",
        )
    } else if code("[SYS/TEMP]") {
        (
            "-ERR [SYS/TEMP]: a temporary problem on the server; try again later.",
            "-ERR [SYS/TEMP]：サーバ側の一時的な問題です。後で再試行してください。",
        )
    } else if code("[SYS/PERM]") {
        ("-ERR [SYS/PERM]: a lasting problem on the server.", "-ERR [SYS/PERM]：サーバ側の恒久的な問題です。")
    } else if code("[LOGIN-DELAY]") {
        (
            "-ERR [LOGIN-DELAY]: you logged in too recently.",
            "-ERR [LOGIN-DELAY]：前回のログインから時間が経っていません。",
        )
    } else if line.starts_with("-ERR") {
        (
            "-ERR: the command failed; the text says why.",
            "-ERR：コマンドは失敗しました。理由は -ERR に続く文に書かれています。",
        )
    } else {
        (
            "Part of a multi-line response (ends with a line holding only \".\").",
            "複数行応答の一部です（\".\" だけの行で終わります）。",
        )
    };
    Explanation { en, ja }
}

/// What a command does (the first word of a line the client sent), for the UI.
pub fn explain_command(verb: &str) -> Option<Explanation> {
    let (en, ja) = match verb.to_ascii_uppercase().as_str() {
        "USER" => {
            ("USER: name the mailbox to log in to; PASS follows.", "USER：ログインするメールボックス名。次に PASS。")
        }
        "PASS" => (
            "PASS: the password, in the clear unless inside TLS.",
            "PASS：パスワード。TLS の中でなければ平文で流れる。",
        ),
        "APOP" => (
            "APOP: log in with an MD5 digest of the greeting's timestamp and the password.",
            "APOP：タイムスタンプとパスワードの MD5 ダイジェストでログイン。",
        ),
        "AUTH" => ("AUTH: log in with a SASL mechanism.", "AUTH：SASL の方式でログイン。"),
        "STAT" => ("STAT: how many messages and how many octets.", "STAT：メッセージ数と合計オクテット数。"),
        "LIST" => ("LIST: each message's number and size.", "LIST：各メッセージの番号と大きさ。"),
        "RETR" => ("RETR: download a whole message.", "RETR：メッセージ全体を取り出す。"),
        "TOP" => ("TOP: the header and the first lines of a message.", "TOP：ヘッダと本文の最初の数行。"),
        "UIDL" => ("UIDL: unique ids, so a client knows what it already has.", "UIDL：固有 ID。取得済みかを見分ける。"),
        "DELE" => ("DELE: mark a message for deletion at QUIT.", "DELE：QUIT で消す印を付ける。"),
        "RSET" => ("RSET: unmark every DELE.", "RSET：DELE の印をすべて外す。"),
        "NOOP" => ("NOOP: do nothing; keeps the session alive.", "NOOP：何もしない（接続を保つ）。"),
        "QUIT" => (
            "QUIT: in TRANSACTION, delete what DELE marked (UPDATE), then close.",
            "QUIT：TRANSACTION 状態なら DELE の印が付いたメッセージを消し（UPDATE）、接続を閉じる。",
        ),
        "CAPA" => ("CAPA: what this server supports.", "CAPA：サーバが対応する機能。"),
        "STLS" => {
            ("STLS: switch this connection to TLS before logging in.", "STLS：ログイン前に接続を TLS に切り替える。")
        }
        _ => return None,
    };
    Some(Explanation { en, ja })
}

#[cfg(test)]
mod command_tests {
    use super::*;

    #[test]
    fn every_pop3_command_is_explained_in_both_languages() {
        for verb in [
            "USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR", "TOP", "UIDL", "DELE", "RSET", "NOOP", "QUIT",
            "CAPA", "STLS",
        ] {
            let e = explain_command(&verb.to_ascii_lowercase()).unwrap_or_else(|| panic!("{verb}"));
            assert!(e.en.starts_with(verb) && !e.ja.is_empty() && e.en != e.ja, "{verb}");
        }
        assert!(explain_command("XTND").is_none());
    }
}
