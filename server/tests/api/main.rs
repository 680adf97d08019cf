//! Integration tests: the real app on port 0 with a temporary database.

mod audit;
mod finalized;
mod fuzz;
mod helpers;
mod hostile_text;
mod items;
mod keys_at_rest;
mod ledger;
mod locations;
mod menu;
mod orders;
mod outbox_writes;
mod parked;
mod reasons;
mod reconcile;
mod regulator;
mod relay_faults;
mod reports;
mod roles;
mod schema;
mod security;
mod sign_in;
mod store;
mod tablet;
mod validation;
mod web_security;
