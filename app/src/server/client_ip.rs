use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;

/// The peer address of the current request. Parley does not trust
/// `X-Forwarded-For` (anyone can send it); behind a reverse proxy all
/// clients share the proxy's address, which makes limits stricter, not
/// looser.
pub async fn client_ip() -> IpAddr {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}
