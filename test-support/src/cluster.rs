//! The server the test databases live on: a throwaway cluster this process starts, or the
//! server that `RETORT_TEST_DATABASE_URL` names.

use std::collections::hash_map::RandomState;
use std::env;
use std::ffi::CString;
use std::fmt;
use std::fs::{self, DirBuilder, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use crate::{Error, TestDb, bins};

/// The database server that test databases are created on.
///
/// Get it with [`cluster()`](crate::cluster). It is one of two kinds:
///
/// - **a throwaway cluster** (the default): started by this process on first use, in a fresh
///   directory (in `/dev/shm` when it has room, else the temporary directory), listening on `127.0.0.1` on a port of its own and on a Unix socket in
///   that directory, trust authentication, superuser `postgres`, durability switched off for
///   speed. It is stopped and its directory removed when the process ends, however it ends
///   (normal exit, panic, `SIGKILL`): a small reaper process, started beside the server, waits
///   for this process's end and then runs `pg_ctl stop -m immediate` and `rm -rf`.
/// - **an external server**, when `RETORT_TEST_DATABASE_URL` is set: nothing is started or
///   stopped; databases are created there with the URL's user and dropped again.
pub struct Cluster {
    admin_url: String,
    admin: Config,
    psql: PathBuf,
    server_version: String,
    owned: Option<Owned>,
}

/// What only a cluster of our own has.
struct Owned {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    bin: PathBuf,
    /// The port, kept across a stop and a start of a private cluster.
    port: std::sync::atomic::AtomicU16,
    /// The user the server runs as, when this process is root.
    user: Option<User>,
    /// Whether tests may stop it: a cluster of one test's own ([`crate::private_cluster`]).
    private: bool,
    /// The write end of the reaper's standard input: held until the process ends. When the
    /// kernel closes it (exit, panic, kill), the reaper sees end-of-file and cleans up.
    _reaper: ChildStdin,
}

/// The superuser of a throwaway cluster.
const SUPERUSER: &str = "postgres";

/// What the reaper runs, as the user that owns the server. `$1`: pg_ctl, `$2`: the data
/// directory, `$3`: the directory to remove. It ignores the terminal's SIGINT/SIGHUP (it is in
/// a process group of its own anyway) so that Ctrl-C on a test run still cleans up.
const REAPER_SCRIPT: &str = r#"trap '' HUP INT
while read -r _; do :; done
"$1" stop -D "$2" -m immediate -w -t 60 >/dev/null 2>&1
rm -rf "$3"
"#;

impl Cluster {
    /// The external server if `RETORT_TEST_DATABASE_URL` is set (and not empty), else a new
    /// throwaway cluster.
    pub(crate) fn from_env() -> Result<Cluster, Error> {
        match env::var(crate::DATABASE_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Cluster::external(url),
            _ => Cluster::start(),
        }
    }

    fn external(url: String) -> Result<Cluster, Error> {
        let admin: Config = url.parse().map_err(|source| Error::BadUrl { source })?;
        let mut cluster = Cluster {
            admin_url: url,
            admin,
            psql: bins::find_psql(None),
            server_version: String::new(),
            owned: None,
        };
        cluster.server_version = cluster.query_version()?;
        Ok(cluster)
    }

    /// A new throwaway cluster; `private`: one that its test may stop and start again.
    ///
    /// A private cluster is made durable (`fsync`, `synchronous_commit` and
    /// `full_page_writes` on, as on a production server): an immediate stop then loses no
    /// transaction whose commit was acknowledged, so what a test sees after a restart is what
    /// the server had told its clients.
    pub(crate) fn start_new(private: bool) -> Result<Cluster, Error> {
        let mut cluster = Cluster::start()?;
        if let Some(o) = cluster.owned.as_mut() {
            o.private = private;
        }
        if private {
            let mut admin = cluster.connect()?;
            // One statement at a time: ALTER SYSTEM refuses a transaction block, and a
            // multi-statement query is one.
            for sql in [
                "ALTER SYSTEM SET fsync = on",
                "ALTER SYSTEM SET synchronous_commit = on",
                "ALTER SYSTEM SET full_page_writes = on",
                "SELECT pg_reload_conf()",
            ] {
                admin.batch_execute(sql).map_err(|source| Error::Sql {
                    what: format!("making the private cluster durable: {sql}"),
                    source,
                })?;
            }
        }
        Ok(cluster)
    }

    fn start() -> Result<Cluster, Error> {
        let started = Instant::now();
        let bin = bins::find_server()?;
        let user = if is_root() {
            Some(User::unprivileged()?)
        } else {
            None
        };
        let dir = make_dir(user.as_ref())?;
        let data = dir.join("data");
        let log = dir.join("server.log");
        let reaper = match spawn_reaper(&bin, &data, &dir, user.as_ref()) {
            Ok(reaper) => reaper,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        // From here on, returning an error drops `reaper`, and the reaper removes `dir`.
        initdb(&bin, &data, &dir, user.as_ref())?;
        write_conf(&data, &dir)?;
        let port = start_server(&bin, &data, &log, &dir, user.as_ref(), None)?;

        let admin_url = owned_url(port, "postgres");
        let admin = admin_url.parse().expect("a URL we built parses");
        let mut cluster = Cluster {
            admin_url,
            admin,
            psql: bins::find_psql(Some(&bin)),
            server_version: String::new(),
            owned: Some(Owned {
                dir,
                data,
                log,
                bin,
                port: port.into(),
                user,
                private: false,
                _reaper: reaper,
            }),
        };
        cluster.server_version = cluster.query_version()?;
        eprintln!(
            "retort-test-support: PostgreSQL {} started in {:.2?} on 127.0.0.1:{port}, in {}",
            cluster.server_version,
            started.elapsed(),
            cluster
                .owned
                .as_ref()
                .map_or(Path::new(""), |o| &o.dir)
                .display(),
        );
        Ok(cluster)
    }

    /// The URL of the administrative database (`postgres` on a throwaway cluster; the URL
    /// itself for an external server, as given, password included if it has one).
    pub fn url(&self) -> &str {
        &self.admin_url
    }

    /// The URL of database `db` on this server: the admin URL with the database replaced.
    ///
    /// On a throwaway cluster: `postgres://postgres@127.0.0.1:<port>/<db>`. For an external
    /// server given as a URL, the path (and any `dbname` query parameter) is replaced; given as
    /// `key=value` pairs, `dbname=<db>` is appended (the last one wins).
    pub fn url_for(&self, db: &str) -> String {
        match &self.owned {
            Some(owned) => owned_url(owned.port.load(Ordering::Relaxed), db),
            None => with_dbname(&self.admin_url, db),
        }
    }

    /// A new superuser (or, for an external server, the URL's user) connection to the
    /// administrative database.
    pub fn connect(&self) -> Result<Client, Error> {
        self.admin.connect(NoTls).map_err(|source| Error::Connect {
            target: describe(&self.admin),
            source,
        })
    }

    /// `psql` connected to database `db` of this server, ready for more arguments: run with
    /// `-X` (no `~/.psqlrc`) and `-v ON_ERROR_STOP=1` (psql stops at the first failing
    /// statement and exits non-zero, 3 for a script; a later `-v ON_ERROR_STOP=0` undoes it).
    ///
    /// psql is the one beside the server binaries, else the first on `PATH` or in the usual
    /// directories, else plain `psql`.
    ///
    /// ```no_run
    /// let cluster = retort_test_support::cluster()?;
    /// let out = cluster.psql_command("postgres").args(["-tAc", "SELECT 1"]).output()?;
    /// assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn psql_command(&self, db: &str) -> Command {
        let mut cmd = Command::new(&self.psql);
        cmd.arg("-X")
            .arg("-v")
            .arg("ON_ERROR_STOP=1")
            .arg("--dbname")
            .arg(self.url_for(db));
        cmd
    }

    /// The server's version, as `SHOW server_version` gives it (`15.18 (Debian 15.18-0+deb12u1)`).
    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    /// Whether this is a server named by `RETORT_TEST_DATABASE_URL` rather than a throwaway
    /// cluster of this process.
    pub fn is_external(&self) -> bool {
        self.owned.is_none()
    }

    /// The TCP port on `127.0.0.1` of a throwaway cluster.
    pub fn port(&self) -> Option<u16> {
        self.owned.as_ref().map(|o| o.port.load(Ordering::Relaxed))
    }

    /// The data directory of a throwaway cluster.
    pub fn data_dir(&self) -> Option<&Path> {
        self.owned.as_ref().map(|o| o.data.as_path())
    }

    /// The directory of a throwaway cluster's Unix socket (`host=<this> port=<port>`); it is
    /// also the temporary directory that holds everything of the cluster and is removed at the
    /// end.
    pub fn socket_dir(&self) -> Option<&Path> {
        self.owned.as_ref().map(|o| o.dir.as_path())
    }

    /// The server log of a throwaway cluster (warnings and errors only).
    pub fn log_file(&self) -> Option<&Path> {
        self.owned.as_ref().map(|o| o.log.as_path())
    }

    /// The directory of the server binaries (`initdb`, `pg_ctl`, `postgres`) a throwaway
    /// cluster runs.
    pub fn bin_dir(&self) -> Option<&Path> {
        self.owned.as_ref().map(|o| o.bin.as_path())
    }

    /// The process id of a throwaway cluster's server (postmaster), from its `postmaster.pid`.
    pub fn server_pid(&self) -> Option<u32> {
        let data = self.data_dir()?;
        let text = fs::read_to_string(data.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// Stops the server of a private cluster ([`crate::private_cluster`]) with `pg_ctl stop -m
    /// <mode>` and waits until it is down. Refused for the shared cluster (other tests use it)
    /// and for an external server.
    pub fn stop(&self, mode: StopMode) -> Result<(), Error> {
        let owned = self.private_owned()?;
        let program = owned.bin.join("pg_ctl");
        let out = server_command(&program, owned.user.as_ref(), &owned.dir)
            .arg("stop")
            .args(["-w", "-t", "60", "-s", "-m", mode.as_str()])
            .arg("-D")
            .arg(&owned.data)
            .output()
            .map_err(|e| Error::io(format!("running {}", program.display()), e))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Stop(format!(
                "pg_ctl stop -m {} failed ({}): {}",
                mode.as_str(),
                out.status,
                tail(&combined(&out), 10)
            )))
        }
    }

    /// Starts a stopped private cluster again, on the same port (so URLs handed out before
    /// still work), and waits until it accepts connections (crash recovery included, after an
    /// immediate stop).
    pub fn start_again(&self) -> Result<(), Error> {
        let owned = self.private_owned()?;
        let port = owned.port.load(Ordering::Relaxed);
        start_server(
            &owned.bin,
            &owned.data,
            &owned.log,
            &owned.dir,
            owned.user.as_ref(),
            Some(port),
        )?;
        Ok(())
    }

    fn private_owned(&self) -> Result<&Owned, Error> {
        match &self.owned {
            Some(o) if o.private => Ok(o),
            Some(_) => Err(Error::Stop(
                "the shared cluster is used by every test of the process; stop only a cluster \
                 from `private_cluster()`"
                    .to_owned(),
            )),
            None => Err(Error::Stop(format!(
                "the server is the one {} names, not a cluster of this process",
                crate::DATABASE_URL_VAR
            ))),
        }
    }

    fn query_version(&self) -> Result<String, Error> {
        let row = self
            .connect()?
            .query_one("SELECT current_setting('server_version')", &[])
            .map_err(|source| Error::Sql {
                what: "asking the server's version".into(),
                source,
            })?;
        Ok(row.get(0))
    }

    /// A new empty database with a unique name on this server, dropped with the returned
    /// [`TestDb`] ([`crate::database`] is this on the shared cluster).
    pub fn database(&'static self) -> Result<TestDb, Error> {
        self.create_database()
    }

    /// A new database with a unique name that starts as a copy of `template`
    /// (`CREATE DATABASE … TEMPLATE`): quicker than building the same state again for every
    /// round of a test. Nobody may be connected to `template` meanwhile; a session that is
    /// still leaving (a dropped client's backend, an autovacuum worker) is waited for, up to
    /// ten seconds.
    pub fn database_from(&'static self, template: &TestDb) -> Result<TestDb, Error> {
        self.create_database_with(Some(template.name()))
    }

    /// A new empty database with a unique name.
    pub(crate) fn create_database(&'static self) -> Result<TestDb, Error> {
        self.create_database_with(None)
    }

    fn create_database_with(&'static self, template: Option<&str>) -> Result<TestDb, Error> {
        let mut admin = self.connect()?;
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let name = unique_name();
            // template0: the pristine template, so a database on a shared server is empty even
            // if someone installed things in template1.
            let sql = format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"",
                template.unwrap_or("template0").replace('"', "\"\"")
            );
            match admin.batch_execute(&sql) {
                Ok(()) => return Ok(TestDb::new(self, name)),
                Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) && attempt < 5 => {
                    attempt += 1;
                }
                Err(e)
                    if e.code() == Some(&SqlState::OBJECT_IN_USE)
                        && template.is_some()
                        && started.elapsed() < std::time::Duration::from_secs(10) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(source) => {
                    return Err(Error::Sql {
                        what: format!("CREATE DATABASE {name}"),
                        source,
                    });
                }
            }
        }
    }

    /// Drops database `name`, disconnecting whoever is still connected to it.
    pub(crate) fn drop_database(&self, name: &str) -> Result<(), Error> {
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        self.connect()?
            .batch_execute(&sql)
            .map_err(|source| Error::Sql { what: sql, source })
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Cluster");
        d.field("server", &describe(&self.admin))
            .field("server_version", &self.server_version)
            .field("psql", &self.psql);
        if let Some(o) = &self.owned {
            d.field("dir", &o.dir).field("bin", &o.bin);
        }
        d.finish_non_exhaustive()
    }
}

