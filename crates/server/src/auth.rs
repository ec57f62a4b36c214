//! Sign-in, sessions and roles.
//!
//! - Passwords are argon2id hashes; verification runs off the async threads.
//! - A session is a random token in an HttpOnly, SameSite=Strict cookie; the
//!   database keeps its SHA-256 (see `db::sessions`), so restarts keep sessions.
//! - Every `/api` route but login passes [`require_session`]; state-changing
//!   methods must also carry the session's CSRF token in `X-CSRF-Token`.
//! - Failed sign-ins are throttled per (email, client address), per address and
//!   per email (see [`LoginThrottle`]).
//! - An agent flagged "must change password" reaches only the routes that change
//!   the password, read the session or sign out ([`require_session`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use orgdesk_core::agent::Role;
use orgdesk_core::api::{CSRF_HEADER, SESSION_COOKIE};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::config::{Config, DEFAULT_ADMIN_EMAIL};
use crate::db::agents::AgentRow;
use crate::db::{self, Db};
use crate::error::ApiError;
use crate::time_fmt::now_ms;
use crate::AppState;

/// How long a session lasts after sign-in.
pub const SESSION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);

/// Bounds the password hashes that run at once. Each argon2id hash takes about
/// 19 MiB and a core for tens of milliseconds, so a flood of sign-ins must not
/// start them all: `slots` run at a time on blocking threads, up to `queue` more
/// wait their turn, and any request beyond that is refused at once with a 503 and
/// `Retry-After`, before it costs memory or CPU.
pub struct HashGate {
    slots: tokio::sync::Semaphore,
    inside: AtomicUsize,
    capacity: usize,
}

impl HashGate {
    pub fn new(slots: usize, queue: usize) -> HashGate {
        HashGate {
            slots: tokio::sync::Semaphore::new(slots.max(1)),
            inside: AtomicUsize::new(0),
            capacity: slots.max(1) + queue,
        }
    }

    /// The process-wide gate: one slot per core, a queue of eight per core.
    pub fn shared() -> &'static HashGate {
        static GATE: OnceLock<HashGate> = OnceLock::new();
        GATE.get_or_init(|| {
            let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
            HashGate::new(cores, 8 * cores)
        })
    }

    /// Runs `work` on a blocking thread once a slot is free, or refuses at once
    /// when the slots and the queue are full.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        if self.inside.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.inside.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Unavailable {
                message: "The server is busy signing people in. Try again in a moment.".into(),
                retry_after_secs: 1,
            });
        }
        // Leaves the gate however this ends, a dropped request included.
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.inside);
        let _slot = self.slots.acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::Internal(e.to_string()))
    }
}

pub async fn hash_password(password: String) -> Result<String, ApiError> {
    HashGate::shared()
        .run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| ApiError::Internal(format!("hashing failed: {e}")))
        })
        .await?
}

/// Verifies `password` against `hash`; with no hash (unknown account) it checks a
/// dummy hash anyway, so response times do not reveal which accounts exist. Fails
/// (503) only when the [`HashGate`] is full.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, ApiError> {
    HashGate::shared()
        .run(move || {
            let (hash, real) = match &hash {
                Some(h) => (h.as_str(), true),
                None => (dummy_hash(), false),
            };
            let mut memory = ARGON2_MEMORY.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            let ok = verify_with_memory(password.as_bytes(), hash, &mut memory);
            ARGON2_MEMORY.lock().unwrap_or_else(|e| e.into_inner()).push(memory);
            ok && real
        })
        .await
}

