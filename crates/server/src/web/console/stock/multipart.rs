//! Reads a `multipart/form-data` body, the one shape a browser uploads a file in. The console
//! needs three small fields (the CSRF token, the kind, the file) from a body already bounded by
//! the route's size limit, so a plain splitter over the bytes does, with no streaming parser to
//! add to the build.

/// One part of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The field's name.
    pub name: String,
    /// The file's name, for a file field.
    pub filename: Option<String>,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .find_map(|param| {
            let (key, value) = param.split_once('=')?;
            key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
        })
        .filter(|boundary| !boundary.is_empty() && boundary.len() <= 70)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// `name="value"` from a Content-Disposition header.
fn param(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').find_map(|piece| {
        let (k, v) = piece.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The parts of `body`; `None` when it is not a well-formed form of that boundary.
pub(crate) fn parts(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    let next_delimiter = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, next_delimiter.as_bytes())?;
        let part = &rest[..end];
        rest = &rest[end + next_delimiter.len()..];
        let split = find(part, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&part[..split]).ok()?;
        let data = part[split + 4..].to_vec();
        let disposition = head.split("\r\n").find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-disposition").then_some(value)
        })?;
        parts.push(Part { name: param(disposition, "name")?, filename: param(disposition, "filename"), data });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_form_is_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\nContent-Type: text/csv\r\n\r\n\
sku,location_id,on_hand\r\nA,l,1\r\n\r\n--XyZ--\r\n";
        let found = parts(body, "XyZ").unwrap_or_default();
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].name.as_str(), found[0].data.as_slice()), ("csrf", b"tok".as_slice()));
        assert_eq!(found[1].filename.as_deref(), Some("s.csv"));
        assert_eq!(found[1].data, b"sku,location_id,on_hand\r\nA,l,1\r\n");
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(), Some("XyZ"));
        assert_eq!(boundary("text/csv"), None);
        assert_eq!(parts(b"--XyZ\r\nbroken", "XyZ"), None);
    }
}