/// How [`Cluster::stop`] stops the server: `pg_ctl stop -m <mode>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    /// Waits for every session to end by itself.
    Smart,
    /// Ends every session (the clients read `57P01 terminating connection due to
    /// administrator command`), rolls back their transactions, and shuts down cleanly.
    Fast,
    /// Kills every process at once, without a clean shutdown: the next start runs crash
    /// recovery.
    Immediate,
}

impl StopMode {
    fn as_str(self) -> &'static str {
        match self {
            StopMode::Smart => "smart",
            StopMode::Fast => "fast",
            StopMode::Immediate => "immediate",
        }
    }
}

fn owned_url(port: u16, db: &str) -> String {
    format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{db}")
}

/// Where a configuration points, for messages: hosts, ports, database, user; no password.
fn describe(config: &Config) -> String {
    use postgres::config::Host;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    format!(
        "host {} port {} database {} user {}",
        if hosts.is_empty() {
            "(default)".into()
        } else {
            hosts.join(",")
        },
        if ports.is_empty() {
            "5432".into()
        } else {
            ports.join(",")
        },
        config.get_dbname().unwrap_or("(default)"),
        config.get_user().unwrap_or("(default)"),
    )
}

/// `url` with its database replaced by `db` (see [`Cluster::url_for`]).
pub(crate) fn with_dbname(url: &str, db: &str) -> String {
    let Some((scheme, rest)) = url
        .split_once("://")
        .filter(|(s, _)| *s == "postgres" || *s == "postgresql")
    else {
        return format!("{} dbname='{}'", url.trim_end(), db.replace('\'', "\\'"));
    };
    // As the `postgres` crate reads a URL: credentials up to the first '@', then hosts up to
    // the first '/' or '?'.
    let creds_end = rest.find('@').map_or(0, |i| i + 1);
    let hosts_end = rest[creds_end..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| creds_end + i);
    let (authority, tail) = rest.split_at(hosts_end);
    let query: Vec<&str> = tail
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("dbname="))
        .collect();
    let mut out = format!("{scheme}://{authority}/{db}");
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

