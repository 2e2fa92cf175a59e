//! DKIM, RFC 6376: a domain signs a message's header fields and body; a
//! receiver fetches the public key from `selector._domainkey.domain` and
//! checks that nothing signed changed in transit. Algorithms: ed25519-sha256
//! (RFC 8463) to sign and verify, rsa-sha256 to verify (feature `rsa`).

mod canon;

use base64::Engine as _;
use ed25519_dalek::Signer as _;
use mail_lab_proto::Time;
use sha2::{Digest, Sha256};

use crate::dns::{DnsError, Resolver};
use crate::{is_dns_name, shown};

/// At most this many signatures of one message are checked (RFC 6376 §8.4).
pub const MAX_SIGNATURES: usize = 5;

/// Most tags one signature or key record may have, and most header fields
/// one `h=` may name: far above any real signature, and they bound the work a
/// hostile field can ask for (each tag is compared with the others, each
/// name searched for among the fields).
pub const MAX_TAGS: usize = 64;
pub const MAX_SIGNED_FIELDS: usize = 256;

/// The results of RFC 8601 §2.7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DkimResult {
    /// The message carries no signature.
    None,
    Pass,
    /// The signature or the body hash does not match: something signed changed.
    Fail,
    /// Verified, but refused by the verifier's policy (here: `l=`).
    Policy,
    /// The key could not be fetched now.
    TempError,
    /// The signature or the key record is unusable.
    PermError,
}

impl DkimResult {
    pub fn as_str(self) -> &'static str {
        match self {
            DkimResult::None => "none",
            DkimResult::Pass => "pass",
            DkimResult::Fail => "fail",
            DkimResult::Policy => "policy",
            DkimResult::TempError => "temperror",
            DkimResult::PermError => "permerror",
        }
    }
}

/// The check of one DKIM-Signature field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub result: DkimResult,
    /// The signing domain (`d=`), empty when the field could not be read.
    pub domain: String,
    pub selector: String,
    /// What decided the result, for the learner.
    pub why: String,
}

