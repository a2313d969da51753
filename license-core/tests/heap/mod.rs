//! The counting global allocator the heap-bound tests share: per thread
//! (so tests running in parallel each measure only their own reader) and
//! for the whole process (for readers that allocate on worker threads).
//! A test binary that declares `mod heap;` counts every allocation it makes.

#![allow(dead_code)] // each test binary uses the measures it needs

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Every byte ever allocated: the work a reader does, which a peak
    /// does not show (a scratch buffer freed at once costs no peak).
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

static PROCESS_LIVE: AtomicIsize = AtomicIsize::new(0);
static PROCESS_PEAK: AtomicIsize = AtomicIsize::new(0);

fn note(delta: isize) {
    // `try_with`: the allocator also runs while a thread's locals are torn
    // down; those bytes are nobody's measurement.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    if delta > 0 {
        let _ = TOTAL.try_with(|total| total.set(total.get() + delta as usize));
    }
    let now = PROCESS_LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
    PROCESS_PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// bookkeeping only touches const-initialised thread locals and atomics,
// which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        note(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // A moving realloc holds both blocks for a moment.
            note(new_size as isize);
            note(-(layout.size() as isize));
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`; returns its result and the most heap bytes this thread held
/// beyond what it held before (the result's own bytes included).
pub fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(Cell::get) - base).max(0) as usize)
}

/// Runs `f`; returns its result and the heap bytes this thread allocated
/// meanwhile, freed or not.
pub fn allocated<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = TOTAL.with(Cell::get);
    let out = f();
    (out, TOTAL.with(Cell::get) - base)
}

/// Runs `f`; returns its result and the most heap bytes the process held
/// meanwhile beyond what it held before (the result's own bytes and every
/// worker thread's included).
pub fn process_peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = PROCESS_LIVE.load(Ordering::Relaxed);
    PROCESS_PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, (PROCESS_PEAK.load(Ordering::Relaxed) - base).max(0) as usize)
}
