//! `mail-lab-serve`: one Mail Lab world on TCP ports of 127.0.0.1, so real mail
//! clients (Thunderbird, curl, swaks, Python's smtplib/poplib) talk to the very
//! engines the page runs. The engines stay sans-I/O; this binary only moves
//! bytes, does the real TLS the engines ask for, and keeps the clock.
#![forbid(unsafe_code)]

mod tls;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use mail_lab_proto::{Output, Time};
use mail_lab_world::{ConnectionId, Policy, Protocol, Service, World, scenario, session_timeout};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio_rustls::TlsAcceptor;

/// How the world's clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClockMode {
    /// Follows the wall clock: retries and POP-before-SMTP windows run in real time.
    Real,
    /// Stands still at the scenario's time (deterministic sessions).
    Logical,
}

/// Serve a Mail Lab world to real mail clients on TCP ports.
#[derive(Debug, Parser)]
#[command(name = "mail-lab-serve", version, about)]
struct Args {
    /// A built-in scenario (two-domains, open-relay, backup-mx, pop-before-smtp,
    /// eavesdropping, dial-up, spoofing, op25b, dmarc) or
    /// a saved world (JSON file).
    #[arg(long, default_value = "two-domains")]
    scenario: String,
    /// The mail host whose services are exposed.
    #[arg(long, default_value = "mail.a.example")]
    host: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Allow a --bind address other than loopback (the lab has well-known passwords).
    /// Logins are then accepted only inside TLS, unless --allow-cleartext-login.
    #[arg(long)]
    allow_remote: bool,
    /// With --allow-remote: still accept passwords before STARTTLS/STLS (they
    /// cross the school network in the clear).
    #[arg(long, requires = "allow_remote")]
    allow_cleartext_login: bool,
    /// Port for SMTP (the host's port 25); 0 picks a free port.
    #[arg(long, default_value_t = 2525)]
    smtp_port: u16,
    /// Port for submission (the host's port 587).
    #[arg(long, default_value_t = 2587)]
    submission_port: u16,
    /// Port for SMTPS (the host's port 465, implicit TLS).
    #[arg(long, default_value_t = 2465)]
    smtps_port: u16,
    /// Port for POP3 (the host's port 110).
    #[arg(long, default_value_t = 1110)]
    pop3_port: u16,
    /// Port for POP3S (the host's port 995, implicit TLS).
    #[arg(long, default_value_t = 1995)]
    pop3s_port: u16,
    /// Port for IMAP (the host's port 143).
    #[arg(long, default_value_t = 1143)]
    imap_port: u16,
    /// Port for IMAPS (the host's port 993, implicit TLS).
    #[arg(long, default_value_t = 1993)]
    imaps_port: u16,
    #[arg(long, value_enum, default_value = "real")]
    clock: ClockMode,
    /// TLS certificate chain (PEM); with --key. Without them a self-signed one is made.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// TLS private key (PEM) for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Write the certificate in use (PEM) here, so a client can trust it.
    #[arg(long)]
    cert_out: Option<PathBuf>,
    /// Load the world from this file at start (if it exists) and save it there.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Write the world (the scenario or the saved state) as a file the page's
    /// "Open a saved lab" reads, then exit without serving.
    #[arg(long, value_name = "FILE")]
    export_page_lab: Option<PathBuf>,
    /// Write the world as indented JSON (a scenario file to edit), then exit.
    #[arg(long, value_name = "FILE")]
    export_scenario: Option<PathBuf>,
    /// Close a connection silent for this many seconds, with its protocol's
    /// goodbye. Default: the protocol's own limit (SMTP 300, POP3 600, IMAP 1800).
    #[arg(long)]
    idle_timeout: Option<u64>,
    /// Most connections served at once; more get a "too busy" answer.
    #[arg(long, default_value_t = 256)]
    max_connections: usize,
    /// Answer a login refused for a wrong name or password this many
    /// milliseconds late, so that guessing passwords is slow (Dovecot's
    /// auth_failure_delay is 2 s too). Other connections are not held up.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    auth_failure_delay: u64,
    /// -v logs each command and reply line, like a protocol rawlog.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

/// What every connection task shares.
struct Shared {
    world: Mutex<World>,
    host: String,
    tls: TlsAcceptor,
    verbose: bool,
    /// Overrides each protocol's inactivity limit.
    idle: Option<Duration>,
    /// How late a refused login is answered.
    auth_failure_delay: Duration,
    dirty: AtomicBool,
    /// Held while the world is written to disk.
    saving: Mutex<()>,
    /// Each connection's wake-up: rung when the world has output for it that
    /// the client did not ask for (an IDLE push, a timeout's goodbye).
    wakers: Mutex<HashMap<ConnectionId, Arc<Notify>>>,
}

impl Shared {
    /// The world, even if a task panicked while holding it (its state is still
    /// consistent: every engine call completes before the lock is released).
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wake every connection the world has output for, whoever caused it.
    /// Called with the world locked, right after it changed.
    /// Wake the connections the world has output for. `serving` is the one whose
    /// own answer this is: it is written next, whatever its size.
    fn wake_pending(&self, world: &mut World, serving: Option<ConnectionId>) {
        let pending = world.connections_with_output();
        if pending.is_empty() {
            return;
        }
        let wakers = self.wakers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for id in pending {
            // A client that stopped reading (an IDLE client, while another session
            // changes 100,000 flags at a time) is let go rather than its answers kept.
            let queued = world.queued_output(id);
            if queued > MAX_WAITING_OUTPUT && serving != Some(id) {
                world.take_outputs(id);
                world.disconnect(id);
                eprintln!("{id} hung up: {} MB of answers waited for a client that does not read", queued >> 20);
            }
            if let Some(waker) = wakers.get(&id) {
                // A permit is kept if the task is busy writing: no wake-up is lost.
                waker.notify_one();
            }
        }
    }

