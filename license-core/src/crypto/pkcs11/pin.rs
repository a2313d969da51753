//! The token's user PIN: a secret that never appears in `Debug` output,
//! read from the environment or a file, never from a command line (which
//! other users of the machine can read in `/proc`).

use std::fmt;

use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};

use crate::{Error, ErrorKind, Result};

/// The environment variable that holds the PIN itself.
pub const PIN_ENV: &str = "LICENSECTL_PKCS11_PIN";

/// The environment variable that names a file holding the PIN (its first
/// line), for a PIN kept in a file readable by the signing service only.
pub const PIN_FILE_ENV: &str = "LICENSECTL_PKCS11_PIN_FILE";

/// The longest PIN accepted: a token's own limit is far lower, and a bound
/// keeps a wrong file (an image, a log) from being read whole.
const MAX_PIN_LEN: usize = 256;

/// A token user PIN. Its `Debug` form is `Pin(***)`.
///
/// ```
/// use license_core::crypto::pkcs11::Pin;
/// let pin = Pin::new("1234")?;
/// assert_eq!(format!("{pin:?}"), "Pin(***)");
/// # Ok::<(), license_core::Error>(())
/// ```
pub struct Pin {
    pub(super) secret: AuthPin,
    /// The PIN's SHA-256, to tell whether a second signer of this process
    /// gave the PIN the token accepted (see `token::login`).
    pub(super) digest: [u8; 32],
}

impl Pin {
    /// A PIN from its text. An empty PIN is [`ErrorKind::Pkcs11PinMissing`];
    /// one over 256 bytes or with control characters is
    /// [`ErrorKind::InvalidArgument`].
    pub fn new(pin: &str) -> Result<Pin> {
        if pin.is_empty() {
            return Err(Error::new(ErrorKind::Pkcs11PinMissing, "the PIN is empty"));
        }
        if pin.len() > MAX_PIN_LEN || pin.chars().any(char::is_control) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("the PIN has over {MAX_PIN_LEN} bytes or control characters"),
            ));
        }
        Ok(Pin { secret: AuthPin::from(pin.to_owned()), digest: Sha256::digest(pin.as_bytes()).into() })
    }

    /// Reads the PIN the way `licensectl` does (this touches the process
    /// environment and, possibly, a file): the variable
    /// [`PIN_ENV`] if set, else the first line of the file named by
    /// [`PIN_FILE_ENV`]. Neither set is [`ErrorKind::Pkcs11PinMissing`];
    /// an unreadable file is [`ErrorKind::Io`].
    pub fn from_env() -> Result<Pin> {
        if let Some(pin) = std::env::var_os(PIN_ENV) {
            let pin = pin
                .into_string()
                .map_err(|_| Error::new(ErrorKind::InvalidArgument, format!("{PIN_ENV} is not UTF-8")))?;
            return Pin::new(&pin);
        }
        let Some(path) = std::env::var_os(PIN_FILE_ENV) else {
            return Err(Error::new(
                ErrorKind::Pkcs11PinMissing,
                format!("set {PIN_ENV} to the token's user PIN, or {PIN_FILE_ENV} to a file holding it"),
            ));
        };
        let path = std::path::PathBuf::from(path);
        let bytes = read_bounded(&path)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Error::new(ErrorKind::InvalidArgument, format!("the PIN file {} is not UTF-8", path.display()))
        })?;
        // The first line, so that a file written by `echo` works.
        Pin::new(text.lines().next().unwrap_or(""))
    }
}

/// Reads at most `MAX_PIN_LEN` + 2 bytes (a PIN and its line end), so a
/// wrong path costs nothing; a longer file is refused.
fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("the PIN file {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_PIN_LEN as u64 + 3).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > MAX_PIN_LEN + 2 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("the PIN file {} is longer than a PIN", path.display()),
        ));
    }
    Ok(bytes)
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}
