//! Small ways of writing things that pages and components share.

use domain::{PackageStatus, Quantity};

/// A label with its first letter capitalised, for the start of a line or an option.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A quantity as people write it: "3.5 g", "12 ea".
pub fn fmt_q(q: Quantity) -> String {
    format!("{} {}", q.amount.normalize(), q.unit.symbol())
}

/// The badge class for a status.
pub fn status_class(s: PackageStatus) -> &'static str {
    match s {
        PackageStatus::Active => "status ok",
        PackageStatus::OnHold(_) => "status warn",
        PackageStatus::Finished => "status muted",
        PackageStatus::Destroyed => "status danger",
    }
}

/// A status in words.
pub fn status_words(s: PackageStatus) -> String {
    match s {
        PackageStatus::OnHold(r) => format!("On hold: {}", r.label()),
        s => {
            let l = s.label();
            l[..1].to_uppercase() + &l[1..]
        }
    }
}
