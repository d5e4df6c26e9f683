//! Times and durations as a scenario writes them, in real units
//! (`"26w"`, `"6 months"`, `5`): [`RawTime`], read by the scenario format
//! and its survey and calibration sections alike.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A time or duration as written: a number of years (`5`, `0.5`) or text
/// with a unit: `"26w"`, `"6 months"`, `"1y"`, `"90d"`, `"2q"` (units y,
/// year(s), q, quarter(s), m, month(s), w, week(s), d, day(s)).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawTime {
    /// Years.
    Years(f64),
    /// A number with a unit.
    Text(String),
}

impl RawTime {
    /// The time in years, or what is wrong with it.
    pub fn years(&self) -> Result<f64, String> {
        let y = match self {
            RawTime::Years(y) => *y,
            RawTime::Text(t) => {
                let t = t.trim();
                let split = t
                    .find(|c: char| c.is_ascii_alphabetic())
                    .ok_or_else(|| format!("\"{t}\" needs a unit: y, q, m, w or d (e.g. \"26w\"), or write a number of years"))?;
                let (num, unit) = (t[..split].trim(), t[split..].trim());
                let n: f64 = num.parse().map_err(|_| {
                    format!("\"{t}\" must be a number with a unit, e.g. \"26w\" or \"1.5y\"")
                })?;
                let per = match unit {
                    "y" | "year" | "years" => 1.0,
                    "q" | "quarter" | "quarters" => 0.25,
                    "m" | "month" | "months" => 1.0 / 12.0,
                    "w" | "week" | "weeks" => 7.0 / 365.25,
                    "d" | "day" | "days" => 1.0 / 365.25,
                    other => {
                        return Err(format!(
                            "\"{t}\": unknown unit \"{other}\" (use y, q, m, w or d: years, quarters, months, weeks, days)"
                        ));
                    }
                };
                n * per
            }
        };
        if y.is_finite() && y >= 0.0 {
            Ok(y)
        } else {
            Err(format!("must be a time >= 0, got {self}"))
        }
    }

    /// The time in whole steps of `dt` years (rounded to the nearest).
    pub fn steps(&self, dt: f64) -> Result<u32, String> {
        let s = (self.years()? / dt).round();
        if s > f64::from(u32::MAX) {
            return Err(format!("{self} is too many steps"));
        }
        Ok(s as u32)
    }

    /// `n` steps of `unit`, spelled with that unit (`"26w"`).
    pub fn of_steps(n: u32, unit: &str) -> Self {
        let u = match unit {
            "day" => "d",
            "month" => "m",
            "quarter" => "q",
            "year" => "y",
            _ => "w",
        };
        RawTime::Text(format!("{n}{u}"))
    }
}

impl std::fmt::Display for RawTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawTime::Years(y) => write!(f, "{y}"),
            RawTime::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

impl<'de> Deserialize<'de> for RawTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawTime;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of years or a time like \"26w\"")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawTime, E> {
                Ok(RawTime::Years(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawTime, E> {
                Ok(RawTime::Years(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawTime, E> {
                Ok(RawTime::Years(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawTime, E> {
                Ok(RawTime::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}
