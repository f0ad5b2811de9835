//! The dialogue with one server: a bounded line reader, lock-step sends, the transcript,
//! deadlines and cancellation.

use super::{Direction, TranscriptLine};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_native_tls::TlsStream;
use tokio_util::sync::CancellationToken;

/// Longest reply line accepted (RFC 5321 says 512 for SMTP; servers exceed it, so be lenient).
pub const MAX_LINE: usize = 8 * 1024;
/// Most bytes read from one server over a whole check.
pub const MAX_TOTAL: usize = 1024 * 1024;
/// Most lines in one multi-line reply (EHLO, CAPA, CAPABILITY).
pub const MAX_REPLY_LINES: usize = 200;

/// Why reading or writing stopped.
#[derive(Debug)]
pub enum ConnError {
    /// The step's own time limit passed.
    Timeout,
    /// The whole check's deadline passed.
    Deadline,
    Cancelled,
    /// The server closed the connection (with any partial line it sent).
    Closed(String),
    /// A line or the total went over the limits.
    TooLong,
    Io(io::Error),
}

impl std::fmt::Display for ConnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnError::Timeout => f.write_str("timed out waiting for the server"),
            ConnError::Deadline => f.write_str("the check's deadline passed"),
            ConnError::Cancelled => f.write_str("cancelled"),
            ConnError::Closed(_) => f.write_str("the server closed the connection"),
            ConnError::TooLong => f.write_str("the server sent too much"),
            ConnError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A plain or TLS connection.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Shared timing context of one check: start, whole-check deadline, cancel token, transcript.
pub struct Clock {
    pub start: Instant,
    pub deadline: Instant,
    pub cancel: CancellationToken,
    pub transcript: Vec<TranscriptLine>,
    /// Index in `transcript` of the first line sent with a secret in it (shown as `****`). Only
    /// what the server says from there on can echo the password.
    pub secret_sent_at: Option<usize>,
}

impl Clock {
    pub fn new(timeout: std::time::Duration, cancel: CancellationToken) -> Clock {
        let start = Instant::now();
        Clock {
            start,
            deadline: start + timeout,
            cancel,
            transcript: Vec::new(),
            secret_sent_at: None,
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Time left before the whole-check deadline.
    pub fn remaining(&self) -> std::time::Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.push(Direction::Note, text.into());
    }

    fn push(&mut self, dir: Direction, text: String) {
        let at_ms = self.elapsed_ms();
        self.transcript.push(TranscriptLine { at_ms, dir, text });
    }

    /// Runs `fut` until it finishes, `limit` passes (Timeout), the check deadline passes (Deadline),
    /// or the cancel token fires (Cancelled).
    pub async fn bounded<T, F>(&self, limit: Option<Instant>, fut: F) -> Result<T, ConnError>
    where
        F: std::future::Future<Output = Result<T, ConnError>>,
    {
        let (until, is_step) = match limit {
            Some(l) if l < self.deadline => (l, true),
            _ => (self.deadline, false),
        };
        tokio::select! {
            r = fut => r,
            _ = tokio::time::sleep_until(until) => Err(if is_step { ConnError::Timeout } else { ConnError::Deadline }),
            _ = self.cancel.cancelled() => Err(ConnError::Cancelled),
        }
    }
}

/// One connection's dialogue.
pub struct Session {
    pub stream: Option<Stream>,
    buf: Vec<u8>,
    total: usize,
}

impl Session {
    pub fn new(stream: Stream) -> Session {
        Session {
            stream: Some(stream),
            buf: Vec::new(),
            total: 0,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Some(Stream::Tls(_)))
    }

    /// Whether the server already sent bytes we have not read (it pipelined, or talks too early).
    pub fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }

    /// What the server sent ahead of time (at most `max` bytes, lossy UTF-8), for a finding.
    pub fn buffered_text(&self, max: usize) -> String {
        let end = self.buf.len().min(max);
        String::from_utf8_lossy(&self.buf[..end]).into_owned()
    }

    /// Takes the plain TCP stream out for a TLS upgrade. Unread buffered bytes are dropped.
    pub fn take_plain(&mut self) -> Option<TcpStream> {
        self.buf.clear();
        match self.stream.take() {
            Some(Stream::Plain(s)) => Some(s),
            other => {
                self.stream = other;
                None
            }
        }
    }

