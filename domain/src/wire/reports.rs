//! What a manager sends about a monthly report.

use serde::{Deserialize, Serialize};

/// Marking a report submitted: the explanation of openings that differ from the closings filed
/// the month before by more than the tolerance (Health Canada's 5%), when they do.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkSubmitted {
    /// What was corrected and how it was flagged to Health Canada (at most 500 characters).
    #[serde(default)]
    pub explanation: Option<String>,
}
