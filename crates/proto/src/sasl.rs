//! SASL for SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE:
//! the PLAIN (RFC 4616), LOGIN and CRAM-MD5 (RFC 2195) mechanisms, server and
//! client side, plus the APOP digest of POP3 (RFC 1939 §7).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};

/// A SASL mechanism the lab speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mechanism {
    Plain,
    Login,
    CramMd5,
}

impl Mechanism {
    /// Every mechanism, strongest first.
    pub const ALL: [Mechanism; 3] = [Mechanism::CramMd5, Mechanism::Plain, Mechanism::Login];

    /// The registered name, e.g. `CRAM-MD5`.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
        }
    }

    /// The mechanism named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Mechanism::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// True when the password crosses the wire (only base64-encoded): safe only inside TLS.
    pub fn sends_password(self) -> bool {
        !matches!(self, Mechanism::CramMd5)
    }
}

/// Base64 text for the wire.
pub fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decode base64 from the wire; `None` when it is not valid base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-MD5 of `challenge` keyed by `secret`, as CRAM-MD5 sends it (RFC 2195).
pub fn cram_md5_digest(secret: &str, challenge: &str) -> String {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    match Hmac::<Md5>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(challenge.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// MD5 of the greeting's timestamp followed by the secret, as APOP sends it (RFC 1939 §7).
pub fn apop_digest(timestamp: &str, secret: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret.as_bytes());
    hex(&md5.finalize())
}

/// What crossed the link when a client logged in, as an eavesdropper sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Proof {
    /// The password itself (USER/PASS, LOGIN, AUTH PLAIN, AUTH LOGIN).
    Password,
    /// Only a digest keyed by the password (APOP, CRAM-MD5).
    Digest,
}

/// What the client proved, for the server's host to check against its accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// PLAIN and LOGIN carry the password itself.
    Password { authzid: String, username: String, password: String },
    /// CRAM-MD5 carries a digest of the challenge keyed by the password.
    CramMd5 { username: String, digest: String, challenge: String },
}

impl Credentials {
    /// The user who authenticates.
    pub fn username(&self) -> &str {
        match self {
            Credentials::Password { username, .. } | Credentials::CramMd5 { username, .. } => username,
        }
    }

    /// Whether the password itself or only a digest of it was sent.
    pub fn proof(&self) -> Proof {
        match self {
            Credentials::Password { .. } => Proof::Password,
            Credentials::CramMd5 { .. } => Proof::Digest,
        }
    }

    /// True when these credentials prove knowledge of `password`.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            Credentials::Password { authzid, username, password: given } => {
                given == password && (authzid.is_empty() || authzid.eq_ignore_ascii_case(username))
            }
            Credentials::CramMd5 { digest, challenge, .. } => {
                digest.eq_ignore_ascii_case(&cram_md5_digest(password, challenge))
            }
        }
    }
}

/// One step of a server-side SASL exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslStep {
    /// Send this challenge (raw bytes; the protocol base64-encodes it).
    Challenge(Vec<u8>),
    /// The exchange is complete; check these credentials.
    Done(Credentials),
    /// The client's answer decoded but was malformed: the login fails.
    Failed(&'static str),
    /// The exchange was used wrongly (an initial response the mechanism does
    /// not take, a step after the end): a protocol error, not a failed login.
    Misused(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    PlainResponse,
    LoginUsername,
    LoginPassword { username: String },
    CramResponse { challenge: String },
    Finished,
}

/// The server side of one SASL exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaslServer {
    stage: Stage,
}

fn parse_plain(message: &[u8]) -> SaslStep {
    // message = [authzid] UTF8NUL authcid UTF8NUL passwd (RFC 4616 §2)
    let parts: Vec<&[u8]> = message.split(|&b| b == 0).collect();
    let [authzid, username, password] = parts.as_slice() else {
        return SaslStep::Failed("PLAIN response must be authzid NUL authcid NUL password");
    };
    match (std::str::from_utf8(authzid), std::str::from_utf8(username), std::str::from_utf8(password)) {
        (Ok(a), Ok(u), Ok(p)) if !u.is_empty() => SaslStep::Done(Credentials::Password {
            authzid: a.to_string(),
            username: u.to_string(),
            password: p.to_string(),
        }),
        _ => SaslStep::Failed("PLAIN response needs a UTF-8 user name and password"),
    }
}

impl SaslServer {
    /// Start `mechanism`, with the client's initial response if it sent one.
    /// `challenge` is the CRAM-MD5 challenge (`<unique.timestamp@host>`), made
    /// by the caller so that it stays deterministic.
    pub fn start(mechanism: Mechanism, initial: Option<&[u8]>, challenge: &str) -> (Self, SaslStep) {
        let mut server = SaslServer { stage: Stage::Finished };
        let step = match (mechanism, initial) {
            (Mechanism::Plain, Some(message)) => parse_plain(message),
            (Mechanism::Plain, None) => {
                server.stage = Stage::PlainResponse;
                SaslStep::Challenge(Vec::new())
            }
            (Mechanism::Login, Some(user)) => {
                server.stage = Stage::LoginPassword { username: String::from_utf8_lossy(user).into_owned() };
                SaslStep::Challenge(b"Password:".to_vec())
            }
            (Mechanism::Login, None) => {
                server.stage = Stage::LoginUsername;
                SaslStep::Challenge(b"Username:".to_vec())
            }
            (Mechanism::CramMd5, Some(_)) => SaslStep::Misused("CRAM-MD5 takes no initial response"),
            (Mechanism::CramMd5, None) => {
                server.stage = Stage::CramResponse { challenge: challenge.to_string() };
                SaslStep::Challenge(challenge.as_bytes().to_vec())
            }
        };
        (server, step)
    }

