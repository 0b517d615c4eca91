//! Scoped parallel work: a map over independent items, and two independent jobs side by side.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` over `items` on up to `threads` threads (the calling thread is one of them), the results
/// in the order of `items`. Items are handed out one at a time as threads become free, so a few
/// slow items, or a thread that shares its core with other work, do not hold the others up.
pub(crate) fn map_in_parallel<T: Sync, U: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { break };
            done.push((index, f(item)));
        }
        done
    };
    let mut results: Vec<(usize, U)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut results = work();
        for helper in helpers {
            results.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        results
    });
    results.sort_unstable_by_key(|&(index, _)| index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// `side` and `main`'s results: with `spare_thread`, `side` runs on a thread of its own while
/// `main` runs on the calling thread; otherwise both run here, one after the other.
pub(crate) fn join_beside<A: Send, B>(
    spare_thread: bool,
    side: impl FnOnce() -> A + Send,
    main: impl FnOnce() -> B,
) -> (A, B) {
    if !spare_thread {
        return (side(), main());
    }
    std::thread::scope(|scope| {
        let beside = scope.spawn(side);
        let main_result = main();
        (beside.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), main_result)
    })
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

    #[test]
    fn join_beside_runs_the_side_job_on_another_thread_only_when_asked() {
        let here = std::thread::current().id();
        let on = || std::thread::current().id();
        assert_eq!(join_beside(false, on, on), (here, here));
        let (side, main) = join_beside(true, on, on);
        assert_ne!(side, here);
        assert_eq!(main, here);
    }
}
