//! A TCP proxy on loopback that puts a real fault between a client and a sandbox: a slow
//! uplink (bytes per second towards the server), or answers that never come back (the request
//! reaches the server, its answer is thrown away). It counts the bytes it carried each way, so
//! a test can tell how many times an upload was really sent.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the traffic (changeable while it runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Carries everything as it comes.
    None,
    /// Carries everything, but the client's bytes reach the server at the proxy's `rate`.
    SlowUplink,
    /// Carries the client's bytes; the server's answers are read and dropped (the client
    /// waits until its timeout).
    DropAnswers,
}

impl Fault {
    fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::SlowUplink,
            2 => Self::DropAnswers,
            _ => Self::None,
        }
    }
}

struct Shared {
    fault: AtomicU8,
    /// Bytes per second towards the server under [`Fault::SlowUplink`].
    rate: AtomicU64,
    up: AtomicU64,
    down: AtomicU64,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            fault: AtomicU8::new(0),
            rate: AtomicU64::new(u64::MAX),
            up: AtomicU64::new(0),
            down: AtomicU64::new(0),
        });
        let task = {
            let shared = shared.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        if let Ok(server) = TcpStream::connect(target).await {
                            carry(client, server, shared).await;
                        }
                    });
                }
            })
        };
        Ok(Self { addr, shared, task })
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `url` with its host and port replaced by the proxy's.
    pub fn url_for(&self, url: &str) -> String {
        match url::Url::parse(url) {
            Ok(mut u) => {
                let _ = u.set_ip_host(self.addr.ip());
                let _ = u.set_port(Some(self.addr.port()));
                u.to_string().trim_end_matches('/').to_owned()
            }
            Err(_) => url.to_owned(),
        }
    }

    /// Sets the fault from now on (connections already open included).
    pub fn set(&self, fault: Fault) {
        let v = match fault {
            Fault::None => 0,
            Fault::SlowUplink => 1,
            Fault::DropAnswers => 2,
        };
        self.shared.fault.store(v, Ordering::SeqCst);
    }

    /// The uplink's rate under [`Fault::SlowUplink`], bytes per second.
    pub fn set_rate(&self, bytes_per_second: u64) {
        self.shared
            .rate
            .store(bytes_per_second.max(1), Ordering::SeqCst);
    }

    /// Bytes carried from clients to the server so far.
    pub fn bytes_up(&self) -> u64 {
        self.shared.up.load(Ordering::SeqCst)
    }

    /// Bytes carried from the server back to clients so far.
    pub fn bytes_down(&self) -> u64 {
        self.shared.down.load(Ordering::SeqCst)
    }
}

async fn carry(client: TcpStream, server: TcpStream, shared: Arc<Shared>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = {
        let shared = shared.clone();
        async move {
            let mut buf = vec![0u8; 4096];
            // Under a slow uplink, bytes are let through so that the total never runs ahead
            // of `rate` since the fault began on this connection.
            let mut paced: Option<(Instant, u64)> = None;
            loop {
                let n = match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut chunk = &buf[..n];
                while !chunk.is_empty() {
                    let slow =
                        Fault::from_u8(shared.fault.load(Ordering::SeqCst)) == Fault::SlowUplink;
                    let piece = if slow {
                        chunk.len().min(1024)
                    } else {
                        chunk.len()
                    };
                    if slow {
                        let rate = shared.rate.load(Ordering::SeqCst);
                        let (start, sent) = paced.get_or_insert((Instant::now(), 0));
                        *sent += piece as u64;
                        let due = Duration::from_secs_f64(*sent as f64 / rate as f64);
                        let elapsed = start.elapsed();
                        if due > elapsed {
                            tokio::time::sleep(due - elapsed).await;
                        }
                    } else {
                        paced = None;
                    }
                    if server_write.write_all(&chunk[..piece]).await.is_err() {
                        return;
                    }
                    shared.up.fetch_add(piece as u64, Ordering::SeqCst);
                    chunk = &chunk[piece..];
                }
            }
            let _ = server_write.shutdown().await;
        }
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if Fault::from_u8(shared.fault.load(Ordering::SeqCst)) == Fault::DropAnswers {
                continue;
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            shared.down.fetch_add(n as u64, Ordering::SeqCst);
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}