/// `retort_test_<pid>_<sequence>_<random>`: unique within the process by the sequence, across
/// processes by the pid, and across machines sharing one server by the random part.
fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let seq = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "retort_test_{}_{seq}_{:08x}",
        std::process::id(),
        random_u64() as u32
    )
}

fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The user the server runs as when this process is root.
struct User {
    name: String,
    uid: u32,
    gid: u32,
}

impl User {
    /// `postgres` if it exists, else `nobody`.
    fn unprivileged() -> Result<User, Error> {
        ["postgres", "nobody"]
            .into_iter()
            .find_map(User::lookup)
            .ok_or(Error::NoUnprivilegedUser)
    }

    fn lookup(name: &str) -> Option<User> {
        let cname = CString::new(name).ok()?;
        let mut buf = vec![0 as libc::c_char; 4096];
        loop {
            // SAFETY: all-zero is a valid `passwd` (integers and null pointers).
            let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            // SAFETY: every pointer is valid for the call; `buf.len()` is the buffer's size.
            let rc = unsafe {
                libc::getpwnam_r(
                    cname.as_ptr(),
                    &mut pwd,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                )
            };
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() {
                return None;
            }
            return Some(User {
                name: name.to_owned(),
                uid: pwd.pw_uid,
                gid: pwd.pw_gid,
            });
        }
    }
}

