"""Personal data at rest: 身份证号 and phone numbers encrypted in the database, masked on screen.

Three pieces, each answering one need:

* ``EncryptedCharField`` keeps the value encrypted in its column (AES-256-GCM from ``cryptography``,
  a fresh random nonce per write), so a database dump or backup shows only ``pii1:…`` tokens.
  Equal plaintexts give different ciphertexts, so the column cannot be filtered on.
* ``blind_index(value, purpose=…)`` is a keyed HMAC-SHA256 of the normalised value. Store it in a
  separate indexed column beside the encrypted one; it answers *equality* only (lookup by number,
  duplicate detection). It reveals which rows share a value, nothing about the value itself, and
  supports no range, prefix or partial search.
* ``mask_id_number`` / ``mask_phone`` / ``mask_name`` for display, plus validation and normalisation
  of PRC resident ID numbers (GB 11643-1999) and phone numbers.

Keys
----
``settings.PII_KEYS`` is a list of base64-encoded 32-byte keys, read from ``JIANFU_PII_KEYS``
(comma-separated) or the file named by ``JIANFU_PII_KEYS_FILE``. The first key encrypts and keys
the blind index; every listed key can decrypt. Make one with::

    python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"

Rotation: put the new key first and keep the old ones after it. Old rows still decrypt; saving a
row re-encrypts it under the new key (``needs_reencryption`` tells which rows still use an old
one). Blind indexes depend on the current key, so after rotating, recompute the stored indexes;
until that is done, look up with ``filter(x_bidx__in=blind_index_candidates(value, purpose=…))``,
which gives one index per configured key.

**Production must set JIANFU_PII_KEYS (or _FILE).** With DEBUG on, or under the test runner, and
no keys set, a development key is derived from SECRET_KEY (HKDF) so the demo and the tests run
without setup; data written that way cannot be read once real keys are set. With DEBUG off and no
keys, the first encryption, decryption or blind index raises ImproperlyConfigured (importing this
module never does).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core import checks, mail
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact

from . import clock

__all__ = [
    "PURPOSE_ID_NUMBER",
    "PURPOSE_PHONE",
    "DecryptionError",
    "EncryptedCharField",
    "birth_date_from_id",
    "blind_index",
    "blind_index_candidates",
    "decrypt",
    "encrypt",
    "gender_from_id",
    "id_check_char",
    "generate_key",
    "is_encrypted",
    "is_valid_id_number",
    "is_valid_phone",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "needs_reencryption",
    "normalize_id_number",
    "normalize_phone",
]

PURPOSE_ID_NUMBER = "id_number"
PURPOSE_PHONE = "phone"

TOKEN_PREFIX = "pii1:"
_VERSION = b"pii1"
_KEY_BYTES = 32
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored value is not a token we wrote, was altered, or needs a key missing from PII_KEYS."""


# --------------------------------------------------------------------------------------------- keys


def _hkdf(material: bytes, info: bytes, length: int = _KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(material)


@dataclass(frozen=True)
class _Key:
    key_id: bytes  # public tag written into each token, so decryption picks the right key at once
    aead: AESGCM
    material: bytes  # the configured key, kept to derive blind-index keys per purpose

    @classmethod
    def from_material(cls, material: bytes) -> _Key:
        return cls(
            key_id=_hkdf(material, b"jianfu-pii:key-id", _KEY_ID_BYTES),
            aead=AESGCM(_hkdf(material, b"jianfu-pii:encryption")),
            material=material,
        )

    def blind_index_key(self, purpose: str) -> bytes:
        return _blind_index_key(self.material, purpose)


@functools.lru_cache(maxsize=64)
def _blind_index_key(material: bytes, purpose: str) -> bytes:
    return _hkdf(material, b"blind-index:" + purpose.encode())


def generate_key() -> str:
    """A new random key, in the form PII_KEYS expects."""
    return base64.b64encode(os.urandom(_KEY_BYTES)).decode()


def _decode_key(text: str, position: int) -> bytes:
    try:
        if "-" in text or "_" in text:
            raw = base64.urlsafe_b64decode(text)
        else:
            raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"PII_KEYS entry {position} is not valid base64.") from None
    if len(raw) != _KEY_BYTES:
        raise ImproperlyConfigured(f"PII_KEYS entry {position} decodes to {len(raw)} bytes; it must be {_KEY_BYTES}.")
    return raw


@functools.lru_cache(maxsize=8)
def _keyring_from_config(entries: tuple[str, ...]) -> tuple[_Key, ...]:
    return tuple(_Key.from_material(_decode_key(text, n)) for n, text in enumerate(entries, 1))


@functools.lru_cache(maxsize=8)
def _development_keyring(secret_key: str) -> tuple[_Key, ...]:
    material = _hkdf(secret_key.encode(), b"jianfu-pii:development-key-from-SECRET_KEY")
    return (_Key.from_material(material),)


def _running_tests() -> bool:
    # Django's setup_test_environment() (manage.py test, pytest-django) installs mail.outbox.
    return hasattr(mail, "outbox")


