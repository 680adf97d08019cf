//! What followers are told live: the public menu's availability and the staff tablets' events,
//! sync health and alerts. Reads the ledger, the store and the regulator's health; speaks no
//! HTTP (the routes frame what this yields).

pub mod menu;
pub mod staff;

pub use menu::MenuFeed;
pub use staff::StaffNews;
