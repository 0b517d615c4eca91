//! A byte trie of patterns that must match at the start of a line (`exact` and `prefix` rules,
//! and the required prefixes of anchored regexes). Walking it from the first byte stops at the
//! first byte no pattern continues with, so a prose line usually costs a handful of steps
//! however many patterns there are.

/// Index of a pattern in the order it was inserted.
pub(crate) type PatternId = u32;

/// A trie node while patterns are inserted.
#[derive(Debug, Default)]
struct BuilderNode {
    /// Sorted by byte.
    children: Vec<(u8, u32)>,
    /// Patterns that end at this node.
    ends: Vec<PatternId>,
}

/// Collects patterns (compared ASCII case-insensitively), then freezes them into a
/// [`PrefixTrie`].
#[derive(Debug)]
pub(crate) struct PrefixTrieBuilder {
    nodes: Vec<BuilderNode>,
    /// Child of the root for every (lowercased) first byte; 0 when there is none.
    root_children: Box<[u32; 256]>,
}

impl Default for PrefixTrieBuilder {
    fn default() -> Self {
        Self { nodes: vec![BuilderNode::default()], root_children: Box::new([0; 256]) }
    }
}

impl PrefixTrieBuilder {
    pub(crate) fn insert(&mut self, pattern: &[u8], id: PatternId) {
        let mut node = 0usize;
        for (depth, &byte) in pattern.iter().enumerate() {
            let byte = byte.to_ascii_lowercase();
            let existing = if depth == 0 {
                Some(self.root_children[byte as usize]).filter(|&child| child != 0)
            } else {
                let children = &self.nodes[node].children;
                children.binary_search_by_key(&byte, |&(b, _)| b).ok().map(|at| children[at].1)
            };
            node = match existing {
                Some(child) => child as usize,
                None => self.add_child(node, byte, depth == 0),
            };
        }
        self.nodes[node].ends.push(id);
    }

    fn add_child(&mut self, parent: usize, byte: u8, at_root: bool) -> usize {
        let child = self.nodes.len();
        self.nodes.push(BuilderNode::default());
        // Node counts stay far below u32::MAX: every node is a byte of some pattern.
        let child_index = child as u32;
        if at_root {
            self.root_children[byte as usize] = child_index;
        } else {
            let children = &mut self.nodes[parent].children;
            let at = children.partition_point(|&(b, _)| b < byte);
            children.insert(at, (byte, child_index));
        }
        child
    }

    /// The same trie in a few flat arrays: a fraction of the memory of a vector per node.
    pub(crate) fn build(self) -> PrefixTrie {
        let mut trie = PrefixTrie {
            nodes: Vec::with_capacity(self.nodes.len()),
            edge_bytes: Vec::with_capacity(self.nodes.len()),
            edge_targets: Vec::with_capacity(self.nodes.len()),
            ends: Vec::new(),
            root_children: self.root_children,
        };
        for node in self.nodes {
            trie.nodes.push(Node {
                edges: span(trie.edge_bytes.len(), node.children.len()),
                ends: span(trie.ends.len(), node.ends.len()),
            });
            trie.edge_bytes.extend(node.children.iter().map(|&(byte, _)| byte));
            trie.edge_targets.extend(node.children.iter().map(|&(_, target)| target));
            trie.ends.extend(node.ends);
        }
        trie
    }
}

/// A range of one of [`PrefixTrie`]'s flat arrays. Offsets fit: every edge and every end is a
/// byte of some pattern.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

fn span(start: usize, len: usize) -> Span {
    Span { start: start as u32, len: len as u32 }
}

impl Span {
    fn of<T>(self, items: &[T]) -> &[T] {
        &items[self.start as usize..(self.start + self.len) as usize]
    }
}

#[derive(Debug)]
struct Node {
    /// Outgoing edges in [`PrefixTrie::edge_bytes`] (sorted) and `edge_targets`.
    edges: Span,
    /// Patterns ending here, in [`PrefixTrie::ends`].
    ends: Span,
}

/// Patterns compared ASCII case-insensitively (callers recheck case-sensitive ones).
#[derive(Debug)]
pub(crate) struct PrefixTrie {
    nodes: Vec<Node>,
    edge_bytes: Vec<u8>,
    edge_targets: Vec<u32>,
    ends: Vec<PatternId>,
    /// Child of the root for every (lowercased) first byte; 0 when there is none.
    root_children: Box<[u32; 256]>,
}

impl PrefixTrie {
    /// Calls `found(id, len)` for every pattern that `line` starts with, shortest first.
    pub(crate) fn for_each_prefix_of(&self, line: &[u8], mut found: impl FnMut(PatternId, usize)) {
        let Some(&first) = line.first() else { return };
        let mut node = self.root_children[first.to_ascii_lowercase() as usize] as usize;
        if node == 0 {
            return;
        }
        let mut depth = 1;
        loop {
            let current = &self.nodes[node];
            for &id in current.ends.of(&self.ends) {
                found(id, depth);
            }
            let Some(&byte) = line.get(depth) else { return };
            match current.edges.of(&self.edge_bytes).binary_search(&byte.to_ascii_lowercase()) {
                Ok(at) => node = current.edges.of(&self.edge_targets)[at] as usize,
                Err(_) => return,
            }
            depth += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_prefix_case_insensitively() {
        let mut builder = PrefixTrieBuilder::default();
        for (id, pattern) in ["read", "Read:", "readers", "x", "rEd"].iter().enumerate() {
            builder.insert(pattern.as_bytes(), id as PatternId);
        }
        let trie = builder.build();
        let mut found = Vec::new();
        trie.for_each_prefix_of(b"READ: more", |id, len| found.push((id, len)));
        assert_eq!(found, [(0, 4), (1, 5)]);
        found.clear();
        trie.for_each_prefix_of(b"Red", |id, len| found.push((id, len)));
        assert_eq!(found, [(4, 3)]);
        found.clear();
        trie.for_each_prefix_of(b"rea", |id, len| found.push((id, len)));
        trie.for_each_prefix_of(b"", |id, len| found.push((id, len)));
        trie.for_each_prefix_of(b"prose", |id, len| found.push((id, len)));
        assert!(found.is_empty());
    }
}
