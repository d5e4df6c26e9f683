//! The `culturesim` binary: the command line of [`culturesim::main`].
//! Exit codes: 0 success, 1 runtime failure, 2 usage or scenario error.

fn main() {
    culturesim::main()
}
