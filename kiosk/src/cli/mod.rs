//! One module per subcommand. Each `run` returns the exit code it wants, or an error that `finish`
//! prints with its whole chain of causes.

use std::process::ExitCode;

pub mod bench;
pub mod bench_identify;
pub mod config;
pub mod demo;
pub mod diag;
pub mod enroll;
pub mod hub;
pub mod printer;
pub mod queue;
pub mod reader;
pub mod run;
pub mod screenshot;
pub mod sentence;
pub mod store;
pub mod sync;
pub mod synth;
pub mod template;

/// Logs go to stderr (stdout carries command output); `RUST_LOG` chooses the level.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Turns a command's result into the process exit code; errors print as `error: ...` and exit 2.
pub fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
