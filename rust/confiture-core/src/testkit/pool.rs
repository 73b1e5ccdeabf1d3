//! Databases cloned ahead of time from a template, for per-test databases: a test takes a clone
//! that is already there (creating one is `CREATE DATABASE … TEMPLATE`, tens of milliseconds even
//! for a small schema) and gives it back to be dropped in the background. Clones are made and
//! dropped on the shared runtime while tests run; a clone that was never handed out is the same
//! as a fresh one, since nobody connects to the template.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::TestkitError;
use crate::config::ConnectionParams;
use crate::db::{Client, DbError, admin, connect};

#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// How many clones to keep ready (0: create each one when it is asked for).
    pub ahead: usize,
    /// Database names start with this.
    pub prefix: String,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { ahead: 2, prefix: "confiture_test_".into() }
    }
}

#[derive(Default)]
struct State {
    ready: VecDeque<String>,
    creating: usize,
    dropping: usize,
    closed: bool,
    /// Why the last background creation failed (reported to the next taker).
    failure: Option<String>,
    /// Idle maintenance connections, reused for CREATE and DROP DATABASE.
    idle: Vec<Client>,
    counter: u64,
}

struct Inner {
    server: ConnectionParams,
    template: String,
    options: PoolOptions,
    /// Distinguishes this pool's databases from other processes' on a shared server.
    tag: String,
    state: Mutex<State>,
    changed: Notify,
}

/// A pool of clones of one template database.
#[derive(Clone)]
pub struct ClonePool {
    inner: Arc<Inner>,
}

/// Counts one background creation or drop until it ends, however it ends (a panic included), so
/// `close` never waits for work that is gone.
struct InFlight {
    inner: Arc<Inner>,
    dropping: bool,
}

impl InFlight {
    fn start(inner: &Arc<Inner>, dropping: bool) -> Self {
        {
            let mut s = inner.state();
            if dropping { s.dropping += 1 } else { s.creating += 1 }
        }
        Self { inner: Arc::clone(inner), dropping }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut s = self.inner.state();
            if self.dropping { s.dropping -= 1 } else { s.creating -= 1 }
        }
        self.inner.changed.notify_waiters();
    }
}

impl Inner {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn admin(&self) -> Result<Client, DbError> {
        let idle = self.state().idle.pop();
        match idle {
            Some(c) => Ok(c),
            None => admin::maintenance_client(&self.server).await,
        }
    }

    fn put_back(&self, client: Client) {
        self.state().idle.push(client);
    }

    async fn create(&self, name: &str) -> Result<(), DbError> {
        let client = self.admin().await?;
        let created = admin::create_database(&client, name, Some(&self.template)).await;
        self.put_back(client);
        created?;
        // The first connection to a new database builds its relation cache file; doing it here
        // saves the test that gets the clone that time.
        let warm = connect(&self.server.with_dbname(name)).await?;
        warm.batch("SELECT 1", "warming the new database").await?;
        warm.close().await;
        Ok(())
    }

    async fn drop_database(&self, name: &str) -> Result<(), DbError> {
        let client = self.admin().await?;
        let dropped = async {
            admin::terminate_sessions(&client, name).await?;
            admin::drop_database(&client, name).await
        }
        .await;
        self.put_back(client);
        dropped
    }
}

fn random_tag() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

impl ClonePool {
    /// A pool of clones of `template` on the server of `server`; starts filling at once.
    pub fn new(server: ConnectionParams, template: &str, options: PoolOptions) -> Result<Self, crate::Error> {
        if template.is_empty() {
            return Err(TestkitError::Usage("the template database name is empty".into()).into());
        }
        let pool = Self {
            inner: Arc::new(Inner {
                server,
                template: template.to_string(),
                options,
                tag: random_tag(),
                state: Mutex::new(State::default()),
                changed: Notify::new(),
            }),
        };
        pool.refill()?;
        Ok(pool)
    }