    /// How long a client of `protocol` may stay silent.
    fn idle_limit(&self, protocol: Protocol) -> Duration {
        self.idle.unwrap_or(Duration::from_millis(session_timeout(protocol)))
    }
}

/// Most octets that may wait for one client. Above the largest answer one
/// command makes (a FETCH slice: 256 KiB and one message's answer, at most
/// twice a 16 MiB message), so only others' pushes to a client that does not
/// read can pass it.
const MAX_WAITING_OUTPUT: usize = 64 << 20;

fn wall_clock() -> Time {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    Time(millis)
}

fn load_world(args: &Args) -> Result<World, String> {
    if let Some(path) = args.state.as_ref().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return World::from_json(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    match scenario::by_name(&args.scenario) {
        Some(world) => Ok(world),
        None => {
            let path = args.scenario.as_str();
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            World::from_json(&text).map_err(|e| format!("{path}: {e}"))
        }
    }
}

/// Write then rename, so a crash mid-write never leaves half a world; one
/// writer at a time (the periodic save and the final one share the tmp file).
fn write_world(
    shared: &Shared,
    path: &PathBuf,
    json: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let _one_writer = shared.saving.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let tmp = path.with_extension("tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    json(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the folder holding it is synced.
    match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

/// `future`, or a timed-out error once `limit` has passed (a TLS handshake or a
/// write a client never lets finish holds no connection slot for ever).
async fn within<T>(
    limit: Duration,
    future: impl std::future::Future<Output = std::io::Result<T>>,
) -> std::io::Result<T> {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "client too slow")))
}

fn port_for(args: &Args, service: Service) -> u16 {
    match service {
        Service::Smtp => args.smtp_port,
        Service::Submission => args.submission_port,
        Service::Smtps => args.smtps_port,
        Service::Pop3 => args.pop3_port,
        Service::Pop3s => args.pop3s_port,
        Service::Imap => args.imap_port,
        Service::Imaps => args.imaps_port,
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(why) = run(args).await {
        eprintln!("mail-lab-serve: {why}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    if !args.bind.is_loopback() && !args.allow_remote {
        return Err(format!(
            "refusing to listen on {}: the lab's passwords are public; add --allow-remote if you mean it",
            args.bind
        ));
    }
    let mut world = load_world(&args)?;
    let exports = [(&args.export_page_lab, world.to_compact()), (&args.export_scenario, world.to_json_pretty() + "\n")];
    if exports.iter().any(|(path, _)| path.is_some()) {
        for (path, text) in exports {
            if let Some(path) = path {
                std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        return Ok(());
    }
    if args.clock == ClockMode::Real {
        world.advance_to(wall_clock());
    }
    // One client's FETCH of a huge folder must not hold the world from the others.
    world.slice_long_commands = true;
    // Off loopback, a password typed before STARTTLS would cross a real network.
    let tls_before_login = args.allow_remote && !args.allow_cleartext_login;
    if tls_before_login {
        world.set_policy(&args.host, Policy::TlsBeforeLogin, true);
    }
    let (services, accounts) = {
        let host = world.host(&args.host).ok_or_else(|| format!("no host {} in this world", args.host))?;
        let services: Vec<(u16, Service)> = host.services.iter().map(|(p, s)| (*p, *s)).collect();
        let accounts: Vec<(String, String)> =
            host.store.accounts().map(|a| (a.address.clone(), a.password.clone())).collect();
        (services, accounts)
    };
    let identity = tls::identity(&args.host, args.cert.as_deref(), args.key.as_deref())?;
    if let Some(out) = &args.cert_out {
        std::fs::write(out, &identity.cert_pem).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let shared = Arc::new(Shared {
        world: Mutex::new(world),
        host: args.host.clone(),
        tls: TlsAcceptor::from(identity.config),
        verbose: args.verbose > 0,
        idle: args.idle_timeout.map(|secs| Duration::from_secs(secs.max(1))),
        auth_failure_delay: Duration::from_millis(args.auth_failure_delay),
        dirty: AtomicBool::new(false),
        saving: Mutex::new(()),
        wakers: Mutex::new(HashMap::new()),
    });
    let limit = Arc::new(Semaphore::new(args.max_connections.max(1)));
    let mut listeners = Vec::new();
    for (world_port, service) in services {
        let listener = TcpListener::bind(SocketAddr::new(args.bind, port_for(&args, service)))
            .await
            .map_err(|e| format!("cannot listen for {} on port {}: {e}", service.name(), port_for(&args, service)))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening {} {} {}", service.name(), args.host, local);
        listeners.push((listener, service, world_port));
    }
    let shutdown = Shutdown::register()?;
    if tls_before_login {
        println!("policy: logins only inside TLS (--allow-remote; add --allow-cleartext-login to allow them)");
    }
    println!("certificate sha256 {}", identity.fingerprint);
    for (address, password) in &accounts {
        println!("account {address} {password}");
    }
    println!("ready");

    for (listener, service, world_port) in listeners {
        tokio::spawn(accept_loop(shared.clone(), limit.clone(), listener, service, world_port));
    }
    if args.clock == ClockMode::Real {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let mut world = shared.world();
                world.advance_to(wall_clock());
                // Retries, outages and timeouts that came due talk to clients too.
                shared.wake_pending(&mut world, None);
            }
        });
    }
    if let Some(path) = args.state.clone() {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                if !shared.dirty.swap(false, Ordering::SeqCst) {
                    continue;
                }
                // Copied under the lock, serialised outside it: the JSON of a big
                // world (100,000 messages: about a second in a debug build) would
                // otherwise keep every client waiting. The copy shares the
                // messages' bytes (11 ms for 100,000 messages and 128 MiB in the
                // world's bench `snapshot_of_100k_messages_128_mib`, 26 ms when
                // it copied them). The copy is what is saved,
                // not the whole world: the event log (up to 16 MB of link bytes
                // after a flood of junk) and open sessions stay behind.
                let copy = shared.world().snapshot();
                let (shared, path) = (shared.clone(), path.clone());
                let saved = tokio::task::spawn_blocking(move || {
                    write_world(&shared, &path, |out| copy.write_json(out)).map_err(|e| (path, e))
                });
                if let Ok(Err((path, e))) = saved.await {
                    eprintln!("mail-lab-serve: saving {}: {e}", path.display());
                }
            }
        });
    }
    // Signals are waited for on a thread of their own, so a world held busy by
    // one connection (every runtime thread waiting for its lock) cannot stop them.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        shutdown.wait_blocking();
        let _ = stop_tx.send(());
    });
    let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
    println!("shutting down");
    if let Some(path) = &args.state {
        // Wait a little for a busy world; past that, the last periodic save stands.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match shared.world.try_lock() {
                Ok(world) => {
                    // Written from the guard in hand, so no client changes the world
                    // after this last save (the 5 s bound above is for taking it).
                    write_world(&shared, path, |out| world.write_json(out))
                        .map_err(|e| format!("saving {}: {e}", path.display()))?;
                    drop(world);
                    println!("saved world to {}", path.display());
                    break;
                }
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => {
                    println!("the world stayed busy for 5 s: not saved again (the last periodic save stands)");
                    break;
                }
            }
        }
    }
    // Connection tasks may still hold sockets: leave without waiting for them.
    std::process::exit(0)
}

