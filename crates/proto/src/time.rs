//! Logical time. Engines never read a clock; the driver passes a [`Time`].

use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z on the driver's clock
/// (the world's logical clock, or the wall clock in the native server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Time(pub u64);

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Time {
    /// A time from whole seconds since the Unix epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Time(secs.saturating_mul(1000))
    }

    /// Whole seconds since the Unix epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// This time plus `millis` milliseconds (saturating).
    pub const fn plus_millis(self, millis: u64) -> Self {
        Time(self.0.saturating_add(millis))
    }

    /// (year, month 1-12, day 1-31, hour, minute, second) in UTC.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let secs = self.as_secs();
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, (rem / 3600) as u32, ((rem % 3600) / 60) as u32, (rem % 60) as u32)
    }

    /// RFC 5322 §3.3 `date-time` in UTC, e.g. `Sat, 21 Nov 2026 23:45:55 +0000`.
    pub fn rfc5322(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let weekday = DAY_NAMES[((self.as_secs() / 86_400) % 7) as usize];
        let month = MONTH_NAMES[(mo - 1) as usize];
        format!("{weekday}, {d} {month} {y} {h:02}:{mi:02}:{s:02} +0000")
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates_format_as_rfc5322() {
        assert_eq!(Time(0).rfc5322(), "Thu, 1 Jan 1970 00:00:00 +0000");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(Time::from_secs(951_827_696).rfc5322(), "Tue, 29 Feb 2000 12:34:56 +0000");
        // 2026-11-21 23:45:55 UTC.
        assert_eq!(Time::from_secs(1_795_304_755).rfc5322(), "Sat, 21 Nov 2026 23:45:55 +0000");
    }
}
