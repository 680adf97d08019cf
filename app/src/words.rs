//! Small ways of writing things that pages and components share.

/// A label with its first letter capitalised, for the start of a line or an option.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
