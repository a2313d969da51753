//! A counting global allocator: the peak heap a closure needs, per thread.
//!
//! The counters are thread-local so that `cargo test`, which runs the
//! corpus replays on several threads at once, measures each parse alone.
//! Only allocations made while [`peak_during`] runs are counted; memory
//! freed then that was allocated before is ignored (the count never goes
//! below the level at the start).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting live bytes on the calling thread.
pub struct Counting;

thread_local! {
    // `const` initialisers with no destructor: safe to touch from inside
    // the allocator (no lazy initialisation, no allocation).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(n: usize) {
    if ACTIVE.with(Cell::get) {
        let live = LIVE.with(|l| {
            let v = l.get().saturating_add(n);
            l.set(v);
            v
        });
        PEAK.with(|p| p.set(p.get().max(live)));
    }
}

fn shrink(n: usize) {
    if ACTIVE.with(Cell::get) {
        LIVE.with(|l| l.set(l.get().saturating_sub(n)));
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are
// plain thread-local cells that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as the old block freed after the new one exists: the
            // true peak of a moving realloc.
            grow(new_size);
            shrink(layout.size());
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most heap bytes it held at
/// once (beyond what was live when it started).
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let was_active = ACTIVE.with(|a| a.replace(true));
    let (live0, peak0) = (LIVE.with(Cell::get), PEAK.with(Cell::get));
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    let out = f();
    let peak = PEAK.with(Cell::get);
    // Nested measurements: the outer one sees the inner peak on top of
    // what it had live.
    LIVE.with(|l| l.set(live0 + l.get()));
    PEAK.with(|p| p.set(peak0.max(live0 + peak)));
    ACTIVE.with(|a| a.set(was_active));
    (out, peak)
}

/// Runs `f` and panics (a finding for libFuzzer, a failure for the corpus
/// replay) if its peak heap exceeds `bound` bytes.
pub fn within<T>(what: &str, input_len: usize, bound: usize, f: impl FnOnce() -> T) -> T {
    let (out, peak) = peak_during(f);
    assert!(
        peak <= bound,
        "{what}: peak heap {peak} bytes on a {input_len}-byte input, over the documented bound of {bound}"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_of_a_vector_is_its_capacity() {
        let ((), peak) = peak_during(|| {
            let v: Vec<u8> = Vec::with_capacity(10_000);
            drop(v);
            let w: Vec<u8> = Vec::with_capacity(3_000);
            drop(w);
        });
        assert_eq!(peak, 10_000);
    }

    #[test]
    fn nested_measurements_add_up() {
        let (inner, outer) = peak_during(|| {
            let keep: Vec<u8> = Vec::with_capacity(1_000);
            let ((), inner) = peak_during(|| drop(Vec::<u8>::with_capacity(5_000)));
            drop(keep);
            inner
        });
        assert_eq!((inner, outer), (5_000, 6_000));
    }

    #[test]
    #[should_panic(expected = "over the documented bound")]
    fn a_parse_over_its_bound_fails() {
        within("test", 1, 100, || drop(Vec::<u8>::with_capacity(101)));
    }
}
