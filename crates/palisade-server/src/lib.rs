//! Palisade's network side: the receiver for the API server's audit webhook, and the forwarder
//! that POSTs alerts to a URL.
//!
//! Both run on a small tokio runtime of their own, on one background thread each, and talk to the
//! synchronous caller through bounded queues: the webhook handler only queues the request body and
//! answers at once, so a slow detector never holds up the API server; when the queue is full the
//! batch is dropped, counted, and answered with 503 so that the sender knows. Parsing and
//! detection stay with the caller; this crate never looks inside a body or an alert.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Method, StatusCode};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// An error starting or using a network component.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be parsed or bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or its thread could not start.
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    /// The URL is not an `http://` URL this forwarder can reach.
    #[error("invalid webhook URL {url:?}: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The largest request body accepted from the API server (64 MiB): its webhook backend sends
/// batches of up to a few hundred events, and single events are capped by the reader later.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Batches waiting for the detector before new ones are dropped.
pub const DEFAULT_QUEUE: usize = 1024;

fn runtime() -> Result<tokio::runtime::Runtime, ServerError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(ServerError::Runtime)
}

#[derive(Clone)]
struct Intake {
    queue: SyncSender<Bytes>,
    received: Arc<AtomicU64>,
    dropped: Arc<AtomicU64>,
}

