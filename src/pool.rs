//! Idle keep-alive connections, by origin.

use crate::url::Origin;
use parking_lot::Mutex;
use std::time::{Duration, Instant};
use ureq::unversioned::transport::Transport;

pub type Connection = Box<dyn Transport>;

struct Idle {
    origin: Origin,
    conn: Connection,
    since: Instant,
}

pub struct Pool {
    idle: Mutex<Vec<Idle>>,
    per_origin: usize,
    max_age: Duration,
}

impl Pool {
    pub fn new(per_origin: usize, max_age: Duration) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            per_origin,
            max_age,
        }
    }

    /// The most recently used open connection to `origin`, if any.
    pub fn take(&self, origin: &Origin) -> Option<Connection> {
        loop {
            let (found, expired) = {
                let mut idle = self.idle.lock();
                let now = Instant::now();
                let expired = if idle
                    .iter()
                    .any(|i| now.duration_since(i.since) >= self.max_age)
                {
                    let (old, fresh) = std::mem::take(&mut *idle)
                        .into_iter()
                        .partition(|i| now.duration_since(i.since) >= self.max_age);
                    *idle = fresh;
                    old
                } else {
                    Vec::new()
                };
                let found = idle
                    .iter()
                    .rposition(|i| &i.origin == origin)
                    .map(|at| idle.remove(at).conn);
                (found, expired)
            };
            // Closing sockets, and probing one, happen outside the lock.
            drop(expired);
            let mut conn = found?;
            // A connection the server closed while it was idle reads as closed (or holds bytes
            // nobody asked for): dropped here rather than used for a request.
            if conn.is_open() {
                return Some(conn);
            }
        }
    }

    /// Keeps `conn` for the next request to `origin`; the oldest one goes when there are too many.
    pub fn put(&self, origin: Origin, conn: Connection) {
        let evicted = {
            let mut idle = self.idle.lock();
            let evicted = if idle.iter().filter(|i| i.origin == origin).count() >= self.per_origin {
                idle.iter()
                    .position(|i| i.origin == origin)
                    .map(|at| idle.remove(at))
            } else {
                None
            };
            idle.push(Idle {
                origin,
                conn,
                since: Instant::now(),
            });
            evicted
        };
        drop(evicted);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.idle.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::{Buffers, LazyBuffers, NextTimeout};

    /// Its id is the first byte of its output buffer.
    #[derive(Debug)]
    struct Fake {
        open: bool,
        buffers: LazyBuffers,
    }

    impl Transport for Fake {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            self.open
        }
    }

    fn fake(id: u8, open: bool) -> Connection {
        let mut fake = Fake {
            open,
            buffers: LazyBuffers::new(16, 16),
        };
        fake.buffers.output()[0] = id;
        Box::new(fake)
    }

    fn id(mut conn: Connection) -> u8 {
        conn.buffers().output()[0]
    }

    #[test]
    fn newest_first_per_origin_closed_ones_skipped_and_capped() {
        let a = Origin::of_url("http://127.0.0.1:1/").unwrap();
        let b = Origin::of_url("http://127.0.0.1:2/").unwrap();
        let pool = Pool::new(2, Duration::from_secs(60));
        pool.put(a.clone(), fake(1, true));
        pool.put(b.clone(), fake(2, true));
        pool.put(a.clone(), fake(3, false));
        // 3 is the newest for `a` but closed: skipped and dropped.
        assert_eq!(id(pool.take(&a).unwrap()), 1);
        assert!(pool.take(&a).is_none());
        assert_eq!(pool.len(), 1);
        // At most two per origin: the oldest goes.
        pool.put(a.clone(), fake(4, true));
        pool.put(a.clone(), fake(5, true));
        pool.put(a.clone(), fake(6, true));
        assert_eq!(pool.len(), 3);
        assert_eq!(id(pool.take(&a).unwrap()), 6);
        assert_eq!(id(pool.take(&a).unwrap()), 5);
        assert!(pool.take(&a).is_none());
        assert_eq!(id(pool.take(&b).unwrap()), 2);
    }

    #[test]
    fn idle_connections_expire() {
        let a = Origin::of_url("http://127.0.0.1:1/").unwrap();
        let pool = Pool::new(4, Duration::from_millis(20));
        pool.put(a.clone(), fake(1, true));
        std::thread::sleep(Duration::from_millis(40));
        assert!(pool.take(&a).is_none());
        assert_eq!(pool.len(), 0);
    }
}
