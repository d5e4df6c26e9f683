//! stub
use super::Rendered;
use super::data::RunData;
use std::path::Path;
/// stub
pub fn render(_runs: &[RunData], _labels: &[String], _out: &Path) -> anyhow::Result<Rendered> {
    anyhow::bail!("todo")
}
