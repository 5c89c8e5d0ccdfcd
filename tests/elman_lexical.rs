//! The unit tests of `examples/support/lexical.rs` (the `elman_lexical` example and the
//! tour's lexical part): the lexicon and templates, the split detection on hand-built trees,
//! and the clustering on small known cases.

#[path = "../examples/support/lexical.rs"]
mod lexical;