    fn next_name(&self, state: &mut State) -> String {
        state.counter += 1;
        format!("{}{}_{}", self.inner.options.prefix, self.inner.tag, state.counter)
    }

    /// Starts creating clones until `ahead` are ready or on their way.
    fn refill(&self) -> Result<(), crate::Error> {
        let runtime = crate::db::runtime()?;
        let mut state = self.inner.state();
        while !state.closed && state.ready.len() + state.creating < self.inner.options.ahead {
            let name = self.next_name(&mut state);
            state.creating += 1;
            let inner = Arc::clone(&self.inner);
            runtime.spawn(async move {
                // Takes over the count taken above.
                let in_flight = InFlight { inner: Arc::clone(&inner), dropping: false };
                let result = inner.create(&name).await;
                let orphan = {
                    let mut s = inner.state();
                    match result {
                        Ok(()) if !s.closed => {
                            s.ready.push_back(name);
                            None
                        }
                        Ok(()) => Some(name),
                        Err(e) => {
                            s.failure = Some(e.to_string());
                            None
                        }
                    }
                };
                if let Some(name) = orphan {
                    // Closed while it was being made: counted as a drop before it stops counting
                    // as a creation, so `close` waits for it.
                    let _dropping = InFlight::start(&inner, true);
                    drop(in_flight);
                    let _ = inner.drop_database(&name).await;
                }
            });
        }
        Ok(())
    }

    /// A fresh clone (its name): a ready one, or one made now when none is on its way.
    pub async fn take(&self) -> Result<String, crate::Error> {
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let make_now = {
                let mut s = self.inner.state();
                if s.closed {
                    return Err(TestkitError::Pool("the pool is closed".into()).into());
                }
                if let Some(name) = s.ready.pop_front() {
                    drop(s);
                    self.refill()?;
                    return Ok(name);
                }
                if s.creating == 0 {
                    // Nothing on its way (no look-ahead, or the last attempt failed): make one
                    // here, so a failure is reported with its own cause.
                    s.failure = None;
                    s.creating += 1;
                    Some(self.next_name(&mut s))
                } else {
                    None
                }
            };
            if let Some(name) = make_now {
                let in_flight = InFlight { inner: Arc::clone(&self.inner), dropping: false };
                let result = self.inner.create(&name).await;
                drop(in_flight);
                result.map_err(|e| TestkitError::Pool(format!("cloning {}: {e}", self.inner.template)))?;
                self.refill()?;
                return Ok(name);
            }
            notified.await;
        }
    }

    /// Drops a clone in the background (closing its sessions first).
    pub fn give_back(&self, name: String) -> Result<(), crate::Error> {
        let runtime = crate::db::runtime()?;
        let in_flight = InFlight::start(&self.inner, true);
        let inner = Arc::clone(&self.inner);
        runtime.spawn(async move {
            let _in_flight = in_flight;
            if let Err(e) = inner.drop_database(&name).await {
                inner.state().failure = Some(format!("dropping {name}: {e}"));
            }
        });
        Ok(())
    }

    /// Stops making clones, drops the unused ones and waits for every drop to finish. Reports
    /// the first background failure, if any, so nothing is left behind silently.
    pub async fn close(&self) -> Result<(), crate::Error> {
        let unused: Vec<String> = {
            let mut s = self.inner.state();
            s.closed = true;
            s.ready.drain(..).collect()
        };
        for name in unused {
            self.give_back(name)?;
        }
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.inner.state();
                if s.creating == 0 && s.dropping == 0 {
                    break;
                }
            }
            notified.await;
        }
        let (idle, failure) = {
            let mut s = self.inner.state();
            (std::mem::take(&mut s.idle), s.failure.take())
        };
        for client in idle {
            client.close().await;
        }
        match failure {
            Some(f) if f.starts_with("dropping") => Err(TestkitError::Pool(f).into()),
            _ => Ok(()),
        }
    }

    /// Clones ready to be taken right now.
    pub fn ready(&self) -> usize {
        self.inner.state().ready.len()
    }
}
