//! PCD tree tests: a tree of 8 leaves equals the sequential run, proof size independent of
//! the number of leaves, every false tree rejected, checkpoint / resume.

mod common;

use canopy_folding::{FoldingError, MergeFault};
use canopy_pcd::{checkpoint, prove_leaf, Accumulator, PcdError, Reducer, F1};
use common::{pp, segments, start};
use std::time::Instant;

#[test]
fn tree_of_8_leaves_equals_the_sequential_run() {
    let pp = pp();
    let (segs, (pc_end, z_end)) = segments(start(), 8, 2);
    let t = Instant::now();
    let mut r = Reducer::new(pp);
    // two windows of four leaves, each proven in parallel
    r.prove_window(&segs[..4]).unwrap();
    assert_eq!(r.stack().len(), 1, "4 leaves reduce to one subtree");
    r.prove_window(&segs[4..]).unwrap();
    assert_eq!(r.merges(), 7);
    let root = r.finish().unwrap();
    let tree_time = t.elapsed();
    root.verify(pp).unwrap();
    assert_eq!(root.num_steps(), 16);
    assert_eq!(root.state().0, F1::from(pc_end));
    assert_eq!(root.state().1, &z_end[..]);
    // the sequential run: one leaf of 16 steps
    let (seq, _) = segments(start(), 1, 16);
    let t = Instant::now();
    let seq = prove_leaf(pp, &seq[0]).unwrap();
    let seq_time = t.elapsed();
    seq.verify(pp).unwrap();
    assert_eq!(seq.start(), root.start());
    assert_eq!(seq.state(), root.state());
    assert_eq!(seq.num_steps(), root.num_steps());
    println!("8 leaves x 2 steps + 7 merges: {tree_time:?}; 16 sequential steps: {seq_time:?}");
}

#[test]
fn proof_size_is_independent_of_the_number_of_leaves() {
    let pp = pp();
    let mut sizes = Vec::new();
    let mut verify_times = Vec::new();
    for leaves in [4usize, 16, 64] {
        let (segs, _) = segments(start(), leaves, 1);
        let mut r = Reducer::new(pp);
        // windows of two leaves; the stack is the binary counter of the leaves pushed:
        // one subtree per set bit (bounded memory: at most log2(n) + 1 accumulators)
        for (k, w) in segs.chunks(2).enumerate() {
            r.prove_window(w).unwrap();
            let pushed = 2 * (k as u64 + 1);
            assert_eq!(r.stack().len() as u32, pushed.count_ones());
        }
        let root = r.finish().unwrap();
        let t = Instant::now();
        root.verify(pp).unwrap();
        verify_times.push(t.elapsed());
        sizes.push(root.to_bytes().unwrap().len());
    }
    println!("verify time for 4 / 16 / 64 leaves: {verify_times:?}");
    println!("accumulator bytes for 4 / 16 / 64 leaves: {sizes:?}");
    assert!(sizes[0] > 0);
    assert_eq!(sizes[0], sizes[1]);
    assert_eq!(sizes[0], sizes[2]);
}

/// Leaves 0..4 of one step each, proven once for the negative tests.
fn four_leaves() -> Vec<Accumulator> {
    let (segs, _) = segments(start(), 4, 1);
    segs.iter().map(|s| prove_leaf(pp(), s).unwrap()).collect()
}

#[test]
fn false_trees_are_rejected() {
    let pp = pp();
    let l = four_leaves();
    let merge = |a: &Accumulator, b: &Accumulator| Accumulator::merge(pp, a, b);
    let cheat = |a: &Accumulator, b: &Accumulator| {
        Accumulator::merge_with_fault(pp, a, b, MergeFault::SkipNativeChecks).unwrap()
    };
    // two leaves swapped
    assert!(matches!(
        merge(&l[1], &l[0]),
        Err(FoldingError::NotAdjacent(_))
    ));
    assert!(cheat(&l[1], &l[0]).verify(pp).is_err(), "swapped");
    // swapped inside a larger tree: ((0,2),(1,3)) and ((0,1),(3,2))
    let a = cheat(&l[0], &l[2]);
    let b = cheat(&l[1], &l[3]);
    assert!(cheat(&a, &b).verify(pp).is_err(), "swapped in a tree");
    // a leaf dropped: (0, 2) and ((0,1), 3)
    assert!(merge(&l[0], &l[2]).is_err());
    assert!(cheat(&l[0], &l[2]).verify(pp).is_err(), "dropped");
    let ok01 = merge(&l[0], &l[1]).unwrap();
    ok01.verify(pp).unwrap();
    assert!(cheat(&ok01, &l[3]).verify(pp).is_err(), "dropped leaf 2");
    // the reducer refuses a non-adjacent leaf
    let mut r = Reducer::new(pp);
    r.push(l[0].clone()).unwrap();
    assert!(r.push(l[2].clone()).is_err());
    // a tampered merge witness or cross term, also under an honest parent
    for f in [
        MergeFault::TamperPmWitness,
        MergeFault::TamperSmWitness,
        MergeFault::WrongCrossTerm,
    ] {
        let bad = Accumulator::merge_with_fault(pp, &l[0], &l[1], f).unwrap();
        assert!(bad.verify(pp).is_err(), "{f:?}");
        let parent = merge(&bad, &merge(&l[2], &l[3]).unwrap()).unwrap();
        assert!(parent.verify(pp).is_err(), "parent of {f:?}");
    }
    // a leaf of another program: another start state (not adjacent) ...
    let (other, _) = segments((0, vec![F1::from(4u64), F1::from(5u64)]), 1, 1);
    let other = prove_leaf(pp, &other[0]).unwrap();
    assert!(merge(&l[0], &other).is_err());
    assert!(cheat(&l[0], &other).verify(pp).is_err(), "other z0");
    // ... or other parameters (other circuits)
    let other_circuits = vec![common::Toy { id: 1 }, common::Toy { id: 0 }];
    let pp2 = canopy_pcd::PublicParams::setup(&other_circuits).unwrap();
    let (s, _) = segments(start(), 2, 1);
    let mut seg = s[1].clone();
    seg.circuits = other_circuits;
    let foreign = prove_leaf(&pp2, &seg).unwrap();
    assert!(matches!(
        merge(&l[0], &foreign),
        Err(FoldingError::DigestMismatch)
    ));
    assert!(foreign.verify(pp).is_err());
}

