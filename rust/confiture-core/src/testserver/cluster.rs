//! One throw-away cluster: initdb, start, wait until ready, stop, remove.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::unistd::{Gid, Uid, User, chown};

use super::reaper::{self, DIR_PREFIX, OWNER_FILE};
use super::{ServerError, ServerOptions, find_bindir};

/// The cluster's superuser (trust authentication, loopback and socket only).
pub(crate) const SUPERUSER: &str = "postgres";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const PORT_ATTEMPTS: usize = 5;

pub(super) struct Cluster {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
    registration: u64,
}

fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServerError {
    let action = action.into();
    move |source| ServerError::Io { action, source }
}

impl Cluster {
    pub(super) fn start(options: &ServerOptions) -> Result<Self, ServerError> {
        let bindir = find_bindir()?;
        let root = std::env::temp_dir();
        reaper::sweep_stale(&root);

        let run_as = if Uid::effective().is_root() {
            let user = User::from_name("postgres").ok().flatten().ok_or(ServerError::NoUnprivilegedUser)?;
            Some((user.uid, user.gid))
        } else {
            None
        };

        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&root)
            .map_err(io(format!("creating a directory in {}", root.display())))?
            .keep();
        let registration = reaper::register(&dir);
        let mut cluster = Self { dir, port: 0, child: None, registration };
        // From here on, a failure drops `cluster`, which removes the directory.
        std::fs::write(cluster.dir.join(OWNER_FILE), std::process::id().to_string())
            .map_err(io("writing the owner file"))?;
        if let Some((uid, gid)) = run_as {
            chown(&cluster.dir, Some(uid), Some(gid)).map_err(|e| ServerError::Io {
                action: "handing the directory to postgres".into(),
                source: e.into(),
            })?;
        }
        cluster.initdb(&bindir, run_as)?;
        cluster.install_tls(options, run_as)?;
        cluster.launch(&bindir, run_as, options)?;
        Ok(cluster)
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    pub(super) fn directory(&self) -> &Path {
        &self.dir
    }

    pub(super) fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(program: PathBuf, run_as: Option<(Uid, Gid)>) -> Command {
        let mut cmd = Command::new(program);
        if let Some((uid, gid)) = run_as {
            cmd.uid(uid.as_raw()).gid(gid.as_raw());
        }
        cmd.stdin(Stdio::null()).env("LC_ALL", "C").env_remove("PGDATA");
        cmd
    }

    fn initdb(&self, bindir: &Path, run_as: Option<(Uid, Gid)>) -> Result<(), ServerError> {
        let output = Self::command(bindir.join("initdb"), run_as)
            .arg("-D")
            .arg(self.data())
            .args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .map_err(io(format!("running {}", bindir.join("initdb").display())))?;
        if !output.status.success() {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            return Err(ServerError::Initdb { dir: self.data(), output: text.trim().to_string() });
        }
        Ok(())
    }

    fn install_tls(&self, options: &ServerOptions, run_as: Option<(Uid, Gid)>) -> Result<(), ServerError> {
        let Some((cert, key)) = &options.tls else {
            return Ok(());
        };
        for (from, name) in [(cert, "server.crt"), (key, "server.key")] {
            let to = self.data().join(name);
            std::fs::copy(from, &to).map_err(io(format!("copying {}", from.display())))?;
            std::fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .map_err(io("securing the TLS key"))?;
            if let Some((uid, gid)) = run_as {
                chown(&to, Some(uid), Some(gid)).map_err(|e| ServerError::Io {
                    action: "handing TLS files to postgres".into(),
                    source: e.into(),
                })?;
            }
        }
        Ok(())
    }

    fn launch(
        &mut self,
        bindir: &Path,
        run_as: Option<(Uid, Gid)>,
        options: &ServerOptions,
    ) -> Result<(), ServerError> {
        let mut last_tail = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port().map_err(io("finding a free port"))?;
            let log = File::options()
                .create(true)
                .append(true)
                .open(self.log_path())
                .map_err(io("creating the server log"))?;
            let log_err = log.try_clone().map_err(io("creating the server log"))?;
            let mut cmd = Self::command(bindir.join("postgres"), run_as);
            cmd.arg("-D").arg(self.data()).arg("-p").arg(port.to_string()).arg("-k").arg(&self.dir);
            let mut settings: Vec<(String, String)> = [
                ("listen_addresses", "127.0.0.1"),
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("max_connections", "200"),
                ("log_min_messages", "warning"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
            if options.tls.is_some() {
                settings.push(("ssl".into(), "on".into()));
            }
            settings.extend(options.settings.iter().cloned());
            for (k, v) in &settings {
                cmd.arg("-c").arg(format!("{k}={v}"));
            }
            // Own process group: a terminal's Ctrl-C reaches us, and we stop the server in order.
            cmd.process_group(0).stdout(log).stderr(log_err);
            let child = reaper::spawn(cmd).map_err(io(format!("starting {}", bindir.join("postgres").display())))?;
            reaper::set_pid(self.registration, i32::try_from(child.id()).ok());
            self.child = Some(child);
            self.port = port;
            match self.wait_ready() {
                Ok(()) => return Ok(()),
                Err(tail) => {
                    self.kill_child();
                    let port_taken = tail.contains("could not bind") || tail.contains("already in use");
                    last_tail = tail;
                    if !port_taken {
                        break;
                    }
                }
            }
        }
        Err(ServerError::Start { log: self.log_path(), tail: last_tail })
    }

    /// Waits for the postmaster to report `ready` in `postmaster.pid` (what pg_ctl waits for).
    /// On failure returns the end of the server log.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let pid_file = self.data().join("postmaster.pid");
        while Instant::now() < deadline {
            let exited = self.child.as_mut().is_none_or(|c| !matches!(c.try_wait(), Ok(None)));
            if exited {
                return Err(self.log_tail());
            }
            if let Ok(text) = std::fs::read_to_string(&pid_file)
                && text.lines().nth(7).is_some_and(|status| status.trim() == "ready")
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Err(format!("timed out after {}s\n{}", START_TIMEOUT.as_secs(), self.log_tail()))
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn kill_child(&mut self) {
        if let Some(child) = self.child.take()
            && let Ok(pid) = i32::try_from(child.id())
        {
            reaper::shut_down(pid, Duration::from_secs(30));
        }
        reaper::set_pid(self.registration, None);
    }

    pub(super) fn stop(&mut self) -> Result<(), ServerError> {
        self.kill_child();
        let removed = if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir).map_err(io(format!("removing {}", self.dir.display())))
        } else {
            Ok(())
        };
        reaper::unregister(self.registration);
        removed
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