/// Argon2's working memory (19 MiB per hash with the default parameters), kept
/// between sign-ins: at most one per [`HashGate`] slot exists, and reusing them keeps
/// the allocator from holding a fresh 19 MiB for every hash a flood asks for.
static ARGON2_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Checks `password` against the PHC string `hash`, computing in `memory` (resized
/// to the hash's parameters). Any malformed hash is a mismatch.
fn verify_with_memory(password: &[u8], hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) =
        (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    memory.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..])
        .is_ok()
        && Output::new(&out).is_ok_and(|out| out == expected)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(random_token(16).as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// `bytes` random bytes from the OS, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A readable random password for the generated first admin.
fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..18).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Creates the first admin when there are no agents; returns the password if it was generated.
pub async fn bootstrap_admin(db: &Db, config: &Config) -> Result<Option<String>, String> {
    let existing = db::agents::count(db).await.map_err(|e| format!("cannot read agents: {e}"))?;
    if existing > 0 {
        return Ok(None);
    }
    let email = config.admin_email.as_deref().unwrap_or(DEFAULT_ADMIN_EMAIL);
    let email = orgdesk_core::email::Email::parse(email).map_err(|e| format!("ORGDESK_ADMIN_EMAIL: {e}"))?;
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = generated_password();
            (p.clone(), Some(p))
        }
    };
    let hash = hash_password(password).await.map_err(|e| e.to_string())?;
    db::agents::insert(
        db,
        email.as_str(),
        "Administrator",
        Role::Admin,
        &hash,
        config.admin_must_change_password,
        now_ms(),
    )
    .await
    .map_err(|e| format!("cannot create the first admin: {e}"))?;
    Ok(generated)
}

/// The `Set-Cookie` value that starts a session (or, with `None`, ends it).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    set_cookie(SESSION_COOKIE, token, secure)
}

/// The `Set-Cookie` value that sets cookie `name` to a session token for
/// [`SESSION_TTL`] (or, with `None`, clears it).
pub fn set_cookie(name: &str, token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_TTL.as_secs()),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The non-empty value of cookie `wanted`.
pub fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// The signed-in agent of this request, put there by [`require_session`].
#[derive(Debug, Clone)]
pub struct CurrentAgent {
    pub agent: AgentRow,
    pub csrf_token: String,
    pub token_hash: String,
    /// The data versions when the request began: cached results are reused at these.
    pub versions: db::sessions::DataVersions,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CurrentAgent>().cloned().ok_or(ApiError::Unauthorized)
    }
}

/// A signed-in agent whose role is admin.
#[derive(Debug, Clone)]
pub struct AdminAgent(pub CurrentAgent);

impl<S: Send + Sync> FromRequestParts<S> for AdminAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentAgent::from_request_parts(parts, state).await?;
        if current.agent.role() != Role::Admin {
            return Err(ApiError::Forbidden("Only administrators can do this.".into()));
        }
        Ok(AdminAgent(current))
    }
}

/// On a state-changing request: not cross-site, and carrying the session's CSRF token.
pub fn check_csrf(method: &Method, headers: &HeaderMap, csrf_token: &str) -> Result<(), ApiError> {
    if is_state_changing(method) {
        reject_cross_site(method, headers)?;
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
            return Err(ApiError::Forbidden(
                "This request did not carry the session's security token. Reload the page and try again.".into(),
            ));
        }
    }
    Ok(())
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Rejects state-changing requests that a browser marks as cross-site.
pub fn reject_cross_site(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let cross_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    if is_state_changing(method) && cross_site {
        return Err(ApiError::Forbidden("Cross-site requests are not accepted.".into()));
    }
    Ok(())
}

/// Middleware on every `/api` route but login: a valid session, and the CSRF
/// token on state-changing methods.
pub async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = session_token(req.headers()).ok_or(ApiError::Unauthorized)?;
    let hash = token_hash(&token);
    let db::sessions::Found { agent, csrf_token, versions } =
        db::sessions::find(&state.db, &hash, now_ms()).await?.ok_or(ApiError::Unauthorized)?;
    check_csrf(req.method(), req.headers(), &csrf_token)?;
    if agent.must_change_password && !allowed_before_password_change(req.method(), req.uri().path()) {
        return Err(ApiError::PasswordChangeRequired);
    }
    req.extensions_mut().insert(CurrentAgent { agent, csrf_token, token_hash: hash, versions });
    Ok(next.run(req).await)
}

