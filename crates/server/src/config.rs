//! Configuration: every setting is an environment variable with a matching flag.
//! Bad configuration stops start-up with one clear line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use orgdesk_core::email::Email;

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@orgdesk.local";

#[derive(Debug, Clone, Parser)]
#[command(name = "orgdesk", version, about = "Orgdesk: customers and customer organizations for helpdesk agents")]
pub struct Cli {
    /// Listen address.
    #[arg(long, env = "ORGDESK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// sqlite://path/to/file.db (created if missing) or postgres://user:pass@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/orgdesk.db")]
    pub database_url: String,
    /// How long start-up keeps retrying a database it cannot reach (seconds; 0: one attempt).
    #[arg(long, env = "ORGDESK_DATABASE_WAIT", default_value_t = 60)]
    pub database_wait: u64,
    /// Directory of the built web app (Trunk's dist/). Defaults to ./dist when it exists.
    #[arg(long, env = "ORGDESK_DIST")]
    pub dist: Option<PathBuf>,
    /// Email of the first admin, used only when the database has no agents yet.
    #[arg(long, env = "ORGDESK_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// Password of the first admin; generated and printed once when unset.
    #[arg(long, env = "ORGDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// The address people use to reach Orgdesk, for links in emails (default: http://ORGDESK_ADDR).
    #[arg(long, env = "ORGDESK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark the session cookie Secure (turn on when served over HTTPS).
    #[arg(long, env = "ORGDESK_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Seed the demo data set when the database has no organizations yet.
    #[arg(long, env = "ORGDESK_DEMO", default_value_t = false)]
    pub demo: bool,
    /// SMTP server for outgoing mail (invitations, notifications); mail stays in the outbox when unset.
    #[arg(long, env = "ORGDESK_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "ORGDESK_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(long, env = "ORGDESK_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "ORGDESK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// plain, starttls or tls; by default chosen by port (465 tls; 25, 1025, 2525 and loopback plain; else starttls).
    #[arg(long, env = "ORGDESK_SMTP_SECURITY", value_enum)]
    pub smtp_security: Option<crate::mailer::Security>,
    /// Sender address of outgoing mail; required with --smtp-host.
    #[arg(long, env = "ORGDESK_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Seconds a client may take to send a request's headers (idle keep-alive included); then the connection is closed.
    #[arg(long, env = "ORGDESK_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a request body may go without sending any data; then the request fails (400 JSON).
    #[arg(long, env = "ORGDESK_BODY_TIMEOUT", default_value_t = 15)]
    pub body_timeout: u64,
    /// Seconds from a request's headers to the start of its answer, body upload included; then 503.
    #[arg(long, env = "ORGDESK_REQUEST_TIMEOUT", default_value_t = 60)]
    pub request_timeout: u64,
    /// Open connections at most; further connections wait in the listen queue until one closes.
    #[arg(long, env = "ORGDESK_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Where browsers send Content-Security-Policy violation reports (the CSP `report-uri`); none by default.
    #[arg(long, env = "ORGDESK_CSP_REPORT_URI")]
    pub csp_report_uri: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Generate a large data set for benchmarks (one transaction each for customers and items).
    Seed {
        #[arg(long, default_value_t = 100_000)]
        customers: u32,
        #[arg(long, default_value_t = 10_000)]
        organizations: u32,
        /// Items (tickets and tasks) spread over the projects, customers and agents.
        #[arg(long, default_value_t = 0)]
        items: u32,
        /// Projects to hold the generated items.
        #[arg(long, default_value_t = 20)]
        projects: u32,
    },
    /// Write .br and .gz files next to every compressible file of a built app.
    Precompress { dir: PathBuf },
    /// Copy the SQLite database to FILE while the server may be running (PostgreSQL: use pg_dump).
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup FILE; stop the server first.
    Restore { file: PathBuf },
}