#[test]
fn checkpoint_resume_gives_the_same_statement() {
    let pp = pp();
    let dir = tempfile::tempdir().unwrap();
    let ctx = b"program digest || input digest";
    let (segs, (pc_end, z_end)) = segments(start(), 5, 1);
    // first run: checkpoint after every merge, "killed" after three leaves
    let mut r = Reducer::new(pp);
    for s in &segs[..3] {
        let leaf = prove_leaf(pp, s).unwrap();
        r.push_with(leaf, |r| checkpoint::save(dir.path(), pp, ctx, r))
            .unwrap();
    }
    drop(r);
    // the last checkpoint was written after leaf 1's merge: it covers leaves 0 and 1
    let cp = checkpoint::load(dir.path(), pp, ctx).unwrap().unwrap();
    assert_eq!(cp.next_leaf, 2);
    // refused for another context
    assert!(matches!(
        checkpoint::load(dir.path(), pp, b"other program"),
        Err(PcdError::Checkpoint(_))
    ));
    let (mut r, next) = checkpoint::resume(pp, cp).unwrap();
    for s in &segs[next as usize..] {
        let leaf = prove_leaf(pp, s).unwrap();
        r.push_with(leaf, |r| checkpoint::save(dir.path(), pp, ctx, r))
            .unwrap();
    }
    let root = r.finish().unwrap();
    root.verify(pp).unwrap();
    assert_eq!(root.num_steps(), 5);
    assert_eq!(root.start().1, &start().1[..]);
    assert_eq!(root.state().0, F1::from(pc_end));
    assert_eq!(root.state().1, &z_end[..]);
    // a truncated or extended checkpoint is a clear error
    let p = checkpoint::path(dir.path());
    let good = std::fs::read(&p).unwrap();
    for bad in [
        &good[..good.len() / 3],
        &[good.as_slice(), &[0]].concat()[..],
    ] {
        std::fs::write(&p, bad).unwrap();
        assert!(matches!(
            checkpoint::load(dir.path(), pp, ctx),
            Err(PcdError::Checkpoint(_))
        ));
    }
    // a corrupted checkpoint is refused
    std::fs::write(&p, &good).unwrap();
    let mut bytes = good.clone();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&p, &bytes).unwrap();
    let res = checkpoint::load(dir.path(), pp, ctx).and_then(|cp| match cp {
        Some(cp) => checkpoint::resume(pp, cp).map(|_| ()),
        None => Ok(()),
    });
    assert!(res.is_err());
}

#[test]
fn leaf_and_merge_times() {
    let pp = pp();
    let (segs, _) = segments(start(), 2, 4);
    let t = Instant::now();
    let a = prove_leaf(pp, &segs[0]).unwrap();
    let leaf = t.elapsed();
    let b = prove_leaf(pp, &segs[1]).unwrap();
    let t = Instant::now();
    let m = Accumulator::merge(pp, &a, &b).unwrap();
    let merge = t.elapsed();
    m.verify(pp).unwrap();
    let sizes = pp.merge_sizes();
    let leaf_sizes = pp.sizes();
    println!(
        "leaf of 4 steps: {leaf:?} ({:?} per step); merge of two leaves: {merge:?}; \
         PM = {:?}, SM = {:?}, F'_0 = {:?}, S' = {:?}",
        leaf / 4,
        sizes.pm,
        sizes.sm,
        leaf_sizes.primary[0],
        leaf_sizes.secondary
    );
}
