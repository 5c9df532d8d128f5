//! Wake-ups a call causes itself, answered by polling again on the spot.
//!
//! An inline HTTP/1.1 connection is polled inside the calling task, so hyper's own hand-offs
//! (the request put in the connection's channel, the response head and body handed back) wake
//! the very task that is polling. Tokio treats a task woken while it runs as one that yields:
//! it goes to the back of the queue and an idle worker is woken to steal it (an `eventfd`
//! write, a thread wake-up, often a move to another CPU), only to be polled again at once. The
//! connection's waker is therefore this wrapper: a wake-up while the call is being polled only
//! marks it, and the call goes round again before it returns; any other wake-up goes to the
//! task. Outside a runtime worker (`block_on` on the caller's thread) the same answers a wake-up
//! without an unpark.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Not being polled: a wake-up goes to the task.
const IDLE: u8 = 0;
/// Being polled: a wake-up is marked.
const POLLING: u8 = 1;
/// Being polled, and woken meanwhile: poll again.
const WOKEN: u8 = 2;

/// Rounds of one poll before giving the scheduler its turn: a future that keeps waking itself
/// (a cooperative yield, tokio's budget spent) is let yield after these.
const MAX_ROUNDS: usize = 8;

/// The waker of one connection, reused from call to call.
pub(crate) struct WakeInPlace {
    shared: Arc<Shared>,
    waker: Waker,
}

struct Shared {
    state: AtomicU8,
    /// The waker of the task polling now (or last).
    task: AtomicWaker,
}

impl Wake for Shared {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        match self
            .state
            .compare_exchange(POLLING, WOKEN, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) | Err(WOKEN) => {}
            Err(_) => self.task.wake(),
        }
    }
}

impl WakeInPlace {
    pub(crate) fn new() -> Self {
        let shared = Arc::new(Shared {
            state: AtomicU8::new(IDLE),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(Arc::clone(&shared));
        Self { shared, waker }
    }

    /// Polls with `poll` under this waker, again for as long as `poll` woke it (up to
    /// [`MAX_ROUNDS`]); a wake-up after it returned `Pending` wakes `cx`'s task.
    pub(crate) fn poll<T>(
        &self,
        cx: &mut Context<'_>,
        mut poll: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.shared.task.register(cx.waker());
        let mut own = Context::from_waker(&self.waker);
        for _ in 0..MAX_ROUNDS {
            self.shared.state.store(POLLING, Ordering::Release);
            if let Poll::Ready(output) = poll(&mut own) {
                self.shared.state.store(IDLE, Ordering::Release);
                return Poll::Ready(output);
            }
            if self
                .shared
                .state
                .compare_exchange(POLLING, IDLE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Poll::Pending;
            }
        }
        self.shared.state.store(IDLE, Ordering::Release);
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Runs `f` (which may wake this waker: a request put in the connection's channel) as part
    /// of a poll that is about to follow; a wake-up it causes is not passed on to the task.
    pub(crate) fn in_place<T>(&self, f: impl FnOnce() -> T) -> T {
        self.shared.state.store(POLLING, Ordering::Release);
        let output = f();
        self.shared.state.store(IDLE, Ordering::Release);
        output
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// Counts the wake-ups of a task.
    #[derive(Default)]
    struct Task(AtomicUsize);

    impl Wake for Task {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl Task {
        fn woken(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    /// A task that counts its wake-ups, its waker, and a connection's waker to poll under.
    fn task_and_connection_waker() -> (Arc<Task>, Waker, WakeInPlace) {
        let task = Arc::new(Task::default());
        let waker = Waker::from(Arc::clone(&task));
        (task, waker, WakeInPlace::new())
    }

    /// Polls once under `wake` to `Pending`, and returns the waker the poll was given.
    fn waker_given_to_a_pending_poll(wake: &WakeInPlace, cx: &mut Context<'_>) -> Waker {
        let mut given = None;
        let polled: Poll<()> = wake.poll(cx, |cx| {
            given = Some(cx.waker().clone());
            Poll::Pending
        });
        assert_eq!(polled, Poll::Pending);
        given.expect("polled")
    }

    #[test]
    fn wake_ups_during_a_poll_are_answered_by_polling_again_not_by_the_task() {
        let (task, waker, wake) = task_and_connection_waker();
        let mut polls = 0;
        // Wakes itself on its first three polls, as hyper's hand-offs do, then is done.
        let result = wake.poll(&mut Context::from_waker(&waker), |cx| {
            polls += 1;
            if polls < 4 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(polls)
        });
        assert_eq!(result, Poll::Ready(4));
        assert_eq!(task.woken(), 0);
    }

    #[test]
    fn a_wake_up_after_pending_wakes_the_task() {
        let (task, waker, wake) = task_and_connection_waker();
        let given = waker_given_to_a_pending_poll(&wake, &mut Context::from_waker(&waker));
        assert_eq!(task.woken(), 0);
        given.wake();
        assert_eq!(task.woken(), 1);
    }

    #[test]
    fn a_future_that_keeps_waking_itself_still_yields_to_the_scheduler() {
        let (task, waker, wake) = task_and_connection_waker();
        let mut polls = 0;
        let result: Poll<()> = wake.poll(&mut Context::from_waker(&waker), |cx| {
            polls += 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        assert_eq!(result, Poll::Pending);
        assert_eq!(polls, MAX_ROUNDS);
        assert_eq!(task.woken(), 1);
    }

    #[test]
    fn a_wake_up_caused_in_place_is_not_passed_on() {
        let (task, waker, wake) = task_and_connection_waker();
        let given = waker_given_to_a_pending_poll(&wake, &mut Context::from_waker(&waker));
        wake.in_place(|| given.wake_by_ref());
        assert_eq!(task.woken(), 0);
        given.wake_by_ref();
        assert_eq!(task.woken(), 1);
    }
}
