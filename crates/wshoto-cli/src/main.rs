//! `wshoto`: the command-line tool of the Wshoto Open API SDK.

mod connect;
mod decode_cmd;
mod exit;
mod export;
#[cfg(feature = "mock")]
mod mock_cmd;
mod output;
mod profiles;
mod summary;
mod task_cmd;
mod text;
mod words;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::Failure;

/// Command-line tool for the Wshoto (微盛·企微管家) Open API mass-send task detail.
///
/// Exit codes: 0 success; 1 input rejected; 2 usage or configuration; 3 API error code;
/// 4 I/O, network or timeout; 5 an export in which some tasks failed; 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "wshoto", version, about)]
struct Cli {
    /// Start a mock server in this process and talk to it (no account or network needed).
    #[arg(long, global = true)]
    mock: bool,
    /// Log to standard error: -v info, -vv debug, -vvv trace. Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// The profile (a company's settings) to use from the config file; see `wshoto profile`.
    #[arg(long, global = true, env = profiles::ENV_PROFILE)]
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode one get_mass_task_detail response envelope and print the task as JSON.
    ///
    /// Exit codes: 0 decoded; 1 input rejected (not JSON, wrong type, empty, or with --strict a
    /// range_info that does not fit its filter_type); 2 usage; 3 API error code; 4 I/O error.
    Decode {
        /// Fail when range_info does not fit the schema of its filter_type (default: warn).
        #[arg(long)]
        strict: bool,
        /// The response file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Mass-send tasks.
    Task {
        #[command(subcommand)]
        command: TaskCommand,
    },
    /// Profiles: one company's credentials and settings each, in a config file.
    ///
    /// The file is WSHOTO_CONFIG, else wshoto/config.toml in the platform's config directory
    /// (~/.config on Linux). Each `[profiles.NAME]` table may set app_id, app_secret (or
    /// app_secret_command, whose output is the secret), base_url, ca_cert, proxy, http1_only and
    /// rate; a top-level `default = "NAME"` picks one when --profile (or WSHOTO_PROFILE) is not
    /// given.
    /// For each setting a flag wins over the environment, which wins over the profile.
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
    /// Print the JSON Schema of a task as `wshoto decode`, `task get --json` and `task export`
    /// (JSON Lines) write it: to create a warehouse table, or to validate what you load.
    Schema,
    /// Print a completion script for your shell, e.g. `wshoto completions bash >
    /// ~/.local/share/bash-completion/completions/wshoto`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The mock server.
    #[cfg(feature = "mock")]
    Mock {
        #[command(subcommand)]
        command: MockCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TaskCommand {
    /// Fetch one task's detail and show it.
    #[command(after_help = CREDENTIALS_HELP)]
    Get {
        /// The task id (群发任务ID).
        task_id: i64,
        /// Print the task as JSON (the same as `wshoto decode`).
        #[arg(long)]
        json: bool,
        /// Language of the labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// Fetch many tasks into JSON Lines or CSV, for a nightly job.
    ///
    /// Each id is fetched once. Failed tasks go to a failures file, never into the data; the exit
    /// code is then 5. Ctrl-C stops cleanly (exit 130); the same command with --resume finishes
    /// the export without fetching again what is already in the output.
    #[command(after_help = EXPORT_HELP)]
    Export(Box<ExportArgs>),
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Task ids (群发任务ID).
    task_ids: Vec<i64>,
    /// Task ids as a list with ranges, such as 1-5000,7001,7002 (may be repeated).
    #[arg(long, value_name = "LIST")]
    ids: Vec<String>,
    /// A file of task ids, one per line (`#` starts a comment); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    ids_file: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The output format [default: csv for an --output ending in .csv, else jsonl].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// CSV: the columns, comma-separated, in this order [default: all].
    #[arg(long, value_name = "NAMES")]
    columns: Option<String>,
    /// CSV: start the file with a UTF-8 byte-order mark, so that Excel shows Chinese text.
    #[arg(long)]
    excel: bool,
    /// CSV: language of the *_label columns.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Where failed tasks are listed, one JSON line each [default: OUTPUT.failures.jsonl, or
    /// wshoto-export.failures.jsonl in the current folder when writing to standard output].
    #[arg(long, value_name = "FILE")]
    failures: Option<PathBuf>,
    /// How many tasks to fetch at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Requests per second at most, token requests and retries included (0: no limit)
    /// [default: the profile's rate, else 10].
    #[arg(long)]
    rate: Option<f64>,
    /// Write tasks in the order given, or as they complete (faster when some are slow).
    #[arg(long, value_enum, default_value = "input")]
    order: OrderArg,
    /// Keep what the output holds, skip those tasks, and fetch the rest.
    #[arg(long)]
    resume: bool,
    /// No progress and no summary on standard error (errors are still shown).
    #[arg(long, short)]
    quiet: bool,
    /// Seconds between progress lines when standard error is not a terminal.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    progress_every: f64,
    #[command(flatten)]
    connection: ConnectionArgs,
}

const EXPORT_HELP: &str = "Examples:\n  wshoto task export --ids 1-5000 -o tasks.jsonl\n  \
    wshoto task export --ids-file ids.txt -o tasks.csv --excel --columns \
    task_id,task_name,send_time,success_target_qty\n  \
    wshoto task export --ids-file ids.txt -o tasks.csv --resume\n\n\
    Credentials: WSHOTO_ACCESS_TOKEN (or --token), or WSHOTO_APP_ID and WSHOTO_APP_SECRET. \
    Without an account, add --mock to talk to an in-process mock server.";

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// JSON Lines: each task as `wshoto decode` prints it, on one line.
    Jsonl,
    /// CSV: a header and a row per task.
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OrderArg {
    /// The order the ids were given.
    Input,
    /// As each task completes.
    Completed,
}

const CREDENTIALS_HELP: &str = "Credentials: WSHOTO_ACCESS_TOKEN (or --token), or WSHOTO_APP_ID \
    and WSHOTO_APP_SECRET (the token is then fetched, cached and refreshed). Without an account, \
    add --mock to talk to an in-process mock server.";

/// Where and how to reach the API.
#[derive(Debug, Args)]
struct ConnectionArgs {
    /// The API's base URL.
    #[arg(long, env = "WSHOTO_BASE_URL")]
    base_url: Option<String>,
    /// A PEM file of extra root certificates to trust.
    #[arg(long)]
    ca_cert: Option<PathBuf>,
    /// An HTTP CONNECT proxy, `http://[user:pass@]host:port`.
    #[arg(long, env = "WSHOTO_PROXY", hide_env_values = true)]
    proxy: Option<String>,
    /// Seconds one task's fetch may take, retries included.
    #[arg(long)]
    timeout: Option<f64>,
    /// Offer only HTTP/1.1 to an HTTPS server (by default HTTP/2 is used when it offers it):
    /// cheaper per call, a connection per request in flight.
    #[arg(long)]
    http1_only: bool,
    /// An access token (prefer the environment variable: arguments are visible to others).
    #[arg(long, env = "WSHOTO_ACCESS_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

impl ConnectionArgs {
    /// The connection: each setting from its flag, else the environment, else the profile.
    fn into_connection(
        self,
        profile: Option<(&str, &profiles::Profile)>,
    ) -> Result<connect::Connection, Failure> {
        let from_profile = |pick: fn(&profiles::Profile) -> Option<String>| {
            profile
                .and_then(|(_, p)| pick(p))
                .filter(|v| !v.trim().is_empty())
        };
        let app_secret = match non_empty_env(wshoto_http::ENV_APP_SECRET) {
            Some(secret) => Some(secret),
            None => match profile {
                Some((name, p)) => p.secret(name)?,
                None => None,
            },
        };
        Ok(connect::Connection {
            base_url: self
                .base_url
                .or_else(|| from_profile(|p| p.base_url.clone())),
            ca_cert: self
                .ca_cert
                .or_else(|| profile.and_then(|(_, p)| p.ca_cert.clone())),
            proxy: self.proxy.or_else(|| from_profile(|p| p.proxy.clone())),
            timeout: self.timeout,
            http1_only: self.http1_only || profile.and_then(|(_, p)| p.http1_only).unwrap_or(false),
            // An empty token (`WSHOTO_ACCESS_TOKEN=`) is unset, not a token.
            token: self.token.filter(|t| !t.trim().is_empty()),
            app_id: non_empty_env(wshoto_http::ENV_APP_ID)
                .or_else(|| from_profile(|p| p.app_id.clone())),
            app_secret,
        })
    }
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// The profiles in the config file (the default one marked).
    List,
    /// One profile's settings (the given one, else --profile or the default); secrets are shown
    /// as `[REDACTED]`.
    Show {
        /// The profile.
        name: Option<String>,
    },
}

/// The config file (empty when there is none) and where it is.
fn load_config() -> Result<(profiles::Config, std::path::PathBuf), Failure> {
    let path = profiles::config_path()
        .ok_or_else(|| Failure::usage("cannot find a config directory: set WSHOTO_CONFIG"))?;
    let config = profiles::load(&path)?;
    Ok((config, path))
}

/// Runs `command` with the connection its flags, the environment and the profile make.
fn with_connection(
    profile: Option<&str>,
    connection: ConnectionArgs,
    command: impl FnOnce(connect::Connection, Option<&profiles::Profile>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let (config, path) = load_config()?;
    let selected = config.select(profile, &path)?;
    let connection = connection.into_connection(selected)?;
    command(connection, selected.map(|(_, p)| p))
}

#[cfg(feature = "mock")]
#[derive(Debug, Subcommand)]
enum MockCommand {
    /// Run the mock until interrupted; prints its URL, credentials and a token.
    Serve {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Serve HTTPS with a certificate made at start (its CA is written to a file).
        #[arg(long)]
        tls: bool,
        /// Serve the fixtures in this folder instead of the embedded ones.
        #[arg(long)]
        fixtures: Option<PathBuf>,
        /// Also answer ids without a fixture with a task made up from the id: every positive id,
        /// or those in FIRST-LAST (for trying large exports).
        #[arg(long, value_name = "FIRST-LAST", num_args = 0..=1, default_missing_value = "1-9223372036854775807")]
        synthetic: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    /// English.
    En,
    /// 中文.
    Zh,
}

impl From<LangArg> for wshoto_model::Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::En => Self::En,
            LangArg::Zh => Self::Zh,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let profile = cli.profile.as_deref().filter(|p| !p.trim().is_empty());
    let result = match cli.command {
        Command::Decode { strict, file } => decode_cmd::run(file, strict),
        Command::Task {
            command:
                TaskCommand::Get {
                    task_id,
                    json,
                    lang,
                    connection,
                },
        } => {
            let display = task_cmd::Display {
                json,
                lang: lang.into(),
            };
            with_connection(profile, connection, |connection, _| {
                run_async(task_cmd::get(task_id, connection, display, cli.mock))
            })
        }
        Command::Task {
            command: TaskCommand::Export(args),
        } => {
            let args = *args;
            let request = export::Request {
                task_ids: args.task_ids,
                ids: args.ids,
                ids_file: args.ids_file,
                output: args.output,
                format: args.format.map(|f| match f {
                    FormatArg::Jsonl => export::Format::Jsonl,
                    FormatArg::Csv => export::Format::Csv,
                }),
                columns: args.columns,
                excel: args.excel,
                lang: args.lang.into(),
                failures: args.failures,
                concurrency: args.concurrency,
                rate: args.rate.unwrap_or(export::DEFAULT_RATE),
                order: match args.order {
                    OrderArg::Input => wshoto_http::Order::Input,
                    OrderArg::Completed => wshoto_http::Order::Completed,
                },
                resume: args.resume,
                quiet: args.quiet,
                progress_every: args.progress_every,
            };
            with_connection(profile, args.connection, |connection, selected| {
                let mut request = request;
                // The rate: the flag, else the profile's, else the default.
                if args.rate.is_none()
                    && let Some(rate) = selected.and_then(|p| p.rate)
                {
                    request.rate = rate;
                }
                run_async(export::export(request, connection, cli.mock))
            })
        }
        Command::Profile { command } => profile_command(profile, command),
        Command::Schema => {
            let schema = schemars::generate::SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator()
                .into_root_schema_for::<wshoto_model::MassTaskDetail>();
            output::print_json(schema.as_value())
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "wshoto", &mut script);
            output::print_text(&String::from_utf8_lossy(&script))
        }
        #[cfg(feature = "mock")]
        Command::Mock {
            command:
                MockCommand::Serve {
                    addr,
                    tls,
                    fixtures,
                    synthetic,
                },
        } => run_async(mock_cmd::serve(addr, tls, fixtures, synthetic)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn profile_command(profile: Option<&str>, command: ProfileCommand) -> Result<(), Failure> {
    let (config, path) = load_config()?;
    match command {
        ProfileCommand::List => {
            // A profile named by --profile or WSHOTO_PROFILE (or the default) must exist.
            config.select(profile, &path)?;
            if config.profiles.is_empty() {
                eprintln!("no profiles in {}", path.display());
            }
            output::print_text(&crate::text::escape_lines(&profiles::list(&config)))
        }
        ProfileCommand::Show { name } => {
            let (name, selected) = config
                .select(name.as_deref().or(profile), &path)?
                .ok_or_else(|| Failure::usage("name a profile: wshoto profile show NAME"))?;
            output::print_text(&profiles::show(name, selected))
        }
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn run_async(
    future: impl std::future::Future<Output = Result<(), Failure>>,
) -> Result<(), Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::io(format!("cannot start the async runtime: {e}")))?
        .block_on(future)
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}
