//! Wall-clock time as the vault stores it: milliseconds since the Unix epoch.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in ms since the epoch (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The latest time a vault holds: the last millisecond of year 9999. Later
/// (or before 1970, which `now_ms` never gives) is no time a clock wrote.
pub const LATEST_MS: i64 = 253_402_300_799_999;

/// Whether a stored time is one a clock could have written: from 1970 to
/// the end of year 9999 (four-digit years).
pub fn is_plausible(ms: i64) -> bool {
    (0..=LATEST_MS).contains(&ms)
}

/// `2026-11-26T14:18:06Z`, for the identity file's `# created:` line.
pub fn rfc3339_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// "just now", "5 minutes ago", "3 days ago", "in 2 hours" (clock skew).
pub fn relative(then_ms: i64, now_ms: i64) -> String {
    let delta = now_ms.saturating_sub(then_ms);
    let secs = delta.unsigned_abs() / 1000;
    if secs < 60 {
        return "just now".to_owned();
    }
    let (count, unit) = match secs {
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 86_400 * 30 => (s / 86_400, "day"),
        s if s < 86_400 * 365 => (s / (86_400 * 30), "month"),
        s => (s / (86_400 * 365), "year"),
    };
    let plural = if count == 1 { "" } else { "s" };
    if delta >= 0 {
        format!("{count} {unit}{plural} ago")
    } else {
        format!("in {count} {unit}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_795_702_686_000), "2026-11-26T14:18:06Z");
        assert_eq!(rfc3339_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn plausible_times() {
        assert!(is_plausible(0) && is_plausible(1_795_702_686_000));
        assert_eq!(rfc3339_utc(LATEST_MS), "9999-12-31T23:59:59Z");
        assert!(!is_plausible(LATEST_MS + 1) && !is_plausible(-1));
        assert!(!is_plausible(i64::MAX) && !is_plausible(i64::MIN));
    }

    #[test]
    fn relative_times() {
        let now = 1_000_000_000_000;
        assert_eq!(relative(now - 5_000, now), "just now");
        assert_eq!(relative(now - 60_000, now), "1 minute ago");
        assert_eq!(relative(now - 3 * 86_400_000, now), "3 days ago");
        assert_eq!(relative(now + 7_200_000, now), "in 2 hours");
        assert_eq!(relative(now - 400 * 86_400_000, now), "1 year ago");
    }
}
