//! The service's run settings: a command-line flag wins, else the
//! configuration file's `<SsisService>` setting, else the default.
//!
//! | setting | flag | configuration |
//! |---|---|---|
//! | grace between SIGTERM and SIGKILL | `--stop-grace` | `GracePeriodSeconds` |
//! | output log cap | `--output-cap` | `OutputCapBytes` |
//! | history retention | `--history-retention-days` | `RetentionDays` |
//! | event-log retention | `--event-retention-days` | `RetentionDays` |
//! | output-log retention | `--output-retention-days` | `RetentionDays` (never longer than the default 30 days) |

use super::daemon::DAY;
use super::retention::Retention;
use ssis_core::config::ServiceConfig;
use std::time::Duration;

/// Default grace between the polite stop and the kill.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);
/// Default output log cap.
pub const DEFAULT_OUTPUT_CAP: u64 = 10 * 1024 * 1024;
/// The smallest output cap taken (smaller values are raised to it).
pub const MIN_OUTPUT_CAP: u64 = 1024;
/// Default retentions: history 90 days, output logs and events 30.
pub const DEFAULT_RETENTION: Retention = Retention {
    history: Duration::from_secs(90 * 86_400),
    output: Duration::from_secs(30 * 86_400),
    events: Duration::from_secs(30 * 86_400),
};

/// What the command line says; `None` leaves a setting to the configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--stop-grace`.
    pub stop_grace: Option<Duration>,
    /// `--output-cap`.
    pub output_cap: Option<u64>,
    /// `--history-retention-days`.
    pub history: Option<Duration>,
    /// `--output-retention-days`.
    pub output: Option<Duration>,
    /// `--event-retention-days`.
    pub events: Option<Duration>,
}

/// The settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    /// Grace between the polite stop and the kill.
    pub stop_grace: Duration,
    /// Output log cap, bytes.
    pub output_cap: u64,
    /// What the state directory keeps.
    pub retention: Retention,
}

impl RunSettings {
    /// Flags, else the configuration, else the defaults.
    pub fn resolve(flags: &Overrides, config: &ServiceConfig) -> RunSettings {
        let ext = &config.extensions;
        let days = ext.retention_days.map(|d| DAY * d);
        RunSettings {
            stop_grace: flags
                .stop_grace
                .or(ext.grace_period_seconds.map(Duration::from_secs))
                .unwrap_or(DEFAULT_GRACE),
            output_cap: flags
                .output_cap
                .or(ext.output_cap_bytes)
                .unwrap_or(DEFAULT_OUTPUT_CAP)
                .max(MIN_OUTPUT_CAP),
            retention: Retention {
                history: flags.history.or(days).unwrap_or(DEFAULT_RETENTION.history),
                output: flags
                    .output
                    .or(days.map(|d| keep_shorter(d, DEFAULT_RETENTION.output)))
                    .unwrap_or(DEFAULT_RETENTION.output),
                events: flags.events.or(days).unwrap_or(DEFAULT_RETENTION.events),
            },
        }
    }
}

/// The shorter of two retentions, where zero means for ever.
fn keep_shorter(a: Duration, b: Duration) -> Duration {
    match (a.is_zero(), b.is_zero()) {
        (true, _) => b,
        (_, true) => a,
        _ => a.min(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::config::Extensions;

    fn config(ext: Extensions) -> ServiceConfig {
        ServiceConfig::new(true, Vec::new()).with_extensions(ext)
    }

    #[test]
    fn defaults_then_configuration_then_flags() {
        let none = RunSettings::resolve(&Overrides::default(), &config(Extensions::default()));
        assert_eq!(none.stop_grace, DEFAULT_GRACE);
        assert_eq!(none.output_cap, DEFAULT_OUTPUT_CAP);
        assert_eq!(none.retention, DEFAULT_RETENTION);

        let file = config(Extensions {
            grace_period_seconds: Some(3),
            output_cap_bytes: Some(4096),
            retention_days: Some(7),
            ..Default::default()
        });
        let from_file = RunSettings::resolve(&Overrides::default(), &file);
        assert_eq!(from_file.stop_grace, Duration::from_secs(3));
        assert_eq!(from_file.output_cap, 4096);
        assert_eq!(from_file.retention.history, DAY * 7);
        assert_eq!(from_file.retention.events, DAY * 7);
        assert_eq!(from_file.retention.output, DAY * 7);

        let flags = Overrides {
            stop_grace: Some(Duration::from_millis(500)),
            output_cap: Some(10),
            history: Some(DAY),
            output: None,
            events: Some(Duration::ZERO),
        };
        let both = RunSettings::resolve(&flags, &file);
        assert_eq!(both.stop_grace, Duration::from_millis(500));
        assert_eq!(both.output_cap, MIN_OUTPUT_CAP);
        assert_eq!(both.retention.history, DAY);
        assert_eq!(both.retention.output, DAY * 7);
        assert_eq!(both.retention.events, Duration::ZERO);
    }

    #[test]
    fn long_or_endless_retention_days_keep_output_logs_30_days() {
        for d in [0, 365] {
            let c = config(Extensions {
                retention_days: Some(d),
                ..Default::default()
            });
            let r = RunSettings::resolve(&Overrides::default(), &c).retention;
            assert_eq!(r.output, DEFAULT_RETENTION.output, "{d}");
            assert_eq!(r.history, DAY * d, "{d}");
        }
    }
}
