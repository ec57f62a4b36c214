//! `orgdesk`: the Orgdesk server. All logic lives in the library; this parses the
//! command line, reports configuration errors in one line, and runs.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = orgdesk_server::config::Cli::parse();
    orgdesk_server::telemetry::init();
    if let Err(err) = orgdesk_server::run(cli).await {
        eprintln!("orgdesk: {err}");
        std::process::exit(1);
    }
}
