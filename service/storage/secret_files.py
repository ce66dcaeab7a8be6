"""The service's secrets when the settings name none: random values made on the first start
and kept in files of LCMATCH_HOME (mode 0600), so that tokens survive a restart and every
process of one installation signs alike."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from service.settings import PLACEHOLDER_SECRET, Settings

log = logging.getLogger("lcmatch")

#: File names in LCMATCH_HOME.
SECRET_FILE = "secret_key"
PSEUDONYM_FILE = "pseudonym_key"


def kept_secret(home: Path, name: str) -> str:
    """The secret in `home/name`, made (64 random bytes, URL-safe) if the file is missing.

    Written to a private temporary file and linked into place, so that two processes starting
    at once end up with the same secret and no process ever reads half of one."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / name
    if not path.exists():
        partial = home / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(64) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(partial, path)  # fails if another process was first: theirs is kept
                log.info("made a new random %s in %s (keep this file private)", name, path)
            except FileExistsError:
                pass
        finally:
            partial.unlink(missing_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        log.warning("%s could be read by other users: made it private (mode 0600)", path)
        path.chmod(0o600)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it to have a new secret made")
    return value


def with_secrets(settings: Settings) -> Settings:
    """The settings with both secrets filled in: the ones set, else those kept in
    LCMATCH_HOME (made on the first start). The public development placeholder is logged
    loudly: anyone can sign an admin's token with it."""
    secret_key = settings.secret_key
    if secret_key is None:
        secret_key = kept_secret(settings.home, SECRET_FILE)
    elif secret_key == PLACEHOLDER_SECRET:
        log.warning(
            "!!! LCMATCH_SECRET_KEY is the public development placeholder: anyone can sign a "
            "login token for any account, an admin's too. Unset it (a random secret is then "
            "made in LCMATCH_HOME) or set a long random value. !!!"
        )
    pseudonym_key = settings.pseudonym_key
    if pseudonym_key is None:
        pseudonym_key = kept_secret(settings.home, PSEUDONYM_FILE)
    return settings.model_copy(update={"secret_key": secret_key, "pseudonym_key": pseudonym_key})
