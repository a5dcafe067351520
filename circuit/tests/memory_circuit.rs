//! Tests of the memory argument (`canopy_circuit::memory`): the native sparse tree
//! against a dense reference, native against circuit, negative witnesses, the initial root of
//! the example guests, and constraint counts.

use std::time::Instant;

use ff::Field;

use canopy_circuit::memory::gadgets::{alloc_bits, low_u64};
use canopy_circuit::memory::hash::NodeHasher;
use canopy_circuit::memory::image::image_leaves;
use canopy_circuit::memory::native::{empty_hashes, root_from_path};
use canopy_circuit::memory::{
    initial_root, Leaf, LeafBits, MemoryArgError, MemoryArgument, MerkleMemory, MerklePath,
    MerkleState, NativeMemory, SparseTree, TreeGeometry, WordAddr,
};
use canopy_vm::{Memory, Program, Segment, SegmentFlags};
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::shape_cs::ShapeCS;
use nova_snark::frontend::test_cs::TestConstraintSystem;
use nova_snark::frontend::{Boolean, ConstraintSystem};
use nova_snark::provider::bn256_grumpkin::bn256::Scalar as F;
use nova_snark::provider::Bn256EngineIPA as E;

const KIB4: u64 = 1 << 12;
const KIB8: u64 = 1 << 13;
const MIB16: u64 = 1 << 24;

/// splitmix64: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn leaf(&mut self) -> Leaf {
        let r = self.next();
        Leaf {
            word: (r >> 16) as u32,
            writable: r & 1 == 1,
            executable: r & 2 == 2,
        }
    }
    /// An aligned byte address in a memory of `size` bytes.
    fn addr(&mut self, size: u64) -> u32 {
        ((self.next() % (size / 4)) * 4) as u32
    }
}

/// Dense reference: hash every level of a full memory of leaves.
fn dense_root(hasher: &NodeHasher<F>, leaves: &[Leaf]) -> F {
    let mut level: Vec<F> = leaves.iter().map(|l| l.encode()).collect();
    for (h, e) in empty_hashes(hasher)
        .into_iter()
        .enumerate()
        .take(hasher.levels())
    {
        level = level
            .chunks(4)
            .map(|c| {
                let mut children = [e; 4];
                children[..c.len()].copy_from_slice(c);
                hasher.hash(h, &children)
            })
            .collect();
    }
    assert_eq!(level.len(), 1);
    level[0]
}

fn random_tree(size: u64, n: usize, seed: u64) -> (SparseTree<F>, Rng) {
    let mut rng = Rng(seed);
    let mut tree = SparseTree::<F>::empty(size).unwrap();
    for _ in 0..n {
        let (a, l) = (rng.addr(size), rng.leaf());
        tree.rmw(a, l).unwrap();
    }
    (tree, rng)
}

#[test]
fn geometry_for_every_memory_size() {
    for log in 12..=32u32 {
        let g = TreeGeometry::new(1 << log).unwrap();
        assert_eq!(g.word_bits(), log as usize - 2);
        assert_eq!(g.levels(), (log as usize - 1) / 2);
    }
    assert_eq!(TreeGeometry::new(MIB16).unwrap().levels(), 11);
    for bad in [0, 2048, 3 << 20, 1 << 33] {
        assert_eq!(
            TreeGeometry::new(bad),
            Err(MemoryArgError::InvalidMemorySize(bad))
        );
    }
}

#[test]
fn leaf_encoding() {
    let l = Leaf {
        word: 0xdead_beef,
        writable: true,
        executable: true,
    };
    assert_eq!(l.to_u64(), 0x3_dead_beef);
    assert_eq!(Leaf::from_u64(l.to_u64()), Some(l));
    assert_eq!(Leaf::from_u64(1 << 34), None);
    assert_eq!(Leaf::EMPTY.to_u64(), 1 << 32);
    assert_eq!(l.encode::<F>(), F::from(0x3_dead_beefu64));
}