/// A command for a server program: run as `user` (when root), in `cwd`, with no `PG*`
/// variables of ours leaking in and messages in English.
fn server_command(program: &Path, user: Option<&User>, cwd: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(cwd).stdin(Stdio::null()).env("LC_ALL", "C");
    for (key, _) in env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
    if let Some(user) = user {
        // std drops the supplementary groups (setgroups(0)) before setuid.
        cmd.uid(user.uid).gid(user.gid);
    }
    cmd
}

/// A fresh private directory, `retort-pg-<pid>-<random>`, owned by the server's user.
///
/// In `/dev/shm` when it is a world-writable memory file system with at least 1 GiB free:
/// `initdb` takes half the time there and `CREATE DATABASE` a seventh (it creates some 600
/// files). Else in the temporary directory, or in `/tmp` when root (the server's user must be
/// able to reach the directory and remove it: `/tmp` is world-traversable and sticky) or when
/// the temporary directory's path is so long that the Unix socket's would pass the 107-byte
/// limit.
fn make_dir(user: Option<&User>) -> Result<PathBuf, Error> {
    let tmp = env::temp_dir();
    let base = if shm_usable() {
        PathBuf::from("/dev/shm")
    } else if user.is_some() || tmp.as_os_str().len() > 64 {
        PathBuf::from("/tmp")
    } else {
        tmp
    };
    let mut last = None;
    for _ in 0..10 {
        let dir = base.join(format!(
            "retort-pg-{}-{:08x}",
            std::process::id(),
            random_u64() as u32
        ));
        match DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                if let Some(user) = user
                    && let Err(e) = std::os::unix::fs::chown(&dir, Some(user.uid), Some(user.gid))
                {
                    let _ = fs::remove_dir(&dir);
                    return Err(Error::io(
                        format!("giving {} to user {}", dir.display(), user.name),
                        e,
                    ));
                }
                return Ok(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => {
                return Err(Error::io(format!("creating {}", dir.display()), e));
            }
        }
    }
    Err(Error::io(
        format!("creating a directory in {}", base.display()),
        last.expect("the loop ran"),
    ))
}

