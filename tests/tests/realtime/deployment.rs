//! The reference deployment (`deploy/`, README "Deployment"), run for real on loopback:
//! nginx from Debian's package terminating TLS with a certificate made here, in front of
//! two `rapport` nodes on PostgreSQL and Redis configured by `deploy/rapport.env`. A
//! visitor and an agent chat through nginx over `wss://`; one node dies mid-conversation
//! and both carry on through the other, nothing lost.
//!
//! The files are used as shipped; only what must differ on a test machine is replaced
//! (ports, certificate paths, server name, database, data directory, Redis prefix, the
//! SMTP relay), and each replacement must find its target, so the files cannot drift
//! away from what this test runs.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
};

use system_tests::{
    Engine, ScratchDir, eventually, fresh_database, fresh_redis_prefix,
    node::{self, Node, free_port},
    redis_url,
    smtp::SmtpSink,
};
use tokio_rustls::rustls;

use crate::common::*;

const OWNER_EMAIL: &str = "owner@deploy.test";
const OWNER_PASSWORD: &str = "a long deployment password";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `text` with `from` replaced by `to`; panics when `from` is not there (the shipped
/// file changed: update this test and the README together).
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "deploy file no longer contains `{from}`");
    text.replace(from, to)
}

/// A test certificate authority and a server certificate it signed for `localhost` and
/// 127.0.0.1, made with openssl: (CA certificate, server certificate, server key). A CA and
/// a leaf, as in production (rustls refuses a CA certificate presented as a server's).
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let path = |name: &str| dir.join(name);
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl is needed to make the test certificates");
        assert!(status.success(), "openssl {args:?} failed");
    };
    let subject_ca = "/CN=Rapport test CA";
    openssl(&[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject_ca, "-keyout", "ca.key",
        "-out", "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "privkey.pem",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        path("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "server.ext",
        "-out",
        "fullchain.pem",
    ]);
    (path("ca.pem"), path("fullchain.pem"), path("privkey.pem"))
}

/// `deploy/rapport.env` as systemd reads it (NAME=value lines), with `overrides`.
fn environment(overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repository().join("deploy/rapport.env")).expect("deploy/rapport.env");
    let mut vars: Vec<(String, String)> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect();
    for (name, value) in overrides {
        let slot = vars.iter_mut().find(|(n, _)| n == name).unwrap_or_else(|| panic!("rapport.env sets no {name}"));
        slot.1 = value.clone();
    }
    vars
}

/// Runs `rapport <args>` (the test build's binary) with `vars` only; returns its stdout.
/// Off the test's runtime thread: the SMTP sink it may talk to runs on that runtime.
async fn rapport(args: &[&str], vars: &[(String, String)]) -> String {
    let mut command = Command::new(node::binary());
    command.args(args).env_clear().envs(vars.iter().map(|(k, v)| (k, v))).env("RUST_LOG", "warn");
    let output = tokio::task::spawn_blocking(move || command.output().expect("running rapport")).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "rapport {args:?} failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// `vars` for [`Node::start`], which sets the address itself and keeps the test's output
/// to warnings.
fn node_vars(vars: &[(String, String)]) -> Vec<(&str, String)> {
    vars.iter().filter(|(n, _)| n != "RAPPORT_BIND" && n != "RUST_LOG").map(|(n, v)| (n.as_str(), v.clone())).collect()
}

/// nginx running `deploy/nginx/rapport.conf` in the foreground; stopped when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_nginx(dir: &Path, https_port: u16, http_port: u16, nodes: [u16; 2], cert: &Path, key: &Path) -> Nginx {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .expect("nginx is needed (Debian's `nginx` package; `cargo xtask test` installs it)");
    let site =
        std::fs::read_to_string(repository().join("deploy/nginx/rapport.conf")).expect("deploy/nginx/rapport.conf");
    let site = replaced(&site, "server 127.0.0.1:8081", &format!("server 127.0.0.1:{}", nodes[0]));
    let site = replaced(&site, "server 127.0.0.1:8082", &format!("server 127.0.0.1:{}", nodes[1]));
    let site = replaced(&site, "listen 443 ssl", &format!("listen 127.0.0.1:{https_port} ssl"));
    let site = replaced(&site, "listen 80;", &format!("listen 127.0.0.1:{http_port};"));
    let site = replaced(&site, "/etc/rapport/tls/fullchain.pem", &cert.display().to_string());
    let site = replaced(&site, "/etc/rapport/tls/privkey.pem", &key.display().to_string());
    let site = replaced(&site, "server_name chat.example.com", "server_name localhost");
    std::fs::write(dir.join("rapport.conf"), site).unwrap();
    // What Debian's /etc/nginx/nginx.conf provides around sites-enabled, in a scratch prefix.
    let d = dir.display();
    let main = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
         include {d}/rapport.conf;\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting nginx");
    Nginx(child)
}

