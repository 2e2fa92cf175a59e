//! What IMAP states and responses mean, for the UI, in English and Japanese.

pub use mail_lab_proto::Explanation;

/// What a state (a key from `ImapServer::state_key`) means.
pub fn explain_state(key: &str) -> Explanation {
    let (en, ja) = match key {
        "not authenticated" => (
            "Not authenticated: log in with LOGIN user password (or AUTHENTICATE).",
            "未認証：LOGIN ユーザ名 パスワード（または AUTHENTICATE）でログインします。",
        ),
        "authenticated" => (
            "Authenticated: work with mailboxes (LIST, CREATE, STATUS, APPEND) or SELECT one to read its messages.",
            "認証済み：メールボックスを操作する（LIST・CREATE・STATUS・APPEND）か、SELECT で一つ選んでメッセージを読みます。",
        ),
        "selected" => (
            "Selected: FETCH, SEARCH, STORE flags, COPY or MOVE messages; messages stay on the server.",
            "選択中：FETCH・SEARCH・STORE（フラグ）・COPY・MOVE ができます。メッセージはサーバに残ります。",
        ),
        "idle" => (
            "IDLE: the server pushes changes as they happen; type DONE to end.",
            "IDLE：変化があるとサーバが知らせてきます。DONE で終わります。",
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
            "+：続けてください（リテラルの中身や次の SASL 行を送ります）。",
        )
    } else if first == "*" {
        match second.as_str() {
            "OK" => ("* OK: information from the server.", "* OK：サーバからのお知らせです。"),
            "BYE" => ("* BYE: the server is closing the connection.", "* BYE：サーバが接続を閉じます。"),
            "CAPABILITY" => ("* CAPABILITY: what this server can do.", "* CAPABILITY：このサーバができることの一覧。"),
            // A name with & in it is modified UTF-7 (RFC 3501 section 5.1.3).
            "LIST" | "LSUB" | "STATUS"
                if line
                    .split('&')
                    .skip(1)
                    .any(|run| run.split([' ', '"', ')', '/']).next().is_some_and(|encoded| encoded.contains('-'))) =>
            {
                (
                    "A mailbox name with &…- is modified UTF-7: an IMAP4rev1 client gets Japanese and other non-ASCII names so (&TtVOiw- is 仕事, &- is &). After ENABLE IMAP4rev2 names come in UTF-8.",
                    "&…- を含むメールボックス名は修正 UTF-7 です。IMAP4rev1 のクライアントには日本語などの名前がこの形で届きます（&TtVOiw- は「仕事」、&- は &）。ENABLE IMAP4rev2 の後は UTF-8 で届きます。",
                )
            }
            "LIST" | "LSUB" => (
                "* LIST: one mailbox, with its attributes and hierarchy delimiter.",
                "* LIST：メールボックス一つ分（属性と階層区切り文字）。",
            ),
            "FLAGS" => ("* FLAGS: the flags this mailbox uses.", "* FLAGS：このメールボックスで使えるフラグ。"),
            "SEARCH" => ("* SEARCH: the numbers of the messages that match.", "* SEARCH：条件に合うメッセージの番号。"),
            _ if line.contains(" EXISTS") => (
                "* n EXISTS: the mailbox now has n messages (new mail!).",
                "* n EXISTS：メールボックスのメッセージ数が n 通になりました（新着）。",
            ),
            _ if line.contains(" EXPUNGE") => (
                "* n EXPUNGE: message n was removed; later numbers shift down by one.",
                "* n EXPUNGE：n 番のメッセージが削除されました。後ろの番号は一つずつ繰り上がります。",
            ),
            _ if line.contains(" FETCH") => (
                "* n FETCH: data about message n (flags, envelope, body...).",
                "* n FETCH：n 番のメッセージのデータ（フラグ、エンベロープ、本文など）。",
            ),
            _ => ("* ...: untagged data from the server.", "* ...：タグなしのサーバ応答。"),
        }
    } else {
        match second.as_str() {
            "OK" => ("tag OK: the command with this tag completed.", "タグ OK：このタグのコマンドが完了しました。"),
            "NO" if line.contains("[EXPUNGEISSUED]") => (
                "tag NO [EXPUNGEISSUED]: another session removed a message you named. The server says which with * n EXPUNGE as soon as it may: with a COPY or MOVE's answer, after FETCH or STORE at your next command (NOOP).",
                "タグ NO [EXPUNGEISSUED]：指定したメッセージは別のセッションが削除しました。どれかはサーバが送れるときに * n EXPUNGE で知らせます（COPY・MOVE ならこの応答と一緒に、FETCH・STORE なら次のコマンド（NOOP など）で）。",
            ),
            "NO" => (
                "tag NO: the command was understood but failed (wrong password, no such mailbox...).",
                "タグ NO：コマンドは理解されたが失敗しました（パスワード違い、メールボックスがない等）。",
            ),
            "BAD" => (
                "tag BAD: the command was malformed or not allowed in this state.",
                "タグ BAD：コマンドの形が正しくないか、今の状態では使えません。",
            ),
            _ => ("Part of a literal or a multi-line response.", "リテラルや複数行応答の一部です。"),
        }
    };
    Explanation { en, ja }
}

