//! Canopy's proof-carrying-data tree (issue 6): leaves of sequential non-uniform IVC merged
//! by a node circuit. **Unfinished: nothing is built yet.**
