//! Canopy's non-uniform folding engine (unfinished: see issue 3).
