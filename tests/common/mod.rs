//! A reusable fake-server kit for check tests: a tokio listener on 127.0.0.1:0 driven by a
//! script of reads, writes and delays, plus rcgen-made test certificates for TLS fakes.
#![allow(dead_code)]

use native_tls::Identity;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One action of a fake server's script.
#[derive(Clone, Debug)]
pub enum Act {
    /// Send this line with CRLF.
    Line(String),
    /// Send these bytes as they are.
    Raw(Vec<u8>),
    /// Read one line; if it does not start with this text (case-insensitive), record a
    /// mismatch and close the connection.
    Expect(String),
    /// Read one line, whatever it is.
    Read,
    /// Read this many raw bytes (after an IMAP literal announcement).
    ReadBytes(usize),
    Sleep(Duration),
    /// Record a protocol violation if the client has already sent anything (it pipelined or spoke early).
    AssertQuiet,
    /// Upgrade the connection to TLS with the server's acceptor (after STARTTLS).
    StartTls,
    /// Close the connection.
    Close,
    /// Stay silent until the client closes.
    Hold,
    /// Send this many bytes without a line break.
    Flood(usize),
    /// Send one byte every interval, forever (until the client closes).
    Drip(Duration),
}

/// Shorthand for a script line.
pub fn line(s: &str) -> Act {
    Act::Line(s.to_owned())
}
pub fn expect(s: &str) -> Act {
    Act::Expect(s.to_owned())
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_native_tls::TlsStream<TcpStream>>),
    Gone,
}

impl Conn {
    fn io(&mut self) -> Option<&mut dyn Io> {
        match self {
            Conn::Plain(s) => Some(s),
            Conn::Tls(s) => Some(s.as_mut()),
            Conn::Gone => None,
        }
    }
}

/// What a fake server saw.
#[derive(Default)]
pub struct Seen {
    /// Every line received from the client, on every connection.
    pub lines: Mutex<Vec<String>>,
    /// Every raw byte received (to prove a secret never travelled in clear).
    pub raw: Mutex<Vec<u8>>,
    /// Set when the client spoke early or pipelined, or a line did not match an `Expect`.
    pub violations: Mutex<Vec<String>>,
    pub connections: AtomicUsize,
    pub tls_used: AtomicBool,
}

/// A running fake server.
pub struct Fake {
    pub port: u16,
    pub seen: Arc<Seen>,
}

impl Fake {
    /// Starts a server; connection number i runs `scripts[min(i, last)]`. With `tls`, every
    /// connection starts with a TLS handshake (implicit TLS); `StartTls` uses it too.
    pub async fn start(scripts: Vec<Vec<Act>>, tls: Option<Identity>, implicit: bool) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Seen::default());
        let acceptor = tls.map(|id| {
            tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(id).expect("acceptor"))
        });
        let s2 = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                // Each write goes out as its own segment (no Nagle batching), so scripts that
                // send a reply in pieces really do.
                let _ = tcp.set_nodelay(true);
                let n = s2.connections.fetch_add(1, Ordering::SeqCst);
                let script = scripts[n.min(scripts.len() - 1)].clone();
                let seen = s2.clone();
                let acc = acceptor.clone();
                tokio::spawn(async move {
                    let conn = if implicit {
                        match acc
                            .as_ref()
                            .expect("identity for implicit TLS")
                            .accept(tcp)
                            .await
                        {
                            Ok(s) => {
                                seen.tls_used.store(true, Ordering::SeqCst);
                                Conn::Tls(Box::new(s))
                            }
                            Err(_) => return,
                        }
                    } else {
                        Conn::Plain(tcp)
                    };
                    run_script(conn, script, seen, acc).await;
                });
            }
        });
        Fake { port, seen }
    }

    /// A plain-text server with one script for every connection.
    pub async fn plain(script: Vec<Act>) -> Fake {
        Fake::start(vec![script], None, false).await
    }

    pub fn lines(&self) -> Vec<String> {
        self.seen.lines.lock().unwrap().clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.seen.violations.lock().unwrap().clone()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.seen.raw.lock().unwrap().clone()
    }
}

