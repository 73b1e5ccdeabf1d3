//! Making sure throw-away clusters go away.
//!
//! - Servers are spawned from one long-lived thread with `PR_SET_PDEATHSIG`, so they receive SIGQUIT
//!   (immediate shutdown) if this process dies, even from SIGKILL.
//! - Live clusters are registered; an `atexit` hook stops them and removes their directories when the
//!   process exits normally without dropping them (e.g. a `static` server in Rust tests).
//! - [`sweep_stale`] removes directories left behind by processes that were killed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

pub(super) const DIR_PREFIX: &str = "confiture-pg-";
pub(super) const OWNER_FILE: &str = "confiture-owner";

struct Entry {
    id: u64,
    dir: PathBuf,
    pid: Option<i32>,
}

struct Registry {
    creator: u32,
    next_id: u64,
    entries: Vec<Entry>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry { creator: 0, next_id: 0, entries: Vec::new() });
static AT_EXIT: Once = Once::new();

/// Registers a cluster directory for removal at exit; returns its id.
pub(super) fn register(dir: &Path) -> u64 {
    AT_EXIT.call_once(install_at_exit);
    let mut reg = REGISTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    reg.creator = std::process::id();
    reg.next_id += 1;
    let id = reg.next_id;
    reg.entries.push(Entry { id, dir: dir.to_path_buf(), pid: None });
    id
}

/// Records the server process of a registered cluster.
pub(super) fn set_pid(id: u64, pid: Option<i32>) {
    let mut reg = REGISTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(e) = reg.entries.iter_mut().find(|e| e.id == id) {
        e.pid = pid;
    }
}

/// Forgets a cluster that was stopped and removed.
pub(super) fn unregister(id: u64) {
    let mut reg = REGISTRY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    reg.entries.retain(|e| e.id != id);
}

#[allow(unsafe_code, reason = "registering a C atexit hook has no safe wrapper")]
fn install_at_exit() {
    extern "C" fn at_exit() {
        // A forked child inherits the registry but must not stop its parent's servers.
        let Ok(reg) = REGISTRY.try_lock() else { return };
        if reg.creator != std::process::id() {
            return;
        }
        for entry in &reg.entries {
            if let Some(pid) = entry.pid {
                shut_down(pid, Duration::from_secs(10));
            }
            let _ = std::fs::remove_dir_all(&entry.dir);
        }
    }
    // SAFETY: `at_exit` is a plain `extern "C" fn()` that never unwinds into C (it only makes
    // syscalls and ignores their errors).
    unsafe {
        libc::atexit(at_exit);
    }
}

/// Stops a postmaster: fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL, reaping it.
/// Returns whether it exited.
pub(super) fn shut_down(pid: i32, grace: Duration) -> bool {
    let pid = Pid::from_raw(pid);
    for signal in [Signal::SIGINT, Signal::SIGQUIT, Signal::SIGKILL] {
        if kill(pid, signal).is_err() {
            let _ = waitpid(pid, Some(WaitPidFlag::WNOHANG));
            return true;
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(5)),
                // Exited, or not our child (someone else reaped it): either way it is gone or going.
                _ => return true,
            }
        }
    }
    false
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Spawns `command` from a thread that lives as long as the process, with a parent-death signal,
/// so the server dies with us however we die. (The signal is tied to the spawning *thread*.)
#[allow(unsafe_code, reason = "pre_exec hooks are unsafe by signature")]
pub(super) fn spawn(mut command: Command) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    static KEEPER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let sender = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("confiture-pg-keeper".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            // Without the thread, `spawn` falls back to spawning directly (see below).
            .ok();
        Mutex::new(tx)
    });
    // SAFETY: the hook only calls prctl(2), which is async-signal-safe, and allocates nothing.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGQUIT).map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    let sent = sender.lock().unwrap_or_else(std::sync::PoisonError::into_inner).send((command, reply_tx));
    match sent {
        Ok(()) => reply_rx.recv().unwrap_or_else(|_| Err(std::io::Error::other("server keeper thread is gone"))),
        Err(mpsc::SendError((mut command, _))) => command.spawn(),
    }
}

/// Removes cluster directories under `root` whose owning process is gone.
pub(super) fn sweep_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(DIR_PREFIX) {
            continue;
        }
        let dir = entry.path();
        let owner = std::fs::read_to_string(dir.join(OWNER_FILE)).ok().and_then(|s| s.trim().parse::<i32>().ok());
        let stale = match owner {
            Some(pid) => !alive(pid),
            // No owner file yet: a cluster being created right now, unless it is old.
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(3600)),
        };
        if !stale {
            continue;
        }
        if let Some(pm) = postmaster_pid(&dir.join("data")).filter(|p| alive(*p)) {
            let _ = kill(Pid::from_raw(pm), Signal::SIGQUIT);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn alive(pid: i32) -> bool {
    // EPERM means it exists but belongs to someone else.
    !matches!(kill(Pid::from_raw(pid), None), Err(nix::errno::Errno::ESRCH))
}

/// The postmaster's pid from `postmaster.pid`.
pub(super) fn postmaster_pid(data: &Path) -> Option<i32> {
    std::fs::read_to_string(data.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}