/// The routes an agent who must change the password can still use: read the
/// session, change the password, sign out (here or everywhere).
pub fn allowed_before_password_change(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        ("GET", "/api/auth/me")
            | ("POST", "/api/auth/password")
            | ("POST", "/api/auth/logout")
            | ("POST", "/api/auth/sign-out-everywhere")
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address, when the server was started with connect info.
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())))
    }
}

/// Slows down repeated failed sign-ins without locking the real user out.
///
/// Failures are counted per (account, source address) together, so an attacker
/// elsewhere does not slow the real user's own attempts; per source address across
/// all accounts (one source guessing many accounts); and per account across all
/// sources, with a much higher allowance and a short maximum wait, so a
/// distributed attack is slowed too but the real user can still get in. Beyond
/// each allowance every further attempt must wait twice as long as the last.
/// Counts are forgotten after [`WINDOW`] without a failure.
///
/// Memory is bounded: each counter holds at most [`MAX_KEYS`] entries, keyed by a
/// 64-bit keyed hash (never the email itself), and a full counter first forgets
/// the entries that have expired, then the older half.
pub struct LoginThrottle {
    keys: std::collections::hash_map::RandomState,
    pair: Mutex<Counter>,
    source: Mutex<Counter>,
    account: Mutex<Counter>,
    forgot_source: Mutex<Counter>,
    forgot_account: Mutex<Counter>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::with_capacity(MAX_KEYS)
    }
}

/// Failures forgiven per (account, source).
const PAIR_FREE_FAILURES: u32 = 5;
/// Failures forgiven per source across all accounts.
const SOURCE_FREE_FAILURES: u32 = 20;
/// Failures forgiven per account across all sources.
const ACCOUNT_FREE_FAILURES: u32 = 100;
/// "Forgot password" requests per source and per account before they are slowed.
const FORGOT_SOURCE_FREE: u32 = 10;
const FORGOT_ACCOUNT_FREE: u32 = 3;
/// A count is forgotten this long after its last failure.
const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// The per-account wait stays short: it applies to the real user too.
const ACCOUNT_MAX_WAIT: Duration = Duration::from_secs(60);
/// Entries per counter (about 32 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// Failure counts by key, bounded in size.
struct Counter {
    map: HashMap<u64, (u32, Instant)>,
    free: u32,
    max_wait: Duration,
    capacity: usize,
}

impl Counter {
    fn new(free: u32, max_wait: Duration, capacity: usize) -> Mutex<Counter> {
        Mutex::new(Counter { map: HashMap::new(), free, max_wait, capacity })
    }

    /// How long `key` must still wait at `now`.
    fn wait(&self, key: u64, now: Instant) -> Option<Duration> {
        let (count, last) = self.map.get(&key)?;
        let elapsed = now.duration_since(*last);
        if elapsed >= WINDOW.max(self.max_wait) {
            return None;
        }
        let wait = LoginThrottle::wait_for(*count, self.free).min(self.max_wait);
        (elapsed < wait).then(|| wait - elapsed)
    }

    fn add(&mut self, key: u64, now: Instant) {
        if self.map.len() >= self.capacity && !self.map.contains_key(&key) {
            self.make_room(now);
        }
        let keep_for = WINDOW.max(self.max_wait);
        let entry = self.map.entry(key).or_insert((0, now));
        if now.duration_since(entry.1) >= keep_for {
            entry.0 = 0;
        }
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
    }

    fn take_back(&mut self, key: u64) {
        if let Some(entry) = self.map.get_mut(&key) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    /// Forgets expired entries, then, if still full, the older half: linear time,
    /// and at most once per `capacity / 2` new keys.
    fn make_room(&mut self, now: Instant) {
        let keep_for = WINDOW.max(self.max_wait);
        self.map.retain(|_, (_, last)| now.duration_since(*last) < keep_for);
        if self.map.len() >= self.capacity {
            let mut ages: Vec<Instant> = self.map.values().map(|(_, last)| *last).collect();
            let middle = ages.len() / 2;
            let (_, cut, _) = ages.select_nth_unstable(middle);
            let cut = *cut;
            self.map.retain(|_, (_, last)| *last > cut);
        }
    }
}

fn lock(counter: &Mutex<Counter>) -> std::sync::MutexGuard<'_, Counter> {
    counter.lock().unwrap_or_else(|e| e.into_inner())
}

