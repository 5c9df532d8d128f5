//! What the benchmark figures were measured on: the processor, its cores, and how an idle CPU
//! waits — on a VM whose idle CPUs halt at once, every cross-CPU wake-up costs tens of µs
//! (docs/performance.md, *The fast and slow modes are this VM's idle CPUs*), which moves the
//! HTTP ratios more than any client does, so a figure is not read without it.

use std::fs;

/// `AMD EPYC … , 2 cores, idle CPUs halt at once (haltpoll, guest_halt_poll_ns=0)`.
pub fn summary() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mut out = format!("{}, {cores} cores", cpu_model());
    let driver = read_trimmed("/sys/devices/system/cpu/cpuidle/current_driver");
    let poll_ns = read_trimmed("/sys/module/haltpoll/parameters/guest_halt_poll_ns");
    if let Some(idle) = idle_description(driver.as_deref(), poll_ns.as_deref()) {
        out.push_str(", ");
        out.push_str(&idle);
    }
    out
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown processor".to_owned())
}

fn read_trimmed(path: &str) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_owned())
}

/// How an idle CPU waits, from the cpuidle driver's name and, for `haltpoll`, how long it polls
/// before halting. `None` where the kernel does not say.
fn idle_description(driver: Option<&str>, halt_poll_ns: Option<&str>) -> Option<String> {
    let driver = driver.filter(|d| !d.is_empty() && *d != "none")?;
    if driver != "haltpoll" {
        return Some(format!("cpuidle driver {driver}"));
    }
    Some(match halt_poll_ns.and_then(|ns| ns.parse::<u64>().ok()) {
        Some(0) => "idle CPUs halt at once (haltpoll, guest_halt_poll_ns=0)".to_owned(),
        Some(ns) => format!(
            "idle CPUs poll up to {} µs before halting (haltpoll)",
            ns / 1_000
        ),
        None => "cpuidle driver haltpoll".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::idle_description;

    #[test]
    fn the_idle_regime_is_described_from_the_kernel_settings() {
        assert_eq!(
            idle_description(Some("haltpoll"), Some("0")).as_deref(),
            Some("idle CPUs halt at once (haltpoll, guest_halt_poll_ns=0)")
        );
        assert_eq!(
            idle_description(Some("haltpoll"), Some("200000")).as_deref(),
            Some("idle CPUs poll up to 200 µs before halting (haltpoll)")
        );
        assert_eq!(
            idle_description(Some("haltpoll"), None).as_deref(),
            Some("cpuidle driver haltpoll")
        );
        assert_eq!(
            idle_description(Some("intel_idle"), None).as_deref(),
            Some("cpuidle driver intel_idle")
        );
        assert_eq!(idle_description(Some("none"), Some("0")), None);
        assert_eq!(idle_description(None, Some("0")), None);
    }
}
