//! Thread pools for batches, one set per process.
//!
//! Engines that run Python workers (Spark, datatrove, multiprocessing) fork them; a forked
//! child has none of its parent's threads, so a pool made before the fork would wait forever
//! for workers that do not exist. Pools are therefore keyed by process id and never rayon's
//! global pool: a child makes its own on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuildError, ThreadPoolBuilder};

struct Pools {
    pid: u32,
    by_threads: HashMap<usize, Arc<ThreadPool>>,
}

static POOLS: Mutex<Option<Pools>> = Mutex::new(None);

fn pool(threads: usize) -> Result<Arc<ThreadPool>, ThreadPoolBuildError> {
    let pid = std::process::id();
    let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(inherited) = pools.take_if(|pools| pools.pid != pid) {
        // The parent's pools: their threads are not in this process, and dropping them would
        // signal threads that are not there.
        std::mem::forget(inherited);
    }
    let pools = pools.get_or_insert_with(|| Pools { pid, by_threads: HashMap::new() });
    if let Some(pool) = pools.by_threads.get(&threads) {
        return Ok(pool.clone());
    }
    let pool =
        Arc::new(ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("dechrome-{i}")).build()?);
    pools.by_threads.insert(threads, pool.clone());
    Ok(pool)
}

/// `f` over `items` on a pool of `threads` threads, results in order; with one thread (or one
/// item), on the calling thread.
pub(crate) fn map<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> U + Sync + Send,
) -> Result<Vec<U>, ThreadPoolBuildError> {
    if threads <= 1 || items.len() <= 1 {
        return Ok(items.iter().map(f).collect());
    }
    Ok(pool(threads)?.install(|| items.par_iter().with_max_len(1).map(f).collect()))
}