async fn read_line(conn: &mut Conn, buf: &mut Vec<u8>, seen: &Seen) -> Option<String> {
    loop {
        if let Some(pos) = buf.iter().position(|&b| b == b'\n') {
            let mut l: Vec<u8> = buf.drain(..=pos).collect();
            l.pop();
            if l.last() == Some(&b'\r') {
                l.pop();
            }
            let s = String::from_utf8_lossy(&l).into_owned();
            seen.lines.lock().unwrap().push(s.clone());
            return Some(s);
        }
        let mut chunk = [0u8; 4096];
        let n = conn.io()?.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.raw.lock().unwrap().extend_from_slice(&chunk[..n]);
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn write(conn: &mut Conn, data: &[u8]) -> bool {
    match conn.io() {
        Some(io) => io.write_all(data).await.is_ok() && io.flush().await.is_ok(),
        None => false,
    }
}

async fn run_script(
    mut conn: Conn,
    script: Vec<Act>,
    seen: Arc<Seen>,
    acceptor: Option<tokio_native_tls::TlsAcceptor>,
) {
    let mut buf = Vec::new();
    for act in script {
        match act {
            Act::Line(l) => {
                if !write(&mut conn, format!("{l}\r\n").as_bytes()).await {
                    return;
                }
            }
            Act::Raw(b) => {
                if !write(&mut conn, &b).await {
                    return;
                }
            }
            Act::Expect(prefix) => match read_line(&mut conn, &mut buf, &seen).await {
                Some(l)
                    if l.to_ascii_lowercase()
                        .starts_with(&prefix.to_ascii_lowercase()) => {}
                Some(l) => {
                    seen.violations
                        .lock()
                        .unwrap()
                        .push(format!("expected '{prefix}', got '{l}'"));
                    return;
                }
                None => return,
            },
            Act::Read => {
                if read_line(&mut conn, &mut buf, &seen).await.is_none() {
                    return;
                }
            }
            Act::ReadBytes(n) => {
                while buf.len() < n {
                    let mut chunk = [0u8; 4096];
                    let Some(io) = conn.io() else { return };
                    match io.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => {
                            seen.raw.lock().unwrap().extend_from_slice(&chunk[..k]);
                            buf.extend_from_slice(&chunk[..k]);
                        }
                    }
                }
                let data: Vec<u8> = buf.drain(..n).collect();
                seen.lines
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&data).into_owned());
            }
            Act::Sleep(d) => tokio::time::sleep(d).await,
            Act::AssertQuiet => {
                let mut early = !buf.is_empty();
                if let Some(io) = conn.io() {
                    let mut chunk = [0u8; 1024];
                    if let Ok(Ok(n)) =
                        tokio::time::timeout(Duration::from_millis(1), io.read(&mut chunk)).await
                    {
                        early |= n > 0;
                    }
                }
                if early {
                    seen.violations
                        .lock()
                        .unwrap()
                        .push("the client sent data before the server finished its reply".into());
                }
            }
            Act::StartTls => {
                let Conn::Plain(tcp) = std::mem::replace(&mut conn, Conn::Gone) else {
                    return;
                };
                let Some(acc) = acceptor.as_ref() else { return };
                match acc.accept(tcp).await {
                    Ok(s) => {
                        seen.tls_used.store(true, Ordering::SeqCst);
                        conn = Conn::Tls(Box::new(s));
                        buf.clear();
                    }
                    Err(_) => return,
                }
            }
            Act::Close => return,
            Act::Hold => {
                let mut chunk = [0u8; 1024];
                while let Some(io) = conn.io() {
                    match io.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
                return;
            }
            Act::Flood(n) => {
                let data = vec![b'A'; n];
                if !write(&mut conn, &data).await {
                    return;
                }
            }
            Act::Drip(every) => loop {
                if !write(&mut conn, b"2").await {
                    return;
                }
                tokio::time::sleep(every).await;
            },
        }
    }
    // Script done: keep the connection until the client closes, so replies are not cut short.
    let mut chunk = [0u8; 1024];
    while let Some(io) = conn.io() {
        match tokio::time::timeout(Duration::from_secs(30), io.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => seen.raw.lock().unwrap().extend_from_slice(&chunk[..n]),
            _ => return,
        }
    }
}

/// A test CA and the certificates it (or nobody) signs.
pub struct TestCa {
    pub ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "mailplan test CA");
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2045, 1, 1);
        let cert = params.self_signed(&key).expect("ca");
        TestCa {
            ca_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes the CA certificate to a temporary PEM file (kept alive by the returned handle).
    pub fn ca_file(&self) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        std::io::Write::write_all(&mut f, self.ca_pem.as_bytes()).expect("write");
        f
    }

    /// A leaf certificate for `names`, valid between the given years.
    pub fn leaf(&self, names: &[&str], from_year: i32, to_year: i32) -> Identity {
        let key = KeyPair::generate().expect("key");
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
        params.not_before = date_time_ymd(from_year, 1, 1);
        params.not_after = date_time_ymd(to_year, 1, 1);
        let cert = params.signed_by(&key, &self.issuer).expect("leaf");
        let chain = format!("{}{}", cert.pem(), self.ca_pem);
        Identity::from_pkcs8(chain.as_bytes(), key.serialize_pem().as_bytes()).expect("identity")
    }

    /// A valid leaf for localhost and 127.0.0.1.
    pub fn good(&self) -> Identity {
        self.leaf(&["localhost", "127.0.0.1"], 2020, 2045)
    }
}

/// A self-signed certificate for localhost and 127.0.0.1.
pub fn self_signed() -> Identity {
    self_signed_for(&["localhost", "127.0.0.1"])
}

/// A self-signed certificate for these names.
pub fn self_signed_for(names: &[&str]) -> Identity {
    let key = KeyPair::generate().expect("key");
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2045, 1, 1);
    let cert = params.self_signed(&key).expect("cert");
    Identity::from_pkcs8(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).expect("identity")
}

/// A greeting-then-capabilities SMTP script prefix.
pub fn smtp_hello(extra: &[&str]) -> Vec<Act> {
    let mut v = vec![line("220 mx.example.test ESMTP ready"), expect("EHLO ")];
    let mut caps = vec![
        "mx.example.test hello".to_string(),
        "PIPELINING".to_string(),
    ];
    caps.extend(extra.iter().map(|s| s.to_string()));
    let last = caps.len() - 1;
    for (i, c) in caps.iter().enumerate() {
        v.push(Act::Line(format!(
            "250{}{c}",
            if i == last { ' ' } else { '-' }
        )));
    }
    v
}

/// Polite SMTP end.
pub fn smtp_quit() -> Vec<Act> {
    vec![expect("QUIT"), line("221 bye")]
}
