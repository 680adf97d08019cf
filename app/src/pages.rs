//! Route targets, one module per page.

mod attention;
mod counts;
mod inventory;
mod login;
mod menu;
mod not_found;
mod orders;
mod package;
mod products;
mod receive;
mod reconcile;
mod reports;
mod settings;

pub use attention::Attention;
pub use counts::{CountSheet, Counts};
pub use inventory::Inventory;
pub use login::Login;
pub use menu::{Menu, OrderStatusPage, Shop};
pub use not_found::NotFound;
pub use orders::Orders;
pub use package::PackageCard;
pub use products::Products;
pub use receive::Receive;
pub use reconcile::Reconcile;
pub use reports::Reports;
pub use settings::Settings;