/// SIGINT (Ctrl-C) and SIGTERM, registered before the server says it is ready,
/// so that a signal right after "ready" still saves the world. They are served
/// by a small runtime of their own (see `wait_blocking`).
struct Shutdown {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    fn register() -> Result<Shutdown, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the signal thread: {e}"))?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let guard = runtime.enter();
            let interrupt = signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
            let terminate = signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
            drop(guard);
            Ok(Shutdown { runtime, interrupt, terminate })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown { runtime })
        }
    }

    /// Blocks the calling thread until SIGINT or SIGTERM.
    fn wait_blocking(mut self) {
        #[cfg(unix)]
        {
            let (interrupt, terminate) = (&mut self.interrupt, &mut self.terminate);
            self.runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
        }
        #[cfg(not(unix))]
        {
            let _ = self.runtime.block_on(tokio::signal::ctrl_c());
        }
    }
}

async fn accept_loop(
    shared: Arc<Shared>,
    limit: Arc<Semaphore>,
    listener: TcpListener,
    service: Service,
    world_port: u16,
) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else { continue };
        let shared = shared.clone();
        match limit.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(async move {
                    let _permit = permit;
                    if let Err(e) = serve(shared.clone(), tcp, peer, service, world_port).await
                        && shared.verbose
                    {
                        eprintln!("connection from {peer}: {e}");
                    }
                });
            }
            Err(_) => {
                tokio::spawn(async move { too_busy(tcp, service).await });
            }
        }
    }
}