#[test]
fn empty_hash_table() {
    let tree = SparseTree::<F>::empty(MIB16).unwrap();
    let e = tree.empty_subtrees();
    assert_eq!(e.len(), 12);
    assert_eq!(e[0], F::from(1u64 << 32));
    let hasher = NodeHasher::<F>::new(11);
    for h in 0..11 {
        assert_eq!(e[h + 1], hasher.hash(h, &[e[h]; 4]));
        assert_ne!(e[h + 1], e[h]);
    }
    assert_eq!(tree.root(), e[11]);
    // per-level domain tags: the same children hash differently at different heights
    let c = [F::from(1u64), F::from(2u64), F::from(3u64), F::from(4u64)];
    assert_ne!(hasher.hash(0, &c), hasher.hash(1, &c));
    assert_ne!(hasher.hash(0, &c), NodeHasher::<F>::new(10).hash(0, &c));
}

#[test]
fn sparse_tree_equals_dense_reference_under_random_updates() {
    for (size, seed) in [(KIB4, 1u64), (KIB8, 2)] {
        let g = TreeGeometry::new(size).unwrap();
        let hasher = NodeHasher::<F>::new(g.levels());
        let mut dense = vec![Leaf::EMPTY; g.words() as usize];
        let mut tree = SparseTree::<F>::empty(size).unwrap();
        let mut rng = Rng(seed);
        for i in 0..60 {
            let a = rng.addr(size);
            // sometimes write the empty leaf back, to exercise node removal
            let l = if i % 7 == 3 { Leaf::EMPTY } else { rng.leaf() };
            let (old, path) = tree.rmw(a, l).unwrap();
            assert_eq!(old, dense[(a / 4) as usize]);
            // the hint is valid for the old and the new leaf
            assert_eq!(
                root_from_path(&hasher, a as u64 / 4, old.encode(), &path),
                dense_root(&hasher, &dense)
            );
            dense[(a / 4) as usize] = l;
            assert_eq!(
                root_from_path(&hasher, a as u64 / 4, l.encode(), &path),
                tree.root()
            );
            if i % 10 == 0 {
                assert_eq!(tree.root(), dense_root(&hasher, &dense));
            }
        }
        assert_eq!(tree.root(), dense_root(&hasher, &dense));
        // reads return the dense contents and a valid path
        for _ in 0..20 {
            let a = rng.addr(size);
            let (l, path) = tree.read(a).unwrap();
            assert_eq!(l, dense[(a / 4) as usize]);
            assert_eq!(
                root_from_path(&hasher, a as u64 / 4, l.encode(), &path),
                tree.root()
            );
        }
    }
}

#[test]
fn bulk_build_equals_one_by_one_inserts() {
    let mut rng = Rng(7);
    let leaves: Vec<(u64, Leaf)> = (0..300)
        .map(|_| (rng.next() % (1 << 22), rng.leaf()))
        .collect();
    let bulk = SparseTree::<F>::from_leaves(MIB16, &leaves).unwrap();
    let mut one = SparseTree::<F>::empty(MIB16).unwrap();
    for (w, l) in &leaves {
        one.rmw((*w * 4) as u32, *l).unwrap();
    }
    assert_eq!(bulk.root(), one.root());
    assert!(SparseTree::<F>::from_leaves(KIB4, &[(1024, Leaf::EMPTY)]).is_err());
}

#[test]
fn native_access_errors() {
    let mut tree = SparseTree::<F>::empty(KIB4).unwrap();
    assert_eq!(tree.read(2).unwrap_err(), MemoryArgError::Misaligned(2));
    assert!(matches!(
        tree.rmw(4096, Leaf::EMPTY),
        Err(MemoryArgError::OutOfBounds { .. })
    ));
    let ro = Leaf {
        word: 5,
        writable: false,
        executable: true,
    };
    tree.rmw(8, ro).unwrap();
    let root = tree.root();
    assert_eq!(
        tree.store_word(8, 1).unwrap_err(),
        MemoryArgError::ReadOnly(8)
    );
    assert_eq!(tree.root(), root, "a refused store changes nothing");
    let (old, _) = tree.store_word(12, 9).unwrap();
    assert_eq!(old, Leaf::EMPTY);
    assert_eq!(tree.read(12).unwrap().0, Leaf::EMPTY.with_word(9));
}

