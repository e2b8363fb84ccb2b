//! Build-script support for retort.
