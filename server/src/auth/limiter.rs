//! Failed sign-ins counted per account and per client address, in bounded memory.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use domain::account::Email;

/// What failed sign-ins are counted against: the account asked for, and the address asking.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(Email),
    Address(IpAddr),
}

/// Counts failed sign-ins per account and per client address, and refuses more than each limit
/// within `window`. Its memory is bounded: past `capacity` keys, those whose failures have all
/// expired go first, then the ones that failed longest ago.
#[derive(Clone)]
pub struct LoginLimiter {
    inner: Arc<Mutex<HashMap<Key, VecDeque<Instant>>>>,
    per_account: usize,
    per_address: usize,
    window: Duration,
    capacity: usize,
}

impl LoginLimiter {
    /// A limiter of `per_account` failures per account and `per_address` per address in each
    /// `window`, remembering at most `capacity` accounts and addresses.
    pub fn new(per_account: usize, per_address: usize, window: Duration, capacity: usize) -> Self {
        Self {
            inner: Arc::default(),
            per_account,
            per_address,
            window,
            capacity,
        }
    }

    /// What an attempt counts against. A loopback address is not one caller: behind a reverse
    /// proxy on this machine every caller arrives from it, and fifty typos would lock out the shop.
    fn keys(account: &Email, address: Option<IpAddr>) -> impl Iterator<Item = Key> {
        std::iter::once(Key::Account(account.clone()))
            .chain(address.filter(|a| !a.is_loopback()).map(Key::Address))
    }

    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Account(_) => self.per_account,
            Key::Address(_) => self.per_address,
        }
    }

    /// Whether another attempt for this account from this address is allowed now; how long to
    /// wait when not.
    pub fn check(&self, account: &Email, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.inner.lock().expect("limiter lock");
        let mut wait = None::<Duration>;
        for key in Self::keys(account, address) {
            let Some(v) = map.get_mut(&key) else { continue };
            while v
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                v.pop_front();
            }
            if v.len() >= self.limit(&key) {
                let left = self.window - now.duration_since(v[v.len() - self.limit(&key)]);
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        wait.map_or(Ok(()), Err)
    }

    /// Records a failed attempt for this account from this address.
    pub fn failed(&self, account: &Email, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.inner.lock().expect("limiter lock");
        for key in Self::keys(account, address) {
            if !map.contains_key(&key) && map.len() >= self.capacity {
                map.retain(|_, v| {
                    v.back()
                        .is_some_and(|t| now.duration_since(*t) < self.window)
                });
                if map.len() >= self.capacity {
                    let stalest = map
                        .iter()
                        .min_by_key(|(_, v)| v.back().copied())
                        .map(|(k, _)| k.clone());
                    if let Some(k) = stalest {
                        map.remove(&k);
                    }
                }
            }
            let v = map.entry(key).or_default();
            v.push_back(now);
            // More than the largest limit is never needed to decide.
            while v.len() > self.per_account.max(self.per_address) {
                v.pop_front();
            }
        }
    }

    /// How many accounts and addresses it remembers.
    pub fn remembered(&self) -> usize {
        self.inner.lock().expect("limiter lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn an_account_locks_however_its_email_is_written() {
        let l = LoginLimiter::new(3, 100, Duration::from_secs(60), 100);
        for _ in 0..3 {
            l.failed(&email(" M@t.test\t"), None);
        }
        assert!(l.check(&email("m@t.test"), None).is_err());
        assert!(l.check(&email("  m@T.TEST "), None).is_err());
        assert!(l.check(&email("other@t.test"), None).is_ok());
    }

    #[test]
    fn one_address_trying_many_accounts_is_stopped() {
        let l = LoginLimiter::new(3, 5, Duration::from_secs(60), 100);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for n in 0..5 {
            l.failed(&email(&format!("u{n}@t.test")), Some(ip));
        }
        let wait = l.check(&email("fresh@t.test"), Some(ip)).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert!(l
            .check(
                &email("fresh@t.test"),
                Some("203.0.113.10".parse().unwrap())
            )
            .is_ok());
    }

    #[test]
    fn failures_expire_with_the_window() {
        let l = LoginLimiter::new(2, 100, Duration::from_millis(50), 100);
        l.failed(&email("m@t.test"), None);
        l.failed(&email("m@t.test"), None);
        assert!(l.check(&email("m@t.test"), None).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.check(&email("m@t.test"), None).is_ok());
    }

    #[test]
    fn memory_stays_bounded_under_a_spray_of_accounts() {
        let l = LoginLimiter::new(3, 1_000_000, Duration::from_secs(60), 1_000);
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        for n in 0..10_000 {
            l.failed(&email(&format!("u{n}@t.test")), Some(ip));
        }
        assert!(l.remembered() <= 1_000, "{}", l.remembered());
        // The address that sprayed is still remembered (it failed last, not longest ago).
        assert!(l.check(&email("u9999@t.test"), Some(ip)).is_ok());
        l.failed(&email("u9999@t.test"), Some(ip));
        l.failed(&email("u9999@t.test"), Some(ip));
        assert!(l.check(&email("u9999@t.test"), None).is_err());
    }
}
