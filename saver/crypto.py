"""Password hashing, encryption at rest and delete tokens.

One scrypt run per password gives 64 bytes: the first half is the stored
verifier, the second half the AES-GCM key of the body. The key is never
stored, so a copied database does not reveal protected texts.
"""
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import secrets
import threading

# pycryptodome rather than pyca/cryptography: for this one cipher, the latter's
# Rust extension made every daemon markedly bigger (the bodies are standard
# AES-GCM either way: nonce, ciphertext, tag).
from Crypto.Cipher import AES

_R, _P = 8, 1
_NONCE = 12
_TAG = 16
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number


def _return_freed_buffers():
    """Fix glibc's mmap threshold at its default, so scrypt's buffers go back to the OS.

    glibc raises the threshold to the size of any mmap'd block that is freed;
    after the first scrypt every thread then keeps its 16 MiB buffer in its
    own malloc arena, and a daemon grew by that much per thread after a burst
    of password checks. A fixed threshold turns the raising off.
    """
    try:
        ctypes.CDLL(ctypes.util.find_library("c")).mallopt(_M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc: no such raising to turn off


_return_freed_buffers()

# scrypt is bound by CPU and memory (16 MiB at the default cost): threads of a
# daemon hashing at once only share its core and each hold a buffer, so they
# take turns, which keeps one buffer at a time and answers as many checks.
ONE_SCRYPT_AT_A_TIME = threading.Lock()


def _scrypt(password, salt, n, r, p):
    with ONE_SCRYPT_AT_A_TIME:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                              maxmem=256 * r * n + (1 << 20), dklen=64)


def hash_password(password, n):
    """Return ``(stored_hash, key)`` for a new password with scrypt cost ``n``."""
    salt = os.urandom(16)
    derived = _scrypt(password, salt, n, _R, _P)
    stored = "$".join(["scrypt", str(n), str(_R), str(_P),
                       _b64(salt), _b64(derived[:32])])
    return stored, derived[32:]


def verify_password(password, stored):
    """Return the body key when ``password`` matches ``stored``, else None."""
    _, n, r, p, salt, verifier = stored.split("$")
    derived = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    if hmac.compare_digest(derived[:32], _unb64(verifier)):
        return derived[32:]
    return None


def encrypt(key, plaintext, context):
    """Encrypt ``plaintext`` bytes, bound to ``context`` (the code): nonce, ciphertext, tag."""
    nonce = os.urandom(_NONCE)
    ciphertext, tag = _aes_gcm(key, nonce, context).encrypt_and_digest(plaintext)
    return nonce + ciphertext + tag


def decrypt(key, blob, context):
    """Decrypt what ``encrypt`` made; raise ValueError if it was tampered with."""
    return _aes_gcm(key, blob[:_NONCE], context).decrypt_and_verify(blob[_NONCE:-_TAG],
                                                                    blob[-_TAG:])


def _aes_gcm(key, nonce, context):
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=_TAG)
    cipher.update(context.encode())
    return cipher


def new_delete_token():
    """Return ``(token, token_hash)``; only the hash is stored."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token):
    """Return the stored form of a delete token (tokens are random: no salt needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _b64(raw):
    return base64.b64encode(raw).decode("ascii")


def _unb64(text):
    return base64.b64decode(text)