async fn receive(State(intake): State<Intake>, method: Method, body: Bytes) -> StatusCode {
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    intake.received.fetch_add(1, Ordering::Relaxed);
    match intake.queue.try_send(body) {
        Ok(()) => StatusCode::OK,
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
            intake.dropped.fetch_add(1, Ordering::Relaxed);
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// The audit webhook receiver: request bodies (EventList JSON) arrive on [`AuditReceiver::recv`].
pub struct AuditReceiver {
    addr: SocketAddr,
    bodies: Receiver<Bytes>,
    received: Arc<AtomicU64>,
    dropped: Arc<AtomicU64>,
}

impl AuditReceiver {
    /// Binds `addr` (e.g. `127.0.0.1:8765`, port 0 for any) and starts serving on a background
    /// thread. Any path accepts a POST; the API server posts to the URL in its kubeconfig.
    pub fn listen(addr: &str, queue: usize) -> Result<AuditReceiver, ServerError> {
        let bind_error = |source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        };
        let std_listener = std::net::TcpListener::bind(addr).map_err(bind_error)?;
        std_listener.set_nonblocking(true).map_err(bind_error)?;
        let local = std_listener.local_addr().map_err(bind_error)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(queue.max(1));
        let intake = Intake {
            queue: tx,
            received: Arc::new(AtomicU64::new(0)),
            dropped: Arc::new(AtomicU64::new(0)),
        };
        let (received, dropped) = (Arc::clone(&intake.received), Arc::clone(&intake.dropped));
        let rt = runtime()?;
        let listener = {
            let _guard = rt.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(bind_error)?
        };
        let app = Router::new()
            .fallback(receive)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(intake);
        std::thread::Builder::new()
            .name("palisade-audit-webhook".into())
            .spawn(move || {
                // The server runs until the process ends; an accept error ends it quietly and
                // the caller sees the queue close.
                let _ = rt.block_on(async move { axum::serve(listener, app).await });
            })
            .map_err(ServerError::Runtime)?;
        Ok(AuditReceiver {
            addr: local,
            bodies: rx,
            received,
            dropped,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The next body, waiting at most `timeout`; `None` on timeout or when the server stopped.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Bytes> {
        self.bodies.recv_timeout(timeout).ok()
    }

    /// Requests received so far, queued or not.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Requests dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Counters of an [`AlertForwarder`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForwardStats {
    /// Alerts the URL accepted (any 2xx).
    pub delivered: u64,
    /// Alerts the URL refused or that could not be sent.
    pub failed: u64,
    /// Alerts dropped because the queue was full.
    pub dropped: u64,
}

#[derive(Default)]
struct ForwardCounters {
    delivered: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

/// POSTs alerts (JSON documents) to a URL from a background thread, in order, without holding up
/// the caller: alerts beyond the queue are dropped and counted.
pub struct AlertForwarder {
    queue: Option<SyncSender<Vec<u8>>>,
    worker: Option<std::thread::JoinHandle<()>>,
    counters: Arc<ForwardCounters>,
}

/// How long one POST may take before it counts as failed.
const POST_TIMEOUT: Duration = Duration::from_secs(10);

impl AlertForwarder {
    /// Starts forwarding to `url` (`http://host:port/path`), with room for `queue` alerts.
    pub fn start(url: &str, queue: usize) -> Result<AlertForwarder, ServerError> {
        let uri: hyper::Uri = url.parse().map_err(|e| ServerError::Url {
            url: url.to_string(),
            reason: format!("{e}"),
        })?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(ServerError::Url {
                url: url.to_string(),
                reason: "only http://host[:port]/path URLs are supported; put a TLS proxy in \
                         front for https"
                    .to_string(),
            });
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(queue.max(1));
        let counters = Arc::new(ForwardCounters::default());
        let rt = runtime()?;
        let worker = {
            let counters = Arc::clone(&counters);
            std::thread::Builder::new()
                .name("palisade-alert-forwarder".into())
                .spawn(move || {
                    let client: Client<HttpConnector, Full<Bytes>> =
                        Client::builder(TokioExecutor::new()).build_http();
                    while let Ok(alert) = rx.recv() {
                        let ok = rt.block_on(post(&client, &uri, alert));
                        let counter = if ok {
                            &counters.delivered
                        } else {
                            &counters.failed
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .map_err(ServerError::Runtime)?
        };
        Ok(AlertForwarder {
            queue: Some(tx),
            worker: Some(worker),
            counters,
        })
    }

    /// Queues one alert; returns false (and counts it) when the queue is full.
    pub fn send(&self, alert: Vec<u8>) -> bool {
        let Some(queue) = &self.queue else {
            return false;
        };
        if queue.try_send(alert).is_ok() {
            true
        } else {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            false
        }
    }

    /// Sends what is queued, waits for it, and returns the counters.
    pub fn finish(mut self) -> ForwardStats {
        self.queue = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        self.stats()
    }

    /// The counters so far.
    pub fn stats(&self) -> ForwardStats {
        ForwardStats {
            delivered: self.counters.delivered.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
        }
    }
}

async fn post(
    client: &Client<HttpConnector, Full<Bytes>>,
    uri: &hyper::Uri,
    body: Vec<u8>,
) -> bool {
    let Ok(request) = hyper::Request::post(uri.clone())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
    else {
        return false;
    };
    match tokio::time::timeout(POST_TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => response.status().is_success(),
        _ => false,
    }
}

/// Sets `flag` when the process receives Ctrl-C (SIGINT) or, on Unix, SIGTERM, so that a
/// long-running command can stop reading and still print its summary. The handlers are
/// registered before this returns (a signal that arrives right after must not kill the process
/// unreported); a background thread then watches them, and a second signal is handled the same
/// way (the caller decides how fast to stop).
pub fn stop_on_signal(flag: Arc<std::sync::atomic::AtomicBool>) -> Result<(), ServerError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(ServerError::Runtime)?;
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{SignalKind, signal};
        let _context = rt.enter();
        (
            signal(SignalKind::terminate()).map_err(ServerError::Runtime)?,
            signal(SignalKind::interrupt()).map_err(ServerError::Runtime)?,
        )
    };
    std::thread::Builder::new()
        .name("palisade-signals".into())
        .spawn(move || {
            rt.block_on(async move {
                #[cfg(unix)]
                loop {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                    flag.store(true, Ordering::Relaxed);
                }
                #[cfg(not(unix))]
                while tokio::signal::ctrl_c().await.is_ok() {
                    flag.store(true, Ordering::Relaxed);
                }
            });
        })
        .map_err(ServerError::Runtime)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_posted_to_the_receiver_come_out_and_the_forwarder_delivers() {
        let receiver = AuditReceiver::listen("127.0.0.1:0", 4).unwrap();
        let url = format!("http://{}/alerts", receiver.local_addr());
        let forwarder = AlertForwarder::start(&url, 16).unwrap();
        assert!(forwarder.send(b"{\"rule\":\"a\"}".to_vec()));
        assert!(forwarder.send(b"{\"rule\":\"b\"}".to_vec()));
        let stats = forwarder.finish();
        assert_eq!(stats.delivered, 2, "{stats:?}");
        let first = receiver.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(&first[..], b"{\"rule\":\"a\"}");
        let second = receiver.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(&second[..], b"{\"rule\":\"b\"}");
        assert_eq!(receiver.received(), 2);
    }

    #[test]
    fn a_full_queue_drops_and_answers_503() {
        let receiver = AuditReceiver::listen("127.0.0.1:0", 1).unwrap();
        let url = format!("http://{}/", receiver.local_addr());
        let forwarder = AlertForwarder::start(&url, 16).unwrap();
        for _ in 0..3 {
            forwarder.send(b"{}".to_vec());
        }
        let stats = forwarder.finish();
        assert_eq!(stats.delivered, 1);
        assert_eq!(stats.failed, 2);
        assert_eq!(receiver.dropped(), 2);
    }

    #[test]
    fn bad_urls_and_addresses_are_errors() {
        assert!(AlertForwarder::start("https://example.invalid/", 1).is_err());
        assert!(AlertForwarder::start("not a url", 1).is_err());
        assert!(AuditReceiver::listen("nowhere:xyz", 1).is_err());
    }

    #[test]
    fn unreachable_urls_count_as_failed() {
        // Bind and drop to find a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let forwarder = AlertForwarder::start(&format!("http://127.0.0.1:{port}/"), 4).unwrap();
        forwarder.send(b"{}".to_vec());
        assert_eq!(forwarder.finish().failed, 1);
    }
}
