//! Injected failures, set through `/sandbox/v2/faults`: latency, 429s (on GETs, as Metrc's limits
//! are; on writes only when asked), 500s, and writes that
//! commit then never answer (a share of them, or exactly the next few).

use serde::{Deserialize, Serialize};

/// Injected failures, set through `/sandbox/v2/faults`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every regulator call.
    pub latency_ms: u64,
    /// Percentage of GET calls answered 429 with `Retry-After`: Metrc limits the rate of GET
    /// calls only ("Rate limits only apply to 'GET' calls and do not include 'PUT,' 'POST,' or
    /// 'DELETE' calls", Metrc bulletin NV_IB_0039).
    pub rate_limit_percent: u8,
    /// Percentage of writes answered 429 with `Retry-After`: not Metrc's documented behaviour,
    /// kept for relay tests that want a refusal which never committed.
    pub write_rate_limit_percent: u8,
    /// `Retry-After` seconds on those 429s.
    pub retry_after_secs: u64,
    /// Percentage of calls answered 500.
    pub error_percent: u8,
    /// Percentage of writes that commit and then never answer (the caller times out).
    pub commit_then_drop_percent: u8,
    /// The next this many writes commit and then never answer, whatever the percentages say: a
    /// lost answer placed exactly where a test needs it.
    pub drop_next_writes: u32,
}

impl Faults {
    /// Refuses a percentage over 100, naming the field.
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [
            ("rate_limit_percent", self.rate_limit_percent),
            ("write_rate_limit_percent", self.write_rate_limit_percent),
            ("error_percent", self.error_percent),
            ("commit_then_drop_percent", self.commit_then_drop_percent),
        ] {
            if v > 100 {
                return Err(format!("{name} is a percentage: 0 to 100, got {v}."));
            }
        }
        Ok(())
    }
}
