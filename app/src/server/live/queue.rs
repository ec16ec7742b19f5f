//! A socket's bounded event queue that holds no heap memory while empty.
//!
//! Why not `tokio::sync::mpsc`: its channel allocates its first block of
//! 32 slots when made and keeps it for good (with its cache-padded state,
//! about 1.8 KiB a socket), and most sockets are idle most of the time.
//! Here the frames wait in a `VecDeque` that allocates on the first frame
//! and is given back once the socket has drained a burst, so an idle
//! socket's queue is its small shared state alone (measured by
//! `make bench-floor`'s idle RSS per socket; see ARCHITECTURE.md).
//!
//! One sender (the hub, under its registry lock) and one receiver (the
//! socket's task). Sending never waits: a full queue is the hub's signal to
//! cut a slow reader off.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use super::hub::Outgoing;

/// Above this many slots, a queue that has drained gives its buffer back
/// (a burst's growth is not kept by an idle socket).
const KEEP_SLOTS: usize = 8;

/// A queue of at most `capacity` frames (at least 1): its two ends.
pub fn bounded(capacity: usize) -> (QueueSender, QueueReceiver) {
    let shared = Arc::new(Shared {
        frames: Mutex::new(VecDeque::new()),
        capacity: capacity.max(1),
        ready: Notify::new(),
        sender_gone: AtomicBool::new(false),
        receiver_gone: AtomicBool::new(false),
    });
    (
        QueueSender {
            shared: shared.clone(),
        },
        QueueReceiver { shared },
    )
}

struct Shared {
    frames: Mutex<VecDeque<Outgoing>>,
    capacity: usize,
    /// Stores a permit when nobody waits, so a frame sent between the
    /// receiver finding the queue empty and its waiting is not missed.
    ready: Notify,
    sender_gone: AtomicBool,
    receiver_gone: AtomicBool,
}

impl Shared {
    fn frames(&self) -> MutexGuard<'_, VecDeque<Outgoing>> {
        // Every change under the lock is one push or pop: a panic cannot
        // leave the deque half-changed, so a poisoned lock is still valid.
        self.frames.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why [`QueueSender::try_send`] did not queue a frame.
#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// `capacity` frames are waiting: the reader is not keeping up.
    Full,
    /// The receiver is gone (the socket's task ended).
    Closed,
}

/// The hub's end. Dropping it ends the receiver's [`QueueReceiver::recv`]
/// with `None` once the queue is drained.
pub struct QueueSender {
    shared: Arc<Shared>,
}

impl QueueSender {
    /// Queues `frame` without waiting.
    pub fn try_send(&self, frame: Outgoing) -> Result<(), SendError> {
        if self.shared.receiver_gone.load(Ordering::Acquire) {
            return Err(SendError::Closed);
        }
        {
            let mut frames = self.shared.frames();
            if frames.len() >= self.shared.capacity {
                return Err(SendError::Full);
            }
            frames.push_back(frame);
        }
        self.shared.ready.notify_one();
        Ok(())
    }
}

impl Drop for QueueSender {
    fn drop(&mut self) {
        self.shared.sender_gone.store(true, Ordering::Release);
        self.shared.ready.notify_one();
    }
}

/// The socket task's end.
pub struct QueueReceiver {
    shared: Arc<Shared>,
}

impl QueueReceiver {
    /// The next frame, waiting for one; `None` once the sender is gone and
    /// nothing is left. Cancel-safe: dropped while waiting, it loses nothing.
    pub async fn recv(&mut self) -> Option<Outgoing> {
        loop {
            // Read before looking, so a frame sent just before the sender
            // went is still found below.
            let gone = self.shared.sender_gone.load(Ordering::Acquire);
            if let Some(frame) = self.try_recv() {
                return Some(frame);
            }
            if gone {
                return None;
            }
            self.shared.ready.notified().await;
        }
    }

    /// The next frame if one is waiting. A queue left empty with a grown
    /// buffer gives it back.
    pub fn try_recv(&mut self) -> Option<Outgoing> {
        let mut frames = self.shared.frames();
        let frame = frames.pop_front();
        if frames.is_empty() && frames.capacity() > KEEP_SLOTS {
            *frames = VecDeque::new();
        }
        frame
    }
}

impl Drop for QueueReceiver {
    fn drop(&mut self) {
        self.shared.receiver_gone.store(true, Ordering::Release);
        // What was queued goes with it, not with the last handle.
        self.shared.frames().clear();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::extract::ws::Utf8Bytes;

    use super::*;

    fn frame(event: i64) -> Outgoing {
        Outgoing {
            event,
            text: Utf8Bytes::from(event.to_string()),
        }
    }

    #[tokio::test]
    async fn frames_come_out_in_order_and_a_full_queue_refuses() {
        let (tx, mut rx) = bounded(3);
        for e in 1..=3 {
            assert_eq!(tx.try_send(frame(e)), Ok(()));
        }
        assert_eq!(tx.try_send(frame(4)), Err(SendError::Full));
        assert_eq!(rx.recv().await.map(|f| f.event), Some(1));
        assert_eq!(tx.try_send(frame(5)), Ok(()));
        let rest: Vec<i64> = std::iter::from_fn(|| rx.try_recv().map(|f| f.event)).collect();
        assert_eq!(rest, [2, 3, 5]);
        assert!(rx.try_recv().is_none());
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_for_a_frame() {
        let (tx, mut rx) = bounded(4);
        let waiting = tokio::spawn(async move { rx.recv().await.map(|f| f.event) });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        assert_eq!(tx.try_send(frame(7)), Ok(()));
        assert!(matches!(waiting.await, Ok(Some(7))));
    }

    #[tokio::test]
    async fn the_receiver_drains_then_ends_when_the_sender_goes() {
        let (tx, mut rx) = bounded(4);
        assert_eq!(tx.try_send(frame(1)), Ok(()));
        drop(tx);
        assert_eq!(rx.recv().await.map(|f| f.event), Some(1));
        assert!(rx.recv().await.is_none());
    }

    #[tokio::test]
    async fn a_gone_receiver_closes_the_queue() {
        let (tx, rx) = bounded(4);
        drop(rx);
        assert_eq!(tx.try_send(frame(1)), Err(SendError::Closed));
    }

    #[tokio::test]
    async fn a_cancelled_wait_loses_nothing() {
        let (tx, mut rx) = bounded(4);
        let timed_out = tokio::time::timeout(Duration::from_millis(10), rx.recv()).await;
        assert!(timed_out.is_err());
        assert_eq!(tx.try_send(frame(3)), Ok(()));
        assert_eq!(rx.recv().await.map(|f| f.event), Some(3));
    }

    #[test]
    fn an_idle_queue_holds_no_buffer_after_a_burst() {
        let (tx, mut rx) = bounded(256);
        assert_eq!(tx.shared.frames().capacity(), 0, "nothing until used");
        for e in 0..100 {
            assert_eq!(tx.try_send(frame(e)), Ok(()));
        }
        while rx.try_recv().is_some() {}
        assert_eq!(tx.shared.frames().capacity(), 0, "given back once drained");
    }
}
