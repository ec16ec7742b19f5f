//! The floor of `bench_live --compare` (`make bench-floor`): a bare
//! tokio-tungstenite broadcast server, what "a bare tokio WebSocket server
//! on the same machine" manages, to set Parley's live figures beside.
//!
//! No authentication, no storage, no protocol: every socket on any path is
//! accepted (4 KiB read buffer), and every text frame a client sends is
//! broadcast, as it came, through one `tokio::sync::broadcast` channel to
//! every connected socket, the sender's own included. Each socket
//! subscribes before its handshake is answered, so a client whose handshake
//! completed gets every frame sent after it.
//!
//! The floor does not hide loss: a socket that falls `--capacity` frames
//! behind (the channel reports it lagged) is counted, closed with code 4000
//! (as Parley closes a slow consumer) and logged as
//! `slow consumer cut off` on stderr. Its address goes to stderr as
//! `floor: listening on http://ADDR` (the line `bench_live` waits for, as it
//! does for Parley's); on SIGTERM or Ctrl-C it prints its counts and exits
//! with status 0.
//!
//! Usage: `floor [--addr 127.0.0.1:0] [--capacity 256]`.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use anyhow::{ensure, Context, Result};
use futures_util::{SinkExt, StreamExt};
use tokio::{
    net::{TcpListener, TcpStream},
    signal::unix::{signal, SignalKind},
    sync::broadcast::{self, error::RecvError},
};
use tokio_tungstenite::tungstenite::{
    protocol::{frame::coding::CloseCode, CloseFrame, WebSocketConfig},
    Message, Utf8Bytes,
};

/// Each socket's read buffer (tungstenite's default is 128 KiB).
const READ_BUFFER: usize = 4 * 1024;
/// Frames a socket may fall behind before it is cut off: Parley's queue
/// per socket holds as many.
const DEFAULT_CAPACITY: usize = 256;
/// The close code of a socket cut off for falling behind (Parley's).
const SLOW_CONSUMER: u16 = 4000;

const USAGE: &str = "usage: floor [--addr ADDR] [--capacity N]
  --addr ADDR      where to listen (default 127.0.0.1:0: any free port)
  --capacity N     frames a socket may fall behind before it is cut off
                   (default 256)";

/// The floor's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Args {
    addr: String,
    capacity: usize,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:0".to_owned(),
            capacity: DEFAULT_CAPACITY,
        }
    }
}

/// Parses `--flag value` or `--flag=value`; `None` for `--help`.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        ensure!(
            flag == "--addr" || flag == "--capacity",
            "unknown argument {arg:?}\n{USAGE}"
        );
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))?,
        };
        if flag == "--addr" {
            parsed.addr = value;
        } else {
            parsed.capacity = value
                .trim()
                .parse()
                .ok()
                .filter(|&n: &usize| n > 0)
                .with_context(|| format!("--capacity {value:?} is not a positive number"))?;
        }
    }
    Ok(Some(parsed))
}

/// What the floor did, printed when it stops.
#[derive(Default)]
struct Counters {
    sockets: AtomicU64,
    frames_in: AtomicU64,
    frames_out: AtomicU64,
    cut_off: AtomicU64,
    lost: AtomicU64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let Some(args) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let listener = TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    eprintln!(
        "floor: listening on http://{addr} (capacity {}, read buffer {READ_BUFFER} bytes)",
        args.capacity
    );
    let (tx, _) = broadcast::channel::<Utf8Bytes>(args.capacity);
    let counters = Arc::new(Counters::default());
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Subscribed before the handshake is answered.
                    let rx = tx.subscribe();
                    tokio::spawn(serve(stream, tx.clone(), rx, counters.clone()));
                }
                Err(e) => {
                    // Out of descriptors, most likely: wait for some to close.
                    eprintln!("floor: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
    eprintln!(
        "floor: stopped; {} sockets served, {} frames in, {} frames out, {} sockets cut off \
         ({} frames lost)",
        count(&counters.sockets),
        count(&counters.frames_in),
        count(&counters.frames_out),
        count(&counters.cut_off),
        count(&counters.lost),
    );
    Ok(())
}

/// One socket: its text frames go to everyone, everyone's come to it.
async fn serve(
    stream: TcpStream,
    tx: broadcast::Sender<Utf8Bytes>,
    mut rx: broadcast::Receiver<Utf8Bytes>,
    counters: Arc<Counters>,
) {
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    counters.sockets.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut source) = ws.split();
    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    counters.frames_in.fetch_add(1, Ordering::Relaxed);
                    // No receiver at all is no loss: nobody was there.
                    let _ = tx.send(text);
                }
                // Pings are answered by tungstenite itself.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Ok(text) => {
                    if sink.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                    counters.frames_out.fetch_add(1, Ordering::Relaxed);
                }
                Err(RecvError::Lagged(skipped)) => {
                    counters.cut_off.fetch_add(1, Ordering::Relaxed);
                    counters.lost.fetch_add(skipped, Ordering::Relaxed);
                    eprintln!("floor: slow consumer cut off ({skipped} frames behind)");
                    let close = CloseFrame {
                        code: CloseCode::from(SLOW_CONSUMER),
                        reason: "slow consumer".into(),
                    };
                    let _ = sink.send(Message::Close(Some(close))).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Option<Args>> {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() -> Result<()> {
        assert_eq!(args(&[])?, Some(Args::default()));
        let set = args(&["--addr", "127.0.0.1:9000", "--capacity=1024"])?.context("not help")?;
        assert_eq!(set.addr, "127.0.0.1:9000");
        assert_eq!(set.capacity, 1024);
        assert_eq!(args(&["--help"])?, None);
        assert!(args(&["--capacity", "0"]).is_err());
        assert!(args(&["--capacity"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        Ok(())
    }

    #[test]
    fn broadcasts_to_every_socket_and_cuts_off_the_lagging() -> Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let (tx, _) = broadcast::channel::<Utf8Bytes>(4);
            let counters = Arc::new(Counters::default());
            let server = {
                let (tx, counters) = (tx.clone(), counters.clone());
                tokio::spawn(async move {
                    while let Ok((stream, _)) = listener.accept().await {
                        let rx = tx.subscribe();
                        tokio::spawn(serve(stream, tx.clone(), rx, counters.clone()));
                    }
                })
            };
            let url = format!("ws://{addr}/");
            let (mut a, _) = tokio_tungstenite::connect_async(&url).await?;
            let (mut b, _) = tokio_tungstenite::connect_async(&url).await?;
            a.send(Message::text("hello")).await?;
            for ws in [&mut a, &mut b] {
                let got = ws.next().await.context("a frame")??;
                assert_eq!(got, Message::text("hello"));
            }
            // `b` stops reading; `a` sends far more than the socket
            // buffers and the channel hold. Reading on, `a` gets them all
            // while `b`'s writer blocks, falls behind in the channel and is
            // cut off with 4000 once `b` reads again.
            let filler = "x".repeat(64 * 1024);
            for k in 0..400 {
                let text = format!("{k} {filler}");
                a.send(Message::text(text.clone())).await?;
                let got = a.next().await.context("a frame")??;
                assert_eq!(got, Message::text(text));
            }
            let mut code = None;
            while let Some(frame) = b.next().await {
                if let Message::Close(Some(close)) = frame? {
                    code = Some(u16::from(close.code));
                    break;
                }
            }
            assert_eq!(code, Some(SLOW_CONSUMER));
            assert_eq!(counters.cut_off.load(Ordering::Relaxed), 1);
            server.abort();
            Ok(())
        })
    }
}
