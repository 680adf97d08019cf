//! Reusable pieces shared by every page.

pub mod nav;
pub mod page;