/// Connection and request limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Option<crate::mailer::Security>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: Email,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// How long start-up keeps retrying a database it cannot reach.
    pub database_wait: std::time::Duration,
    pub dist: Option<PathBuf>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Whether the first admin created at start-up must choose a new password at
    /// the first sign-in. Always on from the command line (the password was set by
    /// configuration or printed); test harnesses turn it off to sign in directly.
    pub admin_must_change_password: bool,
    pub public_url: String,
    pub secure_cookies: bool,
    pub demo: bool,
    pub smtp: Option<Smtp>,
    pub limits: Limits,
    pub csp_report_uri: Option<String>,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Self, String> {
        let addr: SocketAddr = cli
            .addr
            .parse()
            .map_err(|_| format!("ORGDESK_ADDR {:?} is not an address like 127.0.0.1:8080", cli.addr))?;
        let url = cli.database_url.trim().to_string();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err("DATABASE_URL must start with sqlite:// or postgres://".into());
        }
        let dist = match cli.dist {
            Some(dir) if dir.join("index.html").is_file() => Some(dir),
            Some(dir) => return Err(format!("ORGDESK_DIST {} has no index.html (build the app first)", dir.display())),
            None => Some(PathBuf::from("dist")).filter(|d| d.join("index.html").is_file()),
        };
        if let Some(email) = &cli.admin_email {
            Email::parse(email).map_err(|e| format!("ORGDESK_ADMIN_EMAIL {email:?}: {e}"))?;
        }
        if let Some(password) = &cli.admin_password {
            orgdesk_core::agent::check_password(password).map_err(|e| format!("ORGDESK_ADMIN_PASSWORD: {e}"))?;
        }
        let smtp = match cli.smtp_host.filter(|h| !h.trim().is_empty()) {
            None => None,
            Some(host) => {
                let from = cli.smtp_from.ok_or("ORGDESK_SMTP_FROM is required when ORGDESK_SMTP_HOST is set")?;
                let from = Email::parse(&from).map_err(|e| format!("ORGDESK_SMTP_FROM {from:?}: {e}"))?;
                Some(Smtp {
                    host,
                    port: cli.smtp_port,
                    security: cli.smtp_security,
                    user: cli.smtp_user,
                    password: cli.smtp_password,
                    from,
                })
            }
        };
        let public_url = match cli.public_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => u,
            Some(u) => return Err(format!("ORGDESK_PUBLIC_URL {u:?} must start with http:// or https://")),
            None => format!("http://{addr}"),
        };
        let seconds = |name: &str, value: u64| match value {
            1..=86_400 => Ok(Duration::from_secs(value)),
            _ => Err(format!("{name} must be between 1 and 86400 seconds")),
        };
        let limits = Limits {
            header_timeout: seconds("ORGDESK_HEADER_TIMEOUT", cli.header_timeout)?,
            body_timeout: seconds("ORGDESK_BODY_TIMEOUT", cli.body_timeout)?,
            request_timeout: seconds("ORGDESK_REQUEST_TIMEOUT", cli.request_timeout)?,
            max_connections: match cli.max_connections {
                1..=1_000_000 => cli.max_connections,
                _ => return Err("ORGDESK_MAX_CONNECTIONS must be between 1 and 1000000".into()),
            },
        };
        let csp_report_uri = match cli.csp_report_uri.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) {
            Some(u)
                if (u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/'))
                    && u.chars().all(|c| c.is_ascii_graphic() && c != ';' && c != ',') =>
            {
                Some(u)
            }
            Some(u) => return Err(format!("ORGDESK_CSP_REPORT_URI {u:?} must be an http(s) URL or a path")),
            None => None,
        };
        Ok(Config {
            limits,
            csp_report_uri,
            addr,
            public_url,
            database_url: url,
            database_wait: std::time::Duration::from_secs(cli.database_wait),
            dist,
            admin_email: cli.admin_email,
            admin_password: cli.admin_password,
            admin_must_change_password: true,
            secure_cookies: cli.secure_cookies,
            demo: cli.demo,
            smtp,
        })
    }

    /// A configuration for tests and embedding: the given database, no web app.
    pub fn for_database(database_url: &str) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.to_string(),
            database_wait: std::time::Duration::ZERO,
            dist: None,
            admin_email: None,
            admin_password: None,
            admin_must_change_password: true,
            public_url: "http://127.0.0.1".into(),
            secure_cookies: false,
            demo: false,
            smtp: None,
            limits: Limits::default(),
            csp_report_uri: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut argv = vec!["orgdesk"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap()
    }

    #[test]
    fn bad_settings_give_one_clear_line() {
        let err = Config::from_cli(cli(&["--addr", "nowhere"])).unwrap_err();
        assert!(err.contains("ORGDESK_ADDR"), "{err}");
        let err = Config::from_cli(cli(&["--database-url", "mysql://x"])).unwrap_err();
        assert!(err.contains("DATABASE_URL"), "{err}");
        let err = Config::from_cli(cli(&["--admin-password", "short"])).unwrap_err();
        assert!(err.contains("ORGDESK_ADMIN_PASSWORD"), "{err}");
        let err = Config::from_cli(cli(&["--smtp-host", "mail.example.com"])).unwrap_err();
        assert!(err.contains("ORGDESK_SMTP_FROM"), "{err}");
        let err = Config::from_cli(cli(&["--dist", "/definitely/not/here"])).unwrap_err();
        assert!(err.contains("ORGDESK_DIST"), "{err}");
        let err = Config::from_cli(cli(&["--header-timeout", "0"])).unwrap_err();
        assert!(err.contains("ORGDESK_HEADER_TIMEOUT"), "{err}");
        let err = Config::from_cli(cli(&["--max-connections", "0"])).unwrap_err();
        assert!(err.contains("ORGDESK_MAX_CONNECTIONS"), "{err}");
        let err = Config::from_cli(cli(&["--csp-report-uri", "https://x/; script-src *"])).unwrap_err();
        assert!(err.contains("ORGDESK_CSP_REPORT_URI"), "{err}");
    }

    #[test]
    fn defaults_are_sqlite_on_localhost() {
        let config = Config::from_cli(cli(&[])).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://data/orgdesk.db");
        assert!(config.smtp.is_none());
        let (limits, defaults) = (config.limits, Limits::default());
        assert_eq!(
            (limits.header_timeout, limits.body_timeout, limits.request_timeout, limits.max_connections),
            (defaults.header_timeout, defaults.body_timeout, defaults.request_timeout, defaults.max_connections)
        );
    }
}