    async fn fill(&mut self) -> Result<(), ConnError> {
        let stream = self
            .stream
            .as_mut()
            .ok_or(ConnError::Closed(String::new()))?;
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.map_err(|e| match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof => ConnError::Closed(String::new()),
            _ => ConnError::Io(e),
        })?;
        if n == 0 {
            return Err(ConnError::Closed(
                String::from_utf8_lossy(&self.buf).into_owned(),
            ));
        }
        self.total += n;
        if self.total > MAX_TOTAL {
            return Err(ConnError::TooLong);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    async fn line_inner(&mut self) -> Result<String, ConnError> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > MAX_LINE {
                    return Err(ConnError::TooLong);
                }
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            if self.buf.len() > MAX_LINE {
                return Err(ConnError::TooLong);
            }
            self.fill().await?;
        }
    }

    /// Reads one line (without CRLF), recording it in the transcript.
    pub async fn read_line(
        &mut self,
        clock: &mut Clock,
        limit: Option<Instant>,
    ) -> Result<String, ConnError> {
        let deadline = clock.deadline;
        let cancel = clock.cancel.clone();
        let (until, is_step) = match limit {
            Some(l) if l < deadline => (l, true),
            _ => (deadline, false),
        };
        let r = tokio::select! {
            r = self.line_inner() => r,
            _ = tokio::time::sleep_until(until) => Err(if is_step { ConnError::Timeout } else { ConnError::Deadline }),
            _ = cancel.cancelled() => Err(ConnError::Cancelled),
        };
        match &r {
            Ok(line) => clock.push(Direction::Server, line.clone()),
            Err(ConnError::Closed(partial)) if !partial.is_empty() => {
                clock.push(Direction::Server, partial.clone());
            }
            Err(ConnError::TooLong) => clock.note("stopped reading: the server sent too much"),
            _ => {}
        }
        r
    }

    /// Reads exactly `n` raw bytes (an IMAP literal), within the limits. Not put in the transcript.
    pub async fn read_bytes(
        &mut self,
        clock: &Clock,
        n: usize,
        limit: Option<Instant>,
    ) -> Result<Vec<u8>, ConnError> {
        if n > MAX_TOTAL {
            return Err(ConnError::TooLong);
        }
        let fut = async {
            while self.buf.len() < n {
                self.fill().await?;
            }
            Ok(self.buf.drain(..n).collect())
        };
        clock.bounded(limit, fut).await
    }

    /// Sends one command line (CRLF added). `shown` is what the transcript records instead of
    /// the line: give it only for lines that carry a secret (it is replaced by `****` there).
    pub async fn send(
        &mut self,
        clock: &mut Clock,
        line: &str,
        shown: Option<&str>,
    ) -> Result<(), ConnError> {
        if shown.is_some() && clock.secret_sent_at.is_none() {
            clock.secret_sent_at = Some(clock.transcript.len());
        }
        clock.push(Direction::Client, shown.unwrap_or(line).to_owned());
        let stream = self
            .stream
            .as_mut()
            .ok_or(ConnError::Closed(String::new()))?;
        let mut data = Vec::with_capacity(line.len() + 2);
        data.extend_from_slice(line.as_bytes());
        data.extend_from_slice(b"\r\n");
        let fut = async {
            stream.write_all(&data).await.map_err(ConnError::Io)?;
            stream.flush().await.map_err(ConnError::Io)
        };
        let until = Some(Instant::now() + std::time::Duration::from_secs(10));
        clock.bounded(until, fut).await
    }

    /// Closes the connection politely (TLS close_notify where possible), bounded to a short time.
    pub async fn shutdown(&mut self) {
        if let Some(mut s) = self.stream.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_millis(500), s.shutdown()).await;
        }
    }
}

/// The status of an SMTP reply: code and its lines' texts (after the code and separator).
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpReply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl SmtpReply {
    /// All lines joined, as the server said them (with the code).
    pub fn text(&self) -> String {
        let last = self.lines.len().saturating_sub(1);
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}{}{}", self.code, if i == last { ' ' } else { '-' }, l))
            .collect::<Vec<_>>()
            .join("\n")
    }
    pub fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

/// Parses one SMTP reply line into (code, is_last, text). `None` when it is not an SMTP reply line.
pub fn parse_smtp_line(line: &str) -> Option<(u16, bool, &str)> {
    let b = line.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code: u16 = line[..3].parse().ok()?;
    if !(200..600).contains(&code) {
        return None;
    }
    match b.get(3) {
        None => Some((code, true, "")),
        Some(b' ') => Some((code, true, &line[4..])),
        Some(b'-') => Some((code, false, &line[4..])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_reply_lines() {
        assert_eq!(
            parse_smtp_line("220 mx ESMTP"),
            Some((220, true, "mx ESMTP"))
        );
        assert_eq!(
            parse_smtp_line("250-STARTTLS"),
            Some((250, false, "STARTTLS"))
        );
        assert_eq!(parse_smtp_line("250"), Some((250, true, "")));
        assert_eq!(parse_smtp_line("+OK pop"), None);
        assert_eq!(parse_smtp_line("SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_smtp_line("999 x"), None);
        assert_eq!(parse_smtp_line("22"), None);
    }
}
