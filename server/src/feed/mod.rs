//! What followers are told live: the public menu's availability, a customer's order, and the
//! staff tablets' events, sync health and alerts. Reads the ledger, the store and the regulator's health; speaks no
//! HTTP (the routes frame what this yields).

pub mod menu;
pub mod order;
pub mod staff;

pub use menu::MenuFeed;
pub use staff::StaffNews;
