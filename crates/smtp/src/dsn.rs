//! What a sender asked of delivery status notifications (RFC 3461): RET and
//! ENVID on MAIL, NOTIFY and ORCPT on each RCPT. The server keeps them with the
//! message, the MTA obeys them (which reports to send, with what in them) and a
//! relay passes them on to the next hop that offers DSN.

use crate::grammar::Param;

/// The DSN parameters of one transaction, values as the client wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnRequest {
    /// `RET=FULL` or `RET=HDRS`: the whole message or only its header in a report.
    pub ret: Option<String>,
    /// `ENVID`, in xtext: the sender's own name for this transaction.
    pub envid: Option<String>,
    /// Recipients that carried `NOTIFY` or `ORCPT`.
    pub recipients: Vec<DsnRecipient>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnRecipient {
    /// The forward-path as given in RCPT.
    pub address: String,
    /// `NEVER`, or a list of `SUCCESS`, `FAILURE`, `DELAY`.
    pub notify: Option<String>,
    /// `addr-type;xtext`, e.g. `rfc822;bob@a.example`.
    pub orcpt: Option<String>,
}

/// The value of parameter `key` in `params`.
fn value<'a>(params: &'a [Param], key: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| v.as_deref())
}

impl DsnRequest {
    /// From MAIL's parameters and each recipient with its RCPT parameters.
    pub fn from_parameters<'a>(mail: &[Param], rcpts: impl IntoIterator<Item = (&'a str, &'a [Param])>) -> Self {
        let mut recipients = Vec::new();
        for (address, params) in rcpts {
            let (notify, orcpt) = (value(params, "NOTIFY"), value(params, "ORCPT"));
            if notify.is_some() || orcpt.is_some() {
                recipients.push(DsnRecipient {
                    address: address.to_string(),
                    notify: notify.map(str::to_ascii_uppercase),
                    orcpt: orcpt.map(str::to_string),
                });
            }
        }
        DsnRequest {
            ret: value(mail, "RET").map(str::to_ascii_uppercase),
            envid: value(mail, "ENVID").map(str::to_string),
            recipients,
        }
    }

    /// The part of the request that concerns `addresses` (a relay's share).
    pub fn for_recipients(&self, addresses: &[String]) -> Self {
        let mut share = self.clone();
        share.recipients.retain(|r| addresses.contains(&r.address));
        share
    }

    fn recipient(&self, address: &str) -> Option<&DsnRecipient> {
        self.recipients.iter().find(|r| r.address == address)
    }

    /// Whether `address` wants a report of this kind (`SUCCESS`, `FAILURE`,
    /// `DELAY`). Without NOTIFY a failure is reported, nothing else: RFC 3461
    /// §4.1 leaves delays to the MTA, and this one sends none unasked.
    pub fn wants(&self, address: &str, kind: &str) -> bool {
        match self.recipient(address).and_then(|r| r.notify.as_deref()) {
            None => kind == "FAILURE",
            Some(list) => list.split(',').any(|k| k == kind),
        }
    }

    /// The original recipient (ORCPT) of `address`, if the sender gave one.
    pub fn orcpt(&self, address: &str) -> Option<&str> {
        self.recipient(address).and_then(|r| r.orcpt.as_deref())
    }

    /// Whether a report carries the whole message (RET=FULL).
    pub fn full(&self) -> bool {
        self.ret.as_deref() == Some("FULL")
    }

    /// ` RET=… ENVID=…` for a relay's MAIL command.
    pub fn mail_parameters(&self) -> String {
        let mut out = String::new();
        if let Some(ret) = &self.ret {
            out.push_str(&format!(" RET={ret}"));
        }
        if let Some(envid) = &self.envid {
            out.push_str(&format!(" ENVID={envid}"));
        }
        out
    }

    /// ` NOTIFY=… ORCPT=…` for a relay's RCPT command for `address`.
    pub fn rcpt_parameters(&self, address: &str) -> String {
        let Some(r) = self.recipient(address) else { return String::new() };
        let mut out = String::new();
        if let Some(notify) = &r.notify {
            out.push_str(&format!(" NOTIFY={notify}"));
        }
        if let Some(orcpt) = &r.orcpt {
            out.push_str(&format!(" ORCPT={orcpt}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::DsnRequest;

    fn p(k: &str, v: &str) -> (String, Option<String>) {
        (k.to_string(), Some(v.to_string()))
    }

    #[test]
    fn notify_decides_which_reports_go_and_a_relay_passes_it_on() {
        let mail = [p("RET", "full"), p("ENVID", "QQ314159")];
        let never = [p("NOTIFY", "NEVER")];
        let both = [p("NOTIFY", "success,failure"), p("ORCPT", "rfc822;Bob@a.example")];
        let dsn = DsnRequest::from_parameters(
            &mail,
            [("quiet@b.example", &never[..]), ("bob@b.example", &both[..]), ("plain@b.example", &[][..])],
        );
        assert!(dsn.full());
        assert!(!dsn.wants("quiet@b.example", "FAILURE"));
        assert!(dsn.wants("bob@b.example", "SUCCESS") && dsn.wants("bob@b.example", "FAILURE"));
        assert!(!dsn.wants("bob@b.example", "DELAY"));
        assert!(dsn.wants("plain@b.example", "FAILURE") && !dsn.wants("plain@b.example", "SUCCESS"));
        assert_eq!(dsn.orcpt("bob@b.example"), Some("rfc822;Bob@a.example"));
        assert_eq!(dsn.mail_parameters(), " RET=FULL ENVID=QQ314159");
        assert_eq!(dsn.rcpt_parameters("bob@b.example"), " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob@a.example");
        assert_eq!(dsn.rcpt_parameters("plain@b.example"), "");
        let share = dsn.for_recipients(&["quiet@b.example".to_string()]);
        assert_eq!(share.recipients.len(), 1);
        assert_eq!(share.envid.as_deref(), Some("QQ314159"));
    }
}
