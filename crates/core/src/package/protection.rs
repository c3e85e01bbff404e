//! `ProtectionLevel`: how a package protects its sensitive values.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A package's `ProtectionLevel` (`DTSProtectionLevel` in the object model).
/// The numbers are the values written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(i32)]
pub enum ProtectionLevel {
    /// Sensitive values are not saved.
    DontSaveSensitive = 0,
    /// Sensitive values are encrypted with the user's key (DPAPI). The
    /// default, so SSIS 2012+ files do not write it.
    EncryptSensitiveWithUserKey = 1,
    /// Sensitive values are encrypted with a password.
    EncryptSensitiveWithPassword = 2,
    /// The whole package is encrypted with a password.
    EncryptAllWithPassword = 3,
    /// The whole package is encrypted with the user's key.
    EncryptAllWithUserKey = 4,
    /// Protection is left to the server storage (msdb roles).
    ServerStorage = 5,
}

impl ProtectionLevel {
    /// Every level, in number order.
    pub const ALL: [ProtectionLevel; 6] = [
        ProtectionLevel::DontSaveSensitive,
        ProtectionLevel::EncryptSensitiveWithUserKey,
        ProtectionLevel::EncryptSensitiveWithPassword,
        ProtectionLevel::EncryptAllWithPassword,
        ProtectionLevel::EncryptAllWithUserKey,
        ProtectionLevel::ServerStorage,
    ];

    /// The level SSIS assumes when the file does not say.
    pub const DEFAULT: ProtectionLevel = ProtectionLevel::EncryptSensitiveWithUserKey;

    /// The level for a number written in a file, if it is one.
    pub fn from_number(n: i32) -> Option<ProtectionLevel> {
        ProtectionLevel::ALL.into_iter().find(|l| l.number() == n)
    }

    /// The level for its name (`EncryptAllWithPassword`), ignoring case.
    pub fn from_name(name: &str) -> Option<ProtectionLevel> {
        ProtectionLevel::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Reads a level as a file writes it: a number, or (seen in project
    /// manifests) a name.
    pub fn parse(text: &str) -> Option<ProtectionLevel> {
        let t = text.trim();
        t.parse::<i32>()
            .ok()
            .and_then(ProtectionLevel::from_number)
            .or_else(|| ProtectionLevel::from_name(t))
    }

    /// The number written in the file.
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The .NET name, e.g. `EncryptSensitiveWithUserKey`.
    pub fn name(self) -> &'static str {
        match self {
            ProtectionLevel::DontSaveSensitive => "DontSaveSensitive",
            ProtectionLevel::EncryptSensitiveWithUserKey => "EncryptSensitiveWithUserKey",
            ProtectionLevel::EncryptSensitiveWithPassword => "EncryptSensitiveWithPassword",
            ProtectionLevel::EncryptAllWithPassword => "EncryptAllWithPassword",
            ProtectionLevel::EncryptAllWithUserKey => "EncryptAllWithUserKey",
            ProtectionLevel::ServerStorage => "ServerStorage",
        }
    }

    /// The whole package is encrypted: only its identity is readable.
    pub fn encrypts_all(self) -> bool {
        matches!(
            self,
            ProtectionLevel::EncryptAllWithPassword | ProtectionLevel::EncryptAllWithUserKey
        )
    }

    /// What is encrypted is encrypted with a password (dtexec `/DECRYPT`).
    pub fn uses_password(self) -> bool {
        matches!(
            self,
            ProtectionLevel::EncryptSensitiveWithPassword | ProtectionLevel::EncryptAllWithPassword
        )
    }
}

impl fmt::Display for ProtectionLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name for a level number; numbers outside 0..=5 are named `Unknown(<n>)`.
pub fn protection_level_name(n: i32) -> String {
    match ProtectionLevel::from_number(n) {
        Some(level) => level.name().to_string(),
        None => format!("Unknown({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for (i, level) in ProtectionLevel::ALL.into_iter().enumerate() {
            assert_eq!(level.number(), i as i32);
            assert_eq!(ProtectionLevel::from_number(i as i32), Some(level));
            assert_eq!(ProtectionLevel::from_name(level.name()), Some(level));
            assert_eq!(ProtectionLevel::parse(&i.to_string()), Some(level));
        }
        assert_eq!(ProtectionLevel::from_number(6), None);
        assert_eq!(ProtectionLevel::from_number(-1), None);
        assert_eq!(
            ProtectionLevel::parse(" encryptallwithpassword "),
            Some(ProtectionLevel::EncryptAllWithPassword)
        );
        assert_eq!(ProtectionLevel::parse("x"), None);
        assert_eq!(protection_level_name(5), "ServerStorage");
        assert_eq!(protection_level_name(9), "Unknown(9)");
    }

    #[test]
    fn only_the_encrypt_all_levels_hide_the_package() {
        let all: Vec<_> = ProtectionLevel::ALL
            .into_iter()
            .filter(|l| l.encrypts_all())
            .map(|l| l.number())
            .collect();
        assert_eq!(all, vec![3, 4]);
    }
}
