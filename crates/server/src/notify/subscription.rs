//! What a browser's `PushSubscription` must look like before it is stored.
//!
//! Each check returns the value in its stored form or a message for the field; the route turns
//! the messages into one 422 with every field at once.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Longest endpoint accepted (those of the big push services are about 200 characters).
pub const MAX_ENDPOINT_CHARS: usize = 1_024;
/// Longest page path accepted for a click on the notification.
pub const MAX_OPEN_PATH_CHARS: usize = 1_024;
/// Bytes of a P-256 public key as browsers send it (an uncompressed point).
pub const P256DH_BYTES: usize = 65;
/// Bytes of the auth secret (RFC 8291 §3.2).
pub const AUTH_BYTES: usize = 16;

/// The push service URL: `https`, or `http` to a loopback host (local receivers in tests), with
/// no credentials in it.
pub fn check_endpoint(raw: &str) -> Result<reqwest::Url, String> {
    if raw.chars().count() > MAX_ENDPOINT_CHARS {
        return Err(format!("must have at most {MAX_ENDPOINT_CHARS} characters"));
    }
    let url = reqwest::Url::parse(raw).map_err(|_| "must be an absolute URL".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".to_owned());
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err("must be https (http only to a loopback host)".to_owned()),
        _ => Err("must be an https URL".to_owned()),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Decodes base64url with or without padding (browsers send it without).
fn decode(raw: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).ok()
}

/// The browser's public key: a point on P-256, stored as unpadded base64url.
pub fn check_p256dh(raw: &str) -> Result<String, String> {
    let bytes = decode(raw).ok_or_else(|| "must be base64url".to_owned())?;
    if bytes.len() != P256DH_BYTES {
        return Err(format!("must decode to {P256DH_BYTES} bytes (an uncompressed P-256 point)"));
    }
    web_push_native::p256::PublicKey::from_sec1_bytes(&bytes).map_err(|_| "is not a point on P-256".to_owned())?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The auth secret: 16 bytes, stored as unpadded base64url.
pub fn check_auth(raw: &str) -> Result<String, String> {
    let bytes = decode(raw).ok_or_else(|| "must be base64url".to_owned())?;
    if bytes.len() != AUTH_BYTES {
        return Err(format!("must decode to {AUTH_BYTES} bytes"));
    }
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The page to open on a click: a path on this server (`/…`, not `//host`), printable ASCII.
pub fn check_open_path(raw: &str) -> Result<String, String> {
    let fine = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.chars().count() <= MAX_OPEN_PATH_CHARS
        && raw.chars().all(|c| c.is_ascii_graphic());
    if fine {
        Ok(raw.to_owned())
    } else {
        Err(format!("must be a path on this server starting with / (at most {MAX_OPEN_PATH_CHARS} characters)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        assert!(check_endpoint("https://fcm.googleapis.com/fcm/send/abc").is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/push").is_ok());
        assert!(check_endpoint("http://localhost:8090/notify/x").is_ok());
        assert!(check_endpoint("http://[::1]:8090/notify/x").is_ok());
        assert!(check_endpoint("http://push.example/x").is_err());
        assert!(check_endpoint("http://10.0.0.1/x").is_err());
        assert!(check_endpoint("https://user:pw@push.example/x").is_err());
        assert!(check_endpoint("ftp://push.example/x").is_err());
        assert!(check_endpoint("/relative").is_err());
        assert!(check_endpoint(&format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT_CHARS))).is_err());
    }

    #[test]
    fn keys_have_their_lengths_and_p256dh_is_on_the_curve() {
        // A point from RFC 8291's example.
        let p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert_eq!(check_p256dh(p256dh).as_deref(), Ok(p256dh));
        assert!(check_p256dh(&format!("{p256dh}=")).is_ok(), "padding is tolerated");
        let mut off_curve = URL_SAFE_NO_PAD.decode(p256dh).unwrap_or_default();
        off_curve[64] ^= 1;
        assert!(check_p256dh(&URL_SAFE_NO_PAD.encode(off_curve)).is_err());
        assert!(check_p256dh("AAAA").is_err());
        assert!(check_p256dh("not base64!").is_err());
        assert_eq!(check_auth("BTBZMqHH6r4Tts7J_aSIgg").as_deref(), Ok("BTBZMqHH6r4Tts7J_aSIgg"));
        assert!(check_auth("BTBZMqHH6r4Tts7J").is_err());
    }

    #[test]
    fn open_paths_stay_on_this_server() {
        assert!(check_open_path("/o/ord_1?token=abc").is_ok());
        for bad in ["https://evil.example/", "//evil.example/", "/\\evil.example", "/a b", "o/1", ""] {
            assert!(check_open_path(bad).is_err(), "{bad}");
        }
    }
}