// ---------------------------------------------------------------- circuit

struct Fixture {
    mem: MerkleMemory<F>,
    tree: SparseTree<F>,
    rng: Rng,
}

fn fixture(size: u64, seed: u64) -> Fixture {
    let (tree, rng) = random_tree(size, 40, seed);
    Fixture {
        mem: MerkleMemory::new(size).unwrap(),
        tree,
        rng,
    }
}

fn alloc_num(cs: &mut TestConstraintSystem<F>, name: &str, v: F) -> Num<F> {
    AllocatedNum::alloc(cs.namespace(|| name.to_string()), || Ok(v))
        .unwrap()
        .into()
}

fn alloc_root(cs: &mut TestConstraintSystem<F>, v: F) -> MerkleState<F> {
    MerkleState {
        root: AllocatedNum::alloc(cs.namespace(|| "root"), || Ok(v)).unwrap(),
    }
}

/// Synthesizes one read with the given (possibly tampered) witness; returns satisfiability.
fn read_ok(mem: &MerkleMemory<F>, root: F, word: u64, leaf: F, path: &MerklePath<F>) -> bool {
    let mut cs = TestConstraintSystem::<F>::new();
    let st = alloc_root(&mut cs, root);
    let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(word), mem.word_bits()).unwrap();
    let leaf = alloc_num(&mut cs, "leaf", leaf);
    mem.read(cs.namespace(|| "read"), &st, &addr, &leaf, Some(path))
        .unwrap();
    cs.is_satisfied()
}

/// Synthesizes one read-modify-write; returns (satisfied, new root value).
fn rmw_ok(
    mem: &MerkleMemory<F>,
    root: F,
    word: u64,
    old: F,
    new: F,
    path: &MerklePath<F>,
) -> (bool, F) {
    let mut cs = TestConstraintSystem::<F>::new();
    let mut st = alloc_root(&mut cs, root);
    let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(word), mem.word_bits()).unwrap();
    let old = alloc_num(&mut cs, "old", old);
    let new = alloc_num(&mut cs, "new", new);
    mem.rmw(
        cs.namespace(|| "rmw"),
        &mut st,
        &addr,
        &old,
        &new,
        Some(path),
    )
    .unwrap();
    (cs.is_satisfied(), st.root.get_value().unwrap())
}

#[test]
fn circuit_read_matches_native_tree() {
    for (size, seed) in [(KIB4, 11u64), (KIB8, 12), (MIB16, 13)] {
        let mut f = fixture(size, seed);
        for _ in 0..4 {
            let a = f.rng.addr(size);
            let (leaf, path) = f.tree.read(a).unwrap();
            assert!(read_ok(
                &f.mem,
                f.tree.root(),
                a as u64 / 4,
                leaf.encode(),
                &path
            ));
        }
    }
}

#[test]
fn circuit_read_rejects_tampering() {
    let mut f = fixture(MIB16, 21);
    let a = f.rng.addr(MIB16);
    f.tree.rmw(a, f.rng.leaf()).unwrap();
    let (leaf, path) = f.tree.read(a).unwrap();
    let (root, w, l) = (f.tree.root(), a as u64 / 4, leaf.encode());
    assert!(read_ok(&f.mem, root, w, l, &path));
    // a tampered sibling at the bottom, middle and top level, every sibling slot
    for h in [0, 5, 10] {
        for k in 0..3 {
            let mut bad = path.clone();
            bad.siblings[h][k] += F::ONE;
            assert!(!read_ok(&f.mem, root, w, l, &bad), "sibling {h}.{k}");
        }
    }
    // a wrong leaf, including one that differs only in a tag
    assert!(!read_ok(&f.mem, root, w, l + F::ONE, &path));
    assert!(!read_ok(&f.mem, root, w, l + F::from(1u64 << 32), &path));
    // a wrong address: flip every bit in turn
    for bit in 0..22 {
        assert!(
            !read_ok(&f.mem, root, w ^ (1 << bit), l, &path),
            "bit {bit}"
        );
    }
    // a wrong root
    assert!(!read_ok(&f.mem, root + F::ONE, w, l, &path));
    // siblings in the wrong order (at the top level they are distinct subtrees)
    let mut bad = path.clone();
    let top = bad.siblings.len() - 1;
    let (i, j) = (0..3)
        .flat_map(|i| (i + 1..3).map(move |j| (i, j)))
        .find(|&(i, j)| bad.siblings[top][i] != bad.siblings[top][j])
        .expect("two distinct siblings at the top");
    bad.siblings[top].swap(i, j);
    assert!(!read_ok(&f.mem, root, w, l, &bad));
}

