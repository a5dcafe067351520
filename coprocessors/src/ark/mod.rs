//! Adapter from arkworks `ConstraintSynthesizer<ark_bn254::Fr>` circuits to coprocessor circuits. Unfinished: this module is being written (issue 5).
