//! Canopy's decider (issue 7): compresses a root accumulator of canopy-folding into a compact
//! SNARK. **Unfinished: nothing is built yet.**
