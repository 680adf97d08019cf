//! Every way a Metrc call can fail, as one enum the relay matches on. The mapping from an HTTP
//! answer to a variant is a pure function ([`MetrcError::from_answer`]) so it is tested without a
//! network.

use std::time::Duration;

use serde::Deserialize;

use crate::wire::RowError;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetrcError {
    /// 401: the key is expired, revoked, unknown, or cannot act for this licence.
    #[error("the regulator refused our key (401): {message}")]
    Unauthorized {
        /// Metrc's message.
        message: String,
    },
    /// 403: the key is valid but lacks a permission this call needs.
    #[error("the regulator refused our key (403): it lacks {}: {message}", permission.as_deref().map_or_else(|| "a permission".to_owned(), |p| format!("the permission \"{p}\"")))]
    Forbidden {
        /// The permission Metrc documents for the call, when the call names one.
        permission: Option<String>,
        /// Metrc's message.
        message: String,
    },
    /// 429: too many calls; nothing of this one was done.
    #[error("the regulator is rate limiting; retry after {} s", retry_after.as_secs())]
    RateLimited {
        /// How long Metrc asks us to wait (`Retry-After`, one second when it does not say).
        retry_after: Duration,
    },
    /// 404: no such record (or path).
    #[error("not found at the regulator")]
    NotFound,
    /// 400 (or another 4xx): the request was refused as a whole; nothing of it was done.
    #[error("the regulator refused the data: {}", rows.iter().map(|r| format!("row {}: {}", r.row, r.message)).collect::<Vec<_>>().join("; "))]
    Validation {
        /// Row-indexed messages, as Metrc lists them.
        rows: Vec<RowError>,
    },
    /// 5xx, or an answer that cannot be read: the regulator failed. After a write was sent the
    /// write may have happened.
    #[error("the regulator failed ({status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// Metrc's message, or why the answer could not be read.
        message: String,
    },
    /// The call had no effect at the regulator: the connection was refused, or a read's answer
    /// never came.
    #[error("the regulator could not be reached: {0}")]
    Transport(String),
    /// A write was sent and no answer came: it may or may not have happened.
    #[error("no answer from the regulator after a write was sent")]
    AnswerLost,
}

/// Metrc's `{"Message": "..."}` body.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Message {
    message: Option<String>,
}