#[test]
fn circuit_read_of_a_word_with_a_different_address_and_same_path_shape() {
    // Two leaves with equal values at different addresses: the address bits select the path.
    let mut tree = SparseTree::<F>::empty(KIB4).unwrap();
    let l = Leaf::EMPTY.with_word(42);
    tree.rmw(0, l).unwrap();
    tree.rmw(4, l).unwrap();
    let mem = MerkleMemory::<F>::new(KIB4).unwrap();
    let (_, p0) = tree.read(0).unwrap();
    let (_, p1) = tree.read(4).unwrap();
    assert!(read_ok(&mem, tree.root(), 0, l.encode(), &p0));
    assert!(read_ok(&mem, tree.root(), 1, l.encode(), &p1));
    // the empty word 8 does not hold 42
    let (_, p2) = tree.read(8).unwrap();
    assert!(!read_ok(&mem, tree.root(), 2, l.encode(), &p2));
    assert!(read_ok(&mem, tree.root(), 2, Leaf::EMPTY.encode(), &p2));
}

#[test]
fn circuit_rmw_matches_native_and_rejects_wrong_old() {
    for (size, seed) in [(KIB4, 31u64), (KIB8, 32), (MIB16, 33)] {
        let mut f = fixture(size, seed);
        for i in 0..3 {
            let a = f.rng.addr(size);
            let w = a as u64 / 4;
            // a random old value, so that the neighbouring words hold something else
            f.tree.rmw(a, f.rng.leaf()).unwrap();
            let before = f.tree.root();
            let new = if i == 2 {
                f.tree.read(a).unwrap().0 // a no-op access
            } else {
                f.rng.leaf()
            };
            let (old, path) = f.tree.rmw(a, new).unwrap();
            let (ok, root) = rmw_ok(&f.mem, before, w, old.encode(), new.encode(), &path);
            assert!(ok);
            assert_eq!(root, f.tree.root(), "new root equals the native tree's");
            // wrong old value
            let (ok, _) = rmw_ok(
                &f.mem,
                before,
                w,
                old.encode::<F>() + F::ONE,
                new.encode(),
                &path,
            );
            assert!(!ok);
            // right old value against the wrong (already updated) root
            if i != 2 {
                let (ok, _) = rmw_ok(&f.mem, f.tree.root(), w, old.encode(), new.encode(), &path);
                assert!(!ok);
            }
            // tampered sibling: rejected
            let mut bad = path.clone();
            bad.siblings[0][1] += F::ONE;
            assert!(!rmw_ok(&f.mem, before, w, old.encode(), new.encode(), &bad).0);
            // wrong address bit: rejected
            assert!(!rmw_ok(&f.mem, before, w ^ 1, old.encode(), new.encode(), &path).0);
        }
    }
}

