//! The `migrations!()` proc macro (see the `retort` crate).
