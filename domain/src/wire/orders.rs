//! Pickup orders as they cross HTTP: what a customer sends, what the customer and the counter see.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{HoldChannel, HoldId, Money, ProductId, Quantity};

/// One product and how much of it, as a customer asks.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    /// The product, from the menu.
    pub product_id: ProductId,
    /// How much, in the product's unit (items, or grams for bulk).
    pub quantity: Decimal,
}

/// A customer's reservation.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    /// The name to call at the counter.
    pub customer_name: String,
    /// A phone number; it ties the customer's purchases together for the day's limits. The
    /// server keeps only a keyed hash of its digits, never the number.
    pub phone: String,
    /// The customer confirmed they are of legal age in this jurisdiction.
    pub age_confirmed: bool,
    /// What to hold.
    pub lines: Vec<OrderLineRequest>,
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Held, waiting for the counter to start on it.
    Placed,
    /// The counter is putting it together.
    Preparing,
    /// Waiting at the counter.
    Ready,
    /// Collected and paid: a sale.
    PickedUp,
    /// Cancelled by the store.
    Cancelled,
    /// Not collected in time; the stock went back on the shelf.
    Expired,
}

impl OrderStatus {
    /// Its name on the wire (`picked_up`).
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Preparing => "preparing",
            OrderStatus::Ready => "ready",
            OrderStatus::PickedUp => "picked_up",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub name: String,
    /// How much.
    pub quantity: Quantity,
}

/// An order as the customer and the counter see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// Its id (the link to its status page).
    pub order_id: HoldId,
    /// The short number to say at the counter.
    pub number: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// Who reserved it.
    pub customer_name: String,
    /// Online or taken by staff.
    pub channel: HoldChannel,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// When the hold lapses unless collected.
    pub expires_at: DateTime<Utc>,
    /// What it holds, per product.
    pub lines: Vec<OrderLine>,
    /// Its total.
    pub total: Money,
}
