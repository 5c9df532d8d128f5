//! Progress on standard error: a bar on a terminal, a plain line every few seconds otherwise,
//! nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How the export reports its progress.
pub enum Progress {
    /// An `indicatif` bar (standard error is a terminal).
    Bar(ProgressBar),
    /// A line per tick (standard error is a file or a pipe).
    Lines {
        /// Tasks to do.
        total: u64,
        /// When the export started.
        started: Instant,
    },
    /// Nothing.
    Quiet,
}

impl Progress {
    /// The right kind for this standard error.
    pub fn new(total: u64, quiet: bool) -> Self {
        if quiet {
            return Self::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Self::Lines {
                total,
                started: Instant::now(),
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {pos}/{len} {rate} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&format_rate(state.per_sec()));
            },
        )
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(500));
        Self::Bar(bar)
    }

    /// The counts so far (a bar redraws itself).
    pub fn update(&self, done: u64, failed: u64) {
        if let Self::Bar(bar) = self {
            bar.set_position(done);
            if failed > 0 {
                bar.set_message(format!("{failed} failed"));
            }
        }
    }

    /// A periodic tick: the plain line, where there is no bar.
    pub fn tick(&self, done: u64, failed: u64) {
        if let Self::Lines { total, started } = self {
            eprintln!("{}", line(*total, done, failed, started.elapsed()));
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// `progress: 1200/10000 (12%), 3 failed, 98.4/s, ETA 1m29s`.
fn line(total: u64, done: u64, failed: u64, elapsed: Duration) -> String {
    let percent = if total == 0 {
        100.0
    } else {
        done as f64 * 100.0 / total as f64
    };
    let rate = per_second(done, elapsed);
    let eta = if rate > 0.0 {
        format_duration(Duration::from_secs_f64(
            (total.saturating_sub(done)) as f64 / rate,
        ))
    } else {
        "unknown".to_owned()
    };
    format!(
        "progress: {done}/{total} ({percent:.0}%), {failed} failed, {}, ETA {eta}",
        format_rate(rate)
    )
}

/// `98.7/s`: the bar's and the plain line's rate, to a tenth (indicatif's own `{per_sec}` shows
/// four decimals).
fn format_rate(per_second: f64) -> String {
    format!("{per_second:.1}/s")
}

/// Tasks per second.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// `1h02m`, `3m05s`, `12.3s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{:.1}s", duration.as_secs_f64()),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_line_says_done_total_failures_rate_and_eta() {
        assert_eq!(
            line(10_000, 1_200, 3, Duration::from_secs(12)),
            "progress: 1200/10000 (12%), 3 failed, 100.0/s, ETA 1m28s"
        );
        assert_eq!(
            line(5, 0, 0, Duration::ZERO),
            "progress: 0/5 (0%), 0 failed, 0.0/s, ETA unknown"
        );
        assert_eq!(format_duration(Duration::from_secs(3_725)), "1h02m");
    }

    #[test]
    fn the_rate_is_shown_to_a_tenth() {
        assert_eq!(format_rate(98.6774), "98.7/s");
        assert_eq!(format_rate(36_288.0), "36288.0/s");
        assert_eq!(format_rate(0.0), "0.0/s");
    }
}
