//! Reusable pieces shared by every page.

pub mod alerts;
pub mod audit_export;
pub mod flows;
pub mod guard;
pub mod limit_rules;
pub mod nav;
pub mod page;
pub mod parked;
pub mod reason_map;
pub mod scanner;
pub mod sync_status;
pub mod zone_locations;
