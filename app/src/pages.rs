//! Route targets, one module per page.

mod counts;
mod inventory;
mod login;
mod menu;
mod not_found;
mod orders;
mod reconcile;
mod reports;
mod settings;

pub use counts::Counts;
pub use inventory::Inventory;
pub use login::Login;
pub use menu::Menu;
pub use not_found::NotFound;
pub use orders::Orders;
pub use reconcile::Reconcile;
pub use reports::Reports;
pub use settings::Settings;