fn shm_usable() -> bool {
    let shm = Path::new("/dev/shm");
    let world_writable_sticky =
        fs::metadata(shm).is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o1777 == 0o1777);
    world_writable_sticky && free_bytes(shm).is_some_and(|free| free >= 1 << 30)
}

fn free_bytes(path: &Path) -> Option<u64> {
    let cpath = CString::new(path.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: all-zero is a valid `statvfs` (integers only).
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a valid out-pointer.
    if unsafe { libc::statvfs(cpath.as_ptr(), &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Starts the reaper: `sh` in a process group of its own, as the server's user, its standard
/// input a pipe whose write end is returned. It blocks reading until every write end is
/// closed, which happens when this process ends (the pipe is close-on-exec, so no other child
/// holds it), then stops the server and removes `dir`.
fn spawn_reaper(
    bin: &Path,
    data: &Path,
    dir: &Path,
    user: Option<&User>,
) -> Result<ChildStdin, Error> {
    let mut cmd = server_command(Path::new("/bin/sh"), user, Path::new("/"));
    cmd.arg("-c")
        .arg(REAPER_SCRIPT)
        .arg("retort-test-support-reaper")
        .arg(bin.join("pg_ctl"))
        .arg(data)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io("starting the cluster's reaper (/bin/sh)", e))?;
    Ok(child.stdin.take().expect("stdin is piped"))
    // `child` is dropped without waiting: the reaper outlives this process by design.
}

fn initdb(bin: &Path, data: &Path, dir: &Path, user: Option<&User>) -> Result<(), Error> {
    let program = bin.join("initdb");
    let out = server_command(&program, user, dir)
        .arg("--pgdata")
        .arg(data)
        .arg(format!("--username={SUPERUSER}"))
        .args(["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        .output()
        .map_err(|e| Error::io(format!("running {}", program.display()), e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::Initdb {
        status: out.status,
        output: tail(&combined(&out), 30),
    })
}

/// Appends the test settings to `postgresql.conf` (later lines win). The port is given on the
/// command line, as it may change between attempts.
fn write_conf(data: &Path, socket_dir: &Path) -> Result<(), Error> {
    let path = data.join("postgresql.conf");
    let text = format!(
        "\n# retort-test-support: a throwaway cluster for tests. Durability is off on purpose.\n\
         listen_addresses = '127.0.0.1'\n\
         unix_socket_directories = '{}'\n\
         max_connections = 200\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n\
         log_min_messages = warning\n\
         max_wal_size = '128MB'\n\
         min_wal_size = '32MB'\n",
        conf_string(&socket_dir.to_string_lossy()),
    );
    OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// A value for a single-quoted `postgresql.conf` string.
fn conf_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "''")
}

/// `pg_ctl start` on a free port; tries another port if the chosen one was taken in between.
fn start_server(
    bin: &Path,
    data: &Path,
    log: &Path,
    dir: &Path,
    user: Option<&User>,
    fixed_port: Option<u16>,
) -> Result<u16, Error> {
    let program = bin.join("pg_ctl");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = match fixed_port {
            Some(p) => p,
            None => free_port()?,
        };
        let log_start = fs::metadata(log).map_or(0, |m| m.len());
        // The server's own output goes to the log file (`-l`), so it holds no pipe of ours and
        // `output()` returns when pg_ctl does.
        let out = server_command(&program, user, dir)
            .arg("start")
            .args(["-w", "-t", "120", "-s"])
            .arg("-D")
            .arg(data)
            .arg("-l")
            .arg(log)
            .arg("-o")
            .arg(format!("-p {port}"))
            .output()
            .map_err(|e| Error::io(format!("running {}", program.display()), e))?;
        if out.status.success() {
            return Ok(port);
        }
        let new_log = read_from(log, log_start);
        let port_taken = new_log.contains("could not bind")
            || new_log.contains("could not create any TCP/IP sockets");
        if port_taken && fixed_port.is_none() && attempt < 5 {
            continue;
        }
        let printed = tail(&combined(&out), 10);
        return Err(Error::Start {
            status: out.status,
            output: if printed.is_empty() {
                String::new()
            } else {
                format!("pg_ctl said:\n{printed}\n")
            },
            log: tail(&new_log, 30),
        });
    }
}

/// A port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
fn free_port() -> Result<u16, Error> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::io("finding a free port on 127.0.0.1", e))
}

fn read_from(path: &Path, offset: u64) -> String {
    let mut text = Vec::new();
    if let Ok(mut f) = fs::File::open(path) {
        let _ = f
            .seek(SeekFrom::Start(offset))
            .and_then(|_| f.read_to_end(&mut text));
    }
    String::from_utf8_lossy(&text).into_owned()
}

fn combined(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The last `n` non-empty lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_database_is_replaced() {
        assert_eq!(
            with_dbname("postgres://u:p@h:5432/old?sslmode=disable", "new"),
            "postgres://u:p@h:5432/new?sslmode=disable"
        );
        assert_eq!(with_dbname("postgresql://h", "new"), "postgresql://h/new");
        assert_eq!(
            with_dbname("postgres://u@h?dbname=old&application_name=x", "new"),
            "postgres://u@h/new?application_name=x"
        );
        assert_eq!(
            with_dbname("postgres://u:a/b?c@h1:1,h2:2/", "new"),
            "postgres://u:a/b?c@h1:1,h2:2/new"
        );
        assert_eq!(
            with_dbname("postgres://%2Ftmp%2Fsock:5433/x", "new"),
            "postgres://%2Ftmp%2Fsock:5433/new"
        );
        assert_eq!(
            with_dbname("host=localhost dbname=old user=u", "new"),
            "host=localhost dbname=old user=u dbname='new'"
        );
    }

    #[test]
    fn rewritten_urls_parse_to_the_new_database() {
        for url in [
            "postgres://u:p@h:5432/old?sslmode=disable",
            "postgres://u@h?dbname=old",
            "host=localhost dbname=old user=u",
            "host=/tmp port=5433",
        ] {
            let config: Config = with_dbname(url, "new").parse().unwrap();
            assert_eq!(config.get_dbname(), Some("new"), "{url}");
        }
    }

    #[test]
    fn names_are_unique_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        assert!(a.len() < 64);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        );
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\n\nc\nd\n", 2), "c\nd");
        assert_eq!(tail("a\n", 5), "a");
    }
}
