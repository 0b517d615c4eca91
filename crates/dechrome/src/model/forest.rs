//! Gradient-boosted trees, evaluated for many feature vectors at once without branching on the
//! data: each split clears, for the vectors that go right, the leaves of its left subtree from
//! a bit mask of the leaves each vector may still reach, and each vector ends in the leftmost
//! leaf left (the scheme of QuickScorer, Lucchese et al., 2015). Splits run over whole columns of
//! values, so the loops vectorize and the trees stay in cache.

use std::ops::Range;

use serde::Deserialize;

/// One tree as stored in a model file: node `i` sends a line left when its feature
/// `split[i]` is at most `threshold[i]`, right otherwise; a child `c < 0` is leaf `!c`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TreeSpec {
    split: Vec<u32>,
    threshold: Vec<f32>,
    left: Vec<i32>,
    right: Vec<i32>,
    leaf: Vec<f32>,
}

/// Leaves a tree may have: one bit each in a mask.
const MAX_LEAVES: usize = 32;

/// A tree's splits and leaves, as ranges of the forest's arrays.
#[derive(Debug, Clone)]
struct Tree {
    splits: Range<usize>,
    leaves: Range<usize>,
}

/// A sum of trees over one feature vector.
#[derive(Debug, Clone)]
pub(crate) struct Forest {
    trees: Vec<Tree>,
    /// Per split: the feature it reads, its threshold, and the leaves still reachable when a
    /// value is above the threshold (every leaf but those of its left subtree).
    features: Vec<u32>,
    thresholds: Vec<f32>,
    right_masks: Vec<u32>,
    /// Leaf values, each tree's from left to right.
    leaves: Vec<f32>,
    bias: f32,
}

impl Forest {
    /// Flattens `trees`, checking that every reference points inside the tree and every feature
    /// below `features`, that children come after their parents (as tree dumps list them, which
    /// rules out cycles), that every leaf is reached once, and that no tree has more than 32
    /// leaves.
    pub(crate) fn new(trees: &[TreeSpec], bias: f32, features: usize) -> Result<Self, String> {
        let mut forest = Forest {
            trees: Vec::with_capacity(trees.len()),
            features: Vec::new(),
            thresholds: Vec::new(),
            right_masks: Vec::new(),
            leaves: Vec::new(),
            bias,
        };
        for (number, tree) in trees.iter().enumerate() {
            forest.add(tree, features).map_err(|what| format!("tree {number}: {what}"))?;
        }
        Ok(forest)
    }

    fn add(&mut self, tree: &TreeSpec, features: usize) -> Result<(), String> {
        let splits = tree.split.len();
        if [tree.threshold.len(), tree.left.len(), tree.right.len()].iter().any(|&n| n != splits) {
            return Err("split, threshold, left and right differ in length".into());
        }
        if tree.leaf.is_empty() || tree.leaf.len() != splits + 1 {
            return Err("a tree of n splits has n + 1 leaves".into());
        }
        if tree.leaf.len() > MAX_LEAVES {
            return Err(format!("{} leaves (at most {MAX_LEAVES})", tree.leaf.len()));
        }
        if tree.leaf.iter().chain(&tree.threshold).any(|value| !value.is_finite()) {
            return Err("a threshold or leaf value that is not a number".into());
        }
        if tree.split.iter().any(|&feature| feature as usize >= features) {
            return Err("a split on a feature the stage does not have".into());
        }
        for (i, (&left, &right)) in tree.left.iter().zip(&tree.right).enumerate() {
            for child in [left, right] {
                if child >= 0 && (child as usize <= i || child as usize >= splits) {
                    return Err(format!("node {child} out of range or before its parent"));
                }
                if child < 0 && !child as usize >= tree.leaf.len() {
                    return Err(format!("leaf {} out of range", !child));
                }
            }
        }
        // Leaves in left-to-right order, and each split's left subtree as a range of them.
        let mut order: Vec<usize> = Vec::with_capacity(tree.leaf.len());
        let mut left_leaves: Vec<Range<usize>> = vec![0..0; splits];
        if splits == 0 {
            order.push(0);
        } else {
            collect_leaves(tree, 0, &mut order, &mut left_leaves);
        }
        let mut seen = vec![false; tree.leaf.len()];
        for &leaf in &order {
            if std::mem::replace(&mut seen[leaf], true) {
                return Err(format!("leaf {leaf} is reached twice"));
            }
        }
        if seen.contains(&false) {
            return Err("a leaf no split reaches".into());
        }
        let first_split = self.features.len();
        for (i, range) in left_leaves.iter().enumerate() {
            let left_bits = range.clone().fold(0u32, |mask, leaf| mask | (1 << leaf));
            self.features.push(tree.split[i]);
            self.thresholds.push(tree.threshold[i]);
            self.right_masks.push(!left_bits);
        }
        let first_leaf = self.leaves.len();
        self.leaves.extend(order.iter().map(|&leaf| tree.leaf[leaf]));
        self.trees.push(Tree { splits: first_split..self.features.len(), leaves: first_leaf..self.leaves.len() });
        Ok(())
    }

