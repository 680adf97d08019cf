//! Metrc's JSON carries quantities and money as numbers (`16.0`); they are read through their
//! decimal text so no binary floating point ever touches them.

use rust_decimal::{prelude::ToPrimitive, Decimal};
use serde::{Deserialize, Deserializer, Serializer};

/// Writes a decimal as a JSON number.
pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    match d.to_f64() {
        Some(f) => s.serialize_f64(f),
        None => Err(serde::ser::Error::custom("number out of range")),
    }
}

/// Reads a JSON number (or numeric string) exactly.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    let text = match &v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a number, got {other}"
            )))
        }
    };
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| serde::de::Error::custom(format!("{text} is not a number")))
}

/// The same for optional numbers.
pub mod option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes an optional decimal as a JSON number or null.
    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    /// Reads an optional JSON number exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => super::deserialize(v)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Q {
        #[serde(with = "super")]
        q: Decimal,
        #[serde(with = "super::option", default)]
        w: Option<Decimal>,
    }

    #[test]
    fn numbers_and_numeric_strings_read_exactly() {
        let q: Q = serde_json::from_str(r#"{"q": 0.1, "w": "2.50"}"#).unwrap();
        assert_eq!(q.q, "0.1".parse::<Decimal>().unwrap());
        assert_eq!(q.w, Some("2.50".parse().unwrap()));
        let q: Q = serde_json::from_str(r#"{"q": 1e2, "w": null}"#).unwrap();
        assert_eq!(q.q, Decimal::from(100));
        assert_eq!(q.w, None);
    }

    #[test]
    fn anything_else_is_refused_with_its_text() {
        let e = serde_json::from_str::<Q>(r#"{"q": "ten"}"#).unwrap_err();
        assert!(e.to_string().contains("ten is not a number"), "{e}");
        assert!(serde_json::from_str::<Q>(r#"{"q": true}"#).is_err());
    }
}