/// The tags of a DKIM-Signature or key record (`name=value; …`, RFC 6376 §3.2).
fn tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for spec in crate::tag_specs(text) {
        if out.len() == MAX_TAGS {
            return Err(format!("more than {MAX_TAGS} tags"));
        }
        let (name, value) = spec?;
        // Names are case-sensitive, and one given twice makes the whole list invalid.
        if out.iter().any(|(n, _)| n == name) {
            return Err(format!("the tag {}= appears twice", shown(name)));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

fn tag<'a>(tags: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tags.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Base64 with the folding whitespace a header may put inside it removed.
fn base64_value(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).map_err(|_| "is not base64".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Ed25519,
    Rsa,
}

/// A DKIM-Signature field, read.
struct Signature {
    algorithm: Algorithm,
    signature: Vec<u8>,
    body_hash: Vec<u8>,
    relaxed_header: bool,
    relaxed_body: bool,
    domain: String,
    selector: String,
    headers: Vec<String>,
    length: Option<usize>,
    expires: Option<u64>,
}

fn read_signature(value: &str) -> Result<Signature, String> {
    let tags = tags(value)?;
    let need = |name: &str| tag(&tags, name).ok_or_else(|| format!("the required tag {name}= is missing"));
    if need("v")? != "1" {
        return Err("v= is not 1".into());
    }
    let algorithm = match need("a")? {
        "ed25519-sha256" => Algorithm::Ed25519,
        "rsa-sha256" => Algorithm::Rsa,
        other => return Err(format!("the algorithm {} is not one this verifier knows", shown(other))),
    };
    let (relaxed_header, relaxed_body) = match tag(&tags, "c").unwrap_or("simple/simple") {
        "simple" | "simple/simple" => (false, false),
        "simple/relaxed" => (false, true),
        "relaxed" | "relaxed/simple" => (true, false),
        "relaxed/relaxed" => (true, true),
        other => return Err(format!("the canonicalization {} is unknown", shown(other))),
    };
    let domain = need("d")?.to_ascii_lowercase();
    if !is_dns_name(&domain) {
        return Err(format!("d={} is not a domain name", shown(&domain)));
    }
    let selector = need("s")?.to_string();
    if !is_dns_name(&selector) {
        return Err(format!("s={} is not a selector (labels of letters, digits and hyphens)", shown(&selector)));
    }
    // One more than the bound is read, to tell that the bound was passed.
    let headers: Vec<String> = need("h")?
        .split(':')
        .take(MAX_SIGNED_FIELDS + 1)
        .map(|h| h.trim_matches(|c: char| c.is_ascii_whitespace()).to_ascii_lowercase())
        .collect();
    if headers.len() > MAX_SIGNED_FIELDS {
        return Err(format!("h= names more than {MAX_SIGNED_FIELDS} header fields"));
    }
    if !headers.iter().any(|h| h == "from") {
        return Err("h= does not sign From: (RFC 6376 §5.4)".into());
    }
    if let Some(i) = tag(&tags, "i") {
        let i_domain = i.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
        if !(i_domain == domain || i_domain.ends_with(&format!(".{domain}"))) {
            return Err(format!("i={} is not within d={domain}", shown(i)));
        }
    }
    let number = |name: &str| -> Result<Option<u64>, String> {
        tag(&tags, name)
            .map(|v| v.parse::<u64>().map_err(|_| format!("{name}={} is not a number", shown(v))))
            .transpose()
    };
    let length = number("l")?.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
    Ok(Signature {
        algorithm,
        signature: base64_value(need("b")?).map_err(|e| format!("b= {e}"))?,
        body_hash: base64_value(need("bh")?).map_err(|e| format!("bh= {e}"))?,
        relaxed_header,
        relaxed_body,
        domain,
        selector,
        headers,
        length,
        expires: number("x")?,
    })
}

/// The DKIM-Signature field with its `b=` value (and the whitespace around
/// it) taken out, as it is hashed (RFC 6376 §3.7).
fn without_b_value(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let colon = raw.iter().position(|b| *b == b':').map_or(raw.len(), |i| i + 1);
    out.extend_from_slice(&raw[..colon]);
    for (n, part) in raw[colon..].split(|b| *b == b';').enumerate() {
        if n > 0 {
            out.push(b';');
        }
        let name_end = part.iter().position(|b| *b == b'=').unwrap_or(part.len());
        let name: Vec<u8> = part[..name_end].iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        if name == b"b" {
            out.extend_from_slice(&part[..=name_end.min(part.len() - 1)]);
        } else {
            out.extend_from_slice(part);
        }
    }
    out
}

/// What is signed: the named header fields, each instance taken from the
/// bottom up (RFC 6376 §5.4.2), then the signature field itself without `b=`.
fn signed_data(fields: &[canon::Field<'_>], names: &[String], relaxed: bool, signature_field: &[u8]) -> Vec<u8> {
    // Each name's instances, top to bottom, so the next one is popped from the
    // end: one pass over the fields however many names `h=` lists.
    // A sorted vector, not a B-tree: no tree or sort code in the page for it.
    let mut instances = mail_lab_proto::sorted::SortedMap::<String, Vec<usize>>::default();
    for name in names {
        instances.insert(name.clone(), Vec::new());
    }
    for (i, field) in fields.iter().enumerate() {
        if let Some(list) = instances.get_mut(&field.name.to_ascii_lowercase()) {
            list.push(i);
        }
    }
    let mut data = Vec::new();
    for name in names {
        if let Some(i) = instances.get_mut(name).and_then(Vec::pop) {
            canon::header(fields[i].raw, relaxed, &mut data);
        }
    }
    canon::header(signature_field, relaxed, &mut data);
    // The signature field is hashed without its CRLF.
    data.truncate(data.len() - 2);
    data
}

/// Check every DKIM-Signature field of `message` (at most [`MAX_SIGNATURES`]).
pub fn verify(dns: &mut dyn Resolver, message: &[u8], now: Time) -> Vec<Verdict> {
    let (fields, body) = canon::split(message);
    let mut bodies = BodyHashes { body, canonical: [None, None], hashes: Vec::new() };
    fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("DKIM-Signature"))
        .take(MAX_SIGNATURES)
        .map(|f| verify_one(dns, &fields, &mut bodies, f, now))
        .collect()
}

/// The body canonicalized and hashed once per way the signatures ask for
/// (simple or relaxed, and `l=`), however many signatures share it.
struct BodyHashes<'a> {
    body: &'a [u8],
    /// Simple, relaxed.
    canonical: [Option<Vec<u8>>; 2],
    hashes: Vec<(BodyHashKey, Vec<u8>)>,
}

/// Relaxed or not, and `l=`.
type BodyHashKey = (bool, Option<usize>);

impl BodyHashes<'_> {
    /// The hash, or None when `l=` is longer than the canonical body.
    fn hash(&mut self, relaxed: bool, length: Option<usize>) -> Option<Vec<u8>> {
        if let Some((_, hash)) = self.hashes.iter().find(|(key, _)| *key == (relaxed, length)) {
            return Some(hash.clone());
        }
        let body = self.body;
        let canonical = self.canonical[usize::from(relaxed)].get_or_insert_with(|| canon::body(body, relaxed));
        let part = match length {
            Some(l) => canonical.get(..l)?,
            None => canonical.as_slice(),
        };
        let hash = Sha256::digest(part).to_vec();
        self.hashes.push(((relaxed, length), hash.clone()));
        Some(hash)
    }
}

