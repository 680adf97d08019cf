//! The server's own secret: it seals the regulator keys before they reach the database and keys
//! the hash a phone number is kept as, so the database file alone reveals neither. It comes from
//! `PISTIL_SECRET_KEY` (64 hex digits) or from `secret.key` beside the database, made on first
//! start, readable by its owner only. Back it up with the database: without it the saved keys
//! must be entered again.

use std::{fs, io::Write, path::Path};

use base64::{engine::general_purpose::STANDARD_NO_PAD as B64, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng},
    ChaCha20Poly1305, Key, Nonce,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The environment variable that holds the secret instead of the file.
pub const ENV: &str = "PISTIL_SECRET_KEY";
/// The file beside the database.
pub const FILE: &str = "secret.key";
/// What a sealed value starts with.
const SEALED: &str = "sealed:v1:";

/// Why the secret or a sealed value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The key file or variable cannot be read or written.
    #[error("the server's secret key ({where_}): {source}")]
    Io {
        /// Where.
        where_: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key is not 64 hex digits.
    #[error("the server's secret key ({0}) is not 64 hex digits")]
    Malformed(String),
    /// A sealed value does not open with this key (another key, or edited).
    #[error("a sealed value does not open with this server's secret key")]
    WrongKey,
}

/// The loaded secret.
#[derive(Clone)]
pub struct Secret {
    seal: ChaCha20Poly1305,
    master: [u8; 32],
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

fn parse_hex(text: &str, where_: &str) -> Result<[u8; 32], SecretError> {
    let bytes = hex::decode(text.trim()).map_err(|_| SecretError::Malformed(where_.into()))?;
    bytes
        .try_into()
        .map_err(|_| SecretError::Malformed(where_.into()))
}

impl Secret {
    /// The secret from the environment, else the data directory's file (made when missing).
    pub fn load(data_dir: &Path) -> Result<Self, SecretError> {
        if let Ok(text) = std::env::var(ENV) {
            return Ok(Self::from_bytes(parse_hex(&text, ENV)?));
        }
        let path = data_dir.join(FILE);
        let io = |source| SecretError::Io {
            where_: path.display().to_string(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Self::from_bytes(parse_hex(
                &text,
                &path.display().to_string(),
            )?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ChaCha20Poly1305::generate_key(&mut OsRng);
                let mut f = create_private(&path).map_err(io)?;
                f.write_all(hex::encode(key).as_bytes()).map_err(io)?;
                f.sync_all().map_err(io)?;
                Ok(Self::from_bytes(key.into()))
            }
            Err(e) => Err(io(e)),
        }
    }

    fn from_bytes(master: [u8; 32]) -> Self {
        // One master key, two uses: each gets its own derived key.
        let seal_key = derive(&master, b"pistil seal v1");
        Secret {
            seal: ChaCha20Poly1305::new(Key::from_slice(&seal_key)),
            master,
        }
    }

    /// `plain`, encrypted and authenticated under a fresh nonce, as text.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encrypting a string in memory with a valid key cannot fail.
        let sealed = self
            .seal
            .encrypt(&nonce, plain.as_bytes())
            .expect("sealing a value in memory");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED}{}", B64.encode(bytes))
    }

    /// Whether `text` is sealed (values saved before sealing existed are not).
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(SEALED)
    }

    /// The plain text of a sealed value.
    pub fn open(&self, text: &str) -> Result<String, SecretError> {
        let body = text.strip_prefix(SEALED).ok_or(SecretError::WrongKey)?;
        let bytes = B64.decode(body).map_err(|_| SecretError::WrongKey)?;
        if bytes.len() < 12 {
            return Err(SecretError::WrongKey);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = self
            .seal
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretError::WrongKey)
    }

    /// A keyed hash of `value` for `purpose`: equal inputs give equal hashes, and without the
    /// secret no list of phone numbers can be hashed to find one.
    pub fn keyed_hash(&self, purpose: &str, value: &str) -> String {
        let key = derive(&self.master, purpose.as_bytes());
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key");
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

impl Secret {
    /// The customer a phone number stands for, as the ledger keeps it: a keyed hash of its
    /// digits, never the number. The same digits give the same customer on every channel.
    pub fn phone(&self, digits: &str) -> domain::CustomerRef {
        let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
        domain::CustomerRef::parse(&format!("phone-hmac:{}", self.keyed_hash("phone", &digits)))
            .expect("a hash is never empty")
    }

    /// `customer` as the ledger keeps it: a plain `phone:` reference (a tablet sends one) becomes
    /// its keyed hash; any other reference stays as it is.
    pub fn customer(&self, customer: domain::CustomerRef) -> domain::CustomerRef {
        match customer.as_str().strip_prefix("phone:") {
            Some(digits) => self.phone(digits),
            None => customer,
        }
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_only_and_never_shows_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let a = Secret::load(dir.path()).unwrap();
        let sealed = a.seal("vendor-key-123");
        assert!(!sealed.contains("vendor-key-123"));
        assert_ne!(sealed, a.seal("vendor-key-123"), "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), "vendor-key-123");
        let other = tempfile::tempdir().unwrap();
        let b = Secret::load(other.path()).unwrap();
        assert!(matches!(b.open(&sealed), Err(SecretError::WrongKey)));
        let tail = if sealed.ends_with("AAAA") {
            "BBBB"
        } else {
            "AAAA"
        };
        let edited = format!("{}{tail}", &sealed[..sealed.len() - 4]);
        assert!(
            matches!(a.open(&edited), Err(SecretError::WrongKey)),
            "an edit is caught"
        );
    }

    #[test]
    fn the_key_file_is_made_once_readable_by_its_owner_only_and_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let a = Secret::load(dir.path()).unwrap();
        let b = Secret::load(dir.path()).unwrap();
        assert_eq!(
            a.keyed_hash("phone", "4165550199"),
            b.keyed_hash("phone", "4165550199")
        );
        assert_ne!(
            a.keyed_hash("phone", "4165550199"),
            a.keyed_hash("phone", "4165550198")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_malformed_key_file_is_named_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE), "not hex").unwrap();
        assert!(matches!(
            Secret::load(dir.path()),
            Err(SecretError::Malformed(_))
        ));
        assert_eq!(
            fs::read_to_string(dir.path().join(FILE)).unwrap(),
            "not hex"
        );
    }
}
