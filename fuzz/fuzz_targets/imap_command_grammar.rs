//! The IMAP server's command grammar against imap-codec's, the decoder it
//! replaces, on arbitrary bytes: the same command, the same octets used, the
//! same wait for a literal. The differences allowed are those the grammar's
//! unit tests allow (crates/imap/src/command_parser.rs): verbs the server does
//! not offer, and waiting on an unfinished line where the codec has given up.
#![no_main]

use imap_codec::CommandCodec;
use imap_codec::decode::{CommandDecodeError, Decoder};
use imap_codec::imap_types::IntoStatic;
use imap_codec::imap_types::command::CommandBody;
use libfuzzer_sys::fuzz_target;
use mail_lab_imap::command_parser::{CODEC_SEARCH_DEPTH, Stop, command, search_nesting};

fuzz_target!(|data: &[u8]| {
    let ours = command(data);
    let theirs = match CommandCodec::default().decode(data) {
        Ok((rest, c)) => Ok((data.len() - rest.len(), c.into_static())),
        Err(CommandDecodeError::Incomplete) => Err(Stop::Incomplete),
        Err(CommandDecodeError::LiteralFound { mode, .. }) => Err(Stop::Literal(mode)),
        Err(CommandDecodeError::Failed) => Err(Stop::Failed),
    };
    let not_offered = |body: &CommandBody| {
        matches!(
            body,
            CommandBody::Id { .. }
                | CommandBody::Sort { .. }
                | CommandBody::Thread { .. }
                | CommandBody::Compress { .. }
                | CommandBody::GetQuota { .. }
                | CommandBody::GetQuotaRoot { .. }
                | CommandBody::SetQuota { .. }
        )
    };
    let unfinished = !data.ends_with(b"\r\n") || data.ends_with(b"}\r\n");
    // The verb (after UID, the one that follows): the codec waits for the rest
    // of a command this grammar refuses at its verb.
    let mut words = data.split(|&b| b == b' ' || b == b'\r').skip(1);
    let verb = match words.next() {
        Some(v) if v.eq_ignore_ascii_case(b"UID") => words.next(),
        v => v,
    };
    // The verb's letters, exactly: "ID" does not excuse "IDLE".
    let unoffered_verb = verb.is_some_and(|v| {
        let letters = &v[..v.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(v.len())];
        ["ID", "SORT", "THREAD", "COMPRESS", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA"]
            .iter()
            .any(|n| letters.eq_ignore_ascii_case(n.as_bytes()))
    });
    let agree = match (&ours, &theirs) {
        (Err(Stop::Failed), Ok((_, c))) => not_offered(&c.body),
        // Keys nested deeper than imap-codec allows are read here on purpose.
        (Ok((_, c)), Err(Stop::Failed)) => search_nesting(&c.body) > CODEC_SEARCH_DEPTH,
        (Err(Stop::Incomplete), Err(Stop::Failed)) => unfinished,
        (Err(Stop::Failed), Err(Stop::Incomplete)) => unoffered_verb,
        _ => ours == theirs,
    };
    assert!(agree, "{:?}\n ours:  {ours:?}\n codec: {theirs:?}", String::from_utf8_lossy(data));
});
