//! `orgdesk`: the Orgdesk server. All logic lives in the library; this parses the
//! command line, reports configuration errors in one line, and runs.

use clap::Parser;

/// mimalloc rather than the system allocator: it gives freed memory back, so a large
/// import or dry run does not leave the server holding its peak (README "Measured").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let cli = orgdesk_server::config::Cli::parse();
    orgdesk_server::telemetry::init();
    if let Err(err) = orgdesk_server::run(cli).await {
        eprintln!("orgdesk: {err}");
        std::process::exit(1);
    }
}
