//! What IMAP states and responses mean, for the UI, in English and Japanese.

pub use mail_lab_proto::Explanation;

/// What a state (a key from `ImapServer::state_key`) means.
pub fn explain_state(key: &str) -> Explanation {
    let (en, ja) = match key {
        "not authenticated" => (
            "Not authenticated: log in with LOGIN user password (or AUTHENTICATE).",
            "未認証: LOGIN ユーザ名 パスワード(または AUTHENTICATE)でログインします。",
        ),
        "authenticated" => (
            "Authenticated: work with mailboxes (LIST, CREATE, STATUS, APPEND) or SELECT one to read its messages.",
            "認証済み: メールボックスを操作する(LIST, CREATE, STATUS, APPEND)か、SELECT で一つ選んでメッセージを読みます。",
        ),
        "selected" => (
            "Selected: FETCH, SEARCH, STORE flags, COPY or MOVE messages; messages stay on the server.",
            "選択中: FETCH・SEARCH・STORE(フラグ)・COPY・MOVE ができます。メッセージはサーバに残ります。",
        ),
        "idle" => (
            "IDLE: the server pushes changes as they happen; type DONE to end.",
            "IDLE: 変化があるとサーバが知らせてきます。DONE で終わります。",
        ),
        "logout" => ("Logged out.", "ログアウトしました。"),
        _ => ("Unknown state.", "不明な状態です。"),
    };
    Explanation { en, ja }
}

/// What a response line means: tagged OK/NO/BAD, untagged data, continuation.
pub fn explain_status(line: &str) -> Explanation {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("").to_ascii_uppercase();
    let (en, ja) = if first == "+" {
        (
            "+: go on — send the literal's octets or the next SASL line.",
            "+: 続けてください(リテラルの中身や次の SASL 行を送ります)。",
        )
    } else if first == "*" {
        match second.as_str() {
            "OK" => ("* OK: information from the server.", "* OK: サーバからのお知らせです。"),
            "BYE" => ("* BYE: the server is closing the connection.", "* BYE: サーバが接続を閉じます。"),
            "CAPABILITY" => ("* CAPABILITY: what this server can do.", "* CAPABILITY: このサーバができることの一覧。"),
            "LIST" | "LSUB" => (
                "* LIST: one mailbox, with its attributes and hierarchy delimiter.",
                "* LIST: メールボックス一つ分(属性と階層区切り文字)。",
            ),
            "FLAGS" => ("* FLAGS: the flags this mailbox uses.", "* FLAGS: このメールボックスで使えるフラグ。"),
            "SEARCH" => ("* SEARCH: the numbers of the messages that match.", "* SEARCH: 条件に合うメッセージの番号。"),
            _ if line.contains(" EXISTS") => (
                "* n EXISTS: the mailbox now has n messages (new mail!).",
                "* n EXISTS: メールボックスのメッセージ数が n 通になりました(新着)。",
            ),
            _ if line.contains(" EXPUNGE") => (
                "* n EXPUNGE: message n was removed; later numbers shift down by one.",
                "* n EXPUNGE: n 番のメッセージが消えました。後ろの番号は一つずつ繰り上がります。",
            ),
            _ if line.contains(" FETCH") => (
                "* n FETCH: data about message n (flags, envelope, body...).",
                "* n FETCH: n 番のメッセージのデータ(フラグ、エンベロープ、本文など)。",
            ),
            _ => ("* ...: untagged data from the server.", "* ...: タグなしのサーバ応答。"),
        }
    } else {
        match second.as_str() {
            "OK" => ("tag OK: the command with this tag completed.", "タグ OK: このタグのコマンドが完了しました。"),
            "NO" => (
                "tag NO: the command was understood but failed (wrong password, no such mailbox...).",
                "タグ NO: コマンドは理解されたが失敗しました(パスワード違い、メールボックスがない等)。",
            ),
            "BAD" => (
                "tag BAD: the command was malformed or not allowed in this state.",
                "タグ BAD: コマンドの形が正しくないか、今の状態では使えません。",
            ),
            _ => ("Part of a literal or a multi-line response.", "リテラルや複数行応答の一部です。"),
        }
    };
    Explanation { en, ja }
}
