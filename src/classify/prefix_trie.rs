//! A byte trie of patterns that must match at the start of a line (`exact` and `prefix` rules,
//! and the required prefixes of anchored regexes). Walking it from the first byte stops at the
//! first byte no pattern continues with, so a prose line usually costs a handful of steps
//! however many patterns there are.

/// Index of a pattern in the order it was inserted.
pub(crate) type PatternId = u32;

#[derive(Debug, Default)]
struct Node {
    /// Sorted by byte.
    children: Vec<(u8, u32)>,
    /// Patterns that end at this node.
    ends: Vec<PatternId>,
}

/// Patterns compared ASCII case-insensitively (callers recheck case-sensitive ones).
#[derive(Debug)]
pub(crate) struct PrefixTrie {
    nodes: Vec<Node>,
    /// Child of the root for every (lowercased) first byte; 0 when there is none.
    root_children: Box<[u32; 256]>,
}

impl Default for PrefixTrie {
    fn default() -> Self {
        Self { nodes: vec![Node::default()], root_children: Box::new([0; 256]) }
    }
}

impl PrefixTrie {
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
        self.nodes.push(Node::default());
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
            for &id in &current.ends {
                found(id, depth);
            }
            let Some(&byte) = line.get(depth) else { return };
            let byte = byte.to_ascii_lowercase();
            match current.children.binary_search_by_key(&byte, |&(b, _)| b) {
                Ok(at) => node = current.children[at].1 as usize,
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
        let mut trie = PrefixTrie::default();
        for (id, pattern) in ["read", "Read:", "readers", "x"].iter().enumerate() {
            trie.insert(pattern.as_bytes(), id as PatternId);
        }
        let mut found = Vec::new();
        trie.for_each_prefix_of(b"READ: more", |id, len| found.push((id, len)));
        assert_eq!(found, [(0, 4), (1, 5)]);
        found.clear();
        trie.for_each_prefix_of(b"rea", |id, len| found.push((id, len)));
        trie.for_each_prefix_of(b"", |id, len| found.push((id, len)));
        trie.for_each_prefix_of(b"prose", |id, len| found.push((id, len)));
        assert!(found.is_empty());
    }
}
