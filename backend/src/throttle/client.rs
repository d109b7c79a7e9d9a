//! Who a request comes from: the peer's address, or — behind a proxy the operator named in
//! `RAPPORT_TRUSTED_PROXIES` — the address that proxy saw, from `X-Forwarded-For`.
//!
//! `X-Forwarded-For` is a list every proxy appends its peer to, so only its right end is
//! trustworthy: walking from the right, each entry written by a trusted proxy is believed,
//! and the first address that is not a trusted proxy is the client. Whatever a client
//! writes into the header itself sits to the left of that and is never read. Without
//! trusted proxies the header is ignored entirely (anyone can send it).

use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;
use poem::{Request, http::HeaderMap, web::RemoteAddr};

use crate::config::Parse;

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl Parse for TrustedProxies {
    /// `RAPPORT_TRUSTED_PROXIES`: addresses or networks, comma-separated
    /// (`127.0.0.1, 10.0.0.0/8, fd00::/8`).
    fn parse(value: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{entry}` is not an address or a network like 10.0.0.0/8"))?;
            nets.push(net);
        }
        Ok(Self(nets))
    }
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, as a dual-stack listener reports IPv4
/// peers) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`), as proxies write them.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = entry.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    entry.strip_prefix('[').and_then(|rest| rest.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

/// The client's address: the peer's, or what trusted proxies say.
pub fn client_ip(req: &Request, trusted: &TrustedProxies) -> Option<IpAddr> {
    match req.remote_addr() {
        RemoteAddr(poem::Addr::SocketAddr(addr)) => Some(behind_proxies(addr.ip(), req.headers(), trusted)),
        _ => None,
    }
}

/// The client of a connection from `peer` with these headers.
fn behind_proxies(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        // Written by a trusted proxy, so well-formed; if not, stay with the last address
        // that was.
        let Some(ip) = parse_entry(entry).map(canonical) else { break };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// The key a client address is throttled under. An IPv6 client usually holds a whole /64
/// (and can change addresses inside it at will), so the /64 is one client.
pub fn throttle_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection from `peer` with these `X-Forwarded-For` headers.
    fn request(peer: &str, forwarded: &[&str]) -> (IpAddr, HeaderMap) {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        (peer.parse::<std::net::SocketAddr>().unwrap().ip(), headers)
    }

    fn client_ip((peer, headers): (IpAddr, HeaderMap), trusted: &TrustedProxies) -> Option<IpAddr> {
        Some(behind_proxies(peer, &headers, trusted))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(client_ip(request("203.0.113.9:5000", &["1.2.3.4"]), &none), Some(ip("203.0.113.9")));
    }

    #[test]
    fn trusted_hops_are_walked_from_the_right() {
        let trusted = <TrustedProxies as Parse>::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // nginx on loopback appended the client it saw.
        assert_eq!(client_ip(request("127.0.0.1:1", &["198.51.100.7"]), &trusted), Some(ip("198.51.100.7")));
        // A client forging the header only adds entries to the left of the real one.
        let forged = request("127.0.0.1:1", &["6.6.6.6, 198.51.100.7"]);
        assert_eq!(client_ip(forged, &trusted), Some(ip("198.51.100.7")));
        // Two trusted hops (a load balancer in 10/8, then nginx), headers split in two.
        let two = request("127.0.0.1:1", &["6.6.6.6, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(client_ip(two, &trusted), Some(ip("198.51.100.7")));
        // A trusted proxy without the header: the proxy is the client.
        assert_eq!(client_ip(request("10.0.0.5:1", &[]), &trusted), Some(ip("10.0.0.5")));
        // Ports and IPv4-mapped forms.
        let ported = request("[::ffff:127.0.0.1]:1", &["[2001:db8::1]:443"]);
        assert_eq!(client_ip(ported, &trusted), Some(ip("2001:db8::1")));
        assert_eq!(client_ip(request("127.0.0.1:1", &["198.51.100.7:1234"]), &trusted), Some(ip("198.51.100.7")));
    }

    #[test]
    fn bad_configuration_names_the_entry() {
        let err = <TrustedProxies as Parse>::parse("10.0.0.0/8, nginx").unwrap_err();
        assert!(err.contains("`nginx`"), "{err}");
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        assert_eq!(throttle_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(throttle_key(ip("198.51.100.7")), ip("198.51.100.7"));
    }
}