def _configured_entries() -> tuple[str, ...]:
    value = getattr(settings, "PII_KEYS", None) or ()
    if isinstance(value, str):
        value = [value]
    # Accept commas and whitespace (one key per line in a JIANFU_PII_KEYS_FILE) alike.
    return tuple(part for item in value for part in re.split(r"[,\s]+", str(item)) if part)


def _keyring() -> tuple[_Key, ...]:
    """Configured keys, current first. Read on every use, so override_settings takes effect."""
    entries = _configured_entries()
    if entries:
        return _keyring_from_config(entries)
    if settings.DEBUG or _running_tests():
        return _development_keyring(settings.SECRET_KEY)
    raise ImproperlyConfigured(
        "PII_KEYS is empty: set JIANFU_PII_KEYS (comma-separated base64 32-byte keys, the first "
        "encrypts) or JIANFU_PII_KEYS_FILE. ID numbers and phones cannot be stored without it."
    )


# ------------------------------------------------------------------------------ encrypt / decrypt


def encrypt(plaintext: str) -> str:
    """AES-256-GCM under the current key with a random nonce: ``pii1:`` + urlsafe base64."""
    key = _keyring()[0]
    header = _VERSION + key.key_id
    nonce = os.urandom(_NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode(), header)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(key.key_id + nonce + sealed).decode()


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def _split(token: str) -> tuple[bytes, bytes, bytes]:
    if not is_encrypted(token):
        raise DecryptionError(f"not an encrypted value (expected the {TOKEN_PREFIX!r} prefix)")
    try:
        raw = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :].encode())
    except (binascii.Error, ValueError):
        raise DecryptionError("encrypted value is not valid base64 (truncated or altered?)") from None
    if len(raw) < _KEY_ID_BYTES + _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("encrypted value is too short (truncated?)")
    return raw[:_KEY_ID_BYTES], raw[_KEY_ID_BYTES : _KEY_ID_BYTES + _NONCE_BYTES], raw[_KEY_ID_BYTES + _NONCE_BYTES :]


def decrypt(token: str) -> str:
    """The plaintext of an ``encrypt`` token, using whichever key of PII_KEYS wrote it."""
    key_id, nonce, sealed = _split(token)
    candidates = [key for key in _keyring() if key.key_id == key_id]
    if not candidates:
        raise DecryptionError(
            f"value was encrypted with key id {key_id.hex()}, which is not in PII_KEYS; "
            "an old key was probably dropped from JIANFU_PII_KEYS"
        )
    for key in candidates:
        try:
            return key.aead.decrypt(nonce, sealed, _VERSION + key_id).decode()
        except InvalidTag:
            continue
    raise DecryptionError("encrypted value failed authentication: it was altered or is corrupt")


def needs_reencryption(token: str) -> bool:
    """True when a token was written under a key other than the current one (after rotation)."""
    if not is_encrypted(token):
        return False
    return _split(token)[0] != _keyring()[0].key_id


# ----------------------------------------------------------------------------------- blind index


def _normalizer(purpose: str):
    return {PURPOSE_ID_NUMBER: normalize_id_number, PURPOSE_PHONE: normalize_phone}.get(purpose, _normalize_text)


def _normalize_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _blind_index_with(key: _Key, normalised: str, purpose: str) -> str:
    return hmac.new(key.blind_index_key(purpose), normalised.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str | None, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of the normalised value, keyed per purpose from the current key.

    For equality lookup and duplicate detection only. ``purpose`` picks both the key and the
    normalisation: ``"id_number"`` (normalize_id_number), ``"phone"`` (normalize_phone), anything
    else NFKC + strip. Empty values give ``""`` so blanks are never counted as duplicates.
    """
    normalised = _normalizer(purpose)(value or "")
    if not normalised:
        return ""
    return _blind_index_with(_keyring()[0], normalised, purpose)


def blind_index_candidates(value: str | None, *, purpose: str) -> list[str]:
    """The index under every configured key, current first: for lookups while a rotation is under way."""
    normalised = _normalizer(purpose)(value or "")
    if not normalised:
        return []
    return [_blind_index_with(key, normalised, purpose) for key in _keyring()]


# ---------------------------------------------------------------------------------- model field


class EncryptedCharField(models.TextField):
    """A short string stored encrypted: plaintext in Python, an AES-GCM token in the column.

    ``None`` and ``""`` are stored as they are. Filtering on the column is refused (ciphertexts
    are randomised); keep a ``blind_index`` column beside it for lookups. ``max_length`` limits the
    plaintext (forms and full_clean), not the column, which is a TEXT.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.primary_key or self.db_index:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key: ciphertexts differ for equal values.",
                    hint="Add a separate field holding blind_index(...) and put unique/db_index on that.",
                    obj=self,
                    id="jianfu.E001",
                )
            )
        return errors

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except DecryptionError as e:
            where = f"{self.model._meta.label}.{self.name}" if hasattr(self, "model") else self.name
            raise DecryptionError(f"{where}: cannot decrypt the stored value: {e}") from None

    def to_python(self, value):
        # Fixtures written by dumpdata carry tokens (see value_to_string); forms carry plaintext.
        if is_encrypted(value):
            try:
                return decrypt(value)
            except DecryptionError as e:
                raise ValidationError(str(e), code="undecryptable") from None
        return super().to_python(value)

    def value_to_string(self, obj):
        # dumpdata goes through here: keep serialised fixtures as opaque as the database.
        value = self.value_from_object(obj)
        return self.get_prep_value(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            # Django routes ``field=None`` through "exact" before turning it into isnull.
            return _EmptyOnlyExact
        raise _unfilterable(self, lookup_name)

    def get_transform(self, name):
        return None

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs})


