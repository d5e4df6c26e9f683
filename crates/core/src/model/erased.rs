//! A model behind one face: [`DynModel`] is [`Model`] with its state type
//! erased, implemented for every plugin's model (the registry builds them,
//! `super::registered::Registered` runs them on the engine).
//!
//! The cost is one virtual call (and one checked downcast of the state) per
//! step of a run, not per individual: the plugin's own loop over its
//! population is compiled for its types. This file is the only place in
//! culturesim with `dyn Any`; the built-in models never pass through it.

use crate::engine::{Marker, Model, Seeds};
use std::any::Any;
use std::sync::Arc;

/// A run's state, its type known only to its model.
pub type AnyState = Box<dyn Any + Send>;

/// [`Model`] with the state type erased (object safe).
pub trait DynModel: Send + Sync + std::fmt::Debug {
    /// See [`Model::metrics`].
    fn metrics(&self) -> &[&'static str];
    /// See [`Model::steps`].
    fn steps(&self) -> u32;
    /// Change the number of steps (`run --steps`).
    fn with_steps(&self, steps: u32) -> Arc<dyn DynModel>;
    /// See [`Model::init`].
    fn init(&self, seeds: &Seeds) -> AnyState;
    /// See [`Model::step`].
    fn step(&self, state: &mut AnyState, step: u32, seeds: &Seeds);
    /// See [`Model::observe`].
    fn observe(&self, state: &AnyState, out: &mut [f64]);
    /// See [`Model::stop`].
    fn stop(&self, state: &AnyState, step: u32) -> bool;
    /// See [`Model::may_be_undefined`].
    fn may_be_undefined(&self, m: usize) -> bool;
    /// See [`Model::groups`].
    fn groups(&self) -> Vec<String>;
    /// See [`Model::observe_groups`].
    fn observe_groups(&self, state: &AnyState, out: &mut [f32]);
    /// See [`Model::markers`].
    fn markers(&self) -> Vec<Marker>;
    /// See [`Model::bounds`].
    fn bounds(&self) -> Vec<Option<(f64, f64)>>;
}

/// A model whose number of steps can be changed (`run --steps`): what a
/// plugin's model must also offer.
pub trait SetSteps {
    /// Run `steps` steps.
    fn set_steps(&mut self, steps: u32);
}

fn state<M: Model>(s: &AnyState) -> &M::State
where
    M::State: 'static,
{
    s.downcast_ref()
        .expect("a registered model gets back the state it made")
}

impl<M> DynModel for M
where
    M: Model + SetSteps + Clone + std::fmt::Debug + Send + Sync + 'static,
    M::State: 'static,
{
    fn metrics(&self) -> &[&'static str] {
        Model::metrics(self)
    }
    fn steps(&self) -> u32 {
        Model::steps(self)
    }
    fn with_steps(&self, steps: u32) -> Arc<dyn DynModel> {
        let mut m = self.clone();
        m.set_steps(steps);
        Arc::new(m)
    }
    fn init(&self, seeds: &Seeds) -> AnyState {
        Box::new(Model::init(self, seeds))
    }
    fn step(&self, s: &mut AnyState, step: u32, seeds: &Seeds) {
        let s = s
            .downcast_mut()
            .expect("a registered model gets back the state it made");
        Model::step(self, s, step, seeds)
    }
    fn observe(&self, s: &AnyState, out: &mut [f64]) {
        Model::observe(self, state::<M>(s), out)
    }
    fn stop(&self, s: &AnyState, step: u32) -> bool {
        Model::stop(self, state::<M>(s), step)
    }
    fn may_be_undefined(&self, m: usize) -> bool {
        Model::may_be_undefined(self, m)
    }
    fn groups(&self) -> Vec<String> {
        Model::groups(self)
    }
    fn observe_groups(&self, s: &AnyState, out: &mut [f32]) {
        Model::observe_groups(self, state::<M>(s), out)
    }
    fn markers(&self) -> Vec<Marker> {
        Model::markers(self)
    }
    fn bounds(&self) -> Vec<Option<(f64, f64)>> {
        Model::bounds(self)
    }
}