async fn too_busy(mut tcp: TcpStream, service: Service) {
    let line: &[u8] = match service.protocol() {
        Protocol::Smtp => b"421 4.3.2 Too many connections, try again later\r\n",
        Protocol::Pop3 => b"-ERR [SYS/TEMP] Too many connections, try again later\r\n",
        Protocol::Imap => b"* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
    };
    if !service.implicit_tls() {
        let _ = tcp.write_all(line).await;
    }
    let _ = tcp.shutdown().await;
}

/// The socket, in the clear or inside TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    /// Only while switching to TLS.
    Switching,
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
            Stream::Switching => Ok(0),
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(bytes).await,
            Stream::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Stream::Switching => Ok(()),
        }
    }

    async fn shutdown(&mut self) {
        let _ = match self {
            Stream::Plain(s) => s.shutdown().await,
            Stream::Tls(s) => s.shutdown().await,
            Stream::Switching => Ok(()),
        };
    }

    /// STARTTLS/STLS was accepted: the next bytes are the client's TLS handshake.
    async fn start_tls(self, acceptor: &TlsAcceptor) -> std::io::Result<Stream> {
        match self {
            Stream::Plain(tcp) => Ok(Stream::Tls(Box::new(acceptor.accept(tcp).await?))),
            other => Ok(other),
        }
    }
}

fn log_lines(shared: &Shared, id: ConnectionId, who: &str, bytes: &[u8]) {
    if !shared.verbose {
        return;
    }
    for line in String::from_utf8_lossy(bytes).lines() {
        println!("{id} {who}: {line}");
    }
}

async fn serve(
    shared: Arc<Shared>,
    tcp: TcpStream,
    peer: SocketAddr,
    service: Service,
    world_port: u16,
) -> std::io::Result<()> {
    let _ = tcp.set_nodelay(true);
    let mut stream = Stream::Plain(tcp);
    if service.implicit_tls() {
        stream = within(shared.idle_limit(service.protocol()), stream.start_tls(&shared.tls)).await?;
    }
    let connected = shared.world().connect_from_address(peer.ip().to_string(), &shared.host, world_port);
    let id = match connected {
        Ok(id) => id,
        Err(e) => {
            stream.write_all(format!("421 4.3.0 {e}\r\n").as_bytes()).await?;
            stream.shutdown().await;
            return Ok(());
        }
    };
    if shared.verbose {
        println!("{id} connect from {peer} to {} ({})", shared.host, service.name());
    }
    let waker = Arc::new(Notify::new());
    shared.wakers.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(id, waker.clone());
    let result = converse(&shared, &mut stream, id, service, &waker).await;
    // Whatever ended the conversation, the world forgets the connection and
    // what its engine held.
    shared.wakers.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&id);
    shared.world().release(id);
    result
}