def _unfilterable(field, lookup_name: str) -> FieldError:
    return FieldError(
        f"Cannot filter on encrypted field {field.name!r} with {lookup_name!r}: equal values have "
        "different ciphertexts. Filter on a blind_index(...) field instead."
    )


class _EmptyOnlyExact(Exact):
    """``field=None`` and ``field=""`` work (they are stored as such); any other value is refused."""

    def get_prep_lookup(self):
        if self.rhs is not None and self.rhs != "":
            raise _unfilterable(self.lhs.output_field, "exact")
        return super().get_prep_lookup()


# ------------------------------------------------------------------------- ID numbers (身份证号)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def normalize_id_number(value: str | None) -> str:
    """Full-width → half-width (NFKC), whitespace removed, check character upper-cased."""
    if not value:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    return _ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _id_birth_date(normalised: str) -> dt.date | None:
    try:
        born = dt.date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > clock.today():
        return None
    return born


def is_valid_id_number(value: str | None) -> bool:
    """An 18-character PRC resident ID number: shape, a real birth date not in the future, checksum.

    The old 15-digit numbers (no check character) are not accepted.
    """
    s = normalize_id_number(value)
    if not _ID_SHAPE.fullmatch(s):
        return False
    return _id_birth_date(s) is not None and id_check_char(s[:17]) == s[17]


def birth_date_from_id(value: str | None) -> dt.date | None:
    """The birth date in a valid ID number; None when the number is not valid."""
    s = normalize_id_number(value)
    return _id_birth_date(s) if is_valid_id_number(s) else None


def gender_from_id(value: str | None) -> str | None:
    """``"M"`` (17th digit odd) or ``"F"`` (even) for a valid ID number; None otherwise."""
    s = normalize_id_number(value)
    if not is_valid_id_number(s):
        return None
    return "M" if int(s[16]) % 2 else "F"


# ------------------------------------------------------------------------------------ phones

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes 010 and 02x go with 8-digit local numbers; 0xxx with 7 or 8. Local numbers start 2–9.
_LANDLINE = re.compile(r"0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7}")


def normalize_phone(value: str | None) -> str:
    """Digits only, without the +86 / 0086 country code.

    ``"+86 138 1234 5678"`` → ``"13812345678"``; ``"010-6512 3456"`` → ``"01065123456"``;
    ``"+86 10 6512 3456"`` → ``"01065123456"`` (the trunk 0 dropped in international form comes back).
    """
    if not value:
        return ""
    compact = re.sub(r"[^\d+]", "", unicodedata.normalize("NFKC", value))
    international = True
    if compact.startswith("+86"):
        digits = compact[3:]
    elif compact.startswith("0086"):
        digits = compact[4:]
    elif re.fullmatch(r"861[3-9]\d{9}", compact):
        digits = compact[2:]
    else:
        digits, international = compact, False
    digits = digits.replace("+", "")
    if international and digits and not _MOBILE.fullmatch(digits) and not digits.startswith("0"):
        digits = "0" + digits
    return digits


def is_valid_phone(value: str | None) -> bool:
    """An 11-digit mobile number (1[3-9]…) or a landline with its area code (0xx(x)-xxxxxxx(x))."""
    s = normalize_phone(value)
    return bool(_MOBILE.fullmatch(s) or _LANDLINE.fullmatch(s))


# ----------------------------------------------------------------------------------- masking


def _mask_middle(s: str, head: int, tail: int) -> str:
    if len(s) <= head + tail:
        return "*" * len(s)
    return s[:head] + "*" * (len(s) - head - tail) + s[-tail:]


def mask_id_number(value: str | None) -> str:
    """``"110101199003071234"`` → ``"110***********1234"``: first 3 and last 4 shown."""
    return _mask_middle(normalize_id_number(value), 3, 4)


def mask_phone(value: str | None) -> str:
    """``"13812345678"`` → ``"138****5678"``: first 3 and last 4 digits shown."""
    return _mask_middle(normalize_phone(value), 3, 4)


def mask_name(value: str | None) -> str:
    """``"张三丰"`` → ``"张**"``: the first character shown. A one-character name is fully masked."""
    s = (value or "").strip()
    if len(s) <= 1:
        return "*" * len(s)
    return s[0] + "*" * (len(s) - 1)
