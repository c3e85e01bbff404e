//! The ciphers of SSIS's two password protection levels, in CBC mode:
//!
//! - **Triple DES** (three keys; SSDT before 2017, and the default when a
//!   file names no algorithm), keyed from the password the way .NET's
//!   `PasswordDeriveBytes.CryptDeriveKey("TripleDES", "SHA1", 192, iv)`
//!   does, which is CryptoAPI's `CryptDeriveKey`: the SHA-1 of the UTF-8
//!   password, padded to 64 bytes, XORed with 0x36 and with 0x5C, each
//!   hashed, the first 24 bytes of the two hashes. The stored `Salt` plays
//!   no part (that .NET call ignores it).
//! - **AES-256** (later SSDT, which names `xmlenc#aes256-cbc`), keyed per
//!   value by PBKDF2-HMAC-SHA1 of the UTF-8 password with the value's own
//!   `Salt`, 1,000 iterations (.NET's `Rfc2898DeriveBytes` defaults).

use aes::Aes256;
use des::TdesEde3;
use des::cipher::{Array, BlockCipherDecrypt, KeyInit};
use ring::digest::{SHA1_FOR_LEGACY_USE_ONLY as SHA1, digest};

/// The cipher a value names (`EncryptionMethod`'s or `SSIS:Algorithm`'s
/// URI); Triple DES when it names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    TripleDes,
    Aes256,
}

impl Algorithm {
    /// The algorithm of an XML Encryption URI, if it is one SSIS writes.
    pub fn from_uri(uri: &str) -> Option<Algorithm> {
        match uri.rsplit('#').next()? {
            "tripledes-cbc" => Some(Algorithm::TripleDes),
            "aes256-cbc" => Some(Algorithm::Aes256),
            _ => None,
        }
    }

    /// Its block size, which is also the IV's.
    pub fn block(self) -> usize {
        match self {
            Algorithm::TripleDes => 8,
            Algorithm::Aes256 => 16,
        }
    }
}

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
pub enum Key {
    TripleDes(Box<TdesEde3>),
    Aes256(Box<Aes256>),
}

/// PBKDF2 iterations of the AES key (`Rfc2898DeriveBytes`' default).
const AES_ITERATIONS: u32 = 1000;

impl Key {
    /// The key SSIS derives from `password` for `algorithm`; `salt` is the
    /// value's own (used by AES only).
    pub fn new(algorithm: Algorithm, password: &str, salt: &[u8]) -> Key {
        match algorithm {
            Algorithm::TripleDes => Key::triple_des(password),
            Algorithm::Aes256 => {
                let mut key = [0u8; 32];
                ring::pbkdf2::derive(
                    ring::pbkdf2::PBKDF2_HMAC_SHA1,
                    std::num::NonZeroU32::new(AES_ITERATIONS).expect("not zero"),
                    salt,
                    password.as_bytes(),
                    &mut key,
                );
                Key::Aes256(Box::new(Aes256::new(&Array::from(key))))
            }
        }
    }

    fn triple_des(password: &str) -> Key {
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
        Key::TripleDes(Box::new(TdesEde3::new(&Array::from(key))))
    }

    fn block(&self) -> usize {
        match self {
            Key::TripleDes(_) => Algorithm::TripleDes.block(),
            Key::Aes256(_) => Algorithm::Aes256.block(),
        }
    }

    /// Decrypts one block in place.
    fn decrypt_block(&self, block: &mut [u8]) {
        match self {
            Key::TripleDes(c) => {
                let mut b = Array::from(<[u8; 8]>::try_from(&*block).expect("a DES block"));
                c.decrypt_block(&mut b);
                block.copy_from_slice(&b);
            }
            Key::Aes256(c) => {
                let mut b = Array::from(<[u8; 16]>::try_from(&*block).expect("an AES block"));
                c.decrypt_block(&mut b);
                block.copy_from_slice(&b);
            }
        }
    }

    /// Decrypts `data` (CBC from `iv`) and removes its padding; `None` when
    /// the lengths or the padding are wrong, as they almost always are
    /// with another password.
    pub fn decrypt(&self, iv: &[u8], data: &[u8], padding: Padding) -> Option<Vec<u8>> {
        let size = self.block();
        if iv.len() != size || data.is_empty() || data.len() % size != 0 {
            return None;
        }
        let mut previous = iv.to_vec();
        let mut out = Vec::with_capacity(data.len());
        let mut block = vec![0u8; size];
        for chunk in data.chunks_exact(size) {
            block.copy_from_slice(chunk);
            self.decrypt_block(&mut block);
            out.extend(block.iter().zip(&previous).map(|(b, p)| b ^ p));
            previous.copy_from_slice(chunk);
        }
        let count = usize::from(*out.last()?);
        if count == 0 || count > size {
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
pub(super) fn encrypt(password: &str, iv: [u8; 8], plain: &[u8]) -> Vec<u8> {
    use des::cipher::BlockCipherEncrypt;
    const BLOCK: usize = 8;
    let Key::TripleDes(cipher) = Key::triple_des(password) else {
        unreachable!()
    };
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
        let key = Key::triple_des("Pa$$w\u{f6}rd");
        assert_eq!(
            key.decrypt(&iv, &data, Padding::Pkcs7).unwrap(),
            b"SSIS known answer"
        );
    }

    #[test]
    fn decrypts_an_aes_known_answer_made_by_another_implementation() {
        // Python: hashlib.pbkdf2_hmac("sha1", password, salt, 1000, 32)
        // and `cryptography`'s AES-256-CBC with PKCS #7.
        let data = hex("c229750b218eead2942c890ad912bd8c20912084ab2c72f9135dae49637f3bbc");
        let salt: Vec<u8> = (0..8).collect();
        let iv: Vec<u8> = (0..16).collect();
        let key = Key::new(Algorithm::Aes256, "Pa$$w\u{f6}rd", &salt);
        assert_eq!(
            key.decrypt(&iv, &data, Padding::Pkcs7).unwrap(),
            b"SSIS AES known answer"
        );
        // Another salt is another key.
        let other = Key::new(Algorithm::Aes256, "Pa$$w\u{f6}rd", &[9; 8]);
        assert_ne!(
            other.decrypt(&iv, &data, Padding::Pkcs7).as_deref(),
            Some(&b"SSIS AES known answer"[..])
        );
        assert!(
            key.decrypt(&iv[..8], &data, Padding::Pkcs7).is_none(),
            "a DES-sized IV"
        );
        assert_eq!(
            Algorithm::from_uri("http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
            Some(Algorithm::Aes256)
        );
        assert_eq!(
            Algorithm::from_uri("http://www.w3.org/2001/04/xmlenc#tripledes-cbc"),
            Some(Algorithm::TripleDes)
        );
        assert_eq!(
            Algorithm::from_uri("http://www.w3.org/2001/04/xmlenc#aes128-cbc"),
            None
        );
    }

    #[test]
    fn round_trips_and_refuses_a_wrong_password_or_padding() {
        let plain = b"<DTS:Password DTS:Name=\"Password\">secret</DTS:Password>";
        let iv = [1, 2, 3, 4, 5, 6, 7, 8];
        let data = encrypt("ssis123", iv, plain);
        let key = Key::triple_des("ssis123");
        assert_eq!(key.decrypt(&iv, &data, Padding::Pkcs7).unwrap(), plain);
        assert_eq!(key.decrypt(&iv, &data, Padding::Iso10126).unwrap(), plain);
        let wrong = Key::triple_des("ssis124");
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
