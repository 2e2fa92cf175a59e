//! The SMTP envelope (RFC 5321 §2.3.1): who the message is from and to whom
//! it is delivered, independent of the `From:`/`To:` header fields.

use serde::{Deserialize, Serialize};

/// The envelope of one SMTP transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Envelope {
    /// `MAIL FROM:<...>`; empty for the null reverse-path `<>` used by bounces.
    pub reverse_path: String,
    /// Every accepted `RCPT TO:<...>`, in order.
    pub forward_paths: Vec<String>,
    /// MAIL parameters as given (`SIZE=…`, `BODY=8BITMIME`, `RET=…`, `ENVID=…`).
    pub mail_parameters: Vec<(String, Option<String>)>,
    /// RCPT parameters per forward path (`NOTIFY=…`, `ORCPT=…`), same order.
    pub rcpt_parameters: Vec<Vec<(String, Option<String>)>>,
    /// The name the client gave in EHLO/HELO.
    pub helo: String,
    /// The client's address as the server saw it.
    pub client_address: String,
}