impl LoginThrottle {
    /// A throttle whose counters hold at most `capacity` keys each.
    pub fn with_capacity(capacity: usize) -> LoginThrottle {
        let capacity = capacity.max(2);
        LoginThrottle {
            keys: Default::default(),
            pair: Counter::new(PAIR_FREE_FAILURES, MAX_WAIT, capacity),
            source: Counter::new(SOURCE_FREE_FAILURES, MAX_WAIT, capacity),
            account: Counter::new(ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_WAIT, capacity),
            forgot_source: Counter::new(FORGOT_SOURCE_FREE, MAX_WAIT, capacity),
            forgot_account: Counter::new(FORGOT_ACCOUNT_FREE, MAX_WAIT, capacity),
        }
    }

    fn account_key(&self, email: &str) -> u64 {
        use std::hash::BuildHasher;
        self.keys.hash_one(("account", email.trim().to_lowercase()))
    }

    fn source_key(&self, ip: Option<IpAddr>) -> u64 {
        use std::hash::BuildHasher;
        self.keys.hash_one(("source", ip))
    }

    fn pair_key(&self, email: &str, ip: Option<IpAddr>) -> u64 {
        use std::hash::BuildHasher;
        self.keys.hash_one(("pair", email.trim().to_lowercase(), ip))
    }

