//! stub
use super::canvas::{Chart, DrawResult};
use super::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;
/// stub
pub struct ShockChart<'a> {
    _run: &'a RunData,
}
impl<'a> ShockChart<'a> {
    /// stub
    pub fn new(run: &'a RunData) -> Self {
        Self { _run: run }
    }
}
impl Chart for ShockChart<'_> {
    fn draw<DB: DrawingBackend>(&self, _area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        Ok(())
    }
}
