//! The expected form of each command, for `BAD` replies that teach.

/// How a command is written, with an example, by verb.
pub fn expected(verb: &str) -> Option<&'static str> {
    Some(match verb.to_ascii_uppercase().as_str() {
        "CAPABILITY" => "CAPABILITY (no arguments): a1 CAPABILITY",
        "NOOP" => "NOOP (no arguments): a1 NOOP",
        "LOGOUT" => "LOGOUT (no arguments): a1 LOGOUT",
        "STARTTLS" => "STARTTLS (no arguments): a1 STARTTLS",
        "LOGIN" => "LOGIN needs a user name and a password: a1 LOGIN bob bob-pw",
        "AUTHENTICATE" => "AUTHENTICATE needs a mechanism: a1 AUTHENTICATE PLAIN",
        "SELECT" => "SELECT needs a mailbox name: a1 SELECT INBOX",
        "EXAMINE" => "EXAMINE needs a mailbox name: a1 EXAMINE INBOX",
        "CREATE" => "CREATE needs a mailbox name: a1 CREATE Projects",
        "DELETE" => "DELETE needs a mailbox name: a1 DELETE Projects",
        "RENAME" => "RENAME needs two mailbox names: a1 RENAME Projects Archive",
        "SUBSCRIBE" => "SUBSCRIBE needs a mailbox name: a1 SUBSCRIBE Projects",
        "UNSUBSCRIBE" => "UNSUBSCRIBE needs a mailbox name: a1 UNSUBSCRIBE Projects",
        "LIST" => "LIST needs a reference and a pattern: a1 LIST \"\" \"*\"",
        "LSUB" => "LSUB needs a reference and a pattern: a1 LSUB \"\" \"*\"",
        "STATUS" => "STATUS needs a mailbox and items: a1 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)",
        "APPEND" => "APPEND needs a mailbox and a literal: a1 APPEND INBOX (\\Seen) {5}  then the 5 octets",
        "CLOSE" => "CLOSE (no arguments): a1 CLOSE",
        "UNSELECT" => "UNSELECT (no arguments): a1 UNSELECT",
        "EXPUNGE" => "EXPUNGE (no arguments): a1 EXPUNGE",
        "SEARCH" => "SEARCH needs criteria: a1 SEARCH UNSEEN FROM alice",
        "FETCH" => "FETCH needs a sequence set and items: a1 FETCH 1:* (FLAGS ENVELOPE)  or  a1 FETCH 1 BODY[TEXT]",
        "STORE" => "STORE needs a sequence set, an action and flags: a1 STORE 1 +FLAGS (\\Seen)",
        "COPY" => "COPY needs a sequence set and a mailbox: a1 COPY 1:3 Archive",
        "MOVE" => "MOVE needs a sequence set and a mailbox: a1 MOVE 1 Trash",
        "UID" => "UID needs a command: a1 UID FETCH 1:* FLAGS  or  a1 UID SEARCH ALL",
        "IDLE" => "IDLE (no arguments): a1 IDLE, and later DONE",
        "ENABLE" => "ENABLE needs capability names: a1 ENABLE IMAP4rev2",
        "NAMESPACE" => "NAMESPACE (no arguments): a1 NAMESPACE",
        "CHECK" => "CHECK (no arguments): a1 CHECK",
        "ID" => "ID needs NIL or a list of field-value pairs: a1 ID (\"name\" \"my-client\")  or  a1 ID NIL",
        _ => return None,
    })
}