    fn wait_for(count: u32, free: u32) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doubling = (count - free).min(20);
        Duration::from_secs(1u64 << doubling).min(MAX_WAIT)
    }

    /// Admits one sign-in attempt, counting it as a failure at once, before the
    /// password is checked: concurrent attempts cannot all pass the check before any
    /// failure is recorded. `Err(seconds)` when this attempt must wait (it is then
    /// not counted). A correct password takes the count back ([`Self::succeeded`]).
    pub fn attempt(&self, email: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let keys = [
            (&self.pair, self.pair_key(email, ip)),
            (&self.source, self.source_key(ip)),
            (&self.account, self.account_key(email)),
        ];
        // Locked in one fixed order, all at once, so the check and the count are one step.
        let mut guards = keys.map(|(counter, key)| (lock(counter), key));
        if let Some(wait) = guards.iter().filter_map(|(c, key)| c.wait(*key, now)).max() {
            return Err(wait.as_secs().max(1));
        }
        for (counter, key) in guards.iter_mut() {
            counter.add(*key, now);
        }
        Ok(())
    }

    /// Takes back an attempt whose password was never checked (the server was too
    /// busy to hash it), so the refusal does not count against the account.
    pub fn withdraw(&self, email: &str, ip: Option<IpAddr>) {
        lock(&self.pair).take_back(self.pair_key(email, ip));
        lock(&self.source).take_back(self.source_key(ip));
        lock(&self.account).take_back(self.account_key(email));
    }

    /// Checks the password of an attempt [`Self::attempt`] admitted. When it cannot be
    /// checked (the hash gate is full: 503), the attempt is withdrawn, so a busy server
    /// costs no one their allowance.
    pub async fn verify(
        &self,
        email: &str,
        ip: Option<IpAddr>,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, ApiError> {
        let checked = verify_password(password, hash).await;
        if checked.is_err() {
            self.withdraw(email, ip);
        }
        checked
    }

    /// A correct password: the failures from this source for this account are
    /// forgiven, and the source's and the account's counts lose the attempt
    /// [`Self::attempt`] added. Failures from other sources still count.
    pub fn succeeded(&self, email: &str, ip: Option<IpAddr>) {
        lock(&self.pair).map.remove(&self.pair_key(email, ip));
        lock(&self.source).take_back(self.source_key(ip));
        lock(&self.account).take_back(self.account_key(email));
    }

    /// Admits one "forgot password" request (every request counts, whether the
    /// account exists or not, so the answer tells nothing). `Err(seconds)` to wait.
    pub fn forgot(&self, email: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let mut source = lock(&self.forgot_source);
        let mut account = lock(&self.forgot_account);
        let (source_key, account_key) = (self.source_key(ip), self.account_key(email));
        if let Some(wait) = [source.wait(source_key, now), account.wait(account_key, now)].into_iter().flatten().max() {
            return Err(wait.as_secs().max(1));
        }
        source.add(source_key, now);
        account.add(account_key, now);
        Ok(())
    }

    /// How many keys the counters hold in all (for tests of the bound).
    pub fn len(&self) -> usize {
        [&self.pair, &self.source, &self.account, &self.forgot_source, &self.forgot_account]
            .iter()
            .map(|c| lock(c).map.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_for_an_email_must_wait_before_any_password_is_checked() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        // Attempts are counted when admitted, so five in flight at once use up the free ones.
        for _ in 0..PAIR_FREE_FAILURES {
            assert!(throttle.attempt("a@b.io", ip).is_ok());
        }
        assert!(throttle.attempt("A@B.io ", ip).is_err());
        assert!(throttle.attempt("other@b.io", ip).is_ok(), "other accounts are not slowed by one account's failures");
        throttle.succeeded("a@b.io", ip);
        assert!(throttle.attempt("a@b.io", ip).is_ok());
    }

    #[test]
    fn failures_from_one_source_do_not_slow_the_account_from_another() {
        let throttle = LoginThrottle::default();
        let (a, b) = (Some(IpAddr::from([10, 0, 0, 1])), Some(IpAddr::from([10, 0, 0, 2])));
        for _ in 0..PAIR_FREE_FAILURES {
            assert!(throttle.attempt("ann@b.io", a).is_ok());
        }
        assert!(throttle.attempt("ann@b.io", a).is_err(), "source A waits");
        assert!(throttle.attempt("ann@b.io", b).is_ok(), "source B does not");
        throttle.succeeded("ann@b.io", b);
        assert!(throttle.attempt("ann@b.io", a).is_err(), "a success elsewhere does not forgive source A");
    }

    #[test]
    fn many_sources_together_reach_the_account_ceiling_with_a_short_wait() {
        let throttle = LoginThrottle::default();
        for n in 0..ACCOUNT_FREE_FAILURES {
            let ip = Some(IpAddr::from([10, 1, (n / 256) as u8, (n % 256) as u8]));
            assert!(throttle.attempt("ann@b.io", ip).is_ok(), "attempt {n}");
        }
        let fresh = Some(IpAddr::from([10, 2, 0, 1]));
        let wait = throttle.attempt("ann@b.io", fresh).unwrap_err();
        assert!(wait >= 1 && wait <= ACCOUNT_MAX_WAIT.as_secs(), "{wait}");
        assert!(throttle.attempt("bob@b.io", fresh).is_ok(), "other accounts are not slowed");
    }

    #[test]
    fn the_counters_stay_bounded_under_a_million_distinct_emails_and_sources() {
        let throttle = LoginThrottle::with_capacity(1_000);
        for n in 0u32..1_000_000 {
            let ip = Some(IpAddr::from(n.to_be_bytes()));
            let _ = throttle.attempt(&format!("user{n}@example.com"), ip);
        }
        assert!(throttle.len() <= 3 * 1_000, "{}", throttle.len());
        // The newest failures are still counted after the pruning.
        let ip = Some(IpAddr::from([9, 9, 9, 9]));
        for _ in 0..PAIR_FREE_FAILURES {
            assert!(throttle.attempt("late@example.com", ip).is_ok());
        }
        assert!(throttle.attempt("late@example.com", ip).is_err());
    }

    #[test]
    fn forgot_password_requests_are_slowed_per_account_and_per_source() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..FORGOT_ACCOUNT_FREE {
            assert!(throttle.forgot("ann@b.io", ip).is_ok());
        }
        assert!(throttle.forgot("ann@b.io", ip).is_err());
        for n in FORGOT_ACCOUNT_FREE..FORGOT_SOURCE_FREE {
            assert!(throttle.forgot(&format!("u{n}@b.io"), ip).is_ok());
        }
        assert!(throttle.forgot("new@b.io", ip).is_err(), "the source used up its allowance");
    }

    #[test]
    fn a_withdrawn_attempt_does_not_count() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..PAIR_FREE_FAILURES * 2 {
            assert!(throttle.attempt("a@b.io", ip).is_ok());
            throttle.withdraw("a@b.io", ip);
        }
        assert!(throttle.attempt("a@b.io", ip).is_ok());
    }

    #[test]
    fn successful_sign_ins_from_one_address_never_add_up_to_a_wait() {
        let throttle = LoginThrottle::default();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for n in 0..(SOURCE_FREE_FAILURES * 3) {
            let email = format!("agent{n}@example.com");
            assert!(throttle.attempt(&email, ip).is_ok(), "sign-in {n}");
            throttle.succeeded(&email, ip);
        }
    }

    #[tokio::test]
    async fn the_hash_gate_queues_up_to_its_capacity_and_refuses_beyond_it() {
        let gate = std::sync::Arc::new(HashGate::new(1, 1));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let first = tokio::spawn({
            let gate = gate.clone();
            async move {
                gate.run(move || {
                    started.send(()).unwrap();
                    held.recv().unwrap();
                    1
                })
                .await
            }
        });
        running.await.unwrap();
        let second = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| 2).await }
        });
        while gate.inside.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        let third = gate.run(|| 3).await;
        assert!(matches!(third, Err(ApiError::Unavailable { retry_after_secs: 1, .. })), "{third:?}");
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(second.await.unwrap().unwrap(), 2, "the queued request runs once a slot is free");
        assert_eq!(gate.inside.load(Ordering::SeqCst), 0, "everyone left the gate");
        assert_eq!(gate.run(|| 4).await.unwrap(), 4);
    }

    #[test]
    fn a_password_verifies_against_its_hash_with_reused_memory() {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default().hash_password(b"correct horse", &salt).unwrap().to_string();
        let mut memory = Vec::new();
        assert!(verify_with_memory(b"correct horse", &hash, &mut memory));
        assert!(!verify_with_memory(b"correct hose", &hash, &mut memory));
        assert!(verify_with_memory(b"correct horse", &hash, &mut memory), "the memory is reused as it was left");
        // Other parameters (a smaller memory cost) resize the memory.
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 2, 1, None).unwrap());
        let other = small.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(verify_with_memory(b"pw", &other, &mut memory));
        assert!(!verify_with_memory(b"pw", "not a hash", &mut memory));
        assert!(!verify_with_memory(b"pw", &other.replace("argon2id", "argon2x"), &mut memory));
    }

    #[test]
    fn waits_double_and_are_capped() {
        assert_eq!(LoginThrottle::wait_for(4, 5), Duration::ZERO);
        assert_eq!(LoginThrottle::wait_for(5, 5), Duration::from_secs(1));
        assert_eq!(LoginThrottle::wait_for(7, 5), Duration::from_secs(4));
        assert_eq!(LoginThrottle::wait_for(60, 5), MAX_WAIT);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_strict() {
        let c = session_cookie(Some("abc"), false);
        assert!(c.starts_with("orgdesk_session=abc;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        assert!(session_cookie(None, true).contains("Max-Age=0; Secure"));
    }

    #[test]
    fn the_session_token_is_read_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "theme=dark; orgdesk_session=tok123; x=y".parse().unwrap());
        assert_eq!(session_token(&headers).as_deref(), Some("tok123"));
        headers.insert(header::COOKIE, "orgdesk_session=".parse().unwrap());
        assert_eq!(session_token(&headers), None);
    }
}
