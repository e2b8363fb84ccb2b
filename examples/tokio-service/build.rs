//! Tracks `migrations/`: adding or removing a migration reruns this script and rebuilds the
//! crate, and the directory is checked here first, with every problem reported in full.

fn main() {
    retort_build::track("migrations");
}
