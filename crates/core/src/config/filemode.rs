//! `StoreFileMode`: the Unix permissions a new File System store package gets.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Permission bits written in octal, as `chmod` takes them (`0644`).
///
/// Only the permission bits (`0000`–`0777`) are allowed, and the owner must
/// keep read and write: the store reads and replaces its own files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMode(u32);

impl FileMode {
    /// The default: what a file created with the usual umask 022 gets, so
    /// readers of the store folder can read its packages.
    pub const STORE_DEFAULT: FileMode = FileMode(0o644);

    /// Parses `0640`, `640` and the like; the error says what is allowed.
    pub fn parse(text: &str) -> Result<FileMode, String> {
        let text = text.trim();
        let digits_ok =
            (3..=4).contains(&text.len()) && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
        let bits = u32::from_str_radix(text, 8).ok().filter(|_| digits_ok);
        match bits {
            None => Err(format!(
                "'{text}' is not a file mode: write 3 or 4 octal digits (0-7), as chmod takes \
                 them, e.g. 0644"
            )),
            Some(b) if b > 0o777 => Err(format!(
                "file mode '{text}' sets setuid, setgid or sticky bits; only 0000-0777 are allowed"
            )),
            Some(b) if b & 0o600 != 0o600 => Err(format!(
                "file mode '{text}' takes read or write from the owner; the store needs both \
                 (at least 0600)"
            )),
            Some(b) => Ok(FileMode(b)),
        }
    }

    /// The mode bits.
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for FileMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

impl Serialize for FileMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FileMode, D::Error> {
        let text = String::deserialize(d)?;
        FileMode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_modes_parse_and_print_with_four_digits() {
        assert_eq!(FileMode::parse("0640").unwrap().bits(), 0o640);
        assert_eq!(FileMode::parse(" 600 ").unwrap().to_string(), "0600");
        assert_eq!(FileMode::STORE_DEFAULT.to_string(), "0644");
    }

    #[test]
    fn bad_modes_say_what_is_allowed() {
        for (text, says) in [
            ("0844", "octal digits"),
            ("rw-r--r--", "octal digits"),
            ("64", "3 or 4"),
            ("04755", "octal digits"),
            ("4755", "setuid"),
            ("0444", "at least 0600"),
            ("0200", "at least 0600"),
        ] {
            let e = FileMode::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn json_is_the_octal_string() {
        let m: FileMode = serde_json::from_str("\"0640\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"0640\"");
        let e = serde_json::from_str::<FileMode>("\"0999\"").unwrap_err();
        assert!(e.to_string().contains("not a file mode"), "{e}");
    }
}
