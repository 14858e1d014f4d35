//! Short, stable reasons for I/O errors, as loopfix prints them after a path.

/// A short reason for an I/O error, without the OS error number.
pub fn reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_owned(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_leave_out_the_error_number() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(reason(&missing), "no such file or directory");
        let other = std::io::Error::from_raw_os_error(21);
        assert!(!reason(&other).contains("os error"), "{}", reason(&other));
    }
}
