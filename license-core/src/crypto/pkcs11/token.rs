//! Reaching a token: loading its module once per process, finding the
//! token by label, opening a session and logging in.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;

use super::Pin;
use crate::{Error, ErrorKind, Result};

/// A loaded, initialized module and what this process knows about logins.
struct Module {
    path: PathBuf,
    context: Pkcs11,
    /// Per slot, the SHA-256 of the PIN this process logged in with. A
    /// login is per process and token, not per session: once one signer
    /// is logged in, the token answers "already logged in" to any PIN, so
    /// a second signer's PIN is checked against this instead.
    logins: Mutex<Vec<(Slot, [u8; 32])>>,
}

/// Modules loaded by this process. `C_Initialize` may be called once per
/// process, and finalizing would close every other signer's sessions, so
/// a module is loaded once and kept.
fn modules() -> &'static Mutex<Vec<Arc<Module>>> {
    static MODULES: OnceLock<Mutex<Vec<Arc<Module>>>> = OnceLock::new();
    MODULES.get_or_init(|| Mutex::new(Vec::new()))
}

/// The module at `path`, loaded and initialized on first use.
fn module(path: &Path) -> Result<Arc<Module>> {
    let shown = path.display();
    let canonical = path
        .canonicalize()
        .map_err(|e| Error::new(ErrorKind::Pkcs11ModuleLoad, format!("PKCS#11 module {shown}: {e}")))?;
    // A poisoned list is still a valid list: a panic elsewhere cannot
    // leave it half-updated (entries are pushed whole).
    let mut loaded = modules().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = loaded.iter().find(|m| m.path == canonical) {
        return Ok(Arc::clone(m));
    }
    let context = Pkcs11::new(&canonical).map_err(|e| {
        Error::new(ErrorKind::Pkcs11ModuleLoad, format!("cannot load PKCS#11 module {shown}: {e}"))
    })?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Another library of this process initialized it: usable as is.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => {
            return Err(Error::new(
                ErrorKind::Pkcs11ModuleLoad,
                format!("PKCS#11 module {shown} does not initialize: {e}"),
            ))
        }
    }
    let m = Arc::new(Module { path: canonical, context, logins: Mutex::new(Vec::new()) });
    loaded.push(Arc::clone(&m));
    Ok(m)
}

/// A logged-in session on the token labelled `label`.
pub(super) struct TokenSession {
    pub(super) session: Session,
    /// The token's label, for messages.
    pub(super) token: String,
}

/// Opens a session on the one token labelled `label` in the module at
/// `module_path` and logs in as its user with `pin`; `read_write` for
/// making keys.
pub(super) fn open(module_path: &Path, label: &str, pin: &Pin, read_write: bool) -> Result<TokenSession> {
    let module = module(module_path)?;
    let slot = find_token(&module, label)?;
    let session =
        if read_write { module.context.open_rw_session(slot) } else { module.context.open_ro_session(slot) }
            .map_err(|e| failed(&format!("opening a session on token `{}`", shown(label)), &e))?;
    login(&module, slot, &session, label, pin)?;
    Ok(TokenSession { session, token: label.to_owned() })
}

fn find_token(module: &Module, label: &str) -> Result<Slot> {
    let slots =
        module.context.get_slots_with_token().map_err(|e| failed("listing the module's tokens", &e))?;
    let mut found = Vec::new();
    for slot in slots {
        // A slot whose token went away between the two calls is skipped.
        if let Ok(info) = module.context.get_token_info(slot) {
            if info.label().trim_end() == label {
                found.push(slot);
            }
        }
    }
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(Error::new(
            ErrorKind::Pkcs11TokenNotFound,
            format!("no token labelled `{}` in PKCS#11 module {}", shown(label), module.path.display()),
        )),
        _ => Err(Error::new(
            ErrorKind::Pkcs11LabelAmbiguous,
            format!("{} tokens are labelled `{}`; relabel one", found.len(), shown(label)),
        )),
    }
}

fn login(module: &Module, slot: Slot, session: &Session, label: &str, pin: &Pin) -> Result<()> {
    let digest = pin.digest;
    let mut logins = module.logins.lock().unwrap_or_else(|p| p.into_inner());
    match session.login(UserType::User, Some(&pin.secret)) {
        Ok(()) => {
            logins.retain(|(s, _)| *s != slot);
            logins.push((slot, digest));
            Ok(())
        }
        Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
            // Logged in by an earlier signer of this process: the token
            // no longer checks PINs, so compare with the one that worked.
            match logins.iter().find(|(s, _)| *s == slot) {
                Some((_, known)) if *known != digest => Err(pin_incorrect(label, "wrong")),
                _ => Ok(()),
            }
        }
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _)) => {
            Err(pin_incorrect(label, "wrong"))
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(pin_incorrect(label, "locked")),
        Err(e) => Err(failed(&format!("logging in to token `{}`", shown(label)), &e)),
    }
}

fn pin_incorrect(label: &str, how: &str) -> Error {
    Error::new(ErrorKind::Pkcs11PinIncorrect, format!("token `{}` refused the PIN ({how})", shown(label)))
}

/// A failed token call that has no kind of its own.
pub(super) fn failed(doing: &str, e: &CkError) -> Error {
    Error::new(ErrorKind::Pkcs11Failed, format!("{doing}: {e}"))
}

/// A label for a message: labels come from the caller or the token, so
/// their control characters are escaped.
pub(super) fn shown(label: &str) -> String {
    Error::escape_controls(label).into_owned()
}