/// What the socket did while the connection waited.
enum Turn {
    Read(std::io::Result<usize>),
    Woken,
    Silent,
}

/// Move bytes both ways until either side closes: what the client sends goes
/// to the world; what the world has for the client is written as soon as it is
/// there, pushed (IMAP IDLE, a timeout's goodbye) or in answer.
async fn converse(
    shared: &Shared,
    stream: &mut Stream,
    id: ConnectionId,
    service: Service,
    waker: &Notify,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    let idle = shared.idle_limit(service.protocol());
    let mut last_heard = tokio::time::Instant::now();
    loop {
        // Taken with the open state under one lock: a goodbye the world queued as
        // it closed the session is written before the socket is shut.
        let (outputs, open) = {
            let mut world = shared.world();
            (world.take_outputs(id), world.is_open(id))
        };
        for out in outputs {
            match out {
                Output::Bytes(bytes) => {
                    log_lines(shared, id, "S", &bytes);
                    within(idle, stream.write_all(&bytes)).await?;
                }
                Output::StartTls => {
                    let plain = std::mem::replace(stream, Stream::Switching);
                    *stream = within(idle, plain.start_tls(&shared.tls)).await?;
                    if shared.verbose {
                        println!("{id} TLS started");
                    }
                }
                Output::Close => {
                    stream.shutdown().await;
                    return Ok(());
                }
            }
        }
        // The world hung up (a client that stopped reading its answers): so does the socket.
        if !open {
            stream.shutdown().await;
            return Ok(());
        }
        // Half way through a long command: its next slice, once the last one
        // was written (so a slow reader holds at most a slice), letting other
        // connections take the world in between.
        let resumed = {
            let mut world = shared.world();
            let busy = world.is_busy(id);
            if busy {
                world.resume(id);
                shared.wake_pending(&mut world, Some(id));
            }
            busy
        };
        if resumed {
            shared.dirty.store(true, Ordering::SeqCst);
            last_heard = tokio::time::Instant::now();
            tokio::task::yield_now().await;
            continue;
        }
        let event = tokio::select! {
            read = stream.read(&mut buf) => Turn::Read(read),
            () = waker.notified() => Turn::Woken,
            () = tokio::time::sleep_until(last_heard + idle) => Turn::Silent,
        };
        match event {
            Turn::Woken => {}
            Turn::Silent => {
                // The server says its protocol's goodbye (421, BYE; POP3 just
                // closes), as the world's own clock would make it.
                let goodbye = {
                    let mut world = shared.world();
                    world.expire(id);
                    world.take_outputs(id)
                };
                for out in goodbye {
                    if let Output::Bytes(bytes) = out {
                        log_lines(shared, id, "S", &bytes);
                        stream.write_all(&bytes).await?;
                    }
                }
                stream.shutdown().await;
                return Ok(());
            }
            Turn::Read(Ok(0) | Err(_)) => {
                let mut world = shared.world();
                world.disconnect(id);
                shared.wake_pending(&mut world, Some(id));
                return Ok(());
            }
            Turn::Read(Ok(n)) => {
                last_heard = tokio::time::Instant::now();
                log_lines(shared, id, "C", &buf[..n]);
                let (sent, refused_logins) = {
                    let mut world = shared.world();
                    let failed = world.failed_logins(id);
                    let sent = world.send(id, &buf[..n]);
                    // Other sessions may have something to say now (a delivery, an EXPUNGE).
                    shared.wake_pending(&mut world, Some(id));
                    (sent, world.failed_logins(id).saturating_sub(failed))
                };
                shared.dirty.store(true, Ordering::SeqCst);
                if refused_logins > 0 {
                    // Once per refused login, so pipelined guesses wait their turn
                    // too; only this connection waits (the world is not held).
                    tokio::time::sleep(shared.auth_failure_delay.saturating_mul(refused_logins)).await;
                }
                if sent.is_err() {
                    // The world closed the session meanwhile (a logical-clock
                    // timeout): send its goodbye before hanging up.
                    let outputs = shared.world().take_outputs(id);
                    for out in outputs {
                        if let Output::Bytes(bytes) = out {
                            stream.write_all(&bytes).await?;
                        }
                    }
                    stream.shutdown().await;
                    return Ok(());
                }
            }
        }
    }
}
