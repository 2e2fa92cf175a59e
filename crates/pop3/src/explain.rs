//! What POP3 states and responses mean, for the UI, in English and Japanese.

pub use mail_lab_proto::Explanation;

/// What a state (a key from `Pop3Server::state_key`) means.
pub fn explain_state(key: &str) -> Explanation {
    let (en, ja) = match key {
        "AUTHORIZATION" => (
            "AUTHORIZATION: prove who you are with USER and PASS, APOP or AUTH. Nothing is locked yet.",
            "認証(AUTHORIZATION)状態: USER と PASS、APOP、AUTH のどれかで本人確認をします。",
        ),
        "AUTHORIZATION (SASL)" => (
            "Logging in with SASL: answer the server's + challenge in base64, or * to cancel.",
            "SASL でログイン中: + のチャレンジに Base64 で答えます(* で中止)。",
        ),
        "TRANSACTION" => (
            "TRANSACTION: the maildrop is locked for you. STAT, LIST, RETR, TOP, UIDL read it; DELE only marks; QUIT commits.",
            "トランザクション(TRANSACTION)状態: メールドロップはロックされています。STAT・LIST・RETR・TOP・UIDL で読み、DELE は印を付けるだけで、QUIT で確定します。",
        ),
        "closed" => (
            "Closed. If you said QUIT in TRANSACTION, the UPDATE state removed the messages marked with DELE.",
            "終了しました。TRANSACTION 状態で QUIT したなら、UPDATE 状態で DELE した印付きメッセージが削除されました。",
        ),
        _ => ("Unknown state.", "不明な状態です。"),
    };
    Explanation { en, ja }
}

/// What a response line means: `+OK`, `-ERR` and the RFC 2449 response codes.
pub fn explain_status(line: &str) -> Explanation {
    let code = |c: &str| line.contains(c);
    let (en, ja) = if line.starts_with("+OK") {
        ("+OK: the command succeeded.", "+OK: コマンドは成功しました。")
    } else if line.starts_with("+ ") || line == "+" {
        ("+: a SASL challenge; answer in base64.", "+: SASL のチャレンジです。Base64 で答えてください。")
    } else if code("[IN-USE]") {
        (
            "-ERR [IN-USE]: another POP3 session holds the maildrop lock; try when it has quit.",
            "-ERR [IN-USE]: 別の POP3 セッションがメールドロップをロックしています。終了してから再試行してください。",
        )
    } else if code("[AUTH]") {
        (
            "-ERR [AUTH]: the credentials were wrong or not allowed here.",
            "-ERR [AUTH]: 認証情報が間違っているか、ここでは許されていません。",
        )
    } else if code("[SYS/TEMP]") {
        (
            "-ERR [SYS/TEMP]: a temporary problem on the server; try again later.",
            "-ERR [SYS/TEMP]: サーバ側の一時的な問題です。後で再試行してください。",
        )
    } else if code("[SYS/PERM]") {
        ("-ERR [SYS/PERM]: a lasting problem on the server.", "-ERR [SYS/PERM]: サーバ側の恒久的な問題です。")
    } else if code("[LOGIN-DELAY]") {
        ("-ERR [LOGIN-DELAY]: you logged in too recently.", "-ERR [LOGIN-DELAY]: 前回のログインから間がありません。")
    } else if line.starts_with("-ERR") {
        ("-ERR: the command failed; the text says why.", "-ERR: コマンドは失敗しました。理由は本文に書かれています。")
    } else {
        (
            "Part of a multi-line response (ends with a line holding only \".\").",
            "複数行応答の一部です(\".\" だけの行で終わります)。",
        )
    };
    Explanation { en, ja }
}
