//! Suppression of findings by annotations on the object they are about.
//!
//! An object opts out of checks with `palisade.dev/ignore: "<id-or-slug>[,…]"`, explains why
//! with `palisade.dev/ignore-reason`, and may bound the exception in time with
//! `palisade.dev/ignore-until: YYYY-MM-DD`. An expired or malformed date stops the suppression
//! and the finding says so, so exceptions never outlive their review silently.

use jiff::civil::Date;

use crate::check::CheckMeta;
use crate::object::Object;

/// The annotation listing suppressed checks.
pub const IGNORE: &str = "palisade.dev/ignore";
/// The annotation giving the reason.
pub const IGNORE_REASON: &str = "palisade.dev/ignore-reason";
/// The annotation giving the last day the suppression applies.
pub const IGNORE_UNTIL: &str = "palisade.dev/ignore-until";

/// The verdict of the annotations on one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not mentioned by the object's annotations.
    NotSuppressed,
    /// Suppressed, with the reason and end date given.
    Suppressed {
        /// `palisade.dev/ignore-reason`, if set.
        reason: Option<String>,
        /// `palisade.dev/ignore-until`, if set.
        until: Option<String>,
    },
    /// Listed, but the suppression no longer applies; the text says why.
    Lapsed(String),
}

/// Decides whether the object's annotations suppress `check`'s findings on `today`.
pub fn verdict(object: &Object, check: &CheckMeta, today: Date) -> Verdict {
    let Some(list) = object.annotation(IGNORE) else {
        return Verdict::NotSuppressed;
    };
    let listed = list
        .split(',')
        .map(str::trim)
        .any(|key| key == "*" || check.matches(key));
    if !listed {
        return Verdict::NotSuppressed;
    }
    let reason = object.annotation(IGNORE_REASON).map(str::to_string);
    let until = object.annotation(IGNORE_UNTIL).map(str::to_string);
    if let Some(until) = &until {
        match until.trim().parse::<Date>() {
            Ok(last_day) if last_day < today => {
                return Verdict::Lapsed(format!("suppression expired on {last_day}"));
            }
            Ok(_) => {}
            Err(_) => {
                return Verdict::Lapsed(format!(
                    "suppression not applied: {IGNORE_UNTIL} `{until}` is not a YYYY-MM-DD date"
                ));
            }
        }
    }
    Verdict::Suppressed { reason, until }
}