#[test]
fn rmw_chain_in_one_circuit() {
    // Several accesses on one evolving state, as the block circuit does per row.
    let mut f = fixture(KIB8, 41);
    let mut cs = TestConstraintSystem::<F>::new();
    let mut st = alloc_root(&mut cs, f.tree.root());
    for i in 0..6 {
        let a = f.rng.addr(KIB8);
        let mut ns = cs.namespace(|| format!("row {i}"));
        let addr = WordAddr::alloc(ns.namespace(|| "addr"), Some(a as u64 / 4), 11).unwrap();
        // fetch-like read against the incoming state
        let (leaf, path) = f.tree.read(a).unwrap();
        let l: Num<F> = AllocatedNum::alloc(ns.namespace(|| "leaf"), || Ok(leaf.encode()))
            .unwrap()
            .into();
        f.mem
            .read(ns.namespace(|| "read"), &st, &addr, &l, Some(&path))
            .unwrap();
        // then a write
        let new = f.rng.leaf();
        let (old, path) = f.tree.rmw(a, new).unwrap();
        let o: Num<F> = AllocatedNum::alloc(ns.namespace(|| "old"), || Ok(old.encode()))
            .unwrap()
            .into();
        let n: Num<F> = AllocatedNum::alloc(ns.namespace(|| "new"), || Ok(new.encode()))
            .unwrap()
            .into();
        f.mem
            .rmw(ns.namespace(|| "rmw"), &mut st, &addr, &o, &n, Some(&path))
            .unwrap();
    }
    assert!(cs.is_satisfied());
    assert_eq!(st.root.get_value(), Some(f.tree.root()));
    assert_eq!(f.mem.state_to_z(&st).len(), 1);
}

#[test]
fn store_into_non_writable_word_is_rejected() {
    let mut tree = SparseTree::<F>::empty(KIB4).unwrap();
    let code = Leaf {
        word: 0x13,
        writable: false,
        executable: true,
    };
    tree.rmw(16, code).unwrap();
    let mem = MerkleMemory::<F>::new(KIB4).unwrap();
    // Synthesize a store of `word` at 16 with the tag check: old leaf decomposed, the new
    // leaf keeps the tags, `is_store ⇒ W`.
    let run = |claimed_old: Leaf, is_store: bool| -> bool {
        let (old, path) = tree.read(16).unwrap();
        let _ = old;
        let mut cs = TestConstraintSystem::<F>::new();
        let mut st = alloc_root(&mut cs, tree.root());
        let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(4), 10).unwrap();
        let old = alloc_num(&mut cs, "old", claimed_old.encode());
        let bits = LeafBits::decompose(cs.namespace(|| "old bits"), &old).unwrap();
        let new_word = alloc_num(&mut cs, "new word", F::from(0x73u64));
        let new = bits.leaf_with_word::<F, TestConstraintSystem<F>>(&new_word);
        bits.enforce_writable_if(cs.namespace(|| "W"), &Boolean::constant(is_store));
        mem.rmw(
            cs.namespace(|| "rmw"),
            &mut st,
            &addr,
            &old,
            &new,
            Some(&path),
        )
        .unwrap();
        cs.is_satisfied()
    };
    assert!(
        !run(code, true),
        "store into W = 0 rejected by the tag check"
    );
    // lying about the tag breaks the path instead
    let lie = Leaf {
        writable: true,
        ..code
    };
    assert!(!run(lie, true));
    // a load (no store) of the same word with an unchanged leaf is fine
    {
        let (old, path) = tree.read(16).unwrap();
        let mut cs = TestConstraintSystem::<F>::new();
        let mut st = alloc_root(&mut cs, tree.root());
        let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(4), 10).unwrap();
        let o = alloc_num(&mut cs, "old", old.encode());
        let bits = LeafBits::decompose(cs.namespace(|| "old bits"), &o).unwrap();
        bits.enforce_writable_if(cs.namespace(|| "W"), &Boolean::constant(false));
        bits.enforce_executable(cs.namespace(|| "X"));
        mem.rmw(cs.namespace(|| "rmw"), &mut st, &addr, &o, &o, Some(&path))
            .unwrap();
        assert!(cs.is_satisfied());
    }
    // a store into a writable word passes, and fetch from it fails (X = 0)
    let data = Leaf::EMPTY.with_word(1);
    tree.rmw(20, data).unwrap();
    let (old, path) = tree.read(20).unwrap();
    let mut cs = TestConstraintSystem::<F>::new();
    let mut st = alloc_root(&mut cs, tree.root());
    let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(5), 10).unwrap();
    let o = alloc_num(&mut cs, "old", old.encode());
    let bits = LeafBits::decompose(cs.namespace(|| "old bits"), &o).unwrap();
    let w = alloc_num(&mut cs, "new word", F::from(2u64));
    let n = bits.leaf_with_word::<F, TestConstraintSystem<F>>(&w);
    bits.enforce_writable_if(cs.namespace(|| "W"), &Boolean::constant(true));
    mem.rmw(cs.namespace(|| "rmw"), &mut st, &addr, &o, &n, Some(&path))
        .unwrap();
    assert!(cs.is_satisfied());
    tree.store_word(20, 2).unwrap();
    assert_eq!(st.root.get_value(), Some(tree.root()));
    bits.enforce_executable(cs.namespace(|| "X"));
    assert!(!cs.is_satisfied());
}

