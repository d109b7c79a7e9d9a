//! Which URLs webhooks may call: the guard against server-side request forgery.
//!
//! A webhook makes the server send requests wherever an admin says, so without a guard
//! anyone able to create one could reach the server's own network (metadata services,
//! databases, admin ports). Target hosts are resolved and every address must be public.
//! The check runs when a subscription is created or changed *and* before every send
//! (DNS answers change), and the send then connects to exactly the addresses checked,
//! so a second DNS answer cannot swap in a private one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use crate::error::{Error, Result};

const MAX_URL_CHARS: usize = 2000;

/// A URL that parsed as an acceptable webhook target (before resolution).
pub fn parse(raw: &str) -> std::result::Result<Url, String> {
    let raw = raw.trim();
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let url = Url::parse(raw).map_err(|err| format!("is not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials".into());
    }
    if url.fragment().is_some() {
        return Err("must not contain a fragment".into());
    }
    Ok(url)
}

/// The addresses `url` may be called at, or why it may not be called.
pub async fn resolve(url: &Url, allow_private: bool) -> std::result::Result<Vec<SocketAddr>, String> {
    let port = url.port_or_known_default().ok_or("has no port")?;
    let host = url.host_str().ok_or("must name a host")?;
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    let addresses: Vec<SocketAddr> = match literal {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host, port))
            .await
            .map_err(|err| format!("host `{host}` does not resolve ({err})"))?
            .collect(),
    };
    if addresses.is_empty() {
        return Err("host does not resolve to any address".into());
    }
    if !allow_private && let Some(private) = addresses.iter().find(|addr| !is_public(addr.ip())) {
        return Err(format!(
            "resolves to {}, a loopback, private, link-local or otherwise non-public address, which webhooks may not call",
            private.ip()
        ));
    }
    Ok(addresses)
}

/// Checks a URL for a subscription; returns it normalised.
pub async fn check(raw: &str, allow_private: bool) -> Result<String> {
    let url = parse(raw).map_err(|why| Error::invalid("url", why))?;
    resolve(&url, allow_private).await.map_err(|why| Error::invalid("url", why))?;
    Ok(url.to_string())
}

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Carrier-grade NAT (100.64.0.0/10) and the IETF protocol block (192.0.0.0/24).
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // Benchmarking (198.18.0.0/15) and reserved (240.0.0.0/4).
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Documentation (2001:db8::/32).
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible and NAT64 forms could smuggle a private IPv4 address.
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not be public");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn only_plain_http_urls_parse() {
        assert!(parse("https://hooks.example.com/x?y=1").is_ok());
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "not a url",
            "https://a.test/#x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let url = parse("http://127.0.0.1:9/hook").unwrap();
        assert!(resolve(&url, false).await.unwrap_err().contains("127.0.0.1"));
        assert!(resolve(&url, true).await.is_ok());
        let url = parse("http://localhost:9/hook").unwrap();
        assert!(resolve(&url, false).await.is_err());
    }
}
