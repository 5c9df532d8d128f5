//! A thread-local flag set for the duration of a call: how a reading or a rendering is chosen
//! deep inside derived serde impls, which give no other way to pass it down.

use std::cell::Cell;
use std::thread::LocalKey;

/// Runs `f` with `flag` set on this thread; the previous value is restored after, also when `f`
/// unwinds.
pub(crate) fn with_set<T>(flag: &'static LocalKey<Cell<bool>>, f: impl FnOnce() -> T) -> T {
    struct Restore(&'static LocalKey<Cell<bool>>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.0.with(|cell| cell.set(self.1));
        }
    }
    let _restore = Restore(flag, flag.with(|cell| cell.replace(true)));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static FLAG: Cell<bool> = const { Cell::new(false) };
    }

    #[test]
    fn the_flag_is_set_inside_and_restored_after_also_on_unwind() {
        assert!(with_set(&FLAG, || FLAG.with(Cell::get)));
        assert!(!FLAG.with(Cell::get));
        assert!(with_set(&FLAG, || with_set(&FLAG, || true) && FLAG.with(Cell::get)));
        assert!(!FLAG.with(Cell::get));
        let unwound = std::panic::catch_unwind(|| with_set(&FLAG, || panic!("inside")));
        assert!(unwound.is_err());
        assert!(!FLAG.with(Cell::get));
    }
}