#[test]
fn leaf_decomposition_rejects_malformed_leaves() {
    let mut cs = TestConstraintSystem::<F>::new();
    let l = alloc_num(&mut cs, "leaf", F::from(1u64 << 34));
    LeafBits::decompose(cs.namespace(|| "bits"), &l).unwrap();
    assert!(!cs.is_satisfied());
    let mut cs = TestConstraintSystem::<F>::new();
    let l = alloc_num(&mut cs, "leaf", -F::ONE);
    LeafBits::decompose(cs.namespace(|| "bits"), &l).unwrap();
    assert!(!cs.is_satisfied());
}

#[test]
fn byte_address_decomposition_is_a_bounds_check() {
    let check = |addr: F, word_bits: usize| -> (bool, u64, [bool; 2]) {
        let mut cs = TestConstraintSystem::<F>::new();
        let a = alloc_num(&mut cs, "a", addr);
        let (w, off) = WordAddr::from_byte_addr(cs.namespace(|| "dec"), &a, word_bits).unwrap();
        let word = w
            .bits()
            .iter()
            .enumerate()
            .map(|(i, b)| (b.get_value().unwrap() as u64) << i)
            .sum();
        (
            cs.is_satisfied(),
            word,
            [off[0].get_value().unwrap(), off[1].get_value().unwrap()],
        )
    };
    assert_eq!(check(F::from(0xfff_u64), 10), (true, 0x3ff, [true, true]));
    assert_eq!(check(F::from(0x1236_u64), 22), (true, 0x48d, [false, true]));
    assert!(!check(F::from(0x1000_u64), 10).0, "4 KiB is out of bounds");
    assert!(!check(-F::ONE, 22).0);
    assert!(check(F::from(MIB16 - 1), 22).0);
    assert!(!check(F::from(MIB16), 22).0);
    assert_eq!(low_u64(&F::from(u64::MAX)), u64::MAX);
}

#[test]
fn wrong_address_width_is_an_error() {
    let mem = MerkleMemory::<F>::new(KIB4).unwrap();
    let mut cs = TestConstraintSystem::<F>::new();
    let st = alloc_root(&mut cs, F::ZERO);
    let addr = WordAddr::from_bits(alloc_bits(cs.namespace(|| "a"), Some(0), 9).unwrap());
    let leaf = alloc_num(&mut cs, "leaf", F::ZERO);
    assert!(mem
        .read(cs.namespace(|| "read"), &st, &addr, &leaf, None)
        .is_err());
    let addr = WordAddr::from_bits(alloc_bits(cs.namespace(|| "b"), Some(0), 10).unwrap());
    let short = MerklePath {
        siblings: vec![[F::ZERO; 3]; 4],
    };
    assert!(mem
        .read(cs.namespace(|| "read2"), &st, &addr, &leaf, Some(&short))
        .is_err());
    assert!(mem.state_from_z(&[]).is_err());
}

// ---------------------------------------------------------------- constraint counts