    /// The raw scores (log-odds) of many feature vectors given column by column (`columns[f][i]`:
    /// feature `f` of vector `i`), into `scores`; `masks` is scratch space.
    pub(crate) fn score_columns(&self, columns: &[&[f32]], scores: &mut [f32], masks: &mut Vec<u32>) {
        let n = scores.len();
        scores.fill(self.bias);
        masks.resize(n, 0);
        for tree in &self.trees {
            masks.fill(u32::MAX);
            for split in tree.splits.clone() {
                let (threshold, right_mask) = (self.thresholds[split], self.right_masks[split]);
                // Columns are as long as `scores` and features were checked when the forest was
                // built; a missing one reads as values below every threshold.
                let Some(column) = columns.get(self.features[split] as usize) else { continue };
                for (mask, &value) in masks.iter_mut().zip(&column[..n]) {
                    *mask &= if value > threshold { right_mask } else { u32::MAX };
                }
            }
            let leaves = &self.leaves[tree.leaves.clone()];
            for (score, mask) in scores.iter_mut().zip(masks.iter()) {
                *score += leaves[(mask.trailing_zeros() as usize).min(leaves.len() - 1)];
            }
        }
    }
}

/// Appends the leaves under node `node` to `order`, left to right, and records for each split
/// below the range of its left subtree's leaves in that order.
fn collect_leaves(tree: &TreeSpec, node: usize, order: &mut Vec<usize>, left_leaves: &mut [Range<usize>]) {
    let visit = |child: i32, order: &mut Vec<usize>, left_leaves: &mut [Range<usize>]| {
        if child < 0 {
            order.push(!child as usize);
        } else {
            collect_leaves(tree, child as usize, order, left_leaves);
        }
    };
    let start = order.len();
    visit(tree.left[node], order, left_leaves);
    left_leaves[node] = start..order.len();
    visit(tree.right[node], order, left_leaves);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(split: &[u32], threshold: &[f32], left: &[i32], right: &[i32], leaf: &[f32]) -> TreeSpec {
        TreeSpec {
            split: split.to_vec(),
            threshold: threshold.to_vec(),
            left: left.to_vec(),
            right: right.to_vec(),
            leaf: leaf.to_vec(),
        }
    }

    /// A tree walked node by node, as a reference.
    fn walk(tree: &TreeSpec, vector: &[f32]) -> f32 {
        if tree.split.is_empty() {
            return tree.leaf[0];
        }
        let mut at = 0i32;
        while at >= 0 {
            let node = at as usize;
            at = if vector[tree.split[node] as usize] <= tree.threshold[node] {
                tree.left[node]
            } else {
                tree.right[node]
            };
        }
        tree.leaf[!at as usize]
    }

    fn scores(forest: &Forest, vectors: &[[f32; 3]]) -> Vec<f32> {
        let columns: Vec<Vec<f32>> = (0..3).map(|f| vectors.iter().map(|v| v[f]).collect()).collect();
        let columns: Vec<&[f32]> = columns.iter().map(Vec::as_slice).collect();
        let mut scores = vec![0.0; vectors.len()];
        forest.score_columns(&columns, &mut scores, &mut Vec::new());
        scores
    }

    #[test]
    fn every_vector_ends_in_the_leaf_a_walk_reaches() {
        // x0 <= 1 ? (x1 <= 5 ? 1 : 2) : (x2 <= 0 ? 3 : (x1 <= 2 ? 4 : 5)), leaves numbered out of
        // order; a one-leaf tree worth 0.5.
        let trees = [
            tree(&[0, 1, 2, 1], &[1.0, 5.0, 0.0, 2.0], &[1, !3, !0, !4], &[2, !1, 3, !2], &[3.0, 2.0, 5.0, 1.0, 4.0]),
            tree(&[], &[], &[], &[], &[0.5]),
        ];
        let forest = Forest::new(&trees, -1.0, 3).unwrap();
        let mut vectors = Vec::new();
        for x0 in [0.0, 1.0, 2.0] {
            for x1 in [0.0, 2.0, 3.0, 5.0, 6.0] {
                for x2 in [-1.0, 0.0, 1.0] {
                    vectors.push([x0, x1, x2]);
                }
            }
        }
        let expected: Vec<f32> = vectors.iter().map(|v| -1.0 + walk(&trees[0], v) + 0.5).collect();
        assert_eq!(scores(&forest, &vectors), expected);
        assert_eq!(scores(&forest, &[[0.0, 0.0, 0.0]]), [0.5 + 1.0 - 1.0]);
    }

    #[test]
    fn malformed_trees_are_refused() {
        let bad = [
            tree(&[0], &[1.0], &[0], &[!1], &[1.0, 2.0]), // a node that is its own child
            tree(&[0], &[1.0], &[!0], &[!5], &[1.0, 2.0]), // a leaf out of range
            tree(&[7], &[1.0], &[!0], &[!1], &[1.0, 2.0]), // a feature out of range
            tree(&[0], &[f32::NAN], &[!0], &[!1], &[1.0, 2.0]), // not a number
            tree(&[0], &[1.0], &[!0], &[!1], &[1.0]),     // a leaf missing
            tree(&[0], &[1.0], &[!0], &[!0], &[1.0, 2.0]), // a leaf reached twice
        ];
        for (i, tree) in bad.into_iter().enumerate() {
            assert!(Forest::new(&[tree], 0.0, 2).is_err(), "case {i}");
        }
    }
}
