//! [`CutProxy`]: a TCP proxy between a client and a test database that cuts the connection at
//! one `COMMIT`, to see what a program does when it cannot know whether its transaction
//! committed.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use postgres::config::Host;

use crate::{Error, TestDb};

/// Where [`CutProxy`] cuts the connection carrying the chosen `COMMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitCut {
    /// Forwards the `COMMIT` to the server, then closes the connection to the client at once
    /// and lets the server end its session by itself: the transaction commits, and the client
    /// never hears so.
    AfterForwarding,
    /// Does not forward the `COMMIT`: closes both sides, and the server rolls the transaction
    /// back when it sees its client gone. The client cannot tell this from
    /// [`AfterForwarding`](CommitCut::AfterForwarding).
    BeforeForwarding,
}

/// A TCP proxy on `127.0.0.1` in front of a test database that forwards every byte both ways,
/// reads the client's messages (PostgreSQL's frontend protocol), and cuts the connection at
/// the `nth` simple-query `COMMIT` (counted over every connection through it, from 1).
///
/// Connect through [`url`](CutProxy::url). Only one connection is ever cut; the others pass
/// untouched, before and after.
///
/// ```no_run
/// use retort_test_support::{CommitCut, CutProxy};
/// let db = retort_test_support::database()?;
/// let proxy = CutProxy::start(&db, 1, CommitCut::AfterForwarding)?;
/// let mut client = postgres::Client::connect(&proxy.url(), postgres::NoTls)?;
/// client.batch_execute("BEGIN; CREATE TABLE t ()")?;
/// assert!(client.batch_execute("COMMIT").is_err()); // cut, yet committed
/// assert!(proxy.has_cut());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CutProxy {
    port: u16,
    user: String,
    password: Option<String>,
    dbname: String,
    shared: Arc<Shared>,
}

struct Shared {
    target: SocketAddr,
    nth: usize,
    how: CommitCut,
    commits: AtomicUsize,
    cut: AtomicBool,
    stop: AtomicBool,
}

impl CutProxy {
    /// Starts the proxy in front of `db` (reached over TCP; a Unix-socket server is refused).
    pub fn start(db: &TestDb, nth: usize, how: CommitCut) -> Result<CutProxy, Error> {
        let config = db.config();
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => {
                return Err(Error::io(
                    "starting a proxy",
                    io::Error::other("the test database is not reached over TCP"),
                ));
            }
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let target = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .map_err(|e| Error::io(format!("resolving {host}"), e))?
            .next()
            .ok_or_else(|| Error::io("resolving", io::Error::other(host.clone())))?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::io("binding the proxy's port on 127.0.0.1", e))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::io("reading the proxy's port", e))?;
        let shared = Arc::new(Shared {
            target,
            nth,
            how,
            commits: AtomicUsize::new(0),
            cut: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let accept = Arc::clone(&shared);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if accept.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let shared = Arc::clone(&accept);
                std::thread::spawn(move || {
                    let _ = serve(client, &shared);
                });
            }
        });
        Ok(CutProxy {
            port: local.port(),
            user: config.get_user().unwrap_or("postgres").to_owned(),
            password: config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            dbname: db.name().to_owned(),
            shared,
        })
    }

    /// The proxy's port on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A `key=value` connection string for the database through the proxy.
    pub fn url(&self) -> String {
        let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
        let mut url = format!(
            "host=127.0.0.1 port={} user={} dbname={}",
            self.port,
            q(&self.user),
            q(&self.dbname)
        );
        if let Some(p) = &self.password {
            url.push_str(&format!(" password={}", q(p)));
        }
        url
    }

    /// Whether it has cut the connection.
    pub fn has_cut(&self) -> bool {
        self.shared.cut.load(Ordering::SeqCst)
    }

    /// How many `COMMIT`s it has seen.
    pub fn commits(&self) -> usize {
        self.shared.commits.load(Ordering::SeqCst)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads exactly `n` bytes, or `None` at a clean end of stream.
fn read_n(r: &mut impl Read, n: usize) -> io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut buf[got..])? {
            0 if got == 0 => return Ok(None),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            k => got += k,
        }
    }
    Ok(Some(buf))
}

fn is_commit(query: &[u8]) -> bool {
    let text = String::from_utf8_lossy(query);
    let text = text
        .trim_end_matches('\0')
        .trim()
        .trim_end_matches(';')
        .trim();
    text.eq_ignore_ascii_case("commit") || text.eq_ignore_ascii_case("end")
}

/// One client connection: the client's messages are read one by one and forwarded, the
/// server's bytes copied back as they come.
fn serve(mut client: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut server = TcpStream::connect(shared.target)?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let cut_here = Arc::new(AtomicBool::new(false));
    let back = {
        let (mut from, mut to) = (server.try_clone()?, client.try_clone()?);
        let cut_here = Arc::clone(&cut_here);
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match from.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    // After the cut, what the server says is read and dropped, so that the
                    // server can finish and end its session by itself.
                    Ok(_) if cut_here.load(Ordering::SeqCst) => {}
                    Ok(n) => {
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                }
            }
            let _ = to.shutdown(Shutdown::Write);
        })
    };
    // The startup phase: length-prefixed messages without a type byte. An SSL or GSS
    // encryption request (answered `N` by a server without them) is followed by another.
    loop {
        let Some(len) = read_n(&mut client, 4)? else {
            return Ok(());
        };
        let n = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let body = read_n(&mut client, n.saturating_sub(4))?.unwrap_or_default();
        server.write_all(&len)?;
        server.write_all(&body)?;
        let code = body
            .get(..4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
        if !matches!(code, Some(80_877_103 | 80_877_104)) {
            break;
        }
    }
    while let Some(head) = read_n(&mut client, 5)? {
        let n = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let body = read_n(&mut client, n.saturating_sub(4))?.unwrap_or_default();
        if head[0] == b'Q' && is_commit(&body) {
            let k = shared.commits.fetch_add(1, Ordering::SeqCst) + 1;
            if k == shared.nth && !shared.cut.swap(true, Ordering::SeqCst) {
                cut_here.store(true, Ordering::SeqCst);
                if shared.how == CommitCut::AfterForwarding {
                    server.write_all(&head)?;
                    server.write_all(&body)?;
                    server.flush()?;
                }
                // The client hears nothing more; the server gets an orderly end of stream
                // after what was forwarded, so it reads the COMMIT (or not) before it.
                let _ = client.shutdown(Shutdown::Both);
                let _ = server.shutdown(Shutdown::Write);
                let _ = back.join();
                return Ok(());
            }
        }
        server.write_all(&head)?;
        server.write_all(&body)?;
    }
    let _ = server.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}
