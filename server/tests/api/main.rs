//! Integration tests: the real app on port 0 with a temporary database.

mod audit;
mod helpers;
mod ledger;
mod menu;
mod orders;
mod reconcile;
mod regulator;
mod reports;
mod roles;
mod sandbox;
mod tablet;
mod validation;
