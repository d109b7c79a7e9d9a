//! A real SMTP server on loopback for tests: it speaks SMTP over TCP (greeting, EHLO/HELO,
//! MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps every message it
//! accepts, and can misbehave on demand — refuse a connection with `421`, or drop it in
//! the middle of a transaction — so tests can watch the sender retry.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
}

/// What the next connection suffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Greets with `421` and closes: the server refuses service.
    Refuse,
    /// Closes the connection right after accepting it, without a greeting.
    DropOnConnect,
    /// Accepts MAIL and RCPT, then closes when DATA is sent: nothing was delivered.
    DropBeforeData,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    faults: VecDeque<Fault>,
    connections: usize,
}

/// A running sink; stops when dropped.
pub struct SmtpSink {
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = inner.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let fault = {
                    let mut inner = shared.lock().unwrap();
                    inner.connections += 1;
                    inner.faults.pop_front()
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, fault, shared).await;
                });
            }
        });
        Self { port, inner, task }
    }

    /// `RAPPORT_SMTP_URL` for this sink (plain text: it is on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// The next connections suffer these faults, in order.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.inner.lock().unwrap().faults.extend(faults.iter().copied());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Connections accepted so far (faulty ones included).
    pub fn connections(&self) -> usize {
        self.inner.lock().unwrap().connections
    }

    /// Waits (up to `timeout`) until at least `count` messages arrived; returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            if Instant::now() > deadline {
                panic!(
                    "expected {count} mails at the SMTP sink within {timeout:?}, got {}: {received:#?}",
                    received.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits for the first message whose data satisfies `wanted`.
    pub async fn wait_until(&self, what: &str, timeout: Duration, wanted: impl Fn(&Received) -> bool) -> Received {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.received().into_iter().find(|r| wanted(r)) {
                return found;
            }
            if Instant::now() > deadline {
                panic!("no mail {what} arrived within {timeout:?}; got {:#?}", self.received());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn address(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument.rfind('>').unwrap_or(argument.len());
    argument[start..end.max(start)].to_owned()
}

async fn session(stream: TcpStream, fault: Option<Fault>, shared: Arc<Mutex<Inner>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    match fault {
        Some(Fault::DropOnConnect) => return Ok(()),
        Some(Fault::Refuse) => {
            write.write_all(b"421 sink.test Service not available, try again later\r\n").await?;
            return Ok(());
        }
        _ => {}
    }
    write.write_all(b"220 sink.test ESMTP test sink\r\n").await?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.split_whitespace().next().unwrap_or_default().to_uppercase();
        match verb.as_str() {
            "EHLO" => write.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?,
            "HELO" => write.write_all(b"250 sink.test\r\n").await?,
            "MAIL" => {
                mail_from = address(&command[4..]);
                rcpt_to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" => {
                rcpt_to.push(address(&command[4..]));
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                if fault == Some(Fault::DropBeforeData) {
                    return Ok(());
                }
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if reader.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") { &raw[1..] } else { &raw[..] };
                    data.extend_from_slice(unstuffed);
                }
                shared.lock().unwrap().received.push(Received {
                    mail_from: mail_from.clone(),
                    rcpt_to: rcpt_to.clone(),
                    data,
                });
                write.write_all(b"250 OK queued\r\n").await?;
            }
            "RSET" => {
                mail_from.clear();
                rcpt_to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 Command not implemented\r\n").await?,
        }
    }
}
