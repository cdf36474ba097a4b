//! The `palisade` command: parses arguments, sets up the thread pool and dispatches to one
//! module per subcommand under `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// The detection engine allocates a few small buffers per audit event; this allocator serves them
// in a fraction of the instructions the system one needs (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
