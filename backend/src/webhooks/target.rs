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
///
/// An IPv6 address that carries an IPv4 address inside it (IPv4-mapped, IPv4-compatible,
/// NAT64, 6to4, Teredo) reaches that IPv4 address through a translator or a tunnel, so it
/// is judged as that IPv4 address: `[64:ff9b::a9fe:a9fe]` is the metadata service
/// 169.254.169.254, not a public IPv6 host.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            let embedded = embedded_ipv4(v6);
            if embedded.is_empty() { is_public_v6(v6) } else { embedded.into_iter().all(is_public_v4) }
        }
    }
}

/// The IPv4 addresses an IPv6 address stands for, by the standard forms that embed one.
/// Teredo embeds two (its server and the client's mapped address): both are returned.
pub fn embedded_ipv4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match s {
        // IPv4-mapped ::ffff:0:0/96.
        [0, 0, 0, 0, 0, 0xffff, a, b] => vec![v4(a, b)],
        // :: and ::1 are IPv6's own unspecified and loopback addresses, judged as such.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => Vec::new(),
        // IPv4-compatible ::/96 (deprecated, still routed by some stacks).
        [0, 0, 0, 0, 0, 0, a, b] => vec![v4(a, b)],
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, a, b] => vec![v4(a, b)],
        // 6to4 2002::/16: the IPv4 address follows the prefix (RFC 3056).
        [0x2002, a, b, ..] => vec![v4(a, b)],
        // Teredo 2001:0::/32: the server's address, then the client's, inverted (RFC 4380).
        [0x2001, 0, a, b, _, _, c, d] => vec![v4(a, b), v4(!c, !d)],
        _ => Vec::new(),
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
    let s = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        // Local-use NAT64 (64:ff9b:1::/48, RFC 8215): translators inside one network,
        // with the IPv4 address at a position only that network knows; never public.
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
        // Anything else under 64:ff9b::/32 that is not the /96 form is not assigned.
        || (s[0] == 0x64 && s[1] == 0xff9b)
        // Discard-only (100::/64).
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0)
        // The IETF protocol block 2001::/23 (benchmarking, ORCHID…) beyond Teredo, which
        // is judged by its embedded addresses above.
        || (s[0] == 0x2001 && s[1] < 0x200)
        // Documentation (2001:db8::/32 and 3fff::/20).
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x3fff && s[1] < 0x1000)
        // Site-local (fec0::/10, deprecated but still special).
        || (s[0] & 0xffc0) == 0xfec0)
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
            // NAT64 (well-known and local-use), 6to4, Teredo and IPv4-compatible forms of
            // private, loopback and link-local IPv4 addresses.
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::a9fe:a9fe",
            "64:ff9b:1:a9fe:a9:fe00::",
            "64:ff9b:1::8.8.8.8",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo client 127.0.0.1
            "2001:0:a00:1::1:2",                    // Teredo server 10.0.0.1
            "::127.0.0.1",
            "::169.254.169.254",
            "::10.0.0.1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "fec0::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not be public");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            // The same forms wrapping public addresses stay usable.
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo client 8.8.8.8
            "::ffff:1.1.1.1",
        ] {
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
