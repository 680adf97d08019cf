//! The client's calls for what a store keeps in Metrc besides packages and sales: items and
//! their categories (the product mapping), locations and their types, a package's location and
//! note, and the adjustment history.

use reqwest::Method;

use super::MetrcClient;
use crate::{
    error::MetrcError,
    wire::{
        perm, ItemBody, ItemCategory, ItemRecord, Location, LocationBody, LocationType,
        MovePackage, PackageNote,
    },
};

impl MetrcClient {
    /// `GET /items/v2/categories`, all pages: the categories this facility's state allows, with
    /// what each requires of an item.
    pub async fn item_categories(&self) -> Result<Vec<ItemCategory>, MetrcError> {
        self.all_pages("/items/v2/categories", None).await
    }

    /// `GET /items/v2/active`, all pages.
    pub async fn items(&self) -> Result<Vec<ItemRecord>, MetrcError> {
        self.all_pages("/items/v2/active", Some(perm::MANAGE_ITEMS))
            .await
    }

    /// `GET /items/v2/{id}`.
    pub async fn item(&self, id: i64) -> Result<ItemRecord, MetrcError> {
        self.get(&format!("/items/v2/{id}"), Some(perm::MANAGE_ITEMS))
            .await
    }

    /// `POST /items/v2/` (at most 10): the new items' ids, in order.
    pub async fn create_items(&self, body: &[ItemBody]) -> Result<Vec<i64>, MetrcError> {
        self.write(Method::POST, "/items/v2/", &body, perm::MANAGE_ITEMS)
            .await
    }

    /// `PUT /items/v2/` (at most 10; each with its `Id`).
    pub async fn update_items(&self, body: &[ItemBody]) -> Result<(), MetrcError> {
        self.write(Method::PUT, "/items/v2/", &body, perm::MANAGE_ITEMS)
            .await
            .map(|_| ())
    }

    /// `GET /locations/v2/active`, all pages.
    pub async fn locations(&self) -> Result<Vec<Location>, MetrcError> {
        self.all_pages("/locations/v2/active", Some(perm::MANAGE_LOCATIONS))
            .await
    }

    /// `GET /locations/v2/types`, all pages.
    pub async fn location_types(&self) -> Result<Vec<LocationType>, MetrcError> {
        self.all_pages("/locations/v2/types", Some(perm::MANAGE_LOCATIONS))
            .await
    }

    /// `POST /locations/v2/` (at most 10): the new locations' ids, in order.
    pub async fn create_locations(&self, body: &[LocationBody]) -> Result<Vec<i64>, MetrcError> {
        self.write(
            Method::POST,
            "/locations/v2/",
            &body,
            perm::MANAGE_LOCATIONS,
        )
        .await
    }

    /// `PUT /packages/v2/location` (at most 10): moves packages between locations.
    pub async fn move_packages(&self, body: &[MovePackage]) -> Result<(), MetrcError> {
        self.write(
            Method::PUT,
            "/packages/v2/location",
            &body,
            perm::CREATE_PACKAGES,
        )
        .await
        .map(|_| ())
    }

    /// `PUT /packages/v2/note` (at most 10).
    pub async fn change_notes(&self, body: &[PackageNote]) -> Result<(), MetrcError> {
        self.write(
            Method::PUT,
            "/packages/v2/note",
            &body,
            perm::MANAGE_PACKAGE_NOTES,
        )
        .await
        .map(|_| ())
    }
}
