//! `file:` URIs as paths: what the editor names a document by, and what loopfix reads.

use std::path::PathBuf;

use lsp_types::Uri;
use percent_encoding::percent_decode_str;

/// The path of a `file:` URI (`None` for another scheme, such as `untitled:`). A `localhost`
/// or empty authority is the local machine; another host is a UNC share on Windows only.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    if !authority.is_empty() && !authority.eq_ignore_ascii_case("localhost") {
        return cfg!(windows).then(|| PathBuf::from(format!("//{authority}{decoded}")));
    }
    Some(native_path(&decoded))
}

/// `/c:/x` is `c:/x` on Windows; elsewhere a URI's path is the path.
fn native_path(decoded: &str) -> PathBuf {
    if cfg!(windows) {
        let bytes = decoded.as_bytes();
        if bytes.len() >= 3
            && bytes[0] == b'/'
            && bytes[1].is_ascii_alphabetic()
            && bytes[2] == b':'
        {
            return PathBuf::from(&decoded[1..]);
        }
    }
    PathBuf::from(decoded)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).unwrap()
    }

    #[test]
    fn percent_encoded_names_decode() {
        assert_eq!(
            to_path(&uri("file:///home/me/my%20app/caf%C3%A9.py")),
            Some(PathBuf::from("/home/me/my app/café.py"))
        );
        assert_eq!(
            to_path(&uri("file://localhost/srv/app.py")),
            Some(PathBuf::from("/srv/app.py"))
        );
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
    }
}
