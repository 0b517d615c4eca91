//! A scoped parallel map, for work that splits into independent items.

/// `f` over `items` on up to `threads` threads, the results in the order of `items`.
pub(crate) fn map_in_parallel<T: Sync, U: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    let mut results: Vec<(usize, U)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                scope.spawn(move || {
                    items.iter().enumerate().skip(first).step_by(threads).map(|(i, item)| (i, f(item))).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    results.sort_unstable_by_key(|&(index, _)| index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_for_any_thread_count() {
        let items: Vec<u32> = (0..103).collect();
        for threads in [1, 2, 3, 8, 200] {
            assert_eq!(map_in_parallel(&items, threads, |x| x * 2), items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(map_in_parallel(&[] as &[u32], 4, |x| *x).is_empty());
    }
}