/// (read, rmw) constraint counts for a memory size, from the shape (no witness), checked
/// equal to the counts of a satisfied witness synthesis.
fn counts(size: u64) -> (usize, usize) {
    let mem = MerkleMemory::<F>::new(size).unwrap();
    let bits = mem.word_bits();
    // shape synthesis: no hint, no values
    let shape = |rmw: bool| -> usize {
        let mut cs = ShapeCS::<E>::new();
        let root = AllocatedNum::alloc(cs.namespace(|| "root"), || Ok(F::ZERO)).unwrap();
        let mut st = MerkleState { root };
        let addr = WordAddr::from_bits(
            (0..bits)
                .map(|i| {
                    Boolean::from(
                        nova_snark::frontend::AllocatedBit::alloc(
                            cs.namespace(|| format!("b{i}")),
                            None,
                        )
                        .unwrap(),
                    )
                })
                .collect(),
        );
        let leaf: Num<F> = AllocatedNum::alloc(cs.namespace(|| "leaf"), || Ok(F::ZERO))
            .unwrap()
            .into();
        let before = cs.num_constraints();
        if rmw {
            mem.rmw(cs.namespace(|| "rmw"), &mut st, &addr, &leaf, &leaf, None)
                .unwrap();
        } else {
            mem.read(cs.namespace(|| "read"), &st, &addr, &leaf, None)
                .unwrap();
        }
        cs.num_constraints() - before
    };
    let (r, w) = (shape(false), shape(true));
    // witness synthesis has the same size
    let (mut tree, mut rng) = random_tree(size, 5, 99);
    let a = rng.addr(size);
    let (leaf, path) = tree.read(a).unwrap();
    let mut cs = TestConstraintSystem::<F>::new();
    let st = alloc_root(&mut cs, tree.root());
    let addr = WordAddr::alloc(cs.namespace(|| "addr"), Some(a as u64 / 4), bits).unwrap();
    let l = alloc_num(&mut cs, "leaf", leaf.encode());
    let before = cs.num_constraints();
    mem.read(cs.namespace(|| "read"), &st, &addr, &l, Some(&path))
        .unwrap();
    assert_eq!(cs.num_constraints() - before, r);
    assert!(cs.is_satisfied());
    let new = rng.leaf();
    let (old, path) = tree.rmw(a, new).unwrap();
    let o = alloc_num(&mut cs, "old", old.encode());
    let n = alloc_num(&mut cs, "new", new.encode());
    let mut st2 = st.clone();
    let before = cs.num_constraints();
    mem.rmw(cs.namespace(|| "rmw"), &mut st2, &addr, &o, &n, Some(&path))
        .unwrap();
    assert_eq!(cs.num_constraints() - before, w);
    assert!(cs.is_satisfied());
    (r, w)
}

#[test]
fn constraint_counts() {
    let mut rows = Vec::new();
    for size in [KIB4, KIB8, MIB16] {
        let (r, w) = counts(size);
        let levels = TreeGeometry::new(size).unwrap().levels();
        println!(
            "memory {size:>9} B, {levels:2} levels: read {r:5} constraints, rmw {w:5} (plan for 16 MiB: 3,256 / 6,512)"
        );
        rows.push((size, r, w));
    }
    // Pinned (regression): update the table in circuit/memory/mod.rs when these change.
    assert_eq!(
        rows,
        vec![(KIB4, 1476, 2937), (KIB8, 1766, 3517), (MIB16, 3246, 6459)]
    );
}

// ---------------------------------------------------------------- program images

fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../guest/examples/{name}.elf",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Independent reference for the image leaves: scan the VM's loaded memory word by word and
/// derive the tags byte by byte from the segment list.
fn reference_leaves(program: &Program, size: u64) -> Vec<(u64, Leaf)> {
    let mem = Memory::new(size, program).unwrap();
    let bytes = mem.as_bytes();
    let mut out = Vec::new();
    for w in 0..size / 4 {
        let a = w * 4;
        let word = u32::from_le_bytes(bytes[a as usize..a as usize + 4].try_into().unwrap());
        let writable = (a..a + 4).all(|b| {
            program
                .segments
                .iter()
                .all(|s| !(s.vaddr as u64 <= b && b < s.end()) || s.flags.write)
        });
        let executable = program
            .segments
            .iter()
            .any(|s| s.flags.execute && s.vaddr as u64 <= a && a + 4 <= s.end());
        let l = Leaf {
            word,
            writable,
            executable,
        };
        if l != Leaf::EMPTY {
            out.push((w, l));
        }
    }
    out
}