fn verify_one(
    dns: &mut dyn Resolver,
    fields: &[canon::Field<'_>],
    bodies: &mut BodyHashes<'_>,
    field: &canon::Field<'_>,
    now: Time,
) -> Verdict {
    let verdict = |result, domain: &str, selector: &str, why: String| Verdict {
        result,
        domain: domain.to_string(),
        selector: selector.to_string(),
        why,
    };
    let value = String::from_utf8_lossy(&field.raw[field.raw.iter().position(|b| *b == b':').map_or(0, |i| i + 1)..]);
    let sig = match read_signature(&value) {
        Ok(sig) => sig,
        Err(why) => return verdict(DkimResult::PermError, "", "", why),
    };
    let (d, s) = (sig.domain.as_str(), sig.selector.as_str());
    if sig.expires.is_some_and(|x| x < now.as_secs()) {
        return verdict(DkimResult::PermError, d, s, "the signature has expired (x=)".into());
    }
    let key = match fetch_key(dns, s, d) {
        Ok(key) => key,
        Err((result, why)) => return verdict(result, d, s, why),
    };
    if key.algorithm != sig.algorithm {
        return verdict(DkimResult::PermError, d, s, "the key record's k= does not match the signature's a=".into());
    }
    let Some(body_hash) = bodies.hash(sig.relaxed_body, sig.length) else {
        return verdict(DkimResult::PermError, d, s, "l= is longer than the body".into());
    };
    if body_hash != sig.body_hash {
        return verdict(
            DkimResult::Fail,
            d,
            s,
            "the body hash (bh=) does not match: the body changed after signing".into(),
        );
    }
    let data = signed_data(fields, &sig.headers, sig.relaxed_header, &without_b_value(field.raw));
    let good = match &key.public {
        PublicKey::Ed25519(public) => {
            let Ok(signature) = <[u8; 64]>::try_from(sig.signature.as_slice()) else {
                return verdict(
                    DkimResult::PermError,
                    d,
                    s,
                    "b= is not 64 octets, the size of an Ed25519 signature".into(),
                );
            };
            public.verify_strict(&Sha256::digest(&data), &ed25519_dalek::Signature::from_bytes(&signature)).is_ok()
        }
        #[cfg(feature = "rsa")]
        PublicKey::Rsa(public) => verify_rsa(public, &data, &sig.signature),
    };
    if !good {
        let why = "the signature does not verify with the published key: a signed header field changed after signing (or the signature is forged)".into();
        return verdict(DkimResult::Fail, d, s, why);
    }
    if sig.length.is_some() {
        let why = "verified, but l= signs only part of the body: anyone could add to the rest (RFC 6376 §8.2)".into();
        return verdict(DkimResult::Policy, d, s, why);
    }
    verdict(DkimResult::Pass, d, s, format!("signed by {d} (selector {s}) and unchanged"))
}

struct Key {
    algorithm: Algorithm,
    public: PublicKey,
}

enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    #[cfg(feature = "rsa")]
    Rsa(rsa::RsaPublicKey),
}

/// RFC 8301 §3.2: verifiers must not accept RSA keys shorter than this.
#[cfg(feature = "rsa")]
const MIN_RSA_BITS: usize = 1024;

