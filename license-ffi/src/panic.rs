//! The panic boundary: no panic ever unwinds into C.
//!
//! Every exported function runs its whole body inside
//! [`ffi_panic_boundary!`]. The macro is used *inside* plain
//! `#[no_mangle] pub extern "C" fn` items rather than wrapping them, so
//! cbindgen still sees every signature.

use std::ptr::{null, null_mut};

use crate::status::lc_status;

/// What a function returns when its body panicked (or, for functions that
/// do not return `lc_status`, a harmless default).
pub(crate) trait PanicValue {
    fn panic_value() -> Self;
}

impl PanicValue for lc_status {
    fn panic_value() -> Self {
        lc_status::Panic
    }
}

impl PanicValue for () {
    fn panic_value() -> Self {}
}

impl PanicValue for bool {
    fn panic_value() -> Self {
        false
    }
}

impl PanicValue for u64 {
    fn panic_value() -> Self {
        0
    }
}

impl PanicValue for usize {
    fn panic_value() -> Self {
        0
    }
}

impl<T> PanicValue for *const T {
    fn panic_value() -> Self {
        null()
    }
}

impl<T> PanicValue for *mut T {
    fn panic_value() -> Self {
        null_mut()
    }
}

/// Runs the body, turning a panic into [`PanicValue::panic_value`] and
/// recording a message for `lc_last_error_message`.
///
/// `AssertUnwindSafe` is sound here because after a panic nothing the body
/// touched is used again by this call: the caller only sees the status.
macro_rules! ffi_panic_boundary {
    ( $($body:tt)* ) => {{
        #[allow(unused_mut, clippy::redundant_closure_call)]
        let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            $crate::panic::forced_panic_point();
            $($body)*
        }));
        match result {
            Ok(value) => value,
            Err(payload) => {
                $crate::status::set_last_error(format!(
                    "internal error (panic): {}",
                    $crate::panic::payload_text(&*payload)
                ));
                $crate::panic::PanicValue::panic_value()
            }
        }
    }};
}
pub(crate) use ffi_panic_boundary;

/// The text of a panic payload, when it is a string.
pub(crate) fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

#[cfg(feature = "force-panic")]
thread_local! {
    static FORCE_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Test-only (feature `force-panic`): make the next exported function
/// called on this thread panic inside its boundary.
#[cfg(feature = "force-panic")]
pub fn force_next_panic() {
    FORCE_PANIC.with(|f| f.set(true));
}

/// Panics when a test asked for it; compiled to nothing otherwise.
#[inline(always)]
pub(crate) fn forced_panic_point() {
    #[cfg(feature = "force-panic")]
    if FORCE_PANIC.with(|f| f.replace(false)) {
        panic!("forced by the test hook");
    }
}
