//! A registered model on the engine: [`Registered`] holds a model's
//! registration and its built, type-erased model, and implements
//! [`Model`] by passing each call through (one virtual call per step of a
//! run, not per individual).

use super::erased::{AnyState, DynModel};
use super::registry::Entry;
use crate::engine::{Marker, Model, Seeds};
use std::sync::Arc;

/// A registered model, ready to run: its registration and the built model.
#[derive(Clone)]
pub struct Registered {
    entry: &'static dyn Entry,
    model: Arc<dyn DynModel>,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("model", &self.entry.name())
            .field("built", &self.model)
            .finish()
    }
}

impl Registered {
    /// Wrap a built model with its registration.
    pub fn new(entry: &'static dyn Entry, model: Arc<dyn DynModel>) -> Self {
        Self { entry, model }
    }

    /// The registration (name, section, parameters, metrics, figures).
    pub fn entry(&self) -> &'static dyn Entry {
        self.entry
    }

    /// Run `steps` steps.
    pub fn set_steps(&mut self, steps: u32) {
        self.model = self.model.with_steps(steps);
    }
}

impl Model for Registered {
    type State = AnyState;

    fn metrics(&self) -> &[&'static str] {
        self.model.metrics()
    }
    fn steps(&self) -> u32 {
        self.model.steps()
    }
    fn init(&self, seeds: &Seeds) -> AnyState {
        self.model.init(seeds)
    }
    fn step(&self, state: &mut AnyState, step: u32, seeds: &Seeds) {
        self.model.step(state, step, seeds)
    }
    fn observe(&self, state: &AnyState, out: &mut [f64]) {
        self.model.observe(state, out)
    }
    fn stop(&self, state: &AnyState, step: u32) -> bool {
        self.model.stop(state, step)
    }
    fn may_be_undefined(&self, m: usize) -> bool {
        self.model.may_be_undefined(m)
    }
    fn groups(&self) -> Vec<String> {
        self.model.groups()
    }
    fn observe_groups(&self, state: &AnyState, out: &mut [f32]) {
        self.model.observe_groups(state, out)
    }
    fn markers(&self) -> Vec<Marker> {
        self.model.markers()
    }
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        self.model.bounds()
    }
}
