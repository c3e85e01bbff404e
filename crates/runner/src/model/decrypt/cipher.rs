//! The cipher of SSIS's two password protection levels: Triple DES (three
//! keys) in CBC mode, keyed from the password the way .NET's
//! `PasswordDeriveBytes.CryptDeriveKey("TripleDES", "SHA1", 192, iv)` does,
//! which is CryptoAPI's `CryptDeriveKey`: the SHA-1 of the UTF-8 password,
//! padded to 64 bytes, XORed with 0x36 and with 0x5C, each hashed, the
//! first 24 bytes of the two hashes. The `Salt` stored beside the cipher
//! text plays no part (that .NET call ignores it).

use des::TdesEde3;
use des::cipher::{Array, BlockCipherDecrypt, KeyInit};
use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY as SHA1, digest};

/// The block size of DES.
pub const BLOCK: usize = 8;

/// How the last block is padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// PKCS #7: every padding byte is the count (project files).
    Pkcs7,
    /// ISO 10126: random bytes, the last one the count (XML Encryption's
    /// `EncryptedData` in packages).
    Iso10126,
}

/// A key derived from a password.
pub struct Key(TdesEde3);

impl Key {
    /// The key SSIS derives from `password`.
    pub fn from_password(password: &str) -> Key {
        let hash = digest(&SHA1, password.as_bytes());
        let mut block = [0u8; 64];
        block[..hash.as_ref().len()].copy_from_slice(hash.as_ref());
        let expand = |pad: u8| {
            let mixed: Vec<u8> = block.iter().map(|b| b ^ pad).collect();
            digest(&SHA1, &mixed)
        };
        let (inner, outer) = (expand(0x36), expand(0x5C));
        let mut key = [0u8; 24];
        key[..20].copy_from_slice(inner.as_ref());
        key[20..].copy_from_slice(&outer.as_ref()[..4]);
        Key(TdesEde3::new(&Array::from(key)))
    }

    /// Decrypts `data` (CBC from `iv`) and removes its padding; `None` when
    /// the lengths or the padding are wrong, as they almost always are
    /// with another password.
    pub fn decrypt(&self, iv: &[u8], data: &[u8], padding: Padding) -> Option<Vec<u8>> {
        let mut previous: [u8; BLOCK] = iv.try_into().ok()?;
        if data.is_empty() || data.len() % BLOCK != 0 {
            return None;
        }
        let mut out = Vec::with_capacity(data.len());
        for chunk in data.chunks_exact(BLOCK) {
            let mut block = Array::from(<[u8; BLOCK]>::try_from(chunk).ok()?);
            self.0.decrypt_block(&mut block);
            out.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
            previous.copy_from_slice(chunk);
        }
        let count = usize::from(*out.last()?);
        if count == 0 || count > BLOCK {
            return None;
        }
        let body = out.len() - count;
        if padding == Padding::Pkcs7 && out[body..].iter().any(|&b| usize::from(b) != count) {
            return None;
        }
        out.truncate(body);
        Some(out)
    }
}

/// Encrypts as SSIS does (PKCS #7 padding, which ISO 10126 readers also
/// take), for the tests: the runner only decrypts.
#[cfg(test)]
pub(super) fn encrypt(password: &str, iv: [u8; BLOCK], plain: &[u8]) -> Vec<u8> {
    use des::cipher::BlockCipherEncrypt;
    let Key(cipher) = Key::from_password(password);
    let count = BLOCK - plain.len() % BLOCK;
    let mut padded = plain.to_vec();
    padded.extend(std::iter::repeat_n(count as u8, count));
    let mut previous = iv;
    let mut out = Vec::new();
    for chunk in padded.chunks_exact(BLOCK) {
        let mut block = Array::from(std::array::from_fn(|i| chunk[i] ^ previous[i]));
        cipher.encrypt_block(&mut block);
        previous.copy_from_slice(&block);
        out.extend_from_slice(&block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn decrypts_a_known_answer_made_by_another_implementation() {
        // Python's `cryptography` (TripleDES, CBC, PKCS #7) with the key
        // derived by hashlib as the module documentation says, for a
        // non-ASCII password.
        let data = hex("9e32cd62ab1c081da24b7abacf414ff54e10f3e034461786");
        let iv: Vec<u8> = (0..8).collect();
        let key = Key::from_password("Pa$$w\u{f6}rd");
        assert_eq!(
            key.decrypt(&iv, &data, Padding::Pkcs7).unwrap(),
            b"SSIS known answer"
        );
    }

    #[test]
    fn round_trips_and_refuses_a_wrong_password_or_padding() {
        let plain = b"<DTS:Password DTS:Name=\"Password\">secret</DTS:Password>";
        let iv = [1, 2, 3, 4, 5, 6, 7, 8];
        let data = encrypt("ssis123", iv, plain);
        let key = Key::from_password("ssis123");
        assert_eq!(key.decrypt(&iv, &data, Padding::Pkcs7).unwrap(), plain);
        assert_eq!(key.decrypt(&iv, &data, Padding::Iso10126).unwrap(), plain);
        let wrong = Key::from_password("ssis124");
        assert_ne!(
            wrong.decrypt(&iv, &data, Padding::Pkcs7).as_deref(),
            Some(&plain[..])
        );
        assert!(
            key.decrypt(&iv, &data[..data.len() - 1], Padding::Pkcs7)
                .is_none()
        );
        assert!(key.decrypt(&iv[..7], &data, Padding::Pkcs7).is_none());
        assert!(key.decrypt(&iv, &[], Padding::Pkcs7).is_none());
    }
}
