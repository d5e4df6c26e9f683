//! A model of culturesim's that is not in culturesim's source: a
//! cultural-transmission model after Harrison & Carroll (1991), registered
//! through the public API and run by the whole culturesim command line
//! (`run`, `validate`, `sweep`, `sensitivity`, `plot`, `schema`, ...).
//!
//! ```text
//! cargo run --release --example harrison_carroll -- run examples/harrison_carroll/scenario.toml
//! ```
//!
//! docs/EXTENDING.md walks through this file and `model.rs`.

mod model;

fn main() {
    // The one line a new model needs.
    culturesim::model::registry::register(model::HarrisonCarroll)
        .expect("the model's name and section are free");
    culturesim::main()
}
