//! stub
use super::canvas::{Chart, DrawResult};
use super::data::RunData;
use plotters::coord::Shift;
use plotters::prelude::*;
/// stub
pub struct LoopsChart<'a> {
    _run: &'a RunData,
}
impl<'a> LoopsChart<'a> {
    /// stub
    pub fn new(run: &'a RunData) -> Self {
        Self { _run: run }
    }
}
impl Chart for LoopsChart<'_> {
    fn draw<DB: DrawingBackend>(&self, _area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        Ok(())
    }
}
