//! Schnorr signature verification on Grumpkin. Unfinished: this module is being written (issue 5).