    /// The client's (decoded) answer to the last challenge.
    pub fn step(&mut self, response: &[u8]) -> SaslStep {
        match std::mem::replace(&mut self.stage, Stage::Finished) {
            Stage::PlainResponse => parse_plain(response),
            Stage::LoginUsername => {
                self.stage = Stage::LoginPassword { username: String::from_utf8_lossy(response).into_owned() };
                SaslStep::Challenge(b"Password:".to_vec())
            }
            Stage::LoginPassword { username } => SaslStep::Done(Credentials::Password {
                authzid: String::new(),
                username,
                password: String::from_utf8_lossy(response).into_owned(),
            }),
            Stage::CramResponse { challenge } => {
                let text = String::from_utf8_lossy(response);
                match text.rsplit_once(' ') {
                    Some((user, digest)) if digest.len() == 32 && digest.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        SaslStep::Done(Credentials::CramMd5 {
                            username: user.to_string(),
                            digest: digest.to_string(),
                            challenge,
                        })
                    }
                    _ => SaslStep::Failed("CRAM-MD5 response must be: user SP 32 hex digits"),
                }
            }
            Stage::Finished => SaslStep::Misused("the exchange is already finished"),
        }
    }
}

/// The client side: the (raw) initial response a mechanism sends, if any.
pub fn client_initial(mechanism: Mechanism, username: &str, password: &str) -> Option<Vec<u8>> {
    match mechanism {
        Mechanism::Plain => Some(format!("\0{username}\0{password}").into_bytes()),
        Mechanism::Login | Mechanism::CramMd5 => None,
    }
}

/// The client side: the (raw) answer to a server challenge.
pub fn client_answer(mechanism: Mechanism, username: &str, password: &str, challenge: &[u8]) -> Vec<u8> {
    match mechanism {
        Mechanism::Plain => format!("\0{username}\0{password}").into_bytes(),
        Mechanism::Login if challenge.to_ascii_lowercase().starts_with(b"user") => username.as_bytes().to_vec(),
        Mechanism::Login => password.as_bytes().to_vec(),
        Mechanism::CramMd5 => {
            let challenge = String::from_utf8_lossy(challenge);
            format!("{username} {}", cram_md5_digest(password, &challenge)).into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apop_known_answer_from_rfc1939() {
        assert_eq!(apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
    }

    #[test]
    fn cram_md5_known_answer_from_rfc2195() {
        let challenge = "<1896.697170952@postoffice.reston.mci.net>";
        assert_eq!(cram_md5_digest("tanstaaftanstaaf", challenge), "b913a602c7eda7a495b4e6e7334d3890");
        // The RFC's wire exchange, decoded.
        assert_eq!(
            decode_base64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+").unwrap(),
            challenge.as_bytes()
        );
        let (mut server, step) = SaslServer::start(Mechanism::CramMd5, None, challenge);
        assert_eq!(step, SaslStep::Challenge(challenge.as_bytes().to_vec()));
        let answer = decode_base64("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw").unwrap();
        let SaslStep::Done(creds) = server.step(&answer) else { panic!("exchange must finish") };
        assert_eq!(creds.username(), "tim");
        assert!(creds.verify("tanstaaftanstaaf"));
        assert!(!creds.verify("wrong"));
    }

    #[test]
    fn plain_with_and_without_initial_response() {
        let (_, step) = SaslServer::start(Mechanism::Plain, Some(b"\0tim\0tanstaaf"), "");
        let SaslStep::Done(c) = step else { panic!() };
        assert!(c.verify("tanstaaf"));
        let (mut s, step) = SaslServer::start(Mechanism::Plain, None, "");
        assert_eq!(step, SaslStep::Challenge(vec![]));
        assert!(matches!(s.step(b"no nuls here"), SaslStep::Failed(_)));
        // authzid other than the user is refused by verify.
        let (_, step) = SaslServer::start(Mechanism::Plain, Some(b"admin\0tim\0tanstaaf"), "");
        let SaslStep::Done(c) = step else { panic!() };
        assert!(!c.verify("tanstaaf"));
    }

    #[test]
    fn login_asks_username_then_password_and_client_answers() {
        let (mut s, step) = SaslServer::start(Mechanism::Login, None, "");
        let SaslStep::Challenge(q) = step else { panic!() };
        let a = client_answer(Mechanism::Login, "bob", "pw", &q);
        let SaslStep::Challenge(q) = s.step(&a) else { panic!() };
        assert_eq!(q, b"Password:");
        let a = client_answer(Mechanism::Login, "bob", "pw", &q);
        let SaslStep::Done(c) = s.step(&a) else { panic!() };
        assert_eq!(c.username(), "bob");
        assert!(c.verify("pw"));
    }

    #[test]
    fn base64_rejects_garbage() {
        assert!(decode_base64("***").is_none());
        assert_eq!(encode_base64(b"\0tim\0tanstaaf"), "AHRpbQB0YW5zdGFhZg==");
    }
}
