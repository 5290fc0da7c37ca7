//! A global allocator that counts live heap bytes and blocks, their peak,
//! and calls that allocate; shared by the `memory` and `scale` benches.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Counts live heap bytes and blocks, the peak, and calls that allocate.
pub struct Counting;

fn grew(bytes: usize) {
    let live = LIVE_BYTES.fetch_add(bytes, Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Relaxed);
}

// SAFETY: each method calls the same method of `System` with the same
// arguments and returns its result; the counters do not touch memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew(layout.size());
            LIVE_BLOCKS.fetch_add(1, Relaxed);
            ALLOCATIONS.fetch_add(1, Relaxed);
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            grew(layout.size());
            LIVE_BLOCKS.fetch_add(1, Relaxed);
            ALLOCATIONS.fetch_add(1, Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Relaxed);
        LIVE_BLOCKS.fetch_sub(1, Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
            ALLOCATIONS.fetch_add(1, Relaxed);
        }
        moved
    }
}

/// Heap in use now: (bytes, blocks).
pub fn live() -> (usize, usize) {
    (LIVE_BYTES.load(Relaxed), LIVE_BLOCKS.load(Relaxed))
}

/// Starts a new peak from what is live now.
pub fn reset_peak() {
    PEAK_BYTES.store(LIVE_BYTES.load(Relaxed), Relaxed);
}

/// Most heap bytes in use since [`reset_peak`].
pub fn peak() -> usize {
    PEAK_BYTES.load(Relaxed)
}

/// Calls that allocated or reallocated so far.
pub fn allocations() -> usize {
    ALLOCATIONS.load(Relaxed)
}
