//! Timestamps as the API sends them: ISO-8601 strings in the docs, epoch seconds in the SDK,
//! a plain date for some validity fields. All three decode to `DateTime<Utc>`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Seconds(i64),
    Float(f64),
    Text(String),
}

fn convert<E: serde::de::Error>(raw: Raw) -> Result<DateTime<Utc>, E> {
    match raw {
        Raw::Seconds(s) => Utc
            .timestamp_opt(s, 0)
            .single()
            .ok_or_else(|| E::custom(format!("epoch seconds out of range: {s}"))),
        Raw::Float(f) => Utc
            .timestamp_millis_opt((f * 1000.0) as i64)
            .single()
            .ok_or_else(|| E::custom(format!("epoch seconds out of range: {f}"))),
        Raw::Text(text) => {
            if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
                return Ok(t.with_timezone(&Utc));
            }
            if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
            }
            Err(E::custom(format!("not a timestamp: {text:?}")))
        }
    }
}

pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    convert(Raw::deserialize(d)?)
}

pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<Raw>::deserialize(d)? {
        Some(raw) => convert(raw).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "required")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "optional")]
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn all_three_shapes() {
        let a: T = serde_json::from_str(r#"{"at":"2026-03-01T12:00:00Z"}"#).unwrap();
        let b: T = serde_json::from_str(r#"{"at":1772366400,"maybe":null}"#).unwrap();
        let c: T =
            serde_json::from_str(r#"{"at":"2026-03-01","maybe":"2026-03-01T12:00:00-03:00"}"#)
                .unwrap();
        assert_eq!(a.at, b.at);
        assert_eq!(c.at.timestamp(), 1772323200);
        assert!(a.maybe.is_none() && b.maybe.is_none());
        assert_eq!(c.maybe.unwrap().timestamp(), 1772377200);
        assert!(serde_json::from_str::<T>(r#"{"at":"yesterday"}"#).is_err());
    }
}