/// Trusts exactly the test CA.
fn tls_trusting(cert: &Path) -> (reqwest::Client, Arc<rustls::ClientConfig>) {
    let pem = std::fs::read(cert).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for der in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
        roots.add(der.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (http, Arc::new(config))
}

/// Every message of a conversation as stored, read through nginx.
async fn stored_through(app: &TestApp, token: &str, conversation_id: Uuid) -> Vec<Message> {
    let (status, body) = app.get(&format!("/conversations/{conversation_id}/messages?limit=200"), token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["has_more"], false);
    serde_json::from_value(body["items"].clone()).unwrap()
}

#[tokio::test]
async fn two_nodes_behind_nginx_carry_a_conversation_through_one_node_dying() {
    let dir = ScratchDir::new();
    let (ca, cert, key) = make_certificates(&dir.0);
    let smtp = SmtpSink::start().await;
    let (https_port, http_port) = (free_port(), free_port());
    let public_url = format!("https://localhost:{https_port}");
    let database_url = fresh_database(Engine::Postgres, &dir).await;
    let ports = [free_port(), free_port()];
    // One system: both nodes share the database and the Redis prefix.
    let redis_prefix = fresh_redis_prefix();
    let vars = |n: usize| {
        environment(&[
            ("RAPPORT_BIND", format!("127.0.0.1:{}", ports[n])),
            ("RAPPORT_PUBLIC_URL", public_url.clone()),
            ("RAPPORT_DATA_DIR", dir.0.join(format!("node-{n}")).display().to_string()),
            ("RAPPORT_DATABASE_URL", database_url.clone()),
            ("RAPPORT_REDIS_URL", redis_url()),
            ("RAPPORT_REDIS_PREFIX", redis_prefix.clone()),
            ("RAPPORT_SMTP_URL", smtp.url()),
        ])
    };
    let (vars_a, vars_b) = (vars(0), vars(1));

    // README, step by step: check, create the workspace, start the nodes, start nginx.
    let report = rapport(&["check"], &vars_a).await;
    for what in ["configuration", "database", "redis", "smtp"] {
        assert!(report.lines().any(|l| l.starts_with("ok") && l.contains(what)), "{what} not ok:\n{report}");
    }
    rapport(
        &["admin", "create-workspace", "--name", "Deploy", "--email", OWNER_EMAIL, "--password", OWNER_PASSWORD],
        &vars_a,
    )
    .await;
    let node_a = Node::start(ports[0], &node_vars(&vars_a)).await;
    let node_b = Node::start(ports[1], &node_vars(&vars_b)).await;
    let _nginx = start_nginx(&dir.0, https_port, http_port, ports, &cert, &key);

    let (http, tls) = tls_trusting(&ca);
    let mut app = TestApp::attach(&public_url, Engine::Postgres, &database_url);
    app.http = http;
    eventually("nginx to serve /readyz over TLS", || async {
        app.http.get(app.url("/readyz")).send().await.is_ok_and(|r| r.status().is_success()).then_some(())
    })
    .await;
    // Plain HTTP is redirected to HTTPS.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let redirect = plain.get(format!("http://127.0.0.1:{http_port}/console/")).send().await.unwrap();
    assert_eq!(redirect.status(), 301);

    // The owner signs in through nginx and sets up a site; a visitor starts a chat.
    let (status, signed_in) = app
        .call(reqwest::Method::POST, "/signin", None, Some(json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD})))
        .await;
    assert_eq!(status, 200, "{signed_in}");
    let token = signed_in["token"].as_str().unwrap().to_owned();
    let (_, site_key) = app.create_site(&token).await;
    let (visitor_token, _) = visitor(&app, &site_key).await;
    let conversation_id = app.start_conversation(&visitor_token, "Hello from behind the proxy").await;

    let connect = |path: &'static str, token: String, origin: Option<&'static str>| {
        let (address, tls) = (public_url.clone(), tls.clone());
        async move {
            ws::connect_tls(&address, path, Credential::Protocol(&token), origin, Some(tls))
                .await
                .unwrap_or_else(|refused| panic!("{path} refused through nginx: {refused:?}"))
        }
    };
    let mut visitor_socket = connect("/ws/visitor", visitor_token.clone(), Some(SHOP_ORIGIN)).await;
    let mut agent = connect("/ws/agent", token.clone(), None).await;
    let mut visitor_seen = resume(&mut visitor_socket, conversation_id, 0).await;
    resume(&mut agent, conversation_id, 0).await;

    // Which node holds which socket: node A's id, read from a direct socket.
    let probe = ws::connect(&node_a.address, "/ws/agent", Credential::Protocol(&token), None).await.unwrap();
    let ServerFrame::Hello { server_id: node_a_id, .. } = probe.hello else { unreachable!() };
    drop(probe);
    let ServerFrame::Hello { server_id: visitor_node, .. } = visitor_socket.hello else { unreachable!() };
    let ServerFrame::Hello { server_id: agent_node, .. } = agent.hello else { unreachable!() };

    visitor_socket.send(&send(conversation_id, "v-1", "Is my order on its way?")).await;
    let seq = ack(&mut visitor_socket, "v-1").await;
    assert_eq!(message_with_seq(&mut agent, conversation_id, seq).await.body, "Is my order on its way?");
    agent.send(&send(conversation_id, "a-1", "Let me look")).await;
    let seq = ack(&mut agent, "a-1").await;
    assert_eq!(message_with_seq(&mut visitor_socket, conversation_id, seq).await.body, "Let me look");
    // The visitor now holds everything up to `seq` (its own message by its ack).
    visitor_seen.extend(stored_through(&app, &token, conversation_id).await.into_iter().filter(|m| m.seq > 1));
    assert_eq!(visitor_seen.last().unwrap().seq, seq);

    // The node holding the visitor's socket dies (SIGKILL: no goodbye).
    let (mut dead, survivor) = if visitor_node == node_a_id { (node_a, node_b) } else { (node_b, node_a) };
    dead.kill();
    assert!(matches!(visitor_socket.closed().await, Ended::Dropped | Ended::Closed(..)));

    // The agent writes on, reconnecting through nginx first if its socket was there too.
    let mut agent = if agent_node == visitor_node {
        assert!(matches!(agent.closed().await, Ended::Dropped | Ended::Closed(..)));
        let mut again = connect("/ws/agent", token.clone(), None).await;
        resume(&mut again, conversation_id, seq).await;
        again
    } else {
        agent
    };
    for n in 1..=3 {
        let id = format!("a-after-{n}");
        agent.send(&send(conversation_id, &id, &format!("Found it, part {n}"))).await;
        ack(&mut agent, &id).await;
    }
    // The visitor reconnects through nginx (which skips the dead node) and resumes.
    let mut visitor_socket = connect("/ws/visitor", visitor_token.clone(), Some(SHOP_ORIGIN)).await;
    let ServerFrame::Hello { server_id: now_on, .. } = visitor_socket.hello else { unreachable!() };
    assert_ne!(now_on, visitor_node, "the visitor is on the surviving node");
    let missed = resume(&mut visitor_socket, conversation_id, seq).await;
    let bodies: Vec<&str> = missed.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["Found it, part 1", "Found it, part 2", "Found it, part 3"]);
    visitor_seen.extend(missed);

    visitor_socket.send(&send(conversation_id, "v-2", "Thanks!")).await;
    let seq = ack(&mut visitor_socket, "v-2").await;
    assert_eq!(message_with_seq(&mut agent, conversation_id, seq).await.body, "Thanks!");
    // Nothing lost, nothing twice: what the visitor holds is exactly what is stored.
    let all = stored_through(&app, &token, conversation_id).await;
    visitor_seen.push(all.last().unwrap().clone());
    assert_eq!(visitor_seen, all);
    assert_gapless(&all);
    drop(survivor);
}
