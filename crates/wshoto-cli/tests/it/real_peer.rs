//! A real peer: nginx on loopback with TLS and HTTP/2 and a certificate made for the test,
//! serving the token endpoint and the detail endpoint (task 54's fixture, the token checked in
//! the query string), and `wshoto task get` against it.
//!
//! Ignored by `cargo test` (it needs nginx); `.ci/run` installs nginx from Debian's packages and
//! runs it with `--ignored`.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

use crate::support::{assert_one_line_failure, fixture_path, scratch_dir, stderr};

const APP_ID: &str = "nginx-app";
const APP_SECRET: &str = "nginx-app-secret";

/// nginx running in the foreground with a configuration of the test's own; killed on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A CA, and a certificate for `localhost` and `127.0.0.1` signed by it: (CA PEM, cert, key).
fn certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "wshoto nginx test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key).expect("CA");
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&key, &ca, &ca_key)
        .expect("certificate");
    (ca.pem(), leaf.pem(), key.serialize_pem())
}

/// A string nginx returns as is: backslashes and quotes escaped for its quoted strings.
fn nginx_string(text: &str) -> String {
    assert!(!text.contains('$'), "nginx would expand variables");
    text.replace('\\', "\\\\").replace('\'', "\\'")
}

fn start(dir: &Path) -> Nginx {
    let binary = nginx_binary().expect("nginx is installed (.ci/run installs it)");
    let (ca, cert, key) = certificates();
    std::fs::write(dir.join("ca.pem"), ca).expect("ca");
    std::fs::write(dir.join("cert.pem"), cert).expect("cert");
    std::fs::write(dir.join("key.pem"), key).expect("key");
    std::fs::create_dir_all(dir.join("tmp")).expect("tmp");
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let fixture = std::fs::read_to_string(fixture_path("task_54_corp_send2customer"))
        .expect("fixture")
        .replace('\n', " ");
    let refused = r#"{"code":10001,"msg":"access_token无效","data":null}"#;
    let bad_credentials = r#"{"code":40001,"msg":"appid或app_secret错误","data":null}"#;
    let d = dir.display();
    let config = format!(
        r#"
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format peer '$request_method $uri $server_protocol $status';
    access_log {d}/access.log peer;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        default_type application/json;
        location = /openapi/access_token {{
            if ($arg_appid != "{APP_ID}") {{ return 200 '{bad}'; }}
            if ($arg_app_secret != "{APP_SECRET}") {{ return 200 '{bad}'; }}
            # A new token per request on the connection: tok1, then tok3…
            return 200 '{{"code":0,"msg":"ok","data":{{"access_token":"tok$connection_requests","expires_in":7200}}}}';
        }}
        location = /openapi/mass_send/corp/get_mass_task_detail {{
            # The first token is refused, as an expired one would be.
            if ($arg_access_token = "tok1") {{ return 200 '{refused}'; }}
            if ($arg_access_token !~ "^tok[0-9]+$") {{ return 200 '{refused}'; }}
            return 200 '{fixture}';
        }}
    }}
}}
"#,
        bad = nginx_string(bad_credentials),
        refused = nginx_string(refused),
        fixture = nginx_string(&fixture),
    );
    let config_path = dir.join("nginx.conf");
    std::fs::File::create(&config_path)
        .and_then(|mut f| f.write_all(config.as_bytes()))
        .expect("config");
    let child = Command::new(binary)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let mut nginx = Nginx {
        child,
        port,
        dir: dir.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}): {log}");
        }
        assert!(Instant::now() < deadline, "nginx did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

fn wshoto_at(nginx: &Nginx, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wshoto"));
    command
        .args(args)
        .args(["--base-url", &format!("https://127.0.0.1:{}", nginx.port)])
        .env("WSHOTO_APP_ID", APP_ID)
        .env("WSHOTO_APP_SECRET", APP_SECRET)
        .env_remove("WSHOTO_ACCESS_TOKEN")
        .env_remove("WSHOTO_BASE_URL")
        .env_remove("WSHOTO_PROXY");
    command
}

#[test]
#[ignore = "needs nginx: .ci/run installs it and runs this with --ignored"]
fn nginx_over_tls_and_http2_with_a_refreshed_token() {
    let dir = scratch_dir("nginx");
    let nginx = start(&dir);
    let ca = dir.join("ca.pem");
    let ca = ca.to_str().expect("path");

    // Success over HTTP/2 with app credentials, after nginx refuses the first token.
    let output = wshoto_at(&nginx, &["-vv", "task", "get", "54", "--ca-cert", ca])
        .output()
        .expect("runs");
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.starts_with("Task 54 · 中秋节会员关怀\n"), "{text}");
    assert!(log.contains("version=HTTP/2.0"), "spoke HTTP/2: {log}");
    assert!(
        log.contains("access token rejected; refreshing it once"),
        "{log}"
    );
    assert!(
        !log.contains(APP_SECRET) && !log.contains("tok1") && !log.contains("tok3"),
        "{log}"
    );
    let access = std::fs::read_to_string(nginx.dir.join("access.log")).expect("access log");
    let requests: Vec<&str> = access.lines().collect();
    assert_eq!(
        requests,
        [
            "GET /openapi/access_token HTTP/2.0 200",
            "POST /openapi/mass_send/corp/get_mass_task_detail HTTP/2.0 200",
            "GET /openapi/access_token HTTP/2.0 200",
            "POST /openapi/mass_send/corp/get_mass_task_detail HTTP/2.0 200",
        ],
        "{access}"
    );

    // Without the test's CA, a clear certificate error: not retried, exit 4.
    let untrusted = wshoto_at(&nginx, &["task", "get", "54"])
        .output()
        .expect("runs");
    let err = assert_one_line_failure(&untrusted, 4);
    assert!(
        err.contains("transport error (TLS)") && err.contains("--ca-cert"),
        "{err}"
    );
    assert!(
        err.contains("UnknownIssuer") || err.contains("unknown issuer"),
        "{err}"
    );
}