impl MetrcError {
    /// The error an unsuccessful HTTP answer means. `permission` is what Metrc documents for the
    /// call (a 403 names it); `retry_after` is the header's text, if any.
    pub fn from_answer(
        status: u16,
        retry_after: Option<&str>,
        body: &str,
        permission: Option<&str>,
    ) -> Self {
        let message = || {
            serde_json::from_str::<Message>(body)
                .ok()
                .and_then(|m| m.message)
                .unwrap_or_else(|| body.trim().to_owned())
        };
        match status {
            401 => MetrcError::Unauthorized { message: message() },
            403 => MetrcError::Forbidden {
                permission: permission.map(str::to_owned),
                message: message(),
            },
            404 => MetrcError::NotFound,
            429 => MetrcError::RateLimited {
                retry_after: retry_after
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_secs(1), Duration::from_secs),
            },
            400 => match serde_json::from_str::<Vec<RowError>>(body) {
                Ok(rows) if !rows.is_empty() => MetrcError::Validation { rows },
                _ => MetrcError::Validation {
                    rows: vec![RowError {
                        row: 0,
                        message: message(),
                    }],
                },
            },
            413 => MetrcError::Validation {
                rows: vec![RowError {
                    row: 0,
                    message: format!(
                        "{} (Metrc takes at most {} objects per call)",
                        message(),
                        crate::wire::MAX_OBJECTS
                    ),
                }],
            },
            s if (400..500).contains(&s) => MetrcError::Validation {
                rows: vec![RowError {
                    row: 0,
                    message: format!("{s}: {}", message()),
                }],
            },
            s => MetrcError::Server {
                status: s,
                message: message(),
            },
        }
    }

    /// Whether the regulator may have done what was asked even though the call failed: only
    /// after a write was sent and either no answer came or the regulator failed mid-way.
    pub fn may_have_landed(&self) -> bool {
        matches!(self, MetrcError::AnswerLost | MetrcError::Server { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_401_is_unauthorized_with_metrcs_message() {
        let e = MetrcError::from_answer(
            401,
            None,
            r#"{"Message":"Authorization has been denied for this request."}"#,
            Some("View Packages"),
        );
        assert_eq!(
            e,
            MetrcError::Unauthorized {
                message: "Authorization has been denied for this request.".into()
            }
        );
    }

    #[test]
    fn a_403_names_the_permission_the_call_needs() {
        let e = MetrcError::from_answer(
            403,
            None,
            r#"{"Message":"The authenticated user does not have access to the requested resource."}"#,
            Some("Manage Sales"),
        );
        assert_eq!(
            e,
            MetrcError::Forbidden {
                permission: Some("Manage Sales".into()),
                message: "The authenticated user does not have access to the requested resource."
                    .into()
            }
        );
        assert!(e.to_string().contains("\"Manage Sales\""), "{e}");
        let bare = MetrcError::from_answer(403, None, "", None);
        assert!(matches!(
            bare,
            MetrcError::Forbidden {
                permission: None,
                ..
            }
        ));
    }

    #[test]
    fn a_429_carries_retry_after_or_one_second() {
        assert_eq!(
            MetrcError::from_answer(429, Some("7"), "{}", None),
            MetrcError::RateLimited {
                retry_after: Duration::from_secs(7)
            }
        );
        for header in [None, Some("soon"), Some("")] {
            assert_eq!(
                MetrcError::from_answer(429, header, "", None),
                MetrcError::RateLimited {
                    retry_after: Duration::from_secs(1)
                }
            );
        }
    }

    #[test]
    fn a_400_keeps_metrcs_rows_or_wraps_its_message_as_row_zero() {
        let rows = MetrcError::from_answer(
            400,
            None,
            r#"[{"row":0,"message":"Package A is not active."},{"row":3,"message":"Tag B is not available."}]"#,
            None,
        );
        let MetrcError::Validation { rows } = rows else {
            panic!("{rows:?}")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].row, 3);
        assert_eq!(rows[1].message, "Tag B is not available.");
        let message = MetrcError::from_answer(
            400,
            None,
            r#"{"Message":"licenseNumber is required."}"#,
            None,
        );
        assert_eq!(
            message,
            MetrcError::Validation {
                rows: vec![RowError {
                    row: 0,
                    message: "licenseNumber is required.".into()
                }]
            }
        );
        let text = MetrcError::from_answer(400, None, "  plain words \n", None);
        assert!(
            matches!(&text, MetrcError::Validation { rows } if rows[0].message == "plain words")
        );
    }

    #[test]
    fn too_large_and_other_client_errors_are_refusals_that_say_so() {
        let e = MetrcError::from_answer(
            413,
            None,
            r#"{"Message":"The content being submitted is too large"}"#,
            None,
        );
        assert!(
            matches!(&e, MetrcError::Validation { rows } if rows[0].message.contains("at most 10 objects")),
            "{e:?}"
        );
        let e = MetrcError::from_answer(405, None, "", None);
        assert!(
            matches!(&e, MetrcError::Validation { rows } if rows[0].message.starts_with("405")),
            "{e:?}"
        );
        assert!(!e.may_have_landed());
    }

    #[test]
    fn a_404_is_not_found_and_5xx_are_server_errors_that_may_have_landed() {
        assert_eq!(
            MetrcError::from_answer(404, None, "", None),
            MetrcError::NotFound
        );
        for status in [500, 502, 503, 504] {
            let e = MetrcError::from_answer(
                status,
                None,
                r#"{"Message":"An error has occurred."}"#,
                None,
            );
            assert_eq!(
                e,
                MetrcError::Server {
                    status,
                    message: "An error has occurred.".into()
                }
            );
            assert!(e.may_have_landed());
        }
        assert!(MetrcError::AnswerLost.may_have_landed());
        assert!(!MetrcError::Transport("refused".into()).may_have_landed());
        assert!(!MetrcError::RateLimited {
            retry_after: Duration::from_secs(1)
        }
        .may_have_landed());
    }
}