#[test]
fn initial_root_of_example_guests() {
    let t = Instant::now();
    let _ = NodeHasher::<F>::new(11);
    println!(
        "Poseidon U4 constants: {:.2} ms (included in each initial root below)",
        t.elapsed().as_secs_f64() * 1e3
    );
    for name in ["hello", "fib", "sha256", "sort", "loop"] {
        let program = Program::from_elf(&example(name), MIB16).unwrap();
        let t = Instant::now();
        let root: F = initial_root(&program, MIB16).unwrap();
        let elapsed = t.elapsed();
        let g = TreeGeometry::new(MIB16).unwrap();
        let leaves = image_leaves(&program, &g).unwrap();
        println!(
            "{name:7}: initial root of a 16 MiB memory in {:.2} ms ({} non-empty words)",
            elapsed.as_secs_f64() * 1e3,
            leaves.len()
        );
        assert_eq!(leaves, reference_leaves(&program, MIB16), "{name}");
        let tree = SparseTree::<F>::from_program(MIB16, &program).unwrap();
        assert_eq!(tree.root(), root);
        // the entry word is executable and read-only
        let (entry, _) = tree.read(program.entry).unwrap();
        assert!(entry.executable && !entry.writable, "{name}");
        // a different memory size gives an unrelated root
        assert_ne!(initial_root::<F>(&program, MIB16 * 2).unwrap(), root);
    }
}

#[test]
fn image_tags_at_segment_edges() {
    let flags = |w, x| SegmentFlags {
        read: true,
        write: w,
        execute: x,
    };
    let program = Program {
        entry: 0x100,
        segments: vec![
            // code ending inside a word: the last word is neither X nor W (mixed bytes)
            Segment {
                vaddr: 0x100,
                mem_size: 7,
                data: vec![0x13, 0, 0, 0, 1, 2, 3],
                flags: flags(false, true),
            },
            // read-only data starting mid-word, followed by zero fill
            Segment {
                vaddr: 0x202,
                mem_size: 10,
                data: vec![0xaa, 0xbb],
                flags: flags(false, false),
            },
            // writable data: only file bytes produce leaves; .bss stays empty
            Segment {
                vaddr: 0x300,
                mem_size: 0x100,
                data: vec![0, 0, 0, 0, 5],
                flags: flags(true, false),
            },
        ],
    };
    let g = TreeGeometry::new(KIB4).unwrap();
    let leaves = image_leaves(&program, &g).unwrap();
    assert_eq!(leaves, reference_leaves(&program, KIB4));
    let get = |a: u64| {
        leaves
            .iter()
            .find(|(w, _)| *w == a / 4)
            .map(|(_, l)| *l)
            .unwrap_or(Leaf::EMPTY)
    };
    assert_eq!(
        get(0x100),
        Leaf {
            word: 0x13,
            writable: false,
            executable: true
        }
    );
    assert_eq!(
        get(0x104),
        Leaf {
            word: 0x030201,
            writable: false,
            executable: false
        }
    );
    assert_eq!(
        get(0x200),
        Leaf {
            word: 0xbbaa_0000,
            writable: false,
            executable: false
        }
    );
    assert!(!get(0x208).writable);
    assert_eq!(get(0x20c), Leaf::EMPTY);
    assert_eq!(get(0x300), Leaf::EMPTY);
    assert_eq!(get(0x304), Leaf::EMPTY.with_word(5));
    // overlapping or oversized segments are errors, not panics
    let mut bad = program.clone();
    bad.segments[1].vaddr = 0x104;
    assert!(matches!(
        image_leaves(&bad, &g),
        Err(MemoryArgError::OverlappingSegments { .. })
    ));
    let mut bad = program.clone();
    bad.segments[2].mem_size = 0x1000;
    assert!(matches!(
        image_leaves(&bad, &g),
        Err(MemoryArgError::BadSegment { .. })
    ));
    let mut bad = program;
    bad.segments[2].data = vec![0; 0x101];
    assert!(image_leaves(&bad, &g).is_err());
}