/// What a command does (the word after the tag, or after `UID`), for the UI.
pub fn explain_command(verb: &str) -> Option<Explanation> {
    let (en, ja) = match verb.to_ascii_uppercase().as_str() {
        "CAPABILITY" => ("CAPABILITY: what this server supports.", "CAPABILITY：サーバが対応する機能。"),
        "LOGIN" => (
            "LOGIN: user name and password (in the clear unless inside TLS).",
            "LOGIN：ユーザ名とパスワード（TLS の外では平文）。",
        ),
        "AUTHENTICATE" => ("AUTHENTICATE: log in with a SASL mechanism.", "AUTHENTICATE：SASL の方式でログイン。"),
        "STARTTLS" => ("STARTTLS: switch this connection to TLS.", "STARTTLS：接続を TLS に切り替える。"),
        "ENABLE" => ("ENABLE: turn on an extension, e.g. IMAP4rev2.", "ENABLE：拡張を有効にする（例：IMAP4rev2）。"),
        "SELECT" => ("SELECT: open a folder to read and change it.", "SELECT：フォルダを開き、読み書きする。"),
        "EXAMINE" => ("EXAMINE: open a folder read-only.", "EXAMINE：フォルダを読み取り専用で開く。"),
        "CREATE" => ("CREATE: make a folder on the server.", "CREATE：サーバにフォルダを作る。"),
        "DELETE" => ("DELETE: remove a folder.", "DELETE：フォルダを消す。"),
        "RENAME" => ("RENAME: rename a folder.", "RENAME：フォルダの名前を変える。"),
        "SUBSCRIBE" | "UNSUBSCRIBE" => {
            ("(UN)SUBSCRIBE: choose which folders LSUB lists.", "(UN)SUBSCRIBE：LSUB で示すフォルダを選ぶ。")
        }
        "LIST" | "LSUB" => (
            "LIST: the folders, with attributes like \\Sent and \\Trash.",
            "LIST：フォルダ一覧（\\Sent・\\Trash などの属性付き）。",
        ),
        "ID" => (
            "ID: client and server tell each other their names and versions (RFC 2971).",
            "ID：クライアントとサーバが互いの名前とバージョンを伝える（RFC 2971）。",
        ),
        "NAMESPACE" => {
            ("NAMESPACE: where personal and shared folders live.", "NAMESPACE：個人用・共有フォルダの場所。")
        }
        "STATUS" => ("STATUS: counts of a folder without opening it.", "STATUS：開かずにフォルダの件数などを見る。"),
        "APPEND" => (
            "APPEND: put a message into a folder (a literal {n} carries it).",
            "APPEND：メッセージをフォルダに入れる（リテラル {n} で送る）。",
        ),
        "IDLE" => (
            "IDLE: wait; the server pushes changes until you type DONE.",
            "IDLE：待機。DONE まで変化をサーバが知らせる。",
        ),
        "CLOSE" => (
            "CLOSE: expunge \\Deleted messages and leave the folder.",
            "CLOSE：\\Deleted 付きのメッセージを消してフォルダを閉じる。",
        ),
        "UNSELECT" => ("UNSELECT: leave the folder without expunging.", "UNSELECT：消去せずにフォルダを閉じる。"),
        "EXPUNGE" => ("EXPUNGE: remove the messages flagged \\Deleted.", "EXPUNGE：\\Deleted 付きのメッセージを消す。"),
        "SEARCH" => ("SEARCH: numbers of the messages that match.", "SEARCH：条件に合うメッセージの番号。"),
        "FETCH" => (
            "FETCH: flags, envelope, structure or any part of messages.",
            "FETCH：フラグ・エンベロープ・構造・任意の部分を取り出す。",
        ),
        "STORE" => ("STORE: set, add or remove flags.", "STORE：フラグを設定・追加・削除する。"),
        "COPY" => ("COPY: copy messages to another folder.", "COPY：別のフォルダへコピーする。"),
        "MOVE" => ("MOVE: move messages to another folder.", "MOVE：別のフォルダへ移す。"),
        "UID" => (
            "UID: the same command with UIDs instead of sequence numbers.",
            "UID：番号の代わりに UID で同じコマンドを使う。",
        ),
        "NOOP" => (
            "NOOP: do nothing; collects the updates the server held.",
            "NOOP：何もしない。サーバの変更通知を受け取る。",
        ),
        "CHECK" => (
            "CHECK: ask for a checkpoint of the folder (IMAP4rev1 only; RFC 9051 removed it).",
            "CHECK：フォルダのチェックポイントを要求する（IMAP4rev1 のみ。RFC 9051 で廃止）。",
        ),
        "LOGOUT" => ("LOGOUT: end the session.", "LOGOUT：セッションを終える。"),
        "DONE" => ("DONE: end IDLE.", "DONE：IDLE を終える。"),
        _ => return None,
    };
    Some(Explanation { en, ja })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_the_server_knows_is_explained_in_both_languages() {
        // Every command the server accepts in some state: the server's own lists.
        let verbs = ["STARTTLS", "LOGIN", "AUTHENTICATE"]
            .into_iter()
            .chain(crate::server::ANY_STATE.iter().copied())
            .chain(crate::server::AUTHENTICATED.iter().copied())
            .chain(crate::server::SELECTED_ONLY.iter().copied());
        for verb in verbs {
            // Every verb the teaching layer knows has an explanation too.
            assert!(crate::syntax::expected(verb).is_some(), "{verb}");
            let e = explain_command(verb).unwrap_or_else(|| panic!("{verb} has no explanation"));
            assert!(!e.en.is_empty() && !e.ja.is_empty() && e.en != e.ja, "{verb}");
        }
        assert!(explain_command("XYZZY").is_none());
        assert_eq!(explain_command("fetch").unwrap().en, "FETCH: flags, envelope, structure or any part of messages.");
    }

    #[test]
    fn a_name_in_modified_utf7_is_explained() {
        assert!(explain_status("* LIST (\\HasNoChildren) \"/\" &TtVOiw-").en.contains("modified UTF-7"));
        assert!(explain_status("* STATUS AT&-T (MESSAGES 0)").ja.contains("修正 UTF-7"));
        assert!(explain_status("* LIST (\\HasNoChildren) \"/\" INBOX").en.starts_with("* LIST: one mailbox"));
        // An IMAP4rev2 name with a plain & is not mUTF-7.
        assert!(explain_status("* LIST (\\HasNoChildren) \"/\" \"AT&T\"").en.starts_with("* LIST: one mailbox"));
    }

    #[test]
    fn a_refusal_for_a_message_another_session_expunged_says_how_to_hear_of_it() {
        let e = explain_status("a2 NO [EXPUNGEISSUED] Some of the requested messages no longer exist");
        assert!(e.en.contains("(NOOP)") && e.ja.contains("NOOP"), "{}", e.en);
        assert!(explain_status("a2 NO [TRYCREATE] No mailbox x").en.starts_with("tag NO: the command was understood"));
    }
}
