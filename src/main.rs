//! The `loopfix` binary: runs the command line and maps the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

/// mimalloc (without transparent huge pages, whose zeroing costs more than a short run gains):
/// the run allocates and frees a path, a report and import names per file on several threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack of the thread that runs loopfix: deeply nested (but valid) modules recurse deeply.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// mimalloc's `mi_option_purge_delay` (not among the constants `libmimalloc-sys` exports).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Give freed memory back at once instead of after a second: on a large tree the delay held
    // tens of MiB of freed pages at the peak (peak RSS 44 instead of 56-68 MiB on 566 MB).
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(|| loopfix::run_with_args(std::env::args_os()));
    let outcome = match worker {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: loopfix panicked"))),
        Err(e) => Err(anyhow::Error::from(e).context("cannot start the main thread")),
    };
    match outcome {
        Ok(status) => ExitCode::from(status.code() as u8),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "loopfix: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  cause: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`loopfix check | head`) ends the run quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_set_at_start() {
        // The bundled mimalloc's default purge delay is 1,000 ms (src/options.c); another
        // option at this index would have another default.
        // SAFETY: reads an allocator option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            1000
        );
    }
}