/// The key record at `selector._domainkey.domain` (RFC 6376 §3.6.1).
fn fetch_key(dns: &mut dyn Resolver, selector: &str, domain: &str) -> Result<Key, (DkimResult, String)> {
    let name = format!("{selector}._domainkey.{domain}");
    let records = match dns.txt(&name) {
        Ok(records) => records,
        Err(DnsError::TempFail) => return Err((DkimResult::TempError, format!("the lookup of {name} failed"))),
        Err(DnsError::NxDomain) => return Err((DkimResult::PermError, format!("{name} has no key record"))),
    };
    let [record] = records.as_slice() else {
        return Err((DkimResult::PermError, format!("{name} has no key record, or more than one")));
    };
    let tags = tags(record).map_err(|why| (DkimResult::PermError, format!("the key record: {why}")))?;
    if tag(&tags, "v").is_some_and(|v| v != "DKIM1") {
        return Err((DkimResult::PermError, "the key record's v= is not DKIM1".into()));
    }
    let algorithm = match tag(&tags, "k").unwrap_or("rsa") {
        "ed25519" => Algorithm::Ed25519,
        "rsa" => Algorithm::Rsa,
        other => return Err((DkimResult::PermError, format!("the key type k={} is unknown", shown(other)))),
    };
    let p = tag(&tags, "p").ok_or((DkimResult::PermError, "the key record has no p=".to_string()))?;
    if p.is_empty() {
        return Err((DkimResult::PermError, "the key has been revoked (empty p=)".into()));
    }
    let octets = base64_value(p).map_err(|e| (DkimResult::PermError, format!("p= {e}")))?;
    let unusable = |why: &str| (DkimResult::PermError, format!("the key at {name} {why}"));
    let public = match algorithm {
        Algorithm::Ed25519 => {
            let octets = <[u8; 32]>::try_from(octets.as_slice()).map_err(|_| unusable("is not 32 octets (Ed25519)"))?;
            PublicKey::Ed25519(
                ed25519_dalek::VerifyingKey::from_bytes(&octets).map_err(|_| unusable("is not an Ed25519 point"))?,
            )
        }
        #[cfg(not(feature = "rsa"))]
        Algorithm::Rsa => return Err(unusable("is an RSA key, which this build does not verify (Ed25519 only)")),
        #[cfg(feature = "rsa")]
        Algorithm::Rsa => {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            use rsa::pkcs8::DecodePublicKey as _;
            use rsa::traits::PublicKeyParts as _;
            // Published as SubjectPublicKeyInfo, or as a bare RSAPublicKey.
            let key = rsa::RsaPublicKey::from_public_key_der(&octets)
                .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(&octets))
                .map_err(|_| unusable("is not an RSA public key"))?;
            if key.n().bits() < MIN_RSA_BITS {
                return Err(unusable("is shorter than 1024 bits (RFC 8301)"));
            }
            PublicKey::Rsa(key)
        }
    };
    Ok(Key { algorithm, public })
}

/// RSASSA-PKCS1-v1_5 with SHA-256.
#[cfg(feature = "rsa")]
fn verify_rsa(key: &rsa::RsaPublicKey, data: &[u8], signature: &[u8]) -> bool {
    use rsa::signature::Verifier as _;
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else { return false };
    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone()).verify(data, &signature).is_ok()
}

/// What signing needs: who signs, and the Ed25519 private key's 32-octet seed.
pub struct Signer<'a> {
    pub domain: &'a str,
    pub selector: &'a str,
    pub seed: [u8; 32],
    /// The header fields to sign, in order (`from` must be among them).
    pub headers: &'a [&'a str],
}

impl Signer<'_> {
    /// The public key record to publish at `selector._domainkey.domain`.
    pub fn key_record(&self) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&self.seed).verifying_key();
        format!("v=DKIM1; k=ed25519; p={}", base64::engine::general_purpose::STANDARD.encode(key.as_bytes()))
    }

    /// The DKIM-Signature field (relaxed/relaxed, with its CRLF) to put on top
    /// of `message`.
    pub fn sign(&self, message: &[u8], now: Time) -> String {
        let (fields, body) = canon::split(message);
        let engine = base64::engine::general_purpose::STANDARD;
        let body_hash = engine.encode(Sha256::digest(canon::body(body, true)));
        // No more names than a verifier accepts.
        let names: Vec<String> = self.headers.iter().take(MAX_SIGNED_FIELDS).map(|h| h.to_ascii_lowercase()).collect();
        // h= folded between names, and b= in pieces, so no line passes 78
        // characters however many fields are signed (SMTP refuses lines over
        // 1000 octets; the folding whitespace is no part of either value).
        let (mut h, mut line) = (String::new(), 3);
        for (n, name) in names.iter().enumerate() {
            let piece = if n == 0 { name.clone() } else { format!(":{name}") };
            if line + piece.len() > 76 {
                h.push_str("\r\n\t");
                line = 1;
            }
            line += piece.len();
            h.push_str(&piece);
        }
        let unsigned = format!(
            "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n\td={}; s={}; t={};\r\n\th={h};\r\n\tbh={body_hash};\r\n\tb=",
            self.domain,
            self.selector,
            now.as_secs(),
        );
        let data = signed_data(&fields, &names, true, unsigned.as_bytes());
        let key = ed25519_dalek::SigningKey::from_bytes(&self.seed);
        let b = engine.encode(key.sign(&Sha256::digest(&data)).to_bytes());
        // 88 characters of base64, in two lines.
        let (first, rest) = b.split_at(b.len().min(60));
        format!("{unsigned}{first}\r\n\t {rest}\r\n")
    }
}

#[cfg(test)]
mod tests;
